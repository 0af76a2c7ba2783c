"""Normalization: the frozen Schema that every later stage reads."""

from __future__ import annotations

import json
from pathlib import Path

from fixtures.language.helpers import schema_of
from schemagen.model.schema import (
    ColumnType,
    Default,
    Index,
    Relationship,
    Schema,
)
from schemagen.normalize.resolver import Resolver, Unresolved
from schemagen.source.loader import merge, parse_text

# The example of the language page, completed into a schema that validates.
LANGUAGE_PAGE = {
    "database.yaml": """
    database:
      name: inventorysync
      description: |
        Inventory management for Shopify stores.
      dialect: postgresql
      extensions: [pg_trgm]
      naming_convention:
        fk: "fk_%(table_name)s_%(column_0_name)s"
    types:
      money: {type: numeric, precision: 12, scale: 2}
      shopify_gid: {type: string, length: 64}
    mixins:
      timestamps:
        columns:
          created_at: {type: timestamptz, default: now}
          updated_at: {type: timestamptz, default: now, on_update: now}
    enums:
      SubscriptionStatus:
        description: Billing state of a store.
        values: [trial, active, cancelled, expired, frozen]
      ProductStatus:
        values: [{value: active, description: Sold now}, archived, in-draft]
        db_name: product_state
    """,
    "catalog.yaml": """
    entities:
      Store:
        columns:
          id: {type: bigint, primary_key: true}
          domain: {type: shopify_gid, unique: true}
          status: {type: enum, enum: SubscriptionStatus, default: trial}
      Product:
        table: products
        description: A product synced from Shopify.
        mixins: [timestamps]
        renamed_from: Item
        columns:
          store_id: {references: Store, on_delete: cascade}
          id: {type: bigint, primary_key: true}
          shopify_product_id: {type: bigint, index: true}
          title: {type: string, length: 255, description: Product title.}
          status: {type: enum, enum: ProductStatus, default: active}
          tags: {type: array, of: text, nullable: true}
          custom_data: {type: jsonb, default: {b: [1, 2], a: "x"}}
          price: {type: money, nullable: true, default: 0.5}
          visible: {type: boolean, default: false}
          token: {type: uuid, default: {sql: gen_random_uuid()}}
          class: {type: text, attribute: class_, renamed_from: klass}
        unique:
          uq_products_store_shopify_id: [store_id, shopify_product_id]
        checks:
          ck_products_price_not_negative: "price >= 0"
        indexes:
          idx_products_store_status: [store_id, status]
          idx_products_title_search: {columns: [title], using: gin, ops: {title: gin_trgm_ops}}
          idx_products_custom_data_gin: {columns: [custom_data], using: gin}
          idx_products_active_title:
            columns: [title, status]
            where: "status = 'active'"
            ops: {status: enum_ops, title: text_pattern_ops}
            concurrently: false
            include: [price]
        relationships:
          variants: {entity: ProductVariant, back_populates: product,
                     cascade: "all, delete-orphan", order_by: position}
      ProductVariant:
        columns:
          id: {type: integer, primary_key: true}
          product_id: {references: Product, on_delete: cascade, back_populates: variants}
          position: {type: integer, default: 0}
    """,
}


def test_language_page_example(tmp_path: Path) -> None:
    schema = schema_of(tmp_path, LANGUAGE_PAGE)
    assert [e.name for e in schema.entities] == ["Product", "ProductVariant", "Store"]
    assert [e.name for e in schema.enums] == ["ProductStatus", "SubscriptionStatus"]
    db = schema.database
    assert (db.name, db.dialect, db.extensions) == ("inventorysync", "postgresql", ("pg_trgm",))
    assert dict(db.naming_convention)["fk"] == "fk_%(table_name)s_%(column_0_name)s"
    assert dict(db.naming_convention)["pk"] == "pk_%(table_name)s"
    assert [k for k, _ in db.naming_convention] == ["ck", "fk", "ix", "pk", "uq"]


def test_columns_order_types_and_defaults(tmp_path: Path) -> None:
    product = schema_of(tmp_path, LANGUAGE_PAGE).entity("Product")
    assert [c.name for c in product.columns] == [
        "store_id", "id", "created_at", "updated_at", "shopify_product_id", "title",
        "status", "tags", "custom_data", "price", "visible", "token", "class",
    ]
    assert [c.mixin for c in product.columns[:4]] == [None, None, "timestamps", "timestamps"]
    assert product.column("id").identity is True
    assert product.column("store_id").type == ColumnType("bigint")
    assert product.column("store_id").identity is False
    assert product.column("price").type == ColumnType("numeric", precision=12, scale=2,
                                                       alias="money")
    assert product.column("tags").type == ColumnType("array", of=ColumnType("text"))
    assert product.column("status").type == ColumnType("enum", enum="ProductStatus")
    assert product.column("created_at").default == Default("now", "")
    assert product.column("updated_at").on_update_now is True
    assert product.column("status").default == Default("string", "active")
    assert product.column("custom_data").default == Default("json", '{"a":"x","b":[1,2]}')
    assert product.column("price").default == Default("number", "0.5")
    assert product.column("visible").default == Default("boolean", "false")
    assert product.column("token").default == Default("sql", "gen_random_uuid()")
    klass = product.column("class")
    assert (klass.attribute, klass.renamed_from) == ("class_", "klass")
    assert product.column("tags").nullable and not product.column("title").nullable
    assert product.column("title").description == "Product title."
    assert (product.table, product.renamed_from, product.mixins) == ("products", "Item",
                                                                     ("timestamps",))


