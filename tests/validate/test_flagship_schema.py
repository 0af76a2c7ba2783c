"""The flagship InventorySync schema in ``schema/``: complete, valid, lint-clean, and
improved the way ``shared/existing-inventorysync-schema.md`` asks.

The expected columns below are copied from section 2 of that page (their current
``models.py``), table by table, so that a column lost or renamed in the YAML
fails here rather than in a migration.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy
import yaml
from pgcluster import PgCluster
from schemagen.api import ValidationResult, build_project, validate_project
from schemagen.config import load_project
from schemagen.model.schema import Entity, Index, Relationship, Schema
from schemagen.source.loader import merge
from schemagen.validate.reading import read_folder
from schemagen.validate.reporter import column_path, own_column_path
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parents[2]
TIMESTAMPS = ("created_at", "updated_at")

#: Every column of the existing models, per table (231 with id and the mixin's two).
EXPECTED_COLUMNS: dict[str, list[str]] = {
    "stores": """
        id shopify_domain shop_name email currency timezone subscription_plan
        subscription_status trial_ends_at shopify_charge_id billing_cycle_start
        billing_cycle_end plan_price usage_charges billing_currency
        deletion_scheduled_at is_active uninstalled_at access_token
    """.split()
    + list(TIMESTAMPS),
    "locations": """
        id store_id shopify_location_id name address city country is_active
        manages_inventory
    """.split()
    + list(TIMESTAMPS),
    "products": """
        id store_id shopify_product_id title handle product_type vendor tags body_html
        price cost_per_item status custom_data
    """.split()
    + list(TIMESTAMPS),
    "product_variants": """
        id product_id shopify_variant_id title sku barcode option1 option2 option3 price
        compare_at_price cost_per_item weight weight_unit requires_shipping
        track_inventory inventory_policy inventory_quantity inventory_management
        custom_data
    """.split()
    + list(TIMESTAMPS),
    "inventory_items": """
        id store_id location_id variant_id available_quantity committed_quantity
        on_hand_quantity reorder_point reorder_quantity max_stock_level lead_time_days
        custom_data
    """.split()
    + list(TIMESTAMPS),
    "inventory_movements": """
        id inventory_item_id movement_type quantity_change reference_id unit_cost
        total_cost notes
    """.split()
    + list(TIMESTAMPS),
    "alerts": """
        id store_id alert_type severity title message product_sku location_name
        current_stock recommended_action alert_source entity_type entity_id custom_data
        notification_channels is_acknowledged acknowledged_at acknowledged_by
        is_resolved resolved_at resolved_by resolution_notes auto_resolve_at
        is_auto_resolvable
    """.split()
    + list(TIMESTAMPS),
    "alert_templates": """
        id store_id template_name description alert_type title_template message_template
        severity trigger_conditions notification_channels notification_config is_active
        auto_resolve_hours usage_count last_used_at
    """.split()
    + list(TIMESTAMPS),
    "forecasts": """
        id variant_id location_id forecast_date forecast_period predicted_demand
        confidence_level historical_days seasonal_factor trend_factor model_version
        accuracy_score
    """.split()
    + list(TIMESTAMPS),
    "suppliers": """
        id store_id name contact_person email phone address city country payment_terms
        minimum_order_value lead_time_days reliability_score quality_score is_active
    """.split()
    + list(TIMESTAMPS),
    "purchase_orders": """
        id store_id supplier_id po_number status order_date expected_delivery_date
        actual_delivery_date subtotal tax_amount shipping_cost total_amount notes
    """.split()
    + list(TIMESTAMPS),
    "purchase_order_line_items": """
        id purchase_order_id variant_id quantity_ordered quantity_received unit_cost
        line_total
    """.split()
    + list(TIMESTAMPS),
    "custom_field_definitions": """
        id store_id field_name display_name field_type target_entity validation_rules
        is_required is_searchable is_filterable display_order help_text default_value
        field_group industry_template is_active
    """.split()
    + list(TIMESTAMPS),
    "workflow_rules": """
        id store_id rule_name description trigger_event trigger_conditions actions
        is_active execution_count last_executed_at priority max_executions_per_hour
    """.split()
    + list(TIMESTAMPS),
    "workflow_executions": """
        id rule_id trigger_data execution_status error_message execution_time_ms
    """.split()
    + list(TIMESTAMPS),
}

#: Entity class names of the existing models, by table.
EXPECTED_ENTITIES = {
    "stores": "Store",
    "locations": "Location",
    "products": "Product",
    "product_variants": "ProductVariant",
    "inventory_items": "InventoryItem",
    "inventory_movements": "InventoryMovement",
    "alerts": "Alert",
    "alert_templates": "AlertTemplate",
    "forecasts": "Forecast",
    "suppliers": "Supplier",
    "purchase_orders": "PurchaseOrder",
    "purchase_order_line_items": "PurchaseOrderLineItem",
    "custom_field_definitions": "CustomFieldDefinition",
    "workflow_rules": "WorkflowRule",
    "workflow_executions": "WorkflowExecution",
}

#: Columns that hold money: exact decimals, never binary floats.
MONEY_COLUMNS = {
    ("stores", "plan_price"),
    ("stores", "usage_charges"),
    ("products", "price"),
    ("products", "cost_per_item"),
    ("product_variants", "price"),
    ("product_variants", "compare_at_price"),
    ("product_variants", "cost_per_item"),
    ("inventory_movements", "unit_cost"),
    ("inventory_movements", "total_cost"),
    ("suppliers", "minimum_order_value"),
    ("purchase_orders", "subtotal"),
    ("purchase_orders", "tax_amount"),
    ("purchase_orders", "shipping_cost"),
    ("purchase_orders", "total_amount"),
    ("purchase_order_line_items", "unit_cost"),
    ("purchase_order_line_items", "line_total"),
}

#: The fixed value sets that the existing code listed only in comments.
EXPECTED_ENUM_COLUMNS = {
    ("stores", "subscription_plan"): ("starter", "growth", "pro"),
    ("stores", "subscription_status"): ("trial", "active", "cancelled", "expired", "frozen"),
    ("products", "status"): ("active", "archived", "draft"),
    ("product_variants", "inventory_policy"): ("deny", "continue"),
    ("inventory_movements", "movement_type"): ("purchase", "sale", "adjustment", "transfer"),
    ("alerts", "alert_type"): (
        "low_stock",
        "overstock",
        "reorder",
        "compliance",
        "workflow",
        "custom",
    ),
    ("alerts", "severity"): ("low", "medium", "high", "critical"),
    ("alerts", "alert_source"): ("system", "workflow", "manual", "api"),
    ("alert_templates", "alert_type"): (
        "low_stock",
        "overstock",
        "reorder",
        "compliance",
        "workflow",
        "custom",
    ),
    ("forecasts", "forecast_period"): ("daily", "weekly", "monthly"),
    ("purchase_orders", "status"): ("draft", "sent", "confirmed", "received", "cancelled"),
    ("custom_field_definitions", "field_type"): (
        "text",
        "number",
        "date",
        "boolean",
        "select",
        "multi_select",
        "url",
        "email",
    ),
    ("custom_field_definitions", "target_entity"): (
        "product",
        "variant",
        "inventory_item",
        "supplier",
    ),
    ("workflow_executions", "execution_status"): ("success", "failed", "skipped"),
}

#: The JSON columns of the existing models (plain ``json`` there).
JSON_COLUMNS = {
    ("products", "custom_data"),
    ("product_variants", "custom_data"),
    ("inventory_items", "custom_data"),
    ("alerts", "custom_data"),
    ("alerts", "notification_channels"),
    ("alert_templates", "trigger_conditions"),
    ("alert_templates", "notification_channels"),
    ("alert_templates", "notification_config"),
    ("custom_field_definitions", "validation_rules"),
    ("workflow_rules", "trigger_conditions"),
    ("workflow_rules", "actions"),
    ("workflow_executions", "trigger_data"),
}

CUSTOM_DATA_GIN = {
    "products": "idx_products_custom_data_gin",
    "product_variants": "idx_variants_custom_data_gin",
    "inventory_items": "idx_inventory_custom_data_gin",
    "alerts": "idx_alerts_custom_data_gin",
}


@pytest.fixture(scope="module")
def result() -> ValidationResult:
    return validate_project(REPO)


@pytest.fixture(scope="module")
def schema(result: ValidationResult) -> Schema:
    assert result.schema is not None, "\n".join(i.format() for i in result.errors)
    return result.schema


def _index(schema: Schema, table: str, name: str) -> Index:
    entity = schema.entity_by_table(table)
    found = [ix for ix in entity.indexes if ix.name == name]
    assert found, f"{table} has no index {name}: {[ix.name for ix in entity.indexes]}"
    return found[0]


def test_validates_without_errors_or_warnings(result: ValidationResult) -> None:
    assert [i.format() for i in result.issues] == []
    assert result.schema is not None


def test_every_table_and_column_of_the_existing_models(schema: Schema) -> None:
    actual = {(e.table, c.name) for e in schema.entities for c in e.columns}
    expected = {(t, c) for t, cols in EXPECTED_COLUMNS.items() for c in cols}
    assert len(expected) == 231
    assert sorted(actual - expected) == []
    assert sorted(expected - actual) == []
    assert {e.table: e.name for e in schema.entities} == EXPECTED_ENTITIES


def test_timestamps_come_from_the_mixin(schema: Schema) -> None:
    for entity in schema.entities:
        created, updated = entity.column("created_at"), entity.column("updated_at")
        assert created.mixin == updated.mixin == "timestamps", entity.name
        assert created.type.kind == updated.type.kind == "timestamptz"
        assert created.default is not None and created.default.kind == "now"
        assert updated.default is not None and updated.default.kind == "now"
        assert updated.on_update_now and not created.on_update_now
        assert not created.nullable and not updated.nullable


def test_a_columns_own_path_is_where_column_path_finds_it(result: ValidationResult) -> None:
    """The model checks' short way to a column's YAML path (validate.reporter)."""
    src, _ = merge(read_folder(load_project(REPO))[0])
    paths = set()
    for entity in result.schema.entities:  # type: ignore[union-attr]
        for column in entity.columns:
            paths.add(own_column_path(entity, column)[0])
            assert own_column_path(entity, column) == column_path(src, entity, column.name)
    assert paths == {"entities", "mixins"}


def test_integer_identity_primary_keys(schema: Schema) -> None:
    for entity in schema.entities:
        assert entity.primary_key.columns == ("id",), entity.name
        pk = entity.column("id")
        assert pk.type.kind == "integer" and pk.identity, entity.name


def test_entities_and_columns_are_described(schema: Schema) -> None:
    assert schema.database.description
    assert all(e.description for e in schema.entities)
    described = sum(1 for e in schema.entities for c in e.columns if c.description)
    # Enum-typed columns are described by their enum; most others say what they hold.
    assert described >= 180


def test_the_six_seed_indexes_mean_what_the_seed_document_says(schema: Schema) -> None:
    domain = _index(schema, "stores", "idx_stores_shop_domain")
    assert domain.columns == ("shopify_domain",) and domain.unique and domain.where is None
    # It is the only uniqueness on the column: no duplicate constraint beside it.
    stores = schema.entity_by_table("stores")
    assert all(u.columns != ("shopify_domain",) for u in stores.uniques)
    assert [ix.name for ix in stores.indexes if ix.columns[0] == "shopify_domain"] == [
        "idx_stores_shop_domain"
    ]

    status = _index(schema, "stores", "idx_stores_subscription_status")
    assert status.columns[0] == "subscription_status"
    assert _index(schema, "products", "idx_products_store_status").columns == (
        "store_id",
        "status",
    )

    title = _index(schema, "products", "idx_products_title_search")
    assert title.columns == ("title",)
    assert title.using == "gin"
    assert title.ops == (("title", "gin_trgm_ops"),)
    assert "pg_trgm" in schema.database.extensions

    sku = _index(schema, "product_variants", "idx_variants_sku")
    assert sku.columns == ("sku",) and sku.using == "btree"

    by_product = _index(schema, "product_variants", "idx_variants_product_id")
    assert by_product.columns[0] == "product_id"
    variants = schema.entity_by_table("product_variants")
    assert all(u.columns != by_product.columns for u in variants.uniques)


def test_gin_index_on_every_jsonb_custom_data(schema: Schema) -> None:
    tables_with_custom_data = {e.table for e in schema.entities if e.has_column("custom_data")}
    assert tables_with_custom_data == set(CUSTOM_DATA_GIN)
    for table, name in CUSTOM_DATA_GIN.items():
        assert schema.entity_by_table(table).column("custom_data").type.kind == "jsonb"
        ix = _index(schema, table, name)
        assert ix.columns == ("custom_data",) and ix.using == "gin" and ix.where is None
        # jsonb_path_ops: the planner uses it for containment where the default
        # class (whose key entries recur in most rows) lost to a scan (schemagen prove)
        assert ix.ops == (("custom_data", "jsonb_path_ops"),)


def test_json_columns_are_jsonb_with_server_defaults(schema: Schema) -> None:
    for table, column in sorted(JSON_COLUMNS):
        col = schema.entity_by_table(table).column(column)
        assert col.type.kind == "jsonb", (table, column)
        assert col.default is not None and col.default.kind == "json", (table, column)
        assert col.default.value in ("{}", "[]") and not col.nullable, (table, column)
    kinds = {c.type.kind for e in schema.entities for c in e.columns}
    assert "json" not in kinds


def test_money_is_exact_numeric(schema: Schema) -> None:
    for table, column in sorted(MONEY_COLUMNS):
        col = schema.entity_by_table(table).column(column)
        assert (col.type.kind, col.type.precision, col.type.scale) == ("numeric", 12, 2), (
            table,
            column,
        )
        assert col.type.alias == "money"
    floats = [
        (e.table, c.name)
        for e in schema.entities
        for c in e.columns
        if c.type.kind in ("float", "double")
    ]
    assert floats == []


def test_fixed_value_sets_are_enums(schema: Schema) -> None:
    for (table, column), values in EXPECTED_ENUM_COLUMNS.items():
        col = schema.entity_by_table(table).column(column)
        assert col.type.kind == "enum", (table, column)
        assert col.type.enum is not None
        assert schema.enum(col.type.enum).value_names == values, (table, column)
        assert not col.nullable, (table, column)


def test_python_side_defaults_became_server_defaults(schema: Schema) -> None:
    expected = {
        ("stores", "currency"): "USD",
        ("stores", "timezone"): "UTC",
        ("stores", "subscription_plan"): "starter",
        ("stores", "subscription_status"): "trial",
        ("stores", "is_active"): "true",
        ("product_variants", "inventory_policy"): "deny",
        ("inventory_items", "reorder_point"): "10",
        ("inventory_items", "reorder_quantity"): "50",
        ("inventory_items", "lead_time_days"): "7",
        ("alerts", "severity"): "medium",
        ("alerts", "is_resolved"): "false",
        ("forecasts", "historical_days"): "90",
        ("forecasts", "model_version"): "v1",
        ("suppliers", "lead_time_days"): "14",
        ("purchase_orders", "status"): "draft",
        ("workflow_rules", "priority"): "100",
        ("workflow_rules", "max_executions_per_hour"): "60",
        ("workflow_executions", "execution_status"): "success",
    }
    for (table, column), value in expected.items():
        col = schema.entity_by_table(table).column(column)
        assert col.default is not None and col.default.value == value, (table, column)
        assert not col.nullable, (table, column)
    order_date = schema.entity_by_table("purchase_orders").column("order_date")
    assert order_date.default is not None and order_date.default.kind == "now"
    # Every boolean has a default and is NOT NULL.
    for entity in schema.entities:
        for col in entity.columns:
            if col.type.kind == "boolean":
                assert col.default is not None and not col.nullable, (entity.table, col.name)


def test_every_foreign_key_has_an_on_delete_rule(schema: Schema) -> None:
    fks = [(e, fk) for e in schema.entities for fk in e.foreign_keys]
    assert len(fks) == 19
    for entity, fk in fks:
        assert fk.on_delete is not None, (entity.table, fk.columns)
    # Every row hangs off its store through cascading keys, so deleting a store
    # (GDPR shop/redact) never fails on a foreign key, through SQL or the ORM.
    # RESTRICT on purchase_orders.supplier_id was tried: the ORM then deletes
    # loaded suppliers before the store's unloaded orders and fails.
    assert {fk.on_delete for _, fk in fks} == {"CASCADE"}


def test_ownership_cascades_in_the_orm_too(schema: Schema) -> None:
    def rel(entity: str, name: str) -> Relationship:
        found = [r for r in schema.entity(entity).relationships if r.name == name]
        assert found, f"{entity} has no relationship {name}"
        return found[0]

    for entity, name in [
        ("Store", "products"),
        ("Store", "locations"),
        ("Store", "inventory_items"),
        ("Store", "alerts"),
        ("Product", "variants"),
        ("InventoryItem", "movements"),
        ("PurchaseOrder", "line_items"),
        ("WorkflowRule", "executions"),
    ]:
        r = rel(entity, name)
        assert r.kind == "one_to_many" and r.cascade == "all, delete-orphan", (entity, name)
    assert rel("Product", "store").back_populates == "products"
    assert rel("ProductVariant", "product").back_populates == "variants"
    assert rel("InventoryItem", "variant").back_populates == "inventory_items"
    assert rel("InventoryMovement", "inventory_item").back_populates == "movements"
    assert rel("PurchaseOrderLineItem", "purchase_order").back_populates == "line_items"
    assert rel("WorkflowExecution", "rule").target == "WorkflowRule"


def test_uniqueness_the_data_needs(schema: Schema) -> None:
    def uniques(table: str) -> set[frozenset[str]]:
        entity = schema.entity_by_table(table)
        found = {frozenset(u.columns) for u in entity.uniques}
        found |= {frozenset(ix.columns) for ix in entity.indexes if ix.unique and not ix.where}
        return found

    assert frozenset({"store_id", "shopify_product_id"}) in uniques("products")
    assert frozenset({"product_id", "shopify_variant_id"}) in uniques("product_variants")
    assert frozenset({"store_id", "shopify_location_id"}) in uniques("locations")
    assert frozenset({"variant_id", "location_id"}) in uniques("inventory_items")
    assert frozenset({"store_id", "po_number"}) in uniques("purchase_orders")
    assert frozenset({"po_number"}) not in uniques("purchase_orders")
    assert frozenset({"store_id", "field_name", "target_entity"}) in uniques(
        "custom_field_definitions"
    )
    assert frozenset({"shopify_domain"}) in uniques("stores")


def _leading_columns(entity: Entity) -> set[str]:
    """Columns that lead a full (non-partial) B-tree index or a unique constraint."""
    leading = {u.columns[0] for u in entity.uniques}
    leading |= {ix.columns[0] for ix in entity.indexes if ix.where is None and ix.using == "btree"}
    return leading


def test_every_foreign_key_column_leads_an_index(schema: Schema) -> None:
    missing = [
        (e.table, fk.columns[0])
        for e in schema.entities
        for fk in e.foreign_keys
        if fk.columns[0] not in _leading_columns(e)
    ]
    assert missing == []


def test_indexes_are_described_named_and_not_redundant(schema: Schema) -> None:
    names: list[str] = []
    for entity in schema.entities:
        keys = [(u.columns, None) for u in entity.uniques]
        keys.append((entity.primary_key.columns, None))
        for ix in entity.indexes:
            assert ix.description, ix.name
            assert ix.name.startswith("idx_"), ix.name
            names.append(ix.name)
            key = (ix.columns, ix.where)
            assert key not in keys, f"{ix.name} duplicates another index or constraint"
            keys.append(key)
    assert len(names) == len(set(names))
    assert len(names) >= 30
    assert all(c.name.startswith(f"ck_{e.table}_") for e in schema.entities for c in e.checks)


def test_checks_guard_money_and_quantities(schema: Schema) -> None:
    checks = {c.name for e in schema.entities for c in e.checks}
    for name in (
        "ck_products_price_not_negative",
        "ck_product_variants_price_not_negative",
        "ck_purchase_order_line_items_quantity_ordered_positive",
        "ck_purchase_orders_total_amount_not_negative",
    ):
        assert name in checks


def test_every_file_points_editors_at_the_json_schema() -> None:
    files = sorted((REPO / "schema").glob("*.yaml"))
    assert len(files) >= 5
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../generated/schemagen.schema.json"


def test_schema_without_index_maps_is_the_valid_000_state(tmp_path: Path) -> None:
    """Revision 000 is the schema with every entity-level ``indexes:`` map removed."""
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "schema").mkdir()
    removed = 0
    for path in sorted((REPO / "schema").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entity in (data.get("entities") or {}).values():
            removed += len(entity.pop("indexes", None) or {})
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        (tmp_path / "schema" / path.name).write_text(text, encoding="utf-8")
    assert removed >= 30
    result = validate_project(tmp_path)
    assert [i.format() for i in result.errors] == []
    assert result.schema is not None
    assert all(e.indexes == () for e in result.schema.entities)
    assert sum(len(e.columns) for e in result.schema.entities) == 231


# --- the schema's promises, on a real PostgreSQL -------------------------------

#: One row in every table, all owned by store 1 (ids chosen so that they clash
#: with nothing; identity columns accept explicit values).
GRAPH_SQL = """
INSERT INTO stores (id, shopify_domain, shop_name, access_token)
    VALUES (1, 'one.myshopify.com', 'One', 'tok');
