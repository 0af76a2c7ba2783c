"""A NOT NULL foreign key whose parent will hold no key it may take is refused before
any row is written: its pick (the keys a check on its column takes) is counted up
front from the rows there and the new rows' numbers, read from the parent's
sequence. The refusal came inside the seed's transaction, once the tables before
it were filled: rolled back, but every sequence those inserts drew from kept its
numbers (a nextval survives a rollback), and the time was spent. Now no sequence
moves and no table is written; and where the pick holds keys, the seed counts them
up front as it counts them once the parent is filled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.cli import main
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
entities:
  Brand:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: text, nullable: true}
  Region:
    columns:
      id: {type: integer, primary_key: true}
      note: {type: text, nullable: true}
  Store:
    columns:
      id: {type: integer, primary_key: true}
      region_id: {references: Region, back_populates: stores}
      brand_id: {references: Brand, back_populates: stores}
      label: {type: text, nullable: true}
    checks:
      stores_region_far: "region_id > 1000"
"""

#: Rows there: brands and regions numbered by their sequences (so --append moves
#: none), NULL and repeated names and notes. Brands come first in insert order.
THERE = (
    "INSERT INTO brands (name) VALUES (NULL), ('acme'), ('acme');"
    "INSERT INTO regions (note) VALUES ('x'), (NULL), ('x'), (NULL)"
)

SEQUENCES = ("brands_id_seq", "regions_id_seq", "stores_id_seq")


def _state(conn: psycopg.Connection[Any]) -> tuple[object, ...]:
    """Every table's rows and every sequence's last_value and is_called."""
    counts = conn.execute(
        "SELECT (SELECT count(*) FROM brands), (SELECT count(*) FROM regions), "
        "(SELECT count(*) FROM stores)"
    ).fetchone()
    assert counts is not None
    seqs = [conn.execute(f"SELECT last_value, is_called FROM {s}").fetchone() for s in SEQUENCES]
    conn.rollback()
    return (*counts, *seqs)


def _seed(tmp_path: Path, url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["seed", "--project", str(tmp_path), "--database", url, "--seed", "7", *args],
        catch_exceptions=False,
    )  # fmt: skip
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize(
    ("regions", "numbered"),
    [
        (6, ", and the 6 it would seed are numbered 5 to 10 by regions_id_seq"),
        (0, ""),  # only the rows there: none is past 1000
    ],
)
def test_no_parent_key_the_check_takes_is_refused_before_any_row_is_written(
    pg: PgCluster, pg_db: str, tmp_path: Path, regions: int, numbered: str
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(THERE)
        conn.commit()
        before = _state(conn)
        code, out = _seed(
            tmp_path, pg.url(pg_db), "--append", "--rows-per", "brands=5",
            "--rows-per", f"regions={regions}", "--rows-per", "stores=50",
        )  # fmt: skip
        assert code == 2, out
        assert "Traceback" not in out
        assert (
            "cannot seed stores: regions has no rows holding (id) that check "
            "stores_region_far (region_id > 1000) takes, to reference by "
            f"fk_stores_region_id_regions{numbered}: refused before any row is written; "
            "give regions.id keys the check takes"
        ) in out, out
        # nothing written, and no sequence drew a number: not the brands' filled first
        assert _state(conn) == before == (3, 4, 0, (3, True), (4, True), (1, False))


def test_keys_the_check_takes_among_new_rows_are_counted_up_front(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """Regions numbered 5 to 1004: those past 1000 (1001 to 1004) are the stores'."""
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(THERE)
        conn.commit()
        code, out = _seed(
            tmp_path, pg.url(pg_db), "--append", "--rows-per", "brands=5",
            "--rows-per", "regions=1000", "--rows-per", "stores=300",
        )  # fmt: skip
        assert code == 0, out
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), array_agg(DISTINCT region_id ORDER BY region_id), "
            "bool_and(brand_id BETWEEN 1 AND 8) FROM stores"
        ).fetchone()
        assert row == (300, [1001, 1002, 1003, 1004], True)


def test_a_parent_with_no_rows_at_all_is_refused_before_any_row_is_written(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """No check: a store needs a region, none is there and none is asked."""
    unchecked = SCHEMA.replace('stores_region_far: "region_id > 1000"', "stores_label: label <> ''")
    write_schema(tmp_path, {"schema.yaml": unchecked})
    with created(pg, pg_db, tmp_path) as conn:
        before = _state(conn)
        code, out = _seed(
            tmp_path, pg.url(pg_db), "--rows-per", "brands=5", "--rows-per", "regions=0",
            "--rows-per", "stores=50",
        )  # fmt: skip
        assert code == 2, out
        assert (
            "cannot seed stores: regions has no rows to reference by "
            "fk_stores_region_id_regions: refused before any row is written"
        ) in out, out
        assert _state(conn) == before == (0, 0, 0, (1, False), (1, False), (1, False))


CODES = """
database: {name: shop}
entities:
  Brand:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: text, nullable: true}
  Region:
    columns:
      id: {type: integer, primary_key: true}
      code: {type: string, length: 2, unique: true}
      note: {type: text, nullable: true}
  Store:
    columns:
      id: {type: integer, primary_key: true}
      region_code: {type: string, length: 2}
      brand_id: {references: Brand, back_populates: stores}
    foreign_keys:
      fk_stores_region_code: {columns: [region_code], references: Region, ref_columns: [code]}
    checks:
      stores_region_listed: "region_code IN ('DE', 'FR')"
"""


@pytest.mark.parametrize(("there", "taken"), [("'NL'", None), ("'DE'", ["DE"])])
def test_keys_seed_makes_for_the_parent_are_read_before_any_row_is_written(
    pg: PgCluster, pg_db: str, tmp_path: Path, there: str, taken: list[str] | None
) -> None:
    """The regions' codes are seed's own (from the row number): those of its new rows
    are read from the rows of their statement, before any insert."""
    write_schema(tmp_path, {"schema.yaml": CODES})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(
            "INSERT INTO brands (name) VALUES (NULL), ('acme'), ('acme');"
            f"INSERT INTO regions (code, note) VALUES ('AT', NULL), ({there}, 'x'), ('SE', 'x')"
        )
        conn.commit()
        before = _state(conn)
        code, out = _seed(
            tmp_path, pg.url(pg_db), "--append", "--rows-per", "brands=5",
            "--rows-per", "regions=6", "--rows-per", "stores=50",
        )  # fmt: skip
        if taken is None:
            assert code == 2, out
            assert (
                "cannot seed stores: regions has no rows holding (code) that check "
                "stores_region_listed (region_code IN ('DE', 'FR')) takes, to reference by "
                "fk_stores_region_code, and the 6 it would seed hold none either: refused "
                "before any row is written"
            ) in out, out
            assert _state(conn) == before == (3, 3, 0, (3, True), (3, True), (1, False))
        else:
            assert code == 0, out
            assert violations(conn, schema) == []
            row = conn.execute(
                "SELECT count(*), array_agg(DISTINCT region_code) FROM stores"
            ).fetchone()
            assert row == (50, taken)
