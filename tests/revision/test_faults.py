"""Revisions that fail part-way on a database holding rows, then are fixed and rerun.

Each test migrates a real schema change (``schemagen migrate``), fills the table
with rows that break it (or holds a lock, or kills the backend), and asserts:

- ``alembic upgrade head`` (or ``downgrade``) fails with a message naming the cause;
- the database is at a revision of the project: the previous one, or one from
  which a plain rerun continues (the transactional part is committed whole and
  recorded, the online part is idempotent);
- once the data or lock is fixed, a plain rerun reaches exactly the models
  (normalized ``pg_dump`` and Alembic's comparison);
- no INVALID index is left, and ``schemagen check --database`` is clean.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from migration_harness import (
    BOOKS_ENTRIES,
    JANUARY,
    Case,
    alembic,
    assert_matches_models,
    generate,
    revisions,
    schemagen,
    scratch_database,
)
from pgcluster import PgCluster

INVALID_INDEXES = "SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid"


def _schema(columns: str, extra: str = "") -> dict[str, str]:
    text = (
        "database:\n  name: faults\nentities:\n  Product:\n    columns:\n"
        "      id: {type: bigint, primary_key: true}\n" + columns + extra
    )
    return {"schema.yaml": text}


class Scene:
    """A project whose revision 000 is applied to an empty scratch database."""

    def __init__(self, pg: PgCluster, root: Path, case: Case) -> None:
        self.pg, self.root, self.case = pg, root, case
        self.models_before, self.models_after = generate(case, root)
        self.db = scratch_database(pg, "mig")
        self.url = pg.url(self.db)
        self.heads = [p.name.split("_", 1)[0] for p in revisions(root)]
        alembic(root, self.url, "upgrade", "000")

    def sql(self, statement: str) -> str:
        return self.pg.sql(statement, self.db).strip()

    def version(self) -> str:
        return self.sql("SELECT version_num FROM alembic_version")

    def fails(self, action: str, target: str, cause: str) -> str:
        """Run ``alembic action target``; it must fail naming ``cause``; return the version."""
        with pytest.raises(sa.exc.DBAPIError) as info:
            alembic(self.root, self.url, action, target)
        assert re.search(cause, str(info.value), re.S), str(info.value)
        version = self.version()
        assert version in self.heads, version
        return version

    def reaches(self, action: str, target: str, models: Path, label: str) -> None:
        """A plain rerun completes and the database equals ``models`` exactly."""
        alembic(self.root, self.url, action, target)
        assert self.version() == (self.heads[-1] if target == "head" else target)
        extensions: list[str] = []
        assert_matches_models(self.pg, self.db, models, extensions, label)
        assert self.sql(INVALID_INDEXES) == ""

    def check_clean(self) -> None:
        out = schemagen(self.root, "check", "--database", self.url)
        assert out.startswith("check OK"), out


def _run_fault(
    pg: PgCluster,
    tmp_path: Path,
    case: Case,
    *,
    rows: str,
    cause: str,
    fix: str,
    down_break: str | None = None,
    down_cause: str = "",
    down_fix: str = "",
    during: Callable[[Scene], None] | None = None,
    drift: str | None = None,
) -> Scene:
    """``drift``: what ``check --database`` must report (exit 1) while the failure stands."""
    scene = Scene(pg, tmp_path / "project", case)
    scene.sql(rows)
    if during is not None:
        during(scene)
    scene.fails("upgrade", "head", cause)
    if drift is not None:
        out = schemagen(scene.root, "check", "--database", scene.url, expect_exit=1)
        assert re.search(drift, out, re.S), out
    scene.sql(fix)
    scene.reaches("upgrade", "head", scene.models_after, f"{case.name} upgrade")
    scene.check_clean()
    if down_break is not None:
        scene.sql(down_break)
        scene.fails("downgrade", "000", down_cause)
        scene.sql(down_fix)
    scene.reaches("downgrade", "000", scene.models_before, f"{case.name} downgrade")
    return scene


SKU = "      sku: {type: string, length: 32}\n"


def test_duplicate_rows_under_a_new_unique_index_next_to_a_new_column(
    pg: PgCluster, tmp_path: Path
) -> None:
    """The legacy index is dropped concurrently first (its own revision), the new
    column commits with its revision; the rows are searched for repeated keys before
    the concurrent unique build, so the failure names the index and a query for
    them (PostgreSQL's failed build named one key value and left an INVALID index);
    the rerun builds it. Downgrade: the dropped index is rebuilt concurrently once
    its column is back."""
    before = _schema(SKU + "      legacy: {type: text, nullable: true}\n",
                     "    indexes:\n      ix_products_legacy: [legacy]\n")
    after = _schema(
        SKU + "      note: {type: text, nullable: true}\n",
        "    indexes:\n      ux_products_sku: {columns: [sku], unique: true}\n",
    )
    case = Case("unique_index_dupes", before, after, destructive=True)
    scene = _run_fault(
        pg, tmp_path, case,
        rows="INSERT INTO products (id, sku, legacy) VALUES (1, 'a', 'x'), (2, 'a', 'x')",
        cause=r"cannot build unique index ux_products_sku on products: rows repeat \(sku\)"
        r".*list them",
        fix="UPDATE products SET sku = 'b' WHERE id = 2",
    )
    assert scene.heads == ["000", "001", "002", "003"]
    assert [p.name for p in revisions(scene.root)][1] == "001_after_drops.py"


def test_downgrade_rebuilding_a_dropped_unique_index_fails_then_completes(
    pg: PgCluster, tmp_path: Path
) -> None:
    before = _schema(SKU, "    indexes:\n      ux_products_sku: {columns: [sku], unique: true}\n")
    after = _schema(SKU)
    case = Case("unique_index_dropped", before, after, destructive=False)
    scene = Scene(pg, tmp_path / "project", case)
    scene.sql("INSERT INTO products (id, sku) VALUES (1, 'a')")
    scene.reaches("upgrade", "head", scene.models_after, "upgrade")
    scene.sql("INSERT INTO products (id, sku) VALUES (2, 'a')")
    # searched before the build: the index and the rows named, no INVALID index left
    cause = r"cannot build unique index ux_products_sku on products: rows repeat \(sku\)"
    assert scene.fails("downgrade", "000", cause) == "001"
    assert scene.sql(INVALID_INDEXES) == ""
    scene.sql("DELETE FROM products WHERE id = 2")
    scene.reaches("downgrade", "000", scene.models_before, "downgrade")


def test_duplicate_rows_under_a_new_unique_constraint(pg: PgCluster, tmp_path: Path) -> None:
    """Built as a concurrent unique index, attached with USING INDEX: the rows are
    searched for repeated keys first, and the error names the constraint and a query
    for them (PostgreSQL's failed build names one key value, and leaves an INVALID
    index); the rerun builds and attaches it."""
    case = Case(
        "unique_constraint_dupes",
        _schema(SKU),
        _schema("      sku: {type: string, length: 32, unique: true}\n"),
        destructive=False,
    )
    scene = _run_fault(
        pg, tmp_path, case,
        rows="INSERT INTO products (id, sku) VALUES (1, 'a'), (2, 'a'), (3, 'b')",
        cause=r"cannot add unique uq_products_sku to products: rows repeat \(sku\).*list them",
        fix="DELETE FROM products WHERE id = 2",
    )
    assert scene.heads == ["000", "001"]


def test_repeated_rows_under_a_primary_key_added_to_a_keyless_table(
    pg: PgCluster, tmp_path: Path
) -> None:
    """primary_key: false removed from a log holding repeated rows: migrate refuses
    the change without --allow-destructive; the upgrade then stops before the ALTER
    with a message naming the key, the table, the columns and one repeated value
    (PostgreSQL's own "could not create unique index" names none of them), and check
    --database reports the missing key; once the repeat is gone the rerun adds it."""
    log = "database:\n  name: faults\nentities:\n  Event:\n%s    columns:\n" + (
        "      id: {type: bigint%s}\n      note: {type: text, nullable: true}\n"
    )
    case = Case(
        "keyless_key_dupes",
        {"s.yaml": log % ("    primary_key: false\n", "")},
        {"s.yaml": log % ("", ", primary_key: true, identity: false")},
        destructive=True,
    )
    scene = _run_fault(
        pg, tmp_path, case,
        rows="INSERT INTO events (id, note) VALUES (1, 'a'), (2, 'b'), (2, 'b'), (3, NULL)",
        cause=r"cannot add primary key pk_events to events: more than one row has \(id\) = 2"
        r".*HINT:  delete or change those rows \(or keep primary_key: false\)",
        fix="DELETE FROM events WHERE ctid = (SELECT max(ctid) FROM events WHERE id = 2)",
        drift=r"primary key of events: missing from the database",
    )
    assert scene.sql("SELECT string_agg(id::text, ',' ORDER BY id) FROM events") == "1,2,3"


PRICE = "      price: {type: integer, nullable: true}\n"


def test_rows_that_break_a_new_check(pg: PgCluster, tmp_path: Path) -> None:
    """Added NOT VALID (new rows are checked at once), then VALIDATE fails on the old
    rows; the rerun skips the add (the constraint exists) and validates."""
    case = Case(
        "check_violated",
        _schema(PRICE),
        _schema(PRICE, "    checks:\n      ck_products_price: \"price >= 0\"\n"),
        destructive=False,
    )
    _run_fault(
        pg, tmp_path, case,
        rows="INSERT INTO products (id, price) VALUES (1, 5), (2, -1)",
        cause=r"check constraint \"ck_products_price\".*is violated by some row",
        fix="UPDATE products SET price = 0 WHERE price < 0",
        drift=r"check constraint ck_products_price on products: is NOT VALID.*"
        r"VALIDATE CONSTRAINT ck_products_price",
    )


def test_rows_that_break_a_new_foreign_key(pg: PgCluster, tmp_path: Path) -> None:
    store = "  Store:\n    columns:\n      id: {type: bigint, primary_key: true}\n"
    before = _schema("      store_id: {type: bigint}\n")
    after = _schema("      store_id: {references: Store}\n")
    before["schema.yaml"] += store
    after["schema.yaml"] += store
    case = Case("fk_violated", before, after, destructive=False)
    _run_fault(
        pg, tmp_path, case,
        rows="INSERT INTO stores VALUES (1); INSERT INTO products VALUES (1, 1), (2, 7)",
        cause=r"violates foreign key constraint \"fk_products_store_id_stores\".*"
        r"\(store_id\)=\(7\) is not present",
        fix="UPDATE products SET store_id = 1 WHERE store_id = 7",
        drift=r"foreign key fk_products_store_id_stores on products: is NOT VALID",
    )


def _rename_drop(code_before: str, code_after: str) -> tuple[dict[str, str], dict[str, str]]:
    """A change that renames title to name, drops legacy and changes code's type."""
    before = _schema(
        "      title: {type: text}\n      legacy: {type: text, nullable: true}\n"
        f"      code: {code_before}\n"
    )
    return before, _schema(
        f"      name: {{type: text, renamed_from: title}}\n      code: {code_after}\n"
    )


COLUMNS = (
    "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute "
    "WHERE attrelid = 'products'::regclass AND attnum > 0 AND NOT attisdropped"
)


def test_failure_in_a_revision_that_also_renames_and_drops_rolls_it_all_back(
    pg: PgCluster, tmp_path: Path
) -> None:
    """The cast of a retyped column fails after a rename and a drop of the same
    revision: the whole transaction rolls back, nothing is half done."""
    before, after = _rename_drop("{type: text}", '{type: integer, using: "code::integer"}')
    case = Case("rename_drop_cast", before, after, destructive=True)
    scene = Scene(pg, tmp_path / "project", case)
    scene.sql("INSERT INTO products VALUES (1, 'a', 'x', '12'), (2, 'b', NULL, 'twelve')")
    assert scene.fails("upgrade", "head", r'invalid input syntax for type integer: "twelve"') == (
        "000"
    )
    assert scene.sql(COLUMNS) == "id,title,legacy,code"
    scene.sql("UPDATE products SET code = '12' WHERE id = 2")
    scene.reaches("upgrade", "head", scene.models_after, "upgrade")
    assert scene.sql("SELECT string_agg(name || code, ',' ORDER BY id) FROM products") == (
        "a12,b12"
    )
    scene.check_clean()
    scene.reaches("downgrade", "000", scene.models_before, "downgrade")


def _set_lock_timeout(scene: Scene, value: str) -> None:
    pyproject = scene.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f'lock_timeout = "{value}"\n')
    schemagen(scene.root, "build")


def test_lock_timeout_while_another_session_holds_a_lock(pg: PgCluster, tmp_path: Path) -> None:
    """A long transaction reading the table: the ALTER waits lock_timeout, fails
    naming it, and the database stays at the previous revision, up and down."""
    case = Case(
        "lock_timeout",
        _schema(SKU),
        _schema(SKU + "      note: {type: text, nullable: true}\n"),
        destructive=False,
    )
    scene = Scene(pg, tmp_path / "project", case)
    _set_lock_timeout(scene, "300ms")
    with psycopg.connect(pg.libpq_url(scene.db)) as reader:
        reader.execute("SELECT count(*) FROM products")  # holds ACCESS SHARE until rollback
        started = time.monotonic()
        assert scene.fails("upgrade", "head", "canceling statement due to lock timeout") == "000"
        assert time.monotonic() - started < 5
        reader.rollback()
    scene.reaches("upgrade", "head", scene.models_after, "upgrade")
    scene.check_clean()
    with psycopg.connect(pg.libpq_url(scene.db)) as reader:
        reader.execute("SELECT count(*) FROM products")
        assert scene.fails("downgrade", "000", "canceling statement due to lock timeout") == "001"
        reader.rollback()
    scene.reaches("downgrade", "000", scene.models_before, "downgrade")


UNIQUE_SKU = "    indexes:\n      ux_products_sku: {columns: [sku], unique: true}\n"


@pytest.mark.parametrize("direction", ["upgrade", "downgrade"])
def test_backend_terminated_during_a_concurrent_index_build(
    pg: PgCluster, tmp_path: Path, direction: str
) -> None:
    """pg_terminate_backend while CREATE UNIQUE INDEX CONCURRENTLY waits for an old
    writer (the upgrade builds the index; the downgrade builds it back): the
    connection dies, an INVALID index stays; the rerun replaces it."""
    with_index, without = _schema(SKU, UNIQUE_SKU), _schema(SKU)
    up = direction == "upgrade"
    case = Case(f"terminated_{direction}", without if up else with_index,
                with_index if up else without, destructive=False)
    scene = Scene(pg, tmp_path / "project", case)
    target, models, before = ("head", scene.models_after, "000") if up else (
        "000", scene.models_before, "001"
    )
    if not up:
        scene.reaches("upgrade", "head", scene.models_after, "upgrade")
    scene.sql("INSERT INTO products SELECT g, 'sku' || g FROM generate_series(1, 1000) g")
    errors: list[BaseException] = []

    def migrate() -> None:
        try:
            alembic(scene.root, scene.url, direction, target)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    with psycopg.connect(pg.libpq_url(scene.db)) as writer:
        writer.execute("UPDATE products SET sku = sku WHERE id = 1")  # an old writer
        worker = threading.Thread(target=migrate)
        worker.start()
        pid = _wait_for(scene, "SELECT pid FROM pg_stat_activity WHERE query LIKE "
                        "'CREATE UNIQUE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'")
        scene.sql(f"SELECT pg_terminate_backend({pid})")
        worker.join(30)
        writer.rollback()
    assert errors and "terminating connection" in str(errors[0]), errors
    assert scene.version() == before
    assert scene.sql(INVALID_INDEXES) == "ux_products_sku"
    out = schemagen(scene.root, "check", "--database", scene.url, expect_exit=1)
    assert "index ux_products_sku on products: is INVALID" in out
    assert "DROP INDEX CONCURRENTLY public.ux_products_sku" in out  # how to repair it
    scene.reaches(direction, target, models, f"{direction} rerun")
    if up:
        scene.check_clean()
        scene.reaches("downgrade", "000", scene.models_before, "downgrade")


def _wait_for(scene: Scene, query: str) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        found = scene.sql(query)
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"nothing matched {query!r}")


