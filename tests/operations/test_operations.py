"""Operations: reverse().reverse() is the identity; one operation rendered exactly;
and the property apply(old, diff(old, new)) ~ new over generated schemas."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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
    Enum,
    ForeignKey,
    Index,
    IndexKey,
    PrimaryKey,
    Schema,
    UniqueConstraint,
)
from schemagen.operations.base import Operation
from schemagen.operations.constraint import (
    AddConstraint,
    AlterForeignKeyDeferral,
    AlterUniqueDeferral,
    CreateIndex,
    DropConstraint,
    DropIndex,
    PrebuildUniqueIndex,
    RenameConstraint,
    ReplaceCheck,
    ReplaceForeignKey,
    ReplaceUnique,
    swap_index_name,
)
from schemagen.operations.costs import steps as steps_of
from schemagen.operations.plan import Plan, apply
from schemagen.operations.schema import (
    AddEnumValue,
    CreateEnum,
    CreateExtension,
    DropEnum,
    DropEnumValue,
    DropExtension,
    EnumUsage,
    MoveEnum,
    ReplaceEnum,
)
from schemagen.operations.sequence import AlterSequence, MoveSequence
from schemagen.operations.stages import stages
from schemagen.operations.table import (
    AddColumn,
    AddPrimaryKey,
    AlterColumn,
    AlterTableComment,
    CreateTable,
    DropColumn,
    DropPrimaryKey,
    DropTable,
    PrebuildPrimaryKeyIndexes,
    RenameColumn,
    RenameTable,
)
from schemagen.revision.indexes import drop_invalid_index
from schemagen.revision.render import Guarded, execute, render, render_body
from schemagen.revision.script import RevisionInfo, render_revision
from schemagen.revision.validation import (
    repeated_index_rows_sql,
    repeated_rows_sql,
    sequence_bounds_sql,
    validate_check_sql,
    validate_foreign_key_sql,
)
from schemagen.util.pycode import layout

STATUS = enum("status", "a", "b")
USAGE = EnumUsage("things", "state", default_sql="'a'")

#: unique(name, legacy) -> unique(name, code), legacy dropped, code there: its new
#: index built before the main transaction, which attaches it
TRADE = ReplaceUnique(
    "stores",
    UniqueConstraint("uq_stores_name_legacy", ("name", "legacy")),
    UniqueConstraint("uq_stores_name_code", ("name", "code")),
    lock_safe=False,
    early=True,
    prebuilt="new",
)
EXAMPLES: list[Operation] = [
    CreateExtension("pg_trgm"),
    DropExtension("pg_trgm"),
    CreateEnum(STATUS),
    DropEnum(STATUS),
    AddEnumValue("status", "c", ("a", "b"), before="b", usages=(USAGE,)),
    DropEnumValue("status", "c", ("a", "b"), after="b"),
    ReplaceEnum("status", ("a", "b"), ("b", "a"), (USAGE,)),
    MoveEnum("status", "billing.status"),
    CreateTable(stores()),
    DropTable(products()),
    RenameTable("Item", "Product", "items", "products", ("id",)),
    AlterTableComment("stores", None, "A store."),
    AddColumn("stores", col("email", string(320), nullable=True), 3),
    DropColumn("stores", col("legacy"), 1),
    RenameColumn("stores", "shop_domain", "shopify_domain"),
    AlterColumn("stores", col("name", string(100)), col("name", string(20), nullable=True)),
    DropPrimaryKey("stores", PrimaryKey("pk_stores", ("id",))),
    AddPrimaryKey("stores", PrimaryKey("pk_x", ("a", "b"))),
    AddConstraint("stores", UniqueConstraint("uq_stores_name", ("name",))),
    DropConstraint("stores", CheckConstraint("ck_stores_x", "x > 0")),
    CreateIndex("stores", Index("ix_stores_name", ("name",)), concurrently=True),
    DropIndex("stores", Index("ix_stores_name", ("name",))),
    RenameConstraint("stores", "index", "ix_a", "ix_b"),
    ReplaceForeignKey(
        "products",
        ForeignKey("fk_p_s", ("store_id",), "Store", "stores", ("id",), on_delete="CASCADE"),
        ForeignKey("fk_p_s", ("store_id",), "Store", "stores", ("id",), match="FULL"),
    ),
    ReplaceCheck(
        "stores", CheckConstraint("ck_stores_x", "x > 0"), CheckConstraint("ck_stores_x", "x > 1")
    ),
    AlterUniqueDeferral(
        "stores",
        UniqueConstraint("uq_stores_name", ("name",)),
        UniqueConstraint("uq_stores_name", ("name",), deferrable=True, initially_deferred=True),
    ),
    AlterForeignKeyDeferral(
        "products",
        ForeignKey("fk_p_s", ("store_id",), "Store", "stores", ("id",)),
        ForeignKey("fk_p_s", ("store_id",), "Store", "stores", ("id",), deferrable=True,
                   initially_deferred=True),
    ),
    ReplaceUnique(
        "stores",
        UniqueConstraint("uq_stores_name", ("name", "shop_domain")),
        UniqueConstraint("uq_stores_name", ("name",), deferrable=True),
    ),
    PrebuildUniqueIndex(TRADE),
    PrebuildUniqueIndex(TRADE, undo=True, stage="online"),
    PrebuildPrimaryKeyIndexes(
        AddPrimaryKey("stores", PrimaryKey("pk_x", ("a", "b")), prebuilt=True)
    ),
]


def test_examples_hold_every_operation_type() -> None:
    from schemagen.operations import plan as operations

    every = {
        cls for name in operations.__all__
        if isinstance(cls := getattr(operations, name), type)
        and issubclass(cls, Operation) and cls is not Operation
    }
    assert {type(op) for op in EXAMPLES} == every


@pytest.mark.parametrize("op", EXAMPLES, ids=lambda op: type(op).__name__)
def test_reverse_reverse_is_identity(op: Operation) -> None:
    assert op.reverse().reverse() == op
    assert op.describe()[0] in "+-~"
    assert op.reverse().describe()[0] in "+-~"


def _state() -> Schema:
    return ddl_view(schema(stores(), products()))


def test_enum_move_renders_set_schema_both_ways() -> None:
    state = ddl_view(schema(enums=(enum("billing.status", "a"),)))
    for op, sql in (
        (MoveEnum("billing.status", "status"), "ALTER TYPE billing.status SET SCHEMA public"),
        (MoveEnum("status", "billing.status"), "ALTER TYPE status SET SCHEMA billing"),
    ):
        rendered = render(op, state)
        assert not rendered.autocommit
        assert [line for stmt in rendered.statements for line in layout(stmt, "")] == [
            f'op.execute("{sql}")'
        ]


def test_sequence_move_reverses_renames_its_defaults_and_renders_set_schema() -> None:
    """The move back undoes the move; every nextval default (a column's, a domain's,
    one that casts to regclass or names public) follows; other sequences stay."""
    called = lambda sql: Default("sql", sql)  # noqa: E731
    start = dataclasses.replace(
        schema(entity("Thing", "things",
                      col("a", BIGINT, default=called("nextval('public.numbers'::regclass)")),
                      col("b", default=called("'T-' || nextval('numbers')")),
                      col("c", BIGINT, default=called("nextval('numbers_2')")))),
        sequences=(DbSequence("numbers", start=5), DbSequence("numbers_2")),
        domains=(Domain("code", BIGINT, default=called("nextval('numbers')")),),
    )
    op = MoveSequence("numbers", "billing.numbers")
    assert op.reverse() == MoveSequence("billing.numbers", "numbers")
    assert op.reverse().reverse() == op
    moved = op.apply(start)
    assert [s.name for s in moved.sequences] == ["billing.numbers", "numbers_2"]
    assert moved.sequences[0].start == 5
    assert [c.default.value for c in moved.entities[0].columns[1:] if c.default] == [
        "nextval('billing.numbers'::regclass)",
        "'T-' || nextval('billing.numbers')",
        "nextval('numbers_2')",
    ]
    assert moved.domains[0].default == called("nextval('billing.numbers')")
    assert op.reverse().apply(moved).sequences == start.sequences
    assert [line for stmt in render(op, moved).statements for line in layout(stmt, "")] == [
        'op.execute("ALTER SEQUENCE numbers SET SCHEMA billing")'
    ]
    assert [line for stmt in render(op.reverse(), moved).statements
            for line in layout(stmt, "")] == [
        'op.execute("ALTER SEQUENCE billing.numbers SET SCHEMA public")'
    ]


def test_one_operation_renders_exactly() -> None:
    index = Index(
        "idx_products_title_search", ("title",), using="gin",
        ops=(("title", "gin_trgm_ops"),), where="title <> ''",
    )
    rendered = render(CreateIndex("products", index, concurrently=True), _state())
    assert rendered.autocommit
    code = [line for stmt in rendered.statements for line in layout(stmt, "    ")]
    assert code == [
        "    op.execute(",
        "        (",
        '            "DO $schemagen$ BEGIN IF EXISTS (SELECT FROM pg_index i JOIN pg_class c ON "',
        '            "c.oid = i.indexrelid WHERE c.relname = \'idx_products_title_search\' AND "',
        '            "c.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid) "',
        '            "THEN DROP INDEX idx_products_title_search; END IF; END $schemagen$"',
        "        ),",
        "    )",
        "    op.create_index(",
        '        op.f("idx_products_title_search"),',
        '        "products",',
        '        ["title"],',
        '        postgresql_using="gin",',
        '        postgresql_ops={"title": "gin_trgm_ops"},',
        "        postgresql_where=sa.text(\"title <> ''\"),",
        "        postgresql_concurrently=True,",
        "        if_not_exists=True,",
        "    )",
    ]


def test_online_body_is_one_autocommit_block_and_destructive_ops_are_marked() -> None:
    state = _state()
    drop = DropColumn("stores", col("currency", string(3), default=Default("string", "USD")), 2)
    assert render_body((drop,), state) == [
        "    # DESTRUCTIVE: drops column stores.currency and its values",
        '    op.drop_column("stores", "currency")',
    ]
    drop_index = DropIndex("stores", Index("ix_stores_old", ("name",)), concurrently=True)
    assert render_body((drop_index,), state, online=True) == [
        "    with op.get_context().autocommit_block():",
        "        op.drop_index(",
        '            op.f("ix_stores_old"),',
        '            table_name="stores",',
        "            postgresql_concurrently=True,",
        "            if_exists=True,",
        "        )",
    ]


def test_unique_deferral_change_is_drop_and_add_in_the_transaction() -> None:
    state = _state()
    op = next(op for op in EXAMPLES if isinstance(op, AlterUniqueDeferral))
    assert render_body((op,), state) == [
        '    op.drop_constraint(op.f("uq_stores_name"), "stores", type_="unique")',
        "    op.create_unique_constraint(",
        '        op.f("uq_stores_name"),',
        '        "stores",',
        '        ["name"],',
        "        deferrable=True,",
        '        initially="DEFERRED",',
        "    )",
    ]
    assert op.reverse().describe().startswith(
        "~ unique uq_stores_name on stores: NOT DEFERRABLE (was DEFERRABLE INITIALLY DEFERRED; "
        "dropped and added in one transaction under ACCESS EXCLUSIVE, its unique index rebuilt"
    )


def test_a_foreign_key_s_deferrability_alone_is_altered_in_the_transaction() -> None:
    """ALTER CONSTRAINT, both words said each way (what it is not told it resets)."""
    op = next(op for op in EXAMPLES if isinstance(op, AlterForeignKeyDeferral))
    assert not op.online and not op.reverse().online
    assert render_body((op,), _state()) == [
        "    op.execute(",
        '        "ALTER TABLE products ALTER CONSTRAINT fk_p_s DEFERRABLE INITIALLY DEFERRED",',
        "    )",
    ]
    assert render_body((op.reverse(),), _state())[1] == (
        '        "ALTER TABLE products ALTER CONSTRAINT fk_p_s NOT DEFERRABLE INITIALLY IMMEDIATE",'
    )
    assert op.describe() == (
        "~ foreign key fk_p_s on products: DEFERRABLE INITIALLY DEFERRED (was NOT "
        "DEFERRABLE); altered in place, no scan"
    )


def test_unique_swap_builds_the_new_index_then_swaps_in_one_statement() -> None:
    """No moment without a unique: the new index is built under a name of its own
    while the old constraint holds; one ALTER TABLE drops the old and attaches the
    new. Fewer columns than before: rows are searched for repeats first. Every step
    is skipped once the new constraint is in place (a rerun)."""
    op = next(op for op in EXAMPLES if isinstance(op, ReplaceUnique))
    assert op.online and op.reverse().online and op.checks_rows
    assert not op.reverse().checks_rows  # (name) -> (name, shop_domain): no row can repeat
    done = (
        "EXISTS (SELECT FROM pg_constraint c WHERE c.conrelid = 'stores'::regclass AND "
        "c.conname = 'uq_stores_name' AND c.contype = 'u' AND ARRAY(SELECT a.attname::text "
        "FROM unnest(c.conkey) WITH ORDINALITY AS k (attnum, n) JOIN pg_attribute a ON "
        "a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n) = ARRAY['name']::text[])"
    )
    steps = render(op, _state()).statements
    assert len(steps) == 4
    assert "DROP INDEX uq_stores_name_swap;" in str(steps[0])
    repeats = repeated_rows_sql("stores", op.new, done, held_by=op.old)
    assert steps[1] == execute(repeats)
    assert repeats.splitlines()[1] == (
        f"    IF NOT {done} AND EXISTS (SELECT * FROM stores WHERE name IN (SELECT name FROM "
        "stores GROUP BY name HAVING count(*) > 1)) THEN"
    )
    assert "MESSAGE = 'cannot add unique uq_stores_name to stores: rows repeat (name)'" in repeats
    assert "(until then uq_stores_name holds, over (name, shop_domain))';" in repeats
    assert steps[2] == Guarded(
        f"SELECT NOT {done}",
        (execute("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS uq_stores_name_swap ON stores "
                 "(name)"),),
    )
    assert steps[3] == execute(
        f"DO $schemagen$ BEGIN IF NOT {done} THEN ALTER TABLE stores DROP CONSTRAINT IF EXISTS "
        "uq_stores_name, ADD CONSTRAINT uq_stores_name UNIQUE USING INDEX uq_stores_name_swap "
        "DEFERRABLE; END IF; END $schemagen$"
    )
    assert op.describe() == (
        "~ unique uq_stores_name on stores: (name) (was (name, shop_domain)); new unique "
        "index built concurrently, then swapped in one statement"
    )
    # in the transaction (a partitioned table): one statement, the index built under
    # the lock, after the same search for repeated rows (the failure names them)
    plain = ReplaceUnique("stores", op.old, op.new, lock_safe=False)
    assert not plain.online
    assert list(render(plain, _state()).statements) == [
        execute(repeats),
        execute(
            "ALTER TABLE stores DROP CONSTRAINT uq_stores_name, ADD CONSTRAINT "
            "uq_stores_name UNIQUE (name) DEFERRABLE"
        ),
    ]
    assert steps_of(plain) == ("find repeated keys, in the transaction", "swap unique")
    # (name) -> (name, shop_domain): no row can repeat, no search
    back = plain.reverse()
    assert list(render(back, _state()).statements) == [
        execute(
            "ALTER TABLE stores DROP CONSTRAINT uq_stores_name, ADD CONSTRAINT "
            "uq_stores_name UNIQUE (name, shop_domain)"
        ),
    ]
    assert steps_of(back) == ("swap unique",)


def test_a_unique_added_in_the_transaction_searches_for_repeated_rows_first() -> None:
    """Built under the lock (a partitioned table's, one a new table's key needs at
    once): the search first, so that a failure names the constraint and its rows."""
    uq = UniqueConstraint("uq_stores_name", ("name", "shop_domain"), deferrable=True)
    op = AddConstraint("stores", uq)
    repeats = repeated_rows_sql("stores", uq, "false")
    assert repeats.splitlines()[1] == (
        "    IF NOT false AND EXISTS (SELECT * FROM stores WHERE (name, shop_domain) IN "
        "(SELECT name, shop_domain FROM stores GROUP BY name, shop_domain HAVING count(*) > 1)) "
        "THEN"
    )
    assert "(until then" not in repeats
    first, add = render(op, _state()).statements
    assert first == execute(repeats)
    assert render_body((op,), _state())[-6:] == [
        "    op.create_unique_constraint(",
        '        op.f("uq_stores_name"),',
        '        "stores",',
        '        ["name", "shop_domain"],',
        "        deferrable=True,",
        "    )",
    ]
    assert steps_of(op) == ("find repeated keys, in the transaction", "add unique")
    # a check added in the transaction has no such search
    check = AddConstraint("stores", CheckConstraint("ck_stores_name", "name <> ''"))
    assert len(render(check, _state()).statements) == 1


def test_a_traded_unique_s_index_is_built_before_the_transaction_and_attached_in_it() -> None:
    """unique(name, legacy) -> unique(name, code), code there: the index is built
    concurrently (after the search) before the main transaction, which attaches it
    USING INDEX with no scan; the downgrade builds the old one back in its
    transaction (legacy is new there) and drops the index if the upgrade left it."""
    build = PrebuildUniqueIndex(TRADE)
    assert build.online and build.reverse().online and build.reverse().reverse() == build
    assert list(render(build, _state()).statements) == [
        drop_invalid_index("uq_stores_name_code", "stores"),
        execute(repeated_rows_sql("stores", TRADE.new, "false", held_by=TRADE.old)),
        execute(
            "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS uq_stores_name_code ON stores "
            "(name, code)"
        ),
    ]
    assert steps_of(build) == ("find repeated keys", "create unique index concurrently")
    assert list(render(build.reverse(), _state()).statements) == [
        execute("DROP INDEX CONCURRENTLY IF EXISTS uq_stores_name_code")
    ]
    assert steps_of(build.reverse()) == ("drop index concurrently",)
    assert list(render(TRADE, _state()).statements) == [
        execute(
            "ALTER TABLE stores DROP CONSTRAINT uq_stores_name_legacy, ADD CONSTRAINT "
            "uq_stores_name_code UNIQUE USING INDEX uq_stores_name_code"
        )
    ]
    assert steps_of(TRADE) == ("swap unique USING INDEX, in the transaction",)
    back = TRADE.reverse()
    assert isinstance(back, ReplaceUnique) and back.prebuilt == "old" and back.checks_rows
    assert steps_of(back) == ("find repeated keys, in the transaction", "swap unique")
    # under one name the index is built as name_swap, which USING INDEX renames
    same = dataclasses.replace(TRADE, new=dataclasses.replace(TRADE.new, name=TRADE.old.name))
    assert same.index == "uq_stores_name_legacy_swap"
    assert "UNIQUE USING INDEX uq_stores_name_legacy_swap" in str(render(same, _state()))


def test_a_narrowed_sequence_bound_is_checked_before_the_alter() -> None:
    """max: lowered (or min: raised): a risk in the plan, and the current value is
    read first, so that a sequence already past the new bound is named with it;
    widened back (the downgrade), no check and no risk."""
    old = DbSequence("billing.numbers", max_value=1000)
    new = DbSequence("billing.numbers", max_value=100, min_value=-5, increment=-1)
    op = AlterSequence(old, new)
    assert op.risk() == (
        "lowers MAXVALUE of sequence billing.numbers from 1000 to 100 (fails if its current "
        "value is above 100: rows numbered past it)"
    )
    check = sequence_bounds_sql("'billing.numbers'", [("MAXVALUE", 1000, 100)])
    assert check.splitlines()[:7] == [
        "DO $schemagen$",
        "DECLARE",
        "    seq regclass := 'billing.numbers';",
        "    current bigint;",
        "BEGIN",
        "    EXECUTE format('SELECT last_value FROM %s', seq) INTO current;",
        "    IF current > 100 THEN",
    ]
    assert (
        "MESSAGE = format('cannot lower MAXVALUE of sequence %s to 100: its current value "
        "is %s', seq, current)" in check
    )
    first, alter = render(op, _state()).statements
    assert first == execute(check)
    assert alter == execute(
        "ALTER SEQUENCE billing.numbers AS bigint INCREMENT BY -1 MINVALUE -5 MAXVALUE 100 "
        "START WITH 100 CACHE 1 NO CYCLE"
    )
    back = op.reverse()
    assert back.risk() == (
        "raises MINVALUE of sequence billing.numbers from -5 to 1 (fails if its current value "
        "is below 1: rows numbered past it)"
    )
    assert "IF current < 1 THEN" in str(render(back, _state()).statements[0])
    wider = AlterSequence(old, DbSequence("billing.numbers", max_value=5000, cache=10))
    assert wider.risk() is None and len(render(wider, _state()).statements) == 1


def test_a_primary_key_rebuilt_over_other_columns_searches_its_rows_first() -> None:
    """(a, b) -> (a): rows apart in (a, b) may share a, so the rows are searched
    first and a repeat names the key; (a) -> (a, b) cannot repeat: no search. The
    diff gives each side the other's columns, so the downgrade knows too."""
    old, new = PrimaryKey("pk_links", ("a", "b")), PrimaryKey("pk_links", ("a",))
    link = entity("Link", "links", col("a", BIGINT), col("b", BIGINT))
    plan = diff(
        schema(dataclasses.replace(link, primary_key=old)),
        schema(dataclasses.replace(link, primary_key=new)),
    )
    drop, add = (op for op in plan.operations if isinstance(op, DropPrimaryKey | AddPrimaryKey))
    assert drop == DropPrimaryKey("links", old, other=("a",))
    assert add == AddPrimaryKey("links", new, other=("a", "b"))
    assert add.checks_rows and add.reverse().reverse() == add
    back = drop.reverse()
    assert isinstance(back, AddPrimaryKey) and not back.checks_rows
    guard, _ = render(add, _state()).statements
    assert "cannot add primary key pk_links to links: more than one row has (a) = " in str(guard)
    assert "or keep the primary key over (a, b)" in str(guard)
    assert len(render(back, _state()).statements) == 1


