"""``seed --append`` on a table whose exclusion constraint seed keeps apart by a range
column (``during WITH &&``): seed gave row ``n`` the range ``2020-01-01 + n hours``
(45 minutes), apart from its other rows' but not from the rows there, so a booking
written by hand over those hours made the insert fail ('conflicting key value
violates exclusion constraint'). The new rows' ranges now start after every range
there; where a range there is unbounded above (a booking still open), they end
before every range there instead; where ranges there are unbounded both ways, seed
refuses before any row is written, naming the constraint and the column to give a
value generator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: rooms, extensions: [btree_gist]}
entities:
  Room:
    columns:
      id: {type: bigint, primary_key: true}
  Booking:
    columns:
      id: {type: bigint, primary_key: true}
      room_id: {references: Room}
      during: {type: tstzrange}
      days: {type: daterange}
      slots: {type: int4range}
      guest: {type: text, nullable: true}
    exclude:
      bookings_no_overlap:
        elements: [{column: room_id, with: "="}, {column: during, with: "&&"}]
      bookings_no_day_overlap:
        elements: [{column: days, with: "&&"}]
      bookings_no_slot_overlap:
        elements: [{column: slots, with: "&&"}]
"""

ROOMS = "INSERT INTO rooms DEFAULT VALUES; INSERT INTO rooms DEFAULT VALUES;"


def _there(*rows: str) -> str:
    return (
        ROOMS
        + "INSERT INTO bookings (room_id, during, days, slots, guest) VALUES "
        + ", ".join(rows)
    )


#: Ranges over those seed makes for its next row numbers; a NULL guest, a guest twice.
OVER = _there(
    "(1, '[2020-01-01 00:00+00, 2020-01-03 00:00+00)', '[2000-01-01, 2000-03-01)', "
    "'[0, 100)', NULL)",
    "(2, '[2020-01-01 00:00+00, 2020-01-03 00:00+00)', '[2000-03-01, 2000-03-02)', "
    "'[100, 101)', 'ann')",
    "(1, 'empty', 'empty', 'empty', 'ann')",
)

#: A booking still open (unbounded above) in each range column.
OPEN = _there(
    "(1, '[2020-01-01 00:00+00,)', '[2000-01-01,)', '[0,)', NULL)",
    "(2, '[2019-01-01 00:00+00, 2019-02-01 00:00+00)', '[1999-06-01, 1999-07-01)', "
    "'[-50, -40)', 'ann')",
)


