"""Operations on the partitions of a partitioned table: create and drop them, and
move one between levels of the partition tree with its rows (detach, then attach).

A partition is a table of its own that PostgreSQL builds from its parent (columns,
keys, indexes and foreign keys are propagated), so an operation carries only
the parent's table name and the partition's bound. A partition of a partition (a
sub-partition) names the partitions above it (``within``): its parent is the last.

``concurrently``: the partition is dropped with ``DETACH PARTITION ...
CONCURRENTLY`` (which takes SHARE UPDATE EXCLUSIVE on the parent instead of
ACCESS EXCLUSIVE, and cannot run in a transaction) and then ``DROP TABLE``, in
the drops stage before the main transaction (:mod:`schemagen.diff.drops`).
PostgreSQL refuses a concurrent detach while the parent has a DEFAULT partition;
the diff then drops plainly, in the main transaction. The reverse of an online
operation is online: it creates ``IF NOT EXISTS``.

A partition that moves between levels (under a new partition, or up from one that
goes), or whose bound changes, with its own partition key unchanged keeps its rows:
it is detached from its parent and attached with its new bound where it goes, in the
main transaction (:class:`DetachPartition`, :class:`AttachPartition`). One whose key
changes too is dropped and made again, empty, where it goes, and says so (``moves``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from ..model.bounds import bound_condition, proves_bound
from ..model.naming import partition_table
from ..model.schema import (
    Entity,
    Partition,
    PartitionKey,
    Schema,
    partition_tree,
    sorted_named,
)
from .base import Operation, as_kind, by_name, with_table


def _with_partitions(
    schema: Schema,
    table: str,
    within: tuple[str, ...],
    edit: Callable[[tuple[Partition, ...]], tuple[Partition, ...]],
) -> Schema:
    """``schema`` with the partitions of ``table``'s partition ``within`` (the names
    from the table's own partition down; none: the table's own) replaced by ``edit``'s."""

    def level(parts: tuple[Partition, ...], path: tuple[str, ...]) -> tuple[Partition, ...]:
        if not path:
            return sorted_named(edit(parts))
        return tuple(
            dataclasses.replace(p, partitions=level(p.partitions, path[1:]))
            if p.name == path[0]
            else p
            for p in parts
        )

    def replace(ent: Entity) -> Entity:
        return dataclasses.replace(ent, partitions=level(ent.partitions, within))

    return with_table(schema, table, replace)


def parent_table(table: str, within: tuple[str, ...]) -> str:
    """The table a partition is a partition of, keyed as the model keys tables:
    ``table`` itself, or its partition ``within[-1]`` (in its PostgreSQL schema)."""
    return partition_table(table, within[-1]) if within else table


#: Why a partition is dropped and made again whole, as the plan says it.
_REMADE = "made again: its partition key changes, which PostgreSQL cannot alter"
#: Why a partition whose bound changes is (at any depth: with its own partitions): a
#: partition under it moves to another level, or changes its bound while one under it is
#: dropped or made again, which its detach and attach cannot carry (those moving or
#: rebound keep their rows; the others under it are made again, empty)
_REBOUND = "made again: its bound changes while a partition under it moves or changes its bound too"


def _why(remade: bool, rebound: bool) -> list[str]:
    """The reason a partition is dropped and made again, if it is."""
    return [_REMADE] if remade else [_REBOUND] if rebound else []


#: (a partition of the operation's tree, the parent it has on the other side: where a
#: drop's goes, where a create's comes from), for each that moves between levels.
Moves = tuple[tuple[str, str], ...]


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _moves_said(own: str, moves: Moves, drop: bool) -> list[str]:
    """How a drop or a create moves partitions between levels (PostgreSQL moves none in
    place: each is made again, empty, where it goes), one phrase per other parent."""
    said = []
    for other in sorted({parent for _, parent in moves}):
        names = [name for name, parent in moves if parent == other]
        verb = "move" if len(names) > 1 else "moves"
        who = "moves" if names == [own] else f"{_and(names)} {verb}"
        if drop:
            said.append(f"{who} to {other}: made again there, empty")
        else:
            said.append(f"{who} here from {other}, made again empty")
    return said


