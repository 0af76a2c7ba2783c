"""Sub-partitions in the diff: a kept partition's own partitions added, dropped (at
once or concurrently), changed; a partition made again, destructive, when its own
key changes; apply and reverse give the schemas back."""

from __future__ import annotations

import dataclasses

from schema_fixtures import entity, schema
from schemagen.diff.compare import diff
from schemagen.diff.snapshot import ddl_view, same_ddl
from schemagen.model.schema import (
    Column,
    ColumnType,
    ForeignKey,
    Partition,
    PartitionKey,
    PrimaryKey,
    Schema,
)
from schemagen.operations.costs import cost_line
from schemagen.operations.partition import (
    AddBoundCheck,
    AttachPartition,
    CreatePartition,
    DetachPartition,
    DropBoundCheck,
    DropPartition,
)
from schemagen.operations.plan import apply
from schemagen.operations.stages import kind_of

LIST = PartitionKey("list", ("region",))
HASH = PartitionKey("hash", ("id",))


def payments(*parts: Partition) -> Schema:
    ent = entity(
        "Payment",
        "payments",
        Column("paid_on", ColumnType("date"), nullable=False, primary_key=True),
        Column("region", ColumnType("text"), nullable=False, primary_key=True),
    )
    return schema(
        dataclasses.replace(
            ent,
            primary_key=PrimaryKey("pk_payments", ("id", "paid_on", "region")),
            partition_by=PartitionKey("range", ("paid_on",)),
            partitions=tuple(sorted(parts, key=lambda p: p.name)),
        )
    )


def year(name: str, start: str, key: PartitionKey | None, *own: Partition) -> Partition:
    end = str(int(start) + 1)
    return Partition(
        name,
        start=(f"'{start}-01-01'",),
        end=(f"'{end}-01-01'",),
        partition_by=key,
        partitions=tuple(sorted(own, key=lambda p: p.name)),
    )


EU = Partition("p26_eu", values=("'de'", "'fr'"))
US = Partition("p26_us", values=("'us'",))
REST = Partition("p25_rest", default=True)


def test_sub_partitions_added_dropped_changed_and_a_partition_made_again() -> None:
    old = payments(
        year("p25", "2025", LIST, Partition("p25_eu", values=("'de'",)), REST),
        year("p26", "2026", LIST, EU, US),
        year("p27", "2027", LIST, Partition("p27_all", default=True)),
    )
    new = payments(
        year("p25", "2025", LIST, Partition("p25_eu", values=("'de'", "'nl'")), REST),
        year("p26", "2026", LIST, EU, Partition("p26_ca", values=("'ca'",))),
        year("p27", "2027", HASH, Partition("p27_0", modulus=1, remainder=0)),
    )
    plan = diff(old, new)
    assert plan.describe() == [
        # p25_eu's new bound proven ahead, in the drops revision
        "+ check p25_eu_move_bound on partition p25_eu: its new bound (FOR VALUES IN ('de', "
        "'nl')), validated ahead so that its attach reads no row under lock (a new row "
        "outside it is refused from then on); refused while DEFAULT partition p25_rest "
        "holds a row of that bound, which a check of the same name on it refuses from then "
        "on (validated ahead too: the attach reads none of its rows)",
        "- partition p27 of payments (made again: its partition key changes, which "
        "PostgreSQL cannot alter; DETACH CONCURRENTLY, then DROP)",
        "- partition p26_us of p26 (DETACH CONCURRENTLY, then DROP)",
        # its rows kept: detached, attached again with its new bound
        "~ partition p25_eu detached from p25 to be attached again with FOR VALUES IN "
        "('de', 'nl'), its rows kept",
        "+ partition p27 of payments (FOR VALUES FROM ('2027-01-01') TO ('2028-01-01'), "
        "partitioned by HASH (id); made again: its partition key changes, which PostgreSQL "
        "cannot alter)",
        "+ partition p26_ca of p26 (FOR VALUES IN ('ca'))",
        "~ partition p25_eu attached to p25 again (FOR VALUES IN ('de', 'nl')), its bound "
        "was FOR VALUES IN ('de'), with its rows",
        "- check p25_eu_move_bound on partition p25_eu and on p25_rest, where a move left it",
    ]
    risks = [op.risk() for op in plan.operations if op.risk()]
    assert risks == [
        "drops partition p27 of payments, its partitions p27_all, and their rows (made "
        "again: its partition key changes, which PostgreSQL cannot alter)",
        "drops partition p26_us of p26 and its rows",
    ]
    subs = [op for op in plan.operations if isinstance(op, CreatePartition | DropPartition)]
    assert [op.within for op in subs] == [(), ("p26",), (), ("p26",)]
    moved = [op for op in plan.operations if isinstance(op, DetachPartition | AttachPartition)]
    assert [(op.within, op.elsewhere, op.partition.bound_sql()) for op in moved] == [
        (("p25",), ("p25",), "FOR VALUES IN ('de')"),
        (("p25",), ("p25",), "FOR VALUES IN ('de', 'nl')"),
    ]
    assert [kind_of(op) for op in plan.operations] == [
        "drops",
        "drops",
        "drops",
        "main",
        "main",
        "main",
        "main",
        "online",
    ]
    assert all(op.reverse().reverse() == op for op in plan.operations)
    start = ddl_view(old)
    assert same_ddl(apply(start, plan), new)
    assert same_ddl(apply(apply(start, plan), plan.reverse()), start)


