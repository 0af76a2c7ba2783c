"""A table whose statement seed cannot make (a column it cannot fill) is refused
before any row is written, though tables before it in insert order get rows.

Those refusals came from planning the table's statement, which the seed did once
the tables before it were filled: rolled back, nothing written, but every sequence
those inserts drew from kept its numbers (nextval is not rolled back). Now each
table sized up front is planned there too. Here the brands there are numbered by
hand (1, 2, 7: --append moves brands_id_seq past them once nothing is refused) and
brands come before stores in insert order.
"""

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
  Store:
    columns:
      id: {type: integer, primary_key: true}
      brand_id: {references: Brand, back_populates: stores}
      low: {type: text}
      high: {type: text}
      opened_on: {type: date, unique: true}
    checks:
      store_opened: "opened_on BETWEEN '2030-06-01' AND '2030-06-30'"
"""

ORDERED = SCHEMA + '      store_order: "low < high"\n'


def _state(conn: psycopg.Connection[Any]) -> tuple[object, ...]:
    """Both tables' rows and both sequences' last_value and is_called."""
    found = conn.execute(
        "SELECT (SELECT array_agg(b ORDER BY b.id)::text FROM brands AS b), "
        "(SELECT count(*) FROM stores), "
        "(SELECT row(last_value, is_called)::text FROM brands_id_seq), "
        "(SELECT row(last_value, is_called)::text FROM stores_id_seq)"
    ).fetchone()
    conn.rollback()
    assert found is not None
    return tuple(found)


def _seed(tmp_path: Path, url: str, stores: int) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["seed", "--project", str(tmp_path), "--database", url, "--seed", "5",
               "--append", "--rows-per", "brands=5", "--rows-per", f"stores={stores}"],
        catch_exceptions=False,
    )  # fmt: skip
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize(
    ("schema", "stores", "said"),
    [
        (ORDERED, 10, "cannot seed stores: a check orders low, a text"),
        (SCHEMA, 50, "cannot seed stores.opened_on: 50 distinct values do not fit between "
                     "its bounds ('2030-06-01' to '2030-06-30')"),
    ],
    ids=["an order of texts", "unique dates past their room"],
)  # fmt: skip
def test_refused_before_any_row_is_written(
    pg: PgCluster, pg_db: str, tmp_path: Path, schema: str, stores: int, said: str
) -> None:
    write_schema(tmp_path, {"schema.yaml": schema})
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(
            "INSERT INTO brands (id, name) OVERRIDING SYSTEM VALUE "
            "VALUES (1, NULL), (2, 'acme'), (7, 'acme')"
        )
        conn.commit()
        before = _state(conn)
        code, out = _seed(tmp_path, pg.url(pg_db), stores)
        assert code == 2, out
        assert "Traceback" not in out
        assert said in out, out
        # no brand written, no number drawn, brands_id_seq not moved past the rows there
        assert _state(conn) == before
        assert before[2:] == ("(1,f)", "(1,f)")


def test_within_the_room_every_row_is_written(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    """30 stores fit June 2030's days; the brands are numbered past the rows there."""
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(
            "INSERT INTO brands (id, name) OVERRIDING SYSTEM VALUE "
            "VALUES (1, NULL), (2, 'acme'), (7, 'acme')"
        )
        conn.commit()
        code, out = _seed(tmp_path, pg.url(pg_db), 30)
        assert code == 0, out
        assert violations(conn, project_schema(tmp_path)) == []
        assert _state(conn)[1:] == (30, "(12,t)", "(30,t)")