def _describe_bound(partition: Partition) -> str:
    if partition.partition_by is None:
        return partition.bound_sql()
    return f"{partition.bound_sql()}, partitioned by {partition.partition_by.sql()}"


@dataclass(frozen=True)
class _PartitionMade(Operation):
    """What a partition's create and drop share: each carries what the other needs."""

    table: str  # the partitioned table (the entity's)
    partition: Partition
    concurrently: bool = False  # dropped DETACH CONCURRENTLY; created IF NOT EXISTS (online)
    # the partitions it is a partition of, from the table's own down; () for the table's
    within: tuple[str, ...] = ()
    # made again with its own partitions: its partition key changes (PostgreSQL cannot
    # change one), or it becomes or stops being partitioned in turn
    remade: bool = False
    # made again with its own partitions (and without their rows): its bound changes
    rebound: bool = False
    # it or partitions of its own that move between levels and cannot keep their rows
    # (their bound or key changes too): made again, empty, where they go
    moves: Moves = ()
    # of a partition that moves with its rows: made or dropped under it once it is
    # attached where it goes (in the transaction, after the attach)
    after_move: bool = False
    # the DEFAULT partition beside it that holds rows (there on both sides), which
    # PostgreSQL locks and reads as it makes it (a create; a drop's: the downgrade's
    # create), for rows of its bound
    beside: str = ""
    # ``beside`` holds a check excluding its bound, validated ahead (:class:`AddBoundCheck`
    # with ``made``): the create reads none of its rows, and drops the check
    spared: bool = False
    # ``spared``, but the check is dropped by the online stage after the main revision
    # (:class:`DropBoundCheck` with ``after_create``), not by the create: ``beside`` is
    # partitioned in turn, and the drop recurses to each of its partitions under ACCESS
    # EXCLUSIVE, which the main transaction would hold to its end
    check_after: bool = False

    @property
    def online(self) -> bool:
        return self.concurrently

    @property
    def parent(self) -> str:
        """The table it is a partition of (the entity's, or a partition of it)."""
        return parent_table(self.table, self.within)

    @property
    def own_locks(self) -> int:
        return _partition_locks(self.partition)


@dataclass(frozen=True)
class CreatePartition(_PartitionMade):
    """``CREATE TABLE p PARTITION OF parent FOR VALUES ...``, and for a partition
    partitioned in turn its own partitions after it."""

    def reverse(self) -> Operation:
        return as_kind(self, DropPartition)

    def describe(self) -> str:
        bound = _describe_bound(self.partition)
        why = _why(self.remade, self.rebound)
        why += _moves_said(self.partition.name, self.moves, drop=False)
        again = "".join(f"; {said}" for said in why)
        return f"+ partition {self.partition.name} of {self.parent} ({bound}{again})"

    def apply(self, schema: Schema) -> Schema:
        return _with_partitions(
            schema, self.table, self.within, lambda parts: (*parts, self.partition)
        )


@dataclass(frozen=True)
class DropPartition(_PartitionMade):
    """Drop one partition and its rows (a partition partitioned in turn: with its own
    partitions); carries the bound for the downgrade (which creates the partition
    again, empty)."""

    def reverse(self) -> Operation:
        return as_kind(self, CreatePartition)

    def describe(self) -> str:
        how = _why(self.remade, self.rebound)
        how += _moves_said(self.partition.name, self.moves, drop=True)
        how += ["DETACH CONCURRENTLY, then DROP"] if self.concurrently else []
        said = f" ({'; '.join(how)})" if how else ""
        return f"- partition {self.partition.name} of {self.parent}{said}"

    def apply(self, schema: Schema) -> Schema:
        return _with_partitions(
            schema, self.table, self.within, lambda parts: by_name(parts, self.partition.name)
        )

    def risk(self) -> str | None:
        if self.partition.partition_by is not None and not self.partition.partitions:
            return None  # partitioned with no partition (they moved away): it holds no row
        own = [p.name for _, p in partition_tree(self.partition.partitions)]
        with_own = f", its partitions {', '.join(own)}," if own else ""
        said = _why(self.remade, self.rebound)
        said += _moves_said(self.partition.name, self.moves, drop=True)
        why = f" ({'; '.join(said)})" if said else ""
        return (
            f"drops partition {self.partition.name} of {self.parent}{with_own} and "
            f"{'their' if own else 'its'} rows{why}"
        )


