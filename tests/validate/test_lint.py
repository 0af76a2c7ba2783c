"""Lint warnings for the failures of the hand-written InventorySync code."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fixtures.language.helpers import issues_of, result_of, write_project
from schemagen.cli import main

DUPLICATES = """
entities:
  Variant:
    columns:
      id: {type: bigint, primary_key: true, index: true, unique: true}
      sku: {type: string, length: 64, nullable: true, index: true}
      po_number: {type: string, length: 32, unique: true}
      store_id: {type: bigint}
      domain: {type: text}
      active: {type: boolean}
    unique:
      uq_variants_store_domain: [store_id, domain]
    indexes:
      idx_variants_sku: [sku]
      idx_variants_sku_not_null: {columns: [sku], where: "sku IS NOT NULL"}
      idx_po_number: [po_number]
      idx_store_domain_unique: {columns: [store_id, domain], unique: true}
      idx_domain_store: [domain, store_id]
      idx_sku_trgm: {columns: [sku], using: gin, ops: {sku: gin_trgm_ops}}
      idx_active: [active]
      idx_active_only: {columns: [domain], where: "active"}
"""


def test_duplicate_indexes(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "0_db.yaml").write_text("database: {name: t, extensions: [pg_trgm]}\n")
    issues = issues_of(tmp_path, {"s.yaml": DUPLICATES}, database=False)
    assert issues == [
        "schema/s.yaml:4:45: warning: entities.Variant.columns.id.index: index ix_variants_id "
        "duplicates the primary key (which already has an index on the same columns); drop it",
        "schema/s.yaml:4:58: warning: entities.Variant.columns.id.unique: unique constraint "
        "uq_variants_id duplicates the primary key (same columns, same order); drop it",
        "schema/s.yaml:5:55: warning: entities.Variant.columns.sku.index: index ix_variants_sku "
        "duplicates index idx_variants_sku (same columns, same order); drop one",
        "schema/s.yaml:15:7: warning: entities.Variant.indexes.idx_po_number: index "
        "idx_po_number duplicates unique constraint uq_variants_po_number (which already has "
        "an index on the same columns); drop it",
        "schema/s.yaml:16:7: warning: entities.Variant.indexes.idx_store_domain_unique: index "
        "idx_store_domain_unique duplicates unique constraint uq_variants_store_domain (which "
        "already has an index on the same columns); drop it",
        "schema/s.yaml:19:7: warning: entities.Variant.indexes.idx_active: index idx_active "
        "covers only boolean columns, which rarely pays off; index the rows you look for with "
        "`where:` (a partial index) instead",
    ]


CASCADES = """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
    relationships:
      products: {cascade: "all, delete-orphan"}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store, index: true}
      price: {type: float}
      cost_per_item: {type: double, nullable: true}
      total_amount: {type: numeric, precision: 12, scale: 2}
      weight: {type: float}
      total_weight: {type: float}
  Item:
    columns:
      id: {type: bigint, primary_key: true}
      product_id: {references: Product, index: true}
      store_id: {references: Store, nullable: true, index: true}
      other_id: {references: Product, on_delete: restrict, back_populates: kept, index: true}
  Note:
    columns:
      id: {type: bigint, primary_key: true}
    relationships:
      replies: {cascade: all}
  Comment:
    columns:
      id: {type: bigint, primary_key: true}
      note_id: {references: Note, nullable: true, on_delete: set null, back_populates: replies,
                index: true}