INSERT INTO locations (id, store_id, shopify_location_id, name) VALUES (1, 1, 'L1', 'Main');
INSERT INTO products (id, store_id, shopify_product_id, title, handle)
    VALUES (1, 1, 'P1', 'Merino wool sweater', 'merino-sweater');
INSERT INTO product_variants (id, product_id, shopify_variant_id, title, sku, price)
    VALUES (1, 1, 'V1', 'M / Blue', 'SW-M-B', 59.90);
INSERT INTO inventory_items (id, store_id, location_id, variant_id, available_quantity)
    VALUES (1, 1, 1, 1, 3);
INSERT INTO inventory_movements (id, inventory_item_id, movement_type, quantity_change)
    VALUES (1, 1, 'sale', -2);
INSERT INTO forecasts (id, variant_id, location_id, forecast_date, predicted_demand)
    VALUES (1, 1, 1, now(), 4.5);
INSERT INTO alerts (id, store_id, alert_type, title, message)
    VALUES (1, 1, 'low_stock', 'Low stock', 'SW-M-B is low');
INSERT INTO alert_templates (id, store_id, template_name, alert_type, title_template,
    message_template) VALUES (1, 1, 'Low', 'low_stock', 'Low: {{ sku }}', '...');
INSERT INTO suppliers (id, store_id, name) VALUES (1, 1, 'Wool Co');
INSERT INTO purchase_orders (id, store_id, supplier_id, po_number) VALUES (1, 1, 1, 'PO-1');
INSERT INTO purchase_order_line_items (id, purchase_order_id, variant_id, quantity_ordered,
    unit_cost, line_total) VALUES (1, 1, 1, 10, 20.00, 200.00);
