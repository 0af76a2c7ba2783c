"""The shop case edited and run twice, its schema's checks once in this process and
once in a forked child (``pipeline.load_schema_apart``): the cases and steps that the
tests of plan, migrate and check with their checks apart share."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fixtures.build.cases import copy_case
from forks import fork_spy
from schemagen.cli import main
from schemagen.validate import pipeline

#: A column dropped: a destructive plan, which migrate refuses (exit 1) unless the
#: schema has an error as well (exit 2, the error reported, not the refusal).
DROP = ("      ratio: {type: numeric, nullable: true}\n", "")

#: (old text, new text, a word of the error, whether the schema is normalized: then
#: its checks are forked)
CASES = [
    # normalize fails on it (a parent that does not exist): nothing is forked but
    # plan's reference checks, stopped then (they run here)
    ("references: Customer\n        nullable: true", "references: Nobody\n        nullable: true",
     "unknown entity 'Nobody'", False),
    # the reference checks reject it, normalize copes: the checks run in the child
    ("{columns: [settings], using: gin}", "{columns: [setings], using: gin}", "setings", True),
    # only the model checks (after normalize) reject it
    ("default: 2.5}", "default: yes}", "rating.default: default true is a boolean", True),
]  # fmt: skip


def run(root: Path, *args: str) -> Result:
    """``schemagen`` with ``args`` on the project at ``root``, in this process."""
    return CliRunner().invoke(main, [*args, "--project", str(root)])


def edited_shop(tmp_path: Path, name: str, edits: list[tuple[str, str]]) -> Path:
    """The shop case with its first revision, then ``edits`` made to its YAML."""
    root = copy_case("shop", tmp_path / name)
    assert run(root, "migrate", "-m", "first").exit_code == 0
    path = root / "schema" / "shop.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return root


def both_ways(
    monkeypatch: pytest.MonkeyPatch, serial: Path, apart: Path, command: tuple[str, ...]
) -> tuple[Result, Result, list[int]]:
    """``command`` run in ``serial`` with the checks in this process, then in ``apart``
    with them in a child: both results and the children the second run started."""
    monkeypatch.setattr(pipeline, "PARALLEL_CHECKS", 10**9)
    expected = run(serial, *command)
    monkeypatch.setattr(pipeline, "PARALLEL_CHECKS", 0)
    started = fork_spy(monkeypatch)
    got = run(apart, *command)
    monkeypatch.undo()
    return expected, got, started
