"""Settings from ``[tool.schemagen]``: defaults, and a clear exit-2 message for each mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from schemagen.cli import main
from schemagen.config import load_project


def test_defaults_without_a_pyproject(tmp_path: Path) -> None:
    project = load_project(tmp_path)
    assert project.schema_dir == tmp_path.resolve() / "schema"
    assert project.output_dir == tmp_path.resolve() / "generated"
    assert project.templates_dir is None


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            '[tool.schemagen]\nshema = "db"\n',
            "pyproject.toml: [tool.schemagen] has unknown key 'shema' (known: schema, output, "
            "templates, lock_timeout, limits, max_locks_per_revision)",
        ),
        (
            '[project]\nname = "x"\n\n[tool.schemagen]\nschema = "db"\n'
            'lock_timeout = "5 seconds"\n',
            "pyproject.toml:6: [tool.schemagen] lock_timeout: '5 seconds' is not a PostgreSQL "
            'duration (e.g. "5s", "500ms", "1min"; "0" waits forever)',
        ),
        (
            "[tool.schemagen]\nlock_timeout = true\n",
            "pyproject.toml: [tool.schemagen] lock_timeout must be a string",
        ),
        (
            "[tool.schemagen]\nschema = 5\n",
            "pyproject.toml: [tool.schemagen] schema must be a string",
        ),
        (
            '[tool.schemagen]\nschema = "db"\nmax_locks_per_revision = 0\n',
            "pyproject.toml:3: [tool.schemagen] max_locks_per_revision must be a positive "
            "integer, not 0",
        ),
        (
            '[tool.schemagen]\nmax_locks_per_revision = "many"\n',
            "pyproject.toml:2: [tool.schemagen] max_locks_per_revision must be a positive "
            "integer, not 'many'",
        ),
        ("[tool]\nschemagen = 1\n", "pyproject.toml: [tool.schemagen] must be a table"),
        ("tool = 3\n", "pyproject.toml: `tool` must be a table (it holds [tool.schemagen])"),
    ],
    ids=[
        "unknown-key",
        "lock-timeout-not-a-duration",
        "lock-timeout-boolean",
        "not-a-string",
        "max-locks-zero",
        "max-locks-string",
        "section-not-a-table",
        "tool-not-a-table",
    ],
)
def test_bad_settings_exit_2_with_one_line(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(toml)
    result = CliRunner().invoke(main, ["validate", "--project", str(tmp_path)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output == message + "\n"


def test_invalid_toml_exit_2(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.schemagen\n")
    result = CliRunner().invoke(main, ["build", "--project", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.startswith("pyproject.toml: invalid TOML: ")


def test_pyproject_not_utf8_exit_2_for_every_reader(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b"[tool.schemagen]\nschema = '\xff'\n")
    for args in (["validate", "--project", str(tmp_path)], ["init", str(tmp_path)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, args
        assert result.output == "pyproject.toml: not UTF-8 text (byte 27)\n", args
    assert not (tmp_path / "schema").exists()


@pytest.mark.parametrize("value", ['"5s"', '"250ms"', '"1.5min"', "0", "3000", '"2 h"'])
def test_lock_timeout_accepts_postgresql_durations(tmp_path: Path, value: str) -> None:
    from schemagen.config import load_project

    (tmp_path / "pyproject.toml").write_text(f"[tool.schemagen]\nlock_timeout = {value}\n")
    assert load_project(tmp_path).lock_timeout == value.strip('"')


def test_every_command_finds_the_project_from_a_subfolder(
    flagship_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(flagship_copy / "schema")
    runner = CliRunner()
    validated = runner.invoke(main, ["validate"])
    assert validated.exit_code == 0, validated.output
    assert validated.output.startswith("schema OK: 15 entities")
    monkeypatch.chdir(flagship_copy / "generated" / "migrations")
    for argv in (["build"], ["plan"], ["check", "--no-cache"]):
        result = runner.invoke(main, argv)
        assert result.exit_code == 0, (argv, result.output)
    assert not (flagship_copy / "generated" / "migrations" / "generated").exists()
    assert not (flagship_copy / "schema" / "generated").exists()


def test_a_pyproject_without_the_section_is_passed_over(
    flagship_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inner = flagship_copy / "schema" / "sub"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "other"\n')
    monkeypatch.chdir(inner)
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output


def test_outside_any_project_one_message_suggests_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "not-schemagen"\n')
    monkeypatch.chdir(tmp_path)
    for command in ("validate", "build", "plan", "check"):
        result = CliRunner().invoke(main, [command])
        assert result.exit_code == 2, result.output
        assert result.output.count("\n") == 1, result.output
        assert result.output.startswith("no schemagen project here: neither ")
        assert "`schemagen init`" in result.output and "--project DIR" in result.output
        assert "does not exist" not in result.output
