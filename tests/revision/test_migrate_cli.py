"""``schemagen plan`` / ``migrate`` from the command line, on YAML projects."""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from schemagen.cli import main

BASE = """
database:
  name: shop
enums:
  ProductStatus:
    values: [active, draft]
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: string, length: 100}
      legacy: {type: text, nullable: true}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store, on_delete: cascade}
      title: {type: string, length: 255}
      status: {type: enum, enum: ProductStatus, default: active}
"""

CHANGED = """
database:
  name: shop
enums:
  ProductStatus:
    values: [active, paused, draft]
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: string, length: 100}
      legacy: {type: text, nullable: true}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store, on_delete: cascade}
      title: {type: string, length: 255}
      status: {type: enum, enum: ProductStatus, default: active}
    indexes:
      idx_products_title: [title]
"""


def _project(root: Path, yaml_text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[tool.schemagen]\nschema = "schema"\n')
    (root / "schema").mkdir(exist_ok=True)
    (root / "schema" / "shop.yaml").write_text(textwrap.dedent(yaml_text))
    return root


def run(root: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, [args[0], "--project", str(root), *args[1:]])
    assert result.exit_code == code, result.output
    return result.output


def _revisions(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "generated/migrations/versions").glob("*.py"))


def test_plan_writes_nothing_and_migrate_writes_revision_snapshot_sum(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", BASE)
    out = run(root, "plan")
    assert out.splitlines() == [
        "Plan for revision 000 (3 operations):",
        "  + enum product_status (active, draft)",
        "      no table lock",
        "  + table stores",
        "      lock ACCESS EXCLUSIVE, no scan",
        "  + table products",
        # its key locks the table it references too
        "      lock ACCESS EXCLUSIVE, no scan; SHARE ROW EXCLUSIVE on stores",
    ]
    assert not (root / "generated").exists()
    out = run(root, "migrate", "-m", "Initial schema!")
    assert "wrote generated/migrations/versions/000_initial_schema.py" in out
    assert _revisions(root) == ["000_initial_schema.py"]
    assert (root / "generated/migrations/snapshots/000.json").is_file()
    assert (root / "generated/migrations/schemagen.sum").is_file()
    assert (root / "generated/models.py").is_file()  # migrate also builds


def test_no_change_says_so_and_writes_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", BASE)
    run(root, "migrate", "-m", "initial")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    out = run(root, "migrate", "-m", "again")
    assert out.splitlines() == ["No changes: the schema matches revision 000.", "Nothing written."]
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before
    assert run(root, "plan").strip() == "No changes: the schema matches revision 000."


def test_revision_files_get_the_permissions_of_generated_files(tmp_path: Path) -> None:
    # mkstemp creates 0600 files; a revision must be readable like the rest.
    root = _project(tmp_path / "p", BASE)
    old_umask = os.umask(0o022)
    try:
        run(root, "migrate", "-m", "initial")
    finally:
        os.umask(old_umask)
    models = (root / "generated/models.py").stat().st_mode & 0o777
    written = [
        root / "generated/migrations/versions/000_initial.py",
        root / "generated/migrations/snapshots/000.json",
        root / "generated/migrations/schemagen.sum",
    ]
    assert [p.stat().st_mode & 0o777 for p in written] == [models] * 3
    assert models == 0o644


def test_second_change_is_written_as_enum_values_main_and_online_revisions(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path / "p", BASE)
    run(root, "migrate", "-m", "initial")
    (root / "schema/shop.yaml").write_text(textwrap.dedent(CHANGED))
    out = run(root, "migrate", "-m", "add performance indexes")
    assert "Plan for revisions 001-002 (2 operations):" in out
    assert "  revision 001: new enum values, committed before they are used" in out
    assert "    + enum value product_status.'paused' before 'draft'" in out
    assert "  revision 002: outside a transaction, one idempotent step at a time" in out
    assert "    + index idx_products_title on products (concurrently)" in out
    versions = root / "generated/migrations/versions"
    assert _revisions(root) == [
        "000_initial.py",
        "001_add_performance_indexes_enum_values.py",
        "002_add_performance_indexes_online.py",
    ]
    values = (versions / "001_add_performance_indexes_enum_values.py").read_text()
    assert 'revision: str = "001"' in values and 'down_revision: str | None = "000"' in values
    assert "ADD VALUE IF NOT EXISTS 'paused' BEFORE 'draft'" in values
    assert "autocommit_block" not in values  # in the revision's own transaction
    online = (versions / "002_add_performance_indexes_online.py").read_text()
    assert 'revision: str = "002"' in online and 'down_revision: str | None = "001"' in online
    assert "autocommit_block()" in online and "postgresql_concurrently=True" in online
    # migrate rebuilt what build writes: build and check find nothing left to do.
    assert "wrote generated/models.py" in out
    assert run(root, "build").strip().endswith("files up to date")
    assert run(root, "check").startswith("check OK")


def test_destructive_change_is_refused_then_marked(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", BASE)
    run(root, "migrate", "-m", "initial")
    (root / "schema/shop.yaml").write_text(
        textwrap.dedent(BASE).replace("      legacy: {type: text, nullable: true}\n", "")
    )
    out = run(root, "migrate", "-m", "drop legacy", code=1)
    assert "drops column stores.legacy" in out and "--allow-destructive" in out
    assert _revisions(root) == ["000_initial.py"]
    assert "Destructive (1): needs --allow-destructive" in run(root, "plan")
    out = run(root, "migrate", "-m", "drop legacy", "--allow-destructive")
    assert "needs --allow-destructive" not in out
    assert (
        "Destructive (1): allowed by --allow-destructive; the revision marks them "
        "'# DESTRUCTIVE'\n  ! drops column stores.legacy and its values\n" in out
    )
    text = (root / "generated/migrations/versions/001_drop_legacy.py").read_text()
    assert "    # DESTRUCTIVE: drops column stores.legacy and its values\n" in text


def test_a_renamed_from_that_matches_nothing_warns_then_migrate_refuses(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", BASE)
    run(root, "migrate", "-m", "initial")
    typo = textwrap.dedent(BASE).replace(
        "      legacy: {type: text, nullable: true}",
        "      notes: {type: text, nullable: true, renamed_from: legacyy}",
    )
    (root / "schema/shop.yaml").write_text(typo)
    message = (
        "entities.Store.columns.notes.renamed_from: Store.notes says renamed_from: legacyy, "
        "but the latest revision has no column Store.legacyy (did you mean 'legacy'?); notes "
        "is added as a new column"
    )
    out = run(root, "validate")
    assert f"schema/shop.yaml:12:43: warning: {message}\n" in out
    assert out.count("renamed_from") == 2  # the one warning (path and message)
    run(root, "validate", "--strict", code=2)
    out = run(root, "migrate", "-m", "rename", code=2)
    assert out == f"schema/shop.yaml:12:43: {message}\n"
    assert _revisions(root) == ["000_initial.py"]
    # A rename done in an earlier revision matches (the new name is in the snapshot).
    (root / "schema/shop.yaml").write_text(typo.replace("legacyy", "legacy"))
    run(root, "migrate", "-m", "rename")
    assert "renamed_from" not in run(root, "validate")


def test_a_refused_column_drop_and_add_suggests_the_renamed_from_line(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", BASE)
    run(root, "migrate", "-m", "initial")
    (root / "schema/shop.yaml").write_text(
        textwrap.dedent(BASE).replace("legacy: {type: text", "notes: {type: text")
    )
    out = run(root, "migrate", "-m", "rename", code=1)
    assert (
        "If stores.legacy was renamed to notes, add this line under "
        "entities.Store.columns.notes and run again:\n    renamed_from: legacy\n" in out
    )
    assert _revisions(root) == ["000_initial.py"]


def test_a_refused_table_drop_and_create_suggests_renamed_from(tmp_path: Path) -> None:
    base = textwrap.dedent(BASE) + (
        "  Note:\n    columns:\n      id: {type: bigint, primary_key: true}\n"
        "      body: {type: text}\n"
    )
    root = _project(tmp_path / "p", base)
    run(root, "migrate", "-m", "initial")
    (root / "schema/shop.yaml").write_text(base.replace("  Note:\n", "  Memo:\n"))
    out = run(root, "migrate", "-m", "rename", code=1)
    assert (
        "If entity Note was renamed to Memo, add this line under entities.Memo and run "
        "again:\n    renamed_from: Note\n" in out
    )


def test_revision_is_deterministic_and_ruff_clean(tmp_path: Path) -> None:
    texts = []
    for name in ("a", "b"):
        root = _project(tmp_path / name, BASE)
        run(root, "migrate", "-m", "initial")
        (root / "schema/shop.yaml").write_text(textwrap.dedent(CHANGED))
        run(root, "migrate", "-m", "second")
        texts.append([(root / "generated/migrations/versions" / n).read_text()
                      for n in _revisions(root)])
    assert texts[0] == texts[1]
    versions = tmp_path / "a/generated/migrations/versions"
    for argv in (["ruff", "check", "--no-cache", "--isolated", "--select", "E,F,W,I,B,UP",
                  "--line-length", "100"],
                 ["ruff", "format", "--check", "--no-cache", "--isolated"]):
        proc = subprocess.run([*argv, str(versions)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("edit", ["hand_edit", "two_heads"])
def test_broken_history_is_a_clear_error_and_nothing_written(tmp_path: Path, edit: str) -> None:
    root = _project(tmp_path / "p", BASE)
    run(root, "migrate", "-m", "initial")
    rev = root / "generated/migrations/versions/000_initial.py"
    if edit == "hand_edit":
        rev.write_text(rev.read_text() + "\n# tweak\n")
    else:
        (rev.parent / "000_other.py").write_text(rev.read_text())
    (root / "schema/shop.yaml").write_text(textwrap.dedent(CHANGED))
    out = run(root, "migrate", "-m", "second", code=2)
    assert ("schemagen rehash" in out) if edit == "hand_edit" else ("two heads" in out)
    assert "Traceback" not in out
    assert not list(rev.parent.glob("001_*.py"))


# --- on PostgreSQL, through the proofs harness (upgrade, compare, downgrade) -----------

ENUM_BEFORE = {
    "database": {"name": "shop"},
    "enums": {"Status": {"values": ["active", "paused", "archived"]}},
    "entities": {
        "Item": {
            "columns": {
                "id": {"type": "bigint", "primary_key": True},
                "status": {"type": "enum", "enum": "Status", "default": "active"},
                "title": {"type": "string", "length": 50},
            },
            "checks": {"ck_items_not_archived_untitled": "status <> 'archived' OR title <> ''"},
            "indexes": {"idx_items_active_title": {"columns": ["title"],
                                                   "where": "status = 'active'"}},
        }
    },
}


def test_enum_value_removed_under_a_partial_index_and_a_check(pg: object, tmp_path: Path) -> None:
    """The swap drops and re-creates the partial index and the check that compare
    the column with enum literals (PostgreSQL cannot carry them across types)."""
    import copy

    from migration_harness import Case, Check, prove

    after = copy.deepcopy(ENUM_BEFORE)
    after["enums"]["Status"]["values"] = ["active", "archived"]  # type: ignore[index]
    case = Case.from_dicts(
        "enum_value_removed_partial_index", ENUM_BEFORE, after,
        destructive=True,
        setup=["INSERT INTO items (status, title) VALUES ('active', 'a'), ('archived', 'b')"],
        check_after=[Check("SELECT string_agg(status::text, ',' ORDER BY id) FROM items",
                           "active,archived")],
        check_down=[Check("SELECT count(*) FROM items", "2")],
    )
    prove(pg, case, tmp_path / "project")  # type: ignore[arg-type]


def test_table_and_column_renamed_with_enum_value_added(pg: object, tmp_path: Path) -> None:
    import copy

    from migration_harness import Case, Check, prove

    after = copy.deepcopy(ENUM_BEFORE)
    after["enums"]["Status"]["values"] = ["draft", "active", "paused", "archived"]  # type: ignore[index]
    item = after["entities"].pop("Item")  # type: ignore[attr-defined]
    item["renamed_from"] = "Item"
    item["columns"]["name"] = dict(item["columns"].pop("title"), renamed_from="title")
    item["checks"] = {"ck_products_not_archived_untitled": "status <> 'archived' OR name <> ''"}
    item["indexes"] = {"idx_products_active_name": {"columns": ["name"],
                                                    "where": "status = 'active'"}}
    after["entities"]["Product"] = item  # type: ignore[index]
    case = Case.from_dicts(
        "rename_with_enum_value", ENUM_BEFORE, after,
        destructive=False,
        setup=["INSERT INTO items (status, title) VALUES ('paused', 'a')"],
        check_after=[Check("INSERT INTO products (name) VALUES ('b') RETURNING id", "2")],
        check_down=[Check("SELECT string_agg(title, ',' ORDER BY id) FROM items", "a,b")],
    )
    prove(pg, case, tmp_path / "project")  # type: ignore[arg-type]


def test_hostile_message_stays_in_the_docstring(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", BASE)
    message = 'Fix """quotes""" and \\ backslashes\nsecond line; import os'
    run(root, "migrate", "-m", message)
    (rev,) = (root / "generated/migrations/versions").glob("*.py")
    assert rev.name == "000_fix_quotes_and_backslashes_second_line_import_os.py"
    import ast

    tree = ast.parse(rev.read_text())
    assert (ast.get_docstring(tree) or "").startswith(message)
    assert run(root, "plan").startswith("No changes")


def test_primary_key_moved_off_dropped_columns(pg: object, tmp_path: Path) -> None:
    """The old key is dropped before its columns, the new one added after its column."""
    from migration_harness import Case, Check, prove

    before = {"database": {"name": "shop"}, "entities": {"Link": {"columns": {
        "a": {"type": "bigint", "primary_key": True},
        "b": {"type": "bigint", "primary_key": True},
        "note": {"type": "text", "nullable": True},
    }}}}
    after = {"database": {"name": "shop"}, "entities": {"Link": {"columns": {
        "id": {"type": "bigint", "primary_key": True},
        "note": {"type": "text", "nullable": True},
    }}}}
    case = Case.from_dicts(
        "pk_moved", before, after, destructive=True,
        # No rows: the downgrade adds a and b back NOT NULL without a default.
        check_after=[Check("SELECT count(*) FROM links", "0")],
    )
    prove(pg, case, tmp_path / "project")  # type: ignore[arg-type]


DESTRUCTIVE_EDITS = {
    "drop table": (
        lambda y: y.split("  Product:\n")[0],
        "drops table products and its rows",
    ),
    "drop column": (
        lambda y: y.replace("      legacy: {type: text, nullable: true}\n", ""),
        "drops column stores.legacy and its values",
    ),
    "drop enum": (
        lambda y: y.replace("enums:\n  ProductStatus:\n    values: [active, draft]\n", "").replace(
            "{type: enum, enum: ProductStatus, default: active}",
            "{type: string, length: 20, default: active}",
        ),
        "drops enum type product_status",
    ),
    "drop enum value": (
        lambda y: y.replace("values: [active, draft]", "values: [active]"),
        "removes value(s) 'draft' from enum product_status",
    ),
    "narrow a type": (
        lambda y: y.replace("string, length: 100}", "string, length: 20}"),
        "narrows stores.name from character varying(100) to character varying(20)",
    ),
    "NOT NULL without default": (
        lambda y: y.replace("legacy: {type: text, nullable: true}", "legacy: {type: text}"),
        "sets NOT NULL on stores.legacy, which has no default",
    ),
    "new NOT NULL column without default": (
        lambda y: y.replace("      legacy:", "      email: {type: text}\n      legacy:"),
        "adds NOT NULL column stores.email without a default",
    ),
}


@pytest.mark.parametrize("edit", sorted(DESTRUCTIVE_EDITS))
def test_each_data_losing_change_is_refused_with_its_reason_then_marked(
    tmp_path: Path, edit: str
) -> None:
    change, reason = DESTRUCTIVE_EDITS[edit]
    root = _project(tmp_path / "p", BASE)
    run(root, "migrate", "-m", "initial")
    (root / "schema/shop.yaml").write_text(change(textwrap.dedent(BASE)))
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    out = run(root, "migrate", "-m", "risky", code=1)
    assert reason in out and "--allow-destructive" in out and "Nothing was written" in out
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before
    run(root, "migrate", "-m", "risky", "--allow-destructive")
    # NOT NULL on an existing column runs online (lock-safe): its own revision.
    (path,) = (root / "generated/migrations/versions").glob("001_risky*.py")
    text = path.read_text()
    unwrapped = re.sub(r"\n *#   ", " ", text)  # long comments wrap onto "#   " lines
    assert f"    # DESTRUCTIVE: {reason}" in unwrapped.split("def downgrade")[0]


def test_plan_warns_about_what_can_never_be_safe_on_a_live_table(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", BASE)
    run(root, "migrate", "-m", "initial")
    changed = textwrap.dedent(BASE).replace(
        "title: {type: string, length: 255}", "title: {type: integer}"
    )
    changed = changed.replace("name: {type: string, length: 100}", "name: {type: text}")
    (root / "schema/shop.yaml").write_text(changed)
    lines = run(root, "plan").splitlines()
    assert "      lock ACCESS EXCLUSIVE, rewrites" in lines  # varchar -> integer
    assert "      lock ACCESS EXCLUSIVE, no scan" in lines  # varchar -> text: no rewrite
    unsafe = lines.index("Unsafe on a live table (1):")
    assert lines[unsafe + 1] == (
        "  ! products.title: the type change rewrites the whole table under an ACCESS EXCLUSIVE "
        "lock (every read and write waits until it ends). On a large live table add a new "
        "column instead, backfill it in batches, switch the code over, then drop the old column"
    )


KEYLESS_LOG = """
database: {name: shop}
entities:
  Event:
    %s
    columns:
      id: {type: bigint%s}
      note: {type: text, nullable: true}
"""


def test_a_primary_key_added_to_a_keyless_table_is_refused_until_allowed(tmp_path: Path) -> None:
    """Its rows were never held unique: plan lists the added key as destructive (it
    fails on repeated or NULL rows), migrate refuses it without the flag and writes
    nothing; the key dropped again (primary_key: false) is no risk."""
    root = _project(tmp_path / "p", KEYLESS_LOG % ("primary_key: false", ""))
    run(root, "migrate", "-m", "initial")
    keyed = textwrap.dedent(KEYLESS_LOG % ("description: a log", ", primary_key: true"))
    (root / "schema/shop.yaml").write_text(keyed)
    lines = run(root, "plan").splitlines()
    assert "  + primary key pk_events on events (id) (the table had none)" in lines
    risk = (
        "  ! adds primary key pk_events to events, which had none (fails if two rows share "
        "(id) or a row holds NULL there)"
    )
    assert lines[lines.index("Destructive (1): needs --allow-destructive") + 1] == risk
    out = run(root, "migrate", "-m", "key", code=1)
    assert "would hold changes that can lose data or fail on existing rows:" in out
    assert risk in out.splitlines() and len(_revisions(root)) == 1
    run(root, "migrate", "-m", "key", "--allow-destructive")
    text = (root / "generated/migrations/versions" / _revisions(root)[1]).read_text()
    assert "more than one row has (id) = " in text and "op.create_primary_key" in text
    keyless = textwrap.dedent(KEYLESS_LOG % ("primary_key: false", ""))
    (root / "schema/shop.yaml").write_text(keyless)
    lines = run(root, "plan").splitlines()
    assert "  - primary key pk_events on events (the table keeps no primary key)" in lines
    assert not any(line.startswith("Destructive") for line in lines)