def test_a_partition_partitioned_in_turn_is_made_with_its_own() -> None:
    old = payments(year("p25", "2025", None))
    new = payments(year("p25", "2025", LIST, REST), year("p26", "2026", LIST, EU))
    plan = diff(old, new)
    assert plan.describe() == [
        "- partition p25 of payments (made again: its partition key changes, which "
        "PostgreSQL cannot alter; DETACH CONCURRENTLY, then DROP)",
        "+ partition p25 of payments (FOR VALUES FROM ('2025-01-01') TO ('2026-01-01'), "
        "partitioned by LIST (region); made again: its partition key changes, which "
        "PostgreSQL cannot alter)",
        "+ partition p26 of payments (FOR VALUES FROM ('2026-01-01') TO ('2027-01-01'), "
        "partitioned by LIST (region))",
    ]
    assert same_ddl(apply(ddl_view(old), plan), new)


#: the plan lines of a moved partition's check, each way (each goes under a partition
#: whose bound holds its own, which PostgreSQL proves from its constraint alone)
def _checked(name: str, parent: str) -> tuple[str, str, str]:
    return (
        f"+ check {name}_move_bound on partition {name}: its bound under {parent}, "
        "validated ahead so that its move reads no row under lock",
        "add check NOT VALID (ACCESS EXCLUSIVE, no scan); validate constraint (SHARE "
        "UPDATE EXCLUSIVE, scans), outside a transaction",
        "drops",
    )


def _unchecked(name: str) -> tuple[str, str, str]:
    return (
        f"- check {name}_move_bound on partition {name}, where a move left it",
        "lock ACCESS EXCLUSIVE, no scan, outside a transaction",
        "online",
    )


ATTACHED = (
    "attach partition, bound implied by a check validated ahead (ACCESS EXCLUSIVE, no "
    "scan); drop constraint (ACCESS EXCLUSIVE, no scan)"
)