INSERT INTO custom_field_definitions (id, store_id, field_name, display_name, field_type,
    target_entity) VALUES (1, 1, 'material', 'Material', 'text', 'product');
INSERT INTO workflow_rules (id, store_id, rule_name, trigger_event)
    VALUES (1, 1, 'Reorder', 'inventory.low_stock');
INSERT INTO workflow_executions (id, rule_id) VALUES (1, 1);
"""


@pytest.fixture(scope="module")
def flagship_models(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The flagship's ``models.py``, freshly built from ``schema/`` and imported."""
    root = tmp_path_factory.mktemp("flagship")
    shutil.copytree(REPO / "schema", root / "schema")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    build_project(root)
    spec = importlib.util.spec_from_file_location(
        "flagship_models_under_test", root / "generated" / "models.py"
    )
    assert spec is not None and spec.loader is not None
    models = importlib.util.module_from_spec(spec)
    # SQLAlchemy resolves the Mapped[...] annotations through sys.modules.
    sys.modules[spec.name] = models
    try:
        spec.loader.exec_module(models)
    finally:
        del sys.modules[spec.name]
    return models


@pytest.fixture(scope="module")
def flagship_engine(pg: PgCluster, flagship_models: ModuleType) -> Iterator[sqlalchemy.Engine]:
    """A database made by ``create_all`` of the flagship models (plus ``pg_trgm``)."""
    db = pg.create_database()
    engine = sqlalchemy.create_engine(pg.url(db))
    try:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            flagship_models.Base.metadata.create_all(conn)
        yield engine
    finally:
        engine.dispose()
        pg.drop_database(db)


