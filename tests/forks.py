"""Helpers of the tests that prove work done in forked children (util.background)."""

from __future__ import annotations

import os

import pytest
from schemagen.util.background import Job

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")


def fork_spy(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the children that ``Job`` starts from now on (until the patch is undone)."""
    started: list[int] = []
    start = Job._start

    def spy(job: Job[object]) -> None:
        start(job)
        started.append(job.pid)

    monkeypatch.setattr(Job, "_start", spy)
    return started
