"""Named before/after diffs: the plan lines, their order, and the apply invariant."""

from __future__ import annotations

import dataclasses

import pytest
from schema_fixtures import (
    BIGINT,
    col,
    entity,
    enum,
    enum_type,
    fk,
    products,
    schema,
    stores,
    string,
)
from schemagen.diff.compare import diff
from schemagen.diff.snapshot import ddl_view, empty_schema, same_ddl
from schemagen.model.schema import (
    CheckConstraint,
    ColumnType,
    DbSequence,
    Default,
    Domain,
    Entity,
    ForeignKey,
    Index,
    PartitionKey,
    Schema,
    UniqueConstraint,
)
from schemagen.operations.plan import Plan, PrebuildUniqueIndex, apply
from schemagen.operations.stages import stages


def numeric(precision: int, scale: int) -> ColumnType:
    return ColumnType("numeric", precision=precision, scale=scale)


def lines(old: Schema | None, new: Schema) -> list[str]:
    plan = diff(old, new)
    check_invariants(old, new, plan)
    return plan.describe()


def check_invariants(old: Schema | None, new: Schema, plan: Plan) -> None:
    start = ddl_view(old) if old is not None else empty_schema()
    assert same_ddl(apply(start, plan), new)
    assert same_ddl(apply(apply(start, plan), plan.reverse()), start)


def test_initial_plan_creates_extensions_enums_then_tables_in_dependency_order() -> None:
    status = enum("product_status", "active", "draft")
    new = schema(products(status), stores(), enums=(status,), extensions=("pg_trgm",))
    assert lines(None, new) == [
        "+ extension pg_trgm",
        "+ enum product_status (active, draft)",
        "+ table stores",
        "+ table products",
    ]


def test_no_change_is_an_empty_plan_even_when_only_orm_fields_differ() -> None:
    old = schema(stores())
    store = stores()
    renamed_attr = dataclasses.replace(
        store, columns=tuple(dataclasses.replace(c, attribute=f"x_{c.name}") for c in store.columns)
    )
    assert diff(old, schema(renamed_attr)).empty
    assert diff(ddl_view(old), old).empty


def test_reordered_columns_are_no_change() -> None:
    store = stores()
    reordered = dataclasses.replace(store, columns=tuple(reversed(store.columns)))
    assert diff(schema(store), schema(reordered)).empty


def test_drop_table_is_destructive_and_drops_referencing_fk_first() -> None:
    old = schema(stores(), products())
    new = schema(stores())
    plan = diff(old, new)
    assert plan.describe() == ["- table products"]
    assert [op.describe() for op in plan.destructive] == ["- table products"]
    check_invariants(old, new, plan)


def test_columns_added_dropped_altered() -> None:
    store = stores()
    changed = dataclasses.replace(
        store,
        columns=(
            store.columns[0],
            col("name", string(200)),  # widened
            col("email", string(320), nullable=True),  # added
        ),
    )
    plan = diff(schema(store), schema(changed))
    assert plan.describe() == [
        "- column stores.currency",
        "+ column stores.email character varying(320)",
        "~ column stores.name: type character varying(100) -> character varying(200)",
    ]
    assert [op.describe() for op in plan.destructive] == ["- column stores.currency"]
    check_invariants(schema(store), schema(changed), plan)


@pytest.mark.parametrize(
    ("old_type", "new_type", "destructive"),
    [
        (string(100), string(20), True),
        (ColumnType("text"), string(100), True),
        (ColumnType("integer"), BIGINT, False),
        (BIGINT, ColumnType("integer"), True),
        (numeric(10, 2), numeric(12, 2), False),
        (numeric(12, 2), numeric(12, 1), True),
        (string(100), ColumnType("text"), False),
        (ColumnType("json"), ColumnType("jsonb"), False),
        (string(10), ColumnType("integer"), False),  # a cast that fails loudly, not narrowing
        (ColumnType("numeric", precision=12, scale=2), ColumnType("integer"), True),
        (ColumnType("timestamptz"), ColumnType("date"), True),
    ],
)
def test_narrowing_is_destructive(
    old_type: ColumnType, new_type: ColumnType, destructive: bool
) -> None:
    before = entity("Thing", "things", col("value", old_type))
    after = entity("Thing", "things", col("value", new_type))
    plan = diff(schema(before), schema(after))
    assert len(plan.operations) == 1
    assert plan.operations[0].destructive is destructive


def test_not_null_without_default_is_destructive_with_default_is_not() -> None:
    before = entity("Thing", "things", col("a", nullable=True), col("b", nullable=True))
    after = entity("Thing", "things", col("a"), col("b", default=Default("string", "x")))
    plan = diff(schema(before), schema(after))
    risky = [op.describe() for op in plan.destructive]
    assert risky == [
        "~ column things.a: NOT NULL, through a validated CHECK (no scan under the exclusive lock)"
    ]


