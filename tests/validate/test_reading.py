"""The schema folder read by two processes (``validate.reading.FolderRead``): started
by ``check`` before it imports the rest of the front end, finished after; the same
files, issues and schema as one process reading everything at once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from forks import fork_spy, needs_fork
from schemagen.check import run as check_run
from schemagen.check.run import check_project
from schemagen.config import load_project
from schemagen.util.background import Job
from schemagen.validate import reading
from schemagen.validate.pipeline import load_schema_apart

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def flagship(tmp_path: Path) -> Path:
    root = tmp_path / "flagship"
    shutil.copytree(REPO / "schema", root / "schema")
    shutil.copytree(
        REPO / "generated", root / "generated", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


@needs_fork
@pytest.mark.parametrize("share", [0.0, 0.45, 1.0])
def test_started_early_and_finished_later_reads_what_one_process_reads(
    monkeypatch: pytest.MonkeyPatch, share: float
) -> None:
    """The child is forked when the read starts, before the caller's own work."""
    project = load_project(REPO)
    monkeypatch.setattr(reading, "PARALLEL_READ_BYTES", 10**12)
    alone = reading.read_folder(project, marks=False)
    monkeypatch.setattr(reading, "PARALLEL_READ_BYTES", 0)
    started = fork_spy(monkeypatch)
    read = reading.FolderRead(project, marks=False, caller_share=share)
    assert len(started) == 1, "the child starts with the read"
    assert read.finish() == alone
    assert len(alone[0]) == len(reading.schema_files(project.schema_dir)) > 2


def test_a_folder_without_schema_files_is_one_issue_and_no_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text((REPO / "pyproject.toml").read_text())
    project = load_project(tmp_path)
    started = fork_spy(monkeypatch)
    missing = reading.FolderRead(project).finish(lambda: pytest.fail("no files: not called"))
    (tmp_path / "schema").mkdir()
    empty = reading.FolderRead(project).finish()
    assert started == []
    assert [i.message for i in missing[1]] == ["schema folder schema/ does not exist"]
    assert [i.message for i in empty[1]] == ["no *.yaml or *.yml files in schema/"]


def test_a_reading_must_have_the_marks_the_warnings_ask_for() -> None:
    project = load_project(REPO)
    read = reading.FolderRead(project, marks=True)
    try:
        with pytest.raises(ValueError, match="marks"):
            load_schema_apart(project, warnings=False, reading=read)
    finally:
        read.cancel()


@needs_fork
def test_check_starts_the_read_first_and_stops_it_when_it_fails_before_loading(
    flagship: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """check forks the parsing child before reading the history; when the history
    read fails unexpectedly (a bug), the child is stopped, not left behind."""
    monkeypatch.setattr(reading, "PARALLEL_READ_BYTES", 0)
    started = fork_spy(monkeypatch)
    assert check_project(flagship, use_cache=False).ok
    assert len(started) == 1  # the parsing child (15 tables: no other child)

    cancelled: list[int] = []
    cancel = Job.cancel

    def spy(job: Job[object]) -> None:
        cancelled.append(job.pid)
        cancel(job)

    def broken(project: object) -> None:
        raise RuntimeError("the history could not be read")

    monkeypatch.setattr(Job, "cancel", spy)
    monkeypatch.setattr(check_run, "_history_report", broken)
    started.clear()
    with pytest.raises(RuntimeError, match="history"):
        check_project(flagship, use_cache=False)
    assert len(started) == 1 and cancelled == started
    with pytest.raises(ChildProcessError):
        os.waitpid(started[0], os.WNOHANG)  # reaped: no child left behind