def test_a_partition_moved_between_levels_keeps_its_rows() -> None:
    """A leaf of the table going under a new partition, or a sub-partition going up to
    the table as its partition goes, is detached from its parent before the partitions
    that go are dropped and those that come are made, and attached to its new parent
    after, all in the main transaction; its bound is proven ahead, outside the
    transaction, by a check that spares the attach its scan under lock (dropped by the
    attach; the online stage drops one left, and its reverse makes it for the
    downgrade's attach). Nothing is destructive (the partition that goes holds no row
    once its own are out), and the downgrade moves them back the same way."""
    q1 = Partition("p25_q1", start=("'2025-01-01'",), end=("'2025-04-01'",))
    q2 = Partition("p25_q2", start=("'2025-04-01'",), end=("'2025-07-01'",))
    range_ = PartitionKey("range", ("paid_on",))
    old = payments(q1, q2, year("p26", "2026", None))
    new = payments(year("p25", "2025", range_, q1, q2, REST), year("p26", "2026", None))
    plan = diff(old, new)
    lines = [(op.describe(), cost_line(op), kind_of(op)) for op in plan.operations]
    assert lines == [
        _checked("p25_q1", "payments"),
        _checked("p25_q2", "payments"),
        (
            "~ partition p25_q1 detached from payments to move under p25, its rows kept",
            "lock ACCESS EXCLUSIVE, no scan",
            "main",
        ),
        (
            "~ partition p25_q2 detached from payments to move under p25, its rows kept",
            "lock ACCESS EXCLUSIVE, no scan",
            "main",
        ),
        (
            "+ partition p25 of payments (FOR VALUES FROM ('2025-01-01') TO ('2026-01-01'), "
            "partitioned by RANGE (paid_on))",
            "lock ACCESS EXCLUSIVE, no scan",
            "main",
        ),
        (
            "~ partition p25_q1 attached to p25 (FOR VALUES FROM ('2025-01-01') TO "
            "('2025-04-01')), moved from payments with its rows",
            ATTACHED,
            "main",
        ),
        (
            "~ partition p25_q2 attached to p25 (FOR VALUES FROM ('2025-04-01') TO "
            "('2025-07-01')), moved from payments with its rows",
            ATTACHED,
            "main",
        ),
        _unchecked("p25_q1"),
        _unchecked("p25_q2"),
    ]
    made = plan.operations[4]
    assert isinstance(made, CreatePartition)
    assert made.partition.partitions == (REST,)  # the quarters come by the attach
    assert not any(op.risk() for op in plan.operations)
    back = plan.reverse()
    assert [op.describe() for op in back.operations] == [
        # the online revision's downgrade, before the main one: the check for the way back
        "+ check p25_q2_move_bound on partition p25_q2: its bound under p25, validated "
        "ahead so that its move reads no row under lock",
        "+ check p25_q1_move_bound on partition p25_q1: its bound under p25, validated "
        "ahead so that its move reads no row under lock",
        "~ partition p25_q2 detached from p25 to move under payments, its rows kept",
        "~ partition p25_q1 detached from p25 to move under payments, its rows kept",
        "- partition p25 of payments",
        "~ partition p25_q2 attached to payments (FOR VALUES FROM ('2025-04-01') TO "
        "('2025-07-01')), moved from p25 with its rows",
        "~ partition p25_q1 attached to payments (FOR VALUES FROM ('2025-01-01') TO "
        "('2025-04-01')), moved from p25 with its rows",
        # the drops revision's downgrade, after the main one
        "- check p25_q2_move_bound on partition p25_q2, where a move left it",
        "- check p25_q1_move_bound on partition p25_q1, where a move left it",
    ]
    # the downgrade drops p25 with its DEFAULT partition, whose rows have no place before
    assert [op.risk() for op in back.operations if op.risk()] == [
        "drops partition p25 of payments, its partitions p25_rest, and their rows"
    ]
    assert all(op.reverse().reverse() == op for op in plan.operations)
    assert all(
        isinstance(op.reverse(), DetachPartition)
        for op in plan.operations
        if isinstance(op, AttachPartition)
    )
    start = ddl_view(old)
    assert same_ddl(apply(start, plan), new)
    assert same_ddl(apply(apply(start, plan), back), start)
    # up a level: the partition that goes is dropped after the detach, in the transaction
    up = diff(new, old)
    assert [(op.describe(), kind_of(op)) for op in up.operations] == [
        (_checked("p25_q1", "p25")[0], "drops"),
        (_checked("p25_q2", "p25")[0], "drops"),
        ("~ partition p25_q1 detached from p25 to move under payments, its rows kept", "main"),
        ("~ partition p25_q2 detached from p25 to move under payments, its rows kept", "main"),
        ("- partition p25 of payments", "main"),
        (
            "~ partition p25_q1 attached to payments (FOR VALUES FROM ('2025-01-01') TO "
            "('2025-04-01')), moved from p25 with its rows",
            "main",
        ),
        (
            "~ partition p25_q2 attached to payments (FOR VALUES FROM ('2025-04-01') TO "
            "('2025-07-01')), moved from p25 with its rows",
            "main",
        ),
        (_unchecked("p25_q1")[0], "online"),
        (_unchecked("p25_q2")[0], "online"),
    ]
    dropped = up.operations[4]
    assert isinstance(dropped, DropPartition) and not dropped.concurrently
    assert dropped.partition.partitions == (REST,)
    assert same_ddl(apply(ddl_view(new), up), old)