def test_a_unique_index_searches_its_rows_as_it_compares_them_first() -> None:
    """Its keys (columns and expressions) among the rows its WHERE holds for, before
    the build, online or in the transaction; sorted by its operator classes' own
    operators, found in the database, or with NULLs equal (NULLS NOT DISTINCT), where
    GROUP BY would compare otherwise; not for an index that is not unique."""
    ix = Index(
        "ux_stores_name", ("id",), unique=True, where="NOT closed",
        keys=(IndexKey(column="id"), IndexKey(expression="lower(name)")),
    )
    online = CreateIndex("stores", ix, concurrently=True)
    drop, find, build = render(online, _state()).statements
    assert find == execute(repeated_index_rows_sql("stores", ix))
    assert repeated_index_rows_sql("stores", ix).splitlines()[1] == (
        "    IF EXISTS (SELECT * FROM stores WHERE (id, (lower(name))) IN (SELECT id, "
        "(lower(name)) FROM stores WHERE NOT closed GROUP BY id, (lower(name)) HAVING "
        "count(*) > 1) AND (NOT closed)) THEN"
    )
    message = "cannot build unique index ux_stores_name on stores: rows repeat (id, lower(name))"
    assert f"MESSAGE = '{message}'" in repeated_index_rows_sql("stores", ix)
    assert steps_of(online) == ("find repeated keys", "create index concurrently")
    plain = CreateIndex("stores", ix)
    assert render(plain, _state()).statements[0] == find
    assert steps_of(plain) == ("find repeated keys, in the transaction", "create index")
    distinct = dataclasses.replace(ix, nulls_not_distinct=True)
    classed = dataclasses.replace(
        ix, keys=(IndexKey(expression="lower(name)", ops="text_pattern_ops"),)
    )
    for other in (distinct, classed):
        op = CreateIndex("stores", other)
        assert op.checks_rows
        assert steps_of(op) == ("find repeated keys, in the transaction", "create index")
        assert "GROUP BY" not in repeated_index_rows_sql("stores", other)
        assert "WINDOW w AS (ORDER BY" in repeated_index_rows_sql("stores", other)
    assert "c.opcname = 'text_pattern_ops'" in repeated_index_rows_sql("stores", classed)
    assert "pg_opclass" not in repeated_index_rows_sql("stores", distinct)
    op = CreateIndex("stores", dataclasses.replace(ix, unique=False))
    assert not op.checks_rows and len(render(op, _state()).statements) == 1


