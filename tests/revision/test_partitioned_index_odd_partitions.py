"""A new index of a partitioned table built partition by partition
(revision.partition_indexes) over partitions the application made that the
build must not trip on: a FOREIGN partition (file_fdw), on which PostgreSQL
builds no index and with which an index built ON ONLY and attached partition by
partition never becomes valid, and partitions whose quoted names hold the word
USING, which the per-partition definition was cut at. Tables hold rows, NULLs
and repeated values among them."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from migration_harness import Case, alembic, generate, scratch_database
from pgcluster import PgCluster

EVENTS = """\
database:
  name: events
entities:
  Event:
    primary_key: false
    columns:
      id: {type: bigint}
      happened_on: {type: date}
      kind: {type: text}
      ref: {type: bigint, nullable: true}
    partition_by: {range: [happened_on]}
    partitions:
      events_2026_01: {from: "2026-01-01", to: "2026-02-01"}
      events_other: {default: true}
"""
KIND = "      idx_events_kind: [kind]\n"
#: the same, built in the transaction
KIND_LOCKED = "      idx_events_kind: {columns: [kind], concurrently: false}\n"
UNIQUE = "      ux_events_ref: {columns: [ref, happened_on], unique: true}\n"
ROWS = (
    "INSERT INTO events SELECT g, date '2026-01-01' + (g % 120), "
    "CASE WHEN g % 3 = 0 THEN 'a' ELSE 'b' END, CASE WHEN g % 5 = 0 THEN NULL ELSE g END "
    "FROM generate_series(1, 3000) g"
)
#: an archive month kept in a file (file_fdw): a FOREIGN partition, which PostgreSQL
#: allows only in a table with no unique index (so no primary key)
FOREIGN = (
    "CREATE EXTENSION file_fdw; CREATE SERVER archive FOREIGN DATA WRAPPER file_fdw; "
    "CREATE FOREIGN TABLE events_2025_12 PARTITION OF events "
    "FOR VALUES FROM ('2025-12-01') TO ('2026-01-01') SERVER archive "
    "OPTIONS (program 'printf ''7,2025-12-02,a,\\n8,2025-12-03,a,\\n''', format 'csv')"
)
#: (index, valid, its table) of every index of the tree but the keys'
INDEXES = (
    "SELECT coalesce(string_agg(format('%s %s %s', i.indexrelid::regclass, i.indisvalid, "
    "i.indrelid::regclass), ', ' ORDER BY i.indexrelid::regclass::text), '-') "
    "FROM pg_index i JOIN pg_partition_tree('events') t ON t.relid = i.indrelid "
    "WHERE NOT i.indisprimary"
)


def _indexed(indexes: str) -> str:
    return EVENTS.replace("    partition_by:", f"    indexes:\n{indexes}    partition_by:")


def _scene(pg: PgCluster, tmp_path: Path, after: str, app: str) -> tuple[Path, str, str]:
    root = tmp_path / "project"
    generate(Case("odd_partitions", {"schema.yaml": EVENTS}, {"schema.yaml": after}), root)
    db = scratch_database(pg, "odd")
    url = pg.url(db)
    alembic(root, url, "upgrade", "000")
    pg.sql(f"{app}; {ROWS}", db)
    return root, db, url


def test_postgresql_skips_a_foreign_partition_and_on_only_never_validates(
    pg: PgCluster, tmp_path: Path
) -> None:
    """What PostgreSQL 15 does: CREATE INDEX on the table skips the foreign
    partition (the index is valid), refuses a unique one, refuses an index on the
    foreign table itself; and an index ON ONLY the table stays INVALID with every
    other partition's attached, since it counts the foreign partition too."""
    _, db, _ = _scene(pg, tmp_path, _indexed(KIND), FOREIGN)
    assert pg.sql("SELECT count(*) FROM events", db).strip() == "3002"
    with psycopg.connect(pg.libpq_url(db), autocommit=True) as conn:
        conn.execute("CREATE INDEX whole ON events (kind)")
        assert conn.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'whole'::regclass"
        ).fetchone() == (True,)
        with pytest.raises(psycopg.errors.WrongObjectType, match="foreign tables"):
            conn.execute("CREATE UNIQUE INDEX u ON events (ref, happened_on)")
        with pytest.raises(psycopg.errors.WrongObjectType, match="foreign tables"):
            conn.execute("CREATE INDEX ON events_2025_12 (kind)")
        conn.execute("CREATE INDEX only_top ON ONLY events (kind)")
        for part in ("events_2026_01", "events_other"):
            conn.execute(f"CREATE INDEX {part}_k ON {part} (kind)")
            conn.execute(f"ALTER INDEX only_top ATTACH PARTITION {part}_k")
        assert conn.execute(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'only_top'::regclass"
        ).fetchone() == (False,)