def test_a_moved_hash_or_default_partition_is_attached_without_a_check() -> None:
    """A hash bound names its parent and a DEFAULT one its siblings: no check of its
    place now can imply its place after, so none is made, and the attach reads its rows
    (its plan line says so)."""
    p0 = Partition("p26_0", modulus=2, remainder=0)
    p1 = Partition("p26_1", modulus=2, remainder=1)
    hashed = PartitionKey("hash", ("id",))
    p26 = year("p26", "2026", hashed, p0, p1)
    old = payments(p26, dataclasses.replace(year("p27", "2027", hashed), partitions=()))
    new = payments(
        dataclasses.replace(p26, partitions=(p0,)),
        dataclasses.replace(year("p27", "2027", hashed), partitions=(p1,)),
    )
    plan = diff(old, new)
    assert [(op.describe(), cost_line(op)) for op in plan.operations] == [
        (
            "~ partition p26_1 detached from p26 to move under p27, its rows kept",
            "lock ACCESS EXCLUSIVE, no scan",
        ),
        (
            "~ partition p26_1 attached to p27 (FOR VALUES WITH (modulus 2, remainder 1)), "
            "moved from p26 with its rows",
            "lock ACCESS EXCLUSIVE, scans",
        ),
    ]
    assert all(op.reverse().reverse() == op for op in plan.operations)
    assert same_ddl(apply(ddl_view(old), plan), new)


def test_a_partition_whose_bound_changes_as_it_moves_keeps_its_rows() -> None:
    """A partition moved under a new partition with a shorter bound is detached with its
    old bound and attached with its new one, its rows kept, its new bound proven ahead
    by a check of its constraint and the new bound's condition; each way."""
    q1 = Partition("p25_q1", start=("'2025-01-01'",), end=("'2025-04-01'",))
    q1_short = dataclasses.replace(q1, end=("'2025-03-01'",))
    q2 = Partition("p25_q2", start=("'2025-04-01'",), end=("'2025-07-01'",))
    range_ = PartitionKey("range", ("paid_on",))
    old = payments(q1, q2, year("p26", "2026", None))
    new = payments(year("p25", "2025", range_, q1_short, q2), year("p26", "2026", None))
    plan = diff(old, new)
    assert plan.describe() == [
        "+ check p25_q1_move_bound on partition p25_q1: its new bound (FOR VALUES FROM "
        "('2025-01-01') TO ('2025-03-01')), validated ahead so that its attach reads no row "
        "under lock (a new row outside it is refused from then on)",
        _checked("p25_q2", "payments")[0],
        "~ partition p25_q1 detached from payments to move under p25 with FOR VALUES FROM "
        "('2025-01-01') TO ('2025-03-01'), its rows kept",
        "~ partition p25_q2 detached from payments to move under p25, its rows kept",
        "+ partition p25 of payments (FOR VALUES FROM ('2025-01-01') TO ('2026-01-01'), "
        "partitioned by RANGE (paid_on))",
        "~ partition p25_q1 attached to p25 (FOR VALUES FROM ('2025-01-01') TO "
        "('2025-03-01')), its bound was FOR VALUES FROM ('2025-01-01') TO ('2025-04-01'), "
        "moved from payments with its rows",
        "~ partition p25_q2 attached to p25 (FOR VALUES FROM ('2025-04-01') TO "
        "('2025-07-01')), moved from payments with its rows",
        _unchecked("p25_q1")[0],
        _unchecked("p25_q2")[0],
    ]
    assert [op.risk() for op in plan.operations if op.risk()] == []
    back = plan.reverse()
    assert [op.risk() for op in back.operations if op.risk()] == []
    # the downgrade's check proves the old bound, under the table's key
    checks = [op for op in back.operations if isinstance(op, AddBoundCheck)]
    assert [(op.partition, op.stage, op.bound) for op in checks] == [
        ("p25_q2", "online", None),
        ("p25_q1", "online", q1),
    ]
    assert all(op.reverse().reverse() == op for op in plan.operations)
    start = ddl_view(old)
    assert same_ddl(apply(start, plan), new)
    assert same_ddl(apply(apply(start, plan), back), start)


