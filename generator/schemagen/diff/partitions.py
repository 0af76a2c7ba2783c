"""Comparator for a kept table's partition tree: partitions added, dropped, made
again, and those that keep their rows while their bound or place changes (detached,
then attached with the new bound where they go, in the main transaction).

Partitions are matched by name across the whole tree (a name is unique in its
PostgreSQL schema), so a partition found under another parent has moved.
"""

from __future__ import annotations

import dataclasses

from ..model.bounds import bound_condition, bound_within, default_condition, proves_bound
from ..model.schema import Entity, Partition, PartitionKey, partition_tree
from ..operations.base import Operation
from ..operations.partition import (
    AddBoundCheck,
    AttachPartition,
    CreatePartition,
    DetachPartition,
    DropBoundCheck,
    DropPartition,
    bound_provable,
)


def compare_partitions(old: Entity, new: Entity) -> list[Operation]:
    """Partitions added, dropped, and with a changed bound or place, at every level: a
    partition kept with its bound and key compares its own partitions; one whose key
    changed is made again with them (destructive: PostgreSQL cannot change a partition
    key).

    A dropped partition is detached CONCURRENTLY, in the drops stage before the main
    transaction (:mod:`schemagen.diff.drops`: a partition the main transaction adds
    may take its bound), unless PostgreSQL forbids it: its parent had a DEFAULT
    partition.

    A partition whose bound changes, or that moves to another level (under a new
    partition, or up from one that goes), or both, keeps its rows where its own key is
    the same on both sides and nothing under it moves or changes its bound too (or,
    rebound in place, where those under it are only rebound in place or added, each
    keeping its rows in turn: :func:`_kept`): it is detached from its parent before the
    partitions that go are dropped and those that come are created, and attached with
    its new bound to its new parent after, in the
    main transaction (a partition that goes holding one is dropped there, after the
    detach, not concurrently before it); its own partitions added, dropped or changed
    are, under it, after the attach (``after_move``). Where PostgreSQL can be shown its
    new bound by a CHECK (a range or list bound), the check is validated ahead, in the
    drops stage (:func:`_moves_kept`). One whose key changes as it moves is dropped
    where it was and made again where it goes, empty, and its drop and its create say
    so (``moves``)."""
    was, goes = _parents(old), _parents(new)
    before = {p.name: p for _, p in partition_tree(old.partitions)}
    after = {p.name: p for _, p in partition_tree(new.partitions)}
    both = was.keys() & goes.keys()
    moved = {n for n in both if was[n] != goes[n]}
    shifted = moved | {n for n in both if _made(before[n]) != _made(after[n])}
    kept = _kept(before, after, shifted, moved)
    ops = _compare_partition_level(
        new.table, (), old.partitions, new.partitions, kept, new.partition_by
    )
    ops += _moves_kept(old, new, kept)
    # the checks of the DEFAULT partitions beside partitions made last of the drops
    # stage's (the order within a phase is kept): a moved partition's check that fails
    # stops the revision before any of them is made
    made: list[Operation] = [op for op in ops if isinstance(op, AddBoundCheck) and op.made]
    ops = [op for op in ops if op not in made] + made
    lost = moved - kept
    if not lost:
        return ops
    found: list[Operation] = []
    for op in ops:
        if isinstance(op, CreatePartition | DropPartition):
            own = {p.name for _, p in partition_tree(op.partition.partitions)}
            tree = {op.partition.name} | own
            other = goes if isinstance(op, DropPartition) else was
            moves = tuple((n, other[n]) for n in sorted(tree & lost))
            op = dataclasses.replace(op, moves=moves)
        found.append(op)
    return found