@pytest.fixture
def flagship_db(flagship_engine: sqlalchemy.Engine) -> str:
    """The name of the flagship database (shared by this module's tests)."""
    return str(flagship_engine.url.database)


def _fails(pg: PgCluster, db: str, statement: str) -> str:
    """Run ``statement`` in a transaction that is rolled back; return psql's error."""
    with pytest.raises(subprocess.CalledProcessError) as info:
        pg.sql(f"BEGIN; {statement}; ROLLBACK;", db)
    return str(info.value.stderr)


def _row_counts(pg: PgCluster, db: str) -> dict[str, int]:
    union = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM {t}" for t in sorted(EXPECTED_COLUMNS))
    out = pg.sql(union, db)
    return {t: int(n) for t, n in (line.split("|") for line in out.split())}


def test_deleting_a_store_deletes_everything_it_owns(pg: PgCluster, flagship_db: str) -> None:
    pg.sql(f"BEGIN; {GRAPH_SQL} COMMIT;", flagship_db)
    try:
        assert set(_row_counts(pg, flagship_db).values()) == {1}
        pg.sql("DELETE FROM stores WHERE id = 1", flagship_db)
        assert set(_row_counts(pg, flagship_db).values()) == {0}
    finally:
        pg.sql("DELETE FROM stores", flagship_db)


