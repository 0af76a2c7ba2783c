"""`schemagen init`: settings in pyproject.toml and an example schema that validates."""

from __future__ import annotations

import shlex
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from pgcluster import PgCluster
from schemagen.cli import main
from schemagen.language.structure import json_schema_text
from schemagen.render.build import json_schema_file


def test_init_new_folder_gives_a_strictly_valid_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "My Shop"
    runner = CliRunner()
    result = runner.invoke(main, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "created pyproject.toml with [tool.schemagen]",
        "created schema/example.yaml",
        "created generated/schemagen.schema.json (for editors)",
        "next steps:",
        "  cd 'My Shop'",
        "  schemagen build                        # models.py, database.py, Alembic files, docs",
        '  schemagen migrate -m "initial schema"  # the first revision of the migrations',
    ]
    settings = tomllib.loads((target / "pyproject.toml").read_text())
    assert settings == {"tool": {"schemagen": {"schema": "schema", "output": "generated"}}}
    example = (target / "schema" / "example.yaml").read_text()
    assert example.splitlines()[0] == (
        "# yaml-language-server: $schema=../generated/schemagen.schema.json"
    )
    assert "  name: my_shop\n" in example
    # the same bytes build writes, so the first build leaves the file alone
    assert (target / "generated" / "schemagen.schema.json").read_text() == json_schema_file()
    check = runner.invoke(main, ["validate", "--strict", "--project", str(target)])
    assert check.exit_code == 0, check.output
    assert check.output == "schema OK: 2 entities, 11 columns, 1 enum, 1 index\n"


def test_the_next_steps_init_prints_work_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    out = runner.invoke(main, ["init", "blog"]).output.splitlines()
    steps = out[out.index("next steps:") + 1 :]
    assert [s.split()[:2] for s in steps] == [
        ["cd", "blog"], ["schemagen", "build"], ["schemagen", "migrate"]
    ]
    monkeypatch.chdir(tmp_path / "blog")
    for step in steps[1:]:
        argv = shlex.split(step.split("  #")[0])[1:]
        result = runner.invoke(main, argv)
        assert result.exit_code == 0, (step, result.output)
    assert (tmp_path / "blog" / "generated" / "models.py").is_file()
    assert [p.name for p in (tmp_path / "blog" / "generated/migrations/versions").glob("*.py")] == [
        "000_initial_schema.py"
    ]


def test_init_appends_to_an_existing_pyproject_without_disturbing_it(tmp_path: Path) -> None:
    original = '[project]\nname = "shop"  # keep this comment\n\n[tool.ruff]\nline-length = 99'
    (tmp_path / "pyproject.toml").write_text(original)
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "added [tool.schemagen] to pyproject.toml"
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith(original + "\n\n[tool.schemagen]\n")
    data = tomllib.loads(text)
    assert data["tool"]["ruff"] == {"line-length": 99}
    assert data["tool"]["schemagen"]["schema"] == "schema"


def test_init_twice_changes_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path)]).exit_code == 0
    (tmp_path / "schema" / "example.yaml").write_text("# mine\ndatabase: {name: mine}\n")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    again = runner.invoke(main, ["init", str(tmp_path)])
    assert again.exit_code == 0
    assert again.output.splitlines() == [
        "pyproject.toml already has [tool.schemagen]; left unchanged",
        "schema/ already holds YAML files; left unchanged",
        "next steps:",
        f"  cd {tmp_path}",
        "  schemagen build                        # models.py, database.py, Alembic files, docs",
        '  schemagen migrate -m "initial schema"  # the first revision of the migrations',
    ]
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_init_uses_configured_folders(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.schemagen]\nschema = "db/schema"\noutput = "db/out"\n'
    )
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    example = (tmp_path / "db" / "schema" / "example.yaml").read_text()
    assert example.startswith("# yaml-language-server: $schema=../out/schemagen.schema.json\n")
    assert (tmp_path / "db" / "out" / "schemagen.schema.json").is_file()


def test_init_refuses_invalid_toml_without_touching_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\nname = 1\n")
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.output.startswith("pyproject.toml: invalid TOML, not touched: ")
    assert (tmp_path / "pyproject.toml").read_text() == "[project\nname = 1\n"
    assert not (tmp_path / "schema").exists()


def test_init_never_appends_what_would_break_the_toml(tmp_path: Path) -> None:
    original = "tool = {black = {line-length = 88}}\n"
    (tmp_path / "pyproject.toml").write_text(original)
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 2
    # The middle is tomllib's own message, worded by the Python version.
    assert result.output.startswith(
        "pyproject.toml: appending [tool.schemagen] would make it invalid TOML ("
    )
    assert result.output.endswith(
        '); not touched. Add schema = "schema" and output = "generated" under '
        "tool.schemagen by hand\n"
    )
    assert (tmp_path / "pyproject.toml").read_text() == original
    assert not (tmp_path / "schema").exists()


def test_version_and_help_on_every_command() -> None:
    runner = CliRunner()
    version = runner.invoke(main, ["--version"])
    assert version.exit_code == 0 and version.output.startswith("schemagen, version ")
    for command in sorted(main.commands):  # type: ignore[attr-defined]
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0, command
        assert f" {command} [OPTIONS]" in result.output.splitlines()[0], command
        assert main.commands[command].help, command  # type: ignore[attr-defined]
        assert "  --project DIRECTORY  " in result.output, command


def test_init_takes_project_option_like_every_command(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["init", "--project", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p" / "schema" / "example.yaml").is_file()
    both = runner.invoke(main, ["init", str(tmp_path / "a"), "--project", str(tmp_path / "b")])
    assert both.exit_code == 2
    assert both.output == "give the project folder once: DIRECTORY or --project\n"
    printed = runner.invoke(main, ["json-schema", "--project", str(tmp_path / "p")])
    assert printed.exit_code == 0 and printed.output == json_schema_text()


def test_example_builds_into_tables_on_postgres(
    tmp_path: Path, pg: PgCluster, pg_db: str
) -> None:
    """The scaffolded example is not only valid: it builds, maps and creates its tables."""
    import subprocess
    import sys

    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path)]).exit_code == 0
    built = runner.invoke(main, ["build", "--project", str(tmp_path)])
    assert built.exit_code == 0, built.output
    code = (
        "import sys, sqlalchemy as sa; from sqlalchemy.orm import configure_mappers; "
        "import generated.models as m; configure_mappers(); "
        "engine = sa.create_engine(sys.argv[1]); m.Base.metadata.create_all(engine); "
        "print(sorted(sa.inspect(engine).get_table_names()))"
    )
    url = pg.url(pg_db)
    done = subprocess.run(
        [sys.executable, "-c", code, url], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "['customers', 'orders']\n"