def test_a_swapped_unique_s_index_name_stays_within_63_bytes() -> None:
    assert swap_index_name("uq_a") == "uq_a_swap"
    long = "uq_" + "ä" * 30  # 63 bytes
    assert swap_index_name(long) == "uq_" + "ä" * 27 + "_swap"
    assert len(swap_index_name(long).encode()) == 62


def test_foreign_key_swap_is_one_statement_then_validate_online() -> None:
    """No moment without the key: the drop and the NOT VALID add are one ALTER TABLE."""
    op = next(op for op in EXAMPLES if isinstance(op, ReplaceForeignKey))
    assert op.online and op.reverse().online
    body = render_body((op,), _state(), online=True)
    assert body[:8] == [
        "    with op.get_context().autocommit_block():",
        "        op.execute(",
        "            (",
        '                "ALTER TABLE products DROP CONSTRAINT IF EXISTS fk_p_s, ADD CONSTRAINT "',
        '                "fk_p_s FOREIGN KEY (store_id) REFERENCES stores (id) MATCH FULL NOT "',
        '                "VALID"',
        "            ),",
        "        )",
    ]
    assert body[8:] == layout(execute(validate_foreign_key_sql("products", op.new)), "        ")
    assert op.describe() == (
        "~ foreign key fk_p_s on products: MATCH FULL (was SIMPLE), ON DELETE NO ACTION "
        "(was CASCADE); swapped NOT VALID in one statement, then VALIDATE"
    )