def _kept(
    before: dict[str, Partition],
    after: dict[str, Partition],
    shifted: set[str],
    moved: set[str],
) -> frozenset[str]:
    """The partitions of ``shifted`` (moved or rebound) that keep their rows: their key
    the same, and nothing under them moving or rebound too (their own partitions added,
    dropped or changed are, after the attach), or (nested) one rebound in place whose
    partitions under it are only rebound in place, each keeping its rows in turn, or
    added: none dropped or made again, whose drop, after the attaches, could still hold
    a bound one of them takes."""

    def keeps(n: str) -> bool:
        if before[n].partition_by != after[n].partition_by:
            return False
        was, now = _names_under(before[n]), _names_under(after[n])
        under = (was | now) & shifted
        if not under:
            return True
        same_keys = all(before[m].partition_by == after[m].partition_by for m in was & now)
        return (
            n not in moved
            and was <= now
            and same_keys
            and not under & moved
            and all(keeps(m) for m in under)
        )

    return frozenset(n for n in shifted if keeps(n))


def _moves_kept(old: Entity, new: Entity, kept: frozenset[str]) -> list[Operation]:
    """The detach and the attach of each partition in ``kept`` (moved or rebound with
    its rows), whatever the level: under a partition dropped, made again or created
    whole too. Each attach's bound is proven ahead where a CHECK can say it (a range or
    list bound): where the bound is the same, by the partition's constraint where it is;
    where it changes, by that and the new bound's condition, which the check makes the
    database refuse for new rows from its validation on."""
    where = {p.name: (above, p) for above, p in partition_tree(old.partitions)}
    goes = {p.name: (above, p) for above, p in partition_tree(new.partitions)}
    ops: list[Operation] = []
    # a partition under one rebound with it is detached first, from its parent still
    # attached (detaches: those under before those above), and attached after it, to
    # its parent attached again (attaches: those above first), so that each attach
    # proves its place whole; it holds the checks of those above it from its detach
    # (``carried``), dropped at its attach
    for above, part in _post_order(old.partitions):
        if part.name not in kept:
            continue
        new_above, now = goes[part.name]
        rebound = _made(part) != _made(now)  # its key the same: its bound changes
        check = _checked(old, new, AddBoundCheck, above, new_above, part, now)
        if check is not None:  # the attach then reads no row under its lock, or fewer
            ops.append(check)
        # the downgrade's attach, where it is, holds the reverse of the DropBoundCheck below
        back = _checked(new, old, DropBoundCheck, new_above, above, now, part)
        other = now.bound_sql() if rebound else ""
        carried = tuple(n for n in above if n in kept)
        moving = _without(part, kept)
        # for the downgrade's attach, where it is: a check spares the DEFAULT beside it
        # where the downgrade's AddBoundCheck (the reverse of the DropBoundCheck below) makes one
        proven = _proven(old, above)
        beside, spared = _beside(old, new, above, part.name, bound_provable(part) and proven)
        ops.append(
            DetachPartition(
                old.table,
                moving,
                above,
                new_above,
                other,
                carried=carried,
                beside=beside,
                spared=spared,
                proven=(proven or not rebound) and _new_place(new, old, new_above, above)[1],
                checked=back is not None,
            )
        )
    for above, part in partition_tree(new.partitions):
        if part.name not in kept:
            continue
        was_above, was = where[part.name]
        rebound = _made(was) != _made(part)
        proven = _proven(new, above)
        beside, spared = _beside(new, old, above, part.name, bound_provable(part) and proven)
        check = _checked(old, new, AddBoundCheck, was_above, above, was, part)
        # attached as it was (its own partitions with it, but those rebound with it) with
        # its bound here, then made what it is here
        ops.append(
            AttachPartition(
                new.table,
                _bound_of(_without(was, kept), part),
                above,
                was_above,
                was.bound_sql() if rebound else "",
                carried=tuple(n for n in above if n in kept),
                beside=beside,
                spared=spared,
                proven=(proven or not rebound) and _new_place(old, new, was_above, above)[1],
                checked=check is not None,
            )
        )
        # left where the attach did not run; its reverse, the downgrade's
        if (back := _checked(new, old, DropBoundCheck, above, was_above, part, was)) is not None:
            ops.append(back)
        if was.partitions != part.partitions:
            own = (*above, part.name)
            changes = _compare_partition_level(
                new.table, own, was.partitions, part.partitions, kept
            )
            ops += [
                dataclasses.replace(op, after_move=True, concurrently=False)
                if isinstance(op, CreatePartition | DropPartition)
                else op
                for op in changes
            ]
    return ops


