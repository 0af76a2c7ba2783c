"""Comparators for tables and what they hold: columns, keys, constraints, indexes.

Both schemas are DDL views and renames are already applied to ``old``, so
tables and columns are matched by name.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from ..model.schema import (
    CheckConstraint,
    Column,
    Entity,
    ExcludeConstraint,
    ForeignKey,
    Index,
    Schema,
    UniqueConstraint,
    in_an_index,
)
from ..operations.base import Operation
from ..operations.constraint import (
    AddConstraint,
    AlterForeignKeyDeferral,
    AlterUniqueDeferral,
    Constraint,
    CreateIndex,
    DropConstraint,
    DropIndex,
    RenameConstraint,
    RenameKind,
    ReplaceCheck,
    ReplaceForeignKey,
    ReplaceUnique,
    deferral_only,
    swappable,
)
from ..operations.costs import binary_compatible
from ..operations.partition import AttachPartition, DetachPartition
from ..operations.storage import SetColumnSettings
from ..operations.table import (
    AddColumn,
    AddPrimaryKey,
    AlterColumn,
    AlterTableComment,
    CreateTable,
    DropColumn,
    DropPrimaryKey,
    DropTable,
)
from .partitions import compare_partitions

T = TypeVar("T", bound=Constraint | Index)
NotConcurrent = frozenset[tuple[str, str]]
#: ``using:`` of a column: (table, column) -> the SQL that converts its values.
Using = dict[tuple[str, str], str]


def compare_entities(
    old: Schema, new: Schema, not_concurrent: NotConcurrent, using: Using | None = None
) -> list[Operation]:
    """Tables created and dropped, and the changes inside the tables kept."""
    before = {e.name: e for e in old.entities}
    after = {e.name: e for e in new.entities}
    # PostgreSQL cannot change a table's partition key (or make a table partitioned):
    # the table is made again (destructive: DropTable says so).
    remade = {
        n for n in before.keys() & after.keys() if before[n].partition_by != after[n].partition_by
    }
    created = sorted((after.keys() - before.keys()) | remade)
    ops: list[Operation] = [CreateTable(after[n]) for n in created]
    ops += [DropTable(before[n]) for n in sorted((before.keys() - after.keys()) | remade)]
    for name in sorted((before.keys() & after.keys()) - remade):
        ops += compare_entity(before[name], after[name], not_concurrent, using or {})
    kept = [(before[n], after[n]) for n in sorted((before.keys() & after.keys()) - remade)]
    ops = _renames_across_retypes(kept, ops) + _keys_across_retypes(kept, ops)
    return _moves_referenced(old, new, _keys_made_again(kept, ops))


def _moves_referenced(old: Schema, new: Schema, ops: list[Operation]) -> list[Operation]:
    """``ops`` with each moved partition's detach and attach told the foreign keys that
    reference its table on both sides (the detach's plan line says they may refuse it;
    the attach carries them to its reverse, the downgrade's detach)."""
    keys = [
        {(e.table, fk.name, fk.ref_table) for e in side.entities for fk in e.foreign_keys}
        for side in (old, new)
    ]
    both = keys[0] & keys[1]
    return [
        dataclasses.replace(
            op, referenced_by=tuple(sorted((n, t) for t, n, r in both if r == op.table))
        )
        if isinstance(op, DetachPartition | AttachPartition)
        else op
        for op in ops
    ]


def _keys_made_again(
    kept: Sequence[tuple[Entity, Entity]], ops: list[Operation]
) -> list[Operation]:
    """``ops`` with each type change told the kept foreign keys PostgreSQL makes again
    under it (AlterColumn.keys): those over the column, or referencing it, whose other
    side keeps its type, as a key across integer widths may (a smallint column's key
    to an integer key widened to bigint). Their plan line names the lock and the check
    on the other table."""
    retyped = _retyped_columns(ops)
    dropped = {
        (op.table, op.constraint.name)
        for op in ops
        if isinstance(op, DropConstraint) and isinstance(op.constraint, ForeignKey)
    }
    found: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for old, new in kept:
        for fk in new.foreign_keys:
            if fk not in old.foreign_keys or (new.table, fk.name) in dropped:
                continue  # a changed key, or one dropped and added around the ALTERs
            for column, ref in zip(fk.columns, fk.ref_columns, strict=True):
                if (new.table, column) in retyped:
                    found.setdefault((new.table, column), set()).add((fk.name, fk.ref_table))
                if (fk.ref_table, ref) in retyped:
                    found.setdefault((fk.ref_table, ref), set()).add((fk.name, new.table))
    return [
        dataclasses.replace(op, keys=tuple(sorted(found[(op.table, op.new.name)])))
        if isinstance(op, AlterColumn)
        and op.old.type != op.new.type
        and (op.table, op.new.name) in found
        else op
        for op in ops
    ]


def _keys_across_retypes(
    kept: Sequence[tuple[Entity, Entity]], ops: Sequence[Operation]
) -> list[Operation]:
    """An unchanged foreign key whose columns and referenced columns both change type
    (not binary compatibly): dropped before the ALTERs and added after them, in the
    transaction. The ALTERs run one column at a time, and between them PostgreSQL
    keeps a key only over types that compare (integer and bigint do, text and uuid
    do not: "foreign key constraint ... cannot be implemented"); where they do, it
    checks the key again under the ALTER's lock anyway, as the add does."""
    retyped = _retyped_columns(ops)
    found: list[Operation] = []
    for old, new in kept:
        for fk in new.foreign_keys:
            if fk not in old.foreign_keys:
                continue  # a changed key: compare_entity's
            own = any((new.table, c) in retyped for c in fk.columns)
            if own and any((fk.ref_table, c) in retyped for c in fk.ref_columns):
                found += [DropConstraint(new.table, fk), AddConstraint(new.table, fk)]
    return found


def _renames_across_retypes(
    kept: Sequence[tuple[Entity, Entity]], ops: Sequence[Operation]
) -> list[Operation]:
    """``ops`` with each foreign key that is only renamed, while its columns and
    referenced columns both change type (as :func:`_keys_across_retypes` finds),
    dropped under its old name and added under its new one in the transaction
    instead: renamed, it would stay through the ALTERs, which fail where the types
    no longer compare (text and uuid)."""
    retyped = _retyped_columns(ops)
    keys = {(new.table, fk.name): fk for _, new in kept for fk in new.foreign_keys}
    olds = {(new.table, fk.name): fk for old, new in kept for fk in old.foreign_keys}
    found: list[Operation] = []
    for op in ops:
        fk = keys.get((op.table, op.new)) if isinstance(op, RenameConstraint) else None
        was = olds.get((op.table, op.old)) if isinstance(op, RenameConstraint) else None
        if (
            isinstance(op, RenameConstraint)
            and op.kind == "foreign_keys"
            and fk is not None
            and was is not None
            and any((op.table, c) in retyped for c in fk.columns)
            and any((fk.ref_table, c) in retyped for c in fk.ref_columns)
        ):
            found += [DropConstraint(op.table, was), AddConstraint(op.table, fk)]
        else:
            found.append(op)
    return found


def _retyped_columns(ops: Sequence[Operation]) -> set[tuple[str, str]]:
    """(table, column) of the columns whose type the plan changes, not binary compatibly."""
    return {
        (op.table, op.new.name)
        for op in ops
        if isinstance(op, AlterColumn)
        and op.old.type != op.new.type
        and not binary_compatible(op.old.type, op.new.type)
    }


def compare_entity(
    old: Entity, new: Entity, not_concurrent: NotConcurrent, using: Using | None = None
) -> list[Operation]:
    """Every change inside one kept table (same name, same table)."""
    table = new.table
    ops: list[Operation] = []
    if old.description != new.description:
        ops.append(AlterTableComment(table, old.description, new.description))
    ops += compare_columns(old, new, using or {})
    ops += compare_primary_key(old, new)
    ops += compare_partitions(old, new)
    redeferred = _redeferred(old.uniques, new.uniques)
    ops += [AlterUniqueDeferral(table, before, after) for before, after in redeferred]
    reindexed = _swapped_uniques(old, new, ops)
    # One whose old columns hold a column the plan drops is swapped before the drop
    # (PostgreSQL would drop the old with the column, the new not made yet). Lock-safe
    # before the main transaction only for one over columns the old keeps (it
    # refuses whatever the old did); one that trades the dropped column for
    # another is swapped in the transaction, between the ADD COLUMN of a new one
    # and the DROP COLUMN (diff.ordering): done earlier, the old would be missing
    # while its column is still there, for the previous release to write
    # duplicates into (or to name in ON CONFLICT).
    dropped = _dropped(ops)
    ops += [
        ReplaceUnique(
            table,
            before,
            after,
            lock_safe=not (
                dropped & set(before.columns)
                and not set(after.columns) <= set(before.columns)
            ),
            early=bool(dropped & set(before.columns)),
        )
        for before, after in reindexed
    ]
    swapped = _swapped_keys(old, new, ops)
    ops += [
        AlterForeignKeyDeferral(table, before, after)
        if deferral_only(before, after)
        else ReplaceForeignKey(table, before, after)
        for before, after in swapped
    ]
    rechecked = _swapped_checks(old, new, ops)
    ops += [ReplaceCheck(table, before, after) for before, after in rechecked]
    around = _around_retype(old, new, ops)
    # (names of the old side, names of the new side) that compare_named leaves alone
    done = {
        "uniques": (
            {b.name for b, _ in [*redeferred, *reindexed]},
            {a.name for _, a in [*redeferred, *reindexed]},
        ),
        "foreign_keys": ({b.name for b, _ in swapped}, {a.name for _, a in swapped}),
        "checks": ({b.name for b, _ in rechecked}, {a.name for _, a in rechecked}),
    }
    for kind in ("foreign_keys", "uniques", "checks", "excludes"):
        skip_old, skip_new = done.get(kind, (set(), set()))
        ops += compare_named(
            table,
            kind,
            [c for c in getattr(old, kind) if c.name not in skip_old],
            [c for c in getattr(new, kind) if c.name not in skip_new],
            # The table holds rows: add the lock-safe way (diff.online may undo
            # that for a unique a new table's foreign key needs at once). An
            # exclusion constraint has no lock-safe way (no NOT VALID); a key or
            # check changed around its column's type change is added in the
            # transaction that drops it (diff.drops keeps the drop there).
            add=lambda c: AddConstraint(
                table,
                c,
                lock_safe=not isinstance(c, ExcludeConstraint) and c.name not in around,
            ),
            drop=lambda c: DropConstraint(table, c),
        )

    # A dropped index no longer says how to build it: concurrently, unless the
    # index of that name in the new schema (a changed one) says otherwise.
    def concurrently(ix: Index) -> bool:
        return (table, ix.name) not in not_concurrent

    ops += compare_named(
        table,
        "index",
        old.indexes,
        new.indexes,
        add=lambda ix: CreateIndex(table, ix, concurrently(ix)),
        drop=lambda ix: DropIndex(table, ix, concurrently(ix)),
    )
    if old.partition_by is not None or new.partition_by is not None:
        return [_in_transaction(op) for op in ops]
    return ops


def _redeferred(
    old: Sequence[UniqueConstraint], new: Sequence[UniqueConstraint]
) -> list[tuple[UniqueConstraint, UniqueConstraint]]:
    """Unique constraints of one name and columns whose deferrability changed."""
    before = {uq.name: uq for uq in old}
    return [
        (before[uq.name], uq)
        for uq in new
        if uq.name in before and before[uq.name].columns == uq.columns and before[uq.name] != uq
    ]


def _swapped_uniques(
    old: Entity, new: Entity, column_ops: Sequence[Operation]
) -> list[tuple[UniqueConstraint, UniqueConstraint]]:
    """Unique constraints whose columns change: swapped (:class:`ReplaceUnique`),
    never dropped in one revision and added in a later one. Under one name, or a
    dropped and an added one whose columns hold one another's (the columns widen
    or narrow: a conventional name follows them; an equal definition under a new
    name is a rename instead, :func:`compare_named`), paired in name order. One
    with a column the plan drops only for a new one over columns it keeps
    (unique(store_id, sku, legacy) -> unique(store_id, sku), legacy dropped): it
    is swapped before the drop, which would otherwise take the old constraint
    with it while the new one is not there yet; or for a new one that trades
    the dropped columns for others (unique(store_id, legacy) ->
    unique(store_id, variant)): it is swapped in the transaction, after the ADD
    COLUMN of a column the plan adds and before the DROP COLUMN. On a partitioned table in the
    transaction (``lock_safe`` false: no concurrent index, no ``USING INDEX``
    there)."""
    dropped = _dropped(column_ops)

    def fits(was: UniqueConstraint, uq: UniqueConstraint) -> bool:
        # the new one can be there before the old one's column goes: over columns
        # the table keeps (swapped before the drop) or the plan adds (swapped in
        # its transaction); not over a column dropped and made again (generated)
        return not dropped & set(was.columns) or not dropped & set(uq.columns)

    def traded(was: UniqueConstraint, uq: UniqueConstraint) -> bool:
        # the dropped columns of the old traded for others: what the old keeps
        # and what the new keeps of it hold one another
        return bool(dropped & set(was.columns)) and _nested(
            tuple(set(was.columns) - dropped), tuple(set(uq.columns) & set(was.columns))
        )

    before = {uq.name: uq for uq in old.uniques}
    after = {uq.name: uq for uq in new.uniques}
    pairs = [
        (before[n], after[n])
        for n in sorted(before.keys() & after.keys())
        if before[n].columns != after[n].columns and fits(before[n], after[n])
    ]
    gone = [before[n] for n in sorted(before.keys() - after.keys())]
    for uq in (after[n] for n in sorted(after.keys() - before.keys())):
        if any(_definition(g) == _definition(uq) for g in gone):
            continue  # renamed, not changed
        twin = next(
            (
                g
                for g in gone
                if (_nested(g.columns, uq.columns) or traded(g, uq)) and fits(g, uq)
            ),
            None,
        )
        if twin is not None:
            gone.remove(twin)
            pairs.append((twin, uq))
    return pairs


def _dropped(column_ops: Sequence[Operation]) -> set[str]:
    """Columns the plan drops (a generated column made again among them)."""
    return {op.column.name for op in column_ops if isinstance(op, DropColumn)}


def _added(column_ops: Sequence[Operation]) -> set[str]:
    """Columns the plan adds (not one it drops and makes again: a generated column)."""
    return {op.column.name for op in column_ops if isinstance(op, AddColumn)} - _dropped(
        column_ops
    )


def _nested(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return set(a) <= set(b) or set(b) <= set(a)


def _swapped_keys(
    old: Entity, new: Entity, column_ops: Sequence[Operation]
) -> list[tuple[ForeignKey, ForeignKey]]:
    """Foreign keys that keep their columns and what they reference but change
    their actions, MATCH or deferrability: swapped in place
    (:class:`ReplaceForeignKey`; one that changes its deferrability alone is
    altered, :class:`AlterForeignKeyDeferral`), never dropped in one revision and
    added in a later one. Under one name, or under a new one (a conventional name that
    followed a renamed table or column; an equal definition under a new name is
    a rename instead, :func:`compare_named`). Not on a partitioned table (no NOT
    VALID key there: dropped and added in the transaction), nor where a column
    of the key changes its type in the same plan (the key is then dropped before
    the ALTER, which would otherwise check it again under its lock)."""
    if old.partition_by is not None or new.partition_by is not None:
        return []
    retyped = _retyped(column_ops)
    before = {fk.name: fk for fk in old.foreign_keys}
    after = {fk.name: fk for fk in new.foreign_keys}
    gone = [before[n] for n in sorted(before.keys() - after.keys())]
    pairs: list[tuple[ForeignKey, ForeignKey]] = []
    for fk in new.foreign_keys:
        if retyped & set(fk.columns):
            continue
        if fk.name in before:
            if before[fk.name] != fk and swappable(before[fk.name], fk):
                pairs.append((before[fk.name], fk))
            continue
        if any(_definition(g) == _definition(fk) for g in gone):
            continue  # renamed, not changed
        twin = next((g for g in gone if swappable(g, fk)), None)
        if twin is not None:
            gone.remove(twin)
            pairs.append((twin, fk))
    return pairs


def _swapped_checks(
    old: Entity, new: Entity, column_ops: Sequence[Operation]
) -> list[tuple[CheckConstraint, CheckConstraint]]:
    """Checks of one name whose expression changes: swapped in place
    (:class:`ReplaceCheck`), never dropped in one revision and added in a later
    one. Not on a partitioned table (dropped and added in the transaction), nor
    where either expression names a column whose type the plan changes (the
    ALTER would carry the old check over to the new type, which it may not fit:
    length(code) > 0 of a code made integer)."""
    if old.partition_by is not None or new.partition_by is not None:
        return []
    retyped = [re.compile(rf"\b{re.escape(name)}\b") for name in sorted(_retyped(column_ops))]
    before = {ck.name: ck for ck in old.checks}
    return [
        (before[ck.name], ck)
        for ck in new.checks
        if before.get(ck.name, ck) != ck
        and not any(r.search(f"{before[ck.name].expression} {ck.expression}") for r in retyped)
    ]


def _retyped(column_ops: Sequence[Operation]) -> set[str]:
    """Columns whose type the plan changes so that PostgreSQL checks the keys and
    checks over them again under the ALTER's lock (not binary compatible: a
    binary compatible change keeps them as they are, unchecked)."""
    return {
        op.new.name
        for op in column_ops
        if isinstance(op, AlterColumn)
        and op.old.type != op.new.type
        and not binary_compatible(op.old.type, op.new.type)
    }


def _around_retype(old: Entity, new: Entity, column_ops: Sequence[Operation]) -> set[str]:
    """Names of the foreign keys and checks that change (under one name, or a key
    under a new one: the same columns referencing the same columns) and name a
    column whose type changes (:func:`_retyped`): they are dropped before the ALTER
    and added after it in the same transaction, never swapped after it (the ALTER
    would check the old one again under its lock, or fail: a key cannot stay over
    columns whose types no longer compare, a check whose expression no longer
    applies) nor dropped in a revision before it (another session could then write
    rows that break both). The add checks the rows under the lock the ALTER holds."""
    if old.partition_by is not None or new.partition_by is not None:
        return set()  # every change there is in the transaction already
    retyped = _retyped(column_ops)
    words = [re.compile(rf"\b{re.escape(name)}\b") for name in sorted(retyped)]
    keys = {fk.name: fk for fk in old.foreign_keys}
    checks = {ck.name: ck for ck in old.checks}
    found = {
        fk.name
        for fk in new.foreign_keys
        if keys.get(fk.name, fk) != fk and retyped & {*fk.columns, *keys[fk.name].columns}
    }
    # a key renamed as well: paired by what it is, as compare_named pairs its drop and add
    gone = [fk for fk in old.foreign_keys if fk.name not in {k.name for k in new.foreign_keys}]
    for fk in (fk for fk in new.foreign_keys if fk.name not in keys):
        if any(_definition(g) == _definition(fk) for g in gone):
            continue  # renamed, not changed
        twin = next((g for g in gone if swappable(g, fk)), None)
        if twin is not None:
            gone.remove(twin)
            if retyped & {*fk.columns, *twin.columns}:
                found.add(fk.name)
    found |= {
        ck.name
        for ck in new.checks
        if checks.get(ck.name, ck) != ck
        and any(w.search(f"{checks[ck.name].expression} {ck.expression}") for w in words)
    }
    return found


def _in_transaction(op: Operation) -> Operation:
    """The form of a lock-safe step that PostgreSQL 15 takes on a partitioned table:
    a new index built partition by partition (``CREATE INDEX ... ON ONLY``, each
    partition's CONCURRENTLY, attached), an index dropped in the transaction (no
    DROP INDEX CONCURRENTLY there); a new unique constraint built partition by
    partition too (each partition's unique index CONCURRENTLY, made its constraint
    ``USING INDEX``, then the table's constraint attaches them: ``ADD CONSTRAINT
    ... USING INDEX`` is refused on a partitioned table itself); other constraints
    and swaps in the transaction, and no NOT VALID foreign key (each partition then
    takes the lock in turn)."""
    if isinstance(op, CreateIndex) and op.concurrently:
        return dataclasses.replace(op, partitioned=True)
    if (
        isinstance(op, AddConstraint)
        and op.lock_safe
        and isinstance(op.constraint, UniqueConstraint)
    ):
        return dataclasses.replace(op, partitioned=True)
    if isinstance(op, DropIndex) and op.concurrently:
        return dataclasses.replace(op, concurrently=False)
    locked = AddConstraint | DropConstraint | AlterColumn | ReplaceUnique
    if isinstance(op, locked) and op.lock_safe:
        return dataclasses.replace(op, lock_safe=False)
    return op


def compare_columns(old: Entity, new: Entity, using: Using | None = None) -> list[Operation]:
    """Columns added, dropped and altered (type, nullability, default, identity, comment)."""
    before = {c.name: c for c in old.columns}
    after = {c.name: c for c in new.columns}
    ops: list[Operation] = []
    for pos, col in enumerate(old.columns):
        if col.name not in after:
            ops.append(DropColumn(new.table, col, pos))
    for pos, col in enumerate(new.columns):
        if col.name not in before:
            ops.append(AddColumn(new.table, col, pos))
        elif before[col.name].generated != col.generated:
            # PostgreSQL cannot change a generation expression in place: the column
            # is dropped and added again (a generated column's values are recomputed).
            ops.append(DropColumn(new.table, before[col.name], pos))
            ops.append(AddColumn(new.table, col, pos))
        else:
            was = before[col.name]
            if _column_ddl(was) != _column_ddl(col):
                retyped = was.type != col.type
                sql = (using or {}).get((new.table, col.name)) if retyped else None
                indexed = retyped and in_an_index(old, col.name)
                ops += _alter_column(new.table, was, col, sql, indexed)
            if (was.statistics, was.storage) != (col.statistics, col.storage):
                old_settings = (was.statistics, was.storage)
                new_settings = (col.statistics, col.storage)
                ops.append(SetColumnSettings(new.table, col.name, old_settings, new_settings))
    return ops


def _alter_column(
    table: str, old: Column, new: Column, using: str | None = None, indexed: bool = False
) -> list[Operation]:
    """One change, or two when a column of a table that holds rows becomes NOT
    NULL: the rest in the transaction, ``SET NOT NULL`` lock-safe after it.
    ``using`` (the column's ``using:``) goes with the type change; ``indexed``: an
    index holds the column."""
    if not (old.nullable and not new.nullable) or (new.identity and not old.identity):
        # identity needs NOT NULL at once
        return [AlterColumn(table, old, new, using=using, indexed=indexed)]
    mid = dataclasses.replace(new, nullable=True)
    ops: list[Operation] = []
    if _column_ddl(old) != _column_ddl(mid):
        ops.append(AlterColumn(table, old, mid, using=using, indexed=indexed))
    return [*ops, AlterColumn(table, mid, new, lock_safe=True)]


def _column_ddl(col: Column) -> Column:
    # The primary-key flag is the primary key's business (compare_primary_key), a
    # serial column's sequence type and options its sequence's (AlterSequence), and so
    # are its sequence's name and the nextval default naming it (RenameSequence; the
    # default names the sequence by OID, so it follows the rename). Its statistics
    # target and storage are SetColumnSettings' (a cheaper lock than ALTER COLUMN's).
    if col.serial:
        return dataclasses.replace(
            col,
            primary_key=False,
            sequence_type=None,
            sequence_name=None,
            sequence_options=None,
            default=None,
            statistics=None,
            storage=None,
        )
    return dataclasses.replace(
        col, primary_key=False, sequence_type=None, statistics=None, storage=None
    )


def compare_primary_key(old: Entity, new: Entity) -> list[Operation]:
    """A primary key over other columns is rebuilt; a new name alone is a rename.
    A table that gets its first primary key (``primary_key: false`` removed) only
    adds it, one that says ``primary_key: false`` now only drops it."""
    before, after = old.primary_key, new.primary_key
    if before.columns != after.columns:
        keyless = not (old.has_primary_key and new.has_primary_key)
        ops: list[Operation] = []
        # (each carries the other's columns: whether rows may repeat the one added)
        if old.has_primary_key:
            ops.append(DropPrimaryKey(new.table, before, keyless, after.columns))
        if new.has_primary_key:
            ops.append(AddPrimaryKey(new.table, after, keyless, before.columns))
        return ops
    if before.name != after.name:
        return [RenameConstraint(new.table, "primary_key", before.name, after.name)]
    return []


def compare_named(
    table: str,
    kind: RenameKind,
    old: Sequence[T],
    new: Sequence[T],
    *,
    add: Callable[[T], Operation],
    drop: Callable[[T], Operation],
) -> list[Operation]:
    """Named objects: dropped, added, changed (drop + add), or only renamed.

    A dropped and an added object with the same definition (all but the name)
    become a rename, paired in name order.
    """
    before = {item.name: item for item in old}
    after = {item.name: item for item in new}
    gone = [before[n] for n in sorted(before.keys() - after.keys())]
    came = [after[n] for n in sorted(after.keys() - before.keys())]
    ops: list[Operation] = []
    for item in list(came):
        twin = next((g for g in gone if _definition(g) == _definition(item)), None)
        if twin is not None:
            gone.remove(twin)
            came.remove(item)
            ops.append(RenameConstraint(table, kind, twin.name, item.name))
    changed = [n for n in sorted(before.keys() & after.keys()) if before[n] != after[n]]
    ops += [drop(item) for item in gone] + [drop(before[n]) for n in changed]
    ops += [add(item) for item in came] + [add(after[n]) for n in changed]
    return ops


def _definition(item: Constraint | Index) -> object:
    return dataclasses.replace(item, name="")