def test_check_swap_is_one_statement_then_validate_online() -> None:
    op = next(op for op in EXAMPLES if isinstance(op, ReplaceCheck))
    assert op.online and op.reverse().online
    assert render_body((op,), _state(), online=True) == [
        "    with op.get_context().autocommit_block():",
        "        op.execute(",
        "            (",
        '                "ALTER TABLE stores DROP CONSTRAINT IF EXISTS ck_stores_x, ADD "',
        '                "CONSTRAINT ck_stores_x CHECK (x > 1) NOT VALID"',
        "            ),",
        "        )",
        *layout(execute(validate_check_sql("stores", op.new)), "        "),
    ]
    assert validate_check_sql("stores", op.new).splitlines()[4:] == [
        "    ALTER TABLE stores VALIDATE CONSTRAINT ck_stores_x;",
        "EXCEPTION WHEN check_violation THEN",
        "    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;",
        "    RAISE EXCEPTION USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_stores_x',",
        "        MESSAGE = 'cannot validate check ck_stores_x on stores: rows break (x > 1)',",
        "        DETAIL = SQLERRM || coalesce('. ' || nullif(detail, ''), ''),",
        "        HINT = 'list them with: SELECT * FROM stores WHERE NOT (x > 1); change or "
        "delete those rows, then run the same alembic command again (until then the "
        "constraint is NOT VALID: rows written meanwhile are checked)';",
        "END $schemagen$",
    ]
    assert op.reverse().describe() == (
        "~ check ck_stores_x on stores: (x > 0) (was (x > 1)); swapped NOT VALID in one "
        "statement, then VALIDATE"
    )


