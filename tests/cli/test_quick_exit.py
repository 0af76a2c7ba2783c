"""`schemagen check`, `plan` and `validate` run as a program leave without the
interpreter's teardown (``cli.leave_quickly``), yet print all of their report and
keep their exit code; other commands, ``main([...])`` called from Python and
``CliRunner`` keep the normal exit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from check_projects import NOTE_YAML
from click.testing import CliRunner
from migration_harness import schemagen, write_schema
from schemagen.cli import main

#: The console script, with a teardown step that a normal exit runs.
PROGRAM = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('torn down', file=sys.stderr))\n"
    "from schemagen.cli import main\n"
    "main()\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A one-table project at its first revision (checked with ``--no-cache``)."""
    write_schema(tmp_path, {"s.yaml": NOTE_YAML})
    schemagen(tmp_path, "migrate", "-m", "initial")
    return tmp_path


def _program(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-c", PROGRAM, *args, "--project", str(project)]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


def test_check_prints_everything_keeps_its_code_and_skips_the_teardown(project: Path) -> None:
    clean = _program(project, "check", "--no-cache")
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.splitlines()[-1].startswith("check OK: nothing drifted")
    assert "torn down" not in clean.stderr

    models = project / "generated" / "models.py"
    models.write_text(models.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    drifted = _program(project, "check", "--no-cache", "--format", "json")
    assert drifted.returncode == 1
    assert json.loads(drifted.stdout)["findings"][0]["object"] == "generated/models.py"
    assert "torn down" not in drifted.stderr

    broken = _program(project, "check", "--no-cache", "--database", "postgresql://u:pw@127.0.0.1:1/x")
    assert broken.returncode == 2
    assert "cannot connect" in broken.stderr and "pw" not in broken.stderr


#: ``main`` called with its arguments, by a Python program that goes on after it.
CALLER = (
    "import sys\n"
    "from schemagen.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    print('went on after exit', exc.code)\n"
)


def test_plan_and_validate_print_everything_keep_their_code_and_skip_the_teardown(
    project: Path,
) -> None:
    planned = _program(project, "plan")
    assert planned.returncode == 0
    assert planned.stdout == "No changes: the schema matches revision 000.\n"
    validated = _program(project, "validate", "--strict")
    assert validated.returncode == 0 and validated.stdout.startswith("schema OK: 1 entity")
    (project / "schema" / "s.yaml").write_text(NOTE_YAML.replace("text", "txet"), encoding="utf-8")
    for command in ("plan", "validate"):
        broken = _program(project, command)
        assert broken.returncode == 2 and "unknown type 'txet'" in broken.stderr, command
        assert "torn down" not in broken.stderr + planned.stderr + validated.stderr


def test_other_commands_and_callers_exit_normally(project: Path) -> None:
    built = _program(project, "build")
    assert built.returncode == 0
    assert "torn down" in built.stderr
    argv = [sys.executable, "-c", CALLER, "check", "--no-cache", "--project", str(project)]
    called = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert called.stdout.splitlines()[-1] == "went on after exit 0", called.stdout + called.stderr
    result = CliRunner().invoke(main, ["check", "--no-cache", "--project", str(project)])
    assert result.exit_code == 0, result.output  # and this process is still here