def _post_order(
    partitions: tuple[Partition, ...], above: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], Partition]]:
    """As :func:`partition_tree`, but a partitioned one after its partitions."""
    found: list[tuple[tuple[str, ...], Partition]] = []
    for part in partitions:
        found += _post_order(part.partitions, (*above, part.name))
        found.append((above, part))
    return found


def _bound_of(partition: Partition, other: Partition) -> Partition:
    """``partition`` (its own partitions) with the bound of ``other``."""
    return dataclasses.replace(
        partition,
        default=other.default,
        start=other.start,
        end=other.end,
        values=other.values,
        modulus=other.modulus,
        remainder=other.remainder,
    )


def _checked(
    here: Entity,
    there: Entity,
    kind: type[AddBoundCheck] | type[DropBoundCheck],
    above: tuple[str, ...],
    above_there: tuple[str, ...],
    part: Partition,
    other: Partition,
) -> AddBoundCheck | DropBoundCheck | None:
    """:func:`_bound_check`, where a check can say ``other``'s bound and serves its attach
    (:attr:`~schemagen.operations.partition.AddBoundCheck.serves`), else ``None``."""
    if not bound_provable(other):
        return None
    check = _bound_check(here, there, kind, above, above_there, part, other)
    return check if check.serves else None


def _bound_check(
    here: Entity,
    there: Entity,
    kind: type[AddBoundCheck] | type[DropBoundCheck],
    above: tuple[str, ...],
    above_there: tuple[str, ...],
    part: Partition,
    other: Partition,
) -> AddBoundCheck | DropBoundCheck:
    """The check proving ``part``'s bound as it is in ``there`` (``other``'s), made on
    it while it is in ``here`` under ``above``: the drops stage's add (``here`` the old
    side), or the online stage's drop, whose reverse makes it for the downgrade's
    attach. Where the bound is the same, the partition's constraint alone; else with the
    condition of ``other``'s bound under its parent's key in ``there``, and the DEFAULT
    partition beside it there whose rows that bound may not hold, if that DEFAULT
    partition is beside it in ``here`` too (it holds rows then)."""
    stage = "drops" if kind is AddBoundCheck else "online"
    key = _key_at(there, above_there)
    beside = _default_beside(there, above_there) & _default_beside(here, above_there)
    default = min(beside, default="")
    within, placed = _new_place(here, there, above, above_there, other)
    provable = key is not None and proves_bound(key)
    held_by = _held_by(here, above_there, key, other) if default else ""
    if _made(part) == _made(other):  # (its key the same) its bound too
        if not default or not provable:
            return kind(here.table, part.name, above, stage, above=within, proven=placed)
        return kind(
            here.table,
            part.name,
            above,
            stage,
            None,
            key,
            default,
            placed=other,
            above=within,
            proven=placed,
            held_by=held_by,
        )
    proven = placed and provable  # as the attach's (AttachPartition.proven)
    return kind(
        here.table,
        part.name,
        above,
        stage,
        other,
        key,
        default,
        above=within,
        proven=proven,
        held_by=held_by,
    )


def _held_by(
    here: Entity, above: tuple[str, ...], key: PartitionKey | None, bound: Partition
) -> str:
    """The partition beside the DEFAULT one of ``here``'s partition ``above`` (under
    ``key`` there too) whose bound holds all of ``bound`` (:func:`bound_within`), or
    ``""``: PostgreSQL routes every row of ``bound`` to it, none to the DEFAULT one (a
    partition rebound within its bound; one moved up from a partition holding it)."""
    if key is None or _key_at(here, above) != key:
        return ""
    kind = _kind(here, key)
    level = [p for p in _level(here, above) if bound_provable(p)]
    return next((p.name for p in level if bound_within(bound, p, kind)), "")


