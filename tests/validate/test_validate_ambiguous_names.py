"""Python names that read like 1 and 0 (``I``, ``O``, ``l``), which ruff refuses for a
class (E742) or an attribute (E741): written by hand in a schema, each passed validate
and gave a models.py that failed ruff (an entity ``I``, an enum ``O``, a view ``I``, a
column ``l`` or ``attribute: O``, a view column ``l``, a relationship ``l``, a
``back_populates: I``: nine E741/E742 in one models.py). validate now refuses each where
it is written and says what to write: the names ``schemagen import`` gives (93b0ac3),
``IType``/``OType`` for a class (the table, type or view keeping its name) and ``l_`` for
an attribute. An enum value ``i`` or ``o`` names no member by the user's choice: it maps
to ``I_``/``O_``, as a keyword's value does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures.language.helpers import issues_of, write_project
from schemagen.cli import main

GOOD = """
enums:
  OType: {db_name: o, values: [i, l, o, x]}
entities:
  IType:
    table: i
    columns:
      id: {type: bigint, primary_key: true}
      l: {type: text, attribute: l_, nullable: true}
      o: {type: text, attribute: O_}
      state: {type: enum, enum: OType}
  Item:
    columns:
      id: {type: bigint, primary_key: true}
      thing_id: {references: IType, relationship: l_, back_populates: I_, on_delete: cascade,
                 index: true}
views:
  LView:
    view: l
    sql: SELECT id, l FROM i
    columns:
      id: {type: bigint}
      l: {type: text, attribute: l_}
