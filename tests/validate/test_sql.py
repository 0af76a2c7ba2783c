"""SQL fragments read by PostgreSQL's parser: the API, and the located errors of validate.

The examples quoted in issue 15 each passed validate and then failed in
PostgreSQL; each is a case here, with its exact message.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fixtures.language.helpers import issues_of
from schemagen.validate.sql import (
    SqlSyntaxError,
    has_subquery,
    parse_expression,
    parse_query,
    referenced_columns,
    referenced_relations,
    shown,
)


def test_referenced_columns_come_from_the_parse_tree() -> None:
    tree = parse_expression(
        "\"Price\" >= 0 AND lower(title) LIKE 'a%' AND p.sku IS NOT NULL "
        "AND created_at < now() - interval '1 day' AND status::text <> 'x' AND current_date > d"
    )
    assert referenced_columns(tree) == [
        ("Price",),
        ("title",),
        ("p", "sku"),
        ("created_at",),
        ("status",),
        ("d",),
    ]


def test_words_in_strings_and_keywords_are_no_columns() -> None:
    tree = parse_expression("coalesce(note, 'price id') = 'x''y' AND true IS NOT NULL")
    assert referenced_columns(tree) == [("note",)]


@pytest.mark.parametrize(
    ("sql", "message", "position"),
    [
        ("id > 0)", 'syntax error at or near ")"', 7),
        ("(((", "syntax error at end of input", None),
        ("id >", "syntax error at end of input", None),
        ("id > 0 -- comment", "syntax error at end of input", None),
        ("a, b", "is not one expression (a list, or a statement?)", None),
        ("a AS b", 'syntax error at or near "AS"', 3),
        ("id > 0) OR (true", 'syntax error at or near ")"', 7),
        ("1; DROP TABLE t", "holds more than one statement (a `;`?); write one expression", None),
        ("1 FROM t", 'syntax error at or near "FROM"', 3),
        ("id > 0 /* open", 'unterminated /* comment at or near "/* open"', 8),
        ("'a\x00b'", "holds a NUL character (\\0), which PostgreSQL text cannot hold", 3),
        ("  ", "is empty", None),
    ],
)
def test_parse_errors_carry_the_parser_message_and_position(
    sql: str, message: str, position: int | None
) -> None:
    with pytest.raises(SqlSyntaxError) as caught:
        parse_expression(sql)
    assert (caught.value.message, caught.value.position) == (message, position)


def test_position_counts_characters_not_bytes() -> None:
    with pytest.raises(SqlSyntaxError) as caught:
        parse_expression("'🚀' )")
    assert caught.value.position == 5


def test_queries_and_relations_for_view_bodies() -> None:
    tree = parse_query("SELECT p.id FROM shop.products p JOIN stores s ON s.id = p.store_id")
    assert referenced_relations(tree) == [("shop", "products"), ("stores",)]
    assert referenced_columns(tree) == [("p", "id"), ("s", "id"), ("p", "store_id")]
    with pytest.raises(SqlSyntaxError, match="InsertStmt, not a query"):
        parse_query("INSERT INTO t VALUES (1)")
    with pytest.raises(SqlSyntaxError, match="2 statements"):
        parse_query("SELECT 1; SELECT 2")


def test_subqueries_are_found() -> None:
    assert has_subquery(parse_expression("id IN (SELECT 1)"))
    assert not has_subquery(parse_expression("id IN (1, 2)"))


def test_shown_bounds_a_value() -> None:
    assert shown("x" * 5_000_000) == "x" * 59 + "…"
    assert shown("short") == "short"


ENTITY = """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      price: {type: integer}
      {extra}
    checks:
      ck_x: "{check}"
    indexes:
      ix_x: {columns: [price], where: "{where}"}
"""


def _issues(
    tmp_path: Path, check: str = "price > 0", where: str = "price > 0", extra: str = ""
) -> list[str]:
    text = ENTITY.replace("{check}", check).replace("{where}", where).replace("{extra}", extra)
    return issues_of(tmp_path, {"s.yaml": text})


def test_issue_examples_are_located_errors(tmp_path: Path) -> None:
    assert _issues(tmp_path, check="id > 0)") == [
        "schema/s.yaml:8:7: entities.Store.checks.ck_x: SQL 'id > 0)' syntax error at or "
        'near ")" (character 7 of the SQL)'
    ]
    assert _issues(tmp_path, check="(((") == [
        "schema/s.yaml:8:7: entities.Store.checks.ck_x: SQL '(((' syntax error at end of input"
    ]
    assert _issues(tmp_path, check="id >") == [
        "schema/s.yaml:8:7: entities.Store.checks.ck_x: SQL 'id >' syntax error at end of input"
    ]
    # PostgreSQL reads a non-ASCII word as an identifier: a column that does not exist.
    assert _issues(tmp_path, where="🚀") == [
        "schema/s.yaml:10:32: entities.Store.indexes.ix_x.where: unknown column '🚀'"
    ]


def test_nul_in_where_and_check_is_located(tmp_path: Path) -> None:
    assert _issues(tmp_path, where="price > 0 AND '\\0' = ''") == [
        "schema/s.yaml:10:39: entities.Store.indexes.ix_x.where: text holds a NUL "
        "character (\\0), which PostgreSQL text cannot hold"
    ]


def test_other_tables_and_subqueries_are_refused(tmp_path: Path) -> None:
    assert _issues(tmp_path, check="orders.price > 0 AND stores.price > 0") == [
        "schema/s.yaml:8:7: entities.Store.checks.ck_x: 'orders.price' names another table; "
        "only the columns of stores can appear here"
    ]
    assert _issues(tmp_path, check="price IN (SELECT 1)") == [
        "schema/s.yaml:8:7: entities.Store.checks.ck_x: PostgreSQL allows no sub-select "
        "(SELECT, EXISTS) here"
    ]


def test_sql_defaults_are_parsed(tmp_path: Path) -> None:
    assert _issues(tmp_path, extra="n: {type: integer, default: {sql: 'abs(-1'}}") == [
        "schema/s.yaml:6:26: entities.Store.columns.n.default: {sql: ...} default 'abs(-1' "
        "syntax error at end of input"
    ]
    assert _issues(tmp_path, extra="n: {type: integer, default: {sql: price}}") == [
        "schema/s.yaml:6:26: entities.Store.columns.n.default: a default cannot refer to a "
        "column ('price'); PostgreSQL refuses it (for text, write the value without {sql: ...})"
    ]
    assert _issues(tmp_path, extra="n: {type: integer, default: {sql: 'abs(-1) + 2'}}") == []


def test_pglast_is_imported_only_to_read_sql() -> None:
    """Importing the checks and plan's modules leaves pglast out (~50 ms: plan's own
    process never reads SQL); the first fragment read brings it in."""
    code = (
        "import sys\n"
        "import schemagen.validate.pipeline, schemagen.revision.commands\n"
        "print('pglast' in sys.modules)\n"
        "from schemagen.validate.sql import read_expression\n"
        "read_expression('price > 0')\n"
        "print('pglast' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "True"]