def _kind(ent: Entity, key: PartitionKey) -> str | None:
    """The type kind of ``key``'s one column in ``ent``, or ``None`` (an expression, or
    several columns)."""
    if len(key.columns) != 1 or key.columns[0] is None:
        return None
    return next((c.type.kind for c in ent.columns if c.name == key.columns[0]), None)


def _new_place(
    here: Entity,
    there: Entity,
    above: tuple[str, ...],
    above_there: tuple[str, ...],
    own: Partition | None = None,
) -> tuple[str, bool]:
    """The rows the bounds of the partitions above a partition where it goes hold
    (``above_there`` in ``there``), as SQL, but those above it where it is too (``above``
    in ``here``: the same partitions, bounds and all, in its constraint there), which
    its attach proves as well as its own bound (measured on PostgreSQL 15: under a new
    parent narrower than its bound, the attach read it despite its check of its
    constraint alone); and whether PostgreSQL proves them from that condition (each
    bound a range, list or DEFAULT one under a key :func:`proves_bound`).

    The condition leaves out a bound above under the same key as the partition's own
    there (``own``, which its check holds) that holds all of it (:func:`bound_within`):
    PostgreSQL proves that one from the partition's own (a wider parent; measured on
    PostgreSQL 15: the attach reads no row).

    A DEFAULT partition's bound is none of its siblings' bounds, as PostgreSQL writes it
    (:func:`default_condition`; measured on PostgreSQL 15, a partition moved under a new
    DEFAULT partition beside a new sibling that takes part of its bound is read by its
    attach unless its check holds that form, under a range key or a list one)."""
    was = {p.name: p for _, p in partition_tree(here.partitions)}
    goes = {p.name: p for _, p in partition_tree(there.partitions)}
    conditions: list[str] = []
    proven = True
    for i, name in enumerate(above_there):
        part = goes[name]
        if above[: i + 1] == above_there[: i + 1] and _made(was[name]) == _made(part):
            # the same bound, but a DEFAULT one's is its siblings' too: measured on
            # PostgreSQL 15, an attach under a DEFAULT partition with a new sibling read
            # the partition, its constraint there not saying the sibling's bound
            if not part.default or _siblings(here, above[:i]) == _siblings(there, above[:i]):
                continue
        key = _key_at(there, above_there[:i])
        if key is None or not proves_bound(key):
            proven = False
            continue
        if part.default:  # under a list key or a range over one column (proves_bound)
            conditions.append(default_condition(key, _level(there, above_there[:i])))
        elif not bound_provable(part):
            proven = False
        elif not _holds(there, above_there, key, part, own):
            conditions.append(bound_condition(key, part))
    return " AND ".join(conditions), proven


def _siblings(ent: Entity, above: tuple[str, ...]) -> set[Partition]:
    """The bounds of ``ent``'s partition ``above``'s partitions (``()``: the table's),
    each as :func:`_made` keeps it."""
    return {_made(p) for p in _level(ent, above)}


def _holds(
    ent: Entity,
    above: tuple[str, ...],
    key: PartitionKey,
    part: Partition,
    own: Partition | None,
) -> bool:
    """Whether ``part``'s bound, under ``key``, holds all of ``own``'s, a partition's
    under ``ent``'s partition ``above``: under the same key, and within it."""
    if own is None or _key_at(ent, above) != key:
        return False
    return bound_within(own, part, _kind(ent, key))


def _key_at(ent: Entity, above: tuple[str, ...]) -> PartitionKey | None:
    """The partition key of ``ent``'s partition ``above`` (``()``: of the table)."""
    if not above:
        return ent.partition_by
    found = {p.name: p for _, p in partition_tree(ent.partitions)}
    return found[above[-1]].partition_by if above[-1] in found else None