def test_changed_on_delete_is_swapped_in_place_never_dropped_first() -> None:
    """One online step swaps the key (never a drop in one revision and an add in a
    later one: tests/revision/test_foreign_key_swap.py); the downgrade swaps back."""
    old = schema(stores(), products())
    prod = products()
    changed = dataclasses.replace(
        prod,
        foreign_keys=(
            fk("products", "store_id", "Store", "stores", on_delete="RESTRICT", match="FULL"),
        ),
    )
    plan = diff(old, schema(stores(), changed))
    assert plan.describe() == [
        "~ foreign key fk_products_store_id_stores on products: MATCH FULL (was SIMPLE), "
        "ON DELETE RESTRICT (was CASCADE); swapped NOT VALID in one statement, then VALIDATE",
    ]
    assert [stage.kind for stage in stages(plan)] == ["online"]
    assert plan.reverse().describe() == [
        "~ foreign key fk_products_store_id_stores on products: MATCH SIMPLE (was FULL), "
        "ON DELETE CASCADE (was RESTRICT); swapped NOT VALID in one statement, then VALIDATE",
    ]


def test_a_key_s_deferrability_alone_is_altered_in_the_transaction() -> None:
    """No drop, no NOT VALID, no VALIDATE (tests/revision/test_foreign_key_deferral.py);
    with another change (ON DELETE too) it is swapped as before."""
    old = schema(stores(), products())
    key = products().foreign_keys[0]
    deferred = dataclasses.replace(key, deferrable=True, initially_deferred=True)
    new = schema(stores(), dataclasses.replace(products(), foreign_keys=(deferred,)))
    plan = diff(old, new)
    assert plan.describe() == [
        "~ foreign key fk_products_store_id_stores on products: DEFERRABLE INITIALLY DEFERRED "
        "(was NOT DEFERRABLE); altered in place, no scan",
    ]
    assert [stage.kind for stage in stages(plan)] == ["main"]
    check_invariants(old, new, plan)
    both = dataclasses.replace(deferred, on_delete="RESTRICT")
    plan = diff(old, schema(stores(), dataclasses.replace(products(), foreign_keys=(both,))))
    assert [stage.kind for stage in stages(plan)] == ["online"]
    assert plan.describe()[0].endswith("swapped NOT VALID in one statement, then VALIDATE")


def test_changed_key_whose_name_followed_a_rename_is_swapped_under_the_new_name() -> None:
    old = schema(stores(), products())
    prod = products()
    item = dataclasses.replace(
        prod, name="Item", table="items", renamed_from="Product",
        primary_key=dataclasses.replace(prod.primary_key, name="pk_items"),
        foreign_keys=(fk("items", "store_id", "Store", "stores", on_delete="RESTRICT"),),
    )
    assert lines(old, schema(stores(), item)) == [
        "~ table products renamed to items",
        "~ primary key pk_products renamed to pk_items on items",
        "~ foreign key fk_items_store_id_stores (was fk_products_store_id_stores) on items: "
        "ON DELETE RESTRICT (was CASCADE); swapped NOT VALID in one statement, then VALIDATE",
    ]


def test_changed_check_is_swapped_unless_it_names_a_retyped_column() -> None:
    """Swapped in one online step, as a key (tests/revision/test_check_swap.py); but
    the ALTER of a column it names would carry the old check over to the new type,
    checked again under its lock (or fail, where the expression no longer applies),
    so that one is dropped before the ALTER and added after it in the transaction:
    never missing at a revision boundary (tests/revision/test_retyped_constraint_swap.py).
    A binary compatible type change (a longer varchar) keeps the check as it is,
    unchecked: swapped after the transaction as any other."""
    code = col("code", string(20))
    before = entity("Thing", "things", code, col("n", BIGINT), col("label", string(10)),
                    checks=(CheckConstraint("ck_code", "length(code) > 0"),
                            CheckConstraint("ck_label", "label <> ''"),
                            CheckConstraint("ck_n", "n > 0")))
    after = dataclasses.replace(
        before,
        columns=(*before.columns[:-3], col("code", BIGINT), col("n", BIGINT),
                 col("label", string(20))),
        checks=(CheckConstraint("ck_code", "code > 0"), CheckConstraint("ck_label", "label <> 'x'"),
                CheckConstraint("ck_n", "n > 1")),
    )
    plan = diff(schema(before), schema(after))
    by_stage = {stage.kind: stage.plan.describe() for stage in stages(plan)}
    assert "drops" not in by_stage
    assert by_stage["main"] == [
        "- check ck_code on things",
        "~ column things.code: type character varying(20) -> bigint",
        "~ column things.label: type character varying(10) -> character varying(20)",
        "+ check ck_code on things",
    ]
    assert by_stage["online"] == [
        "~ check ck_label on things: (label <> 'x') (was (label <> '')); swapped NOT VALID in "
        "one statement, then VALIDATE",
        "~ check ck_n on things: (n > 1) (was (n > 0)); swapped NOT VALID in one statement, "
        "then VALIDATE",
    ]
    check_invariants(schema(before), schema(after), plan)