def test_a_partition_whose_key_changes_as_it_moves_is_said_to_lose_its_rows() -> None:
    """PostgreSQL changes no partition key: one moved while it becomes partitioned in
    turn is dropped where it was and made again, empty, where it goes, and the plan and
    the risk say so, each way; one beside it that moves unchanged keeps its rows."""
    q1 = Partition("p25_q1", start=("'2025-01-01'",), end=("'2025-04-01'",))
    q1_listed = dataclasses.replace(
        q1, partition_by=LIST, partitions=(Partition("p25_q1_all", default=True),)
    )
    q2 = Partition("p25_q2", start=("'2025-04-01'",), end=("'2025-07-01'",))
    range_ = PartitionKey("range", ("paid_on",))
    old = payments(q1, q2, year("p26", "2026", None))
    new = payments(year("p25", "2025", range_, q1_listed, q2), year("p26", "2026", None))
    plan = diff(old, new)
    assert plan.describe() == [
        _checked("p25_q2", "payments")[0],  # the drops revision, with the next line
        "- partition p25_q1 of payments (moves to p25: made again there, empty; "
        "DETACH CONCURRENTLY, then DROP)",
        "~ partition p25_q2 detached from payments to move under p25, its rows kept",
        "+ partition p25 of payments (FOR VALUES FROM ('2025-01-01') TO ('2026-01-01'), "
        "partitioned by RANGE (paid_on); p25_q1 moves here from payments, made again empty)",
        "~ partition p25_q2 attached to p25 (FOR VALUES FROM ('2025-04-01') TO "
        "('2025-07-01')), moved from payments with its rows",
        _unchecked("p25_q2")[0],
    ]
    risks = [op.risk() for op in plan.operations if op.risk()]
    assert risks == [
        "drops partition p25_q1 of payments and its rows (moves to p25: made again there, empty)",
    ]
    assert all(op.reverse().reverse() == op for op in plan.operations)
    start = ddl_view(old)
    assert same_ddl(apply(start, plan), new)
    assert same_ddl(apply(apply(start, plan), plan.reverse()), start)


def test_a_moved_partition_whose_own_partitions_change_keeps_its_rows() -> None:
    """A partition partitioned in turn, moved under a new partition while it gains a
    sub-partition and loses one: it moves with its rows (attached as it was), and its own
    partitions are made and dropped under it once it is attached where it goes, in the
    transaction (the dropped one's rows go, said); each way."""
    eu = Partition("p25_eu", values=("'de'",))
    us = Partition("p25_us", values=("'us'",))
    ca = Partition("p25_ca", values=("'ca'",))
    range_ = PartitionKey("range", ("paid_on",))
    old = payments(year("p25", "2025", LIST, eu, ca, REST), year("p26", "2026", None))
    hist = Partition(
        "hist",
        start=("'2020-01-01'",),
        end=("'2026-01-01'",),
        partition_by=range_,
        partitions=(year("p25", "2025", LIST, eu, REST, us),),
    )
    new = payments(hist, year("p26", "2026", None))
    plan = diff(old, new)
    assert [(op.describe(), kind_of(op)) for op in plan.operations] == [
        (_checked("p25", "payments")[0], "drops"),
        ("~ partition p25 detached from payments to move under hist, its rows kept", "main"),
        (
            "+ partition hist of payments (FOR VALUES FROM ('2020-01-01') TO ('2026-01-01'), "
            "partitioned by RANGE (paid_on))",
            "main",
        ),
        (
            "~ partition p25 attached to hist (FOR VALUES FROM ('2025-01-01') TO "
            "('2026-01-01'), partitioned by LIST (region)), moved from payments with its rows",
            "main",
        ),
        ("- partition p25_ca of p25", "main"),
        ("+ partition p25_us of p25 (FOR VALUES IN ('us'))", "main"),
        (_unchecked("p25")[0], "online"),
    ]
    assert [op.risk() for op in plan.operations if op.risk()] == [
        "drops partition p25_ca of p25 and its rows"
    ]
    made = [op for op in plan.operations if isinstance(op, CreatePartition)]
    assert made[0].partition.partitions == ()  # p25 comes by the attach
    attached = next(op for op in plan.operations if isinstance(op, AttachPartition))
    assert attached.partition == old.entities[0].partitions[0]  # as it was
    assert all(op.reverse().reverse() == op for op in plan.operations)
    start = ddl_view(old)
    assert same_ddl(apply(start, plan), new)
    assert same_ddl(apply(apply(start, plan), plan.reverse()), start)
    assert [op.describe() for op in plan.reverse().operations][1:6] == [
        "- partition p25_us of p25",
        "+ partition p25_ca of p25 (FOR VALUES IN ('ca'))",
        "~ partition p25 detached from hist to move under payments, its rows kept",
        "- partition hist of payments",
        "~ partition p25 attached to payments (FOR VALUES FROM ('2025-01-01') TO "
        "('2026-01-01'), partitioned by LIST (region)), moved from hist with its rows",
    ]


