"""Killed and concurrent commands: the next run repairs, two migrates give one history.

Issue 15: build killed at random instants left 290 new files next to 1,213 old
ones and a hidden temp file that check never reported; migrate killed before
schemagen.sum blocked the history with a message that led nowhere; two migrates
at once both wrote revision 002.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "SCHEMAGEN_NO_CACHE": "1"}
#: Several hundred tables: a build takes long enough to be killed in many places.
TABLES = 200


def _write_synthetic(dest: Path, tables: int) -> Path:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from synthetic import write_project
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    return write_project(dest, tables)  # type: ignore[no-any-return]


def _cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "schemagen.cli", *args, "--project", str(project)]
    return subprocess.run(argv, capture_output=True, text=True, env=ENV, check=False)


def _ok(project: Path, *args: str) -> str:
    out = _cli(project, *args)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    return out.stdout


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A migrated project (``base``), its next schema, and the clean results of
    ``build`` and ``migrate`` on that schema (the references)."""
    tmp = tmp_path_factory.mktemp("interrupted")
    base = _write_synthetic(tmp / "base", TABLES)
    _ok(base, "migrate", "-m", "initial")
    # The next schema: more tables, so both build and migrate have much to write.
    shutil.copytree(_write_synthetic(tmp / "next", TABLES + 40) / "schema", tmp / "next_schema")
    refs = {}
    for command in ("build", "migrate"):
        ref = _next(base, tmp / f"ref_{command}", tmp / "next_schema")
        start = time.monotonic()
        _ok(ref, *_argv(command))
        refs[command] = ref
        (tmp / f"{command}.seconds").write_text(str(time.monotonic() - start))
    return {"base": base, "next_schema": tmp / "next_schema", "tmp": tmp, **refs}


def _argv(command: str) -> list[str]:
    return ["migrate", "-m", "more tables"] if command == "migrate" else ["build"]


def _next(base: Path, dest: Path, schema: Path) -> Path:
    shutil.copytree(base, dest)
    shutil.rmtree(dest / "schema")
    shutil.copytree(schema, dest / "schema")
    return dest


@pytest.mark.parametrize("command", ["build", "migrate"])
def test_killed_at_random_instants_one_more_run_gives_the_clean_output(
    projects: dict[str, Path], command: str
) -> None:
    tmp = projects["tmp"]
    seconds = float((tmp / f"{command}.seconds").read_text())
    expected = _tree(projects[command])
    rng = random.Random(15)
    for trial in range(4):
        project = _next(projects["base"], tmp / f"kill_{command}_{trial}", projects["next_schema"])
        argv = [sys.executable, "-m", "schemagen.cli", *_argv(command), "--project", str(project)]
        proc = subprocess.Popen(argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.4, 1.05) * seconds)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        out = _ok(project, *_argv(command))
        assert _tree(project) == expected, (trial, out)
        assert not [p for p in project.rglob(".*") if p.name != ".env.example"], trial
        _check_clean(project, pending=command == "build")


def _revision_files(project: Path) -> list[str]:
    return sorted(p.name for p in (project / "generated/migrations/versions").glob("*.py"))


def _check_clean(project: Path, *, pending: bool = False) -> None:
    """``check`` finds nothing; after a build alone, only the schema change not yet
    migrated (which the clean run has too)."""
    out = _cli(project, "check", "--no-cache", "--format", "json")
    kinds = {finding["kind"] for finding in json.loads(out.stdout)["findings"]}
    assert kinds == ({"pending"} if pending else set()), out.stdout[:2000]


