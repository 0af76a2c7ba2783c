"""``plan`` and ``migrate`` of a large schema check it in a forked child while they
diff and render (``pipeline.load_schema_apart``): the same output, the same errors
and exit code, and nothing written, as when the checks ran first in one process.

``PARALLEL_CHECKS`` is lowered to 0 so that the small ``shop`` case takes the
forked path, and raised out of reach for the one-process reference.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from checks_apart import CASES, DROP, both_ways, edited_shop, run
from fixtures.build.cases import copy_case
from forks import needs_fork
from schemagen.config import load_project
from schemagen.errors import SchemaInvalid
from schemagen.source import plain
from schemagen.validate import pipeline


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


COMMANDS = [
    ("plan",),
    ("migrate", "-m", "second"),
    ("migrate", "-m", "second", "--allow-destructive"),
]


@needs_fork
@pytest.mark.parametrize(("old", "new", "message", "forked"), CASES)
def test_errors_found_in_the_child_are_reported_as_before_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, message: str,
    forked: bool,
) -> None:
    edits = [(old, new), DROP]
    serial, apart = edited_shop(tmp_path, "serial", edits), edited_shop(tmp_path, "apart", edits)
    before = _tree(apart)
    for command in COMMANDS:
        expected, got, started = both_ways(monkeypatch, serial, apart, command)
        assert got.exit_code == expected.exit_code == 2, got.output
        assert got.output == expected.output and message in got.output
        assert "drops column" not in got.output  # the schema's errors, not the refusal
        assert len(started) == _children(command, forked), command
        assert _tree(apart) == before  # not a byte written, no staging folder left


@needs_fork
def test_a_valid_schema_plans_and_migrates_the_same_bytes_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rating = "      rating: {type: double, default: 2.5}\n"
    edits = [DROP, (rating, rating + "      memo: {type: text, nullable: true}\n")]
    serial, apart = edited_shop(tmp_path, "serial", edits), edited_shop(tmp_path, "apart", edits)
    for command in COMMANDS:
        expected, got, started = both_ways(monkeypatch, serial, apart, command)
        assert (got.exit_code, got.output) == (expected.exit_code, expected.output)
        assert len(started) == _children(command, True), command  # shop has no other children
    assert "+ column customers.memo text" in got.output and "wrote" in got.output
    assert _tree(apart / "generated") == _tree(serial / "generated")


def _children(command: tuple[str, ...], normalized: bool) -> int:
    """The checks' children: plan's reference checks start before normalizing and its
    model checks after; migrate's checks start together once the schema is normalized."""
    if command[0] == "plan":
        return 1 + normalized
    return int(normalized)


@needs_fork
@pytest.mark.parametrize("names_early", [False, True])
def test_pending_schema_gives_load_schemas_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, names_early: bool
) -> None:
    project = load_project(copy_case("shop", tmp_path / "shop"))

    def serial() -> pipeline.ValidationResult:
        monkeypatch.setattr(pipeline, "PARALLEL_CHECKS", 10**9)
        try:
            return pipeline.load_schema(project)
        finally:
            monkeypatch.setattr(pipeline, "PARALLEL_CHECKS", 0)

    monkeypatch.setattr(pipeline, "PARALLEL_CHECKS", 0)
    pending = pipeline.load_schema_apart(project, names_early=names_early)
    assert pending.schema is not None
    result = pending.finish()
    assert result == serial()
    assert pending.finish() is result  # asked again: the same, no second child
    path = project.schema_dir / "shop.yaml"
    path.write_text(path.read_text().replace(*CASES[2][:2], 1))
    pending = pipeline.load_schema_apart(project, names_early=names_early)
    with pytest.raises(SchemaInvalid) as apart:
        pending.finish()
    with pytest.raises(SchemaInvalid) as alone:
        serial()
    assert apart.value.issues == alone.value.issues and apart.value.issues


def test_plan_reads_a_file_again_only_for_the_marks_of_an_issue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """plan records no marks while parsing (it shows no warnings): a clean schema is
    read once; an error has its file read again, for the same located message."""
    rereads: list[str] = []
    first_read = plain.load_plain
    monkeypatch.setattr(
        plain, "load_plain", lambda text, *a, **k: rereads.append(text) or first_read(text, *a, **k)
    )
    clean = edited_shop(tmp_path, "clean", [])
    assert run(clean, "plan").exit_code == 0
    assert rereads == []
    old, new = CASES[2][:2]
    broken = edited_shop(tmp_path, "broken", [(old, new)])
    got = run(broken, "plan")
    assert got.exit_code == 2 and len(rereads) == 1, got.output
    # the same error, at the same place, as validate's (marks recorded while parsing)
    assert got.output.splitlines()[0] in run(broken, "validate").output.splitlines()