def test_a_foreign_key_s_validate_says_which_rows_break_it() -> None:
    """Caught only when VALIDATE fails: the error names the key, the rows' problem
    (partly NULL under MATCH FULL, else orphans) and a query that lists them."""
    key = ForeignKey(
        "fk_b_unit", ("property_id", "unit_no"), "Unit", "billing.units",
        ("property_id", "unit_no"), match="FULL",
    )
    rerun = (
        "then run the same alembic command again (until then the constraint is NOT VALID: "
        "rows written meanwhile are checked)"
    )
    assert validate_foreign_key_sql("bookings", key).splitlines() == [
        "DO $schemagen$",
        "DECLARE",
        "    detail text;",
        "BEGIN",
        "    ALTER TABLE bookings VALIDATE CONSTRAINT fk_b_unit;",
        "EXCEPTION WHEN foreign_key_violation THEN",
        "    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;",
        "    IF EXISTS (SELECT FROM bookings WHERE num_nulls(property_id, unit_no) = 1) THEN",
        "        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', "
        "CONSTRAINT = 'fk_b_unit',",
        "            MESSAGE = 'cannot validate foreign key fk_b_unit on bookings: rows hold "
        "(property_id, unit_no) partly NULL, which MATCH FULL refuses',",
        "            DETAIL = SQLERRM || coalesce('. ' || nullif(detail, ''), ''),",
        "            HINT = 'list them with: SELECT * FROM bookings WHERE "
        "num_nulls(property_id, unit_no) = 1; set each such key all NULL or give it every "
        f"column, {rerun}';",
        "    END IF;",
        "    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', "
        "CONSTRAINT = 'fk_b_unit',",
        "        MESSAGE = 'cannot validate foreign key fk_b_unit on bookings: rows hold "
        "(property_id, unit_no) values that billing.units does not have',",
        "        DETAIL = SQLERRM || coalesce('. ' || nullif(detail, ''), ''),",
        "        HINT = 'list them with: SELECT k.* FROM bookings AS k WHERE k.property_id "
        "IS NOT NULL AND k.unit_no IS NOT NULL AND NOT EXISTS (SELECT FROM billing.units "
        "AS r WHERE r.property_id = k.property_id AND r.unit_no = k.unit_no); delete those "
        f"rows, or set their key NULL or to a row of billing.units, {rerun}';",
        "END $schemagen$",
    ]
    three = dataclasses.replace(key, columns=("a", "b", "c"), ref_columns=("a", "b", "c"))
    assert "num_nulls(a, b, c) BETWEEN 1 AND 2" in validate_foreign_key_sql("t", three)
    simple = dataclasses.replace(key, match=None)
    assert "num_nulls" not in validate_foreign_key_sql("t", simple)


