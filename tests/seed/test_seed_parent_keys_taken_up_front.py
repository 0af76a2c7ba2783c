"""A NOT NULL foreign key whose parent's new keys are taken from another table's keys,
or made by the user's value generator, is refused before any row is written where
none of them, and none of the rows there, is a key its checks take; and ``--append``
moves a sequence past the rows there only once every such refusal is past.

Before, such a key was known only once the parent was filled: the refusal came in
the seed's transaction, rolled back, but every sequence the inserts before it drew
from kept its numbers (nextval is not rolled back), and so did a sequence --append
had moved past rows written with their own ids (nor is setval). Here the rows there
hold brands numbered by hand (1, 2, 7: --append moves brands_id_seq from 1 to 7) and
one region; a refused seed leaves every table's rows and every sequence as they were.
"""

from __future__ import annotations

import json
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
  Country:
    columns:
      id: {type: integer, primary_key: true}
      code: {type: string, length: 2, unique: true}
  Region:
    columns:
      id: {type: integer, primary_key: true}
      code: CODE
      note: {type: text, nullable: true}
    foreign_keys: FKS
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

#: regions.code taken from the countries' codes (a foreign key of its own)
FROM_COUNTRIES = SCHEMA.replace("CODE", "{type: string, length: 2, unique: true}").replace(
    "FKS", "{fk_regions_country: {columns: [code], references: Country, ref_columns: [code]}}"
)


def _generated(sql: str) -> str:
    """regions.code made by the user's value generator ``sql``."""
    code = "{type: string, length: 2, unique: true, seed: {sql: " + json.dumps(sql) + "}}"
    return SCHEMA.replace("CODE", code).replace("FKS", "{}")


SEQUENCES = ("brands_id_seq", "countries_id_seq", "regions_id_seq", "stores_id_seq")
TABLES = ("brands", "countries", "regions", "stores")


def _state(conn: psycopg.Connection[Any]) -> tuple[object, ...]:
    """Every table's rows (in key order) and every sequence's last_value and is_called."""
    rows = [conn.execute(f"SELECT array_agg(t ORDER BY t.id)::text FROM {t} AS t").fetchone()
            for t in TABLES]  # fmt: skip
    seqs = [conn.execute(f"SELECT last_value, is_called FROM {s}").fetchone() for s in SEQUENCES]
    conn.rollback()
    return (*rows, *seqs)


def _there(conn: psycopg.Connection[Any], countries: str) -> None:
    conn.execute(
        "INSERT INTO brands (id, name) OVERRIDING SYSTEM VALUE "
        "VALUES (1, NULL), (2, 'acme'), (7, 'acme');"
        f"INSERT INTO countries (code) VALUES {countries};"
        "INSERT INTO regions (code, note) VALUES ('AT', NULL)"
    )
    conn.commit()


def _seed(tmp_path: Path, url: str, regions: int = 2) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["seed", "--project", str(tmp_path), "--database", url, "--seed", "7",
               "--append", "--rows-per", "brands=5", "--rows-per", "countries=0",
               "--rows-per", f"regions={regions}", "--rows-per", "stores=50"],
        catch_exceptions=False,
    )  # fmt: skip
    return result.exit_code, " ".join(result.output.split())


REFUSED = (
    "cannot seed stores: regions has no rows holding (code) that check stores_region_listed "
    "(region_code IN ('DE', 'FR')) takes, to reference by fk_stores_region_code"
)


@pytest.mark.parametrize(
    ("schema", "regions", "said"),
    [
        (FROM_COUNTRIES, 2, ", and the 2 it would seed take (code) from countries, whose keys "
                            "hold none either"),
        (_generated("'R' || n"), 2, ", and the 2 it would seed hold none either"),
        # (refused up front before too, but after --append had moved brands_id_seq)
        (FROM_COUNTRIES, 0, ""),
    ],
    ids=["taken from countries", "value generator", "no new region"],
)  # fmt: skip
def test_refused_before_any_row_is_written_or_any_sequence_moved(
    pg: PgCluster, pg_db: str, tmp_path: Path, schema: str, regions: int, said: str
) -> None:
    write_schema(tmp_path, {"schema.yaml": schema})
    with created(pg, pg_db, tmp_path) as conn:
        _there(conn, "('AT'), ('NL'), ('SE')")
        before = _state(conn)
        code, out = _seed(tmp_path, pg.url(pg_db), regions)
        assert code == 2, out
        assert "Traceback" not in out
        assert REFUSED + said + ": refused before any row is written" in out, out
        # no row, no number drawn, and brands_id_seq not moved past the brands there
        assert _state(conn) == before
        assert before[len(TABLES):] == ((1, False), (3, True), (1, True), (1, False))


@pytest.mark.parametrize(
    "schema",
    [FROM_COUNTRIES, _generated("CASE WHEN n = 2 THEN 'DE' ELSE 'R' || n END")],
    ids=["taken from countries", "value generator"],
)
def test_keys_the_check_takes_are_found_and_the_sequence_moved(
    pg: PgCluster, pg_db: str, tmp_path: Path, schema: str
) -> None:
    """With DE among the countries (or made for row 2), every store is DE's, and the
    brands appended are numbered past the brands there (8 to 12)."""
    write_schema(tmp_path, {"schema.yaml": schema})
    with created(pg, pg_db, tmp_path) as conn:
        _there(conn, "('AT'), ('DE'), ('SE')")
        code, out = _seed(tmp_path, pg.url(pg_db))
        assert code == 0, out
        assert "moved sequence brands_id_seq to 7: brands.id holds up to 7" in out, out
        assert violations(conn, project_schema(tmp_path)) == []
        row = conn.execute(
            "SELECT (SELECT array_agg(id ORDER BY id) FROM brands), "
            "(SELECT count(*) FROM regions), "
            "(SELECT array_agg(DISTINCT region_code) FROM stores), (SELECT count(*) FROM stores)"
        ).fetchone()
        assert row == ([1, 2, 7, 8, 9, 10, 11, 12], 3, ["DE"], 50)


def test_a_value_generator_reading_a_table_is_left_to_the_insert(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """A generator reading a table the seed fills first makes other values once it is
    filled than before: not read up front, the refusal comes in the seed's
    transaction (rolled back: no row written)."""
    reading = "left((SELECT min(code) FROM countries), 1) || n"
    write_schema(tmp_path, {"schema.yaml": _generated(reading)})
    with created(pg, pg_db, tmp_path) as conn:
        _there(conn, "('AT'), ('NL'), ('SE')")
        before = _state(conn)
        code, out = _seed(tmp_path, pg.url(pg_db))
        assert code == 2, out
        assert "cannot seed" in out and "refused before any row is written" not in out, out
        assert _state(conn)[: len(TABLES)] == before[: len(TABLES)]