def test_names_from_the_convention_and_as_given(tmp_path: Path) -> None:
    schema = schema_of(tmp_path, LANGUAGE_PAGE)
    product, store = schema.entity("Product"), schema.entity("Store")
    assert product.primary_key.name == "pk_products"
    assert [fk.name for fk in product.foreign_keys] == ["fk_products_store_id"]
    fk = product.foreign_keys[0]
    assert (fk.ref_entity, fk.ref_table, fk.ref_columns, fk.on_delete) == (
        "Store", "stores", ("id",), "CASCADE")
    assert [u.name for u in store.uniques] == ["uq_stores_domain"]
    assert store.column("domain").type == ColumnType("string", length=64, alias="shopify_gid")
    assert [u.name for u in product.uniques] == ["uq_products_store_shopify_id"]
    assert [i.name for i in product.indexes] == [
        "idx_products_active_title", "idx_products_custom_data_gin",
        "idx_products_store_status", "idx_products_title_search",
        "ix_products_shopify_product_id",
    ]
    assert product.indexes[0] == Index(
        name="idx_products_active_title",
        columns=("title", "status"),
        ops=(("title", "text_pattern_ops"), ("status", "enum_ops")),
        where="status = 'active'",
        include=("price",),
        concurrently=False,
    )
    assert product.indexes[2] == Index("idx_products_store_status", ("store_id", "status"))
    assert product.checks[0].expression == "price >= 0"


def test_enums(tmp_path: Path) -> None:
    schema = schema_of(tmp_path, LANGUAGE_PAGE)
    status = schema.enum("ProductStatus")
    assert status.db_name == "product_state"
    assert [(v.value, v.member, v.description) for v in status.values] == [
        ("active", "ACTIVE", "Sold now"), ("archived", "ARCHIVED", None),
        ("in-draft", "IN_DRAFT", None),
    ]
    sub = schema.enum("SubscriptionStatus")
    assert (sub.db_name, sub.description) == ("subscription_status", "Billing state of a store.")
    assert sub.value_names == ("trial", "active", "cancelled", "expired", "frozen")


def test_both_sides_of_a_relationship(tmp_path: Path) -> None:
    schema = schema_of(tmp_path, LANGUAGE_PAGE)
    assert schema.entity("ProductVariant").relationships == (
        Relationship(
            name="product", kind="many_to_one", target="Product", back_populates="variants",
            foreign_key="fk_product_variants_product_id",
        ),
    )
    product = schema.entity("Product")
    assert product.relationships == (
        Relationship(
            name="store", kind="many_to_one", target="Store", back_populates="products",
            foreign_key="fk_products_store_id",
        ),
        Relationship(
            name="variants", kind="one_to_many", target="ProductVariant",
            back_populates="product", foreign_key="fk_product_variants_product_id",
            cascade="all, delete-orphan", order_by="position", passive_deletes=True,
        ),
    )
    assert [r.name for r in schema.entity("Store").relationships] == ["products"]
    variant = schema.entity("ProductVariant")
    assert variant.column("id").identity is True
    assert variant.column("product_id").type == ColumnType("bigint")


RELATIONSHIPS = {
    "s.yaml": """
    entities:
      Employee:
        columns:
          id: {type: bigint, primary_key: true}
          manager_id: {references: Employee, nullable: true, on_delete: set null,
                       back_populates: reports}
      Transfer:
        columns:
          id: {type: bigint, primary_key: true}
          from_account: {references: Account, on_delete: restrict, relationship: source,
                         back_populates: outgoing}
          to_account: {references: Account, on_delete: restrict, back_populates: false}
          note_id: {references: Note.code, relationship: false, on_delete: cascade}
      Account:
        columns:
          id: {type: bigint, primary_key: true}
        relationships:
          outgoing: {lazy: selectin}
          tags: {entity: Tag, secondary: account_tags, back_populates: accounts}
      Tag:
        columns:
          id: {type: bigint, primary_key: true}
      AccountTag:
        columns:
          account_id: {references: Account, primary_key: true, relationship: false,
                       on_delete: cascade}
          tag_id: {references: Tag, primary_key: true, relationship: false, on_delete: cascade}
      Note:
        columns:
          id: {type: bigint, primary_key: true}
          code: {type: string, length: 12, unique: true}
    """,
}