"""

# (GOOD's text and what is written instead, everywhere; the issue validate reports)
BAD: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "entity": (
        (("IType", "O"), ("    table: i\n", ""), ("FROM i", "FROM os")),
        "schema/s.yaml:4:3: entities.O: entity name 'O' reads like 1 or 0, which ruff refuses "
        "as a class name (E742); name it OType, with table: os to keep the table's name",
    ),
    "entity_with_table": (
        (("IType", "I"),),
        "schema/s.yaml:4:3: entities.I: entity name 'I' reads like 1 or 0, which ruff refuses "
        "as a class name (E742); name it IType",
    ),
    "enum": (
        (("OType", "O"),),
        "schema/s.yaml:2:3: enums.O: enum name 'O' reads like 1 or 0, which ruff refuses as a "
        "class name (E742); name it OType, with db_name: o to keep the type's name",
    ),
    "view": (
        (("  LView:\n    view: l\n", "  O:\n"),),
        "schema/s.yaml:17:3: views.O: 'O' reads like 1 or 0, which ruff refuses as a class "
        "name (E742); name it OType, with view: o to keep its name",
    ),
    "view_with_view": (
        (("LView", "I"),),
        "schema/s.yaml:17:3: views.I: 'I' reads like 1 or 0, which ruff refuses as a class "
        "name (E742); name it IType",
    ),
    "column": (
        (("attribute: l_, nullable", "nullable"),),
        "schema/s.yaml:8:7: entities.IType.columns.l: column name 'l' reads like 1 or 0, which "
        "ruff refuses as an attribute name (E741); add attribute: l_ (the Python name)",
    ),
    "column_attribute": (
        (("attribute: O_}", "attribute: O}"),),
        "schema/s.yaml:9:23: entities.IType.columns.o.attribute: 'O' reads like 1 or 0, which "
        "ruff refuses as an attribute name (E741); write O_",
    ),
    "relationship": (
        (("relationship: l_,", "relationship: l,"),),
        "schema/s.yaml:14:37: entities.Item.columns.thing_id.relationship: relationship 'l' on "
        "Item reads like 1 or 0, which ruff refuses as an attribute name (E741); write l_",
    ),
    "back_populates": (
        (("back_populates: I_,", "back_populates: I,"),),
        "schema/s.yaml:14:55: entities.Item.columns.thing_id.back_populates: relationship 'I' "
        "on IType reads like 1 or 0, which ruff refuses as an attribute name (E741); write I_",
    ),
    # a default name: nothing written where the error points, so it says which key to add
    "relationship_default": (
        (("thing_id: {references: IType, relationship: l_,", "l_id: {references: IType,"),),
        "schema/s.yaml:14:7: entities.Item.columns.l_id.relationship: relationship 'l' on Item "
        "reads like 1 or 0, which ruff refuses as an attribute name (E741); l is the default "
        "name of the many-to-one side of column l_id of Item (the column's name without _id): "
        "add relationship: l_ to that column",
    ),
    "back_populates_default": (
        (
            ("  Item:\n    columns:\n", "  Item:\n    table: l\n    columns:\n"),
            ("back_populates: I_, ", ""),
            ("    view: l\n", "    view: lv\n"),
        ),
        "schema/s.yaml:15:7: entities.Item.columns.thing_id.back_populates: relationship 'l' "
        "on IType reads like 1 or 0, which ruff refuses as an attribute name (E741); l is the "
        "default name of the one-to-many side of column thing_id of Item (its table's name): "
        "add back_populates: l_ to that column",
    ),
    "view_column": (
        (("l: {type: text, attribute: l_}", "l: {type: text}"),),
        "schema/s.yaml:22:7: views.LView.columns.l: 'l' reads like 1 or 0, which ruff refuses "
        "as an attribute name (E741): say attribute: l_",
    ),
}


def _bad(case: str) -> str:
    text = GOOD
    for good, bad in BAD[case][0]:
        assert good in text, good
        text = text.replace(good, bad)
    return text


@pytest.mark.parametrize("case", sorted(BAD))
def test_validate_refuses_the_name_where_it_is_written(tmp_path: Path, case: str) -> None:
    assert issues_of(tmp_path, {"s.yaml": _bad(case)}) == [BAD[case][1]]


@pytest.mark.parametrize("case", sorted(BAD))
def test_build_refuses_it_and_leaves_generated_as_it_was(tmp_path: Path, case: str) -> None:
    write_project(tmp_path, {"s.yaml": GOOD})
    built = CliRunner().invoke(main, ["build", "--project", str(tmp_path)])
    assert built.exit_code == 0, built.output
    before = {p: p.read_bytes() for p in (tmp_path / "generated").rglob("*") if p.is_file()}
    write_project(tmp_path, {"s.yaml": _bad(case)})
    for command in ("validate", "build"):
        result = CliRunner().invoke(main, [command, "--project", str(tmp_path)])
        assert result.exit_code == 2, result.output
        summary = ["schema invalid: 1 error"] if command == "validate" else []
        assert result.stderr.splitlines() == [BAD[case][1], *summary]
        assert "Traceback" not in result.output
    after = {p: p.read_bytes() for p in (tmp_path / "generated").rglob("*") if p.is_file()}
    assert after == before


def test_the_spellings_validate_asks_for_give_models_ruff_and_mypy_pass(tmp_path: Path) -> None:
    write_project(tmp_path, {"s.yaml": GOOD})
    result = CliRunner().invoke(main, ["build", "--project", str(tmp_path)])
    assert result.exit_code == 0, result.output
    models = tmp_path / "generated" / "models.py"
    text = models.read_text(encoding="utf-8")
    # the enum's values i and o map to members I_ and O_ (l's is L, not ambiguous)
    for line in ("class OType(enum.Enum):", '    I_ = "i"', '    L = "l"', '    O_ = "o"',
                 "class IType(Base):", "    l_: Mapped[str | None]", "    O_: Mapped[str]",
                 "    l_: Mapped[\"IType\"]", "    I_: Mapped[list[\"Item\"]]",
                 "class LView(ViewBase):"):  # fmt: skip
        assert line in text, line
    for argv in (
        ["ruff", "check", "--no-cache", "--isolated", "--select", "E,F,W,I,B,UP",
         "--line-length", "100", str(models)],
        ["mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".m"),
         str(models)],
    ):  # fmt: skip
        out = subprocess.run([sys.executable, "-m", *argv], capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr
