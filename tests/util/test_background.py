"""A job in a forked child returns what the function returns, or fails in the caller."""

from __future__ import annotations

import os
import signal
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fixtures.build.cases import copy_case
from schemagen.api import build_project, load_schema, validate_project
from schemagen.cli import main
from schemagen.config import load_project
from schemagen.errors import ConfigError
from schemagen.render import build
from schemagen.util.background import Job, run_shared
from schemagen.validate import reading as loading

REPO = Path(__file__).resolve().parents[2]
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")


@needs_fork
def test_the_child_computes_and_the_caller_gets_the_value() -> None:
    parent = os.getpid()
    job = Job(lambda: {"pid": os.getpid(), "text": "é" * 100_000})
    value = job.result()
    assert value["pid"] != parent  # it ran elsewhere
    assert value["text"] == "é" * 100_000  # more than a pipe buffer, whole


@needs_fork
def test_a_failing_child_lets_the_caller_raise_the_error_itself() -> None:
    calls: list[int] = []

    def fail() -> None:
        calls.append(os.getpid())
        raise ConfigError("template docs/entity.md.j2: boom")

    job = Job(fail)
    with pytest.raises(ConfigError, match="boom"):
        job.result()
    assert calls == [os.getpid()]  # the child's attempt left no trace here


@needs_fork
def test_cancel_stops_the_child() -> None:
    job = Job(lambda: sum(range(10**9)))
    job.cancel()
    assert job.pid == 0


class Interrupted(Exception):
    """What the alarm's handler raises, as a Ctrl-C's handler raises KeyboardInterrupt."""


@needs_fork
def test_an_interrupted_wait_for_the_result_lets_cancel_stop_and_reap_the_child() -> None:
    """Before: result()'s file object had closed the pipe, and cancel() closed its
    number again: OSError (EBADF) in place of the interrupt, the child never reaped."""

    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted

    job = Job(lambda: time.sleep(30))
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(Interrupted):
            job.result()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    pid = job.pid
    job.cancel()
    assert job.pid == 0
    with pytest.raises(ChildProcessError):  # reaped: no zombie left
        os.waitpid(pid, os.WNOHANG)


def test_without_fork_the_function_runs_on_result() -> None:
    job = Job(lambda: os.getpid(), fork=False)
    assert job.result() == os.getpid()


@needs_fork
def test_shared_tasks_give_every_result_in_order_from_both_processes(tmp_path: Path) -> None:
    parent, marker = os.getpid(), tmp_path / "child-was-here"

    def task(n: int) -> tuple[int, int]:
        if os.getpid() != parent:
            marker.touch()
        else:  # the caller waits for the child's first task: both surely take some
            deadline = time.monotonic() + 30
            while not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
        return n, os.getpid()

    results = run_shared([partial(task, n) for n in range(40)])
    assert [n for n, _ in results] == list(range(40))
    assert {pid for _, pid in results} - {parent}  # the child delivered some


@needs_fork
def test_tasks_a_dying_child_took_are_run_by_the_caller() -> None:
    parent = os.getpid()

    def task(n: int) -> int:
        if os.getpid() != parent:
            os._exit(3)  # the child dies on its first task, which it never delivers
        return n * n

    assert run_shared([partial(task, n) for n in range(10)]) == [n * n for n in range(10)]


@needs_fork
def test_a_failing_shared_task_raises_in_the_caller() -> None:
    def fail() -> int:
        raise ConfigError("template revision.py.j2: boom")

    with pytest.raises(ConfigError, match="boom"):
        run_shared([lambda: 1, fail, lambda: 3])


@needs_fork
def test_the_first_failing_shared_task_in_order_raises_whoever_met_it() -> None:
    """The caller is held on the first task while the child takes the second, which
    fails only later; the caller then takes the third and meets its failure first.
    The error is still the second task's, as when one process runs them in order."""
    caller = os.getpid()

    def held() -> int:
        if os.getpid() == caller:
            time.sleep(0.4)  # the child takes the next task meanwhile
        return 0

    def early() -> int:
        if os.getpid() != caller:
            time.sleep(0.8)  # in the child: fails after the caller met the third task
        raise ConfigError("template models.py.j2: first")

    def late() -> int:
        raise ValueError("second")

    with pytest.raises(ConfigError, match="first"):
        run_shared([held, early, late])


@needs_fork
def test_the_childs_task_runs_there_first_and_never_here() -> None:
    """``child_task``: the child runs it before it takes another (even as the only
    task), the caller never takes it; without a child, or when the child dies before
    delivering it, the caller runs it, in order."""
    parent = os.getpid()
    ran_here: list[int] = []

    def task(n: int) -> tuple[int, int]:
        if os.getpid() == parent:
            ran_here.append(n)
        return n, os.getpid()

    tasks = [partial(task, n) for n in range(6)]
    results = run_shared(tasks, child_task=4)
    assert [n for n, _ in results] == list(range(6))
    assert results[4][1] != parent and 4 not in ran_here
    (alone,) = run_shared([partial(task, 0)], child_task=0)
    assert alone[1] != parent
    ran_here.clear()
    assert [n for n, _ in run_shared(tasks, fork=False, child_task=4)] == list(range(6))
    assert ran_here == [0, 1, 2, 3, 5, 4]  # the child's task last here, with none forked

    def dies(n: int) -> int:
        if os.getpid() != parent:
            os._exit(3)  # the child dies on its first task
        return n * n

    assert run_shared([partial(dies, n) for n in range(5)], child_task=2) == [0, 1, 4, 9, 16]


