"""Hand-built model objects for the migration-engine tests (no YAML, no loader; no tests here)."""

from __future__ import annotations

from schemagen.model.schema import (
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
    Schema,
    UniqueConstraint,
)

BIGINT = ColumnType("bigint")
TEXT = ColumnType("text")


def string(length: int | None = 255) -> ColumnType:
    return ColumnType("string", length=length)


def pk_column(name: str = "id") -> Column:
    return Column(name, BIGINT, primary_key=True, identity=True, attribute=name)


def col(name: str, ct: ColumnType = TEXT, **kw: object) -> Column:
    return Column(name, ct, attribute=name, **kw)  # type: ignore[arg-type]


def entity(name: str, table: str, *columns: Column, **kw: object) -> Entity:
    cols = (pk_column(), *columns)
    return Entity(name, table, cols, PrimaryKey(f"pk_{table}", ("id",)), **kw)  # type: ignore[arg-type]


def enum(db_name: str, *values: str, name: str | None = None) -> Enum:
    return Enum(
        name or db_name.title().replace("_", ""),
        db_name,
        tuple(EnumValue(v, v.upper()) for v in values),
    )


def enum_type(en: Enum) -> ColumnType:
    return ColumnType("enum", enum=en.name)


def schema(
    *entities: Entity, enums: tuple[Enum, ...] = (), extensions: tuple[str, ...] = ()
) -> Schema:
    return Schema(
        Database("shop", extensions=tuple(sorted(extensions))),
        tuple(sorted(enums, key=lambda e: e.name)),
        tuple(sorted(entities, key=lambda e: e.name)),
    )


def fk(table: str, column: str, ref_entity: str, ref_table: str, **kw: object) -> ForeignKey:
    name = f"fk_{table}_{column}_{ref_table}"
    return ForeignKey(name, (column,), ref_entity, ref_table, ("id",), **kw)  # type: ignore[arg-type]


def stores() -> Entity:
    return entity(
        "Store", "stores",
        col("name", string(100)),
        col("currency", string(3), default=Default("string", "USD")),
        uniques=(UniqueConstraint("uq_stores_name", ("name",)),),
    )


def products(status: Enum | None = None) -> Entity:
    cols = [
        col("store_id", BIGINT),
        col("title", string(255), description="Product title."),
    ]
    if status is not None:
        cols.append(col("status", enum_type(status), default=Default("string", "active")))
    return entity(
        "Product", "products", *cols,
        foreign_keys=(fk("products", "store_id", "Store", "stores", on_delete="CASCADE"),),
        indexes=(Index("idx_products_title", ("title",)),),
    )
