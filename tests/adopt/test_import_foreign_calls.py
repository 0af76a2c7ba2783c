"""``schemagen import`` lists what calls a function the adopted project will not make:
one of a schema not read (``util.slugify(title)`` in an index, with ``--schema public``
alone), or of an extension made in another schema (Supabase's
``extensions.uuid_generate_v4()``; the language makes an extension in the default
schema). Before, import wrote each as it was and exited 0: the index, default, check,
generated column, view, domain, trigger WHEN and partition key named a function that
no revision makes, and a fresh ``alembic upgrade head`` of the project failed at the
first of them (schema "util" does not exist). Read with ``--schema util`` too, the
same database adopts exactly."""

from __future__ import annotations

from pathlib import Path

from adopt_harness import new_project, not_expressible, round_trip, source_database
from migration_harness import schemagen
from pgcluster import PgCluster

#: films by range of id (a partition's copy of films_slug calls slugify too, and is
#: not listed: the table's index is), 600 rows with repeated titles and NULL notes.
SOURCE = """
CREATE SCHEMA util;
CREATE FUNCTION util.slugify(title text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT lower(regexp_replace(title, '[^A-Za-z0-9]+', '-', 'g')) $$;
CREATE FUNCTION util.is_ok(n integer) RETURNS boolean LANGUAGE sql IMMUTABLE
AS $$ SELECT n > 0 $$;
CREATE FUNCTION util.next_rank() RETURNS integer LANGUAGE plpgsql
AS $$ BEGIN RETURN 1; END $$;
CREATE FUNCTION util.bucket(n integer) RETURNS integer LANGUAGE sql IMMUTABLE
AS $$ SELECT n % 2 $$;
CREATE DOMAIN rank AS integer DEFAULT util.next_rank() CHECK (util.is_ok(VALUE));
CREATE TABLE films (
    id integer NOT NULL,
    title text NOT NULL,
    slug text GENERATED ALWAYS AS (util.slugify(title)) STORED,
    stars integer NOT NULL DEFAULT util.next_rank(),
    position rank,
    note text,
    CONSTRAINT films_pkey PRIMARY KEY (id),
    CONSTRAINT films_stars_ok CHECK (util.is_ok(stars))
) PARTITION BY RANGE (id);
CREATE TABLE films_low PARTITION OF films FOR VALUES FROM (MINVALUE) TO (300);
CREATE TABLE films_high PARTITION OF films FOR VALUES FROM (300) TO (MAXVALUE);
CREATE INDEX films_slug ON films (util.slugify(note));
CREATE TABLE shelves (id integer NOT NULL, film_id integer NOT NULL)
    PARTITION BY LIST (util.bucket(id));
CREATE TABLE shelves_even PARTITION OF shelves FOR VALUES IN (0);
CREATE TABLE shelves_odd PARTITION OF shelves FOR VALUES IN (1);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER films_touch BEFORE UPDATE ON films FOR EACH ROW
    WHEN (util.is_ok(NEW.stars)) EXECUTE FUNCTION touch();
CREATE VIEW film_slugs AS SELECT id, util.slugify(title) AS slug FROM films;
INSERT INTO films (id, title, note)
SELECT n, 'Film ' || n % 40, CASE WHEN n % 3 = 0 THEN NULL ELSE 'n' || n % 7 END
FROM generate_series(1, 600) n;
INSERT INTO shelves SELECT n, n FROM generate_series(1, 100) n;
"""

UTIL = "of schema util, not read (import with --schema util)"
LISTED = [
    f"not expressible: check films_stars_ok on films: calls util.is_ok(integer) {UTIL}",
    f"not expressible: default of column films.stars: calls util.next_rank() {UTIL}",
    f"not expressible: domain rank: calls util.is_ok(integer) {UTIL}",
    f"not expressible: domain rank: calls util.next_rank() {UTIL}",
    f"not expressible: generated column films.slug: calls util.slugify(text) {UTIL}",
    f"not expressible: index films_slug on films: calls util.slugify(text) {UTIL}",
    f"not expressible: partition key of table shelves: calls util.bucket(integer) {UTIL}",
    f"not expressible: trigger films_touch on films: calls util.is_ok(integer) {UTIL}",
    f"not expressible: view film_slugs: calls util.slugify(text) {UTIL}",
]


