"""The stages of a plan: how its operations are split into revisions that are each
atomic or resumable.

PostgreSQL runs some DDL only outside a transaction (``CREATE``/``DROP INDEX
CONCURRENTLY``), and a new enum value cannot be used before the transaction that
added it commits. Alembic's ``autocommit_block`` commits whatever ran before it,
so a revision that mixes such work with transactional operations is stuck
half-way when a later operation fails: the committed part is not recorded in
``alembic_version`` and a rerun fails on it.

So ``migrate`` writes one plan as up to three revisions, in this order:

1. **enum values** (transactional): ``ALTER TYPE ... ADD VALUE IF NOT EXISTS``,
   committed before anything uses the new values;
2. **main** (transactional): every other operation, in one transaction, so a
   failure rolls the whole revision back and the database stays at the
   previous revision;
3. **online** (outside a transaction): operations whose :attr:`Operation.online`
   is true. Each statement commits on its own and is idempotent: it checks the
   catalog before it acts (an INVALID index left by a failed concurrent build
   is dropped before the build). A failure leaves the database at revision 2;
   fixing the cause and running ``alembic upgrade head`` again completes it.

Downgrades run the same revisions backwards; the downgrade of an online
revision is online too (the reverse of an online operation is online).

A stage with no operation is left out, so most plans are one revision. This is
the one place that decides the split; large-schema steps reuse :func:`stages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .plan import Plan
from .schema import AddEnumValue

StageKind = Literal["enum values", "main", "online"]

#: A few words per stage kind for revision docstrings and the plan.
STAGE_WORDS: dict[str, str] = {
    "enum values": "new enum values, committed before they are used (one transaction)",
    "main": "one transaction: a failure rolls all of it back",
    "online": (
        "outside a transaction, one idempotent step at a time: after a failure, "
        "fix the cause and run `alembic upgrade head` again"
    ),
}


@dataclass(frozen=True)
class Stage:
    """The operations of one revision and how they run."""

    kind: StageKind
    plan: Plan

    @property
    def transactional(self) -> bool:
        """Whether the whole revision runs in one transaction (else statement by statement)."""
        return self.kind != "online"

    @property
    def slug_suffix(self) -> str:
        """Added to the revision's file name, so the three are told apart at a glance."""
        return {"enum values": "_enum_values", "main": "", "online": "_online"}[self.kind]


def stages(plan: Plan) -> tuple[Stage, ...]:
    """Split ``plan`` (in dependency order) into its non-empty stages, in order.

    The relative order of the operations inside a stage is the plan's.
    """
    values = tuple(op for op in plan.operations if isinstance(op, AddEnumValue))
    online = tuple(op for op in plan.operations if op.online)
    main = tuple(op for op in plan.operations if not op.online and not isinstance(op, AddEnumValue))
    found = [
        Stage("enum values", Plan(values, plan.notes)),
        Stage("main", Plan(main, plan.notes)),
        Stage("online", Plan(online, plan.notes)),
    ]
    return tuple(stage for stage in found if stage.plan.operations)
