"""``schemagen import --allow-partial`` leaves out what it listed for calling a
function the project will not make (``util.slugify`` with ``--schema public``
alone) or drawing from a sequence of a schema not read: an index, an exclusion
constraint, a check, a default, a view (and a view over it, and one over that, each
listed as reading a view not imported), a trigger's WHEN and a policy. Before, each
was written as it was: build passed and a fresh ``alembic upgrade head`` failed at the
first (schema "util" does not exist). Now the project upgrades, and its copy dumps
as the source less exactly those objects."""

from __future__ import annotations

from pathlib import Path

from adopt_harness import exact_dump, new_project, not_expressible, source_database
from migration_harness import alembic, schemagen, scratch_database
from pgcluster import PgCluster

#: 800 films with repeated titles and NULL notes; the key numbered from ref.ids
SOURCE = """
CREATE SCHEMA util;
CREATE SCHEMA ref;
CREATE SEQUENCE ref.ids START WITH 1000;
CREATE FUNCTION util.slugify(title text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT lower(regexp_replace(title, '[^A-Za-z0-9]+', '-', 'g')) $$;
CREATE FUNCTION util.is_ok(n integer) RETURNS boolean LANGUAGE sql IMMUTABLE
AS $$ SELECT n > 0 $$;
CREATE FUNCTION util.next_rank() RETURNS integer LANGUAGE plpgsql
AS $$ BEGIN RETURN 1; END $$;
CREATE FUNCTION util.bucket(n integer) RETURNS integer LANGUAGE sql IMMUTABLE
AS $$ SELECT n % 1000 $$;
CREATE TABLE films (
    id bigint NOT NULL DEFAULT nextval('ref.ids'),
    title text NOT NULL,
    stars integer NOT NULL DEFAULT util.next_rank(),
    note text,
    CONSTRAINT films_pkey PRIMARY KEY (id),
    CONSTRAINT films_stars_ok CHECK (util.is_ok(stars)),
    CONSTRAINT films_title_ok CHECK (title <> ''),
    CONSTRAINT films_one_per_bucket EXCLUDE USING btree (util.bucket(id::integer) WITH =)
);
CREATE INDEX films_slug ON films (util.slugify(title));
CREATE INDEX films_note ON films (note);
CREATE VIEW film_slugs AS SELECT id, util.slugify(title) AS slug FROM films;
CREATE VIEW film_slug_count AS SELECT count(*) AS n FROM film_slugs;
CREATE VIEW film_slug_report AS SELECT n FROM film_slug_count;
CREATE VIEW film_titles AS SELECT id, title FROM films;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER films_touch BEFORE UPDATE ON films FOR EACH ROW
    WHEN (util.is_ok(NEW.stars)) EXECUTE FUNCTION touch();
CREATE TRIGGER films_touch_all BEFORE INSERT ON films FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE films ENABLE ROW LEVEL SECURITY;
CREATE POLICY films_ok ON films USING (util.is_ok(stars));
CREATE POLICY films_titled ON films USING (title <> '');
INSERT INTO films (title, stars, note)
SELECT 'Film ' || n % 40, 1 + n % 5, CASE WHEN n % 3 = 0 THEN NULL ELSE 'n' || n % 7 END
FROM generate_series(1, 800) n;
"""

UTIL = "of schema util, not read (import with --schema util)"
LISTED = [
    f"not expressible: check films_stars_ok on films: calls util.is_ok(integer) {UTIL}",
    "not expressible: default of column films.id: uses sequence ref.ids of schema ref, "
    "not read (import with --schema ref)",
    f"not expressible: default of column films.stars: calls util.next_rank() {UTIL}",
    "not expressible: exclusion constraint films_one_per_bucket on films: calls "
    f"util.bucket(integer) {UTIL}",
    f"not expressible: index films_slug on films: calls util.slugify(text) {UTIL}",
    f"not expressible: policy films_ok on films: calls util.is_ok(integer) {UTIL}",
    f"not expressible: trigger films_touch on films: calls util.is_ok(integer) {UTIL}",
    "not expressible: view film_slug_count: reads film_slugs, not imported",
    "not expressible: view film_slug_report: reads film_slug_count, not imported",
    f"not expressible: view film_slugs: calls util.slugify(text) {UTIL}",
]