def with_refunds(payments_schema: Schema) -> Schema:
    """``payments_schema`` with refunds, whose key references payments' rows."""
    refunds = entity(
        "Refund",
        "refunds",
        Column("payment_id", ColumnType("bigint"), nullable=True),
        Column("paid_on", ColumnType("date"), nullable=True),
        Column("region", ColumnType("text"), nullable=True),
        foreign_keys=(
            ForeignKey(
                "fk_refunds_payment",
                ("payment_id", "paid_on", "region"),
                "Payment",
                "payments",
                ("id", "paid_on", "region"),
            ),
        ),
    )
    return dataclasses.replace(
        payments_schema,
        entities=tuple(sorted((*payments_schema.entities, refunds), key=lambda e: e.name)),
    )


def test_a_moved_partition_s_detach_says_a_referencing_key_refuses_it() -> None:
    """A foreign key referencing the table on both sides refuses a moved partition's
    detach while one of its rows references a row of the partition (2766838: the
    revision fails naming the key): the detach's plan line says so, each way; the
    attach carries the key to its reverse. A key that only one side declares is not
    there at the detach, and the lines of an unreferenced table are as they were."""
    q1 = Partition("p25_q1", start=("'2025-01-01'",), end=("'2025-04-01'",))
    range_ = PartitionKey("range", ("paid_on",))
    old = payments(q1, year("p26", "2026", None))
    new = payments(year("p25", "2025", range_, q1), year("p26", "2026", None))
    refused = (
        "its rows kept; refused while a row of foreign key fk_refunds_payment of refunds "
        "references one of its rows"
    )
    plan = diff(with_refunds(old), with_refunds(new))
    detaches = [op.describe() for op in plan.operations if isinstance(op, DetachPartition)]
    assert detaches == [f"~ partition p25_q1 detached from payments to move under p25, {refused}"]
    back = [op.describe() for op in plan.reverse().operations if isinstance(op, DetachPartition)]
    assert back == [f"~ partition p25_q1 detached from p25 to move under payments, {refused}"]
    assert all(op.reverse().reverse() == op for op in plan.operations)
    for one_side in (diff(with_refunds(old), new), diff(old, with_refunds(new)), diff(old, new)):
        assert [op.describe() for op in one_side.operations if isinstance(op, DetachPartition)] == [
            "~ partition p25_q1 detached from payments to move under p25, its rows kept"
        ]


def test_a_partition_rebound_with_one_under_it_keeps_their_rows() -> None:
    """p25 starts earlier as its sub-partition p25_eu takes nl: p25_eu is detached from
    p25 before p25 is detached, and attached to it after p25 is attached again, holding
    p25's check in between (``carried``, dropped at its attach); nothing is made again,
    each way. Where a partition under it is dropped too (whose drop after the attaches
    may hold a bound one of them takes), p25 is made again, as before."""
    eu = Partition("p25_eu", values=("'de'",))
    eu_nl = dataclasses.replace(eu, values=("'de'", "'nl'"))
    old = payments(year("p25", "2025", LIST, eu, REST), year("p26", "2026", None))
    p25 = dataclasses.replace(year("p25", "2025", LIST, eu_nl, REST), start=("'2024-07-01'",))
    new = payments(p25, year("p26", "2026", None))
    plan = diff(old, new)
    moved = [op for op in plan.operations if isinstance(op, DetachPartition | AttachPartition)]
    assert [(type(op).__name__, op.partition.name, op.carried) for op in moved] == [
        ("DetachPartition", "p25_eu", ("p25",)),
        ("DetachPartition", "p25", ()),
        ("AttachPartition", "p25", ()),
        ("AttachPartition", "p25_eu", ("p25",)),
    ]
    assert moved[2].partition.partitions == (REST,)  # p25_eu comes by its own attach
    assert [op.risk() for op in plan.operations if op.risk()] == []
    back = plan.reverse()
    assert [op.risk() for op in back.operations if op.risk()] == []
    assert all(op.reverse().reverse() == op for op in plan.operations)
    start = ddl_view(old)
    assert same_ddl(apply(start, plan), new)
    assert same_ddl(apply(apply(start, plan), back), start)
    # p25_rest dropped under it: p25 made again, p25_eu keeping its rows
    new = payments(dataclasses.replace(p25, partitions=(eu_nl,)), year("p26", "2026", None))
    plan = diff(old, new)
    assert [op.risk() for op in plan.operations if op.risk()] == [
        "drops partition p25 of payments, its partitions p25_rest, and their rows (made "
        "again: its bound changes while a partition under it moves or changes its bound too)"
    ]
    assert same_ddl(apply(ddl_view(old), plan), new)


