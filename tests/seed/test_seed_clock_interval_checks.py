"""Checks bounded by the clock moved by an interval, as AdventureWorks for PostgreSQL
writes its employees': ``BirthDate BETWEEN '1930-01-01' AND NOW() - INTERVAL '18
years'`` and ``HireDate BETWEEN '1996-07-01' AND NOW() + INTERVAL '1 day'`` (printed
back as ``birthdate <= (now() - '18 years'::interval)``). Seed refused the table ("a
value that is not a constant") although it keeps a column on the clock's side: the
clock plus or minus a constant interval is now such a bound too, the constant bounds
of the same check kept with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: hr}
entities:
  Employee:
    columns:
      id: {type: integer, primary_key: true}
      birthdate: {type: date}
      hiredate: {type: date}
      reviewed_at: {type: timestamp, nullable: true, unique: true}
      renews_at: {type: timestamptz}
    checks:
      CK_Employee_BirthDate: "birthdate BETWEEN '1930-01-01' AND NOW() - INTERVAL '18 years'"
      CK_Employee_HireDate: >-
        (hiredate >= '1996-07-01'::date) AND (hiredate <= (now() + '1 day'::interval))
      ck_reviewed: "reviewed_at IS NULL OR reviewed_at < LOCALTIMESTAMP - interval '2 hours'"
      ck_renews: "renews_at > CURRENT_TIMESTAMP + '30 days'::interval"
"""


def test_clock_bounds_moved_by_an_interval_are_kept(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there already: NULLs, a date twice
            "INSERT INTO employees (id, birthdate, hiredate, reviewed_at, renews_at) VALUES"
            " (1, '1969-01-29', '2009-01-14', NULL, now() + interval '40 days'),"
            " (2, '1969-01-29', '2009-01-14', '2020-01-01', now() + interval '31 days'),"
            " (3, '1952-09-27', '2008-01-06', NULL, now() + interval '1 year')"
        )
        conn.commit()
        seed_connection(conn, schema, rows=1500, seed=3, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT birthdate), count(reviewed_at),"
            " count(DISTINCT reviewed_at), count(DISTINCT renews_at),"
            " min(birthdate) >= '1930-01-01', max(birthdate) <= now() - interval '18 years'"
            " FROM employees"
        ).fetchone()
    assert row is not None
    count, births, reviewed, distinct_reviews, renewals, after_1930, adults = row
    assert count == 1503 and after_1930 and adults
    assert births > 100 and renewals > 1400  # spread, not all at the bound
    assert reviewed == distinct_reviews and 800 < reviewed < 1503


def test_a_clock_moved_by_a_computed_interval_is_refused_naming_what_seed_reads(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """The interval must be a constant: ``now() - interval '1 year' * 18`` is refused,
    before a row is written, by a message that says the constant form is read."""
    computed = SCHEMA.replace("NOW() - INTERVAL '18 years'\"", "NOW() - INTERVAL '1 year' * 18\"")
    write_schema(tmp_path, {"schema.yaml": computed})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(
            "INSERT INTO employees (id, birthdate, hiredate, reviewed_at, renews_at) VALUES"
            " (1, '1969-01-29', '2009-01-14', NULL, now() + interval '40 days')"
        )
        conn.commit()
        with pytest.raises(SeedError) as refused:
            seed_connection(conn, schema, rows=10, seed=3, append=True)
        assert conn.execute("SELECT count(*) FROM employees").fetchone() == (1,)
    message = str(refused.value)
    assert "check CK_Employee_BirthDate" in message
    assert "bounds by now() or CURRENT_DATE (maybe plus or minus an interval)" in message
