"""The stages of a plan: how its operations are split into revisions that are each
atomic or resumable.

PostgreSQL runs some DDL only outside a transaction (``CREATE``/``DROP INDEX
CONCURRENTLY``), and a new enum value cannot be used before the transaction that
added it commits. Alembic's ``autocommit_block`` commits whatever ran before it,
so a revision that mixes such work with transactional operations is stuck
half-way when a later operation fails: the committed part is not recorded in
``alembic_version`` and a rerun fails on it.

So ``migrate`` writes one plan as up to four revisions, in this order:

1. **enum values** (transactional): ``ALTER TYPE ... ADD VALUE IF NOT EXISTS``,
   committed before anything uses the new values;
2. **drops** (outside a transaction): constraints and indexes dropped and NOT NULL
   lifted on tables that hold rows (:mod:`schemagen.diff.drops`), each ``IF
   EXISTS``, indexes ``CONCURRENTLY``; partitions detached ``CONCURRENTLY``; a
   unique swapped for one over fewer columns before the main revision drops a
   column of the old one; the unique index a swap in the main revision attaches,
   built concurrently, and the partitions' indexes a partitioned table's new
   primary key attaches. They
   come before the main revision so that their downgrade, which adds them back
   the lock-safe way, runs after the main downgrade has restored what they need;
3. **main** (transactional): every other operation, in one transaction, so a
   failure rolls the whole revision back and the database stays at the
   previous revision;
4. **online** (outside a transaction): the other operations whose
   :attr:`Operation.online` is true. Each statement commits on its own and is
   idempotent: it checks the catalog before it acts (an INVALID index left by a
   failed concurrent build is dropped before the build). A failure leaves the
   database at the main revision; fixing the cause and running ``alembic
   upgrade head`` again completes it.

Downgrades run the same revisions backwards; the downgrade of an online
revision is online too (the reverse of an online operation is online), and as
resumable: after a failure, fix the cause and run the ``alembic downgrade`` again.

A stage with no operation is left out, so most plans are one revision. This is
the one place that decides the split.

A large main stage (the first revision of a 2,000-table schema) would hold
more locks than a stock server's lock table has room for (about
``max_locks_per_transaction`` x connections: 64 x 122 by default), and fail
with "out of shared memory". So the main stage is cut, between operations in
their dependency order, into parts whose estimated locks
(:attr:`Operation.locks`, plus Alembic's own, :data:`REVISION_BOOKKEEPING_LOCKS`)
stay within ``lock_budget``: each part is its own
revision and transaction, atomic like the whole; a failure leaves the
database at the previous part, and ``alembic upgrade head`` continues from
there once the cause is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..config import DEFAULT_MAX_LOCKS
from .base import Operation
from .clustering import SetClusterOn
from .constraint import DropConstraint, DropIndex, PrebuildUniqueIndex, ReplaceUnique
from .partition import AddBoundCheck, DropBoundCheck, DropPartition
from .plan import Plan
from .replication import SetReplicaIdentity
from .schema import AddEnumValue
from .table import AlterColumn, PrebuildPrimaryKeyIndexes

StageKind = Literal["enum values", "drops", "main", "online"]

#: A few words per stage kind for revision docstrings and the plan.
STAGE_WORDS: dict[str, str] = {
    "enum values": "new enum values, committed before they are used (one transaction)",
    "drops": (
        "outside a transaction, before the main revision: constraints and indexes "
        "dropped and NOT NULL lifted, so that the downgrade adds them back the "
        "lock-safe way, one idempotent step at a time"
    ),
    "main": "one transaction: a failure rolls all of it back",
    "online": (
        "outside a transaction, one idempotent step at a time: after a failure, "
        "fix the cause and run `alembic upgrade head` again"
    ),
}


#: Locks one transaction may take (``[tool.schemagen] max_locks_per_revision``).
DEFAULT_LOCK_BUDGET = DEFAULT_MAX_LOCKS

#: Relations a revision's transaction locks besides its operations', measured in
#: pg_locks as it commits under ``alembic upgrade`` on PostgreSQL 15
#: (tests/revision/test_lock_estimates.py): Alembic updates the row of
#: ``alembic_version`` in it, locking that table and its primary key's index (2); and
#: the first revision an upgrade runs, which any revision may be, shares its
#: transaction with Alembic's look for the version table (SQLAlchemy's ``has_table``:
#: pg_class and pg_namespace with their five indexes, 7).
REVISION_BOOKKEEPING_LOCKS = 9


@dataclass(frozen=True)
class Stage:
    """The operations of one revision and how they run."""

    kind: StageKind
    plan: Plan
    part: int = 0  # of a main stage cut to fit the lock budget: 1, 2, ...; else 0

    @property
    def transactional(self) -> bool:
        """Whether the whole revision runs in one transaction (else statement by statement)."""
        return self.kind in ("enum values", "main")

    @property
    def words(self) -> str:
        """How the revision runs, for its docstring and the plan."""
        if not self.part:
            return STAGE_WORDS[self.kind]
        return (
            f"{STAGE_WORDS[self.kind]}; part {self.part} of a change that takes more "
            "locks than one transaction should hold"
        )

    @property
    def slug_suffix(self) -> str:
        """Added to the revision's file name, so the stages are told apart at a glance."""
        if self.part > 1:
            return f"_part{self.part}"
        suffixes = {
            "enum values": "_enum_values",
            "drops": "_drops",
            "main": "",
            "online": "_online",
        }
        return suffixes[self.kind]


