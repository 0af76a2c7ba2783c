"""``schemagen import`` of a database whose indexes and constraints carry comments
(``COMMENT ON INDEX``, ``COMMENT ON CONSTRAINT``): the language declares neither, so
each is listed as not expressible and nothing is written, as ``check --database``
reports each as drift (tests/live/test_check_live_object_comments.py)."""

from __future__ import annotations

from pathlib import Path

from adopt_harness import new_project, not_expressible, source_database
from migration_harness import schemagen
from pgcluster import PgCluster

#: rooms and bookings, rows with NULLs and skew; a comment on each kind of constraint,
#: on a plain index, and on a key's index apart from its constraint's
SOURCE = """
CREATE EXTENSION btree_gist;
CREATE TABLE "RoomStock" (
    id bigint PRIMARY KEY,
    code varchar(12) NOT NULL CONSTRAINT uq_room_code UNIQUE,
    floor integer
);
CREATE INDEX "Floor_Idx" ON "RoomStock" (floor);
CREATE TABLE bookings (
    id bigint PRIMARY KEY,
    room_id bigint NOT NULL CONSTRAINT fk_bookings_room REFERENCES "RoomStock" (id),
    during tstzrange NOT NULL,
    qty integer NOT NULL CONSTRAINT "Qty_Positive" CHECK (qty > 0),
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room_id WITH =, during WITH &&)
);
INSERT INTO "RoomStock" SELECT g, 'r' || g, CASE WHEN g % 4 = 0 THEN NULL ELSE g % 3 END
FROM generate_series(1, 200) g;
INSERT INTO bookings SELECT g, CASE WHEN g % 5 = 0 THEN 1 + g % 200 ELSE 1 END,
  tstzrange(timestamptz '2026-01-01 00:00+00' + g * interval '1 hour',
            timestamptz '2026-01-01 00:00+00' + (g + 1) * interval '1 hour'),
  1 + g % 3 FROM generate_series(1, 1500) g;
COMMENT ON INDEX "Floor_Idx" IS 'by floor';
COMMENT ON CONSTRAINT "RoomStock_pkey" ON "RoomStock" IS 'the key';
COMMENT ON INDEX "RoomStock_pkey" IS 'the key''s index';
COMMENT ON INDEX uq_room_code IS 'codes';
COMMENT ON CONSTRAINT "Qty_Positive" ON bookings IS 'positive';
COMMENT ON CONSTRAINT fk_bookings_room ON bookings IS 'to rooms';
COMMENT ON CONSTRAINT bookings_no_overlap ON bookings IS 'one at a time';
"""

OWNED = "left out (a constraint's index: the language describes none)"


def test_comments_on_indexes_and_constraints_are_listed(pg: PgCluster, tmp_path: Path) -> None:
    """Each comment listed once, a key's and a unique's index's apart from their
    constraints' (before, those two were not listed), and nothing written."""
    with source_database(pg, "objcom", SOURCE) as source:
        root = new_project(tmp_path / "p")
        out = schemagen(root, "import", "--database", pg.url(source), expect_exit=1)
        assert sorted(not_expressible(out)) == sorted(
            [
                "not expressible: comment on index Floor_Idx on RoomStock: left out (index "
                "descriptions are docs)",
                "not expressible: comment on constraint RoomStock_pkey on RoomStock: left out",
                "not expressible: comment on index RoomStock_pkey on RoomStock: " + OWNED,
                "not expressible: comment on index uq_room_code on RoomStock: " + OWNED,
                "not expressible: comment on constraint Qty_Positive on bookings: left out",
                "not expressible: comment on constraint fk_bookings_room on bookings: left out",
                "not expressible: comment on constraint bookings_no_overlap on bookings: left out",
            ]
        ), out
        assert not list((root / "schema").rglob("*.yaml"))
