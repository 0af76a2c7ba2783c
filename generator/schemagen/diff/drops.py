"""Drops that run before the main transaction, so that their downgrade is lock-safe.

A constraint or index dropped from a table that holds rows (or a NOT NULL lifted)
costs the upgrade little, but its downgrade adds it back on that table. Written
plainly in the main revision, the downgrade would add a check or foreign key with
a full scan under its lock, a unique constraint or an index by building it while
writes wait, and ``SET NOT NULL`` with a scan under ACCESS EXCLUSIVE.
So such drops go to the plan's *drops* stage (:mod:`schemagen.operations.stages`),
a revision of their own before the main one, run outside a transaction: its
upgrade drops with ``IF EXISTS``; its downgrade, which runs after the main
downgrade has restored the columns and tables they need, adds them back the
way the upgrade adds new ones (``NOT VALID`` then ``VALIDATE``; a concurrent
unique index attached with ``USING INDEX``; ``SET NOT NULL`` through a validated
check; an index built ``CONCURRENTLY``, an INVALID leftover dropped first), each
step idempotent, so a failed downgrade is fixed and run again. Being before the
main revision, an index dropped concurrently never waits on what the main
revision does to its columns or its name.

A unique constraint swapped for one over fewer columns, where the main transaction
drops a column of the old (:class:`ReplaceUnique` ``early``), goes there too: its
new index is built and swapped in while the column is there, and its downgrade
swaps back once the main downgrade has restored the column. A unique swapped in
the main transaction over columns the table has has its new index built there
concurrently (:class:`PrebuildUniqueIndex`), which the transaction attaches; so
has a partitioned table's new primary key its partitions' unique indexes
(:class:`PrebuildPrimaryKeyIndexes`), which the transaction makes the
partitions' keys and the table's key attaches.

A partition dropped from a table without a DEFAULT partition goes there too:
``DETACH PARTITION ... CONCURRENTLY`` then ``DROP TABLE``, before the main
transaction, which may add partitions that take its bound (and whose downgrade
drops them before the partition is made again).

They run before the renames of the main revision, so they carry the definitions
of the previous revision (its table and column names).

A drop stays in the main transaction when something there still needs the object:
a unique constraint that a foreign key kept until the main transaction (one of a
dropped table, say) references; a NOT NULL on a primary-key or identity column;
an index the schema says to drop with ``concurrently: false``. And a constraint
that the main transaction adds again under its name, or a foreign key it adds
again under a new one over the same columns and referenced columns (changed
around a column's type change, or on a partitioned table): dropped and added in
one transaction, it is never missing at a revision boundary, where another
session could write rows that break it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ..model.schema import Column, Entity, ForeignKey, Index, Schema
from ..model.schema import UniqueConstraint as Unique
from ..operations.base import Operation
from ..operations.clustering import SetClusterOn
from ..operations.constraint import (
    AddConstraint,
    Constraint,
    DropConstraint,
    DropIndex,
    PrebuildUniqueIndex,
    ReplaceUnique,
    kind_of,
)
from ..operations.partition import AddBoundCheck, DropPartition
from ..operations.replication import SetReplicaIdentity
from ..operations.table import (
    AddColumn,
    AddPrimaryKey,
    AlterColumn,
    DropColumn,
    DropTable,
    PrebuildPrimaryKeyIndexes,
    RenameColumn,
    RenameTable,
)


def settle_drops(old: Schema, ops: Sequence[Operation]) -> list[Operation]:
    """Return ``ops`` with the drops that can run first moved to the front, lock-safe.

    ``old`` is the DDL view of the previous revision; ``ops`` is the ordered plan.
    """
    names = _Names(ops)
    early_fks = {
        (names.table(op.table), op.constraint.name)
        for op in ops
        if isinstance(op, DropConstraint) and isinstance(op.constraint, ForeignKey)
    }
    kept_refs = {
        (fk.ref_table, fk.ref_columns)
        for ent in old.entities
        for fk in ent.foreign_keys
        if (ent.table, fk.name) not in early_fks
    }
    readded: set[tuple[str, ...]] = {
        (op.table, kind_of(op.constraint), op.constraint.name)
        for op in ops
        if isinstance(op, AddConstraint) and not op.lock_safe
    }
    # a foreign key added again under a new name is paired by what it is
    readded |= {
        _key_identity(op.table, op.constraint)
        for op in ops
        if isinstance(op, AddConstraint)
        and not op.lock_safe
        and isinstance(op.constraint, ForeignKey)
    }
    early: list[Operation] = []
    rest: list[Operation] = []
    for op in ops:
        if isinstance(op, DropConstraint) and (
            (op.table, kind_of(op.constraint), op.constraint.name) in readded
            or (
                isinstance(op.constraint, ForeignKey)
                and _key_identity(op.table, op.constraint) in readded
            )
        ):
            rest.append(op)
            continue
        moved = _early(op, old, names, kept_refs)
        if moved is None:
            rest.append(op)
            continue
        first, remainder = moved
        early.append(first)
        rest += remainder
    return _identities_first(early, rest)


def _identities_first(early: list[Operation], rest: list[Operation]) -> list[Operation]:
    """``early + rest`` with a table's REPLICA IDENTITY put back to DEFAULT (and its
    CLUSTER ON mark cleared) ahead of
    the early drops of that table (a drops-stage revision): the drop of its index,
    or of a NOT NULL under it, must not run first, and its downgrade names the index
    only after that revision's downgrade has made it again."""
    tables = {getattr(op, "table", None) for op in early}
    moved: list[Operation] = []
    kept: list[Operation] = []
    for op in rest:
        if isinstance(op, SetReplicaIdentity | SetClusterOn) and op.first and op.table in tables:
            moved.append(dataclasses.replace(op, stage="drops"))
        else:
            kept.append(op)
    return [*moved, *early, *kept]


