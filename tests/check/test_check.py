"""`schemagen check` without a database, on temp copies of a small project.

Each test breaks one thing the way people do (edit a generated file, change the
schema without a migration, edit or lose a revision) and asserts the exit code
and the exact finding that names it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from check_projects import PYPROJECT, SHOP_YAML, SKU_LINE, add_sku
from click.testing import CliRunner, Result
from schemagen.api import migrate_project
from schemagen.check.run import check_project
from schemagen.cli import main


@pytest.fixture(scope="module")
def shop_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with two revisions (000 initial, 001 add sku), built and clean."""
    root = tmp_path_factory.mktemp("shop") / "project"
    (root / "schema").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "schema" / "shop.yaml").write_text(SHOP_YAML)
    migrate_project(root, "initial schema")
    add_sku(root)
    migrate_project(root, "add sku")
    return root


@pytest.fixture
def shop(shop_template: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "shop"
    shutil.copytree(shop_template, dest)
    return dest


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own check cache folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SCHEMAGEN_NO_CACHE", raising=False)
    return tmp_path / "cache"


def check(project: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["check", "--project", str(project), *args], env=env)


def versions(project: Path) -> Path:
    return project / "generated" / "migrations" / "versions"


def test_clean_project_passes(shop: Path) -> None:
    result = check(shop)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines() == [
        "check OK: nothing drifted (13 generated files, 2 revisions up to 001)"
    ]


def test_edited_generated_file_is_named(shop: Path) -> None:
    models = shop / "generated" / "models.py"
    models.write_text(models.read_text().replace("class Product(", "class Produkt("))
    result = check(shop)
    assert result.exit_code == 1
    assert (
        "  generated/models.py: differs from what `schemagen build` writes (+1 -1 lines)"
        in result.output.splitlines()
    )
    assert "  -> run `schemagen build` and commit the result" in result.output
    assert "---" not in result.output  # no diff unless asked


def test_diff_shows_a_unified_diff(shop: Path) -> None:
    models = shop / "generated" / "models.py"
    models.write_text(models.read_text().replace("class Product(", "class Produkt("))
    lines = check(shop, "--diff").output.splitlines()
    assert "    --- generated/models.py (on disk)" in lines
    assert "    +++ generated/models.py (schemagen build)" in lines
    assert any(line.startswith("    -class Produkt(") for line in lines)
    assert any(line.startswith("    +class Product(") for line in lines)


def test_missing_generated_file(shop: Path) -> None:
    (shop / "generated" / "docs" / "entities" / "stores.md").unlink()
    result = check(shop)
    assert result.exit_code == 1
    assert "  generated/docs/entities/stores.md: missing" in result.output.splitlines()


def test_crlf_checkout_is_not_drift(shop: Path) -> None:
    models = shop / "generated" / "models.py"
    models.write_bytes(models.read_bytes().replace(b"\n", b"\r\n"))
    assert check(shop).exit_code == 0


def test_schema_change_without_migration_lists_pending_operations(shop: Path) -> None:
    path = shop / "schema" / "shop.yaml"
    path.write_text(path.read_text().replace(SKU_LINE, SKU_LINE + "      barcode: {type: text}\n"))
    result = check(shop)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "The schema changed since the latest revision:" in lines
    assert "  schema: changed since revision 001: 1 pending operation" in lines
    assert "  schema: + column products.barcode text NOT NULL" in lines
    assert '  -> run `schemagen migrate -m "<what changed>"` and commit the new revision' in lines
    # models.py and the docs changed too: both kinds are reported in one run
    assert any(line.startswith("  generated/models.py: differs from what") for line in lines)


def test_orm_only_change_is_file_drift_without_pending_operations(shop: Path) -> None:
    path = shop / "schema" / "shop.yaml"
    text = path.read_text().replace(
        "store_id: {references: Store, on_delete: cascade}",
        "store_id: {references: Store, on_delete: cascade, relationship: shop}",
    )
    path.write_text(text)
    report = check_project(shop)
    assert {f.kind for f in report.findings} == {"file"}
    assert "generated/models.py" in {f.object for f in report.findings}


def test_description_change_is_a_pending_comment(shop: Path) -> None:
    path = shop / "schema" / "shop.yaml"
    path.write_text(path.read_text().replace("  Store:\n", "  Store:\n    description: A shop.\n"))
    report = check_project(shop)
    pending = [f.message for f in report.findings if f.kind == "pending"]
    assert pending == [
        "changed since revision 001: 1 pending operation",
        "~ table stores comment added",
    ]


def test_revision_edited_by_hand_then_accepted_with_rehash(shop: Path) -> None:
    rev = versions(shop) / "001_add_sku.py"
    rev.write_text(rev.read_text() + "# reviewed by ops\n")
    result = check(shop)
    assert result.exit_code == 1
    assert "The migration history is broken:" in result.output
    assert "001_add_sku.py was edited by hand" in result.output
    assert "schemagen rehash" in result.output
    runner = CliRunner().invoke(main, ["rehash", "--project", str(shop)])
    assert runner.exit_code == 0, runner.output
    assert check(shop).exit_code == 0


def test_two_heads(shop: Path) -> None:
    shutil.copy(versions(shop) / "001_add_sku.py", versions(shop) / "001_add_barcode.py")
    result = check(shop)
    assert result.exit_code == 1
    assert "  migration history: two heads: 2 revisions share id 001" in result.output


def test_gap_in_the_history(shop: Path) -> None:
    old = versions(shop) / "001_add_sku.py"
    text = old.read_text().replace('revision: str = "001"', 'revision: str = "002"')
    (versions(shop) / "002_add_sku.py").write_text(text)
    old.unlink()
    snapshots = shop / "generated" / "migrations" / "snapshots"
    (snapshots / "001.json").rename(snapshots / "002.json")
    result = check(shop)
    assert result.exit_code == 1
    assert "  migration history: gap in the revision history: found 000, 002" in result.output


def test_snapshot_that_does_not_match(shop: Path) -> None:
    snapshot = shop / "generated" / "migrations" / "snapshots" / "001.json"
    snapshot.write_text(snapshot.read_text().replace('"sku"', '"skew"'))
    result = check(shop)
    assert result.exit_code == 1
    assert re.search(
        r"snapshots/001\.json does not match revision .*001_add_sku\.py", result.output
    )


def test_json_format(shop: Path) -> None:
    (shop / "generated" / "docs" / "entities" / "stores.md").unlink()
    result = check(shop, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["ok"] is False and data["exit_code"] == 1
    assert data["head"] == "001" and data["revisions"] == 2
    assert data["findings"] == [
        {
            "kind": "file",
            "object": "generated/docs/entities/stores.md",
            "message": "missing",
            "hint": "run `schemagen build` and commit the result",
        }
    ]


def test_json_format_clean(shop: Path) -> None:
    data = json.loads(check(shop, "--format", "json").output)
    assert data["ok"] is True and data["findings"] == []


def test_invalid_schema_exits_2(shop: Path) -> None:
    path = shop / "schema" / "shop.yaml"
    path.write_text(path.read_text().replace("type: numeric", "type: numerci"))
    result = check(shop)
    assert result.exit_code == 2
    assert "schema/shop.yaml:" in result.output and "numerci" in result.output
    data = json.loads(check(shop, "--format", "json").output)
    assert data["exit_code"] == 2 and data["issues"][0]["file"] == "schema/shop.yaml"


def test_database_without_url_needs_database_url(shop: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = CliRunner(env={"DATABASE_URL": ""}).invoke(
        main, ["check", "--project", str(shop), "--database"], env=env
    )
    assert result.exit_code == 2
    assert "--database without a URL reads DATABASE_URL, which is not set" in result.output


def test_no_database_path_imports_neither_sqlalchemy_nor_alembic(shop: Path) -> None:
    code = (
        "import sys\n"
        "from schemagen.check.run import check_project\n"
        f"report = check_project({str(shop)!r})\n"
        "assert report.ok, report.findings\n"
        "heavy = [m for m in ('sqlalchemy', 'alembic', 'psycopg') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_stale_docs_page_of_a_dropped_entity(shop: Path) -> None:
    stale = shop / "generated" / "docs" / "entities" / "old_things.md"
    stale.write_text("# old_things\n")
    result = check(shop)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        "  generated/docs/entities/old_things.md: stale: `schemagen build` no longer writes it"
        in (lines)
    )
    assert "  -> delete it (and commit the deletion)" in lines


CACHED = "; no file changed since the last clean check"


def test_clean_result_is_remembered_until_any_input_or_output_changes(
    shop: Path, private_cache: Path
) -> None:
    assert CACHED not in check(shop).output
    assert CACHED in check(shop).output  # nothing changed: remembered
    assert CACHED not in check(shop, "--no-cache").output
    models = shop / "generated" / "models.py"
    original = models.read_text()
    models.write_text(original + "# edited\n")
    assert check(shop).exit_code == 1  # an output changed: full check, drift found
    models.write_text(original)
    assert CACHED in check(shop).output  # back to the remembered clean state
    yaml_path = shop / "schema" / "shop.yaml"
    yaml_path.write_text(yaml_path.read_text() + "\n# a comment\n")
    result = check(shop)
    assert result.exit_code == 0 and CACHED not in result.output  # an input changed
    stale = shop / "generated" / "docs" / "entities" / "old.md"
    stale.write_text("old")
    assert check(shop).exit_code == 1  # a new docs page: the stale check runs
    stale.unlink()
    rev = versions(shop) / "001_add_sku.py"
    rev.write_text(rev.read_text() + "# hand edit\n")
    assert check(shop).exit_code == 1  # the history changed
    assert list(private_cache.glob("schemagen/check-*.json"))


def test_cache_can_be_disabled_by_environment(shop: Path, private_cache: Path) -> None:
    env = {"SCHEMAGEN_NO_CACHE": "1"}
    assert check(shop, env=env).exit_code == 0
    assert CACHED not in check(shop, env=env).output
    assert not private_cache.exists()


def test_disabled_cache_digests_nothing(
    shop: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SCHEMAGEN_NO_CACHE=1 runs as --no-cache does: nothing can be looked up or
    remembered, so the inputs are not digested and the rendered files not hashed."""
    import schemagen.check.files as check_files_module
    from schemagen.check import cache as check_cache

    def no_digest(project: object) -> str:
        raise AssertionError("the inputs were digested with the cache disabled")

    asked: list[bool] = []
    real = check_files_module.check_files

    def spy(*args: object, **kwargs: bool) -> object:
        asked.append(kwargs["digests"])
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(check_cache, "input_digest", no_digest)
    monkeypatch.setattr(check_files_module, "check_files", spy)
    result = check(shop, env={"SCHEMAGEN_NO_CACHE": "1"})
    assert result.exit_code == 0, result.output
    assert "check OK: nothing drifted" in result.output
    assert asked == [False]
    assert not private_cache.exists()


def _text_findings(output: str) -> list[str]:
    """The finding lines of a text report (not headings, hints or the summary)."""
    return [line[2:] for line in output.splitlines() if line.startswith("  ") and line[2] != "-"]


@pytest.mark.parametrize("broken", ["history", "schema, files and docs"])
def test_json_holds_the_same_findings_as_text(shop: Path, broken: str) -> None:
    if broken == "history":
        rev = versions(shop) / "001_add_sku.py"
        rev.write_text(rev.read_text() + "# reviewed\n")
    else:
        add_sku_barcode = SKU_LINE + "      barcode: {type: text}\n"
        path = shop / "schema" / "shop.yaml"
        path.write_text(path.read_text().replace(SKU_LINE, add_sku_barcode))
        (shop / "generated" / "docs" / "entities" / "old.md").write_text("# old\n")
    text = check(shop, "--no-cache")
    data = json.loads(check(shop, "--no-cache", "--format", "json").output)
    assert text.exit_code == data["exit_code"] == 1
    kinds = {f["kind"] for f in data["findings"]}
    assert kinds == ({"history"} if broken == "history" else {"pending", "file"})
    json_lines = [f"{f['object']}: {f['message']}" for f in data["findings"]]
    assert _text_findings(text.output) == json_lines
    assert text.output.splitlines()[-1] == data["summary"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "Invalid value for '--format'"),
        (["--bogus"], "No such option '--bogus'"),
        (["--database", " "], "--database: the URL is empty"),
        (["--database", "mysql://u:hunter2@h/d"], "unsupported database URL scheme"),
    ],
)
def test_usage_errors_exit_2(shop: Path, args: list[str], message: str) -> None:
    result = check(shop, *args)
    assert result.exit_code == 2
    assert message in result.output and "hunter2" not in result.output
    assert "Traceback" not in result.output


def test_missing_project_folder_exits_2(tmp_path: Path) -> None:
    result = check(tmp_path / "nowhere")
    assert result.exit_code == 2
    assert result.output.strip() == f"project folder {tmp_path / 'nowhere'} does not exist"


def test_no_revision_yet_lists_the_first_revision(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    (root / "schema").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "schema" / "shop.yaml").write_text(SHOP_YAML)
    assert CliRunner().invoke(main, ["build", "--project", str(root)]).exit_code == 0
    report = check_project(root)
    assert {f.kind for f in report.findings} == {"pending"}
    header, *ops = [f.message for f in report.findings]
    assert header == f"changed and there is no revision yet: {len(ops)} pending operations"
    assert "+ table stores" in " ".join(ops) and "+ extension pg_trgm" in " ".join(ops)
    assert report.findings[0].hint.startswith("run `schemagen migrate")
    assert report.summary().endswith(f"({report.files_checked} generated files, no revisions)")


def test_a_long_pending_list_is_cut(shop: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from schemagen.check import drift

    path = shop / "schema" / "shop.yaml"
    extra = "".join(f"      extra_{i}: {{type: text, nullable: true}}\n" for i in range(5))
    path.write_text(path.read_text().replace(SKU_LINE, SKU_LINE + extra))
    monkeypatch.setattr(drift, "MAX_PENDING_LISTED", 3)
    pending = [
        f.message for f in check_project(shop, use_cache=False).findings if f.kind == "pending"
    ]
    assert pending == [
        "changed since revision 001: 5 pending operations",
        "+ column products.extra_0 text",
        "+ column products.extra_1 text",
        "+ column products.extra_2 text",
        "... and 2 more (see `schemagen plan`)",
    ]
    report = check_project(shop, use_cache=False)
    drifted_files = sum(1 for f in report.findings if f.kind == "file")
    # the five operations and the drifted files; the heading line is no finding
    assert report.summary().startswith(f"check FAILED: {5 + drifted_files} findings (")


def test_the_count_of_findings_is_of_findings_only(shop: Path) -> None:
    path = shop / "schema" / "shop.yaml"
    path.write_text(path.read_text().replace("  Store:\n", "  Store:\n    description: A shop.\n"))
    build = CliRunner().invoke(main, ["build", "--project", str(shop)])
    assert build.exit_code == 0, build.output
    result = check(shop)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "  schema: ~ table stores comment added" in lines
    assert lines[-1].startswith("check FAILED: 1 finding ("), lines  # was "2 finding(s)"


def test_two_heads_with_different_ids(shop: Path) -> None:
    """Two branches each wrote a revision on 000: after the merge, 001 and 002 both
    say down_revision = "000"."""
    text = (versions(shop) / "001_add_sku.py").read_text()
    second = text.replace('revision: str = "001"', 'revision: str = "002"')
    (versions(shop) / "002_add_sku_again.py").write_text(second)
    snapshots = shop / "generated" / "migrations" / "snapshots"
    shutil.copy(snapshots / "001.json", snapshots / "002.json")
    result = check(shop)
    assert result.exit_code == 1
    assert (
        "  migration history: two heads: generated/migrations/versions/001_add_sku.py, "
        "generated/migrations/versions/002_add_sku_again.py all follow revision '000', as "
        "after merging two branches that each added migrations. Keep one branch: delete the "
        "other's revisions and snapshots, run `schemagen rehash`, then `schemagen migrate` to "
        "write its change again on top."
    ) in result.output.splitlines()


def test_down_revision_edited_by_hand_is_a_finding(shop: Path) -> None:
    path = versions(shop) / "001_add_sku.py"
    text = path.read_text()
    edited = text.replace('down_revision: str | None = "000"', 'down_revision: str | None = "005"')
    assert edited != text
    path.write_text(edited)
    result = check(shop)
    assert result.exit_code == 1
    assert (
        "  migration history: generated/migrations/versions/001_add_sku.py: down_revision "
        "is '005', expected '000': the file was edited by hand. Restore it from version "
        "control."
    ) in result.output.splitlines()


def test_unreadable_snapshot_edited_and_rehashed_is_a_finding(shop: Path) -> None:
    """A snapshot replaced together with the sha256 its revision records, then
    rehashed: the chain verifies, but the snapshot is not one."""
    snapshot = shop / "generated" / "migrations" / "snapshots" / "001.json"
    rev = versions(shop) / "001_add_sku.py"
    old_sha = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    snapshot.write_text('{"broken": \n')
    new_sha = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    rev.write_text(rev.read_text().replace(old_sha, new_sha))
    assert CliRunner().invoke(main, ["rehash", "--project", str(shop)]).exit_code == 0
    result = check(shop)
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert "The migration history is broken:" in lines
    assert (
        "  migration history: snapshots/001.json (revision 001) is not a schemagen snapshot "
        "(JSONDecodeError: Expecting value: line 2 column 1 (char 12))"
    ) in lines


@pytest.mark.parametrize(
    ("rel", "shown"),
    [
        ("versions/001_add_sku.py", "generated/migrations/versions/001_add_sku.py"),
        ("schemagen.sum", "schemagen.sum"),
    ],
)
def test_history_file_that_is_not_utf8_is_a_finding(shop: Path, rel: str, shown: str) -> None:
    path = shop / "generated" / "migrations" / rel
    path.write_bytes(b"\xff\xfe" + path.read_bytes())
    result = check(shop)
    assert result.exit_code == 1, result.output
    assert (
        f"  migration history: {shown}: not UTF-8 text (invalid start byte at byte 0); "
        "restore it from version control"
    ) in result.output.splitlines()
