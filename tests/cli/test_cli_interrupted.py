"""A command interrupted by Ctrl-C (SIGINT) prints click's 'Aborted!' and exits 130
(128 + SIGINT, the shell's code for it), not click's 1, the code of drift and of a
refused change, which a CI script would take an interrupted check for.

``tests/live/test_check_live_interrupted.py`` interrupts ``check --database``;
these need no database.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from check_projects import NOTE_YAML
from click.testing import CliRunner
from interrupts import sigint_default
from migration_harness import write_schema
from schemagen.cli import main


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A one-table project, never built."""
    write_schema(tmp_path, {"s.yaml": NOTE_YAML})
    return tmp_path


@pytest.fixture
def held(project: Path) -> Iterator[None]:
    """The project's lock (util.commit.project_lock), held as a second build would."""
    fd = os.open(project, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def opened(pid: int, path: Path) -> bool:
    """Whether process ``pid`` holds a descriptor on ``path`` (it reached the lock)."""
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd) == str(path):
                return True
        except FileNotFoundError:  # closed since the listing
            continue
    return False


def test_ctrl_c_while_build_waits_for_the_project_lock_exits_130(project: Path, held: None) -> None:
    """Before: 'Aborted!' and exit 1."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "schemagen.cli", "build", "--project", str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=sigint_default,
    )
    try:
        for _ in range(600):  # up to a minute for the interpreter to start and reach the lock
            if opened(proc.pid, project) or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert proc.poll() is None, "build ended instead of waiting for the project lock"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert (proc.returncode, out, err) == (130, "", "\nAborted!\n")
    assert not (project / "generated").exists()


def test_an_interrupt_inside_a_command_called_in_process_exits_130(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """main([...]) and CliRunner meet the interrupt the same way: SystemExit(130)."""

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("schemagen.api.plan_project", interrupted)
    result = CliRunner().invoke(main, ["plan", "--project", str(project)])
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "\nAborted!\n")
    assert isinstance(result.exception, SystemExit)


#: Run the command as ``python -m schemagen.cli`` does, with a SIGINT sent to the
#: process the moment cli.py imports click: a Ctrl-C that lands while the
#: interpreter still loads the command (half a second of a loaded machine's start).
_INTERRUPTED_AT_IMPORT = """
import builtins, os, runpy, signal, sys
real = builtins.__import__
def importing(name, *args, **kwargs):
    if name == "click" and "click" not in sys.modules:
        os.kill(os.getpid(), signal.SIGINT)
    return real(name, *args, **kwargs)
builtins.__import__ = importing
sys.argv[0] = "schemagen"
runpy.run_module("schemagen.cli", run_name="__main__", alter_sys=True)
"""


def test_ctrl_c_while_the_command_loads_exits_130(project: Path) -> None:
    """Before: a traceback through cli.py's `import click` ending in KeyboardInterrupt,
    and the process killed by SIGINT (-2), for every command."""
    proc = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED_AT_IMPORT, "build", "--project", str(project)],
        capture_output=True,
        text=True,
        preexec_fn=sigint_default,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (130, "", "\nAborted!\n")
    assert not (project / "generated").exists()