def test_changed_key_whose_column_changes_type_is_dropped_and_added_around_the_alter() -> None:
    """The ALTER would check a key still in place again under its lock (or fail, where
    the types no longer compare): dropped before it and added after it, in the
    transaction, never in a revision of its own."""
    old = schema(stores(), products())
    prod = products()
    store_id = dataclasses.replace(prod.column("store_id"), type=ColumnType("integer"))
    changed = dataclasses.replace(
        prod,
        columns=tuple(store_id if c.name == "store_id" else c for c in prod.columns),
        foreign_keys=(fk("products", "store_id", "Store", "stores", on_delete="RESTRICT"),),
    )
    plan = diff(old, schema(stores(), changed))
    assert [stage.kind for stage in stages(plan)] == ["main"]
    described = plan.describe()
    assert described[0] == "- foreign key fk_products_store_id_stores on products"
    assert described[-1] == "+ foreign key fk_products_store_id_stores on products"
    assert not any(line.startswith("~ foreign key") for line in described)
    check_invariants(old, schema(stores(), changed), plan)


def test_renamed_and_changed_key_whose_column_changes_type_is_dropped_and_added_around_it() -> None:
    """Under a new name as well (an explicit one, or a conventional one that followed
    the table's rename): its drop and add are paired by what the key is (the same
    columns referencing the same columns) and both stay in the transaction
    (tests/revision/test_renamed_key_around_a_retype.py). So on a partitioned table,
    whose keys are always dropped and added in the transaction."""
    old = schema(stores(), products())
    prod = products()
    store_id = dataclasses.replace(prod.column("store_id"), type=ColumnType("integer"))
    columns = tuple(store_id if c.name == "store_id" else c for c in prod.columns)
    renamed = dataclasses.replace(
        fk("products", "store_id", "Store", "stores", on_delete="RESTRICT"), name="fk_shop"
    )
    for new in (
        schema(stores(), dataclasses.replace(prod, columns=columns, foreign_keys=(renamed,))),
        schema(stores(), dataclasses.replace(
            prod, name="Item", table="items", renamed_from="Product", columns=columns,
            foreign_keys=(fk("items", "store_id", "Store", "stores", on_delete="RESTRICT"),),
        )),
    ):
        plan = diff(old, new)
        assert [stage.kind for stage in stages(plan)] == ["main"]
        described = [line for line in plan.describe() if "foreign key" in line]
        assert len(described) == 2, described
        assert described[0].startswith("- foreign key fk_products_store_id_stores on ")
        assert described[1].startswith("+ foreign key fk_")
        assert not described[1].endswith("(NOT VALID, then VALIDATE)")
        check_invariants(old, new, plan)
    # only renamed, both sides text -> uuid: no rename kept through the ALTERs
    uuid, text = ColumnType("uuid"), ColumnType("text")
    tenant = entity("Tenant", "tenants", col("code", text))
    site = entity("Site", "sites", col("tenant_code", text, nullable=True), foreign_keys=(
        dataclasses.replace(fk("sites", "tenant_code", "Tenant", "tenants"),
                            ref_columns=("code",)),))
    retyped = (
        dataclasses.replace(tenant, columns=(tenant.columns[0], col("code", uuid))),
        dataclasses.replace(
            site, columns=(site.columns[0], col("tenant_code", uuid, nullable=True)),
            foreign_keys=(dataclasses.replace(site.foreign_keys[0], name="fk_sites_owner"),)),
    )
    plan = diff(schema(tenant, site), schema(*retyped))
    assert [line for line in plan.describe() if "foreign key" in line] == [
        "- foreign key fk_sites_tenant_code_tenants on sites",
        "+ foreign key fk_sites_owner on sites",
    ]
    assert [stage.kind for stage in stages(plan)] == ["main"]
    check_invariants(schema(tenant, site), schema(*retyped), plan)
    key = PartitionKey("hash", ("id",))
    old = schema(dataclasses.replace(prod, partition_by=key))
    new = schema(dataclasses.replace(prod, partition_by=key, foreign_keys=(renamed,)))
    plan = diff(old, new)
    assert [stage.kind for stage in stages(plan)] == ["main"]
    assert plan.describe() == [
        "- foreign key fk_products_store_id_stores on products",
        "+ foreign key fk_shop on products",
    ]


def test_index_on_existing_table_is_concurrent_unless_it_says_not() -> None:
    old = schema(stores(), products())
    prod = products()
    added = (
        Index("idx_products_store", ("store_id",)),
        Index("idx_products_title", ("title",)),
        Index("idx_products_title_lower", ("title",), where="title <> ''", concurrently=False),
    )
    new = schema(stores(), dataclasses.replace(prod, indexes=added))
    assert lines(old, new) == [
        "+ index idx_products_title_lower on products",
        "+ index idx_products_store on products (concurrently)",
    ]


def test_changed_index_is_dropped_first_and_created_last() -> None:
    old = schema(stores(), products())
    prod = products()
    gin = Index("idx_products_title", ("title",), using="gin", ops=(("title", "gin_trgm_ops"),))
    new = schema(stores(), dataclasses.replace(prod, indexes=(gin,)), extensions=("pg_trgm",))
    assert lines(old, new) == [  # the drop runs first, in the drops revision
        "- index idx_products_title on products (concurrently)",
        "+ extension pg_trgm",
        "+ index idx_products_title on products (concurrently)",
    ]
    plain = dataclasses.replace(gin, concurrently=False)
    new = schema(stores(), dataclasses.replace(prod, indexes=(plain,)), extensions=("pg_trgm",))
    assert lines(old, new)[1:] == [  # concurrently: false holds for the drop as well
        "- index idx_products_title on products",
        "+ index idx_products_title on products",
    ]


