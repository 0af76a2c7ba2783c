"""History storage grows with the change, not with the schema: only the head
revision keeps its snapshot. A history written by an older schemagen (a
snapshot per revision, indented) is still verified and read, and the next
`schemagen migrate` moves it to the new storage."""

from __future__ import annotations

import shutil
from pathlib import Path

from migration_harness import schemagen

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MIGRATIONS = Path("generated/migrations")


def _sizes(root: Path) -> dict[str, int]:
    folder = root / MIGRATIONS
    return {
        p.relative_to(folder).as_posix(): p.stat().st_size
        for sub in ("versions", "snapshots")
        for p in sorted((folder / sub).glob("*"))
        if p.is_file()
    } | {"schemagen.sum": (folder / "schemagen.sum").stat().st_size}


def _add_column(root: Path, line: str) -> None:
    path = root / "schema" / "shop.yaml"
    anchor = "      email: {type: string, length: 320, unique: true, description: Login e-mail.}\n"
    text = path.read_text(encoding="utf-8")
    assert anchor in text
    path.write_text(text.replace(anchor, anchor + line, 1), encoding="utf-8")


def test_a_revision_adding_a_column_adds_the_column_not_a_copy_of_the_schema(
    tmp_path: Path,
) -> None:
    root = tmp_path / "shop"
    shutil.copytree(FIXTURES / "build" / "shop", root)
    schemagen(root, "migrate", "-m", "initial")
    before = _sizes(root)
    _add_column(root, "      nickname: {type: string, length: 40, nullable: true}\n")
    schemagen(root, "migrate", "-m", "add nickname")
    after = _sizes(root)

    assert [n for n in after if n.startswith("snapshots/")] == ["snapshots/001.json"]
    revision = after["versions/001_add_nickname.py"]
    grown = sum(after.values()) - sum(before.values())
    # the new revision, one line in the sum, the column in the snapshot: no second schema
    assert grown < revision + 400, (grown, revision, before, after)
    assert after["snapshots/001.json"] - before["snapshots/000.json"] < 200
    assert "No changes" in schemagen(root, "plan")
    schemagen(root, "check", "--no-cache")


def test_old_storage_is_verified_then_moved_by_migrate(tmp_path: Path) -> None:
    root = tmp_path / "legacy"
    shutil.copytree(FIXTURES / "legacy_history", root)
    snapshots = root / MIGRATIONS / "snapshots"
    assert sorted(p.name for p in snapshots.glob("*.json")) == ["000.json", "001.json"]
    schemagen(root, "build")
    schemagen(root, "check", "--no-cache")  # the old storage still verifies

    # ...and its old snapshots are still held to their revisions
    old = (snapshots / "000.json").read_text(encoding="utf-8")
    (snapshots / "000.json").write_text(old.replace('"customers"', '"clients"'), encoding="utf-8")
    out = schemagen(root, "check", "--no-cache", expect_exit=1)
    assert "snapshots/000.json does not match revision" in out
    (snapshots / "000.json").write_text(old, encoding="utf-8")

    assert "No changes: the schema matches revision 001." in schemagen(root, "plan")
    out = schemagen(root, "migrate", "-m", "move storage")
    assert (
        "removed generated/migrations/snapshots/000.json (only the head revision's snapshot "
        "is kept)" in out
    )
    assert "wrote generated/migrations/schemagen.sum" in out
    assert sorted(p.name for p in snapshots.glob("*.json")) == ["001.json"]
    assert "000.json" not in (root / MIGRATIONS / "schemagen.sum").read_text(encoding="utf-8")
    schemagen(root, "check", "--no-cache")
    assert schemagen(root, "migrate", "-m", "again").splitlines()[-1] == "Nothing written."

    _add_column(root, "      locale: {type: string, length: 10, nullable: true}\n")
    out = schemagen(root, "migrate", "-m", "add locale")
    assert "+ column customers.locale character varying(10)" in out
    # said once: the build that migrate runs does not report it as a stale file too
    assert out.count("snapshots/001.json") == 1, out
    assert sorted(p.name for p in snapshots.glob("*.json")) == ["002.json"]
    schemagen(root, "check", "--no-cache")