def _key_identity(table: str, fk: ForeignKey) -> tuple[str, str, str, str]:
    """What a foreign key is, its name aside: its table, columns and what they reference."""
    return (table, ",".join(fk.columns), fk.ref_table, ",".join(fk.ref_columns))


class _Names:
    """Table and column names of the plan mapped back to the previous revision's."""

    def __init__(self, ops: Sequence[Operation]) -> None:
        self.tables = {op.new_table: op.old_table for op in ops if isinstance(op, RenameTable)}
        self.dropped = {op.entity.table for op in ops if isinstance(op, DropTable)}
        self.columns = {(op.table, op.new): op.old for op in ops if isinstance(op, RenameColumn)}
        # (a column dropped and made again under its name, a generated one, is added)
        self.added = {(op.table, op.column.name) for op in ops if isinstance(op, AddColumn)}
        self.dropped_columns = {
            (op.table, op.column.name) for op in ops if isinstance(op, DropColumn)
        }

    def table(self, table: str) -> str:
        return self.tables.get(table, table)

    def column(self, table: str, column: str) -> str:
        return self.columns.get((table, column), column)

    def columns_before(
        self, table: str, columns: Sequence[str], before: Entity
    ) -> tuple[str, ...] | None:
        """``columns`` of ``table`` under the previous revision's names, where the table
        there (``before``) has each and the plan adds none (nor drops and makes one
        again): else None, no index over them can be built before the plan."""
        cols = tuple(self.column(table, c) for c in columns)
        if not set(cols) <= {c.name for c in before.columns}:
            return None
        if {(table, c) for c in columns} & self.added:
            return None
        return cols