def test_enum_value_added_in_its_place_and_removed_destructively() -> None:
    before = enum("status", "active", "archived")
    after = enum("status", "draft", "active", "paused", "archived")
    ent = entity("Thing", "things", col("state", enum_type(before)))
    plan = diff(schema(ent, enums=(before,)), schema(ent, enums=(after,)))
    assert plan.describe() == [
        "+ enum value status.'draft' before 'active'",
        "+ enum value status.'paused' before 'archived'",
    ]
    assert not plan.destructive
    check_invariants(schema(ent, enums=(before,)), schema(ent, enums=(after,)), plan)
    back = diff(schema(ent, enums=(after,)), schema(ent, enums=(before,)))
    assert back.describe() == [
        "~ enum status values (draft, active, paused, archived) -> (active, archived)"
    ]
    assert back.destructive


def test_enum_python_name_change_is_no_change() -> None:
    a = enum("status", "x", "y", name="Status")
    b = enum("status", "x", "y", name="ThingStatus")
    ea = entity("Thing", "things", col("state", enum_type(a)))
    eb = entity("Thing", "things", col("state", enum_type(b)))
    assert diff(schema(ea, enums=(a,)), schema(eb, enums=(b,))).empty


def test_enum_moved_to_another_schema_is_set_schema_and_keeps_its_columns() -> None:
    """A type of one name gone from one schema and new in another moves (ALTER TYPE
    ... SET SCHEMA): no column is altered, no type dropped; a value added with the
    move names the type where it is when it runs (its revision comes first)."""
    home = enum("status", "a", "b", name="Status")
    away = enum("billing.status", "a", "b", name="Status")
    ent = entity("Thing", "things", col("state", enum_type(home)),
                 col("past", ColumnType("array", of=enum_type(home)), nullable=True))
    moved = dataclasses.replace(
        ent, columns=(ent.columns[0], col("state", enum_type(away)),
                      col("past", ColumnType("array", of=enum_type(away)), nullable=True))
    )
    old, new = schema(ent, enums=(home,)), schema(moved, enums=(away,))
    assert lines(old, new) == ["+ schema billing", "~ enum status moved to billing.status"]
    assert lines(new, old) == ["~ enum billing.status moved to status", "- schema billing"]
    assert not diff(old, new).destructive
    more = dataclasses.replace(away, values=(*away.values, *enum("x", "c").values))
    assert lines(old, schema(moved, enums=(more,))) == [
        "+ schema billing",
        "+ enum value status.'c' after 'b'",
        "~ enum status moved to billing.status",
    ]
    # two types of that name gone or new: which went where is not guessed
    other = enum("sales.status", "a", "b", name="Other")
    both = diff(old, schema(moved, enums=(away, other)))
    assert not any(line.startswith("~ enum") for line in both.describe())


def test_domain_moved_to_another_schema_is_set_schema_and_keeps_its_columns() -> None:
    text = ColumnType("text")
    home, away = Domain("code", text), Domain("billing.code", text, default=Default("string", "x"))
    typed = lambda name: dataclasses.replace(text, domain=name)  # noqa: E731
    ent = entity("Thing", "things", col("code", typed("code")),
                 col("codes", ColumnType("array", of=typed("code")), nullable=True))
    moved = entity("Thing", "things", col("code", typed("billing.code")),
                   col("codes", ColumnType("array", of=typed("billing.code")), nullable=True))
    old = dataclasses.replace(schema(ent), domains=(home,))
    new = dataclasses.replace(schema(moved), domains=(away,))
    assert lines(old, new) == [
        "+ schema billing", "~ domain code moved to billing.code", "~ domain billing.code: default"
    ]
    assert not diff(old, new).destructive


def test_domain_whose_name_alone_changes_is_renamed_and_keeps_its_columns() -> None:
    """db_name: changed, all else equal (the description aside): ALTER DOMAIN ... RENAME
    TO, no column altered (tests/revision/test_domain_rename.py); the reverse renames
    back. With another change (NOT NULL here), or a schema too, or with two candidates
    of one definition, nothing is guessed: a drop and a create, the columns altered."""
    text = ColumnType("text")
    check = (CheckConstraint("ck_code", "VALUE <> ''"),)
    typed = lambda name: dataclasses.replace(text, domain=name)  # noqa: E731

    def with_domains(*domains: Domain) -> Schema:
        names = [d.name for d in domains]
        ent = entity("Thing", "things", *(col(f"c{i}", typed(n)) for i, n in enumerate(names)),
                     col("codes", ColumnType("array", of=typed(names[0])), nullable=True))
        ordered = tuple(sorted(domains, key=lambda d: d.name))
        return dataclasses.replace(schema(ent), domains=ordered)

    old = with_domains(Domain("billing.code", text, checks=check))
    new = with_domains(Domain("billing.Code", text, checks=check, description="Docs only."))
    assert lines(old, new) == ["~ domain billing.code renamed to billing.Code"]
    assert diff(new, old).describe() == ["~ domain billing.Code renamed to billing.code"]
    assert not diff(old, new).destructive
    defaulted = with_domains(Domain("billing.Code", text, checks=check, not_null=True))
    assert not any("renamed" in line for line in lines(old, defaulted))
    # in another schema too: a move and a rename at once are not guessed
    assert not any("renamed" in line for line in lines(old, with_domains(
        Domain("Code", text, checks=check))))
    two = with_domains(Domain("a", text), Domain("b", text))
    assert not any("renamed" in line for line in lines(two, with_domains(
        Domain("c", text), Domain("d", text))))
    assert lines(two, with_domains(Domain("a", text), Domain("c", text))) == [
        "~ domain b renamed to c"
    ]