def test_online_and_transactional_work_never_share_a_body() -> None:
    state = _state()
    build = CreateIndex("stores", Index("ix_stores_name", ("name",)), concurrently=True)
    drop = DropColumn("stores", col("currency", string(3)), 2)
    with pytest.raises(ValueError, match="cannot run in a transactional revision"):
        render_body((drop, build), state)
    with pytest.raises(ValueError, match="cannot run in an online revision"):
        render_body((build, drop), state, online=True)


def test_plan_splits_into_enum_values_main_and_online_stages() -> None:
    build = CreateIndex("stores", Index("ix_stores_name", ("name",)), concurrently=True)
    plain = CreateIndex("stores", Index("ix_stores_email", ("email",)), concurrently=False)
    value = AddEnumValue("status", "c", ("a", "b"), after="b")
    drop = DropColumn("stores", col("currency", string(3)), 2)
    parts = stages(Plan((value, drop, plain, build)))
    assert [(p.kind, p.plan.operations, p.transactional) for p in parts] == [
        ("enum values", (value,), True),
        ("main", (drop, plain), True),
        ("online", (build,), False),
    ]
    assert [p.kind for p in stages(Plan((plain,)))] == ["main"]
    assert stages(Plan()) == ()


def test_type_change_with_default_drops_casts_and_resets_it() -> None:
    old = col("code", string(10), default=Default("string", "0"))
    new = col("code", ColumnType("integer"), default=Default("number", "0"))
    body = render_body((AlterColumn("stores", old, new),), _state())
    assert body == [
        '    op.alter_column("stores", "code", server_default=None)',
        "    op.alter_column(",
        '        "stores",',
        '        "code",',
        "        type_=sa.Integer(),",
        "        existing_type=sa.String(10),",
        '        postgresql_using="code::integer",',
        "    )",
        '    op.alter_column("stores", "code", server_default=sa.text("0"))',
    ]


