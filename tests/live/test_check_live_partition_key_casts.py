"""check --database and a partition key written by hand with an IN list over a
varchar column, as the language takes it (``{expression: "status IN ('held',
'paid')"}``): PostgreSQL prints it back as ``((status)::text = ANY
((ARRAY['held'::character varying, ...])::text[]))``, which model.inlists reads as
``x IN (...)`` with the casts still in it, so a database its own migration made was
reported as partitioned by another key. The key is compared as other expressions
are when the server does not print ours: up to casts, parentheses and case (strings
keep theirs); a key changed by hand (other values, another column) is still drift."""

from __future__ import annotations

from pathlib import Path

from migration_harness import live_findings, migrated_database
from pgcluster import PgCluster
from schemagen.live.partition_trees import same_partition_keys

BOOKINGS = """
database: {name: t}
entities:
  Booking:
    primary_key: false
    columns:
      id: {type: integer}
      status: {type: string, length: 20, nullable: true}
      kind: {type: string, length: 10, nullable: true}
      night: {type: integer}
    partition_by: {list: [{expression: "status IN ('held', 'paid')"}]}
    partitions:
      bookings_live: {in: [true]}
      bookings_rest: {default: true}
  Stay:
    primary_key: false
    columns:
      id: {type: integer}
      kind: {type: string, length: 10, nullable: true}
      night: {type: integer}
    partition_by:
      range: [{expression: "CASE WHEN kind NOT IN ('void', 'gone') THEN night END"}, id]
    partitions:
      stays_all: {default: true}
"""

ROWS = """
INSERT INTO bookings VALUES (1, 'held', 'a', 1), (2, 'gone', NULL, 1), (3, NULL, NULL, 2),
  (1, 'held', 'a', 1), (4, 'paid', 'b', 3);
INSERT INTO stays VALUES (1, 'void', 3), (2, NULL, 3), (3, 'ok', 3), (3, 'ok', 3);
"""

REMADE = (
    "DROP TABLE bookings; CREATE TABLE bookings (id integer NOT NULL, "
    "status varchar(20), kind varchar(10), night integer NOT NULL) PARTITION BY LIST "
    "(({key})); CREATE TABLE bookings_live PARTITION OF bookings FOR VALUES IN (true); "
    "CREATE TABLE bookings_rest PARTITION OF bookings DEFAULT; "
    "INSERT INTO bookings VALUES (1, 'held', 'a', 1), (3, NULL, NULL, 2), (1, 'held', 'a', 1)"
)


def test_in_list_partition_keys_written_by_hand(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    root, database = migrated_database(pg, tmp_path, "key_casts", BOOKINGS, ROWS)
    url = pg.url(database)
    try:
        printed = pg.sql("SELECT pg_get_partkeydef('bookings'::regclass)", database)
        assert "::character varying" in printed and "ANY" in printed, printed
        assert live_findings(root, url) == []
        for key in (
            "status IN ('held', 'gone')",  # other values in the list
            "status IN ('held', 'paid', 'void')",  # one more
            "status IN ('Held', 'paid')",  # a string's case is its own
            "kind IN ('held', 'paid')",  # another column
            "status NOT IN ('held', 'paid')",  # the other way round
        ):
            pg.sql(REMADE.format(key=key), database)
            findings = live_findings(root, url)
            assert len(findings) == 1, (key, findings)
            assert findings[0].startswith("table bookings: partitioned by LIST"), findings
            assert findings[0].endswith("by LIST ((status IN ('held', 'paid'))) in the schema"), (
                findings
            )
        pg.sql(REMADE.format(key="status IN ('held', 'paid')"), database)
        assert live_findings(root, url) == []
        pg.sql(
            "DROP TABLE stays; CREATE TABLE stays (id integer NOT NULL, kind varchar(10), "
            "night integer NOT NULL) PARTITION BY RANGE ((CASE WHEN kind NOT IN ('void') "
            "THEN night END), id); CREATE TABLE stays_all PARTITION OF stays DEFAULT; "
            "INSERT INTO stays VALUES (1, 'void', 3), (2, NULL, 3), (2, NULL, 3)",
            database,
        )
        findings = live_findings(root, url)
        assert len(findings) == 1 and findings[0].startswith("table stays: partitioned by")
    finally:
        pg.drop_database(database)


def test_a_column_is_not_an_expression_over_it() -> None:
    """Casts are ignored, but not what a key's element is: a date expression over a
    timestamp column is another key than the column, though both read ``paid_at``
    without their casts."""
    assert not same_partition_keys("RANGE ((paid_at::date))", "RANGE (paid_at)")
    assert not same_partition_keys("RANGE (paid_at)", "RANGE (((paid_at)::date))")
    assert not same_partition_keys("RANGE ((paid_at::date), id)", "RANGE (((paid_at)::date))")
    assert not same_partition_keys(
        "LIST ((status IN ('held')))", "HASH (((status)::text IN ('held'::character varying)))"
    )
    assert same_partition_keys("RANGE ((paid_at::date), id)", "RANGE (((paid_at)::date), id)")


LABELS = """
database: {name: t}
entities:
  Label:
    primary_key: false
    columns:
      id: {type: integer}
      code: {type: text, nullable: true}
    partition_by: {list: [{expression: "code = 'A'::text"}]}
    partitions:
      labels_a: {in: [true]}
      labels_rest: {default: true}
"""

LABEL_ROWS = "INSERT INTO labels VALUES (1, 'A'), (2, 'a'), (3, NULL), (1, 'A'), (4, NULL)"

LABELS_REMADE = (
    "DROP TABLE labels; CREATE TABLE labels (id integer NOT NULL, code text) "
    "PARTITION BY LIST (({key})); "
    "CREATE TABLE labels_a PARTITION OF labels FOR VALUES IN (true); "
    "CREATE TABLE labels_rest PARTITION OF labels DEFAULT; "
    "INSERT INTO labels VALUES (1, 'A'), (2, 'a'), (3, NULL), (1, 'A')"
)


def test_a_key_s_string_keeps_its_case(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    """The exact comparison, tried first, kept no case at all: a key on a text column
    remade by hand with 'a' where the schema says 'A' printed as the declared one up
    to case, and passed."""
    root, database = migrated_database(pg, tmp_path, "key_case", LABELS, LABEL_ROWS)
    url = pg.url(database)
    try:
        assert live_findings(root, url) == []
        pg.sql(LABELS_REMADE.format(key="code = 'a'::text"), database)
        findings = live_findings(root, url)
        assert findings == [
            "table labels: partitioned by LIST (((code = 'a'::text))) in the database, "
            "by LIST ((code = 'A'::text)) in the schema"
        ], findings
        pg.sql(LABELS_REMADE.format(key="code = 'A'::text"), database)
        assert live_findings(root, url) == []
    finally:
        pg.drop_database(database)