def test_allow_partial_leaves_out_what_calls_a_function_not_made(
    pg: PgCluster, tmp_path: Path
) -> None:
    with source_database(pg, "foreign_partial", SOURCE) as source:
        root = new_project(tmp_path / "p")
        out = schemagen(root, "import", "--allow-partial", "--database", pg.url(source))
        assert not_expressible(out) == LISTED, out
        schemagen(root, "build")
        schemagen(root, "migrate", "-m", "initial")
        fresh = scratch_database(pg, "foreign_partial_fresh")
        alembic(root, pg.url(fresh), "upgrade", "head")
        source_dump, fresh_dump = exact_dump(pg, source), exact_dump(pg, fresh)
        table = next(s for s in source_dump if s.startswith("CREATE TABLE public.films "))
        # the table as made without the default and check left out
        expected_table = (
            table.replace(" DEFAULT nextval('ref.ids'::regclass)", "")
            .replace(" DEFAULT util.next_rank()", "")
            .replace(",\n    CONSTRAINT films_stars_ok CHECK (util.is_ok(stars))", "")
        )
        assert expected_table != table
        assert [s for s in fresh_dump if s not in source_dump] == [expected_table]
        missing = sorted(s for s in source_dump if s not in fresh_dump)
        starts = [
            "ALTER TABLE ONLY public.films\n    ADD CONSTRAINT films_one_per_bucket EXCLUDE",
            "CREATE FUNCTION util.bucket(n integer)",
            "CREATE FUNCTION util.is_ok(n integer)",
            "CREATE FUNCTION util.next_rank()",
            "CREATE FUNCTION util.slugify(title text)",
            "CREATE INDEX films_slug ON public.films USING btree (util.slugify(title))",
            "CREATE POLICY films_ok ON public.films USING (util.is_ok(stars))",
            "CREATE SCHEMA ref",
            "CREATE SCHEMA util",
            "CREATE SEQUENCE ref.ids",
            table,
            "CREATE TRIGGER films_touch BEFORE UPDATE ON public.films FOR EACH ROW WHEN",
            "CREATE VIEW public.film_slug_count AS",
            "CREATE VIEW public.film_slug_report AS",
            "CREATE VIEW public.film_slugs AS",
        ]
        assert len(missing) == len(starts), missing
        for statement, start in zip(missing, starts, strict=True):
            assert statement.startswith(start), (statement, start)


#: a generated column, a domain and a partition key calling util: none can be left
#: out (each is part of its table's columns or rows); 200 rows with repeated titles
UNLEAVABLE = """
CREATE SCHEMA util;
CREATE FUNCTION util.slugify(title text) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT lower(regexp_replace(title, '[^A-Za-z0-9]+', '-', 'g')) $$;
CREATE FUNCTION util.is_ok(n integer) RETURNS boolean LANGUAGE sql IMMUTABLE
AS $$ SELECT n > 0 $$;
CREATE FUNCTION util.bucket(n integer) RETURNS integer LANGUAGE sql IMMUTABLE
AS $$ SELECT n % 2 $$;
CREATE DOMAIN rank AS integer CHECK (util.is_ok(VALUE));
CREATE TABLE films (
    id integer PRIMARY KEY,
    title text NOT NULL,
    slug text GENERATED ALWAYS AS (util.slugify(title)) STORED,
    position rank
);
CREATE TABLE shelves (id integer NOT NULL) PARTITION BY LIST (util.bucket(id));
CREATE TABLE shelves_even PARTITION OF shelves FOR VALUES IN (0);
CREATE TABLE shelves_odd PARTITION OF shelves FOR VALUES IN (1);
CREATE INDEX films_slug ON films (util.slugify(title));
INSERT INTO films (id, title, position) SELECT n, 'Film ' || n % 40, 1 + n % 3
FROM generate_series(1, 200) n;
"""


def test_allow_partial_refuses_what_it_cannot_leave_out(pg: PgCluster, tmp_path: Path) -> None:
    """Before, --allow-partial wrote the generated column, the domain and the partition
    key as they were (exit 0), and the project's fresh upgrade failed. Now it lists
    them, names them as what it cannot leave out, and writes nothing (exit 1)."""
    with source_database(pg, "foreign_unleavable", UNLEAVABLE) as source:
        root = new_project(tmp_path / "p")
        out = schemagen(
            root, "import", "--allow-partial", "--database", pg.url(source), expect_exit=1
        )
        assert not_expressible(out) == [
            f"not expressible: domain rank: calls util.is_ok(integer) {UTIL}",
            f"not expressible: generated column films.slug: calls util.slugify(text) {UTIL}",
            f"not expressible: index films_slug on films: calls util.slugify(text) {UTIL}",
            f"not expressible: partition key of table shelves: calls util.bucket(integer) {UTIL}",
        ], out
        assert (
            "--allow-partial cannot leave out domain rank, generated column films.slug, "
            "partition key of table shelves: each is part of its table's columns or rows"
        ) in out, out
        assert "nothing written" in out, out
        assert not (root / "schema").exists() or not list((root / "schema").iterdir())