def test_self_reference_ambiguity_and_many_to_many(tmp_path: Path) -> None:
    schema = schema_of(tmp_path, RELATIONSHIPS)
    employee = schema.entity("Employee")
    assert employee.relationships == (
        Relationship(
            name="manager", kind="many_to_one", target="Employee", back_populates="reports",
            foreign_key="fk_employees_manager_id_employees", remote_side=("id",),
        ),
        Relationship(
            name="reports", kind="one_to_many", target="Employee", back_populates="manager",
            foreign_key="fk_employees_manager_id_employees", passive_deletes=True,
        ),
    )
    transfer = schema.entity("Transfer")
    assert [(r.name, r.back_populates, r.ambiguous, r.foreign_key_columns)
            for r in transfer.relationships] == [
        ("source", "outgoing", True, ("from_account",)),
        ("to_account_ref", None, True, ("to_account",)),
    ]
    assert transfer.column("note_id").type == ColumnType("string", length=12)
    account = schema.entity("Account")
    assert account.relationships == (
        Relationship(
            name="outgoing", kind="one_to_many", target="Transfer", back_populates="source",
            foreign_key="fk_transfers_from_account_accounts",
            foreign_key_columns=("from_account",), ambiguous=True, lazy="selectin",
        ),
        Relationship(
            name="tags", kind="many_to_many", target="Tag", back_populates="accounts",
            secondary="account_tags",
        ),
    )
    assert schema.entity("Tag").relationships == (
        Relationship(
            name="accounts", kind="many_to_many", target="Account", back_populates="tags",
            secondary="account_tags",
        ),
    )
    link = schema.entity("AccountTag")
    assert link.primary_key.columns == ("account_id", "tag_id")
    assert [c.identity for c in link.columns] == [False, False]
    assert link.relationships == ()


def test_snapshot_round_trip_and_determinism(tmp_path: Path) -> None:
    first = schema_of(tmp_path / "a", LANGUAGE_PAGE)
    second = schema_of(tmp_path / "b", dict(reversed(list(LANGUAGE_PAGE.items()))))
    assert first == second
    assert Schema.from_json(first.to_json()) == first
    assert json.loads(first.to_json())["entities"][0]["name"] == "Product"


def test_same_json_under_any_hash_seed(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from fixtures.language.helpers import write_project

    write_project(tmp_path, LANGUAGE_PAGE, database=False)
    code = (
        "import sys; from schemagen.api import validate_project; "
        "sys.stdout.write(validate_project(sys.argv[1]).schema.to_json())"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code, str(tmp_path)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("0", "1", "4242")
    }
    assert len(outputs) == 1
    assert Schema.from_json(outputs.pop()) == schema_of(tmp_path / "again", LANGUAGE_PAGE)


def test_the_model_is_frozen_all_the_way_down(tmp_path: Path) -> None:
    """No later stage can change the Schema: frozen dataclasses holding tuples, never lists."""
    import dataclasses

    import pytest

    schema = schema_of(tmp_path, LANGUAGE_PAGE)
    kinds: set[str] = set()

    def walk(value: object) -> None:
        if dataclasses.is_dataclass(value):
            kinds.add(type(value).__name__)
            assert type(value).__dataclass_params__.frozen, type(value).__name__  # type: ignore[attr-defined]
            for field in dataclasses.fields(value):
                walk(getattr(value, field.name))
            return
        assert not isinstance(value, list | dict | set), repr(value)
        if isinstance(value, tuple):
            for item in value:
                walk(item)

    walk(schema)
    assert {"Schema", "Entity", "Column", "ColumnType", "Index", "Relationship", "Enum"} <= kinds
    with pytest.raises(dataclasses.FrozenInstanceError):
        schema.entities[0].columns[0].name = "other"  # type: ignore[misc]


def test_each_type_mapping_resolves_as_if_alone() -> None:
    """The resolver remembers each distinct type mapping: a remembered type is the one
    a fresh resolver gives, numbers keep their class, a failure is raised anew where
    it is written."""
    text = "types:\n  money: {type: numeric, precision: 12, scale: 2}\nenums:\n  E: {values: [a]}\n"
    src, _ = merge([parse_text(text, "a.yaml")[0]])
    specs = [
        {"type": "string", "length": 2},
        {"type": "string", "length": 2.0},
        {"type": "string", "length": True},
        {"type": "string", "length": None},
        {"type": "string"},
        {"type": "money"},
        {"type": "money", "scale": 4},
        {"type": "array", "of": "money"},
        {"type": "array", "of": {"type": "string", "length": 2.0}},
        {"type": "enum", "enum": "E"},
        {"type": "varchar(10)"},
        {"type": "varchar(10)", "length": None},
    ]
    shared = Resolver(src)
    for spec in specs * 2:
        alone = Resolver(src).spec_type(spec, ("x",))
        assert repr(shared.spec_type(spec, ("x",))) == repr(alone)
    for path in (("a",), ("b",)):
        try:
            shared.spec_type({"type": "enum", "enum": "Nope"}, path)
        except Unresolved as error:
            assert error.path == (*path, "enum")
        else:
            raise AssertionError("an unknown enum resolved")