def _proven(ent: Entity, above: tuple[str, ...]) -> bool:
    """Whether PostgreSQL proves a bound under ``ent``'s partition ``above`` from a
    check (:func:`~schemagen.model.bounds.proves_bound` of its key)."""
    key = _key_at(ent, above)
    return key is not None and proves_bound(key)


def _level(ent: Entity, above: tuple[str, ...]) -> tuple[Partition, ...]:
    """The partitions of ``ent``'s partition ``above`` (``()``: of the table's), none
    where ``ent`` has no such partition."""
    level = ent.partitions
    for name in above:
        found = [p for p in level if p.name == name]
        if not found:
            return ()
        level = found[0].partitions
    return level


def _default_beside(ent: Entity, above: tuple[str, ...]) -> set[str]:
    """The DEFAULT partition of ``ent``'s partition ``above`` (``()``: of the table)."""
    return {p.name for p in _level(ent, above) if p.default}


def _beside(
    here: Entity, there: Entity, above: tuple[str, ...], name: str, checked: bool
) -> tuple[str, bool]:
    """The DEFAULT partition beside partition ``name`` attached under ``above`` in
    ``here``, if it is a partition in ``there`` too (else it is made by the revision,
    empty: the attach reads no row of it), and whether it is spared the attach's read:
    ``checked`` (a check can say the bound) and beside it in ``there`` too, where
    :func:`_bound_check` gives it the check that excludes the bound."""
    default = min(_default_beside(here, above) - {name}, default="")
    if default not in {p.name for _, p in partition_tree(there.partitions)}:
        return "", False
    return default, checked and default in _default_beside(there, above)


def _names_under(partition: Partition) -> set[str]:
    return {p.name for _, p in partition_tree(partition.partitions)}


def _parents(ent: Entity) -> dict[str, str]:
    """Each partition of ``ent``'s tree -> its parent: the table, or a partition."""
    return {
        part.name: above[-1] if above else ent.table
        for above, part in partition_tree(ent.partitions)
    }


def _compare_partition_level(
    table: str,
    within: tuple[str, ...],
    old: tuple[Partition, ...],
    new: tuple[Partition, ...],
    moving: frozenset[str] = frozenset(),
    key: PartitionKey | None = None,
) -> list[Operation]:
    """The partitions of ``table``'s partition ``within`` (``()``: of the table);
    ``moving``: the partitions of the tree that move between levels or change their
    bound with their rows (detached here, or attached here), left out of what is
    dropped and created.

    ``key``: the partition key there, where a partition created beside a DEFAULT
    partition that holds rows has that DEFAULT partition's read spared by a check
    validated ahead (:func:`_spared`); ``None``: not (under a partition that moves with
    its rows, whose creates run after its attach, in the main transaction)."""
    before = {p.name: p for p in old}
    after = {p.name: p for p in new}
    kept = (before.keys() & after.keys()) - moving
    changed = {n for n in kept if _made(before[n]) != _made(after[n])}
    remade = {n for n in changed if before[n].partition_by != after[n].partition_by}
    added = sorted((after.keys() - before.keys() - moving) | changed)
    dropped = sorted((before.keys() - after.keys() - moving) | changed)
    concurrently = not any(p.default for p in old)
    rebound = changed - remade
    # a DEFAULT partition there on both sides holds rows, which PostgreSQL reads as it
    # makes a partition beside it (one made again or new is empty)
    held = sorted(n for n in kept - changed if after[n].default)
    ops: list[Operation] = []
    for n in dropped:
        part, beside = _without(before[n], moving), _first(held, n)
        # one holding a partition that moves is dropped after its detach, in the transaction
        quick = concurrently and part == before[n]
        # the downgrade makes it again beside the DEFAULT partition: the online stage's
        # drop of the check, whose reverse makes it ahead of the main downgrade's create
        steady = _steady(before, after, beside)
        again = _spared(table, within, key, part, beside, "online") if steady else None
        ops += [again.reverse()] if again is not None else []
        ops.append(
            DropPartition(
                table,
                part,
                quick,
                within,
                n in remade,
                n in rebound,
                beside=beside,
                spared=again is not None,
            )
        )
    for n in added:
        part, beside = _without(after[n], moving), _first(held, n)
        steady = _steady(before, after, beside)
        check = _spared(table, within, key, part, beside) if steady else None
        ops += [check] if check is not None else []
        # a DEFAULT partitioned in turn: its check's drop recurses to each of its partitions
        # under ACCESS EXCLUSIVE, left to the online stage after the main revision
        later = check is not None and after[beside].partition_by is not None
        ops.append(
            CreatePartition(
                table,
                part,
                False,
                within,
                n in remade,
                n in rebound,
                beside=beside,
                spared=check is not None,
                check_after=later,
            )
        )
        if check is not None and later:
            drop = dataclasses.replace(check, stage="online", after_create=True).reverse()
            ops.append(drop)
    for name in sorted(kept - changed):
        if before[name].partitions != after[name].partitions:
            ops += _compare_partition_level(
                table,
                (*within, name),
                before[name].partitions,
                after[name].partitions,
                moving,
                after[name].partition_by if key is not None else None,
            )
    return ops


