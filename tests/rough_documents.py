"""Schema documents mostly well-formed but wrong in every way, for the robustness
tests (no tests here): hypothesis strategies for a whole document (DOCUMENT) and for
any YAML value (ANY)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from schemagen.model.schema import BASE_TYPES

ENTITIES = ["Store", "Product", "Item"]
COLUMNS = ["id", "store_id", "name", "price", "class", "metadata", "product_id", "x" * 70]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 300), st.floats(allow_nan=False, width=16),
    st.sampled_from(["now", "", "active", "a-b", "Store", "Store.id", "Product.name", "zz"]),
)
ANY = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["sql", "value", "type", "columns", "x"]), inner, max_size=3),
    max_leaves=6,
)
TYPE = st.sampled_from([*BASE_TYPES, "money", "loop", "strng"])


def _column() -> st.SearchStrategy[dict[str, Any]]:
    values: dict[str, st.SearchStrategy[Any]] = {
        "type": TYPE,
        "length": st.integers(1, 80),
        "precision": st.integers(1, 20),
        "scale": st.integers(0, 25),
        "enum": st.sampled_from(["Status", "Nope"]),
        "of": TYPE | st.fixed_dictionaries({"type": TYPE}),
        "nullable": st.booleans(),
        "primary_key": st.booleans(),
        "unique": st.booleans(),
        "index": st.booleans(),
        "default": ANY,
        "on_update": st.just("now"),
        "references": st.sampled_from(["Store", "Product.id", "Item.name", "Ghost", "Store.x"]),
        "on_delete": st.sampled_from(["cascade", "set null", "restrict"]),
        "relationship": st.sampled_from(["store", "name", False]),
        "back_populates": st.sampled_from(["items", "products", "name", False]),
        "attribute": st.sampled_from(["class_", "import", "name"]),
    }
    return st.dictionaries(st.sampled_from(sorted(values)), st.none(), max_size=5).flatmap(
        lambda keys: st.fixed_dictionaries({k: values[k] for k in keys})
    )


def _entity() -> st.SearchStrategy[dict[str, Any]]:
    names = st.sampled_from(COLUMNS)
    index = st.lists(names, max_size=2) | st.fixed_dictionaries(
        {"columns": st.lists(names, max_size=2)},
        optional={
            "using": st.sampled_from(["btree", "gin"]),
            "ops": st.dictionaries(names, st.sampled_from(["gin_trgm_ops", "x_ops"]), max_size=1),
            "unique": st.booleans(),
            "where": st.sampled_from(["price > 0", "nope = 1"]),
        },
    )
    return st.fixed_dictionaries(
        {"columns": st.dictionaries(names, _column(), max_size=5)},
        optional={
            "mixins": st.lists(st.sampled_from(["stamps", "nope"]), max_size=2),
            "table": st.sampled_from(["stores", "items", "bad-name"]),
            "unique": st.dictionaries(
                st.sampled_from(["uq_a", "ix_b"]), st.lists(names, max_size=2), max_size=2
            ),
            "checks": st.dictionaries(st.sampled_from(["ck_a", "uq_a"]),
                                      st.sampled_from(["price > 0", "prise > 0"]), max_size=1),
            "indexes": st.dictionaries(st.sampled_from(["ix_b", "idx_c"]), index, max_size=2),
            "relationships": st.dictionaries(
                st.sampled_from(["items", "products", "tags"]),
                st.fixed_dictionaries({}, optional={
                    "entity": st.sampled_from(ENTITIES + ["Ghost"]),
                    "secondary": st.sampled_from(["items", "nope"]),
                    "cascade": st.just("all, delete-orphan"),
                    "order_by": st.sampled_from(["name", "nope desc"]),
                }),
                max_size=2,
            ),
        },
    )


DOCUMENT = st.fixed_dictionaries(
    {"entities": st.dictionaries(st.sampled_from(ENTITIES), _entity(), max_size=3)},
    optional={
        "types": st.fixed_dictionaries({
            "money": st.fixed_dictionaries({"type": TYPE}, optional={"scale": st.integers(0, 3)}),
            "loop": st.just({"type": "loop"}),
        }),
        "mixins": st.fixed_dictionaries({"stamps": st.fixed_dictionaries(
            {"columns": st.dictionaries(st.sampled_from(COLUMNS), _column(), max_size=2)})}),
        "enums": st.fixed_dictionaries({"Status": st.fixed_dictionaries(
            {"values": st.lists(st.sampled_from(["a", "a-b", "a_b", "b"]), min_size=1,
                                max_size=3)})}),
        "database": st.fixed_dictionaries({"name": st.just("x")}, optional={
            "extensions": st.just(["pg_trgm"]),
            "naming_convention": st.fixed_dictionaries({"fk": st.sampled_from(
                ["fk_%(table_name)s", "fk_%(nope)s", "fk_%(table_name)s_%(column_0_name)s"])}),
        }),
    },
)