#: A constraint (or NOT NULL) the upgrade drops, which the downgrade adds back the
#: lock-safe way: the column before, the rest of the table before, the rows that
#: break it once it is gone, the error naming them, and what check --database says.
STORE = "  Store:\n    columns:\n      id: {type: bigint, primary_key: true}\n"
DROPPED = {
    "unique": (
        "      sku: {type: string, length: 32, unique: true}\n", "",
        "INSERT INTO products VALUES (1, 'a'), (2, 'a')",
        r"cannot add unique uq_products_sku to products: rows repeat \(sku\).*list them with: "
        r"SELECT \* FROM products WHERE sku IN \(SELECT sku FROM products GROUP BY sku HAVING "
        r"count\(\*\) > 1\)",
        None,  # found before the build: no INVALID index is left, nothing drifted
    ),
    "check": (
        SKU, "    checks:\n      ck_products_sku: \"sku <> ''\"\n",
        "INSERT INTO products VALUES (1, '')",
        r"check constraint \"ck_products_sku\".*is violated by some row",
        "check constraint ck_products_sku on products: is NOT VALID",
    ),
    "foreign_key": (
        "      sku: {references: Store, type: bigint}\n", STORE,
        "INSERT INTO stores VALUES (1); INSERT INTO products VALUES (1, 1), (2, 7)",
        r"violates foreign key constraint \"fk_products_sku_stores\".*\(sku\)=\(7\)",
        "foreign key fk_products_sku_stores on products: is NOT VALID",
    ),
    "not_null": (
        "      sku: {type: string, length: 32}\n", "",
        "INSERT INTO products VALUES (1, NULL)",
        r"check constraint \"schemagen_not_null_sku\".*is violated by some row",
        "check constraint schemagen_not_null_sku on products: is NOT VALID",
    ),
}
NULLABLE_SKU = "      sku: {type: string, length: 32, nullable: true}\n"


