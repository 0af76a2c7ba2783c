"""Checks bounded by the clock: ``created_at <= now()``, ``day <= CURRENT_DATE``,
``expires_at > now()``, as written and as PostgreSQL prints them back. Seed refused
each ("a value that is not a constant") although its times are made on the server:
it now keeps such a column's values on the clock's side (past or future of the
moment the seed runs), the rest of its checks as before (``ends_at > starts_at``)."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
entities:
  Event:
    columns:
      id: {type: integer, primary_key: true}
      created_at: {type: timestamptz}
      logged_at: {type: timestamp, unique: true}
      starts_at: {type: timestamptz}
      ends_at: {type: timestamptz, nullable: true}
      day: {type: date, nullable: true}
      expires_at: {type: timestamptz}
    checks:
      ck_events_created: "created_at <= now()"
      ck_events_logged: "(logged_at < LOCALTIMESTAMP)"
      ck_events_starts: "CURRENT_TIMESTAMP >= starts_at"
      ck_events_span: "ends_at > starts_at"
      ck_events_day: "day IS NULL OR day <= CURRENT_DATE"
      ck_events_expires: "(expires_at > now())"
"""


def test_clock_bounds_are_kept(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there already: NULLs, a time twice
            "INSERT INTO events (created_at, logged_at, starts_at, ends_at, day, expires_at)"
            " VALUES (now(), '2020-01-01', now(), NULL, NULL, now() + interval '1 day'),"
            " (now(), '2020-01-02', now(), now() + interval '1 hour', current_date,"
            "  now() + interval '1 day')"
        )
        conn.commit()
        seed_connection(conn, schema, rows=2000, seed=6, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT created_at), count(DISTINCT logged_at),"
            " count(ends_at), count(day), count(DISTINCT expires_at) FROM events"
        ).fetchone()
    assert row is not None
    count, created_times, logged, ends, days, expiries = row
    assert count == 2002 and logged == 2002
    assert created_times > 1900 and expiries > 1900  # spread, not all at the clock
    assert 1400 < ends < 2002 and 1400 < days < 2002