"""


def test_cascades_delete_rules_and_money(tmp_path: Path) -> None:
    assert issues_of(tmp_path, {"s.yaml": CASCADES}) == [
        "schema/s.yaml:10:18: warning: entities.Product.columns.store_id.references: "
        "Store.products cascades deletes (all, delete-orphan), but this foreign key has no ON "
        "DELETE CASCADE, so deleting a Store outside the ORM fails; add on_delete: cascade",
        "schema/s.yaml:11:15: warning: entities.Product.columns.price.type: money-like column "
        "'price' uses float, which rounds; use numeric with precision and scale (e.g. a "
        "`money` type)",
        "schema/s.yaml:12:23: warning: entities.Product.columns.cost_per_item.type: money-like "
        "column 'cost_per_item' uses double, which rounds; use numeric with precision and "
        "scale (e.g. a `money` type)",
        "schema/s.yaml:19:20: warning: entities.Item.columns.product_id.references: NOT NULL "
        "foreign key with no on_delete rule: deleting a Product fails, or the ORM tries to set "
        "this column to NULL; say on_delete: cascade or restrict",
        "schema/s.yaml:30:17: warning: entities.Comment.columns.note_id.references: "
        "Note.replies cascades deletes (all), but the database sets this column NULL instead "
        "(ON DELETE SET NULL), so deleting outside the ORM keeps the rows; say on_delete: "
        "cascade",
    ]


def test_warnings_exit_0_unless_strict(tmp_path: Path) -> None:
    write_project(tmp_path, {"s.yaml": CASCADES})
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", "--project", str(tmp_path)])
    assert ok.exit_code == 0
    assert ok.stdout == "schema OK: 5 entities, 15 columns, 0 enums, 5 indexes, 5 warnings\n"
    assert ok.stderr.count("warning: ") == 5
    strict = runner.invoke(main, ["validate", "--strict", "--project", str(tmp_path)])
    assert strict.exit_code == 2
    assert strict.stdout == ""
    assert strict.stderr.endswith("5 warnings; --strict treats them as errors\n")


def test_clean_schema_has_no_warnings(tmp_path: Path) -> None:
    fixed = CASCADES.replace(
        "{references: Store, index: true}", "{references: Store, on_delete: cascade, index: true}"
    )
    fixed = fixed.replace("{type: float}", "{type: numeric, precision: 12, scale: 2}")
    fixed = fixed.replace("{type: double, nullable: true}", "{type: text, nullable: true}")
    fixed = fixed.replace(
        "{references: Product, index: true}",
        "{references: Product, on_delete: cascade, index: true}",
    )
    fixed = fixed.replace("replies: {cascade: all}", "replies: {cascade: save-update}")
    result = result_of(tmp_path, {"s.yaml": fixed})
    assert result.issues == []
    assert result.schema is not None


def test_money_like_names_in_float_columns(tmp_path: Path) -> None:
    text = """
    entities:
      Order:
        columns:
          id: {type: bigint, primary_key: true}
          amount: {type: float}
          total: {type: double}
          shipping_fee: {type: float}
          refund_amounts: {type: float}
          total_weight: {type: float}
          costume_size: {type: float}
          priceless: {type: double}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:5:16: warning: entities.Order.columns.amount.type: money-like column "
        "'amount' uses float, which rounds; use numeric with precision and scale (e.g. a "
        "`money` type)",
        "schema/s.yaml:6:15: warning: entities.Order.columns.total.type: money-like column "
        "'total' uses double, which rounds; use numeric with precision and scale (e.g. a "
        "`money` type)",
        "schema/s.yaml:7:22: warning: entities.Order.columns.shipping_fee.type: money-like "
        "column 'shipping_fee' uses float, which rounds; use numeric with precision and scale "
        "(e.g. a `money` type)",
        "schema/s.yaml:8:24: warning: entities.Order.columns.refund_amounts.type: money-like "
        "column 'refund_amounts' uses float, which rounds; use numeric with precision and "
        "scale (e.g. a `money` type)",
    ]


UNINDEXED = """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store, on_delete: cascade}
      parent_id: {references: Product, nullable: true, on_delete: cascade}
      maker_id: {references: Store, back_populates: made, on_delete: cascade}
      sku: {type: text}
    indexes:
      idx_products_sku_parent: [sku, parent_id]
      idx_products_maker_recent: {columns: [maker_id], where: "sku <> ''"}
  Listing:
    columns:
      store_id: {references: Store, primary_key: true, on_delete: cascade}
      product_id: {references: Product, primary_key: true, on_delete: cascade}
"""


def test_a_foreign_key_without_an_index_warns_and_strict_fails(tmp_path: Path) -> None:
    """Only a B-tree index (PK, unique or full index) that starts with the FK columns
    counts: not one where they come second, not a partial one."""
    warned = [
        (i.path, i.message.split(" (")[0])
        for i in result_of(tmp_path, {"s.yaml": UNINDEXED}).issues
    ]
    assert warned == [
        ("entities.Product.columns.store_id.references",
         "foreign key fk_products_store_id_stores"),
        ("entities.Product.columns.parent_id.references",
         "foreign key fk_products_parent_id_products"),
        ("entities.Product.columns.maker_id.references",
         "foreign key fk_products_maker_id_stores"),
        ("entities.Listing.columns.product_id.references",
         "foreign key fk_listings_product_id_products"),
    ]
    write_project(tmp_path / "p", {"s.yaml": UNINDEXED})
    strict = CliRunner().invoke(main, ["validate", "--strict", "--project", str(tmp_path / "p")])
    assert strict.exit_code == 2
    assert "4 warnings; --strict treats them as errors" in strict.stderr
    fixed = UNINDEXED.replace("on_delete: cascade}", "on_delete: cascade, index: true}")
    assert result_of(tmp_path / "q", {"s.yaml": fixed}).issues == []