@dataclass(frozen=True)
class _PartitionMoved(Operation):
    """What a moved partition's detach and attach share: the partition (its bound and
    its own partitions, the same on both sides), where it is attached (``within``) and
    where it is on the other side of the move (``elsewhere``)."""

    table: str
    partition: Partition
    within: tuple[str, ...] = ()
    elsewhere: tuple[str, ...] = ()
    #: its bound on the other side of the move where it differs (``FOR VALUES ...``):
    #: a detach's where it is attached again, an attach's where it was detached
    other_bound: str = ""
    #: the foreign keys that reference the table on both sides of the move, each
    #: (name, its table), sorted: a row of theirs referencing one of the partition's
    #: refuses its detach (the plan line says so)
    referenced_by: tuple[tuple[str, str], ...] = ()
    #: the partitions above it whose bound changes with its own (each detached after
    #: it, attached before it): it holds their checks (:class:`AddBoundCheck`, made on
    #: them and so on it) from its detach on, which its attach drops
    carried: tuple[str, ...] = ()
    #: the DEFAULT partition beside it where it is attached (a detach's: where the
    #: downgrade attaches it again), which PostgreSQL reads under ACCESS EXCLUSIVE at the
    #: attach for rows of its bound, unless ``spared``
    beside: str = ""
    #: ``beside`` holds a check excluding its new bound, validated ahead
    #: (:class:`AddBoundCheck`): the attach reads none of its rows, and drops the check
    spared: bool = False
    #: PostgreSQL proves its bound from its check where it is attached: not a new bound
    #: under a range key over several columns (:func:`proves_bound`), where the attach
    #: may read its rows all the same
    proven: bool = True
    #: it holds its check (:class:`AddBoundCheck`) where it is attached, which the attach
    #: drops: not where the check would prove nothing (:attr:`_BoundCheck.serves`)
    checked: bool = True

    @property
    def parent(self) -> str:
        """The table it leaves (a detach) or joins (an attach)."""
        return parent_table(self.table, self.within)

    @property
    def other_parent(self) -> str:
        """The table it joins (a detach) or came from (an attach)."""
        return parent_table(self.table, self.elsewhere)

    @property
    def own_locks(self) -> int:
        return _partition_locks(self.partition)


@dataclass(frozen=True)
class DetachPartition(_PartitionMoved):
    """``ALTER TABLE parent DETACH PARTITION p``, in the transaction: the first half of
    a move between levels of the partition tree, which PostgreSQL makes in no one
    statement. The partition stays a table with its rows, indexes and constraints
    until :class:`AttachPartition` attaches it where it goes, later in the same
    transaction (so no reader sees it missing). Not CONCURRENTLY: that commits, and
    its rows would be out of the table until the attach."""

    def reverse(self) -> Operation:
        return as_kind(self, AttachPartition)

    def describe(self) -> str:
        keys = ", ".join(f"{name} of {table}" for name, table in self.referenced_by)
        # PostgreSQL refuses the detach while a row references one of the partition's,
        # which only the database knows: the revision then fails, naming the key
        refused = f"; refused while a row of foreign key {keys} references one of its rows"
        goes = (
            f"to move under {self.other_parent}"
            if self.other_parent != self.parent
            else "to be attached again"
        )
        bound = f" with {self.other_bound}" if self.other_bound else ""
        return (
            f"~ partition {self.partition.name} detached from {self.parent} {goes}{bound}, "
            f"its rows kept{refused if keys else ''}"
        )

    def apply(self, schema: Schema) -> Schema:
        return _with_partitions(
            schema, self.table, self.within, lambda parts: by_name(parts, self.partition.name)
        )