def _early(
    op: Operation, old: Schema, names: _Names, kept_refs: set[tuple[str, tuple[str, ...]]]
) -> tuple[Operation, list[Operation]] | None:
    """(the early drop, what stays in the main transaction) for ``op``, or None."""
    if isinstance(op, DropConstraint) and not op.lock_safe:
        table = names.table(op.table)
        before = _constraint(old, table, op.constraint)
        if before is None:
            return None
        if isinstance(before, Unique) and (table, before.columns) in kept_refs:
            return None
        # a partitioned table's unique is added back partition by partition
        partitioned = isinstance(before, Unique) and _partitioned(old, table)
        return DropConstraint(table, before, lock_safe=True, partitioned=partitioned), []
    if isinstance(op, DropIndex) and op.concurrently:
        table = names.table(op.table)
        found = [ix for ix in _indexes(old, table) if ix.name == op.index.name]
        if not found or table in names.dropped:
            return None
        return DropIndex(table, found[0], concurrently=True), []
    prebuilt = (
        _prebuilt_index(op, old, names)
        if isinstance(op, ReplaceUnique | AddConstraint | AddPrimaryKey)
        else None
    )
    if prebuilt is not None:
        return prebuilt
    if isinstance(op, ReplaceUnique) and op.early and op.lock_safe:
        # swapped while the column the main transaction drops is still there
        table = names.table(op.table)
        before = _constraint(old, table, op.old)
        if not isinstance(before, Unique):
            return None
        cols = tuple(names.column(op.table, c) for c in op.new.columns)
        new = dataclasses.replace(op.new, columns=cols)
        return dataclasses.replace(op, table=table, old=before, new=new), []
    if isinstance(op, DropPartition) and op.concurrently:
        # detached before the main transaction adds partitions that may take its bound
        return dataclasses.replace(op, table=names.table(op.table)), []
    if isinstance(op, AddBoundCheck) and op.stage == "drops":
        # a moved partition's bound, proven before the main transaction moves it
        return dataclasses.replace(op, table=names.table(op.table)), []
    if isinstance(op, AlterColumn) and not op.lock_safe and _lifts_not_null(op, old, names):
        table = names.table(op.table)
        was = old.entity_by_table(table).column(names.column(op.table, op.old.name))
        first = AlterColumn(table, was, dataclasses.replace(was, nullable=True), lock_safe=True)
        mid = dataclasses.replace(op.old, nullable=True)
        same = _plain(mid) == _plain(op.new)
        return first, [] if same else [dataclasses.replace(op, old=mid)]
    return None


def _prebuilt_index(
    op: ReplaceUnique | AddConstraint | AddPrimaryKey, old: Schema, names: _Names
) -> tuple[Operation, list[Operation]] | None:
    """A unique swapped or added, or a partitioned table's primary key, in the main
    transaction whose index is built concurrently before it; else None."""
    if isinstance(op, ReplaceUnique) and not op.lock_safe:
        return _prebuilt(op, old, names)
    if isinstance(op, AddConstraint) and isinstance(op.constraint, Unique) and not op.lock_safe:
        return _prebuilt_add(op, old, names)
    if isinstance(op, AddPrimaryKey):
        return _prebuilt_key(op, old, names)
    return None


def _prebuilt(
    op: ReplaceUnique, old: Schema, names: _Names
) -> tuple[Operation, list[Operation]] | None:
    """A unique swapped in the main transaction (a dropped column traded for a
    kept one; one a new table's foreign key needs at once) for one over columns
    the table has before it: its new index built concurrently first, under the
    previous revision's names, and attached there ``USING INDEX`` (built in the
    transaction, ACCESS EXCLUSIVE would hold every reader for the whole build).
    Not over a column the plan adds (or drops and makes again), nor on a
    partitioned table (no concurrent build)."""
    table = names.table(op.table)
    before = _constraint(old, table, op.old)
    if not isinstance(before, Unique) or table in names.dropped:
        return None
    ent = old.entity_by_table(table)
    cols = names.columns_before(op.table, op.new.columns, ent)
    if ent.partition_by is not None or cols is None:
        return None
    new = dataclasses.replace(op.new, columns=cols)
    swap = dataclasses.replace(op, table=table, old=before, new=new, prebuilt="new")
    if not _kept(op, names):
        return PrebuildUniqueIndex(swap), [dataclasses.replace(op, prebuilt="new")]
    # the old columns stay: the downgrade's swap back attaches an index built
    # concurrently by the online revision's downgrade, which runs before it
    back = ReplaceUnique(op.table, op.new, op.old, lock_safe=False, prebuilt="both")
    return PrebuildUniqueIndex(swap), [
        dataclasses.replace(op, prebuilt="both"),
        PrebuildUniqueIndex(back, undo=True, stage="online"),
    ]


