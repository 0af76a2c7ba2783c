"""``schemagen import`` of a column's statistics target and storage: ``SET STATISTICS``
and ``SET STORAGE`` are written as ``statistics:`` and ``storage:`` where they were
listed as not expressible (the forge twin's notes.note and notes.st_diff among
them), so an adopted database checks clean and a fresh copy dumps exactly like it.
Only what the language cannot hold stays listed: a partitioned table's statistics
target (its partitions made later lack it) and a partition's own storage. A column
typed by a domain has its base type's own storage, so its storage is written too."""

from __future__ import annotations

from pathlib import Path

from adopt_harness import (
    new_project,
    not_expressible,
    round_trip,
    source_database,
    written_schema,
)
from migration_harness import schemagen
from pgcluster import PgCluster

SOURCE = """
CREATE TABLE notes (id bigint PRIMARY KEY, note text, st_diff text, n integer,
                    price numeric(10,2), tags text[]);
ALTER TABLE notes ALTER COLUMN note SET STATISTICS 1000,
                  ALTER COLUMN st_diff SET STORAGE EXTERNAL,
                  ALTER COLUMN n SET STATISTICS 0,
                  ALTER COLUMN price SET STORAGE EXTENDED,
                  ALTER COLUMN tags SET STORAGE MAIN, ALTER COLUMN tags SET STATISTICS 50;
CREATE TABLE payments (id bigint, paid_on date, memo text, PRIMARY KEY (id, paid_on))
  PARTITION BY RANGE (paid_on);
ALTER TABLE payments ALTER COLUMN memo SET STORAGE EXTERNAL;
CREATE TABLE payments_2024 PARTITION OF payments
  FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO notes VALUES (1, 'a', repeat('d', 5000), 1, 1.5, '{a}'),
  (2, 'a', NULL, NULL, NULL, NULL);
INSERT INTO payments VALUES (1, '2024-02-01', 'm'), (2, '2024-02-01', NULL);
"""


def test_column_settings_are_written_and_round_trip(pg: PgCluster, tmp_path: Path) -> None:
    with source_database(pg, "colsettings", SOURCE) as source:
        root = round_trip(pg, source, tmp_path / "p", "column settings")
        written = written_schema(root)
        for said in (
            "      note: {type: text, nullable: true, statistics: 1000}\n",
            "      st_diff: {type: text, nullable: true, storage: external}\n",
            "      n: {type: integer, nullable: true, statistics: 0}\n",
            "storage: extended}\n",
            "      memo: {type: text, nullable: true, storage: external}\n",
        ):
            assert said in written, said
        pg.sql("ALTER TABLE notes ALTER COLUMN note SET STATISTICS -1", source)
        out = schemagen(root, "check", "--no-cache", "--database", pg.url(source), expect_exit=1)
        assert "column notes.note: statistics target is the default in the database" in out


def test_settings_the_language_cannot_hold_are_listed(pg: PgCluster, tmp_path: Path) -> None:
    sql = (
        "CREATE TABLE payments (id bigint, paid_on date, memo text,"
        " PRIMARY KEY (id, paid_on)) PARTITION BY RANGE (paid_on);"
        "CREATE TABLE payments_2024 PARTITION OF payments"
        " FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');"
        "ALTER TABLE payments ALTER COLUMN memo SET STATISTICS 300;"
        "ALTER TABLE payments_2024 ALTER COLUMN memo SET STORAGE MAIN;"
        "INSERT INTO payments VALUES (1, '2024-02-01', 'm'), (2, '2024-02-01', 'm')"
    )
    with source_database(pg, "colsettings_apart", sql) as source:
        out = schemagen(new_project(tmp_path / "p"), "import", "--database", pg.url(source),
                        expect_exit=1)  # fmt: skip
    assert not_expressible(out) == [
        "not expressible: options of column payments.memo: SET STATISTICS 300",
        "not expressible: options of column payments_2024.memo: SET STATISTICS 300, SET "
        "STORAGE MAIN, on partition payments_2024 of payments (the language says a column's "
        "settings of a table, not of its partitions)",
    ]


DOMAINS = """
CREATE DOMAIN body AS text;
CREATE DOMAIN amount AS numeric(12,2) CHECK (VALUE >= 0);
CREATE TABLE posts (id bigint PRIMARY KEY, content body, total amount, tags body[],
                    plain body);
ALTER TABLE posts ALTER COLUMN content SET STORAGE EXTERNAL,
                  ALTER COLUMN total SET STORAGE EXTENDED,
                  ALTER COLUMN tags SET STORAGE MAIN;
INSERT INTO posts VALUES (1, repeat('b', 5000), 1.50, '{a,b}', 'p'),
  (2, NULL, NULL, NULL, NULL), (3, 'b', 1.50, '{a,b}', 'p');
"""


def test_storage_of_a_domain_typed_column_is_written(pg: PgCluster, tmp_path: Path) -> None:
    """A domain's column takes its base type's storage (text: extended, numeric: main),
    as validate reads it; import listed it as not expressible before."""
    with source_database(pg, "colsettings_domains", DOMAINS) as source:
        root = round_trip(pg, source, tmp_path / "p", "domain column storage")
        written = written_schema(root)
        for said in (
            "      content: {type: body, nullable: true, storage: external}\n",
            "      total: {type: amount, nullable: true, storage: extended}\n",
            "      tags: {type: array, of: body, nullable: true, storage: main}\n",
            "      plain: {type: body, nullable: true}\n",
        ):
            assert said in written, said
        pg.sql("ALTER TABLE posts ALTER COLUMN content SET STORAGE EXTENDED", source)
        out = schemagen(root, "check", "--no-cache", "--database", pg.url(source), expect_exit=1)
        assert "column posts.content: storage is the type's own in the database, external" in out