def test_entity_rename_renames_table_sequence_and_conventional_names() -> None:
    old = schema(stores(), products())
    prod = products()
    item = dataclasses.replace(
        prod, name="Item", table="items", renamed_from="Product",
        primary_key=dataclasses.replace(prod.primary_key, name="pk_items"),
        foreign_keys=(fk("items", "store_id", "Store", "stores", on_delete="CASCADE"),),
    )
    new = schema(stores(), item)
    assert lines(old, new) == [
        "~ table products renamed to items",
        "~ primary key pk_products renamed to pk_items on items",
        "~ foreign key fk_products_store_id_stores renamed to fk_items_store_id_stores on items",
    ]
    # Once the rename is in a snapshot, the hint is a no-op.
    assert diff(new, new).empty


def test_column_rename_only_with_hint() -> None:
    before = entity("Thing", "things", col("shop_domain", string(100)))
    renamed = col("shopify_domain", string(100), renamed_from="shop_domain")
    hinted = entity("Thing", "things", renamed)
    unhinted = entity("Thing", "things", col("shopify_domain", string(100)))
    assert lines(schema(before), schema(hinted)) == [
        "~ column things.shop_domain renamed to shopify_domain"
    ]
    assert lines(schema(before), schema(unhinted)) == [
        "- column things.shop_domain",
        "+ column things.shopify_domain character varying(100) NOT NULL",
    ]


def test_fk_cycle_between_new_tables_is_closed_after_both_exist() -> None:
    a = entity("A", "a", col("b_id", BIGINT, nullable=True),
               foreign_keys=(fk("a", "b_id", "B", "b"),))
    b = entity("B", "b", col("a_id", BIGINT, nullable=True),
               foreign_keys=(fk("b", "a_id", "A", "a"),))
    assert lines(None, schema(a, b)) == [
        "+ table a",
        "+ table b",
        "+ foreign key fk_a_b_id_b on a",
    ]
    down = diff(None, schema(a, b)).reverse().describe()
    assert down == ["- foreign key fk_a_b_id_b on a", "- table b", "- table a"]


def test_foreign_keys_come_after_the_unique_they_reference_and_go_before_it() -> None:
    """A new unique on an existing table comes before the new foreign keys (from an
    existing and from a new table) that reference it; the downgrade mirrors it."""
    def store(*uniques: UniqueConstraint) -> Entity:
        return entity("Store", "stores", col("code", string(20)), uniques=uniques)

    def ref(table: str) -> ForeignKey:
        return dataclasses.replace(fk(table, "store_code", "Store", "stores"),
                                   ref_columns=("code",))

    product = entity("Product", "products", col("store_code", string(20)))
    old = schema(store(), product)
    new = schema(
        store(UniqueConstraint("uq_stores_code", ("code",))),
        dataclasses.replace(product, foreign_keys=(ref("products"),)),
        entity("Shelf", "shelves", col("store_code", string(20)),
               foreign_keys=(ref("shelves"),)),
    )
    # The unique is added in the transaction: the new table's foreign key needs it
    # at once; its index is built concurrently before it (the drops revision).
    assert lines(old, new) == [
        "+ unique index uq_stores_code on stores (code), built concurrently for "
        "uq_stores_code, which the main revision adds USING INDEX",
        "+ unique uq_stores_code on stores (its index built concurrently before the "
        "transaction, attached USING INDEX)",
        "+ table shelves",
        "+ foreign key fk_products_store_code_stores on products (NOT VALID, then VALIDATE)",
    ]
    dropped = [
        "- foreign key fk_products_store_code_stores on products",
        "- table shelves",
        "- unique uq_stores_code on stores",
    ]
    assert diff(old, new).reverse().describe() == [  # the downgrade
        *dropped,
        "- unique index uq_stores_code on stores (code), if still there",
    ]
    assert lines(new, old) == dropped  # the same change made in the YAML


def test_check_and_comment_changes() -> None:
    store = stores()
    changed = dataclasses.replace(
        store,
        description="A merchant's store.",
        checks=(CheckConstraint("ck_stores_name_not_empty", "name <> ''"),),
    )
    assert lines(schema(store), schema(changed)) == [
        "~ table stores comment added",
        "+ check ck_stores_name_not_empty on stores (NOT VALID, then VALIDATE)",
    ]