def stages(plan: Plan, lock_budget: int = DEFAULT_LOCK_BUDGET) -> tuple[Stage, ...]:
    """Split ``plan`` (in dependency order) into its non-empty stages, in order;
    the main stage into parts of at most ``lock_budget`` estimated locks.

    The relative order of the operations inside a stage is the plan's.
    """
    by_kind = {
        kind: tuple(op for op in plan.operations if kind_of(op) == kind)
        for kind in ("enum values", "drops", "main", "online")
    }
    parts = _cut(by_kind["main"], lock_budget)
    found = [
        Stage("enum values", Plan(by_kind["enum values"], plan.notes)),
        Stage("drops", Plan(by_kind["drops"], plan.notes)),
        *(
            Stage("main", Plan(part, plan.notes), n + 1 if len(parts) > 1 else 0)
            for n, part in enumerate(parts)
        ),
        Stage("online", Plan(by_kind["online"], plan.notes)),
    ]
    return tuple(stage for stage in found if stage.plan.operations)


def _cut(operations: tuple[Operation, ...], budget: int) -> list[tuple[Operation, ...]]:
    """Consecutive runs of ``operations`` of at most ``budget`` locks each, Alembic's
    own among them (an operation over budget alone is a run of its own)."""
    parts: list[tuple[Operation, ...]] = []
    current: list[Operation] = []
    used = REVISION_BOOKKEEPING_LOCKS
    for op in operations:
        if current and used + op.locks > budget:
            parts.append(tuple(current))
            current, used = [], REVISION_BOOKKEEPING_LOCKS
        current.append(op)
        used += op.locks
    return [*parts, tuple(current)] if current else parts


def kind_of(op: Operation) -> StageKind:
    """The stage an operation of an upgrade plan runs in.

    A lock-safe drop of a constraint or NOT NULL, and a concurrent drop of an
    index, only ever come from :mod:`schemagen.diff.drops`: the reverse of an
    online add runs in the online revision's downgrade, never through this split.
    """
    if isinstance(op, AddEnumValue):
        return "enum values"
    if isinstance(op, DropConstraint) and op.lock_safe:
        return "drops"
    if isinstance(op, DropIndex) and op.concurrently:
        return "drops"
    if isinstance(op, AlterColumn) and op.lock_safe and op.new.nullable:
        return "drops"
    if isinstance(op, DropPartition) and op.concurrently:
        return "drops"
    if isinstance(op, AddBoundCheck | DropBoundCheck) and op.stage == "drops":
        return "drops"  # a moved partition's bound proven before the transaction moves it
    if isinstance(op, ReplaceUnique) and op.lock_safe and op.early:
        return "drops"  # before the main transaction drops a column of the old
    if isinstance(op, PrebuildUniqueIndex):
        return op.stage  # before the main transaction (or its downgrade) attaches it
    if isinstance(op, PrebuildPrimaryKeyIndexes):
        return "drops"  # before the main transaction attaches them
    if isinstance(op, SetReplicaIdentity | SetClusterOn) and op.stage == "drops":
        return "drops"  # before the lock-safe drops of its old index (diff.drops)
    return "online" if op.online else "main"