def _steady(before: dict[str, Partition], after: dict[str, Partition], default: str) -> bool:
    """Whether the DEFAULT partition ``default`` (``""``: none) is the same on both sides,
    its own partitions and all, so that a check on it can spare a create beside it its
    read. A DEFAULT partition partitioned in turn takes the check on itself, which each of
    its partitions inherits (ADD and VALIDATE recurse); measured on PostgreSQL 15, the
    create then neither reads nor locks its partitions (without it: each read under
    ACCESS EXCLUSIVE; with a check on each partition alone: each still locked). Not where
    its partitions change: one leaving it (detached to move, or to be dropped) would
    carry the check away, and its rows would be counted against the bound (left read, as
    the plan says)."""
    return bool(default) and before[default] == after[default]


def _spared(
    table: str,
    within: tuple[str, ...],
    key: PartitionKey | None,
    part: Partition,
    beside: str,
    stage: str = "drops",
) -> AddBoundCheck | None:
    """The check that spares ``CREATE TABLE ... PARTITION OF`` of ``part`` its read of the
    DEFAULT partition ``beside`` it (holding rows) under ACCESS EXCLUSIVE: ``NOT`` the
    bound's condition on the DEFAULT partition, its rows of the bound counted first and
    then validated in the drops stage, as for an attach beside it (:class:`AddBoundCheck`,
    ``made``); PostgreSQL proves the DEFAULT's new constraint from it
    (check_default_partition_contents, as at an attach). ``None`` where no check can say
    the bound (:func:`bound_provable`, :func:`proves_bound`) or there is no such DEFAULT.
    Its reverse, in the online stage, serves the downgrade's create of a partition the
    upgrade drops beside the DEFAULT partition: made ahead of the main downgrade."""
    if not beside or key is None or not proves_bound(key) or not bound_provable(part):
        return None
    return AddBoundCheck(table, part.name, within, stage, None, key, beside, placed=part, made=True)


def _first(names: list[str], but: str) -> str:
    return next((n for n in names if n != but), "")


def _without(partition: Partition, moving: frozenset[str]) -> Partition:
    """``partition`` without the partitions under it (at any depth) that move elsewhere
    with their rows: they are detached before it is dropped, attached after it is made."""
    if not moving or not partition.partitions:
        return partition
    own = tuple(_without(p, moving) for p in partition.partitions if p.name not in moving)
    return dataclasses.replace(partition, partitions=own)


def _made(partition: Partition) -> Partition:
    """What making the partition fixes: its bound and its own partition key."""
    return dataclasses.replace(partition, partitions=())