@pytest.mark.parametrize("there", [OVER, OPEN], ids=["over", "open"])
def test_appended_ranges_keep_apart_from_the_rows_there(
    pg: PgCluster, pg_db: str, tmp_path: Path, there: str
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(there)
        conn.commit()
        before = conn.execute("SELECT count(*) FROM bookings").fetchone()
        assert before is not None
        seed_connection(conn, schema, rows_per={"rooms": 0, "bookings": 300}, seed=2, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT room_id), count(*) FILTER (WHERE EXISTS ("
            " SELECT 1 FROM bookings AS o WHERE o.id <> b.id AND (o.days && b.days"
            " OR o.slots && b.slots OR (o.room_id = b.room_id AND o.during && b.during))))"
            " FROM bookings AS b"
        ).fetchone()
    assert row == (before[0] + 300, 2, 0)


def test_ranges_there_unbounded_both_ways_are_refused(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(
            _there(
                "(1, '[2020-01-01 00:00+00, 2020-01-02 00:00+00)', '[2000-01-01,)', '[0, 1)',"
                " NULL)",
                "(2, '[2020-01-01 00:00+00, 2020-01-02 00:00+00)', '(,1999-01-01)', '[1, 2)', 'x')",
            )
        )
        conn.commit()
        with pytest.raises(SeedError) as caught:
            seed_connection(conn, schema, rows_per={"rooms": 1, "bookings": 10}, append=True)
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM rooms), (SELECT count(*) FROM bookings)"
        ).fetchone()
    assert counts == (2, 2)
    assert str(caught.value) == (
        "cannot seed bookings: exclusion constraint bookings_no_day_overlap keeps days "
        "apart (&&), and the ranges there are unbounded above (1 row) and below (1 row), "
        "so no range seed makes after or before them is apart from all; give days a value "
        "generator, e.g. under entities.Booking.columns.days: "
        'seed: {sql: "<SQL over n, the row number, giving a range apart from the rows '
        'there>"}'
    )


#: Each room's bookings apart (room_id WITH =, during WITH &&) but not all together:
#: room 1's still open (unbounded above), room 2's from ever (unbounded below) past
#: room 1's start, room 3 none; days and slots bounded and apart; a NULL guest, one twice.
ROOMS_APART = (
    ROOMS
    + "INSERT INTO rooms DEFAULT VALUES; "
    + "INSERT INTO bookings (room_id, during, days, slots, guest) VALUES "
    "(1, '[2020-01-01 00:00+00,)', '[2000-01-01, 2000-01-02)', '[0, 1)', NULL), "
    "(1, '[2019-06-01 00:00+00, 2019-07-01 00:00+00)', '[2000-01-02, 2000-01-03)', "
    "'[1, 2)', 'ann'), "
    "(2, '(,2030-01-01 00:00+00)', '[2000-01-03, 2000-01-04)', '[2, 3)', 'ann')"
)


def test_a_range_is_kept_apart_from_its_own_groups_ranges_alone(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """The ranges of during there are unbounded both ways across rooms, not within one:
    the refusal read the whole table; now each new row's range keeps off its room's."""
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(ROOMS_APART)
        conn.commit()
        seed_connection(conn, schema, rows_per={"rooms": 0, "bookings": 300}, seed=2, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT room_id) FILTER (WHERE id > 3), "
            "count(*) FILTER (WHERE EXISTS (SELECT 1 FROM bookings AS o WHERE o.id <> b.id"
            " AND (o.days && b.days OR o.slots && b.slots"
            " OR (o.room_id = b.room_id AND o.during && b.during)))) FROM bookings AS b"
        ).fetchone()
        there = conn.execute(
            "SELECT array_agg(during::text ORDER BY id) FROM bookings WHERE id <= 3"
        ).fetchone()
    assert row == (303, 3, 0)  # new rows in every room, none overlapping its room's
    assert there is not None and there[0][0] == '["2020-01-01 00:00:00+00",)'


def test_a_group_holding_ranges_unbounded_both_ways_is_refused(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(ROOMS_APART.replace("(2, '(,2030", "(1, '(,2019"))
        conn.commit()
        with pytest.raises(SeedError) as caught:
            seed_connection(conn, schema, rows_per={"rooms": 1, "bookings": 10}, append=True)
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM rooms), (SELECT count(*) FROM bookings)"
        ).fetchone()
    assert counts == (3, 3)
    assert str(caught.value).startswith(
        "cannot seed bookings: exclusion constraint bookings_no_overlap keeps during "
        "apart (&&), and the ranges there of room_id 1 are unbounded above (1 row) and "
        "below (1 row), so no range seed makes after or before them is apart from all; "
        "give during a value generator"
    )


#: The rows of bookings read since the server started (stats flushed: see _rows_read).
ROWS_READ = (
    "SELECT seq_tup_read + coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables "
    "WHERE relname = 'bookings'"
)


def _rows_read(conn: psycopg.Connection[Any]) -> int:
    """The rows of bookings read so far, this session's reads flushed to the server's
    counters first (a backend sends them once idle, at most once a second unless told)."""
    conn.execute("SELECT pg_stat_force_next_flush()")
    conn.commit()
    conn.execute("SELECT pg_stat_clear_snapshot()")
    row = conn.execute(ROWS_READ).fetchone()
    conn.commit()
    assert row is not None
    return int(row[0])


def test_a_groups_ranges_there_are_read_once_not_for_each_new_row(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """Each new row's range was moved past its room's ranges there by three sub-selects
    over the room's rows there, run for each new row: reading (new rows x rows of the
    room) rows, quadratic as the rooms fill (measured: 10,000 bookings appended to
    10,000 over 100 rooms took 59 s, against 0.4 s to seed them into the empty table).
    The rooms' bounds are now read once (excludes.group_bounds), so the rows read
    grow with the rows there plus those appended."""
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(ROOMS)
        conn.execute(  # 600 bookings there, 300 in each room, every range bounded
            "INSERT INTO bookings (room_id, during, days, slots) SELECT 1 + g % 2, "
            "tstzrange('2019-01-01 00:00+00'::timestamptz + g * interval '1 day', "
            "'2019-01-01 00:00+00'::timestamptz + g * interval '1 day' + interval '1 hour'), "
            "daterange('1990-01-01'::date + g, '1990-01-01'::date + g + 1), "
            "int4range(-1000 - g, -999 - g) FROM generate_series(1, 600) AS g"
        )
        conn.commit()
        read = _rows_read(conn)
        seed_connection(conn, schema, rows_per={"rooms": 0, "bookings": 300}, seed=2, append=True)
        read = _rows_read(conn) - read
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM bookings AS o"
            " WHERE o.id <> b.id AND o.room_id = b.room_id AND o.during && b.during))"
            " FROM bookings AS b"
        ).fetchone()
    assert row == (900, 0)
    # (measured: 277,501 rows read before, each new row reading its room's rows there
    # thrice; 8,101 now)
    assert read < 20 * 900, read