@pytest.mark.parametrize("indexes", [KIND, UNIQUE], ids=["index", "unique"])
def test_a_foreign_partition_stops_the_online_build_before_it_starts(
    pg: PgCluster, tmp_path: Path, indexes: str
) -> None:
    root, db, url = _scene(pg, tmp_path, _indexed(indexes), FOREIGN)
    with pytest.raises(sa.exc.DBAPIError) as info:
        alembic(root, url, "upgrade", "head")
    error = " ".join(str(info.value).split())
    name = "idx_events_kind" if indexes == KIND else "ux_events_ref"
    assert (
        f"cannot build index {name} on events partition by partition: its partition "
        "events_2025_12 is a foreign table" in error
    ), error
    assert "cannot create index on relation" not in error
    if indexes == KIND:
        assert "concurrently: false" in error, error
    else:
        assert "a unique index cannot cover a foreign partition" in error, error
    # nothing was built: no index ON ONLY the table, none on a partition, none INVALID
    assert pg.sql(INDEXES, db).strip() == "-"
    assert pg.sql("SELECT version_num FROM alembic_version", db).strip() == "000"


def _keyed(key: str) -> tuple[str, str]:
    """EVENTS given a unique constraint (``key`` unique) or a primary key, and its name."""
    if key == "unique":
        unique = "    unique:\n      uq_events_ref: [ref, happened_on]\n"
        return EVENTS.replace("    partition_by:", f"{unique}    partition_by:"), "uq_events_ref"
    return EVENTS.replace("primary_key: false", "primary_key: [id, happened_on]"), "pk_events"


@pytest.mark.parametrize("key", ["unique", "primary_key"])
def test_a_foreign_partition_stops_a_unique_constraint_or_key_before_any_build(
    pg: PgCluster, tmp_path: Path, key: str
) -> None:
    """A unique constraint (revision.partition_uniques) or a primary key of a
    table with a foreign partition, which PostgreSQL refuses on the table once every
    other partition's index is built: refused before any is, naming the partition."""
    after, name = _keyed(key)
    root, db, url = _scene(pg, tmp_path, after, FOREIGN)
    with pytest.raises(sa.exc.DBAPIError) as info:
        alembic(root, url, "upgrade", "head")
    error = " ".join(str(info.value).split())
    assert (
        f"cannot build index {name} on events partition by partition: its partition "
        "events_2025_12 is a foreign table" in error
    ), error
    assert "a unique index cannot cover a foreign partition" in error, error
    assert pg.sql(INDEXES, db).strip() == "-"
    keys = (
        "SELECT count(*) FROM pg_constraint WHERE contype IN ('u', 'p') "
        "AND conrelid IN (SELECT relid FROM pg_partition_tree('events'))"
    )
    assert pg.sql(keys, db).strip() == "0"
    assert pg.sql("SELECT version_num FROM alembic_version", db).strip() == "000"


def test_with_concurrently_false_postgresql_builds_it_skipping_the_foreign_partition(
    pg: PgCluster, tmp_path: Path
) -> None:
    """The way out the error names: built in the transaction by CREATE INDEX on the
    table, which skips the foreign partition."""
    root, db, url = _scene(pg, tmp_path, _indexed(KIND_LOCKED), FOREIGN)
    alembic(root, url, "upgrade", "head")
    assert pg.sql(INDEXES, db).strip() == (
        "events_2026_01_kind_idx t events_2026_01, events_other_kind_idx t events_other, "
        "idx_events_kind t events"
    )
    alembic(root, url, "downgrade", "000")
    assert pg.sql(INDEXES, db).strip() == "-"


#: partitions the application named with quoted identifiers holding USING: their
#: indexes' names, which PostgreSQL derives from them, hold it too
QUOTED = (
    'CREATE TABLE "Events USING March" PARTITION OF events '
    "FOR VALUES FROM ('2026-03-01') TO ('2026-04-01') PARTITION BY RANGE (happened_on); "
    'CREATE TABLE "a USING b" PARTITION OF "Events USING March" '
    "FOR VALUES FROM ('2026-03-01') TO ('2026-03-16'); "
    'CREATE TABLE "rest USING ""q""" PARTITION OF "Events USING March" DEFAULT'
)
#: (index, valid, its table, the index it is attached to) of the new indexes
TREE = (
    "SELECT string_agg(format('%s|%s|%s|%s', i.indexrelid::regclass, i.indisvalid, "
    "i.indrelid::regclass, coalesce(h.inhparent::regclass::text, '-')), ', ' "
    "ORDER BY i.indexrelid::regclass::text) FROM pg_index i "
    "LEFT JOIN pg_inherits h ON h.inhrelid = i.indexrelid "
    "JOIN pg_partition_tree('events') t ON t.relid = i.indrelid WHERE NOT i.indisprimary"
)