def test_calls_to_a_schema_not_read_are_listed(pg: PgCluster, tmp_path: Path) -> None:
    with source_database(pg, "foreign_calls", SOURCE) as source:
        root = new_project(tmp_path / "public_only")
        out = schemagen(root, "import", "--database", pg.url(source), expect_exit=1)
        assert not_expressible(out) == LISTED, out
        assert not (root / "schema").exists() or not list((root / "schema").iterdir())
        # read with util too, the same database adopts exactly (dumps equal, check clean)
        round_trip(pg, source, tmp_path / "with_util", "util's callers", ("public", "util"))


#: uuid-ossp and pg_trgm made in schema extensions, as Supabase makes them, a key
#: defaulting to the one and a trigram index of the other's operator class
SUPABASE = """
CREATE SCHEMA extensions;
CREATE EXTENSION "uuid-ossp" SCHEMA extensions;
CREATE EXTENSION pg_trgm SCHEMA extensions;
CREATE TABLE profiles (id uuid DEFAULT extensions.uuid_generate_v4() PRIMARY KEY, name text);
CREATE INDEX profiles_name_trgm ON profiles USING gin (name extensions.gin_trgm_ops);
INSERT INTO profiles (name) SELECT 'p' || n % 20 FROM generate_series(1, 50) n;
"""
MADE_ELSEWHERE = "made in schema extensions (the language makes an extension in the default schema)"


def test_extensions_of_another_schema_are_listed(pg: PgCluster, tmp_path: Path) -> None:
    """Each extension is listed with its schema, with or without --schema extensions.
    Before, import listed the key's default alone (09e7dd3) and wrote extensions:
    [pg_trgm, uuid-ossp]: the project makes both in public, and the trigram index
    upgraded there (gin_trgm_ops found in public), a copy that differed from the
    source silently (its extension, operator class and functions in public)."""
    with source_database(pg, "extension_calls", SUPABASE) as source:
        for schemas in ((), ("public", "extensions")):
            root = new_project(tmp_path / ("_".join(schemas) or "default"))
            flags = [f"--schema={name}" for name in schemas]
            out = schemagen(root, "import", *flags, "--database", pg.url(source), expect_exit=1)
            assert not_expressible(out) == [
                "not expressible: default of column profiles.id: calls "
                f"extensions.uuid_generate_v4() of extension uuid-ossp, {MADE_ELSEWHERE}",
                f"not expressible: extension pg_trgm: {MADE_ELSEWHERE}",
                f"not expressible: extension uuid-ossp: {MADE_ELSEWHERE}",
            ], out


#: an id drawn from a sequence of schema ref (a numbering shared across schemas), 300
#: rows with repeated and NULL notes
SEQUENCE = """
CREATE SCHEMA ref;
CREATE SEQUENCE ref.ids START WITH 1000 CACHE 20;
CREATE TABLE items (id bigint DEFAULT nextval('ref.ids') PRIMARY KEY, note text);
INSERT INTO items (note) SELECT CASE WHEN n % 4 = 0 THEN NULL ELSE 'n' || n % 9 END
FROM generate_series(1, 300) n;
"""


def test_a_sequence_of_a_schema_not_read_is_listed(pg: PgCluster, tmp_path: Path) -> None:
    """Before: import wrote default: {sql: nextval('ref.ids'::regclass)} and exited 0,
    and build refused the project (nextval names sequence 'ref.ids', which the schema
    does not declare). Read with ref too, the sequence comes along and adopts exactly."""
    with source_database(pg, "foreign_sequence", SEQUENCE) as source:
        root = new_project(tmp_path / "public_only")
        out = schemagen(root, "import", "--database", pg.url(source), expect_exit=1)
        assert not_expressible(out) == [
            "not expressible: default of column items.id: uses sequence ref.ids of schema "
            "ref, not read (import with --schema ref)"
        ], out
        assert not (root / "schema").exists() or not list((root / "schema").iterdir())
        round_trip(pg, source, tmp_path / "with_ref", "ref's sequence", ("public", "ref"))
        assert pg.sql("SELECT count(*), min(id), max(id) FROM items", source) == "300|1000|1299\n"
