"""All-or-nothing writes: a commit killed at any step is finished or undone by recover().

A kill is simulated by making the n-th file operation of a commit raise; what
is on disk then is exactly what a SIGKILL at that instant leaves.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from schemagen.util import commit as commit_module
from schemagen.util.commit import (
    JOURNAL,
    STAGING,
    Changes,
    commit,
    leftovers,
    project_lock,
    recover,
)

OLD = {"out/a.txt": b"old a\n", "out/docs/gone.md": b"gone\n", "out/c.txt": b"same\n"}
NEW_WRITES = {"out/a.txt": b"new a\n", "out/b/new.txt": b"new b\n"}


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _setup(root: Path) -> Path:
    for rel, data in OLD.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return root / "out"


def _after(root: Path) -> dict[str, bytes]:
    expected = {**OLD, **NEW_WRITES}
    del expected["out/docs/gone.md"]
    return expected


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs (not even except-blocks that clean up)."""


def _kill_at(monkeypatch: pytest.MonkeyPatch, step: int) -> None:
    """Raise Killed at the ``step``-th os.replace/unlink/rmtree/write of the commit."""
    count = {"n": 0}

    def wrap(func):  # type: ignore[no-untyped-def]
        def inner(*args, **kwargs):  # type: ignore[no-untyped-def]
            count["n"] += 1
            if count["n"] == step:
                raise Killed
            return func(*args, **kwargs)

        return inner

    monkeypatch.setattr(commit_module.os, "replace", wrap(os.replace))
    monkeypatch.setattr(commit_module.os, "chmod", wrap(os.chmod))
    monkeypatch.setattr(commit_module.shutil, "rmtree", wrap(commit_module.shutil.rmtree))


@pytest.mark.parametrize("step", range(1, 12))
def test_a_commit_killed_at_any_step_is_all_or_nothing_after_recover(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: int
) -> None:
    output = _setup(tmp_path)
    changes = Changes(tmp_path, dict(NEW_WRITES), ["out/docs/gone.md"])
    with monkeypatch.context() as patch:
        _kill_at(patch, step)
        try:
            commit(output, changes, "schemagen build")
            killed = False
        except Killed:
            killed = True
    left = leftovers(output)
    lines = recover(tmp_path, output)
    tree = _tree(tmp_path)
    assert tree in (OLD, _after(tmp_path)), (step, sorted(tree))
    assert leftovers(output) == []
    assert bool(left) == bool(lines) and (killed or not left)
    if left:
        assert lines[0].startswith("recovered: `schemagen build` was interrupted")
    # The commit passed its commit point exactly when the new tree is there.
    if tree == OLD and left:
        assert "before it wrote anything" in lines[0]


def test_commit_keeps_permissions_and_writes_new_files_world_readable(tmp_path: Path) -> None:
    output = _setup(tmp_path)
    (tmp_path / "out/a.txt").chmod(0o600)
    old = os.umask(0o022)
    try:
        commit(output, Changes(tmp_path, dict(NEW_WRITES)), "schemagen build")
    finally:
        os.umask(old)
    assert (tmp_path / "out/a.txt").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "out/b/new.txt").stat().st_mode & 0o777 == 0o644
    assert not (output / STAGING).exists() and not (output / JOURNAL).exists()


def test_temporary_files_of_file_by_file_writes_are_removed(tmp_path: Path) -> None:
    output = _setup(tmp_path)
    stray = output / "docs" / ".gone.md.x1y2z3_a.tmp"
    stray.write_bytes(b"half")
    assert leftovers(output) == [stray]
    assert recover(tmp_path, output) == [
        "removed 1 temporary file(s) left by an interrupted command."
    ]
    assert not stray.exists() and _tree(tmp_path) == OLD
    mine = output / ".notes.tmp"  # not a name mkstemp makes: a user's file stays
    mine.write_bytes(b"keep")
    assert leftovers(output) == [] and recover(tmp_path, output) == [] and mine.exists()


def test_the_project_lock_serializes_and_times_out(tmp_path: Path) -> None:
    order: list[str] = []

    def second() -> None:
        with project_lock(tmp_path):
            order.append("second")

    with project_lock(tmp_path):
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(0.3)
        order.append("first")
    thread.join(10)
    assert order == ["first", "second"]
    with project_lock(tmp_path):
        with pytest.raises(commit_module.ProjectBusy, match="Run this command again"):
            with project_lock(tmp_path, wait=0.2):
                pass
