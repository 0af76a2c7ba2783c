"""The parts of a large change are rendered by the caller and a forked child
together (``commands.PARALLEL_RENDER``): the same revisions, byte for byte, as
one process writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures.build.cases import copy_case
from forks import fork_spy, needs_fork
from schemagen.cli import main
from schemagen.revision import commands


def _migrate(root: Path) -> None:
    # A small lock budget cuts the shop's first revision into several parts.
    with (root / "pyproject.toml").open("a", encoding="utf-8") as settings:
        settings.write("max_locks_per_revision = 20\n")
    result = CliRunner().invoke(main, ["migrate", "-m", "first", "--project", str(root)])
    assert result.exit_code == 0, result.output


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@needs_fork
def test_parts_rendered_by_two_processes_are_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial, shared = copy_case("shop", tmp_path / "serial"), copy_case("shop", tmp_path / "shared")
    monkeypatch.setattr(commands, "PARALLEL_RENDER", 10**9)
    _migrate(serial)
    monkeypatch.setattr(commands, "PARALLEL_RENDER", 0)
    started = fork_spy(monkeypatch)
    _migrate(shared)
    assert started  # the parts were shared with a child
    versions = sorted((shared / "generated" / "migrations" / "versions").glob("*.py"))
    assert len(versions) > 2
    assert _tree(shared / "generated") == _tree(serial / "generated")