def test_a_partition_made_beside_a_default_partition_has_it_checked_ahead() -> None:
    """p26 beside the table's DEFAULT partition p_rest, p25_us beside p25's p25_rest:
    each create is spared the DEFAULT partition's read by a check on it made in the drops
    stage (its rows of the bound counted first), which the create drops; beside a DEFAULT
    partition partitioned in turn, the check is made on it (its partitions inherit it)
    where its partitions stay as they are, and none where one of them goes: the create
    then says it reads it."""
    rest = Partition("p_rest", default=True)
    us = Partition("p25_us", values=("'us'",))
    old = payments(year("p25", "2025", LIST, EU, REST), rest)
    new = payments(year("p25", "2025", LIST, EU, REST, us), year("p26", "2026", None), rest)
    plan = diff(old, new)
    checks = [op for op in plan.operations if isinstance(op, AddBoundCheck)]
    assert [(op.partition, op.within, op.beside, kind_of(op)) for op in checks] == [
        ("p26", (), "p_rest", "drops"),
        ("p25_us", ("p25",), "p25_rest", "drops"),
    ]
    assert cost_line(checks[0]) == (
        "count rows of the DEFAULT partition in a new bound (ACCESS SHARE, scans); add check "
        "NOT VALID (ACCESS EXCLUSIVE, no scan); validate constraint (SHARE UPDATE EXCLUSIVE, "
        "scans), outside a transaction"
    )
    creates = [op for op in plan.operations if isinstance(op, CreatePartition)]
    assert [(op.partition.name, op.spared) for op in creates] == [("p26", True), ("p25_us", True)]
    assert cost_line(creates[0]) == (
        "create partition (ACCESS EXCLUSIVE, no scan); create partition: the DEFAULT "
        "partition beside it excluded by a check validated ahead (ACCESS EXCLUSIVE, no "
        "scan); drop constraint (ACCESS EXCLUSIVE, no scan)"
    )
    assert same_ddl(apply(ddl_view(old), plan), new)
    # a DEFAULT partition partitioned in turn: the check on it, whose partitions stay
    split = dataclasses.replace(rest, partition_by=LIST, partitions=(EU, REST))
    plan = diff(payments(split), payments(year("p26", "2026", None), split))
    checks = [op for op in plan.operations if isinstance(op, AddBoundCheck)]
    assert [(op.partition, op.beside, op.made, kind_of(op)) for op in checks] == [
        ("p26", "p_rest", True, "drops")
    ]
    creates = [op for op in plan.operations if isinstance(op, CreatePartition)]
    assert [(op.partition.name, op.beside, op.spared, op.check_after) for op in creates] == [
        ("p26", "p_rest", True, True)
    ]
    # its drop recurses to each of p_rest's partitions under ACCESS EXCLUSIVE: left to the
    # online stage, after the main revision, whose create no longer drops it
    assert "drop constraint" not in cost_line(creates[0])
    drops = [op for op in plan.operations if isinstance(op, DropBoundCheck)]
    assert [(op.partition, op.beside, op.after_create, kind_of(op)) for op in drops] == [
        ("p26", "p_rest", True, "online")
    ]
    assert drops[0].reverse() == dataclasses.replace(checks[0], stage="online", after_create=True)
    assert same_ddl(
        apply(ddl_view(payments(split)), plan), payments(year("p26", "2026", None), split)
    )
    # but not where one of its partitions goes (its rows counted against the bound, the
    # check carried away by its detach): the create reads it and says so
    fewer = dataclasses.replace(split, partitions=(REST,))
    plan = diff(payments(split), payments(year("p26", "2026", None), fewer))
    assert not [op for op in plan.operations if isinstance(op, AddBoundCheck)]
    creates = [op for op in plan.operations if isinstance(op, CreatePartition)]
    assert [(op.partition.name, op.spared) for op in creates] == [("p26", False)]
    assert "the DEFAULT partition beside it read (ACCESS EXCLUSIVE, scans)" in cost_line(creates[0])
