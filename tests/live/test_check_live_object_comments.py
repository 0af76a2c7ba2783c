"""A comment on a table's index (``COMMENT ON INDEX``) or constraint (``COMMENT ON
CONSTRAINT ... ON table``) is drift: the language declares neither (an index's
``description`` is for the docs alone, no migration makes it a comment), so each made
by hand is reported as an extra with the statement that removes it, its names quoted
and qualified so that it runs as printed. A key's, unique's or exclusion constraint's
index holds a comment apart from its constraint's: each is reported once, under its
own statement. Before, check read neither and passed."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from live_check import hint_statement, run_as_printed
from migration_harness import by_hand, json_findings, migrated_database
from pgcluster import PgCluster
from schemagen.cli import main as schemagen_main

SCHEMA = """
database:
  name: objcom
  extensions: [btree_gist]
entities:
  Room:
    schema: billing
    table: RoomStock
    columns:
      id: {type: bigint, primary_key: true}
      code: {type: string, length: 12}
      floor: {type: integer, nullable: true}
    unique:
      uq_room_code: [code]
    indexes:
      Floor_Idx: {columns: [floor], description: Rooms by floor (docs only).}
  Booking:
    columns:
      id: {type: bigint, primary_key: true}
      room_id: {references: Room}
      during: {type: tstzrange}
      qty: {type: integer}
    checks:
      Qty_Positive: "qty > 0"
    exclude:
      bookings_no_overlap:
        elements:
          - {column: room_id, with: "="}
          - {column: during, with: "&&"}
    indexes:
      idx_bookings_qty: {columns: [qty], description: For the reports.}
"""

#: skewed floors with NULLs, repeated codes' prefixes, bookings mostly in one room
ROWS = """
INSERT INTO billing."RoomStock" SELECT g, 'r' || g, CASE WHEN g % 4 = 0 THEN NULL
  ELSE g % 3 END FROM generate_series(1, 200) g;
INSERT INTO bookings SELECT g, CASE WHEN g % 5 = 0 THEN 1 + g % 200 ELSE 1 END,
  tstzrange(timestamptz '2026-01-01 00:00+00' + g * interval '1 hour',
            timestamptz '2026-01-01 00:00+00' + (g + 1) * interval '1 hour'),
  1 + g % 3 FROM generate_series(1, 1500) g;
"""
COUNTS = (
    'SELECT (SELECT count(*) FROM billing."RoomStock"), (SELECT count(floor) FROM '
    'billing."RoomStock"), (SELECT count(*) FROM bookings)'
)
EXTRA = "in the database but not in the schema: "
INDEX = "the schema describes no index in the database (a description is for the docs): "
CONSTRAINT = "the schema describes no constraint: "

#: each comment made by hand, and the finding it makes: (object, message, hint)
BY_HAND = {
    "COMMENT ON INDEX billing.\"Floor_Idx\" IS 'it''s by floor'": (
        "comment on index Floor_Idx on billing.RoomStock",
        EXTRA + "'it''s by floor'",
        INDEX + '`COMMENT ON INDEX billing."Floor_Idx" IS NULL`',
    ),
    "COMMENT ON INDEX idx_bookings_qty IS 'For the reports.'": (
        "comment on index idx_bookings_qty on bookings",
        EXTRA + "'For the reports.'",
        INDEX + "`COMMENT ON INDEX public.idx_bookings_qty IS NULL`",
    ),
    # a key: its constraint's comment and its index's, apart
    'COMMENT ON CONSTRAINT "pk_RoomStock" ON billing."RoomStock" IS \'the key\'': (
        "comment on constraint pk_RoomStock on billing.RoomStock",
        EXTRA + "'the key'",
        CONSTRAINT + '`COMMENT ON CONSTRAINT "pk_RoomStock" ON billing."RoomStock" IS NULL`',
    ),
    "COMMENT ON INDEX billing.\"pk_RoomStock\" IS 'the key''s index'": (
        "comment on index pk_RoomStock on billing.RoomStock",
        EXTRA + "'the key''s index'",
        INDEX + '`COMMENT ON INDEX billing."pk_RoomStock" IS NULL`',
    ),
    # a unique constraint's index alone
    "COMMENT ON INDEX billing.uq_room_code IS 'codes'": (
        "comment on index uq_room_code on billing.RoomStock",
        EXTRA + "'codes'",
        INDEX + "`COMMENT ON INDEX billing.uq_room_code IS NULL`",
    ),
    "COMMENT ON CONSTRAINT \"Qty_Positive\" ON bookings IS 'positive'": (
        "comment on constraint Qty_Positive on bookings",
        EXTRA + "'positive'",
        CONSTRAINT + '`COMMENT ON CONSTRAINT "Qty_Positive" ON public.bookings IS NULL`',
    ),
    "COMMENT ON CONSTRAINT \"fk_bookings_room_id_RoomStock\" ON bookings IS 'to rooms'": (
        "comment on constraint fk_bookings_room_id_RoomStock on bookings",
        EXTRA + "'to rooms'",
        CONSTRAINT
        + '`COMMENT ON CONSTRAINT "fk_bookings_room_id_RoomStock" ON public.bookings IS NULL`',
    ),
    "COMMENT ON CONSTRAINT bookings_no_overlap ON bookings IS 'one at a time'": (
        "comment on constraint bookings_no_overlap on bookings",
        EXTRA + "'one at a time'",
        CONSTRAINT + "`COMMENT ON CONSTRAINT bookings_no_overlap ON public.bookings IS NULL`",
    ),
}


def test_comments_on_indexes_and_constraints_are_drift(pg: PgCluster, tmp_path: Path) -> None:
    """At head (indexes with a description): clean. A comment on each kind of
    constraint, on a plain index and on a constraint's index: exactly those reported,
    text and JSON, exit 1; each hint run as printed: clean again, the rows untouched."""
    root, name = migrated_database(pg, tmp_path, "objcom", SCHEMA, ROWS)
    url = pg.url(name)
    assert json_findings(root, url) == []
    counts = pg.sql(COUNTS, name).strip()
    by_hand(pg, name, BY_HAND)
    findings = json_findings(root, url)
    assert sorted((f["object"], f["message"], f["hint"]) for f in findings) == sorted(
        BY_HAND.values()
    ), findings
    result = CliRunner().invoke(
        schemagen_main, ["check", "--project", str(root), "--database", url]
    )
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    for finding in findings:  # the text report prints each, and it runs as printed
        assert f"  -> {finding['hint']}" in lines, result.output
        run_as_printed(pg, name, hint_statement(finding["hint"]))
    assert json_findings(root, url) == []
    assert pg.sql(COUNTS, name).strip() == counts