def test_two_migrates_at_once_give_one_history(projects: dict[str, Path]) -> None:
    tmp = projects["tmp"]
    project = _next(projects["base"], tmp / "concurrent", projects["next_schema"])
    argv = [sys.executable, "-m", "schemagen.cli", "migrate", "--project", str(project), "-m"]
    procs = [
        subprocess.Popen([*argv, message], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for message in ("first message", "second message")
    ]
    outs = [proc.communicate() for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outs
    texts = sorted(out.decode() for out, _ in outs)
    # The base's first revision may be several (a part per lock budget): the winner
    # writes the next id, the loser plans again against it and finds nothing to do.
    before = _revision_files(projects["base"])
    written = f"{len(before):03d}"
    assert sum(f"Plan for revision {written} " in t for t in texts) == 1, texts
    assert sum(f"No changes: the schema matches revision {written}." in t for t in texts) == 1
    versions = _revision_files(project)
    assert versions[: len(before)] == before and len(versions) == len(before) + 1, versions
    assert versions[-1].startswith(f"{written}_"), versions
    _check_clean(project)
    assert not [p for p in project.rglob(".*") if p.name != ".env.example"]


def test_check_reports_a_leftover_and_build_removes_it(projects: dict[str, Path]) -> None:
    project = projects["tmp"] / "leftover"
    shutil.copytree(projects["base"], project)
    stray = project / "generated" / ".models.py.k2j3h4ab.tmp"
    stray.write_text("half a file")
    out = _cli(project, "check", "--no-cache")
    assert out.returncode == 1
    assert "generated/.models.py.k2j3h4ab.tmp: left by an interrupted schemagen build or " in (
        out.stdout
    )
    assert "run `schemagen build`: it finishes or undoes the interrupted write" in out.stdout
    assert "removed 1 temporary file(s)" in _ok(project, "build")
    assert not stray.exists()
    _check_clean(project)


# --- messages after an interruption, each followed --------------------------------


def _run(project: Path, *args: str) -> tuple[int, str]:
    from click.testing import CliRunner
    from schemagen.cli import main

    result = CliRunner().invoke(main, [*args, "--project", str(project)])
    return result.exit_code, result.output


def _change_schema(project: Path) -> None:
    path = project / "schema" / "stores.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "    columns:\n"
    at = text.index(marker) + len(marker)
    extra = "      kill_note: {type: text, nullable: true}\n"
    path.write_text(text[:at] + extra + text[at:], encoding="utf-8")


def test_migrate_killed_after_its_commit_point_is_finished_by_build(
    flagship_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schemagen.util import commit as commit_module

    project = flagship_copy
    _change_schema(project)
    replace = os.replace
    calls = {"n": 0}

    def die_after_the_journal(src: object, dst: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # the journal and one file are in place
            raise KeyboardInterrupt  # stands for SIGKILL: nothing runs after it
        replace(src, dst)  # type: ignore[arg-type]

    with monkeypatch.context() as patch:
        patch.setattr(commit_module.os, "replace", _in_commit(die_after_the_journal))
        with pytest.raises(KeyboardInterrupt):
            from schemagen.api import migrate_project

            migrate_project(project, "kill note")
    code, out = _run(project, "plan")
    assert code == 2
    assert out.strip() == (
        "generated/.schemagen-journal: a schemagen build or migrate was interrupted while it "
        "moved its files into place, so the history is half written. Run `schemagen build` "
        "to finish it."
    )
    code, out = _run(project, "build")  # following the message
    assert code == 0
    assert out.splitlines()[0].startswith(
        'recovered: `schemagen migrate -m "kill note"` was interrupted while it moved its '
        "files into place; it is now finished ("
    )
    assert _run(project, "plan")[1].startswith("No changes: the schema matches revision ")
    _check_clean(project)


def test_migrate_killed_before_its_commit_point_says_to_run_it_again(
    flagship_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schemagen.util import commit as commit_module

    project = flagship_copy
    _change_schema(project)
    with monkeypatch.context() as patch:
        patch.setattr(commit_module.os, "replace", _in_commit(_raise_interrupt))
        with pytest.raises(KeyboardInterrupt):
            from schemagen.api import migrate_project

            migrate_project(project, "kill note")
    out = _cli(project, "check", "--no-cache").stdout
    assert "generated/.schemagen-staging: left by an interrupted schemagen build or migrate" in out
    code, out = _run(project, "build")
    assert code == 0
    first = out.splitlines()[0]
    assert first == (
        'recovered: `schemagen migrate -m "kill note"` was interrupted before it wrote anything; '
        "its staged files were dropped and the output is as before it ran. Run "
        '`schemagen migrate -m "kill note"` again.'
    )
    nxt = _next_id(project)
    code, out = _run(project, "migrate", "-m", "kill note")  # following the message
    assert code == 0 and f"wrote generated/migrations/versions/{nxt}_kill_note.py" in out
    _check_clean(project)


def _next_id(project: Path) -> str:
    """The id the next revision gets, as plan says it."""
    return _run(project, "plan")[1].split("Plan for revision ", 1)[1][:3]


def _raise_interrupt(src: object, dst: object) -> None:
    raise KeyboardInterrupt


def _in_commit(
    stand_in: Callable[[object, object], None],
) -> Callable[[object, object], None]:
    """``stand_in`` for the commit's own ``os.replace`` calls only.

    ``commit_module.os`` is the one ``os`` module: patched bare, it also caught
    Jinja's bytecode cache writing its first compiled template, so on a cold
    cache (the test run alone) the interrupt struck before migrate staged a file.
    """
    replace = os.replace

    def chosen(src: object, dst: object) -> None:
        if sys._getframe(1).f_globals.get("__name__") == "schemagen.util.commit":
            stand_in(src, dst)
        else:
            replace(src, dst)  # type: ignore[arg-type]

    return chosen


def test_a_revision_an_older_version_left_unrecorded_is_accepted_by_rehash(
    flagship_copy: Path,
) -> None:
    project = flagship_copy
    sums = project / "generated" / "migrations" / "schemagen.sum"
    before = sums.read_bytes()
    _change_schema(project)
    nxt = _next_id(project)
    assert _run(project, "migrate", "-m", "kill note")[0] == 0
    sums.write_bytes(before)  # killed before the sums, as schemagen did file by file
    code, out = _run(project, "plan")
    assert code == 2
    assert out.strip() == (
        f"revision {nxt} (generated/migrations/versions/{nxt}_kill_note.py) and its snapshot are "
        "not recorded in generated/migrations/schemagen.sum: a `schemagen migrate` was "
        "interrupted before it recorded them. Run `schemagen rehash` to accept them."
    )
    assert _run(project, "rehash")[0] == 0  # following the message
    _check_clean(project)