@dataclass(frozen=True)
class AttachPartition(_PartitionMoved):
    """``ALTER TABLE parent ATTACH PARTITION p FOR VALUES ...``: the second half of a
    move or of a change of bound (:class:`DetachPartition`), with the bound ``partition``
    has here. PostgreSQL reads the partition to prove its rows within the new place's
    bounds (its own and those of the partitions above it) unless a validated CHECK
    implies them, and a DEFAULT partition beside it (``beside``) to prove none of its
    rows in the bound unless a validated CHECK of its own excludes them (``spared``:
    made by :class:`AddBoundCheck`, dropped here after the attach); it takes the
    partition's indexes that match the new parent's and builds the others. A row
    outside fails the revision, which rolls back whole."""

    def reverse(self) -> Operation:
        return as_kind(self, DetachPartition)

    def describe(self) -> str:
        bound = _describe_bound(self.partition)
        moved = self.other_parent != self.parent
        came = f"moved from {self.other_parent} with its rows" if moved else "with its rows"
        was = f"its bound was {self.other_bound}, " if self.other_bound else ""
        again = "" if moved else " again"
        return (
            f"~ partition {self.partition.name} attached to {self.parent}{again} ({bound}), "
            f"{was}{came}"
        )

    def apply(self, schema: Schema) -> Schema:
        return _with_partitions(
            schema, self.table, self.within, lambda parts: (*parts, self.partition)
        )


def bound_provable(partition: Partition) -> bool:
    """Whether a CHECK can imply ``partition``'s bound where it is attached: a range or
    list bound is the same expression under any parent (the partition's constraint where
    it is, or the bound's condition where it changes: :func:`bound_condition`); a hash
    bound names its parent, a DEFAULT one its siblings."""
    return not partition.default and partition.modulus is None


#: The end of the name :func:`bound_check_name` gives (what check and the revisions'
#: refusals know such a check by).
MOVE_BOUND = "_move_bound"


def bound_check_name(partition: str) -> str:
    """The CHECK a moved partition holds while it moves (:class:`AddBoundCheck`), of at
    most 63 bytes (PostgreSQL's identifier length)."""
    return f"{partition.encode()[:52].decode(errors='ignore')}{MOVE_BOUND}"


