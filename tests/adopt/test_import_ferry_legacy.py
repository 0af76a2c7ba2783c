"""``schemagen import`` of a database restored from a dump of an older PostgreSQL
(``tests/fixtures/ferry/ferry_legacy.sql``, our own DDL, a twin of how PostgreSQL's
airline demo database ships). Its serial key's sequence was made before sequences
had a type (``CREATE SEQUENCE`` without ``AS``: bigint) and is owned by an integer
column: import says so (``type: serial`` with ``sequence: {type: bigint}``) and the
adopted project makes the same sequence. A view's column comments cannot be said
(a view column's ``description`` is for the docs only): they are listed and
nothing is written without ``--allow-partial``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
from adopt_harness import new_project, not_expressible, round_trip, stamp
from migration_harness import alembic, schemagen
from pgcluster import PgCluster

LEGACY = Path(__file__).resolve().parents[1] / "fixtures" / "ferry" / "ferry_legacy.sql"

ROWS = """
INSERT INTO ferries.ports VALUES ('BGO', 'Bergen'), ('HIR', 'Hirtshals'), ('STV', 'Stavanger');
INSERT INTO ferries.crossings (from_port, to_port, minutes) VALUES
  ('BGO', 'HIR', 960), ('BGO', 'STV', NULL), ('HIR', 'BGO', 960);
"""

_SEQUENCE = """
SELECT s.seqtypid::regtype::text, d.refobjid::regclass::text || '.' || a.attname,
       pg_get_expr(f.adbin, f.adrelid), c.attidentity
FROM pg_sequence s
JOIN pg_depend d ON d.objid = s.seqrelid AND d.deptype = 'a' AND d.refobjsubid > 0
JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
JOIN pg_attribute c ON c.attrelid = 'ferries.crossings'::regclass AND c.attname = 'crossing_id'
JOIN pg_attrdef f ON f.adrelid = c.attrelid AND f.adnum = c.attnum
WHERE s.seqrelid = 'ferries.crossings_crossing_id_seq'::regclass
"""

_LEGACY_SERIAL = (
    "bigint",
    "ferries.crossings.crossing_id",
    "nextval('ferries.crossings_crossing_id_seq'::regclass)",
    "",
)

_NEW_ROW = (
    "INSERT INTO ferries.crossings (from_port, to_port) VALUES ('STV', 'BGO') "
    "RETURNING crossing_id"
)


_VIEW_COMMENTS = [
    "comment on view column ferries.crossings_v.from_name: in the database but not in the "
    "schema",
    "comment on view column ferries.crossings_v.minutes: in the database but not in the schema",
]


def _findings(root: Path, url: str) -> list[str]:
    out = schemagen(root, "check", "--no-cache", "--database", url, expect_exit=1)
    return [
        line.strip() for line in out.splitlines()
        if line.startswith("  ") and not line.startswith("  ->")
    ]


def _load(pg: PgCluster, dbname: str, *sql: str) -> None:
    commands = [arg for statement in (ROWS, *sql) for arg in ("-c", statement)]
    subprocess.run(
        [pg.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dbname, "-f", str(LEGACY),
         *commands],
        env=pg.env(), check=True, capture_output=True, text=True,
    )  # fmt: skip


def test_legacy_serial_is_imported_and_view_column_comments_listed(
    pg: PgCluster, tmp_path: Path
) -> None:
    source, fresh = pg.create_database("legacy"), pg.create_database("legacy_fresh")
    url = pg.url(source)
    try:
        _load(pg, source)
        root = new_project(tmp_path / "adopted")
        out = schemagen(root, "import", "--schema=ferries", "--database", url, expect_exit=1)
        assert not list((root / "schema").glob("*.yaml"))
        listed = sorted(not_expressible(out))
        assert listed == [
            "not expressible: comment on view column ferries.crossings_v.from_name",
            "not expressible: comment on view column ferries.crossings_v.minutes",
        ], out
        schemagen(root, "import", "--schema=ferries", "--allow-partial", "--database", url)
        text = (root / "schema" / "ports.yaml").read_text()
        assert (
            "crossing_id: {type: serial, primary_key: true, sequence: {type: bigint}}" in text
        ), text
        schemagen(root, "build")
        schemagen(root, "migrate", "-m", "initial")
        alembic(root, pg.url(fresh), "upgrade", "head")
        with psycopg.connect(pg.libpq_url(fresh)) as conn:
            # the same sequence (bigint, OWNED BY the integer key), no identity claimed
            assert conn.execute(_SEQUENCE).fetchone() == _LEGACY_SERIAL
            assert conn.execute(ROWS).rowcount == 3
            assert conn.execute(_NEW_ROW).fetchone() == (4,)
        stamp(root, url)
        # only what import listed: nothing of the serial key
        assert _findings(root, url) == _VIEW_COMMENTS
        with psycopg.connect(pg.libpq_url(source), autocommit=True) as conn:
            assert conn.execute(_NEW_ROW).fetchone() == (4,)
            count = conn.execute("SELECT count(*), count(minutes) FROM ferries.crossings")
            assert count.fetchone() == (4, 2)
            # a real drift is still seen: the sequence made an integer one by hand
            conn.execute("ALTER SEQUENCE ferries.crossings_crossing_id_seq AS integer")
        assert _findings(root, url) == [
            "sequence ferries.crossings_crossing_id_seq: differs: type integer (schema: bigint), "
            "max 2147483647 (schema: 9223372036854775807)",
            *_VIEW_COMMENTS,
        ]
        with psycopg.connect(pg.libpq_url(source), autocommit=True) as conn:
            conn.execute("ALTER SEQUENCE ferries.crossings_crossing_id_seq AS bigint")
            # its OWNED BY taken away by hand is drift too; a table added by hand with a
            # serial key is reported as the table, its sequence not again
            conn.execute("ALTER SEQUENCE ferries.crossings_crossing_id_seq OWNED BY NONE")
            conn.execute("CREATE TABLE ferries.extra (id serial PRIMARY KEY)")
        assert sorted(_findings(root, url)) == sorted([
            "sequence ferries.crossings_crossing_id_seq: owned by no column in the database, "
            "ferries.crossings.crossing_id in the schema",
            "table ferries.extra: in the database but not in the schema",
            *_VIEW_COMMENTS,
        ])
    finally:
        pg.drop_database(source)
        pg.drop_database(fresh)


def test_legacy_serial_round_trip(pg: PgCluster, tmp_path: Path) -> None:
    """Without the view (whose column comments cannot be said): imported, checked
    clean against the source holding rows, and a fresh copy dumps exactly like it."""
    source = pg.create_database("legacy_trip")
    try:
        _load(pg, source, "DROP VIEW ferries.crossings_v")
        round_trip(pg, source, tmp_path / "adopted", "legacy serial", ("ferries",))
    finally:
        pg.drop_database(source)


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
