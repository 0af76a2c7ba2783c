"""A unique constraint that trades a column the plan drops for one the table
already has (unique(store_id, legacy) -> unique(store_id, variant), legacy
dropped, variant there) is swapped in the main transaction (35c9fab: swapped
before it, the old would be missing while legacy is still there). Its new index
need not be built there, under the transaction's ACCESS EXCLUSIVE lock, which
holds every reader of the table for the whole build: variant is there before the
transaction, so the index is built CONCURRENTLY before it (the _drops revision,
under the previous revision's names) and the transaction attaches it with
USING INDEX (a brief lock, no scan). So is one a new table's foreign key needs
at once (swapped, or added, in the transaction, before the key is added).

Proven with a second session that reads while the build waits for an old writer:
it reads, where it waited behind the build before."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import psycopg
import pytest
from migration_harness import Case, alembic, assert_matches_models, revisions, schemagen
from pgcluster import PgCluster
from revision_steps import at_first_revision, failed_migration, uniques
from traded_unique import AFTER, WITH_VARIANT

#: NULL legacies and variants (never duplicates to a unique), repeated stores
ROWS = (
    "INSERT INTO products VALUES (1, 1, 'x', NULL), (2, 1, NULL, NULL), (3, 1, NULL, 'v'), "
    "(4, 2, 'x', 'v'), (5, 2, NULL, NULL)"
)
NAMES = [
    ("uq_products_key", "uq_products_key"),
    ("uq_products_store_id_legacy", "uq_products_store_id_variant"),
]


def _read(url: str) -> int | None:
    """A second session's count of products, or None when it waited more than 2 s."""
    with psycopg.connect(url, autocommit=True) as reader:
        reader.execute("SET lock_timeout = '2s'")
        try:
            row = reader.execute("SELECT count(*) FROM products").fetchone()
        except psycopg.errors.LockNotAvailable:
            return None
    assert row is not None
    return int(row[0])


#: legacy kept: unique(store_id, variant, legacy) narrowed to (store_id, variant),
#: which a new table's foreign key references at once (swapped in the transaction)
NEEDED_BEFORE = WITH_VARIANT.replace("[store_id, legacy]", "[store_id, variant, legacy]")
NEEDED_AFTER = (
    WITH_VARIANT.replace("[store_id, legacy]", "[store_id, variant]")
    + """\
  Shelf:
    table: shelves
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: bigint, nullable: true}
      variant: {type: text, nullable: true}
    foreign_keys:
      fk_shelves_product:
        columns: [store_id, variant]
        references: Product
        ref_columns: [store_id, variant]
"""
)
SCENES = {
    "same_name": (WITH_VARIANT, AFTER, *NAMES[0], "(store_id, legacy)"),
    "new_name": (WITH_VARIANT, AFTER, *NAMES[1], "(store_id, legacy)"),
    "a_new_key_needs_it": (
        NEEDED_BEFORE, NEEDED_AFTER, *NAMES[0], "(store_id, variant, legacy)"
    ),
    # no unique before: a new one, which the new key needs at once
    "a_new_key_needs_a_new_one": (
        WITH_VARIANT.replace("    unique:\n      OLD_NAME: [store_id, legacy]\n", ""),
        NEEDED_AFTER, "", "uq_products_key", "",
    ),
}


@pytest.mark.parametrize("scene", sorted(SCENES))
def test_the_new_index_is_built_concurrently_while_readers_read(
    pg: PgCluster, tmp_path: Path, scene: str
) -> None:
    before, after, old_name, new_name, old_columns = SCENES[scene]
    case = Case(
        "traded",
        {"s.yaml": before.replace("OLD_NAME", old_name)},
        {"s.yaml": after.replace("NEW_NAME", new_name).replace("OLD_NAME", new_name)},
        destructive=not scene.startswith("a_new_key"),
    )
    first = at_first_revision(pg, case, tmp_path, ROWS)
    root, db, url = first.root, first.db, first.url
    index = new_name if new_name != old_name else f"{new_name}_swap"
    # (the revisions' SQL strings, their wrapped parts joined)
    migration = re.sub(r'"\s*\n\s*"', "", "\n".join(p.read_text() for p in revisions(root)))
    assert f"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS {index} ON products" in migration
    assert f"UNIQUE USING INDEX {index}" in migration
    errors: list[BaseException] = []

    def migrate() -> None:
        try:
            alembic(root, url, "upgrade", "head")
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    libpq = pg.libpq_url(db)
    with psycopg.connect(libpq) as writer:
        # an old writer, still open: the build waits for it
        writer.execute("INSERT INTO products (id, store_id) VALUES (50, 3)")
        worker = threading.Thread(target=migrate)
        worker.start()
        pid = pg.wait_for(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND "
            f"wait_event_type = 'Lock' AND pid <> {writer.info.backend_pid}",
            db,
        )
        held = pg.sql(
            "SELECT string_agg(mode || CASE WHEN granted THEN '' ELSE ' (waits)' END, ', ') "
            f"FROM pg_locks WHERE pid = {pid} AND relation = 'products'::regclass",
            db,
        ).strip()
        read = _read(libpq)
        built = pg.sql(
            f"SELECT coalesce((SELECT indisvalid::text FROM pg_index WHERE indexrelid = "
            f"to_regclass('{index}')), 'none')",
            db,
        ).strip()
        writer.commit()
        worker.join(60)
    assert errors == [], errors
    # during the build: its index there and not yet valid, a lock that lets
    # readers (and writers) on, and the reader read the committed rows
    assert held == "ShareUpdateExclusiveLock", held
    assert built == "false"
    assert read == 5
    assert uniques(pg, db) == f"{new_name} UNIQUE (store_id, variant)"
    assert_matches_models(pg, db, first.models_after, [], "upgrade")
    out = schemagen(root, "check", "--database", url)
    assert out.startswith("check OK"), out
    with psycopg.connect(libpq) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO products (id, store_id, variant) VALUES (60, 1, 'v')")
    alembic(root, url, "downgrade", first.heads[0])
    assert uniques(pg, db) == (f"{old_name} UNIQUE {old_columns}" if old_name else "")
    assert_matches_models(pg, db, first.models_before, [], "downgrade")
    assert pg.sql("SELECT count(*) FROM products", db).strip() == "6"