def _kept(op: ReplaceUnique, names: _Names) -> bool:
    """Whether the old columns of swap ``op`` are there after the plan, under the same
    names, as is its table: the main downgrade swaps back over columns it does not
    make, so their index can be built before it (not where the downgrade restores a
    dropped column, which has no values before that transaction)."""
    if names.table(op.table) != op.table:
        return False
    cols = {*op.old.columns, *op.new.columns}
    if any(names.column(op.table, c) != c for c in cols):
        return False
    return not {(op.table, c) for c in op.old.columns} & (names.dropped_columns | names.added)


def _prebuilt_add(
    op: AddConstraint, old: Schema, names: _Names
) -> tuple[Operation, list[Operation]] | None:
    """A new unique added in the main transaction (one a new table's foreign key
    needs at once) over columns the table has before it: its index built
    concurrently first, as :func:`_prebuilt`'s, and attached there ``USING INDEX``.
    Not where its name is taken in the previous revision (a constraint dropped and
    added again under it in the transaction), nor on a partitioned table."""
    assert isinstance(op.constraint, Unique)
    table = names.table(op.table)
    ent = next((e for e in old.entities if e.table == table), None)
    if ent is None or table in names.dropped or ent.partition_by is not None:
        return None
    # (relations of the table's schema: an index of its own for each of these)
    taken = {ent.primary_key.name, *(u.name for u in ent.uniques)}
    taken |= {ix.name for ix in ent.indexes} | {ex.name for ex in ent.excludes}
    cols = names.columns_before(op.table, op.constraint.columns, ent)
    if op.constraint.name in taken or cols is None:
        return None
    add = dataclasses.replace(
        op, table=table, constraint=dataclasses.replace(op.constraint, columns=cols)
    )
    return PrebuildUniqueIndex(add), [dataclasses.replace(op, prebuilt=True)]


def _prebuilt_key(
    op: AddPrimaryKey, old: Schema, names: _Names
) -> tuple[Operation, list[Operation]] | None:
    """A partitioned table's new primary key (added to a keyless one or rebuilt) over
    columns the table has before the plan: its leaf partitions' unique indexes built
    concurrently first, under the previous revision's names, which the main
    transaction makes each partition's key ``USING INDEX`` before the table's key
    attaches them (built there, every partition's index would be built under ACCESS
    EXCLUSIVE). Not over a column the plan adds (or drops and makes again)."""
    table = names.table(op.table)
    ent = next((e for e in old.entities if e.table == table), None)
    if ent is None or table in names.dropped or ent.partition_by is None:
        return None
    cols = names.columns_before(op.table, op.primary_key.columns, ent)
    if cols is None:
        return None
    add = dataclasses.replace(
        op, table=table, primary_key=dataclasses.replace(op.primary_key, columns=cols)
    )
    return PrebuildPrimaryKeyIndexes(add), [dataclasses.replace(op, prebuilt=True)]


def _constraint(old: Schema, table: str, constraint: Constraint) -> Constraint | None:
    """The constraint of that name in the previous revision, as it was defined there."""
    try:
        ent = old.entity_by_table(table)
    except KeyError:
        return None
    found = [c for c in getattr(ent, kind_of(constraint)) if c.name == constraint.name]
    return found[0] if found else None


def _partitioned(old: Schema, table: str) -> bool:
    return old.entity_by_table(table).partition_by is not None


def _indexes(old: Schema, table: str) -> tuple[Index, ...]:
    try:
        return old.entity_by_table(table).indexes
    except KeyError:
        return ()


def _lifts_not_null(op: AlterColumn, old: Schema, names: _Names) -> bool:
    """NOT NULL dropped from a column that is neither identity nor in the primary key."""
    if op.old.nullable or not op.new.nullable or op.old.identity or op.new.identity:
        return False
    try:
        ent = old.entity_by_table(names.table(op.table))
    except KeyError:
        return False
    column = names.column(op.table, op.old.name)
    return column not in ent.primary_key.columns and column in {c.name for c in ent.columns}


def _plain(col: Column) -> Column:
    # The primary-key flag is the primary key's business, not the column's DDL.
    return dataclasses.replace(col, primary_key=False)
