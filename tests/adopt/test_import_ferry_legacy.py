"""``schemagen import`` of what the language cannot say, as a dump of an older
PostgreSQL leaves a database (``tests/fixtures/ferry/ferry_legacy.sql``, our own
DDL, a twin of how PostgreSQL's airline demo database ships): each such object is
listed and nothing is written without ``--allow-partial``; what is written with it
claims nothing the database does not hold. A view's column comments were left out
without a word (a view column's ``description`` is for the docs only), and a lone
integer key whose serial was left out became an identity column."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
from adopt_harness import new_project, stamp
from migration_harness import alembic, schemagen
from pgcluster import PgCluster

LEGACY = Path(__file__).resolve().parents[1] / "fixtures" / "ferry" / "ferry_legacy.sql"

ROWS = """
INSERT INTO ferries.ports VALUES ('BGO', 'Bergen'), ('HIR', 'Hirtshals'), ('STV', 'Stavanger');
INSERT INTO ferries.crossings (from_port, to_port, minutes) VALUES
  ('BGO', 'HIR', 960), ('BGO', 'STV', NULL), ('HIR', 'BGO', 960);
"""

_IDENTITY = """
SELECT attidentity, pg_get_expr(d.adbin, d.adrelid)
FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = 'ferries.crossings'::regclass AND a.attname = 'crossing_id'
"""


def test_legacy_view_column_comments_and_serial_are_listed(pg: PgCluster, tmp_path: Path) -> None:
    source, fresh = pg.create_database("legacy"), pg.create_database("legacy_fresh")
    url = pg.url(source)
    try:
        subprocess.run(
            [pg.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", source,
             "-f", str(LEGACY), "-c", ROWS],
            env=pg.env(), check=True, capture_output=True, text=True,
        )  # fmt: skip
        root = new_project(tmp_path / "adopted")
        out = schemagen(root, "import", "--schema=ferries", "--database", url, expect_exit=1)
        assert not list((root / "schema").glob("*.yaml"))
        listed = sorted(line for line in out.splitlines() if line.startswith("not expressible"))
        assert listed == [
            "not expressible: comment on view column ferries.crossings_v.from_name",
            "not expressible: comment on view column ferries.crossings_v.minutes",
            "not expressible: serial column ferries.crossings.crossing_id: not as serial makes it "
            "(a sequence of another name, type or options, or NULLs)",
        ], out
        schemagen(root, "import", "--schema=ferries", "--allow-partial", "--database", url)
        text = (root / "schema" / "ports.yaml").read_text()
        assert "crossing_id: {type: integer, primary_key: true, identity: false}" in text
        schemagen(root, "build")
        schemagen(root, "migrate", "-m", "initial")
        alembic(root, pg.url(fresh), "upgrade", "head")
        with psycopg.connect(pg.libpq_url(fresh)) as conn:
            # a plain integer key, as the source's is: no identity claimed
            assert conn.execute(_IDENTITY).fetchone() == ("", None)
        stamp(root, url)
        out = schemagen(root, "check", "--no-cache", "--database", url, expect_exit=1)
        findings = [line.strip() for line in out.splitlines() if line.startswith("  ")]
        # only what import listed: the serial's default (and its sequence, not standalone)
        assert findings[:-1] == [
            "column ferries.crossings.crossing_id: default is "
            "nextval('ferries.crossings_crossing_id_seq'::regclass) in the database, "
            "none in the schema",
        ], out
        with psycopg.connect(pg.libpq_url(source)) as conn:
            count = conn.execute("SELECT count(*), count(minutes) FROM ferries.crossings")
            assert count.fetchone() == (3, 2)
    finally:
        pg.drop_database(source)
        pg.drop_database(fresh)


def test_import_of_public_names_the_schemas_it_did_not_read(pg: PgCluster, tmp_path: Path) -> None:
    """The airline demo keeps its tables in a schema of its own, as the ferry twin
    does: ``schemagen import`` reads public unless told, and wrote an empty project
    (0 entities, exit 0) without a word of the tables it left. It now names each
    schema holding tables that it did not read, and the option that reads it."""
    source = pg.create_database("legacy_public")
    try:
        subprocess.run(
            [pg.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", source,
             "-f", str(LEGACY), "-c", ROWS, "-c", "CREATE SCHEMA empty"],
            env=pg.env(), check=True, capture_output=True, text=True,
        )  # fmt: skip
        root = new_project(tmp_path / "adopted")
        out = schemagen(root, "import", "--database", pg.url(source))
        assert out.splitlines()[-3:] == [
            "note: schema ferries holds 2 tables, not read (import with --schema ferries)",
            "imported 0 entities and 0 enums into schema/",
            "next: schemagen build && schemagen migrate -m baseline",
        ], out
        out = schemagen(
            root, "import", "--force", "--allow-partial", "--schema=ferries", "--schema=public",
            "--database", pg.url(source),
        )  # fmt: skip
        assert "note:" not in out and "imported 2 entities" in out, out
    finally:
        pg.drop_database(source)