def test_defaults_uniqueness_and_checks_hold_in_the_database(
    pg: PgCluster, flagship_db: str
) -> None:
    db = flagship_db
    pg.sql(f"BEGIN; {GRAPH_SQL} COMMIT;", db)
    try:
        row = pg.sql(
            "SELECT status, custom_data::text, currency, subscription_status FROM products "
            "JOIN stores ON stores.id = products.store_id WHERE products.id = 1",
            db,
        ).strip()
        assert row == "active|{}|USD|trial"
        assert "uq_products_store_shopify_product_id" in _fails(
            pg,
            db,
            "INSERT INTO products (id, store_id, shopify_product_id, title, handle) "
            "VALUES (2, 1, 'P1', 'Again', 'again')",
        )
        assert "idx_stores_shop_domain" in _fails(
            pg,
            db,
            "INSERT INTO stores (id, shopify_domain, shop_name, access_token) "
            "VALUES (3, 'one.myshopify.com', 'Clone', 't')",
        )
        assert "ck_product_variants_price_not_negative" in _fails(
            pg, db, "UPDATE product_variants SET price = -1"
        )
        assert "uq_inventory_items_variant_id_location_id" in _fails(
            pg,
            db,
            "INSERT INTO inventory_items (id, store_id, location_id, variant_id) "
            "VALUES (2, 1, 1, 1)",
        )
        # PO numbers are unique per store only: a second store may reuse PO-1.
        pg.sql(
            "INSERT INTO stores (id, shopify_domain, shop_name, access_token) "
            "VALUES (2, 'two.myshopify.com', 'Two', 't');"
            "INSERT INTO suppliers (id, store_id, name) VALUES (2, 2, 'Other');"
            "INSERT INTO purchase_orders (id, store_id, supplier_id, po_number) "
            "VALUES (2, 2, 2, 'PO-1');",
            db,
        )
        found = pg.sql(
            "SELECT id FROM products WHERE custom_data @> '{}' AND title ILIKE '%wool%'", db
        )
        assert found.split() == ["1"]
    finally:
        pg.sql("DELETE FROM stores", db)


