"""Constraint and index operations (foreign keys, uniques, checks, indexes, renames)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from ..model import naming
from ..model.schema import (
    CheckConstraint,
    Entity,
    ExcludeConstraint,
    ForeignKey,
    Index,
    Schema,
    UniqueConstraint,
    sorted_named,
)
from ..model.sqltext import deferral_sql
from .base import Operation, by_name, with_replaced, with_table

Constraint = ForeignKey | UniqueConstraint | CheckConstraint | ExcludeConstraint
ConstraintKind = Literal["foreign_keys", "uniques", "checks", "excludes"]
_WORDS: dict[str, str] = {
    "foreign_keys": "foreign key",
    "uniques": "unique",
    "checks": "check",
    "excludes": "exclusion constraint",
    "primary_key": "primary key",
    "index": "index",
}


def kind_of(constraint: Constraint) -> ConstraintKind:
    """The Entity field that holds constraints of this type."""
    if isinstance(constraint, ForeignKey):
        return "foreign_keys"
    if isinstance(constraint, UniqueConstraint):
        return "uniques"
    if isinstance(constraint, ExcludeConstraint):
        return "excludes"
    return "checks"


@dataclass(frozen=True)
class AddConstraint(Operation):
    """``ALTER TABLE ... ADD CONSTRAINT`` (foreign key, unique or check).

    ``lock_safe``: on a table that already holds rows, added the way that keeps
    writes going, in the online stage: a foreign key or check ``NOT VALID`` then
    ``VALIDATE CONSTRAINT`` in its own transaction; a unique constraint as a
    concurrent unique index, then ``ADD CONSTRAINT ... UNIQUE USING INDEX``.
    An exclusion constraint has no such way (PostgreSQL has no ``NOT VALID`` for
    it and cannot attach an index to it): it is always built under the lock.

    ``partitioned`` (a unique, with ``lock_safe``): the table is partitioned, where
    PostgreSQL 15 builds no index CONCURRENTLY and attaches none ``USING INDEX``:
    each leaf partition's unique index is built ``CONCURRENTLY`` and made that
    partition's constraint ``USING INDEX`` (a brief lock on it), then the table's
    ``ADD CONSTRAINT ... UNIQUE`` attaches them instead of building any
    (:mod:`schemagen.revision.partition_uniques`).
    """

    table: str
    constraint: Constraint
    lock_safe: bool = False
    #: a unique added in the main transaction whose index :class:`PrebuildUniqueIndex`
    #: built concurrently before it: attached ``USING INDEX`` (no scan under the lock)
    prebuilt: bool = False
    partitioned: bool = False

    def reverse(self) -> Operation:
        return DropConstraint(
            self.table,
            self.constraint,
            self.lock_safe,
            self.prebuilt,
            self.partitioned,
            relations=self.relations,
        )

    def describe(self) -> str:
        how = ""
        if self.prebuilt:
            how = " (its index built concurrently before the transaction, attached USING INDEX)"
        elif not_validated(self.constraint):
            how = " (NOT VALID, left so: validated: false)"
        elif self.lock_safe and self.partitioned:
            how = " (each partition's unique index built concurrently, then attached)"
        elif self.lock_safe:
            how = (
                " (concurrent unique index)"
                if kind_of(self.constraint) == "uniques"
                else (" (NOT VALID, then VALIDATE)")
            )
        elif kind_of(self.constraint) == "excludes":
            how = " (builds its index under ACCESS EXCLUSIVE: an exclusion cannot be NOT VALID)"
        return f"+ {_WORDS[kind_of(self.constraint)]} {self.constraint.name} on {self.table}{how}"

    @property
    def online(self) -> bool:
        return self.lock_safe

    def apply(self, schema: Schema) -> Schema:
        kind = kind_of(self.constraint)

        def add(ent: Entity) -> Entity:
            items = sorted_named((*getattr(ent, kind), self.constraint))
            return _replace(ent, kind, items)

        return with_table(schema, self.table, add)


@dataclass(frozen=True)
class DropConstraint(Operation):
    """``ALTER TABLE ... DROP CONSTRAINT``; carries the definition for the downgrade.

    ``lock_safe``: the reverse of a lock-safe add (``DROP CONSTRAINT IF EXISTS``
    in the online stage)."""

    table: str
    constraint: Constraint
    lock_safe: bool = False
    prebuilt: bool = False  # its reverse's (a plain drop either way)
    partitioned: bool = False  # its reverse's (the same DROP CONSTRAINT IF EXISTS)

    def reverse(self) -> Operation:
        return AddConstraint(
            self.table,
            self.constraint,
            self.lock_safe,
            self.prebuilt,
            self.partitioned,
            relations=self.relations,
        )

    @property
    def online(self) -> bool:
        return self.lock_safe

    def describe(self) -> str:
        return f"- {_WORDS[kind_of(self.constraint)]} {self.constraint.name} on {self.table}"

    def apply(self, schema: Schema) -> Schema:
        kind = kind_of(self.constraint)

        def drop(ent: Entity) -> Entity:
            items = by_name(getattr(ent, kind), self.constraint.name)
            return _replace(ent, kind, items)

        return with_table(schema, self.table, drop)


@dataclass(frozen=True)
class ReplaceForeignKey(Operation):
    """A foreign key of a table that holds rows whose actions, ``MATCH`` or
    deferrability change (same name, columns and referenced columns), swapped
    with no moment without a key, in the online stage: one ``ALTER TABLE`` drops
    it and adds the new definition ``NOT VALID`` (every row written from then on
    is checked against it; brief ACCESS EXCLUSIVE locks on both tables, no
    scan), then ``VALIDATE CONSTRAINT`` checks the old rows under SHARE UPDATE
    EXCLUSIVE while writes go on. Dropped in one revision and added in a later
    one, the key would be missing in between: another session could write
    orphans there, and VALIDATE would fail on them half-way through the deploy.
    The reverse swaps back the same way, so the downgrade has no gap either. The
    new key may have a new name (a conventional name that followed a renamed
    table or column)."""

    table: str
    old: ForeignKey
    new: ForeignKey

    def reverse(self) -> Operation:
        return ReplaceForeignKey(self.table, self.new, self.old)

    @property
    def online(self) -> bool:
        return True

    @property
    def validates_only(self) -> bool:
        """Whether the one change is ``validated`` false -> true (same name and
        definition): ``VALIDATE CONSTRAINT`` alone, no swap."""
        return (
            not self.old.validated
            and self.new.validated
            and dataclasses.replace(self.old, validated=True) == self.new
        )

    def describe(self) -> str:
        renamed = f" (was {self.old.name})" if self.old.name != self.new.name else ""
        head = f"~ foreign key {self.new.name}{renamed} on {self.table}"
        if self.validates_only:
            return f"{head}: validated (was NOT VALID); VALIDATE checks the old rows"
        old, new = fk_rules(self.old), fk_rules(self.new)
        changed = ", ".join(
            f"{rule} {new[rule]} (was {old[rule]})".lstrip()
            for rule in new
            if new[rule] != old[rule]
        )
        if self.old.validated and not self.new.validated:
            changed = ", ".join(filter(None, (changed, "NOT VALID (was validated)")))
        then = "then VALIDATE" if self.new.validated else "left NOT VALID (validated: false)"
        return f"{head}: {changed}; swapped NOT VALID in one statement, {then}"

    def apply(self, schema: Schema) -> Schema:
        return with_replaced(schema, self.table, "foreign_keys", self.old.name, self.new)


@dataclass(frozen=True)
class AlterForeignKeyDeferral(Operation):
    """A foreign key whose only change is its deferrability (same name and all
    else): ``ALTER TABLE ... ALTER CONSTRAINT ... [NOT] DEFERRABLE INITIALLY ...``
    in the transaction. The same constraint stays (no drop, no ``NOT VALID``, no
    ``VALIDATE``): PostgreSQL changes its catalog row and its triggers, taking
    ACCESS EXCLUSIVE on the table for as long, and reads no row of either table."""

    table: str
    old: ForeignKey
    new: ForeignKey

    def reverse(self) -> Operation:
        return AlterForeignKeyDeferral(self.table, self.new, self.old)

    def describe(self) -> str:
        return (
            f"~ foreign key {self.new.name} on {self.table}: {fk_rules(self.new)['']} (was "
            f"{fk_rules(self.old)['']}); altered in place, no scan"
        )

    def apply(self, schema: Schema) -> Schema:
        return with_replaced(schema, self.table, "foreign_keys", self.old.name, self.new)


def deferral_only(old: ForeignKey, new: ForeignKey) -> bool:
    """Whether ``new`` differs from ``old`` in its deferrability alone (one name)."""
    same = dataclasses.replace(
        old, deferrable=new.deferrable, initially_deferred=new.initially_deferred
    )
    return old != new and same == new


@dataclass(frozen=True)
class ReplaceCheck(Operation):
    """A check of a table that holds rows whose expression changes (same name),
    swapped as :class:`ReplaceForeignKey` swaps a key: one ``ALTER TABLE`` drops it
    and adds the new expression ``NOT VALID`` (rows written from then on are
    checked; a brief ACCESS EXCLUSIVE lock, no scan), then ``VALIDATE`` in its own
    transaction. A check whose columns an enum rebuild of the same plan retypes is
    dropped and added instead (:mod:`schemagen.diff.online`).

    ``validated`` changes too: a check declared ``validated: false`` is swapped
    ``NOT VALID`` and left so (no ``VALIDATE``); one whose only change is
    ``validated`` false -> true is validated in place (:attr:`validates_only`:
    ``VALIDATE CONSTRAINT`` alone, no swap). Back to false is the swap without
    ``VALIDATE`` (PostgreSQL cannot mark a valid constraint NOT VALID again; the
    rows are not touched)."""

    table: str
    old: CheckConstraint
    new: CheckConstraint

    def reverse(self) -> Operation:
        return ReplaceCheck(self.table, self.new, self.old)

    @property
    def online(self) -> bool:
        return True

    @property
    def validates_only(self) -> bool:
        """Whether the one change is ``validated`` false -> true (same expression)."""
        return self.old.expression == self.new.expression and (
            not self.old.validated and self.new.validated
        )

    def describe(self) -> str:
        if self.validates_only:
            return (
                f"~ check {self.new.name} on {self.table}: validated (was NOT VALID); "
                "VALIDATE checks the old rows"
            )
        change = f"({self.new.expression}) (was ({self.old.expression}))"
        if self.old.expression == self.new.expression:
            change = "NOT VALID (was validated)"
        then = "then VALIDATE" if self.new.validated else "left NOT VALID (validated: false)"
        return (
            f"~ check {self.new.name} on {self.table}: {change}; swapped NOT VALID in one "
            f"statement, {then}"
        )

    def apply(self, schema: Schema) -> Schema:
        return with_replaced(schema, self.table, "checks", self.old.name, self.new)


def not_validated(c: Constraint) -> bool:
    """Whether ``c`` is a check or foreign key declared ``validated: false`` (left
    NOT VALID)."""
    return isinstance(c, CheckConstraint | ForeignKey) and not c.validated


def fk_rules(fk: ForeignKey) -> dict[str, str]:
    """What a key does beyond its columns, PostgreSQL's defaults spelt out:
    ``{"MATCH": "SIMPLE", "ON DELETE": "NO ACTION", ...}``."""
    return {
        "MATCH": fk.match or "SIMPLE",
        "ON DELETE": fk.on_delete or "NO ACTION",
        "ON UPDATE": fk.on_update or "NO ACTION",
        "": deferral_sql(fk).strip() or "NOT DEFERRABLE",
    }


def swappable(old: ForeignKey, new: ForeignKey) -> bool:
    """Whether ``new`` may replace ``old`` through :class:`ReplaceForeignKey`: the
    same columns referencing the same columns (its name may differ)."""
    keep = ("columns", "ref_table", "ref_columns")
    return all(getattr(old, f) == getattr(new, f) for f in keep)


def deferral_words(uq: UniqueConstraint) -> str:
    """``NOT DEFERRABLE``, ``DEFERRABLE`` or ``DEFERRABLE INITIALLY DEFERRED``."""
    return deferral_sql(uq).strip() or "NOT DEFERRABLE"


@dataclass(frozen=True)
class AlterUniqueDeferral(Operation):
    """A unique constraint that only changes its deferrability: dropped and added
    again in one transaction. ``ALTER CONSTRAINT`` changes the deferrability of
    foreign keys only, so its index is built again under ACCESS EXCLUSIVE; the
    transaction leaves no moment without the constraint."""

    table: str
    old: UniqueConstraint
    new: UniqueConstraint

    def reverse(self) -> Operation:
        return AlterUniqueDeferral(self.table, self.new, self.old)

    def describe(self) -> str:
        return (
            f"~ unique {self.new.name} on {self.table}: {deferral_words(self.new)} (was "
            f"{deferral_words(self.old)}; dropped and added in one transaction under "
            "ACCESS EXCLUSIVE, its unique index rebuilt: PostgreSQL alters the "
            "deferrability of foreign keys only)"
        )

    def apply(self, schema: Schema) -> Schema:
        return with_replaced(schema, self.table, "uniques", self.old.name, self.new)


@dataclass(frozen=True)
class ReplaceUnique(Operation):
    """A unique constraint whose columns change (under one name or a new one),
    swapped with no moment without it. ``lock_safe`` (a table that holds rows), in
    the online stage: the new unique index is built ``CONCURRENTLY`` while the old
    constraint still holds (every row written from the start of the build is
    checked against both), then one ``ALTER TABLE`` drops the old constraint and
    adds the new one ``USING INDEX`` (a brief ACCESS EXCLUSIVE lock, no scan).
    Dropped in one revision and added in a later one, it would be missing in
    between: another session could write duplicates, and the build would then
    fail on them half-way through the deploy. Where the new columns do not hold
    the old ones, the rows are first searched for repeated keys, so that a
    failure names the constraint and the rows. Under one name, the index is built
    under a name of its own (:func:`swap_index_name`), which ``USING INDEX`` renames.

    Not ``lock_safe`` (a partitioned table, or a new unique that a foreign key
    of the main transaction references): the old dropped and the new added in one
    ``ALTER TABLE`` of the main transaction, its index built under the lock.

    ``early``: the old columns hold one the plan drops (the new ones are among
    those it keeps). The main transaction's ``DROP COLUMN`` takes the old
    constraint with it, so the swap runs before: ``lock_safe``, in the drops
    stage before the main transaction (:mod:`schemagen.diff.drops`, under the
    previous revision's names), whose downgrade swaps back once the main
    downgrade has restored the column; else before the drop in the transaction.
    One whose new columns are not among the old ones (unique(store_id, legacy)
    -> unique(store_id, variant)) is never ``lock_safe``: swapped before the main
    transaction, the old would be missing while its column is still there, and
    the new index cannot be built before that transaction adds a new column. So
    the swap is in that transaction, after the ``ADD COLUMN`` of a new column and
    before the ``DROP COLUMN`` (:mod:`schemagen.diff.ordering`). In the
    transaction, too, rows that repeat the new columns are searched for first,
    so that a failure names the constraint and a query that lists them.

    ``prebuilt``: the side (``"new"`` or ``"old"``) whose unique index
    :class:`PrebuildUniqueIndex` built ``CONCURRENTLY`` before the main
    transaction: a swap in it whose new columns the table has already
    (unique(store_id, legacy) -> unique(store_id, variant), variant there; one a
    new table's foreign key needs at once; not a partitioned table's) attaches
    that index ``USING INDEX`` (a brief lock, no scan) instead of building it
    under ACCESS EXCLUSIVE, which holds every reader for the whole build. The
    reverse swaps back to the other side, which is built in its transaction;
    ``"both"``: the old side's index is built concurrently before the downgrade
    too (the old columns stay: a :class:`PrebuildUniqueIndex` of the online
    stage, whose downgrade runs first), so each direction attaches its index."""

    table: str
    old: UniqueConstraint
    new: UniqueConstraint
    lock_safe: bool = True
    early: bool = False
    prebuilt: Literal["", "new", "old", "both"] = ""

    def reverse(self) -> Operation:
        side: dict[str, Literal["", "new", "old", "both"]] = {
            "": "",
            "new": "old",
            "old": "new",
            "both": "both",
        }
        return ReplaceUnique(
            self.table, self.new, self.old, self.lock_safe, self.early, side[self.prebuilt]
        )

    @property
    def index(self) -> str:
        """The name the new unique index is built under: the new constraint's, or
        :func:`swap_index_name` of it while the old one's index has that name."""
        return self.new.name if self.new.name != self.old.name else swap_index_name(self.new.name)

    @property
    def online(self) -> bool:
        return self.lock_safe

    @property
    def checks_rows(self) -> bool:
        """Whether rows may repeat the new columns while the old constraint holds:
        unless the new columns hold every old one (then two rows equal in the new
        columns, none NULL, would be equal in the old ones too)."""
        return not set(self.old.columns) <= set(self.new.columns)

    def describe(self) -> str:
        renamed = f" (was {self.old.name})" if self.old.name != self.new.name else ""
        how = (
            "new unique index built concurrently, then swapped in one statement"
            if self.lock_safe
            else "dropped and added in one statement, its index built under the lock"
        )
        if self.prebuilt in ("new", "both"):
            how = (
                f"dropped and added in one statement USING INDEX {self.index}, built "
                "concurrently before the transaction"
            )
        return (
            f"~ unique {self.new.name}{renamed} on {self.table}: "
            f"({', '.join(self.new.columns)}) (was ({', '.join(self.old.columns)})); {how}"
        )

    def apply(self, schema: Schema) -> Schema:
        return with_replaced(schema, self.table, "uniques", self.old.name, self.new)


@dataclass(frozen=True)
class PrebuildUniqueIndex(Operation):
    """The unique index that ``attach`` (of the main transaction: a
    :class:`ReplaceUnique` ``prebuilt`` ``"new"``, or an :class:`AddConstraint`
    of a unique, ``prebuilt``) attaches ``USING INDEX``, built ``CONCURRENTLY``
    before it, in the drops stage, under the previous revision's table and column
    names (while a swap's old constraint holds): rows that repeat its columns are
    searched for first, an INVALID index a failed build left is dropped first (a
    rerun builds it again). Nothing in the schema changes until it is attached.

    ``undo``: its reverse, the drops revision's downgrade, which runs after the
    main one undid the attach (and so dropped the index with the constraint):
    ``DROP INDEX CONCURRENTLY IF EXISTS``, which finds it only where the main
    upgrade never ran.

    ``stage`` ``"online"``: the index that the main *downgrade* attaches (``attach``
    is the reverse of a swap ``prebuilt`` ``"both"``), built by the online
    revision's downgrade, which runs before the main one; that revision's upgrade
    is the ``undo``, which finds it only where a downgrade stopped half-way."""

    attach: ReplaceUnique | AddConstraint
    undo: bool = False
    stage: Literal["drops", "online"] = "drops"

    @property
    def table(self) -> str:
        return self.attach.table

    @property
    def new(self) -> UniqueConstraint:
        """The constraint the index is built for."""
        if isinstance(self.attach, ReplaceUnique):
            return self.attach.new
        assert isinstance(self.attach.constraint, UniqueConstraint)
        return self.attach.constraint

    @property
    def held_by(self) -> UniqueConstraint | None:
        """The constraint that holds meanwhile (a swap's old one)."""
        return self.attach.old if isinstance(self.attach, ReplaceUnique) else None

    @property
    def index(self) -> str:
        """The name the index is built under."""
        return self.attach.index if isinstance(self.attach, ReplaceUnique) else self.new.name

    @property
    def checks_rows(self) -> bool:
        """Whether rows may repeat its columns (see :attr:`ReplaceUnique.checks_rows`)."""
        return self.attach.checks_rows if isinstance(self.attach, ReplaceUnique) else True

    def reverse(self) -> Operation:
        return PrebuildUniqueIndex(self.attach, not self.undo, self.stage)

    @property
    def online(self) -> bool:
        return True

    def describe(self) -> str:
        cols = ", ".join(self.new.columns)
        if self.undo and self.stage == "online":
            return (
                f"- unique index {self.index} on {self.table} ({cols}), built for a "
                "downgrade that stopped half-way, if still there"
            )
        if self.undo:
            return f"- unique index {self.index} on {self.table} ({cols}), if still there"
        how = "swaps in" if isinstance(self.attach, ReplaceUnique) else "adds"
        main = "main downgrade" if self.stage == "online" else "main revision"
        return (
            f"+ unique index {self.index} on {self.table} ({cols}), built concurrently "
            f"for {self.new.name}, which the {main} {how} USING INDEX"
        )

    def apply(self, schema: Schema) -> Schema:
        return schema


def swap_index_name(name: str) -> str:
    """The name :class:`ReplaceUnique` builds the new index of constraint ``name``
    under while the old constraint's index still has it: ``name_swap``, ``name``
    cut (never inside a character) so that it stays within PostgreSQL's 63 bytes."""
    suffix = "_swap"
    room = naming.MAX_IDENTIFIER_BYTES - len(suffix)
    cut = name.encode()[:room].decode(errors="ignore")
    return cut + suffix


@dataclass(frozen=True)
class CreateIndex(Operation):
    """``CREATE INDEX``; ``concurrently`` builds it outside the transaction.

    ``partitioned`` (with ``concurrently``): the table is partitioned, which
    PostgreSQL 15 indexes CONCURRENTLY only piece by piece: ``CREATE INDEX ... ON
    ONLY`` the table (an INVALID index, at once), then each partition's index
    CONCURRENTLY, attached to it (:mod:`schemagen.revision.partition_indexes`)."""

    table: str
    index: Index
    concurrently: bool = False
    partitioned: bool = False

    def reverse(self) -> Operation:
        return DropIndex(self.table, self.index, self.concurrently, self.partitioned)

    @property
    def online(self) -> bool:
        return self.concurrently

    def describe(self) -> str:
        how = " (concurrently)" if self.concurrently else ""
        if self.partitioned:
            how = " (concurrently, partition by partition)"
        return f"+ index {self.index.name} on {self.table}{how}"

    @property
    def checks_rows(self) -> bool:
        """Whether rows are searched for repeated keys before the build: a unique
        index, whatever its keys' shape (revision.validation.repeated_index_rows_sql)."""
        return self.index.unique

    def apply(self, schema: Schema) -> Schema:
        def add(ent: Entity) -> Entity:
            return dataclasses.replace(ent, indexes=sorted_named((*ent.indexes, self.index)))

        return with_table(schema, self.table, add)


@dataclass(frozen=True)
class DropIndex(Operation):
    """``DROP INDEX``; carries the definition for the downgrade.

    ``partitioned`` (with ``concurrently``): the downgrade of a partitioned
    table's index built partition by partition, in the online stage: a plain
    ``DROP INDEX IF EXISTS`` (PostgreSQL 15 drops no partitioned index
    CONCURRENTLY), which drops the partitions' indexes with it."""

    table: str
    index: Index
    concurrently: bool = False
    partitioned: bool = False

    def reverse(self) -> Operation:
        return CreateIndex(self.table, self.index, self.concurrently, self.partitioned)

    @property
    def online(self) -> bool:
        return self.concurrently

    def describe(self) -> str:
        how = " (concurrently)" if self.concurrently and not self.partitioned else ""
        return f"- index {self.index.name} on {self.table}{how}"

    def apply(self, schema: Schema) -> Schema:
        def drop(ent: Entity) -> Entity:
            return dataclasses.replace(ent, indexes=by_name(ent.indexes, self.index.name))

        return with_table(schema, self.table, drop)


RenameKind = Literal["primary_key", "foreign_keys", "uniques", "checks", "excludes", "index"]


@dataclass(frozen=True)
class RenameConstraint(Operation):
    """Rename a constraint or index whose definition is unchanged (a name that
    followed a renamed table or column, or a changed naming convention)."""

    table: str
    kind: RenameKind
    old: str
    new: str

    def reverse(self) -> Operation:
        return RenameConstraint(self.table, self.kind, self.new, self.old)

    def describe(self) -> str:
        return f"~ {_WORDS[self.kind]} {self.old} renamed to {self.new} on {self.table}"

    def apply(self, schema: Schema) -> Schema:
        return with_table(schema, self.table, self._rename)

    def _rename(self, ent: Entity) -> Entity:
        if self.kind == "primary_key":
            pk = dataclasses.replace(ent.primary_key, name=self.new)
            return dataclasses.replace(ent, primary_key=pk)
        field = "indexes" if self.kind == "index" else self.kind
        items = tuple(
            dataclasses.replace(item, name=self.new) if item.name == self.old else item
            for item in getattr(ent, field)
        )
        return _replace(ent, field, sorted_named(items))


def _replace(ent: Entity, field: str, items: tuple[Any, ...]) -> Entity:
    changes: dict[str, Any] = {field: items}
    return dataclasses.replace(ent, **changes)