@needs_fork
def test_forked_docs_render_the_same_files(monkeypatch: pytest.MonkeyPatch) -> None:
    project = load_project(REPO)
    schema = load_schema(project).schema
    assert schema is not None
    monkeypatch.setattr(build, "PARALLEL_DOCS", 10**9)
    serial = build.render_all(project, schema)
    monkeypatch.setattr(build, "PARALLEL_DOCS", 0)
    forked = build.render_all(project, schema)
    assert list(forked) == list(serial) and forked == serial


@needs_fork
@pytest.mark.parametrize("broken", [False, True])
def test_a_forked_read_loads_the_same_schema_and_issues(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: bool
) -> None:
    (tmp_path / "pyproject.toml").write_text((REPO / "pyproject.toml").read_text())
    schema_dir = tmp_path / "schema"
    schema_dir.mkdir()
    for path in sorted((REPO / "schema").glob("*.yaml")):
        (schema_dir / path.name).write_text(path.read_text())
    if broken:  # problems in files on both sides of the split, and in between
        (schema_dir / "0_first.yaml").write_text("entities:\n  A: {colums: {}}\n")
        (schema_dir / "m_middle.yaml").write_text("enums: [1, 2\n")
        last = "entities:\n  Z:\n    columns: {id: {type: strng}}\n"
        (schema_dir / "z_last.yaml").write_text(last)
    monkeypatch.setattr(loading, "PARALLEL_READ_BYTES", 10**12)
    serial = validate_project(tmp_path)
    monkeypatch.setattr(loading, "PARALLEL_READ_BYTES", 0)
    forked = validate_project(tmp_path)
    assert len(loading.schema_files(schema_dir)) > 2
    assert forked.issues == serial.issues
    assert bool(serial.errors) is broken
    assert forked.schema == serial.schema
    assert forked.source_map == serial.source_map


@needs_fork
def test_the_callers_work_meanwhile_runs_once_while_the_child_parses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = load_project(REPO)
    monkeypatch.setattr(loading, "PARALLEL_READ_BYTES", 10**12)
    serial = loading.read_folder(project)
    monkeypatch.setattr(loading, "PARALLEL_READ_BYTES", 0)
    children: list[int] = []
    monkeypatch.setattr(Job, "result", _counting(Job.result, children))
    calls: list[int] = []
    # called before the child's files are taken: the child is still owed
    forked = loading.read_folder(project, lambda: calls.append(len(children)))
    assert calls == [0] and children == [1]
    assert forked == serial


def _counting(result: Any, calls: list[int]) -> Any:
    def counted(job: Job[Any]) -> Any:
        calls.append(1)
        return result(job)

    return counted


def _snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@needs_fork
def test_an_early_docs_child_that_fails_leaves_the_error_to_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_case("shop", tmp_path / "shop")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + 'templates = "nowhere"\n', encoding="utf-8")
    monkeypatch.setattr(build, "PARALLEL_DOCS", 0)
    result = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert result.exit_code == 2
    assert "templates folder nowhere does not exist" in result.output
    assert not (root / "generated").exists()


@needs_fork
@pytest.mark.parametrize(
    ("old", "new", "message", "started"),
    [
        # normalize fails on it (a parent that does not exist): no child starts
        (
            "references: Customer\n        nullable: true",
            "references: Nobody\n        nullable: true",
            "unknown entity 'Nobody'",
            False,
        ),
        # normalize copes with it (an index over a missing column): the child starts
        ("{columns: [settings], using: gin}", "{columns: [setings], using: gin}", "setings", True),
        # only the model checks (after normalize) reject it: the child starts
        ("default: 2.5}", "default: yes}", "rating.default: default true is a boolean", True),
    ],
)
def test_docs_started_early_are_dropped_on_an_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    old: str,
    new: str,
    message: str,
    started: bool,
) -> None:
    root = copy_case("shop", tmp_path / "shop")
    build_project(root)
    before = _snapshot(root / "generated")
    yaml_path = root / "schema" / "shop.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    assert old in text
    yaml_path.write_text(text.replace(old, new, 1), encoding="utf-8")
    monkeypatch.setattr(build, "PARALLEL_DOCS", 0)
    cancelled: list[int] = []
    cancel = Job.cancel

    def spy(job: Job[object]) -> None:
        cancelled.append(job.pid)
        cancel(job)

    monkeypatch.setattr(Job, "cancel", spy)
    result = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert result.exit_code == 2, result.output
    assert message in result.output and "shop.yaml:" in result.output
    # a child started early is stopped; none starts when normalizing failed
    assert (len(cancelled) == 1 and cancelled[0] != 0) if started else cancelled == []
    assert _snapshot(root / "generated") == before
    assert not (root / "generated" / ".schemagen-staging").exists()