def test_the_documented_indexes_are_real(pg: PgCluster, flagship_db: str) -> None:
    defs = dict(
        line.split("|", 1)
        for line in pg.sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
            flagship_db,
        ).splitlines()
        if line
    )
    assert "USING gin (title gin_trgm_ops)" in defs["idx_products_title_search"]
    assert defs["idx_stores_shop_domain"].startswith("CREATE UNIQUE INDEX")
    for name in CUSTOM_DATA_GIN.values():
        assert "USING gin (custom_data jsonb_path_ops)" in defs[name]
    assert "WHERE (NOT is_resolved)" in defs["idx_alerts_store_unresolved"]
    assert not [name for name in defs if name.startswith("ix_")]


@pytest.mark.parametrize("load", ["nothing", "suppliers", "everything"])
def test_the_orm_deletes_a_store_whatever_it_has_loaded(
    pg: PgCluster, flagship_engine: sqlalchemy.Engine, flagship_models: ModuleType, load: str
) -> None:
    """ORM cascades and ON DELETE rules agree: no NULLed NOT NULL key, no FK error."""
    db = str(flagship_engine.url.database)
    pg.sql(f"BEGIN; {GRAPH_SQL} COMMIT;", db)
    try:
        with Session(flagship_engine) as session:
            store = session.get(flagship_models.Store, 1)
            if load in ("suppliers", "everything"):
                assert [s.name for s in store.suppliers] == ["Wool Co"]
            if load == "everything":
                variant = store.products[0].variants[0]
                assert len(variant.inventory_items) == len(variant.forecasts) == 1
                assert variant.purchase_order_line_items[0].purchase_order.po_number == "PO-1"
                assert store.inventory_items[0].movements[0].quantity_change == -2
                assert len(store.locations[0].inventory_items) == 1
                assert len(store.workflow_rules[0].executions) == 1
                assert len(store.purchase_orders[0].line_items) == 1
            session.delete(store)
            session.commit()
        assert set(_row_counts(pg, db).values()) == {0}
    finally:
        pg.sql("DELETE FROM stores", db)
