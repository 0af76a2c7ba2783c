"""Docs pages staged by two processes at once: every page once, the same bytes as
one process, and a child that dies half way costs time, never a page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures.build.cases import copy_case
from schemagen.api import build_project
from schemagen.cli import main
from schemagen.render import build
from schemagen.render.staging import PageStager
from schemagen.util.background import Claims

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@needs_fork
def test_two_processes_claim_every_chunk_exactly_once() -> None:
    claims = Claims(500)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child claims as fast as it can and reports its numbers
        os.close(read)
        mine = []
        while (number := claims.claim()) is not None:
            mine.append(number)
        os.write(write, ",".join(map(str, mine)).encode())
        os._exit(0)
    os.close(write)
    here = []
    while (number := claims.claim()) is not None:
        here.append(number)
    with os.fdopen(read, "rb") as source:
        text = source.read().decode()
    os.waitpid(pid, 0)
    claims.close()
    there = [int(n) for n in text.split(",") if n]
    assert sorted(here + there) == list(range(500))  # none twice, none lost


def _renderers(count: int, parent: int, die_at: int | None) -> dict[str, object]:
    def page(number: int):  # type: ignore[no-untyped-def]
        def render() -> str:
            if die_at in (number, -1) and os.getpid() != parent:
                os._exit(9)  # the child killed in the middle of its share
            return f"page {number}\n"

        return render

    return {f"docs/entities/t{n:04}.md": page(n) for n in range(count)}


@needs_fork
# -1: the child dies on the first page it claims, whichever that is.
@pytest.mark.parametrize("die_at", [None, -1, 0, 150, 399])
def test_pages_are_all_staged_even_when_the_child_dies(tmp_path: Path, die_at: int | None) -> None:
    staging = tmp_path / "staging"
    staging.mkdir()
    (tmp_path / "out" / "docs" / "entities").mkdir(parents=True)
    unchanged = tmp_path / "out" / "docs" / "entities" / "t0007.md"
    unchanged.write_text("page 7\n")
    renderers = _renderers(400, os.getpid(), die_at)
    stager = PageStager(tmp_path, staging, "out", renderers, fork=True)  # type: ignore[arg-type]
    done = stager.finish()
    assert done.unchanged == ["out/docs/entities/t0007.md"]
    assert len(done.staged) == 399 and done.paths == {f"out/{p}" for p in renderers}
    for rel, name in done.staged.items():
        number = int(rel[-7:-3])
        assert (staging / name).read_text() == f"page {number}\n"
    assert len(list(staging.iterdir())) == 399  # nothing staged twice under two names


def test_a_forked_build_writes_the_same_bytes_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = copy_case("shop", tmp_path / "serial")
    forked = copy_case("shop", tmp_path / "forked")
    monkeypatch.setattr(build, "PARALLEL_DOCS", 10**9)
    one = build_project(serial)
    monkeypatch.setattr(build, "PARALLEL_DOCS", 0)
    two = build_project(forked)
    assert one.changed == two.changed and len(two.changed) > 5
    assert _tree(serial / "generated") == _tree(forked / "generated")
    # A second build finds every page up to date, in the child as in the caller.
    again = build_project(forked)
    built = [path for path in two.changed if path != "alembic.ini"]  # written once, kept
    assert again.changed == [] and sorted(again.unchanged) == sorted(built)


def test_a_failed_first_build_leaves_no_output_folder(tmp_path: Path) -> None:
    root = copy_case("shop", tmp_path / "shop")
    assert not (root / "generated").exists()
    yaml_path = root / "schema" / "shop.yaml"
    yaml_path.write_text(yaml_path.read_text().replace("default: 2.5}", "default: yes}"))
    result = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert result.exit_code == 2, result.output
    assert not (root / "generated").exists()  # the staging area it opened is gone, whole
