"""Projects the check tests share (no tests here): the shop schema and its one
change, and a one-table schema for the tests of `check --database`'s cache and child."""

from __future__ import annotations

from pathlib import Path

SHOP_YAML = """\
database:
  name: shop
  dialect: postgresql
  extensions: [pg_trgm]
enums:
  ProductStatus:
    values: [draft, active, archived]
entities:
  Store:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 120, unique: true}
      currency: {type: string, length: 3, default: USD}
  Product:
    columns:
      id: {type: integer, primary_key: true}
      store_id: {references: Store, on_delete: cascade}
      title: {type: string, length: 255}
      status: {type: enum, enum: ProductStatus, default: active}
      price: {type: numeric, precision: 12, scale: 2, nullable: true}
      custom_data: {type: jsonb, default: {}}
    checks:
      ck_products_price_not_negative: "price >= 0"
    indexes:
      idx_products_title_search: {columns: [title], using: gin, ops: {title: gin_trgm_ops}}
      idx_products_active_title: {columns: [title], where: "status = 'active'"}
"""

PYPROJECT = '[tool.schemagen]\nschema = "schema"\noutput = "generated"\n'
SKU_LINE = "      sku: {type: string, length: 64, nullable: true}\n"


def add_sku(project: Path) -> None:
    """A schema change: one new nullable column on products."""
    path = project / "schema" / "shop.yaml"
    text = path.read_text()
    anchor = "      custom_data: {type: jsonb, default: {}}\n"
    path.write_text(text.replace(anchor, anchor + SKU_LINE))


#: One table of two columns, at its first revision in the tests that use it.
NOTE_YAML = """
database: {name: t}
entities:
  Note:
    columns:
      id: {type: bigint, primary_key: true}
      body: {type: text}
"""