def test_a_key_made_match_full_over_nullable_columns_is_noted_with_its_query() -> None:
    """What the diff can know without the database: rows MAY hold the key partly NULL
    (a column of it is nullable), which VALIDATE would refuse; the note says how to
    look before deploying. A key of NOT NULL columns, or of one column, cannot."""
    unit = entity("Unit", "units", col("no", BIGINT))
    key = ForeignKey("fk_b_unit", ("unit_id", "unit_no"), "Unit", "units", ("id", "no"))
    cols = (col("unit_id", BIGINT, nullable=True), col("unit_no", BIGINT))
    booking = entity("Booking", "bookings", *cols, foreign_keys=(key,))
    full = dataclasses.replace(booking, foreign_keys=(dataclasses.replace(key, match="FULL"),))
    assert diff(schema(unit, booking), schema(unit, full)).notes == (
        "fk_b_unit on bookings becomes MATCH FULL: its VALIDATE fails if rows hold "
        "(unit_id, unit_no) partly NULL; before deploying, list them with: SELECT * FROM "
        "bookings WHERE num_nulls(unit_id, unit_no) = 1",
    )
    assert diff(schema(unit, full), schema(unit, booking)).notes == ()
    new_key = schema(unit, dataclasses.replace(full, name="Booking"))
    plain = dataclasses.replace(booking, foreign_keys=())
    assert len(diff(schema(unit, plain), new_key).notes) == 1  # a new key on a kept table
    assert diff(None, new_key).notes == ()  # a new table holds no rows
    not_null = dataclasses.replace(full, columns=tuple(
        dataclasses.replace(c, nullable=False) for c in full.columns
    ))
    assert diff(schema(unit, booking), schema(unit, not_null)).notes == ()


def test_a_hint_that_names_nothing_is_noted() -> None:
    old = schema(stores())
    prod = dataclasses.replace(products(), renamed_from="Itme")
    store = stores()
    typo = dataclasses.replace(
        store, columns=(*store.columns, col("email", string(50), renamed_from="mail"))
    )
    plan = diff(old, schema(typo, prod))
    assert plan.notes == (
        "Product says renamed_from: Itme, but the latest revision has no entity Itme; "
        "Product is created as a new table",
        "Store.email says renamed_from: mail, but the latest revision has no column "
        "Store.mail; email is added as a new column",
    )
    assert diff(old, old).notes == ()


def test_a_rename_onto_a_name_still_in_use_is_noted_not_guessed() -> None:
    before = entity("Thing", "things", col("name"), col("title"))
    after = entity("Thing", "things", col("name", renamed_from="title"))
    plan = diff(schema(before), schema(after))
    assert plan.describe() == ["- column things.title"]
    assert plan.notes == (
        "Thing.name says renamed_from: title, but name still exists in the latest revision, "
        "so nothing is renamed; drop name in one revision and rename title in the next",
    )


def test_sequence_moved_to_another_schema_keeps_its_value_and_its_defaults() -> None:
    """A standalone sequence of one name gone from one schema and new in another is
    ALTER SEQUENCE ... SET SCHEMA (its value kept); the nextval default that now
    names it where it lives is no change of the column (it refers to it by OID)."""
    calls = lambda name: Default("sql", f"nextval('{name}')")  # noqa: E731
    numbered = lambda name: schema(entity(  # noqa: E731
        "Invoice", "invoices", col("number", BIGINT, default=calls(name))
    ))
    old = dataclasses.replace(numbered("numbers"), sequences=(DbSequence("numbers"),))
    new = dataclasses.replace(
        numbered("billing.numbers"), sequences=(DbSequence("billing.numbers", increment=5),)
    )
    assert lines(old, new) == [
        "+ schema billing",
        "~ sequence numbers moved to billing.numbers (current value kept)",
        "~ sequence billing.numbers: options",
    ]
    assert lines(new, old) == [
        "~ sequence billing.numbers moved to numbers (current value kept)",
        "~ sequence numbers: options",
        "- schema billing",
    ]
    assert not diff(old, new).destructive
    # two of that name new: which one it became is not guessed (drop and create)
    two = dataclasses.replace(new, sequences=(*new.sequences, DbSequence("sales.numbers")))
    assert diff(old, two).destructive
    assert not any("moved" in line for line in diff(old, two).describe())


