"""``schemagen import`` of the forge twin (``tests/fixtures/forge/forge.sql``, our own
DDL with the shapes that large open-source Rails and Django applications keep in
production: bigint ids whose sequences are attached afterwards, ``timestamp without
time zone``, expression, pattern, trigram and tsvector indexes, unique indexes with
WHERE, duplicate indexes, an index name PostgreSQL truncated, arrays and jsonb with
``'{}'`` defaults, citext, a generated tsvector, an enum, a range-partitioned table
and a key to it, a materialized view with a unique index, updated_at triggers,
checks added NOT VALID, one of them left so over a row that breaks it, a key left
NOT VALID over an orphan, Django's deferrable keys), holding rows (``forge_rows.sql``):
the adoption a real user makes, end to end.

What it found, each fixed where it belongs:

- ids numbered by a function (``DEFAULT timestamp_id('statuses')``): the first
  revision created the function after the tables, and failed;
- a foreign key to the partitioned table: import listed PostgreSQL's own key per
  partition, and ``check --database`` reported each;
- GitLab's loose foreign keys, a statement trigger reading a transition table
  (``REFERENCING OLD TABLE AS old_table``): import dropped the clause without a word
  (``check --database``: definition differs; the dumps differed). The language says
  it now (``old_table:`` / ``new_table:``);
- Django's hashed key names: one of them became the project's fk convention;
- a text default ending in a newline was written as a plain YAML scalar, which
  folds the newline away (``check --database``: default differs);
- a DBA's column settings (``SET STATISTICS``, ``SET STORAGE``, ``SET COMPRESSION``,
  ``SET (n_distinct = ...)``) and a table's ``REPLICA IDENTITY FULL`` (change data
  capture): import dropped them without a word (the dumps differed); it listed them,
  and writes the statistics target, the storage and the replica identity now
  (``statistics: 1000``, ``storage: external``, ``replica_identity: full``);
- the check left NOT VALID on notes was listed as not expressible, and ``check
  --database`` reported it twice ("is NOT VALID", "in the database but not in the
  schema"): import writes it ``{expression: ..., validated: false}`` now, the
  migrated copy holds it NOT VALID too, and the database checks clean;
- the key left NOT VALID on notes over an old orphan (a note of a deleted project)
  was listed as not expressible ("NOT VALID"): import writes it ``validated: false``
  now, the migrated copy holds it NOT VALID too, refuses a new orphan as the source
  does, and the database checks clean.

Listed as not expressible: those column settings and a table's autovacuum setting
(``check --database`` leaves them alone)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import yaml
from adopt_harness import exact_dump, new_project, not_expressible, stamp, written_schema
from migration_harness import alembic, schemagen, scratch_database
from pgcluster import PgCluster

FORGE = Path(__file__).resolve().parents[1] / "fixtures" / "forge"
NOT_VALID = (
    "ALTER TABLE public.notes\n"
    "    ADD CONSTRAINT check_82f260979e CHECK ((char_length((discussion_id)::text) <= 255))"
    " NOT VALID"
)
LONG_NOTE = "INSERT INTO notes (note, discussion_id) VALUES ('new', repeat('d', 300))"
NOT_VALID_KEY = (
    "ALTER TABLE ONLY public.notes\n"
    "    ADD CONSTRAINT fk_99e097b079 FOREIGN KEY (project_id) REFERENCES public.projects(id)"
    " ON DELETE CASCADE NOT VALID"
)
ORPHAN_NOTE = "INSERT INTO notes (note, project_id) VALUES ('new orphan', 424243)"


@pytest.fixture
def forge(pg: PgCluster) -> Iterator[str]:
    source = pg.create_database("forge")
    try:
        for name in ("forge.sql", "forge_rows.sql"):
            subprocess.run(
                [pg.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", source,
                 "-f", str(FORGE / name)],
                env=pg.env(), check=True, capture_output=True, text=True,
            )  # fmt: skip
        yield source
    finally:
        pg.drop_database(source)


def test_forge_imports_migrates_and_checks_clean(pg: PgCluster, forge: str, tmp_path: Path) -> None:
    root = new_project(tmp_path / "p")
    url = pg.url(forge)
    out = schemagen(root, "import", "--database", url, expect_exit=1)
    listed = not_expressible(out)
    assert listed == [
        "not expressible: options of column notes.noteable_type: SET (n_distinct=100)",
        "not expressible: options of column notes.position: SET COMPRESSION pglz",
        "not expressible: storage options of table statuses",
    ]

    source_dump = exact_dump(pg, forge)
    schemagen(root, "import", "--allow-partial", "--database", url)
    written = written_schema(root)
    for said in (
        "      id: {type: bigint, primary_key: true, default: {sql: "
        "'timestamp_id(''statuses''::text)'}}\n",
        "        old_table: old_table\n",
        "index_merge_request_diff_commits_on_merge_request_diff_id_and_s: ",
        "      check_82f260979e: {expression: 'char_length(discussion_id::text) <= 255',"
        " validated: false}\n",
        "      fk_99e097b079: {columns: [project_id], references: Project, on_delete: cascade,"
        " validated: false}\n",
        "    replica_identity: full\n",
        "statistics: 1000}\n",
        "storage: external}\n",
    ):
        assert said in written, said
    # Django's key names carry a hash of their own: one of them is no convention for
    # the keys a later revision adds (it named one key of 31 here)
    convention = (root / "schema" / "database.yaml").read_text()
    assert "ix: index_%(table_name)s_on_%(column_0_N_name)s\n" in convention  # Rails'
    assert "    fk:" not in convention  # the language's default
    assert (
        "helpdesk_ticket_assigned_to_id_123a4bd1_fk_auth_user_id: {columns: [assigned_to_id]"
        in written
    )
    options = yaml.safe_load((root / "schema" / "user_options.yaml").read_text())
    assert options["entities"]["UserOption"]["columns"]["signature"]["default"] == "it's me\n"
    schemagen(root, "build")
    schemagen(root, "migrate", "-m", "initial")
    stamp(root, url)
    # the check left NOT VALID over a row that breaks it: declared so, no finding
    # (before: "is NOT VALID" and "in the database but not in the schema")
    schemagen(root, "check", "--no-cache", "--database", url)

    fresh = scratch_database(pg, "fresh")
    alembic(root, pg.url(fresh), "upgrade", "head")
    migrated = exact_dump(pg, fresh)
    # the listed objects, and nothing else
    assert sorted(set(source_dump) - set(migrated)) == [
        'ALTER TABLE ONLY public.notes ALTER COLUMN "position" SET COMPRESSION pglz',
        "ALTER TABLE ONLY public.notes ALTER COLUMN noteable_type SET (n_distinct=100)",
        next(s for s in source_dump if s.startswith("CREATE TABLE public.statuses ")),
    ]
    assert [s for s in migrated if s not in source_dump] == [
        next(s for s in migrated if s.startswith("CREATE TABLE public.statuses "))
    ]
    tuned = sorted(set(source_dump) - set(migrated))[-1]
    assert "WITH (autovacuum_vacuum_scale_factor='0.01')" in tuned
    # the migrated copy works as the source does: ids from timestamp_id(), a deleted
    # web hook recorded through the transition table
    made = pg.sql(
        "INSERT INTO accounts (username, created_at, updated_at) VALUES ('ada', now(), now())"
        " RETURNING id > 65536;"
        "INSERT INTO web_hooks (project_id) VALUES (NULL), (NULL);"
        "DELETE FROM web_hooks;"
        "SELECT count(*) FROM loose_foreign_keys_deleted_records",
        fresh,
    )
    assert made.split() == ["t", "2"]
    assert NOT_VALID in migrated  # left NOT VALID, as in the source: new rows are checked
    with psycopg.connect(pg.libpq_url(fresh)) as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(LONG_NOTE)
    with psycopg.connect(pg.libpq_url(forge)) as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(LONG_NOTE)
    assert pg.sql("SELECT count(*) FROM notes WHERE length(discussion_id) > 255", forge) == "1\n"
    # the key left NOT VALID over an old orphan: so in the copy, a new orphan refused
    assert NOT_VALID_KEY in migrated
    assert NOT_VALID_KEY in source_dump
    for db in (fresh, forge):
        with (
            psycopg.connect(pg.libpq_url(db)) as conn,
            pytest.raises(psycopg.errors.ForeignKeyViolation),
        ):
            conn.execute(ORPHAN_NOTE)
    assert pg.sql("SELECT count(*) FROM notes WHERE project_id = 424242", forge) == "1\n"
    alembic(root, pg.url(fresh), "downgrade", "base")
    left = "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
    assert pg.sql(left, fresh).strip() == "2"  # alembic_version and its key
    assert pg.sql("SELECT count(*) FROM loose_foreign_keys_deleted_records", forge).strip() == "1"