def _upgrade_within(pg: PgCluster, root: Path, url: str, db: str, seconds: int) -> None:
    """``alembic upgrade head``, its connections ended if it has not finished in
    ``seconds`` (a build that never finds its own index would go on forever)."""
    errors: list[BaseException] = []

    def upgrade() -> None:
        try:
            alembic(root, url, "upgrade", "head")
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    worker = threading.Thread(target=upgrade)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        pg.sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{db}' AND pid <> pg_backend_pid()",
            "postgres",
        )
        worker.join(30)
        built = pg.sql("SELECT count(*) FROM pg_class WHERE relkind = 'i'", db).strip()
        pytest.fail(f"the upgrade did not finish in {seconds} s ({built} indexes)")
    assert not errors, errors


def test_partitions_whose_quoted_names_hold_using_are_built_once_and_attached(
    pg: PgCluster, tmp_path: Path
) -> None:
    root, db, url = _scene(pg, tmp_path, _indexed(KIND + UNIQUE), QUOTED)
    _upgrade_within(pg, root, url, db, 60)
    tree = pg.sql(TREE, db).strip().split(", ")
    assert len(tree) == 2 * 6, tree  # the table, two partitions, the sub-partitions
    assert all("|t|" in row for row in tree), tree
    assert not [row for row in tree if row.endswith("|-") and not row.startswith(("idx", "ux"))]
    assert '"a USING b_kind_idx"|t|"a USING b"|"Events USING March_kind_idx"' in tree, tree
    # a rerun finds every index built: nothing more
    before = pg.sql("SELECT count(*) FROM pg_class WHERE relkind IN ('i', 'I')", db).strip()
    alembic(root, url, "upgrade", "head")
    after = pg.sql("SELECT count(*) FROM pg_class WHERE relkind IN ('i', 'I')", db).strip()
    assert before == after
    with psycopg.connect(pg.libpq_url(db)) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute(
            "INSERT INTO events VALUES (1, '2026-03-09', 'a', 7), (2, '2026-03-09', 'b', 7)"
        )
    alembic(root, url, "downgrade", "000")
    assert pg.sql(INDEXES, db).strip() == "-"


#: foreign partitions whose names read alike: public's "sales.x" (a name holding a
#: dot), the schema sales's x, and an upper-case Archive, with the database's
#: search_path naming sales after public (so regclass prints sales.x bare)
ALIKE = (
    "CREATE EXTENSION file_fdw; CREATE SERVER archive FOREIGN DATA WRAPPER file_fdw; "
    "CREATE SCHEMA sales; "
    + "; ".join(
        f"CREATE FOREIGN TABLE {name} PARTITION OF events "
        f"FOR VALUES FROM ('{start}') TO ('{end}') SERVER archive "
        "OPTIONS (program 'printf ''7,2025-12-02,a,\\n''', format 'csv')"
        for name, start, end in (
            ('"sales.x"', "2025-12-01", "2026-01-01"),
            ("sales.x", "2025-11-01", "2025-12-01"),
            ('"Archive"', "2025-10-01", "2025-11-01"),
        )
    )
)


@pytest.mark.parametrize("key", ["unique", "primary_key"])
def test_foreign_partitions_are_named_as_the_catalog_keys_them(
    pg: PgCluster, pg_db: str, tmp_path: Path, key: str
) -> None:
    """The refusal names each foreign partition by its key, as check --database and
    import do (a part quoted where it holds a dot or a double quote, qualified
    outside the current schema), not as regclass prints it along the search_path:
    sales's x is sales.x, whatever the path, and never reads as public's "sales.x"
    nor as a table x of public."""
    root = tmp_path / "project"
    after, _ = _keyed(key)
    generate(Case("odd_partitions", {"schema.yaml": EVENTS}, {"schema.yaml": after}), root)
    url = pg.url(pg_db)
    alembic(root, url, "upgrade", "000")
    pg.sql(f"{ALIKE}; {ROWS}; ALTER DATABASE {pg_db} SET search_path = public, sales", pg_db)
    assert pg.sql("SELECT count(*) FROM events", pg_db).strip() == "3003"
    with pytest.raises(sa.exc.DBAPIError) as info:
        alembic(root, url, "upgrade", "head")
    error = " ".join(str(info.value).split())
    assert 'its partitions "sales.x", Archive, sales.x are foreign tables' in error, error
    assert pg.sql(INDEXES, pg_db).strip() == "-"
    assert pg.sql("SELECT version_num FROM alembic_version", pg_db).strip() == "000"