@dataclass(frozen=True)
class _BoundCheck(Operation):
    """What the check that proves a moved partition's bound ahead shares: the partition
    (keyed as :class:`DetachPartition`'s, ``within`` its place when the step runs) and the
    stage it runs in, outside a transaction: ``drops`` (before the main revision) or
    ``online`` (after it), each step idempotent."""

    table: str
    partition: str  # its name
    within: tuple[str, ...] = ()
    stage: str = "drops"
    #: the bound the check proves where the partition's changes (its partition, bound
    #: and all, and the key of the parent it is attached to with it): the check holds
    #: the partition's constraint where it is and that bound's condition
    #: (:func:`~schemagen.model.bounds.bound_condition`); ``None``: the constraint alone
    bound: Partition | None = None
    key: PartitionKey | None = None
    #: the DEFAULT partition beside it where it is attached, whose rows its bound there
    #: may not hold (counted first); it holds a check of :attr:`name` excluding the
    #: bound meanwhile (:meth:`excluded`)
    beside: str = ""
    #: a partition moved with its bound: that bound (``key`` its new parent's), which the
    #: DEFAULT partition ``beside`` it there is kept out of
    placed: Partition | None = None
    #: the rows the bounds of the partitions above it where it is attached hold, as SQL,
    #: where they are not above it where it is (a new parent narrower than its bound):
    #: the check holds that too, so that PostgreSQL proves its whole new place from it
    above: str = ""
    #: PostgreSQL proves the attach's whole new place from the check (as
    #: :attr:`AttachPartition.proven`): not where a bound there is a hash one or under a
    #: range key over several columns (:func:`proves_bound`), which the check cannot say
    #: in PostgreSQL's form; it then proves the rows it can ahead, and the attach reads
    #: them under lock all the same
    proven: bool = True
    #: the partition beside the DEFAULT one where it is now (itself, rebound in place,
    #: or one above it it moves up from) whose bound holds all of its bound there
    #: (:func:`~schemagen.model.bounds.bound_within`): the DEFAULT partition :attr:`beside`
    #: holds no row of it (PostgreSQL routes them to that one), so its rows there are
    #: not counted first; ``""`` where none is known to
    held_by: str = ""
    #: the partition is made by the main revision (``CREATE TABLE ... PARTITION OF``,
    #: :attr:`CreatePartition.spared`) beside the DEFAULT partition :attr:`beside`, with
    #: the bound :attr:`placed`: not there yet, it holds no check; the DEFAULT partition's
    #: alone spares the create its read of the DEFAULT's rows
    made: bool = False
    #: of a ``made`` check, in the online stage: dropped after the main revision's create,
    #: which leaves it (:attr:`CreatePartition.check_after`), as its reverse makes it
    #: again before the main downgrade's drop of the partition
    after_create: bool = False

    @property
    def online(self) -> bool:
        return True

    @property
    def name(self) -> str:
        """The check's name."""
        return bound_check_name(self.partition)

    @property
    def parent(self) -> str:
        """The partition's parent when the step runs."""
        return parent_table(self.table, self.within)

    def condition(self) -> str | None:
        """The rows the new bound (:attr:`bound`) and the bounds :attr:`above` it hold,
        as SQL, or ``None`` where neither changes."""
        own = ""
        if self.bound is not None and self.key is not None:
            own = bound_condition(self.key, self.bound)
        return " AND ".join(c for c in (own, self.above) if c) or None

    def excluded(self) -> str | None:
        """The rows the DEFAULT partition :attr:`beside` it may not hold, as SQL: those
        of its bound where it is attached (:attr:`bound`, else :attr:`placed`), or
        ``None`` where there is no such DEFAULT partition."""
        bound = self.bound or self.placed
        if not self.beside or bound is None or self.key is None:
            return None
        return bound_condition(self.key, bound)

    @property
    def serves(self) -> bool:
        """Whether the check does anything for the attach it is made for: spares its read
        (:attr:`proven`), refuses rows ahead (:meth:`condition`: a new bound, or new
        bounds above it), or keeps a DEFAULT partition's rows out (:attr:`kept_out`). A
        partition's constraint where it is alone, which its rows hold already, proves
        nothing PostgreSQL does not read again at the attach (its validation would read
        the partition for nothing)."""
        return self.proven or self.condition() is not None or self.kept_out

    @property
    def kept_out(self) -> bool:
        """Whether the DEFAULT partition :attr:`beside` it gets the check excluding its
        bound: where PostgreSQL proves the bound from it (:func:`proves_bound`); else its
        rows of the bound are only counted, and the attach reads it."""
        return self.excluded() is not None and self.key is not None and proves_bound(self.key)

    def apply(self, schema: Schema) -> Schema:
        return schema  # a step of a move, not of the schema: the attach drops it


#: Why the attach a check serves reads the partition all the same, where PostgreSQL
#: proves no bound of the new place from it (:attr:`_BoundCheck.proven`).
_READ_ANYWAY = (
    "its attach reads them under lock all the same: PostgreSQL proves no hash bound, nor "
    "one over several key columns, from a check"
)