@pytest.mark.parametrize("kind", sorted(DROPPED))
def test_downgrade_adding_back_a_dropped_constraint_is_lock_safe_and_resumable(
    pg: PgCluster, tmp_path: Path, kind: str
) -> None:
    """The drop is a revision of its own before the main one, so its downgrade adds
    the constraint back after the main downgrade, outside a transaction, the way
    the upgrade adds new ones. Rows that break it stop the downgrade at head with
    the half-built object reported (a unique's repeated rows are found before its
    index is built: none); once fixed, a plain rerun completes."""
    column, extra, rows, cause, drift = DROPPED[kind]
    before = _schema(column, extra)
    after = _schema(column.replace("references: Store, ", "") if kind == "foreign_key"
                    else NULLABLE_SKU if kind == "not_null" else SKU,
                    STORE if kind == "foreign_key" else "")
    case = Case(f"dropped_{kind}", before, after, destructive=False)
    scene = Scene(pg, tmp_path / "project", case)
    assert [p.name.split("_", 1)[1] for p in revisions(scene.root)][1:] == ["after_drops.py"]
    downgrade = revisions(scene.root)[-1].read_text().split("def downgrade")[1]
    downgrade = re.sub(r'"\s+"', "", downgrade)  # string literals split over lines
    recipe = "CONCURRENTLY" if kind == "unique" else "NOT VALID"
    assert "autocommit_block" in downgrade and recipe in downgrade, downgrade
    scene.reaches("upgrade", "head", scene.models_after, "upgrade")
    scene.check_clean()
    scene.sql(rows)
    assert scene.fails("downgrade", "000", cause) == scene.heads[-1]
    out = schemagen(scene.root, "check", "--database", scene.url, expect_exit=1 if drift else 0)
    assert drift in out if drift else out.startswith("check OK"), out
    scene.sql("DELETE FROM products WHERE id = 2" if kind in ("unique", "foreign_key")
              else "UPDATE products SET sku = 'x'")
    scene.reaches("downgrade", "000", scene.models_before, "downgrade")


