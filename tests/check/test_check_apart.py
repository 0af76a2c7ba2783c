"""A full ``check`` of a large schema runs the schema's own checks apart while it
compares the files and the database (``pipeline.load_schema_apart``): the reference
checks in a child while the schema is normalized, the model checks as the first task
of the files' processes (``check.files``). The same output and exit code as when the
checks ran first, and the schema's errors win over file drift, a broken template and
an unreachable database alike.

The helpers and cases are ``tests/checks_apart.py``'s, shared with plan and migrate
(``tests/validate/test_checks_apart.py``), which take the same path.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from checks_apart import CASES, DROP, both_ways, edited_shop
from forks import needs_fork
from schemagen.check import files

COMMANDS = [
    ("check", "--no-cache"),
    ("check", "--no-cache", "--format", "json"),
    ("check", "--no-cache", "--database", "postgresql://u:pw@127.0.0.1:1/x"),
]


@needs_fork
@pytest.mark.parametrize("files_apart", [False, True], ids=["files_here", "files_apart"])
@pytest.mark.parametrize(("old", "new", "message", "forked"), CASES)
def test_the_schemas_errors_are_reported_as_before(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    old: str,
    new: str,
    message: str,
    forked: bool,
    files_apart: bool,
) -> None:
    """``files_apart``: the files are shared with a child (as from 300 tables on), which
    may then run the model checks: their issues come back from it."""
    edits = [(old, new), DROP]
    serial, apart = edited_shop(tmp_path, "serial", edits), edited_shop(tmp_path, "apart", edits)
    models = apart / "generated" / "models.py"
    models.write_text("# edited\n", encoding="utf-8")  # file drift, not reported
    for command in COMMANDS:
        if files_apart:
            monkeypatch.setattr(files, "PARALLEL_FROM", 0)  # undone by both_ways
        expected, got, started = both_ways(monkeypatch, serial, apart, command)
        assert got.exit_code == expected.exit_code == 2, got.output
        assert got.output == expected.output and message in got.output
        # the reference checks' child, started before normalizing (stopped when
        # normalize fails); once the schema is normalized, the files' child (the
        # model checks need none of their own), which compares the database first
        children = 1 + (("--database" in command or files_apart) if forked else 0)
        assert len(started) == children, command


@needs_fork
def test_a_valid_schema_finds_the_same_drift_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial, apart = edited_shop(tmp_path, "serial", [DROP]), edited_shop(tmp_path, "apart", [DROP])
    for root in (serial, apart):
        (root / "generated" / "database.py").write_text("# edited\n", encoding="utf-8")
    for command in COMMANDS[:2]:
        expected, got, started = both_ways(monkeypatch, serial, apart, command)
        assert (got.exit_code, got.output) == (expected.exit_code, expected.output)
        assert got.exit_code == 1 and "database.py" in got.output, got.output
        # the reference checks; shop is too small for other children, and the model
        # checks run among the files' tasks
        assert len(started) == 1, command
    expected, got, _ = both_ways(monkeypatch, serial, apart, COMMANDS[2])
    assert (got.exit_code, got.output) == (expected.exit_code, expected.output)
    assert got.exit_code == 2 and "cannot connect" in got.output
