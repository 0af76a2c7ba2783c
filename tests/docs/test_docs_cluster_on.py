"""The entity page says which index its table is clustered on (``cluster_on:``); a
table without the mark has no such section."""

from __future__ import annotations

from pathlib import Path

from migration_harness import schemagen, write_schema

SCHEMA = """
database: {name: shop}
entities:
  Order:
    columns:
      id: {type: bigint, primary_key: true}
      placed_on: {type: date, nullable: true}
    indexes:
      ix_orders_placed_on: [placed_on]
    cluster_on: ix_orders_placed_on
  Item:
    columns:
      id: {type: bigint, primary_key: true}
"""


def test_the_page_says_the_table_is_clustered_on_its_index(tmp_path: Path) -> None:
    write_schema(tmp_path, {"s.yaml": SCHEMA})
    schemagen(tmp_path, "build")
    pages = tmp_path / "generated" / "docs" / "entities"
    orders = (pages / "orders.md").read_text(encoding="utf-8")
    items = (pages / "items.md").read_text(encoding="utf-8")
    assert (
        "## Clustering\n\n`orders` is clustered on `ix_orders_placed_on` "
        "(`cluster_on: ix_orders_placed_on`): a bare `CLUSTER orders` (a maintenance "
        "job's) sorts its rows by that index. The mark alone sorts nothing, and rows "
        "written after a CLUSTER are not kept in that order.\n"
    ) in orders, orders
    assert "Clustering" not in items and "CLUSTER" not in items
    models = (tmp_path / "generated" / "models.py").read_text(encoding="utf-8")
    assert "ALTER TABLE orders CLUSTER ON ix_orders_placed_on" in models
