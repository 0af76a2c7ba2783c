"""What may run in the online stage of a plan, decided once the plan is ordered.

The online stage runs after the main transaction (see
:mod:`schemagen.operations.stages`), and its downgrade before the main
downgrade. (Indexes dropped ``CONCURRENTLY`` run before the main transaction,
in the drops stage: :mod:`schemagen.diff.drops`.) An enum swap in the main
transaction must not touch an index or check that only the online stage
creates. And a unique constraint that a foreign key of the main transaction
references (from a new table, or closing a cycle) is added plainly there,
before that key (a unique swapped for one over other columns: in one statement
there). A changed check that an enum rebuild holds is not swapped
online but dropped and added around the transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from ..model.schema import CheckConstraint as Check
from ..model.schema import ForeignKey
from ..model.schema import UniqueConstraint as Unique
from ..operations.base import Operation
from ..operations.clustering import SetClusterOn
from ..operations.constraint import (
    AddConstraint,
    CreateIndex,
    DropConstraint,
    ReplaceCheck,
    ReplaceUnique,
)
from ..operations.replication import SetReplicaIdentity
from ..operations.schema import DropEnumValue, EnumUsage, ReplaceEnum
from ..operations.table import CreateTable


def settle_online(ops: list[Operation]) -> list[Operation]:
    """Return ``ops`` (ordered) with the online-stage rules above applied."""
    ops = _unswap_rebuilt_checks(ops)
    main = [op for op in ops if not op.online]
    built_online = {
        (op.table, op.index.name) for op in ops if isinstance(op, CreateIndex) and op.online
    }
    built_online |= {
        (op.table, op.constraint.name)
        for op in ops
        if isinstance(op, AddConstraint) and op.online and isinstance(op.constraint, Check)
    }
    needed = _referenced_by_main(main)
    settled: list[Operation] = []
    for op in ops:
        if isinstance(op, AddConstraint) and op.online and isinstance(op.constraint, Unique):
            if (op.table, op.constraint.columns) in needed:
                op = dataclasses.replace(op, lock_safe=False)
        elif isinstance(op, ReplaceUnique) and op.online and not op.early:
            # (an early one is done before the main transaction: diff.drops)
            if (op.table, op.new.columns) in needed:
                op = dataclasses.replace(op, lock_safe=False)
        elif isinstance(op, ReplaceEnum | DropEnumValue) and built_online:
            op = dataclasses.replace(op, usages=_without(op.usages, built_online))
        settled.append(op)
    return _identities_online(settled)


def _identities_online(ops: list[Operation]) -> list[Operation]:
    """``ops`` with each REPLICA IDENTITY or CLUSTER ON mark set to an index built in
    the online stage moved there, after that build."""
    built = {
        (getattr(op, "table", ""), name) for op in ops if op.online for name in _index_names(op)
    }
    return [
        dataclasses.replace(op, stage="online")
        if isinstance(op, SetReplicaIdentity | SetClusterOn)
        and (op.table, _named_index(op)) in built
        else op
        for op in ops
    ]


def _named_index(op: Operation) -> str | None:
    """The index a REPLICA IDENTITY or CLUSTER ON mark ``op`` sets names, if any."""
    if isinstance(op, SetReplicaIdentity) and op.new is not None:
        return op.new.index
    if isinstance(op, SetClusterOn):
        return op.new
    return None


def _index_names(op: Operation) -> tuple[str, ...]:
    """The index or unique constraint ``op`` builds, if any."""
    if isinstance(op, CreateIndex):
        return (op.index.name,)
    if isinstance(op, AddConstraint) and isinstance(op.constraint, Unique):
        return (op.constraint.name,)
    if isinstance(op, ReplaceUnique):
        return (op.new.name,)
    return ()


def _unswap_rebuilt_checks(ops: list[Operation]) -> list[Operation]:
    """A changed check that an enum rebuild of the plan drops and makes again (it
    names a column of the enum) is dropped before the main transaction and added
    after it, not swapped after it: the rebuild, and its downgrade, make the
    checks it holds as its usages say, which would undo a swap around it."""
    rebuilt = {
        (use.table, ck.name)
        for op in ops
        if isinstance(op, ReplaceEnum | DropEnumValue)
        for use in op.usages
        for ck in use.checks
    }
    if not rebuilt:
        return ops
    found: list[Operation] = []
    for op in ops:
        if isinstance(op, ReplaceCheck) and (op.table, op.new.name) in rebuilt:
            # the drop goes to the drops stage (diff.drops), with the old names
            found += [DropConstraint(op.table, op.old), AddConstraint(op.table, op.new, True)]
        else:
            found.append(op)
    return found


def _referenced_by_main(main: Iterable[Operation]) -> set[tuple[str, tuple[str, ...]]]:
    """(table, columns) that foreign keys created in the main transaction reference."""
    fks: list[ForeignKey] = []
    for op in main:
        if isinstance(op, CreateTable):
            fks += op.entity.foreign_keys
        elif isinstance(op, AddConstraint) and isinstance(op.constraint, ForeignKey):
            fks.append(op.constraint)
    return {(fk.ref_table, fk.ref_columns) for fk in fks}


def _without(usages: tuple[EnumUsage, ...], built: set[tuple[str, str]]) -> tuple[EnumUsage, ...]:
    return tuple(
        dataclasses.replace(
            use,
            indexes=tuple(ix for ix in use.indexes if (use.table, ix.name) not in built),
            checks=tuple(ck for ck in use.checks if (use.table, ck.name) not in built),
        )
        for use in usages
    )
