"""``a <> b`` between two columns no foreign key holds: seed refused it ('`<>` between
two columns that are not two foreign keys to one table'). Now, where a row's two
values meet, the column no unique key is built from takes a neighbouring value its
own checks allow (a step within its bounds, past the values it must not take,
another listed value, text a character longer or changed at its longest); two unique
columns built alike from the row number are equal on every row, so one takes its
next row's value. Seed refuses only where no second value exists."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
entities:
  Slot:
    table: slots
    columns:
      id: {type: integer, primary_key: true}
      low: {type: integer, nullable: true}
      high: {type: integer}
      first: {type: integer}
      last: {type: integer}
      code: {type: integer, unique: true}
      ref: {type: integer, unique: true}
      status: {type: text}
      prior: {type: text, nullable: true}
      initial: {type: string, length: 1}
      nick: {type: text}
      title: {type: text, nullable: true}
      subtitle: {type: text}
    checks:
      low_range: "low BETWEEN 1 AND 4 AND low <> 2"
      high_range: "high BETWEEN 1 AND 4"
      low_not_high: "low <> high"
      first_range: "first BETWEEN 5 AND 6"
      last_fixed: "last BETWEEN 6 AND 6"
      first_not_last: "first <> last"
      code_not_ref: "code <> ref"
      status_listed: "status IN ('open', 'shut')"
      prior_listed: "prior IN ('open', 'shut')"
      status_changed: "status <> prior"
      nick_short: "length(nick) <= 1 AND length(nick) >= 1"
      initial_not_nick: "initial <> nick"
      title_not_subtitle: "title <> subtitle"
"""

REFUSED = """
database: {name: shop}
entities:
  Pair:
    table: pairs
    columns:
      id: {type: integer, primary_key: true}
      x: {type: integer}
      y: {type: integer}
    checks:
      x_one: "x BETWEEN 1 AND 1"
      y_one: "y BETWEEN 1 AND 1"
      apart: "x <> y"
"""

ROWS = "SELECT * FROM slots ORDER BY id"


def _seed(pg: PgCluster, db: str, schema: object, rows: int, seed: int) -> None:
    with psycopg.connect(pg.libpq_url(db)) as session:
        seed_connection(session, schema, rows_per={"slots": rows}, seed=seed)  # type: ignore[arg-type]


def test_plain_columns_kept_apart(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.commit()
        _seed(pg, pg_db, schema, 400, seed=3)
        assert violations(conn, schema) == []
        first = conn.execute(ROWS).fetchall()
        row = conn.execute(
            "SELECT count(*) - count(low), count(DISTINCT high), "
            "count(*) FILTER (WHERE first = 5 AND last = 6), count(*) - count(prior), "
            "count(DISTINCT nick), count(DISTINCT code), count(*) FILTER (WHERE code = ref + 1) "
            "FROM slots"
        ).fetchone()
        conn.rollback()
        # NULLs and repeated values among them; first moved off last, the only value
        # last takes; the unique code one row on from ref, on every row
        assert row is not None
        nulls, highs, moved, no_prior, nicks, codes, offset = row
        assert nulls > 0 and no_prior > 0 and highs == 4 and nicks > 1
        assert (moved, codes, offset) == (400, 400, 400)
        # the same seed gives the same rows
        conn.execute("TRUNCATE slots RESTART IDENTITY")
        conn.commit()
        _seed(pg, pg_db, schema, 400, seed=3)
        assert conn.execute(ROWS).fetchall() == first
        conn.rollback()
        # and another seed, over the rows there (append)
        with psycopg.connect(pg.libpq_url(pg_db)) as session:
            seed_connection(session, schema, rows_per={"slots": 300}, seed=4, append=True)
        assert violations(conn, schema) == []


def test_no_second_value_is_refused(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": REFUSED})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.commit()
        with pytest.raises(SeedError) as refused:
            seed_connection(conn, schema, rows_per={"pairs": 10})
        message = str(refused.value)
        assert "check apart (x <> y)" in message
        assert "its bounds leave one value" in message
        assert conn.execute("SELECT count(*) FROM pairs").fetchone() == (0,)


NOT_WRITTEN = """
database: {name: shop}
entities:
  Ticket:
    table: tickets
    columns:
      id: {type: integer, primary_key: true}
      code: {type: integer}
    checks:
      code_not_id: "code <> id"
"""


def test_a_column_seed_does_not_write_is_refused(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    # the key numbers itself: seed cannot see its value to move off it
    write_schema(tmp_path, {"schema.yaml": NOT_WRITTEN})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.commit()
        refusal = r"check code_not_id asks code <> id, and seed does not write id \(its identity"
        with pytest.raises(SeedError, match=refusal):
            seed_connection(conn, schema, rows_per={"tickets": 10})
        assert conn.execute("SELECT count(*) FROM tickets").fetchone() == (0,)
