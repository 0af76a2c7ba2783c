"""``schemagen import`` writes the IN lists of an exclusion constraint's WHERE and
elements, and of an index's expression keys, as ``x IN (...)`` (as eb544c2 and its
followers did for checks, predicates, views, generated columns and triggers).
PostgreSQL prints ``status IN ('held', 'paid')`` over a varchar column as
``status::text = ANY (ARRAY['held'::character varying, ...]::text[])``, which reads
back as another expression (the cast pushed into the elements): imported as
printed, the migrated copy dumped differently and ``check --database`` against
the database it came from reported the constraint and both indexes changed."""

from __future__ import annotations

from pathlib import Path

import yaml
from adopt_harness import round_trip
from pgcluster import PgCluster

SOURCE_SQL = """
CREATE TABLE bookings (
  id integer PRIMARY KEY,
  room integer NOT NULL,
  status varchar(20),
  during tstzrange NOT NULL,
  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (during WITH &&)
    WHERE (status IN ('held', 'paid') AND room > 0),
  CONSTRAINT bookings_live_overlap EXCLUDE USING gist (
    (CASE WHEN status NOT IN ('gone', 'void') THEN during END) WITH &&
  ) WHERE (room < 0)
);
CREATE INDEX bookings_live ON bookings ((status IN ('held', 'paid')), room);
CREATE INDEX bookings_case ON bookings ((CASE WHEN status IN ('held', 'paid') THEN room END));
INSERT INTO bookings VALUES
  (1, 1, 'held', '[2026-01-01,2026-01-02)'), (2, 1, 'gone', '[2026-01-01,2026-01-02)'),
  (3, 1, NULL, '[2026-01-01,2026-01-02)'), (4, -1, 'gone', '[2026-01-01,2026-01-02)'),
  (5, -1, 'paid', '[2026-02-01,2026-02-02)');
"""


def test_in_lists_of_exclusion_constraints_and_index_keys(pg: PgCluster, tmp_path: Path) -> None:
    source = pg.create_database("in_list_keys")
    try:
        pg.sql(SOURCE_SQL, source)
        # imported, checked clean against the source, a fresh copy dumps exactly like it
        root = round_trip(pg, source, tmp_path / "adopted", "IN lists in keys")
        entity = yaml.safe_load((root / "schema" / "bookings.yaml").read_text())
        booking = entity["entities"]["Booking"]
        excludes = booking["exclude"]
        assert excludes["bookings_no_overlap"]["where"] == (
            "(status IN ('held'::character varying, 'paid'::character varying)) AND room > 0"
        ), excludes
        element = excludes["bookings_live_overlap"]["elements"][0]["expression"]
        assert "NOT IN ('gone'::character varying, 'void'::character varying)" in element, excludes
        indexes = booking["indexes"]
        assert indexes["bookings_live"]["columns"][0] == {
            "expression": "(status IN ('held'::character varying, 'paid'::character varying))"
        }, indexes
        assert "IN ('held'::character varying, 'paid'::character varying)" in (
            indexes["bookings_case"]["columns"][0]["expression"]
        ), indexes
    finally:
        pg.drop_database(source)