@pytest.mark.parametrize("direction", ["upgrade", "downgrade"])
def test_lock_timeout_in_an_online_step_is_resumable(
    pg: PgCluster, tmp_path: Path, direction: str
) -> None:
    """A reader holds ACCESS SHARE: ADD CONSTRAINT ... NOT VALID (the upgrade adds the
    check; the downgrade adds a dropped one back) waits lock_timeout and fails naming
    it. The database stays at a revision of the project; once the reader is gone, a
    plain rerun completes and nothing is left half-built."""
    with_check = _schema(PRICE, "    checks:\n      ck_products_price: \"price >= 0\"\n")
    up = direction == "upgrade"
    case = Case(f"online_lock_{direction}", _schema(PRICE) if up else with_check,
                with_check if up else _schema(PRICE), destructive=False)
    scene = Scene(pg, tmp_path / "project", case)
    _set_lock_timeout(scene, "300ms")
    target, models = ("head", scene.models_after) if up else ("000", scene.models_before)
    if not up:
        scene.reaches("upgrade", "head", scene.models_after, "upgrade")
    scene.sql("INSERT INTO products VALUES (1, 5), (2, NULL)")
    with psycopg.connect(pg.libpq_url(scene.db)) as reader:
        reader.execute("SELECT count(*) FROM products")  # holds ACCESS SHARE until rollback
        started = time.monotonic()
        stuck = scene.fails(direction, target, "canceling statement due to lock timeout")
        assert time.monotonic() - started < 5
        reader.rollback()
    assert stuck == ("000" if up else "001")
    assert "ck_products_price" not in scene.sql("SELECT string_agg(conname, ',') FROM "
                                                 "pg_constraint WHERE contype = 'c'")
    scene.reaches(direction, target, models, f"{direction} rerun")
    if up:
        scene.check_clean()