def test_unique_over_other_columns_is_swapped_never_dropped_first() -> None:
    """Under one name, or a new one whose columns hold the old ones (or the other way
    round), paired in name order: one online swap each, after the transaction that
    adds the new column (never a drop in one revision and an add in a later one:
    tests/revision/test_unique_swap.py); the downgrade swaps back. A unique that
    trades a dropped column for a new one is swapped in the transaction, after the
    ADD COLUMN and before the DROP COLUMN (see
    test_a_unique_trading_a_dropped_column_is_swapped_between_add_and_drop; for one
    over columns it keeps, test_a_unique_losing_a_dropped_column_is_swapped_before_the_drop)."""
    base = entity("Thing", "things", col("a", BIGINT), col("b", BIGINT), col("c", BIGINT))
    before = dataclasses.replace(base, uniques=(  # in name order, as normalized
        UniqueConstraint("uq_gone", ("c",)),
        UniqueConstraint("uq_other", ("b",)),
        UniqueConstraint("uq_same", ("a", "b")),
        UniqueConstraint("uq_things_a_b", ("b", "a")),
    ))
    after = dataclasses.replace(
        base,
        columns=(*[c for c in base.columns if c.name != "c"], col("d", BIGINT, nullable=True)),
        uniques=(
            UniqueConstraint("uq_gone", ("d",)),
            UniqueConstraint("uq_same", ("a", "b", "d")),
            UniqueConstraint("uq_things_a", ("a",)),
            UniqueConstraint("uq_wider", ("b", "d")),
        ),
    )
    swapped = "new unique index built concurrently, then swapped in one statement"
    plan = diff(schema(before), schema(after))
    assert {stage.kind: stage.plan.describe() for stage in stages(plan)} == {
        "main": [
            "+ column things.d bigint",
            "~ unique uq_gone on things: (d) (was (c)); dropped and added in one statement, "
            "its index built under the lock",
            "- column things.c",
        ],
        "online": [
            f"~ unique uq_same on things: (a, b, d) (was (a, b)); {swapped}",
            f"~ unique uq_things_a (was uq_things_a_b) on things: (a) (was (b, a)); {swapped}",
            f"~ unique uq_wider (was uq_other) on things: (b, d) (was (b)); {swapped}",
        ],
    }
    check_invariants(schema(before), schema(after), plan)
    assert f"~ unique uq_same on things: (a, b) (was (a, b, d)); {swapped}" in (
        plan.reverse().describe()
    )


def test_a_unique_trading_a_dropped_column_is_swapped_between_add_and_drop() -> None:
    """unique(a, legacy) -> unique(a, variant) while legacy is dropped and variant
    added, under one name or a new one: the new one cannot be built before the main
    transaction adds variant, nor can the old outlive its DROP COLUMN, so it is
    swapped there, after the ADD COLUMN and before the DROP COLUMN (which otherwise
    come the other way round); the downgrade mirrors it. Traded for a column the
    table has, it is swapped in the transaction too, before the DROP COLUMN.
    (tests/revision/test_unique_trading_a_dropped_column.py)"""
    before = entity("Thing", "things", col("a", BIGINT), col("legacy", BIGINT, nullable=True),
                    col("b", BIGINT),
                    uniques=(UniqueConstraint("uq_things_a_legacy", ("a", "legacy")),))
    for name in ("uq_things_a_legacy", "uq_things_a_variant"):
        after = entity("Thing", "things", col("a", BIGINT), col("b", BIGINT),
                       col("variant", BIGINT, nullable=True),
                       uniques=(UniqueConstraint(name, ("a", "variant")),))
        plan = diff(schema(before), schema(after))
        renamed = " (was uq_things_a_legacy)" if name != "uq_things_a_legacy" else ""
        in_place = "dropped and added in one statement, its index built under the lock"
        assert [stage.kind for stage in stages(plan)] == ["main"]
        assert plan.describe() == [
            "+ column things.variant bigint",
            f"~ unique {name}{renamed} on things: (a, variant) (was (a, legacy)); {in_place}",
            "- column things.legacy",
        ]
        check_invariants(schema(before), schema(after), plan)
        back = f" (was {name})" if name != "uq_things_a_legacy" else ""
        assert plan.reverse().describe() == [
            "+ column things.legacy bigint",
            f"~ unique uq_things_a_legacy{back} on things: (a, legacy) (was (a, variant)); "
            f"{in_place}",
            "- column things.variant",
        ]
    # for a column the table had (b), not one the plan adds: in the transaction too
    # (swapped before it, the old would be missing while legacy is still there),
    # its index built concurrently before it and attached USING INDEX there; the
    # downgrade builds the old one back in its transaction (legacy is new there)
    after = entity("Thing", "things", col("a", BIGINT), col("b", BIGINT),
                   uniques=(UniqueConstraint("uq_things_a_b", ("a", "b")),))
    plan = diff(schema(before), schema(after))
    assert [stage.kind for stage in stages(plan)] == ["drops", "main"]
    assert plan.describe() == [
        "+ unique index uq_things_a_b on things (a, b), built concurrently for uq_things_a_b, "
        "which the main revision swaps in USING INDEX",
        "~ unique uq_things_a_b (was uq_things_a_legacy) on things: (a, b) (was (a, legacy)); "
        "dropped and added in one statement USING INDEX uq_things_a_b, built concurrently "
        "before the transaction",
        "- column things.legacy",
    ]
    check_invariants(schema(before), schema(after), plan)
    assert plan.reverse().describe() == [
        "+ column things.legacy bigint",
        f"~ unique uq_things_a_legacy (was uq_things_a_b) on things: (a, legacy) (was (a, b)); "
        f"{in_place}",
        "- unique index uq_things_a_b on things (a, b), if still there",
    ]
    # a partitioned table's: no concurrent build, in the transaction as before
    key = PartitionKey("hash", ("id",))
    plan = diff(
        schema(dataclasses.replace(before, partition_by=key)),
        schema(dataclasses.replace(after, partition_by=key)),
    )
    assert [stage.kind for stage in stages(plan)] == ["main"]
    assert not any(isinstance(op, PrebuildUniqueIndex) for op in plan.operations)


