"""A job in a forked child returns what the function returns, or fails in the caller."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from schemagen import build
from schemagen.api import load_schema
from schemagen.background import Job
from schemagen.config import load_project
from schemagen.errors import ConfigError

REPO = Path(__file__).resolve().parent.parent
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


def test_without_fork_the_function_runs_on_result() -> None:
    job = Job(lambda: os.getpid(), fork=False)
    assert job.result() == os.getpid()


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