def test_rename_table_renames_identity_sequence() -> None:
    state = ddl_view(schema(dataclasses.replace(products(), foreign_keys=())))
    body = render_body((RenameTable("Product", "Item", "products", "items", ("id",)),), state)
    assert body == [
        '    op.rename_table("products", "items")',
        '    op.execute("ALTER SEQUENCE products_id_seq RENAME TO items_id_seq")',
    ]


def test_enum_value_removal_swaps_the_type() -> None:
    en = enum("status", "a", "b", "c")
    ent = entity("Thing", "things", col("state", enum_type(en), default=Default("string", "a")))
    state = ddl_view(schema(ent, enums=(en,)))
    op = DropEnumValue("status", "c", ("a", "b"), after="b", usages=(USAGE,))
    assert render_body((op,), state) == [
        "    # DESTRUCTIVE: removes value 'c' from enum status (rows holding it fail)",
        '    op.execute("ALTER TYPE status RENAME TO status__old")',
        "    op.execute(\"CREATE TYPE status AS ENUM ('a', 'b')\")",
        '    op.execute("ALTER TABLE things ALTER COLUMN state DROP DEFAULT")',
        "    op.execute(",
        '        "ALTER TABLE things ALTER COLUMN state TYPE status USING state::text::status",',
        "    )",
        "    op.execute(\"ALTER TABLE things ALTER COLUMN state SET DEFAULT 'a'\")",
        '    op.execute("DROP TYPE status__old")',
    ]


# --- property tests over generated schemas ------------------------------------------

TYPES = [
    ColumnType("integer"), BIGINT, ColumnType("text"), string(50), string(200),
    ColumnType("numeric", precision=12, scale=2), ColumnType("jsonb"), ColumnType("boolean"),
]
DEFAULTS = {"integer": Default("number", "0"), "text": Default("string", "x"),
            "boolean": Default("boolean", "true"), "jsonb": Default("json", "{}")}


@st.composite
def schemas(draw: st.DrawFn) -> Schema:
    """Small schemas over a fixed pool of names, so two draws overlap."""
    enums: list[Enum] = []
    if draw(st.booleans()):
        values = draw(st.lists(st.sampled_from("abcde"), min_size=1, max_size=4, unique=True))
        enums.append(enum("mood", *values))
    tables = draw(st.lists(st.sampled_from(["alpha", "beta", "gamma"]), min_size=1, unique=True))
    entities = [draw(_entity(t, tables, enums)) for t in sorted(tables)]
    return schema(*entities, enums=tuple(enums),
                  extensions=tuple(draw(st.sets(st.sampled_from(["pg_trgm", "citext"])))))