@dataclass(frozen=True)
class AddBoundCheck(_BoundCheck):
    """``ADD CONSTRAINT p_move_bound CHECK (<the partition constraint of its place now>)
    NOT VALID``, then ``VALIDATE``: PostgreSQL's way to spare an ``ATTACH PARTITION``
    its scan (it reads no row where a validated CHECK implies the new bound), proven
    here outside the transaction under SHARE UPDATE EXCLUSIVE on the partition (writes
    go on), instead of by the attach under ACCESS EXCLUSIVE. Before the main revision
    for the upgrade's attach; the reverse of the online stage's drop, for the
    downgrade's. The constraint is PostgreSQL's own (``pg_get_partition_constraintdef``),
    so it holds for any bound; where it does not imply the new place's (a new parent
    narrower than the partition's bound), the check holds the condition of the bounds
    above it there too (:attr:`above`), refused and counted where a row is outside them.
    Beside a DEFAULT partition (``beside``), which the attach reads too for rows of the
    new bound, a check of the same name on that partition says none of its rows is in
    the bound (``NOT`` its condition), made and validated the same way, so the attach
    reads neither."""

    def reverse(self) -> Operation:
        return as_kind(self, DropBoundCheck)

    def _default_said(self) -> str:
        """What its plan line says of the DEFAULT partition :attr:`beside` it: its rows
        of the bound counted first (refused), unless :attr:`held_by` says it holds none,
        and the check made on it (:attr:`kept_out`)."""
        kept_out = (
            ", which a check of the same name on it refuses from then on (validated ahead "
            "too: the attach reads none of its rows)"
            if self.kept_out
            else ""
        )
        where = " where it goes" if self.bound is None else ""
        if not self.beside or (self.bound is None and not kept_out):
            return ""
        if self.held_by:  # none to count first
            routed = f"PostgreSQL routes them to {self.held_by} where it is"
            return (
                f"; DEFAULT partition {self.beside}{where} holds no row of it ({routed}){kept_out}"
                if kept_out
                else ""
            )
        bound = "its bound" if self.bound is None else "that bound"
        said = f"; refused while DEFAULT partition {self.beside}{where} holds a row of {bound}"
        return f"{said}{kept_out}"

    def describe(self) -> str:
        if self.made:
            assert self.placed is not None  # a made partition's bound
            return (
                f"+ check {self.name} on DEFAULT partition {self.beside}: none of its rows in "
                f"the bound of partition {self.partition} made beside it "
                f"({self.placed.bound_sql()}), validated ahead so that the create reads none "
                f"of its rows under lock; refused while it holds a row of that bound, and such "
                "rows from then on"
            )
        if self.bound is None:
            there = " and the bounds above it where it goes" if self.above else ""
            there += " that a check can say" if there and not self.proven else ""
            why = (
                "so that its move reads no row under lock"
                if self.proven
                else f"to refuse its rows outside its new place before the main revision "
                f"({_READ_ANYWAY})"
            )
            return (
                f"+ check {self.name} on partition {self.partition}: its bound under "
                f"{self.parent}{there}, validated ahead {why}{self._default_said()}"
            )
        # a narrower bound: rows outside it, which the old took, are refused from then on;
        # the DEFAULT partition's rows of a wider one likewise, by its own check
        beside = self._default_said()
        why = (
            "so that its attach reads no row under lock (a new row outside it is refused "
            "from then on)"
            if self.proven
            else "to refuse its rows outside it before the main revision, and new ones from "
            f"then on ({_READ_ANYWAY})"
        )
        return (
            f"+ check {self.name} on partition {self.partition}: its new bound "
            f"({self.bound.bound_sql()}), validated ahead {why}{beside}"
        )


@dataclass(frozen=True)
class DropBoundCheck(_BoundCheck):
    """Drop the check :class:`AddBoundCheck` made, where it is left (the attach drops
    it in its transaction): the online stage's, whose reverse makes it for the
    downgrade's attach, or (``made``) for the downgrade's create of a partition the
    upgrade drops beside a DEFAULT partition."""

    def reverse(self) -> Operation:
        return as_kind(self, AddBoundCheck)

    def describe(self) -> str:
        if self.after_create:
            return (
                f"- check {self.name} on DEFAULT partition {self.beside}, after the main "
                f"revision made partition {self.partition} beside it: its drop locks each "
                "partition of the DEFAULT partition ACCESS EXCLUSIVE, which the main "
                "transaction would hold to its end (meanwhile the check refuses no row: "
                f"those of the bound go to {self.partition})"
            )
        if self.made and self.stage == "online":
            # the upgrade's: its reverse makes it for the downgrade's create
            assert self.placed is not None  # the dropped partition's bound
            return (
                f"- check {self.name} on DEFAULT partition {self.beside}, where a downgrade "
                f"left it (the downgrade makes it ahead, its rows of the bound counted first, "
                f"so that making partition {self.partition} again "
                f"({self.placed.bound_sql()}) reads none of its rows under lock)"
            )
        if self.made:
            return f"- check {self.name} on DEFAULT partition {self.beside}, where a create left it"
        beside = f" and on {self.beside}" if self.kept_out else ""
        return f"- check {self.name} on partition {self.partition}{beside}, where a move left it"


def _partition_locks(partition: Partition) -> int:
    """Per partition (its own ones too): the parent, the partition, its TOAST table and
    index, and (an estimate) a few copies of the parent's keys and indexes."""
    return 8 * (1 + sum(1 for _ in partition_tree(partition.partitions)))