def test_rows_that_repeat_the_new_columns_stop_the_build_before_the_transaction(
    pg: PgCluster, tmp_path: Path
) -> None:
    """(1, 'v') twice: the _drops revision stops before the build, naming the
    constraint, the rows and the old one that holds meanwhile; no INVALID index
    is left, legacy and the old constraint are there; fixed, the rerun completes."""
    old_name, new_name = NAMES[1]
    case = Case(
        "traded",
        {"s.yaml": WITH_VARIANT.replace("OLD_NAME", old_name)},
        {"s.yaml": AFTER.replace("NEW_NAME", new_name)},
        destructive=True,
    )
    first = at_first_revision(pg, case, tmp_path, ROWS + ", (6, 1, 'y', 'v')")
    root, db, url = first.root, first.db, first.url
    error = str(failed_migration(root, url))
    assert f"cannot add unique {new_name} to products: rows repeat (store_id, variant)" in error
    assert f"until then {old_name} holds, over (store_id, legacy)" in error
    assert "could not create unique index" not in error
    assert pg.sql("SELECT count(*) FROM pg_index WHERE NOT indisvalid", db).strip() == "0"
    assert uniques(pg, db) == f"{old_name} UNIQUE (store_id, legacy)"
    pg.sql("DELETE FROM products WHERE id = 6", db)
    alembic(root, url, "upgrade", "head")
    assert uniques(pg, db) == f"{new_name} UNIQUE (store_id, variant)"
    assert_matches_models(pg, db, first.models_after, [], "upgrade")


def test_the_downgrade_builds_the_old_index_concurrently_where_its_columns_stay(
    pg: PgCluster, tmp_path: Path
) -> None:
    """A swap that a new table's key needs, the old columns kept (legacy stays):
    the downgrade swaps back to unique(store_id, variant, legacy) in its
    transaction, and that index is built CONCURRENTLY before it, by the online
    revision's downgrade (which runs first), and attached USING INDEX, as the
    upgrade's is. (A trade whose old column the plan drops cannot: the main
    downgrade makes the column again, so no index over it can be built before.)"""
    before, after, old_name, new_name, old_columns = SCENES["a_new_key_needs_it"]
    case = Case(
        "traded",
        {"s.yaml": before.replace("OLD_NAME", old_name)},
        {"s.yaml": after.replace("NEW_NAME", new_name).replace("OLD_NAME", new_name)},
        destructive=False,
    )
    first = at_first_revision(pg, case, tmp_path, ROWS)
    root, db, url = first.root, first.db, first.url
    stems = [p.stem for p in revisions(root)]
    assert stems[-1].endswith("_online"), stems
    online = re.sub(r'"\s*\n\s*"', "", revisions(root)[-1].read_text())
    upgrade, downgrade = online.split("def downgrade() -> None:")
    assert "DROP INDEX CONCURRENTLY IF EXISTS uq_products_key_swap" in upgrade
    assert (
        "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS uq_products_key_swap ON products "
        "(store_id, variant, legacy)"
    ) in downgrade
    alembic(root, url, "upgrade", "head")
    assert uniques(pg, db) == f"{new_name} UNIQUE (store_id, variant)"
    errors: list[BaseException] = []

    def downgrade_all() -> None:
        try:
            alembic(root, url, "downgrade", first.heads[0])
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    libpq = pg.libpq_url(db)
    with psycopg.connect(libpq) as writer:
        writer.execute("INSERT INTO products (id, store_id) VALUES (50, 3)")
        worker = threading.Thread(target=downgrade_all)
        worker.start()
        pid = pg.wait_for(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND "
            f"wait_event_type = 'Lock' AND pid <> {writer.info.backend_pid}",
            db,
        )
        held = pg.sql(
            "SELECT string_agg(mode || CASE WHEN granted THEN '' ELSE ' (waits)' END, ', ') "
            f"FROM pg_locks WHERE pid = {pid} AND relation = 'products'::regclass",
            db,
        ).strip()
        read = _read(libpq)
        building = pg.sql(
            "SELECT coalesce((SELECT indisvalid::text FROM pg_index WHERE indexrelid = "
            "to_regclass('uq_products_key_swap')), 'none')",
            db,
        ).strip()
        writer.commit()
        worker.join(60)
    assert errors == [], errors
    assert held == "ShareUpdateExclusiveLock", held
    assert building == "false"
    assert read == 5
    assert uniques(pg, db) == f"{old_name} UNIQUE {old_columns}"
    assert pg.sql("SELECT count(*) FROM pg_index WHERE NOT indisvalid", db).strip() == "0"
    assert pg.sql("SELECT to_regclass('uq_products_key_swap') IS NULL", db).strip() == "t"
    assert_matches_models(pg, db, first.models_before, [], "downgrade")
    assert pg.sql("SELECT count(*) FROM products", db).strip() == "6"
    # and up again: the online revision's upgrade finds nothing left to drop
    alembic(root, url, "upgrade", "head")
    assert uniques(pg, db) == f"{new_name} UNIQUE (store_id, variant)"
