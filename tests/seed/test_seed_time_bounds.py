"""Checks that bound a date or a time by a constant written as a string, the way
real schemas write them: ``created_at >= '2000-01-01'``, ``birth_date <
'2010-01-01'::date``, ``valid_from BETWEEN '2019-01-01' AND '2019-12-31'``. Seed
read a bound only as a number and refused them ("a range over a non-number
('2000-01-01')"), though its times are made from a known start and spread: it now
moves a column's values into the bounds (as little as it takes, keeping their
spread and, for a unique column, their distinctness), and refuses only where the
bounds leave too little room, or where a range over text is no time at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, table_digest, violations

SCHEMA = """
database: {name: shop}
entities:
  Person:
    table: people
    columns:
      id: {type: integer, primary_key: true}
      birth_date: {type: date, nullable: true}
      created_at: {type: timestamptz}
      signed_up_on: {type: date, unique: true}
      valid_from: {type: date}
      valid_to: {type: date, nullable: true}
      archived_at: {type: timestamp, nullable: true}
      kind: {type: string, length: 1}
      ended_at: {type: timestamptz, nullable: true}
      closed_on: {type: date, nullable: true}
    checks:
      born: "birth_date < '2010-01-01'::date AND birth_date >= '1920-01-01'"
      created: "created_at >= '2000-01-01'"
      signed_up: "signed_up_on > '2030-06-01'"
      valid: "valid_to > valid_from"
      valid_year: "valid_from BETWEEN '2019-01-01' AND '2019-12-31'"
      archived: "archived_at < '2001-02-03 04:05:06'"
      ended: >-
        (kind = 'a' AND ended_at > '2031-01-01 00:00:00+00')
        OR (kind = 'b' AND ended_at IS NULL)
      closed: "closed_on IS NULL OR closed_on <= '1999-12-31'::date"
"""


def test_values_move_into_time_bounds(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    ent = schema.entity_by_table("people")
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there: NULLs, a row twice but for its unique date
            "INSERT INTO people VALUES"
            " (1, NULL, '2024-05-01', '2035-01-01', '2019-03-01', NULL, NULL, 'b', NULL, NULL),"
            " (2, '1980-02-02', '2024-05-01', '2035-01-02', '2019-03-01', '2020-01-01',"
            "  '2000-01-01', 'a', '2032-01-01', '1990-01-01'),"
            " (3, '1980-02-02', '2024-05-01', '2035-01-03', '2019-03-01', '2020-01-01',"
            "  '2000-01-01', 'a', '2032-01-01', '1990-01-01')"
        )
        conn.commit()
        seed_connection(conn, schema, rows=500, seed=4, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT birth_date), count(birth_date),"
            " min(created_at) FILTER (WHERE id > 3) >= '2025-01-01', count(DISTINCT signed_up_on),"
            " count(DISTINCT valid_from), count(DISTINCT archived_at),"
            " count(*) FILTER (WHERE kind = 'a'), count(DISTINCT ended_at),"
            " count(closed_on), count(DISTINCT closed_on) FROM people"
        ).fetchone()
        assert row is not None
        total, births, born, unmoved, signups, starts, archives, a_rows, ends, closed, closes = row
        assert total == 503 and 0 < born < total and births > 250  # spread, not one edge
        assert unmoved  # a bound the values keep already moves nothing
        assert signups == total and starts > 200 and archives > 250
        assert 100 < a_rows < 400 and ends > 100
        assert 0 < closed < total and closes > 100  # values beside NULLs, not NULLs alone
        # the same seed gives the same rows (the ids aside: the sequence goes on)
        first = table_digest(conn, ent, skip=lambda c: c.name == "id")
        conn.execute("DELETE FROM people WHERE id > 3")
        conn.commit()
        seed_connection(conn, schema, rows=500, seed=4, append=True)
        assert table_digest(conn, ent, skip=lambda c: c.name == "id") == first


def test_a_range_over_text_is_still_refused_naming_its_check(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    text = SCHEMA.replace(
        "      kind: {type: string, length: 1}\n",
        "      kind: {type: string, length: 1}\n      code: {type: text}\n",
    ).replace("    checks:\n", "    checks:\n      late_code: \"code > 'm'\"\n")
    write_schema(tmp_path, {"schema.yaml": text})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.commit()
        with pytest.raises(SeedError) as refused:
            seed_connection(conn, schema, rows=20)
    assert str(refused.value).startswith(
        "cannot seed people: check late_code (code > 'm') has a shape seed cannot satisfy "
        "(a range over a non-number ('m'))."
    ), refused.value


def test_unique_dates_beyond_their_room_are_refused(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    text = SCHEMA.replace(
        "signed_up_on > '2030-06-01'", "signed_up_on BETWEEN '2030-06-01' AND '2030-06-30'"
    )
    write_schema(tmp_path, {"schema.yaml": text})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.commit()
        with pytest.raises(SeedError) as refused:
            seed_connection(conn, schema, rows=50)
        assert conn.execute("SELECT count(*) FROM people").fetchone() == (0,)
    assert str(refused.value).startswith(
        "cannot seed people.signed_up_on: 50 distinct values do not fit between its bounds "
        "('2030-06-01' to '2030-06-30'), under check signed_up (signed_up_on BETWEEN "
        "'2030-06-01' AND '2030-06-30'); give it a value generator"
    ), refused.value
