"""Generated stored columns: what validate refuses, with its place."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of


def test_generated_column_in_the_model(tmp_path: Path) -> None:
    text = """
    entities:
      Line:
        columns:
          id: {type: bigint, primary_key: true}
          price: {type: numeric, precision: 12, scale: 2}
          qty: {type: integer}
          total: {type: numeric, generated: "price * qty"}
    """
    line = schema_of(tmp_path, {"s.yaml": text}).entity("Line")
    assert line.column("total").generated == "price * qty"
    assert line.column("price").generated is None


def test_bad_generated_columns_are_located_errors(tmp_path: Path) -> None:
    text = """
    entities:
      Line:
        columns:
          id: {type: bigint, primary_key: true, generated: "1"}
          price: {type: numeric}
          total: {type: numeric, generated: "price * quantity"}
          double_total: {type: numeric, generated: "total * 2"}
          again: {type: integer, generated: "again + 1"}
          blank: {type: integer, generated: " "}
          with_default: {type: integer, default: 0, generated: "2"}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:4:26: entities.Line.columns.id.primary_key: a generated column cannot "
        "have `primary_key`",
        "schema/s.yaml:6:30: entities.Line.columns.total.generated: unknown column 'quantity'",
        "schema/s.yaml:7:37: entities.Line.columns.double_total.generated: refers to 'total', "
        "itself a generated column (PostgreSQL computes generated columns from stored ones "
        "only)",
        "schema/s.yaml:8:30: entities.Line.columns.again.generated: a generated column cannot "
        "refer to itself",
        "schema/s.yaml:9:30: entities.Line.columns.blank.generated: the generated expression "
        "is empty; write an SQL expression",
        "schema/s.yaml:10:37: entities.Line.columns.with_default.default: a generated column "
        "cannot have `default`",
    ]