def test_failure_in_the_middle_of_a_downgrade_that_renames_and_drops_rolls_it_all_back(
    pg: PgCluster, tmp_path: Path
) -> None:
    """The downgrade renames back, adds the dropped column back and narrows a widened
    one: the narrowing fails on a long value after the rest ran, the transaction
    rolls back whole, and the database stays at head until the value is fixed."""
    before, after = _rename_drop("{type: string, length: 5}", "{type: string, length: 50}")
    case = Case("rename_drop_narrow_down", before, after, destructive=True)
    scene = Scene(pg, tmp_path / "project", case)
    scene.sql("INSERT INTO products VALUES (1, 'a', 'x', '12')")
    scene.reaches("upgrade", "head", scene.models_after, "upgrade")
    scene.sql("INSERT INTO products VALUES (2, 'b', 'longer-than-five')")
    cause = r"value too long for type character varying\(5\)"
    assert scene.fails("downgrade", "000", cause) == "001"
    assert scene.sql(COLUMNS) == "id,name,code"
    scene.check_clean()
    scene.sql("UPDATE products SET code = 'short' WHERE id = 2")
    scene.reaches("downgrade", "000", scene.models_before, "downgrade")
    assert scene.sql("SELECT string_agg(title || code, ',' ORDER BY id) FROM products") == (
        "a12,bshort"
    )


