"""Bounded input: alias bombs, huge values and NUL characters are located exit-2 errors.

Issue 15's example: a 220 KB schema that aliases one entity holding a
100,000-character description 8,000 times passed validate, then build grew to
2.4 GB and died with a MemoryError traceback.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fixtures.language.helpers import issues_of, write_project
from schemagen.cli import main

BOMB_HEAD = """
entities:
  Base: &base
    description: {description}
    columns:
      id: {{type: bigint, primary_key: true}}
"""


def _bomb(copies: int, description_size: int) -> str:
    text = BOMB_HEAD.format(description="d" * description_size)
    return text + "".join(f"  E{i}: *base\n" for i in range(copies))


def _validate(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", "--project", str(root)])
    return result.exit_code, result.output


def test_issue_alias_bomb_fails_fast_located(tmp_path: Path) -> None:
    write_project(tmp_path, {"s.yaml": _bomb(8_000, 100_000)})
    assert (tmp_path / "schema" / "s.yaml").stat().st_size < 230_000
    code, output = _validate(tmp_path)
    assert code == 2
    assert output.splitlines()[0] == (
        "schema/s.yaml:3:18: the schema expands to more than 67,108,864 bytes of text "
        "(an alias bomb?); the limit is [tool.schemagen.limits] max_scalar_bytes in pyproject.toml"
    )
    assert "Traceback" not in output


def test_limits_are_configurable(tmp_path: Path) -> None:
    write_project(tmp_path, {"s.yaml": _bomb(20, 1_000)})
    assert _validate(tmp_path)[0] == 0
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.schemagen.limits]\nmax_scalar_bytes = 10000\n")
    code, output = _validate(tmp_path)
    assert code == 2
    assert "more than 10,000 bytes of text" in output
    pyproject.write_text("[tool.schemagen.limits]\nmax_alias_nodes = 40\n")
    code, output = _validate(tmp_path)
    assert (code, "more than 40 YAML nodes copied by aliases" in output) == (2, True)
    pyproject.write_text("[tool.schemagen.limits]\nmax_nodes = 0\n")
    code, output = _validate(tmp_path)
    assert code == 2
    assert "max_nodes must be a positive whole number" in output
    pyproject.write_text("[tool.schemagen.limits]\nmax_node = 5\n")
    assert "unknown key 'max_node'" in _validate(tmp_path)[1]


def test_limits_hold_for_the_whole_folder(tmp_path: Path) -> None:
    entity = "entities:\n  {name}:\n    columns:\n      id: {{type: bigint, primary_key: true}}\n"
    files = {f"e{i}.yaml": entity.format(name=f"E{i}") for i in range(4)}
    write_project(tmp_path, files)
    assert _validate(tmp_path)[0] == 0
    (tmp_path / "pyproject.toml").write_text("[tool.schemagen.limits]\nmax_nodes = 20\n")
    code, output = _validate(tmp_path)
    assert code == 2
    assert output.splitlines()[0].startswith(
        "schema/e2.yaml:1:1: the schema expands to more than 20 YAML nodes"
    )


def test_nul_is_refused_wherever_text_reaches_sql(tmp_path: Path) -> None:
    files = {
        "s.yaml": r"""
        enums:
          Status: {values: [ok, "b\0d"]}
        entities:
          Store:
            description: "a\0b"
            columns:
              id: {type: bigint, primary_key: true}
              code: {type: text, default: "x\0"}
        """
    }
    message = "text holds a NUL character (\\0), which PostgreSQL text cannot hold"
    assert issues_of(tmp_path, files) == [
        f"schema/s.yaml:2:25: enums.Status.values.1: {message}",
        f"schema/s.yaml:5:18: entities.Store.description: {message}",
        f"schema/s.yaml:8:35: entities.Store.columns.code.default: {message}",
    ]


def test_messages_quote_huge_names_at_bounded_length(tmp_path: Path) -> None:
    name = "N" * 5_000_000
    text = (
        "entities:\n  E:\n    table: {name}\n"
        "    columns: {{id: {{type: bigint, primary_key: true}}, x: {{type: {name}}}}}\n"
    )
    write_project(tmp_path, {"s.yaml": text.format(name=name)})
    code, output = _validate(tmp_path)
    assert code == 2
    # the table name and the type name, each with its quotes; the key name is longer
    assert output.count("…(5,000,002 characters)") == 2, output
    assert output.count("…(5,000,005 characters)") == 1, output
    assert len(output) < 2_000
