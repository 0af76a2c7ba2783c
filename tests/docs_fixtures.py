"""Hand-built Schema objects for the docs tests (no YAML loader involved)."""

from __future__ import annotations

from schemagen.model.schema import (
    CheckConstraint,
    Column,
    ColumnType,
    Database,
    Default,
    Entity,
    Enum,
    EnumValue,
    ForeignKey,
    Index,
    PrimaryKey,
    Relationship,
    Schema,
    UniqueConstraint,
)

BIGINT = ColumnType("bigint")
TEXT = ColumnType("text")


def _id(name: str = "id") -> Column:
    return Column(name, BIGINT, primary_key=True, identity=True, attribute=name)


def _col(name: str, kind: ColumnType, **kw: object) -> Column:
    return Column(name, kind, attribute=str(kw.pop("attribute", name)), **kw)  # type: ignore[arg-type]


def shop_schema() -> Schema:
    """A small shop: stores, products (every special index kind), a 1:1 and a self-FK."""
    status = Enum(
        "ProductStatus", "product_status",
        (EnumValue("active", "ACTIVE", "Visible in the shop."),
         EnumValue("archived", "ARCHIVED", None),
         EnumValue("draft", "DRAFT", "Not yet **published**.")),
        description="Lifecycle of a product.",
    )
    stores = Entity(
        "Store", "stores",
        (_id(), _col("domain", ColumnType("string", length=255), description="Shop domain."),
         _col("created_at", ColumnType("timestamptz"), default=Default("now", ""),
              mixin="timestamps", description="When the row was created.")),
        PrimaryKey("pk_stores", ("id",)),
        description="A Shopify store.",
        mixins=("timestamps",),
        uniques=(UniqueConstraint("uq_stores_domain", ("domain",)),),
        relationships=(Relationship("products", "one_to_many", "Product", "store",
                                    "fk_products_store_id_stores", cascade="all, delete-orphan"),),
    )
    money = ColumnType("numeric", precision=12, scale=2, alias="money")
    products = Entity(
        "Product", "products",
        (_id(),
         _col("store_id", BIGINT),
         _col("parent_id", BIGINT, nullable=True),
         _col("title", ColumnType("string", length=255)),
         _col("status", ColumnType("enum", enum="ProductStatus"),
              default=Default("string", "active")),
         _col("price", money, nullable=True),
         _col("custom_data", ColumnType("jsonb"), default=Default("json", "{}")),
         _col("tags", ColumnType("array", of=TEXT), nullable=True),
         _col("updated_at", ColumnType("timestamptz"), default=Default("now", ""),
              on_update_now=True)),
        PrimaryKey("pk_products", ("id",)),
        description="A product synced from Shopify.",
        foreign_keys=(
            ForeignKey("fk_products_parent_id_products", ("parent_id",), "Product", "products",
                       ("id",), on_delete="SET NULL"),
            ForeignKey("fk_products_store_id_stores", ("store_id",), "Store", "stores", ("id",),
                       on_delete="CASCADE"),
        ),
        checks=(CheckConstraint("ck_products_price_not_negative", "price >= 0"),),
        indexes=(
            Index("idx_products_active_title", ("title",), where="status = 'active'",
                  description="Listing of active products by title."),
            Index("idx_products_custom_data_gin", ("custom_data",), using="gin",
                  description="Filters on merchant custom fields."),
            Index("idx_products_store_cover", ("store_id",), include=("title", "price")),
            Index("idx_products_title_search", ("title",), using="gin",
                  ops=(("title", "gin_trgm_ops"),), description="Fuzzy product search."),
        ),
        relationships=(
            Relationship("parent", "many_to_one", "Product", None,
                         "fk_products_parent_id_products", remote_side=("id",)),
            Relationship("store", "many_to_one", "Store", "products",
                         "fk_products_store_id_stores"),
        ),
    )
    details = Entity(
        "ProductDetail", "product_details",
        (_col("product_id", BIGINT, primary_key=True), _col("body", TEXT, nullable=True)),
        PrimaryKey("pk_product_details", ("product_id",)),
        foreign_keys=(ForeignKey("fk_product_details_product_id_products", ("product_id",),
                                 "Product", "products", ("id",), on_delete="CASCADE"),),
    )
    return Schema(
        Database("shop", description="The **shop** database.", extensions=("pg_trgm",)),
        enums=(status,),
        entities=(products, details, stores),
    )


TRICKY_TEXT = (
    "Quotes \" and ' and \"\"\"triple\"\"\" and '''triple''', back\\slash \\n,\n"
    "a second line with {{ jinja }} and {% raw %} and a | pipe,\n"
    "<b>html</b> & <script>alert(1)</script>, `code | span`\n"
    "# not a heading\n- not a list"
)


WEIRD_CHECK = "\"end\" <> '|' OR \"from\" = 'a|b'"
PIPE_CHECK = "\"pk\" <> 'a\\|b' AND \"pk\" <> 'c\\'"


def tricky_schema() -> Schema:
    """Reserved words as names, a keyword column with ``attribute:``, hostile text."""
    kind = Enum(
        "Kind", "kind",
        (EnumValue("a|b", "A_B", "pipe | in <i>value</i>"), EnumValue("end", "END", TRICKY_TEXT)),
        description=TRICKY_TEXT,
    )
    user = Entity(
        "User", "user",
        (_id(), _col("class", TEXT, attribute="class_", description=TRICKY_TEXT,
                     default=Default("string", "it's | <b>{{ x }}</b> \\ \"q\"")),
         _col("end", TEXT, nullable=True, default=Default("sql", "'{% x %}' || 'y'"))),
        PrimaryKey("pk_user", ("id",)),
        description=TRICKY_TEXT,
    )
    order = Entity(
        "Order", "order",
        (_id(),
         _col("user_id", BIGINT, nullable=True),
         _col("from", ColumnType("enum", enum="Kind"), attribute="from_"),
         _col("pk", TEXT, nullable=True, description="A column named pk."),
         _col("select", ColumnType("jsonb"), default=Default("json", '{"a": "|<b>"}'))),
        PrimaryKey("pk_order", ("id",)),
        description="An order | with a pipe.",
        foreign_keys=(ForeignKey("fk_order_user_id_user", ("user_id",), "User", "user", ("id",),
                                 on_delete="SET NULL"),),
        uniques=(UniqueConstraint("uq_order_user_id", ("user_id",)),),
        checks=(CheckConstraint("ck_order_pipe", PIPE_CHECK),
                CheckConstraint("ck_order_weird", WEIRD_CHECK)),
        indexes=(Index("ix_order_select", ("select",), using="gin", where="\"end\" IS NULL",
                       description=TRICKY_TEXT),),
        relationships=(Relationship("user", "many_to_one", "User", "orders",
                                    "fk_order_user_id_user"),),
    )
    return Schema(
        Database("tricky | db", description=TRICKY_TEXT),
        enums=(kind,),
        entities=(order, user),
    )