@st.composite
def _entity(draw: st.DrawFn, table: str, tables: list[str], enums: list[Enum]) -> Entity:
    names = draw(st.lists(st.sampled_from(["c1", "c2", "c3", "c4"]), unique=True, max_size=4))
    cols = []
    for name in names:
        ct = draw(st.sampled_from(TYPES + [enum_type(e) for e in enums]))
        default = DEFAULTS.get(ct.kind) if draw(st.booleans()) else None
        if ct.kind == "enum":
            default = None
        cols.append(col(name, ct, nullable=draw(st.booleans()), default=default,
                        description=draw(st.sampled_from([None, "d1", "d2"]))))
    fks: list[ForeignKey] = []
    refs = draw(st.lists(st.sampled_from(tables), unique=True, max_size=2))
    for ref in refs:
        cols.append(col(f"{ref}_id", BIGINT, nullable=True))
        on_delete = draw(st.sampled_from([None, "CASCADE"]))
        fks.append(fk(table, f"{ref}_id", ref.title(), ref, on_delete=on_delete))
    ix_cols = [c.name for c in cols]
    indexes = []
    if ix_cols and draw(st.booleans()):
        chosen = draw(st.lists(st.sampled_from(ix_cols), min_size=1, max_size=2, unique=True))
        name = draw(st.sampled_from([f"ix_{table}_a", f"ix_{table}_b"]))
        indexes.append(Index(name, tuple(chosen), unique=draw(st.booleans()),
                             concurrently=draw(st.booleans())))
    uniques = []
    if ix_cols and draw(st.booleans()):
        uniques.append(UniqueConstraint(f"uq_{table}_{ix_cols[0]}", (ix_cols[0],)))
    checks = [CheckConstraint(f"ck_{table}_x", draw(st.sampled_from(["id > 0", "id >= 0"])))] \
        if draw(st.booleans()) else []
    return entity(
        table.title(), table, *cols,
        description=draw(st.sampled_from([None, "t1"])),
        foreign_keys=tuple(sorted(fks, key=lambda f: f.name)),
        indexes=tuple(indexes), uniques=tuple(uniques), checks=tuple(checks),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas(), schemas())
def test_apply_diff_reaches_new_and_reverse_returns(old: Schema, new: Schema) -> None:
    plan = diff(old, new)
    start = ddl_view(old)
    reached = apply(start, plan)
    assert same_ddl(reached, new)
    assert same_ddl(apply(reached, plan.reverse()), start)
    for op in plan.operations:
        assert op.reverse().reverse() == op
    assert diff(reached, new).empty
    # Every plan renders, stage by stage (a missing renderer, a bad state or
    # online work in a transactional revision would raise).
    state = start
    for stage in stages(plan):
        info = RevisionInfo("001", "000", "change", "0" * 64)
        compile(render_revision(info, stage, state), "revision.py", "exec")
        state = apply(state, stage.plan)


@settings(max_examples=50, deadline=None)
@given(schemas())
def test_initial_plan_builds_the_whole_schema(new: Schema) -> None:
    plan = diff(None, new)
    assert same_ddl(apply(empty_schema(), plan), new)
    assert not plan.destructive


def _renamed(
    ent: Entity, new_table: str, columns: dict[str, str], drop_indexes: bool = False
) -> Entity:
    """``ent`` renamed the way a user would write it: hints, names that follow."""
    def cname(c: str) -> str:
        return columns.get(c, c)

    cols = tuple(
        dataclasses.replace(
            c, name=cname(c.name), renamed_from=c.name if c.name in columns else None
        )
        for c in ent.columns
    )
    fks = tuple(
        dataclasses.replace(f, name=f"fk_{new_table}_{cname(f.columns[0])}_{f.ref_table}",
                            columns=tuple(cname(c) for c in f.columns))
        for f in ent.foreign_keys
    )
    uqs = tuple(
        UniqueConstraint(
            f"uq_{new_table}_{cname(u.columns[0])}", tuple(cname(c) for c in u.columns)
        )
        for u in ent.uniques
    )
    ixs = tuple(
        dataclasses.replace(i, columns=tuple(cname(c) for c in i.columns)) for i in ent.indexes
    )
    return dataclasses.replace(
        ent, name=new_table.title(), table=new_table, renamed_from=ent.name, columns=cols,
        primary_key=PrimaryKey(f"pk_{new_table}", ent.primary_key.columns),
        foreign_keys=tuple(sorted(fks, key=lambda f: f.name)),
        uniques=uqs, indexes=() if drop_indexes else ixs,
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas(), st.data())
def test_renames_keep_every_row(old: Schema, data: st.DataObject) -> None:
    """Renaming one table (no other table references it) and some of its columns
    gives a plan with no drop at all, and reaches the new schema."""
    referenced = {f.ref_table for e in old.entities for f in e.foreign_keys}
    free = [e for e in old.entities if e.table not in referenced and not e.foreign_keys]
    if not free:
        return
    ent = data.draw(st.sampled_from(free))
    names = [c.name for c in ent.columns if c.name != "id"]
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    drop_indexes = data.draw(st.booleans())  # a drop that names the renamed table
    new = dataclasses.replace(
        old,
        entities=tuple(sorted(
            [e for e in old.entities if e.name != ent.name]
            + [_renamed(ent, f"{ent.table}_v2", {c: f"{c}_v2" for c in chosen}, drop_indexes)],
            key=lambda e: e.name,
        )),
    )
    plan = diff(old, new)
    assert not plan.destructive
    assert not any(isinstance(op, DropTable | DropColumn) for op in plan.operations)
    assert same_ddl(apply(ddl_view(old), plan), new)
    assert same_ddl(apply(apply(ddl_view(old), plan), plan.reverse()), old)
