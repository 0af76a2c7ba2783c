"""``serves:`` queries are checked at validate: SQL, one SELECT, the index's table,
and only tables and columns the schema has; each error at its own list item."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from schemagen.api import validate_project

SCHEMA = """
database: {name: shop}
entities:
  Store:
    columns:
      id: {type: integer, primary_key: true}
  Product:
    columns:
      id: {type: integer, primary_key: true}
      store_id: {references: Store}
      title: {type: string, length: 200}
    indexes:
      idx_products_title:
        columns: [title]
        serves:
%s
"""

GOOD = [
    "SELECT p.id FROM products AS p JOIN stores s ON s.id = p.store_id WHERE p.title = 'x'",
    "SELECT id AS k FROM products WHERE title > 'a' ORDER BY k",
    "WITH t AS (SELECT id FROM products WHERE title = 'x') SELECT count(*) FROM t",
    "SELECT count(*) FROM products WHERE title ILIKE '%shirt%'",
]
BAD = {
    "SELECT id FROM products WHERE titel = 'x'": "names column 'titel', which products "
    "does not have (did you mean 'title'?)",
    "SELECT id FROM prodcts WHERE title = 'x'": "names table 'prodcts', which the schema "
    "does not have (did you mean 'products'?)",
    "SELEC id FROM products": "not a query prove can run (one SELECT): syntax error at or "
    "near \"SELEC\"",
    "DELETE FROM products WHERE title = 'x'": "is a DeleteStmt, not a query (SELECT ...)",
    "SELECT id FROM stores WHERE id = 1": "does not read products, the table of this index",
    "SELECT q.id FROM products p WHERE p.title = 'x'": "reads no table called q",
}


def _items(queries: list[str]) -> str:
    return "\n".join("          - " + repr(q).replace("\\'", "''") for q in queries)


def test_good_queries_pass(tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA % _items(GOOD)})
    result = validate_project(tmp_path)
    assert result.errors == []
    assert result.schema is not None
    index = result.schema.entity("Product").indexes[0]
    assert index.serves == tuple(GOOD)


def test_each_bad_query_is_a_located_error(tmp_path: Path) -> None:
    queries = list(BAD)
    write_schema(tmp_path, {"schema.yaml": SCHEMA % _items(queries)})
    result = validate_project(tmp_path)
    assert len(result.errors) == len(BAD)
    for i, (query, message) in enumerate(BAD.items()):
        (issue,) = [e for e in result.errors if e.path.endswith(f"serves.{i}")]
        assert message in issue.message, (query, issue.message)
        assert issue.file == "schema/schema.yaml" and issue.line == 16 + i
