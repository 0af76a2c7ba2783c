"""The revision history on disk: verification errors say what to do, and nothing is written."""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

import pytest
from schema_fixtures import col, products, schema, stores, string
from schemagen.config import Project, load_project
from schemagen.errors import MigrationError
from schemagen.model.schema import Schema
from schemagen.revision.commands import migrate, rehash
from schemagen.revision.history import load_history, sha256


def _project(tmp_path: Path) -> Project:
    (tmp_path / "pyproject.toml").write_text('[tool.schemagen]\nschema = "schema"\n')
    (tmp_path / "schema").mkdir()
    return load_project(tmp_path)


def _two_revisions(project: Project) -> None:
    migrate(project, schema(stores()), "initial schema")
    migrate(project, schema(stores(), products()), "add products")


def _files(project: Project) -> dict[str, bytes]:
    root = project.migrations_dir
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _add_column(project: Project) -> Schema:
    store = stores()
    extra = dataclasses.replace(store, columns=(*store.columns, col("x", string(5), nullable=True)))
    return schema(extra, products())


def test_history_lists_revisions_in_order(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _two_revisions(project)
    history = load_history(project)
    assert [(r.id, r.slug, r.down_revision) for r in history.revisions] == [
        ("000", "initial_schema", None),
        ("001", "add_products", "000"),
    ]
    assert history.head is not None and history.head.id == "001"
    assert [e.table for e in history.head.snapshot.entities] == ["products", "stores"]
    assert history.next_id == "002"


def _assert_refused(project: Project, needle: str) -> None:
    before = _files(project)
    with pytest.raises(MigrationError) as err:
        migrate(project, _add_column(project), "more")
    assert needle in str(err.value)
    assert _files(project) == before  # nothing written


def test_hand_edited_revision_is_reported_and_rehash_accepts_it(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _two_revisions(project)
    rev = next(project.versions_dir.glob("001_*.py"))
    rev.write_text(rev.read_text().replace("def upgrade() -> None:\n",
                                           "def upgrade() -> None:\n    # reviewed\n"))
    _assert_refused(project, "edited by hand")
    assert "schemagen rehash" in _message(project)
    assert rehash(project) == ["wrote generated/migrations/schemagen.sum"]
    assert migrate(project, _add_column(project), "more").written


def _message(project: Project) -> str:
    with pytest.raises(MigrationError) as err:
        load_history(project)
    return str(err.value)


def test_snapshot_not_matching_its_revision_cannot_be_rehashed(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _two_revisions(project)
    snap = project.migrations_dir / "snapshots" / "001.json"
    snap.write_text(schema(stores()).to_json())
    _assert_refused(project, "does not match revision")
    with pytest.raises(MigrationError, match="does not match revision"):
        rehash(project)


def test_snapshot_without_its_revision_is_reported(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _two_revisions(project)
    stray = project.migrations_dir / "snapshots" / "002.json"
    stray.write_text(schema(stores()).to_json())
    _assert_refused(project, "snapshots/002.json belongs to no revision")
    assert "delete the snapshot" in _message(project)


def test_two_heads_are_reported(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _two_revisions(project)
    rev = next(project.versions_dir.glob("001_*.py"))
    shutil.copy(rev, project.versions_dir / "001_other_branch.py")
    _assert_refused(project, "two heads")
    message = _message(project)  # what to do: keep one, rehash, migrate the other again
    assert "001_other_branch.py" in message and "schemagen rehash" in message
    assert "schemagen migrate" in message


def test_gap_is_reported(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _two_revisions(project)
    migrate(project, _add_column(project), "third")
    next(project.versions_dir.glob("001_*.py")).unlink()
    message = _message(project)
    assert "gap" in message and "001" in message


def test_stray_python_file_in_versions_is_reported(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _two_revisions(project)
    (project.versions_dir / "helpers.py").write_text("x = 1\n")
    assert "not a schemagen revision" in _message(project)


def test_missing_sum_file_is_reported(tmp_path: Path) -> None:
    project = _project(tmp_path)
    _two_revisions(project)
    (project.migrations_dir / "schemagen.sum").unlink()
    assert "schemagen.sum is missing" in _message(project)


def test_empty_history(tmp_path: Path) -> None:
    project = _project(tmp_path)
    history = load_history(project)
    assert history.revisions == () and history.head is None and history.next_id == "000"


REPO = Path(__file__).resolve().parents[2]


def test_flagship_history_verifies_and_regenerates_byte_for_byte(tmp_path: Path) -> None:
    """The committed history is what scripts/flagship_history.py writes from schema/
    (if this fails after a schema edit: run the script and commit generated/migrations)."""
    import sys

    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import flagship_history
    finally:
        sys.path.remove(str(REPO / "scripts"))
    history = load_history(load_project(REPO))
    assert [(r.id, r.slug) for r in history.revisions] == [
        ("000", "initial_schema"), ("001", "add_performance_indexes_online"),
        ("002", "updated_at_kept_by_a_database_trigger"),
    ]
    copy = tmp_path / "repo"
    copy.mkdir()
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    shutil.copytree(REPO / "schema", copy / "schema")
    flagship_history.regenerate(copy)
    ours, committed = load_project(copy).migrations_dir, history.project.migrations_dir
    for name in ("versions/000_initial_schema.py", "versions/001_add_performance_indexes_online.py",
                 "versions/002_updated_at_kept_by_a_database_trigger.py",
                 "snapshots/002.json", "schemagen.sum"):
        assert (ours / name).read_bytes() == (committed / name).read_bytes(), name


#: The indexes the seed document lists as the key ones (README of the original project).
SEED_INDEXES = {
    ("stores", "idx_stores_shop_domain"), ("stores", "idx_stores_subscription_status"),
    ("products", "idx_products_store_status"), ("products", "idx_products_title_search"),
    ("product_variants", "idx_variants_sku"), ("product_variants", "idx_variants_product_id"),
}


def _flagship_schema_at(step: int, tmp_path: Path) -> Schema:
    """The flagship schema revision ``step`` was made from. Only the head keeps a
    snapshot, so it is rebuilt the way scripts/flagship_history.py made it, and
    proven by the snapshot hash that the revision recorded."""
    from schemagen.api import load_schema
    from schemagen.diff.snapshot import ddl_view, snapshot_text

    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import flagship_history
    finally:
        sys.path.remove(str(REPO / "scripts"))
    root = tmp_path / f"at_{step}"
    shutil.copytree(REPO / "schema", root / "schema")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    flagship_history.schema_at(step, root / "schema")
    schema = load_schema(load_project(root)).schema
    assert schema is not None
    revision = load_history(load_project(REPO)).revisions[step]
    assert sha256(snapshot_text(schema).encode()) == revision.snapshot_sha256
    return ddl_view(schema)


def test_flagship_002_adds_the_updated_at_triggers(tmp_path: Path) -> None:
    """Revision 002 is the database side of on_update: now: one trigger function,
    one BEFORE UPDATE trigger per table with the timestamps mixin, new comments."""
    from schemagen.diff.compare import diff
    from schemagen.operations.routines import CreateFunction, CreateTrigger

    third = load_history(load_project(REPO)).revisions[2]
    plan = diff(_flagship_schema_at(1, tmp_path), third.snapshot)
    functions = [op.function.identity for op in plan.operations if isinstance(op, CreateFunction)]
    tables = {e.table for e in third.snapshot.entities if e.has_column("updated_at")}
    triggers = {op.trigger.table for op in plan.operations if isinstance(op, CreateTrigger)}
    assert functions == ["schemagen_set_updated_at()"]
    assert triggers == tables and len(tables) >= 10


def test_flagship_001_adds_the_seed_and_declared_indexes_concurrently(tmp_path: Path) -> None:
    """Revision 001 is a real second change: only CREATE INDEX CONCURRENTLY, one per
    declared index that 000 lacks, the seed document's key indexes among them."""
    from schemagen.diff.compare import diff
    from schemagen.operations.plan import CreateIndex

    first_schema = _flagship_schema_at(0, tmp_path)
    second_schema = _flagship_schema_at(1, tmp_path)
    second = load_history(load_project(REPO)).revisions[1]
    plan = diff(first_schema, second_schema)
    assert plan.operations and all(
        isinstance(op, CreateIndex) and op.concurrently for op in plan.operations
    )
    added = {(op.table, op.index.name) for op in plan.operations}  # type: ignore[attr-defined]
    declared = {(e.table, ix.name) for e in second_schema.entities for ix in e.indexes}
    before = {(e.table, ix.name) for e in first_schema.entities for ix in e.indexes}
    assert added == declared - before
    assert SEED_INDEXES <= added
    text = second.path.read_text(encoding="utf-8")
    # Built and (in the downgrade) dropped concurrently, outside the transaction.
    assert text.count("postgresql_concurrently=True") == 2 * len(added)
    assert text.count("with op.get_context().autocommit_block():") == 2
    # Each build first drops an INVALID index of its name (left by a failed build).
    assert text.count("i.indisvalid") == len(added)
