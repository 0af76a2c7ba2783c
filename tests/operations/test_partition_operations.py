"""The partition operations: a create and a drop carry each other's every field, a
moved partition's detach and attach are each other's reverse, and so are the check that
proves its bound ahead and its drop; reverse().reverse() is each; the move's SQL is
exactly what PostgreSQL needs (corpus 148 and tests/revision/test_partition_moved_rows.py
run it on rows)."""

from __future__ import annotations

import ast
import dataclasses

import pytest
import schemagen.revision.script  # noqa: F401  (registers every renderer)
from schema_fixtures import entity, schema
from schemagen.diff.snapshot import ddl_view
from schemagen.model.schema import (
    Column,
    ColumnType,
    ForeignKey,
    Partition,
    PartitionKey,
    PrimaryKey,
    Schema,
)
from schemagen.operations.base import Operation
from schemagen.operations.partition import (
    AddBoundCheck,
    AttachPartition,
    CreatePartition,
    DetachPartition,
    DropBoundCheck,
    DropPartition,
    bound_check_name,
)
from schemagen.revision.render import Guarded, render
from schemagen.util.pycode import layout

Q1 = Partition("payments_2025_q1", start=("'2025-01-01'",), end=("'2025-04-01'",))
YEAR = Partition(
    "payments_2025",
    start=("'2025-01-01'",),
    end=("'2026-01-01'",),
    partition_by=PartitionKey("range", ("paid_on",)),
)
EXAMPLES: list[Operation] = [
    CreatePartition("payments", Q1, True, ("p",), remade=True, moves=(("x", "y"),)),
    DropPartition("payments", YEAR, False, (), rebound=True),
    DetachPartition("payments", Q1, (), ("payments_2025",)),
    AttachPartition("payments", Q1, ("payments_2025",), ()),
    AddBoundCheck("payments", Q1.name, (), "drops"),
    DropBoundCheck("payments", Q1.name, ("payments_2025",), "online"),
]


@pytest.mark.parametrize("op", EXAMPLES, ids=lambda op: type(op).__name__)
def test_reverse_reverse_is_identity_and_the_reverse_carries_every_field(op: Operation) -> None:
    back = op.reverse()
    assert back.reverse() == op
    assert type(back) is not type(op)
    assert dataclasses.astuple(back) == dataclasses.astuple(op)
    assert op.describe()[0] in "+-~" and back.describe()[0] in "+-~"


def _state() -> Schema:
    ent = entity(
        "Payment",
        "payments",
        Column("paid_on", ColumnType("date"), nullable=False, primary_key=True),
    )
    ent = dataclasses.replace(
        ent,
        primary_key=PrimaryKey("pk_payments", ("id", "paid_on")),
        partition_by=PartitionKey("range", ("paid_on",)),
        partitions=(YEAR,),
    )
    return ddl_view(schema(ent))


def _sql(op: Operation, state: Schema) -> list[str]:
    """Each statement's SQL as the revision passes it (``op.execute``'s text), a guarded
    one after ``if <query>: ``."""
    found: list[str] = []
    for stmt in render(op, state).statements:
        if isinstance(stmt, Guarded):
            inner = " ".join(_text(s) for s in stmt.statements)
            found.append(f"if {stmt.query}: {inner}")
        else:
            found.append(_text(stmt))
    return found


def _text(stmt: object) -> str:
    call = ast.parse("\n".join(layout(stmt, ""))).body[0]
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    arg = call.value.args[0]
    assert isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    return arg.value


def test_a_move_renders_detach_then_attach_naming_its_bounds_and_dropping_its_check() -> None:
    state = _state()
    detach = DetachPartition("payments", Q1, (), ("payments_2025",))
    # in a block that names the declared foreign key (not PostgreSQL's copy of it for the
    # partition) and its table where one refuses the detach
    assert _sql(detach, state) == [
        "DO $schemagen$ DECLARE k text; t text; d text; dk text; dt text; BEGIN ALTER "
        "TABLE payments DETACH PARTITION payments_2025_q1; EXCEPTION WHEN "
        "foreign_key_violation THEN GET STACKED DIAGNOSTICS k = CONSTRAINT_NAME, t = "
        "TABLE_NAME, d = PG_EXCEPTION_DETAIL; WITH RECURSIVE up AS (SELECT oid, "
        "conparentid, conname, conrelid FROM pg_constraint WHERE conname = k AND contype "
        "= 'f' AND confrelid = to_regclass('payments_2025_q1') UNION ALL SELECT c.oid, "
        "c.conparentid, c.conname, c.conrelid FROM pg_constraint c JOIN up ON c.oid = "
        "up.conparentid) SELECT conname, conrelid::regclass::text INTO dk, dt FROM up "
        "WHERE conparentid = 0 LIMIT 1; RAISE EXCEPTION USING ERRCODE = "
        "'foreign_key_violation', MESSAGE = 'partition payments_2025_q1 cannot move under "
        "payments_2025 with its rows: foreign key ' || coalesce(dk, k) || ' of ' || "
        "coalesce(dt, t) || ' references rows of it, and PostgreSQL detaches no partition "
        "whose rows a foreign key references (not even to attach it again in the same "
        "transaction); nothing was changed (the revision rolled back whole): delete those "
        "rows or point them elsewhere, or drop the foreign key from the schema in a "
        "revision before this move and declare it again in one after it, then run the "
        "migration again. PostgreSQL said: ' || SQLERRM || ' ' || coalesce(d, ''); END "
        "$schemagen$"
    ]
    attach = AttachPartition("payments", Q1, ("payments_2025",), ())
    assert _sql(attach, state) == [
        "DO $schemagen$ BEGIN ALTER TABLE payments_2025 ATTACH PARTITION payments_2025_q1 "
        "FOR VALUES FROM ('2025-01-01') TO ('2025-04-01'); EXCEPTION WHEN check_violation "
        "THEN RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = 'partition "
        "payments_2025_q1 cannot move under payments_2025 with its rows: PostgreSQL found a "
        "row outside its place there (FOR VALUES FROM (''2025-01-01'') TO (''2025-04-01'') "
        "of payments_2025_q1 and FOR VALUES FROM (''2025-01-01'') TO (''2026-01-01'') of "
        "payments_2025), or one of its bound in a DEFAULT partition beside it; nothing was "
        "changed (the revision rolled back whole): move or delete such rows, or change the "
        "bounds in the schema, then run the migration again. PostgreSQL said: ' || SQLERRM; "
        "END $schemagen$",
        "ALTER TABLE payments_2025_q1 DROP CONSTRAINT IF EXISTS payments_2025_q1_move_bound",
    ]
    # a hash partition's bound names its parent: no check to drop
    hashed = dataclasses.replace(Q1, start=(), end=(), modulus=2, remainder=0)
    assert len(_sql(AttachPartition("payments", hashed, ("payments_2025",), ()), state)) == 1