PENDING = "SELECT string_agg(inhrelid::regclass::text, ',') FROM pg_inherits WHERE inhdetachpending"


def test_concurrent_detach_interrupted_is_finished_by_the_rerun(
    pg: PgCluster, tmp_path: Path
) -> None:
    """A reader holds the partitioned table: DETACH PARTITION ... CONCURRENTLY commits
    its first step, waits for the reader, times out and leaves the partition "detach
    pending". The other partition takes writes meanwhile; once the reader is gone,
    a plain rerun finishes the detach (FINALIZE, not a second detach) and the drop."""
    case = Case("detach", {"s.yaml": BOOKS_ENTRIES % JANUARY}, {"s.yaml": BOOKS_ENTRIES % ""},
                destructive=True)  # fmt: skip
    scene = Scene(pg, tmp_path / "project", case)
    _set_lock_timeout(scene, "300ms")
    scene.sql("INSERT INTO books.entries VALUES (1, '2026-01-15'), (2, '2026-02-15')")
    with psycopg.connect(pg.libpq_url(scene.db)) as reader:
        reader.execute("SELECT count(*) FROM books.entries")  # ACCESS SHARE until rollback
        scene.fails("upgrade", "head", "canceling statement due to lock timeout")
        assert scene.sql(PENDING) == "books.entries_2026_01"
        scene.sql("INSERT INTO books.entries VALUES (3, '2026-02-20')")  # not blocked
        reader.rollback()
    scene.reaches("upgrade", "head", scene.models_after, "upgrade rerun")
    assert scene.sql(PENDING) == ""
    assert scene.sql("SELECT string_agg(id::text, ',' ORDER BY id) FROM books.entries") == "2,3"
    scene.check_clean()
    scene.reaches("downgrade", "000", scene.models_before, "downgrade")