def test_a_unique_losing_a_dropped_column_is_swapped_before_the_drop() -> None:
    """unique(a, x, legacy) -> unique(a, y) while legacy is dropped, the table and x
    renamed: swapped in the drops stage, under the previous revision's names, before
    the main transaction drops legacy (which would take the old with it); the
    downgrade swaps back after the main downgrade restored legacy. Not lock-safe
    (a partitioned table) it is one statement of the transaction, before the drop.
    One that a new foreign key of the main transaction needs stays in the drops
    stage: it is there before the key. (tests/revision/test_unique_losing_a_dropped_column.py)"""
    before = entity("Thing", "things", col("a", BIGINT), col("x", BIGINT),
                    col("legacy", BIGINT, nullable=True),
                    uniques=(UniqueConstraint("uq_things_key", ("a", "x", "legacy")),))
    after = entity("Item", "items", col("a", BIGINT), col("y", BIGINT, renamed_from="x"),
                   renamed_from="Thing",
                   uniques=(UniqueConstraint("uq_items_key", ("a", "y")),))
    plan = diff(schema(before), schema(after))
    swapped = "new unique index built concurrently, then swapped in one statement"
    assert {stage.kind: stage.plan.describe() for stage in stages(plan)} == {
        "drops": [
            f"~ unique uq_items_key (was uq_things_key) on things: (a, x) (was (a, x, legacy)); "
            f"{swapped}"
        ],
        "main": [
            "~ table things renamed to items",
            "~ column items.x renamed to y",
            "~ primary key pk_things renamed to pk_items on items",
            "- column items.legacy",
        ],
    }
    check_invariants(schema(before), schema(after), plan)
    assert plan.reverse().describe()[-1] == (
        f"~ unique uq_things_key (was uq_items_key) on things: (a, x, legacy) (was (a, x)); "
        f"{swapped}"
    )
    # a new table's key references the new columns: still swapped before the transaction
    shelf = entity("Shelf", "shelves", col("item_a", BIGINT), col("item_y", BIGINT),
                   foreign_keys=(dataclasses.replace(
                       fk("shelves", "item_a", "Item", "items"), columns=("item_a", "item_y"),
                       ref_columns=("a", "y"), name="fk_shelves_item"),))
    plan = diff(schema(before), schema(after, shelf))
    assert [stage.kind for stage in stages(plan)] == ["drops", "main"]
    check_invariants(schema(before), schema(after, shelf), plan)
    # partitioned: in the transaction, before the drop
    key = PartitionKey("hash", ("id",))
    plan = diff(
        schema(dataclasses.replace(before, partition_by=key)),
        schema(dataclasses.replace(after, partition_by=key)),
    )
    assert [stage.kind for stage in stages(plan)] == ["main"]
    assert plan.describe() == [
        "~ table things renamed to items",
        "~ column items.x renamed to y",
        "~ primary key pk_things renamed to pk_items on items",
        "~ unique uq_items_key (was uq_things_key) on items: (a, y) (was (a, y, legacy)); "
        "dropped and added in one statement, its index built under the lock",
        "- column items.legacy",
    ]
    assert plan.reverse().describe()[:2] == [
        "+ column items.legacy bigint",
        "~ unique uq_things_key (was uq_items_key) on items: (a, y, legacy) (was (a, y)); "
        "dropped and added in one statement, its index built under the lock",
    ]


def test_a_swapped_unique_that_a_new_foreign_key_needs_is_swapped_in_the_transaction() -> None:
    """A new table's key references the new columns at once: the swap is one
    ALTER TABLE in the main transaction (no moment without either there), its new
    index built concurrently before it (not under the transaction's lock)."""
    store = entity("Store", "stores", col("code", string(20)), col("region", string(8)),
                   uniques=(UniqueConstraint("uq_stores_code", ("code", "region")),))
    narrowed = dataclasses.replace(store, uniques=(UniqueConstraint("uq_stores_code", ("code",)),))
    shelf = entity("Shelf", "shelves", col("store_code", string(20)), foreign_keys=(
        dataclasses.replace(fk("shelves", "store_code", "Store", "stores"), ref_columns=("code",)),
    ))
    plan = diff(schema(store), schema(narrowed, shelf))
    # region stays: the downgrade's swap back attaches an index the online
    # revision's downgrade builds concurrently before it
    assert [stage.kind for stage in stages(plan)] == ["drops", "main", "online"]
    assert plan.describe() == [
        "+ unique index uq_stores_code_swap on stores (code), built concurrently for "
        "uq_stores_code, which the main revision swaps in USING INDEX",
        "~ unique uq_stores_code on stores: (code) (was (code, region)); dropped and added in "
        "one statement USING INDEX uq_stores_code_swap, built concurrently before the "
        "transaction",
        "- unique index uq_stores_code_swap on stores (code, region), built for a downgrade "
        "that stopped half-way, if still there",
        "+ table shelves",
    ]
    assert (
        "+ unique index uq_stores_code_swap on stores (code, region), built concurrently for "
        "uq_stores_code, which the main downgrade swaps in USING INDEX"
    ) in plan.reverse().describe()