@pytest.mark.parametrize("rebound", [False, True], ids=["moved", "rebound"])
def test_an_attach_refused_says_what_a_delete_does_under_a_key_referencing_the_table(
    rebound: bool,
) -> None:
    """Where a foreign key references the partitioned table, the attach's refusal (of a
    moved partition, or of one rebound) names it with what a delete does under it instead
    of 'move or delete such rows' (tests/revision/test_partition_rebound_referenced.py
    runs the drops revision's refusals on rows)."""
    refund = entity(
        "Refund",
        "refunds",
        Column("payment_id", ColumnType("bigint")),
        Column("paid_on", ColumnType("date")),
        foreign_keys=(
            ForeignKey(
                "fk_refunds_payment",
                ("payment_id", "paid_on"),
                "Payment",
                "payments",
                ("id", "paid_on"),
                on_delete="CASCADE",
            ),
        ),
    )
    state = ddl_view(dataclasses.replace(_state(), entities=(*_state().entities, refund)))
    attach = AttachPartition("payments", Q1, ("payments_2025",), ())
    if rebound:
        attach = dataclasses.replace(
            attach, other_bound="FOR VALUES FROM ('2025-01-01') TO ('2025-07-01')"
        )
    block = _sql(attach, state)[0]
    assert (
        "nothing was changed (the revision rolled back whole): foreign keys reference "
        "payments: refunds.fk_refunds_payment (ON DELETE CASCADE: deleting a row of "
        "payments deletes the rows of refunds that reference it); deleting such rows runs "
        "each key''s ON DELETE action. To keep them, set aside the rows that reference them "
        "as well, or drop those keys from the schema in a revision before this one and "
        "declare them again in one after it, and move them, or change the bounds in the "
        "schema, then run the migration again. PostgreSQL said: " in block
    ), block
    assert "move or delete" not in block, block


def test_the_check_is_made_where_missing_and_validated_where_not_each_step_idempotent() -> None:
    add = AddBoundCheck("payments", Q1.name, (), "drops")
    found = (
        "SELECT EXISTS (SELECT FROM pg_constraint WHERE conrelid = to_regclass("
        "'payments_2025_q1') AND conname = 'payments_2025_q1_move_bound'"
    )
    assert add.online
    assert _sql(add, _state()) == [
        "DO $schemagen$ BEGIN IF pg_get_partition_constraintdef(to_regclass("
        f"'payments_2025_q1')) IS NOT NULL AND NOT ({found})) THEN EXECUTE format('ALTER "
        "TABLE %s ADD CONSTRAINT %I CHECK (%s) NOT VALID', to_regclass('payments_2025_q1'), "
        "'payments_2025_q1_move_bound', pg_get_partition_constraintdef(to_regclass("
        "'payments_2025_q1'))); END IF; END $schemagen$",
        f"if {found} AND NOT convalidated): ALTER TABLE payments_2025_q1 VALIDATE "
        "CONSTRAINT payments_2025_q1_move_bound",
    ]
    assert _sql(add.reverse(), _state()) == [
        f"if {found}): ALTER TABLE payments_2025_q1 DROP CONSTRAINT IF EXISTS "
        "payments_2025_q1_move_bound"
    ]
    # a step of the move, not of the schema
    assert add.apply(_state()) == _state() == add.reverse().apply(_state())


def test_the_check_s_name_stays_within_63_bytes() -> None:
    long = "p" * 63
    assert len(bound_check_name(long).encode()) == 63
    assert bound_check_name(long).endswith("_move_bound")
    assert len(bound_check_name("é" * 31).encode()) <= 63
