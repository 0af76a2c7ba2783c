"""Table and column operations."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..model.casts import cast_context, is_safe_change
from ..model.naming import in_schema_of
from ..model.schema import (
    NO_PRIMARY_KEY,
    Column,
    Default,
    Entity,
    ExcludeConstraint,
    ForeignKey,
    Index,
    Partition,
    PartitionKey,
    PrimaryKey,
    Schema,
    partition_tree,
    sorted_named,
)
from ..model.sequences import (
    custom_sequence_name,
    identity_sequence_of,
    serial_name,
    serial_of,
    serial_sequence,
    switches_sequence,
)
from ..model.temporal import TEMPORAL_KINDS
from .base import Operation, add_entity, remove_entity, with_entity, with_table
from .sequence import bounds_risk
from .sqlutil import rename_identifier
from .typechange import is_narrowing, pg_type_name, type_words, using_cast


@dataclass(frozen=True)
class CreateTable(Operation):
    """``CREATE TABLE`` with its columns, keys, constraints, comment and indexes.

    ``entity.foreign_keys`` may lack the keys of a reference cycle: the diff adds
    those afterwards with :class:`~.op_constraint.AddForeignKey`.
    """

    entity: Entity

    def reverse(self) -> Operation:
        return DropTable(self.entity, relations=self.relations)

    def describe(self) -> str:
        return f"+ table {self.entity.table}"

    def apply(self, schema: Schema) -> Schema:
        return add_entity(schema, self.entity)

    @property
    def own_locks(self) -> int:
        return table_locks(self.entity)


def table_locks(entity: Entity) -> int:
    """Relations that creating or dropping ``entity`` locks: the table, its TOAST
    table and index, each index and key, each identity sequence, each table its
    foreign keys reference, and each partition with its copies of them."""
    keys = 1 + len(entity.uniques) + len(entity.indexes) + len(entity.excludes)
    sequences = sum(1 for col in entity.columns if col.identity)
    # each partition (its own partitions too) is a table with a copy of every key and index
    partitions = sum(1 for _ in partition_tree(entity.partitions)) * (3 + keys)
    return 3 + keys + sequences + len(entity.foreign_keys) + partitions


@dataclass(frozen=True)
class DropTable(Operation):
    """``DROP TABLE``; carries the whole table definition for the downgrade."""

    entity: Entity

    @property
    def own_locks(self) -> int:
        return table_locks(self.entity)

    def reverse(self) -> Operation:
        return CreateTable(self.entity, relations=self.relations)

    def describe(self) -> str:
        return f"- table {self.entity.table}"

    def apply(self, schema: Schema) -> Schema:
        return remove_entity(schema, self.entity.name)

    def risk(self) -> str | None:
        return f"drops table {self.entity.table} and its rows"


@dataclass(frozen=True)
class RenameTable(Operation):
    """Rename an entity and its table (keeping the rows), and the identity
    sequences PostgreSQL named after the table. Constraint and index names that
    follow the table are renamed by separate rename operations."""

    old_name: str
    new_name: str
    old_table: str
    new_table: str
    identity_columns: tuple[str, ...] = ()

    def reverse(self) -> Operation:
        return RenameTable(
            self.new_name, self.old_name, self.new_table, self.old_table, self.identity_columns
        )

    def describe(self) -> str:
        if self.old_table == self.new_table:
            return f"~ entity {self.old_name} renamed to {self.new_name} (table unchanged)"
        return f"~ table {self.old_table} renamed to {self.new_table}"

    def apply(self, schema: Schema) -> Schema:
        def rename(ent: Entity) -> Entity:
            return dataclasses.replace(ent, name=self.new_name, table=self.new_table)

        schema = with_entity(schema, self.old_name, rename)
        entities = tuple(
            dataclasses.replace(
                ent,
                foreign_keys=tuple(
                    _retarget(fk, self.old_name, self.new_name, self.new_table)
                    for fk in ent.foreign_keys
                ),
            )
            for ent in schema.entities
        )
        schema = dataclasses.replace(schema, entities=entities)
        for col in schema.entity(self.new_name).columns:
            if col.serial or col.name in self.identity_columns:
                keep = col.name not in self.identity_columns
                old, new = (self.old_table, col.name), (self.new_table, col.name)
                schema = rename_serial(schema, old, new, keep_name=keep)
        return with_table(schema, self.new_table, self._kept_identity_names)

    def _kept_identity_names(self, ent: Entity) -> Entity:
        """Each identity column whose sequence the rename leaves as it is (PostgreSQL
        renames none) says its name, which is no longer ``<table>_<column>_seq``
        (or is again: then it says none)."""
        cols = tuple(
            dataclasses.replace(c, sequence_name=self._kept_name(c))
            if c.identity and c.name not in self.identity_columns
            else c
            for c in ent.columns
        )
        return dataclasses.replace(ent, columns=cols)

    def _kept_name(self, col: Column) -> str | None:
        bare = serial_name(self.old_table, col).rsplit(".", 1)[-1]
        return custom_sequence_name(self.new_table, col.name, in_schema_of(self.new_table, bare))


def rename_serial(
    schema: Schema, old: tuple[str, str], new: tuple[str, str], *, keep_name: bool = False
) -> Schema:
    """A serial column's sequence (and its default) owned by ``new`` (table, column)
    and under the name PostgreSQL's serial gives it, as the rename's ALTER SEQUENCE
    makes it; with ``keep_name`` (a sequence of a name of its own, which the rename
    leaves as it is) under its name, which the column then says."""
    owner = ".".join(old)
    if not any(seq.owned_by == owner for seq in schema.sequences):
        return schema
    kept = next(seq.name for seq in schema.sequences if seq.owned_by == owner)
    name = kept if keep_name else serial_sequence(*new)
    sequences = tuple(
        dataclasses.replace(seq, name=name, owned_by=".".join(new))
        if seq.owned_by == owner else seq
        for seq in schema.sequences
    )
    default = Default("sql", f"nextval('{name}'::regclass)")
    custom = custom_sequence_name(*new, name)

    def redefault(ent: Entity) -> Entity:
        cols = tuple(
            dataclasses.replace(c, default=default, sequence_name=custom)
            if c.name == new[1] else c
            for c in ent.columns
        )
        return dataclasses.replace(ent, columns=cols)

    schema = dataclasses.replace(schema, sequences=sorted_named(sequences))
    return with_table(schema, new[0], redefault)


def _retarget(fk: ForeignKey, old: str, new: str, table: str) -> ForeignKey:
    if fk.ref_entity != old:
        return fk
    return dataclasses.replace(fk, ref_entity=new, ref_table=table)


@dataclass(frozen=True)
class AlterTableComment(Operation):
    """``COMMENT ON TABLE`` (the entity description)."""

    table: str
    old: str | None
    new: str | None

    def reverse(self) -> Operation:
        return AlterTableComment(self.table, self.new, self.old)

    def describe(self) -> str:
        what = "removed" if self.new is None else ("added" if self.old is None else "changed")
        return f"~ table {self.table} comment {what}"

    def apply(self, schema: Schema) -> Schema:
        return with_table(
            schema, self.table, lambda ent: dataclasses.replace(ent, description=self.new)
        )


@dataclass(frozen=True)
class AddColumn(Operation):
    """``ALTER TABLE ... ADD COLUMN``; ``position`` is its place in the model."""

    table: str
    column: Column
    position: int
    #: its type is a domain with a DEFAULT, which fills the rows the table holds
    domain_default: bool = False

    def reverse(self) -> Operation:
        return DropColumn(self.table, self.column, self.position)

    def describe(self) -> str:
        return f"+ column {self.table}.{self.column.name} {_type_words(self.column)}"

    def apply(self, schema: Schema) -> Schema:
        def add(ent: Entity) -> Entity:
            cols = list(ent.columns)
            cols.insert(min(self.position, len(cols)), self.column)
            return dataclasses.replace(ent, columns=tuple(cols))

        return with_table(schema, self.table, add)

    def risk(self) -> str | None:
        col = self.column
        if col.nullable or col.default is not None or col.identity or col.generated is not None:
            return None
        if self.domain_default:
            return None
        return (
            f"adds NOT NULL column {self.table}.{col.name} without a default "
            "(fails if the table has rows)"
        )


@dataclass(frozen=True)
class DropColumn(Operation):
    """``ALTER TABLE ... DROP COLUMN``; carries the column for the downgrade."""

    table: str
    column: Column
    position: int

    def reverse(self) -> Operation:
        return AddColumn(self.table, self.column, self.position)

    def describe(self) -> str:
        return f"- column {self.table}.{self.column.name}"

    def apply(self, schema: Schema) -> Schema:
        def drop(ent: Entity) -> Entity:
            cols = tuple(c for c in ent.columns if c.name != self.column.name)
            return dataclasses.replace(ent, columns=cols)

        return with_table(schema, self.table, drop)

    def risk(self) -> str | None:
        if self.column.generated is not None:
            return None  # computed from other columns: nothing is lost
        return f"drops column {self.table}.{self.column.name} and its values"


@dataclass(frozen=True)
class RenameColumn(Operation):
    """``ALTER TABLE ... RENAME COLUMN`` (keeps the values); an identity
    column's sequence is renamed too, as PostgreSQL would name it fresh."""

    table: str
    old: str
    new: str
    identity: bool = False

    def reverse(self) -> Operation:
        return RenameColumn(self.table, self.new, self.old, self.identity)

    def describe(self) -> str:
        return f"~ column {self.table}.{self.old} renamed to {self.new}"

    def apply(self, schema: Schema) -> Schema:
        ent = schema.entity_by_table(self.table)
        schema = with_entity(schema, ent.name, self._rename_in_entity)
        entities = tuple(
            dataclasses.replace(
                other,
                foreign_keys=tuple(self._rename_ref(fk, ent.name) for fk in other.foreign_keys),
            )
            for other in schema.entities
        )
        schema = dataclasses.replace(schema, entities=entities)
        old, new = (self.table, self.old), (self.table, self.new)
        return rename_serial(schema, old, new, keep_name=not self.identity)

    def _renamed(self, col: Column) -> Column:
        """The column under its new name; an identity whose sequence the rename leaves
        as it is (PostgreSQL renames none) says the name it keeps (none where that is
        ``<table>_<new>_seq``)."""
        if not col.identity or self.identity:
            return dataclasses.replace(col, name=self.new)
        kept = custom_sequence_name(self.table, self.new, serial_name(self.table, col))
        return dataclasses.replace(col, name=self.new, sequence_name=kept)

    def _names(self, names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self.new if n == self.old else n for n in names)

    def _rename_ref(self, fk: ForeignKey, entity: str) -> ForeignKey:
        if fk.ref_entity != entity:
            return fk
        return dataclasses.replace(fk, ref_columns=self._names(fk.ref_columns))

    def _rename_index(self, ix: Index) -> Index:
        ops = tuple((self.new if c == self.old else c, op) for c, op in ix.ops)
        where = rename_identifier(ix.where, self.old, self.new) if ix.where else ix.where
        return dataclasses.replace(
            ix,
            columns=self._names(ix.columns),
            include=self._names(ix.include),
            ops=ops,
            where=where,
        )

    def _rename_in_entity(self, ent: Entity) -> Entity:
        cols = tuple(self._renamed(c) if c.name == self.old else c for c in ent.columns)
        pk = PrimaryKey(ent.primary_key.name, self._names(ent.primary_key.columns))
        return dataclasses.replace(
            ent,
            columns=cols,
            primary_key=pk,
            foreign_keys=tuple(
                dataclasses.replace(fk, columns=self._names(fk.columns)) for fk in ent.foreign_keys
            ),
            uniques=tuple(
                dataclasses.replace(uq, columns=self._names(uq.columns)) for uq in ent.uniques
            ),
            indexes=tuple(self._rename_index(ix) for ix in ent.indexes),
            checks=tuple(
                dataclasses.replace(
                    ck, expression=rename_identifier(ck.expression, self.old, self.new)
                )
                for ck in ent.checks
            ),
            excludes=tuple(self._rename_exclude(ex) for ex in ent.excludes),
            partition_by=self._rename_key(ent.partition_by),
            partitions=self._rename_partitions(ent.partitions),
        )

    def _rename_partitions(self, parts: tuple[Partition, ...]) -> tuple[Partition, ...]:
        """The keys of partitions partitioned in turn, at every level."""
        return tuple(
            dataclasses.replace(
                p,
                partition_by=self._rename_key(p.partition_by),
                partitions=self._rename_partitions(p.partitions),
            )
            if p.partition_by is not None
            else p
            for p in parts
        )

    def _rename_key(self, key: PartitionKey | None) -> PartitionKey | None:
        """A renamed column keeps its place in the partition key (PostgreSQL keeps
        the key by column number)."""
        if key is None:
            return None
        columns = tuple(self.new if c == self.old else c for c in key.columns)
        expressions = tuple(
            rename_identifier(e, self.old, self.new) if e is not None else None
            for e in key.expressions
        )
        return dataclasses.replace(key, columns=columns, expressions=expressions)

    def _rename_exclude(self, ex: ExcludeConstraint) -> ExcludeConstraint:
        def rename(text: str | None) -> str | None:
            return rename_identifier(text, self.old, self.new) if text is not None else None

        elements = tuple(
            dataclasses.replace(
                el,
                column=self.new if el.column == self.old else el.column,
                expression=rename(el.expression),
            )
            for el in ex.elements
        )
        return dataclasses.replace(ex, elements=elements, where=rename(ex.where))


@dataclass(frozen=True)
class AlterColumn(Operation):
    """Change a column's type (with a ``USING`` cast where needed), nullability,
    server default, identity or comment. Carries both definitions.

    ``lock_safe``: only the nullability changes, in the online stage. ``SET NOT
    NULL`` then goes through a validated ``CHECK (col IS NOT NULL)``, so
    PostgreSQL skips the full scan under its exclusive lock.
    """

    table: str
    old: Column
    new: Column
    lock_safe: bool = False
    #: The user's ``using:`` SQL for a type change (the upgrade only: the
    #: downgrade casts back with PostgreSQL's own cast, through text if need be).
    using: str | None = None
    #: The type changes and an index holds the column (model.schema.in_an_index):
    #: a change of its operator class rebuilds the index (operations.costs).
    indexed: bool = False
    #: (key, its other table) of each kept foreign key over the column, or referencing
    #: it, whose other side keeps its type: PostgreSQL makes such a key again under
    #: the ALTER and checks its rows (a smallint column referencing an integer key
    #: widened, say; a key whose both sides change is dropped and added apart).
    keys: tuple[tuple[str, str], ...] = ()

    def reverse(self) -> Operation:
        return AlterColumn(
            self.table,
            self.new,
            self.old,
            self.lock_safe,
            indexed=self.indexed,
            keys=self.keys,
            relations=self.relations,
        )

    @property
    def online(self) -> bool:
        return self.lock_safe

    def cast_problem(self) -> str | None:
        """Why this type change cannot run as planned, with the ``using:`` to add."""
        old, new = self.old.type, self.new.type
        if self.using or old == new or is_safe_change(old, new):
            return None
        has = (
            "only an explicit cast, which ALTER ... TYPE does not apply by itself"
            if cast_context(old, new) == "explicit"
            else "no cast"
        )
        example = using_cast(self.new.name, old, new)
        return (
            f"{self.table}.{self.new.name}: {pg_type_name(old)} -> {pg_type_name(new)}: "
            f"PostgreSQL has {has}. Say how to convert the values with `using:` on the "
            f'column, e.g. using: "{example}"'
        )

    def describe(self) -> str:
        return f"~ column {self.table}.{self.new.name}: {', '.join(self.changes())}"

    def changes(self) -> list[str]:
        """Short words for what changed, in a fixed order."""
        old, new = self.old, self.new
        words = []
        if old.type != new.type:
            words.append(f"type {type_words(old.type)} -> {type_words(new.type)}")
        if old.nullable != new.nullable:
            words.append("nullable" if new.nullable else "NOT NULL")
        if self.backfills:
            words.append("existing NULLs backfilled with the default first")
        if self.lock_safe and not new.nullable:
            words.append("through a validated CHECK (no scan under the exclusive lock)")
        if old.default != new.default:
            words.append("default removed" if new.default is None else "default")
        if switches_sequence(old, new):
            words.append("serial, its sequence after the largest value" if new.serial
                         else "identity, its sequence after the largest value")
        elif old.identity != new.identity:
            words.append("identity" if new.identity else "identity removed")
        elif old.identity_options != new.identity_options:
            words.append("identity options")
        if old.description != new.description:
            words.append("comment")
        return words or ["no change"]

    @property
    def backfills(self) -> bool:
        """Whether rows holding NULL get the new default before ``SET NOT NULL``."""
        return self.old.nullable and not self.new.nullable and self.new.default is not None

    def apply(self, schema: Schema) -> Schema:
        def alter(ent: Entity) -> Entity:
            cols = tuple(self.new if c.name == self.old.name else c for c in ent.columns)
            return dataclasses.replace(ent, columns=cols)

        schema = with_table(schema, self.table, alter)
        if not switches_sequence(self.old, self.new):
            return schema
        # identity <-> serial: the serial sequence comes or goes with the change
        gone = serial_of(self.table, self.old)
        kept = [s for s in schema.sequences if s.owned_by != gone.owned_by]
        if self.new.serial:
            kept.append(serial_of(self.table, self.new))
        return dataclasses.replace(schema, sequences=sorted_named(kept))

    def risk(self) -> str | None:
        old, new = self.old, self.new
        where = f"{self.table}.{new.name}"
        if is_narrowing(old.type, new.type):
            # fewer fractional digits or interval fields: every value fits, rounded or cut
            same = old.type.kind.removesuffix("tz") == new.type.kind.removesuffix("tz")
            temporal = same and new.type.kind in TEMPORAL_KINDS
            how = "are rounded or cut to the new precision" if temporal else "may not fit"
            return (
                f"narrows {where} from {pg_type_name(old.type)} to {pg_type_name(new.type)} "
                f"(values {how})"
            )
        if old.nullable and not new.nullable and new.default is None:
            return f"sets NOT NULL on {where}, which has no default (fails if any row is NULL)"
        if old.identity and new.identity:
            seqs = identity_sequence_of(old), identity_sequence_of(new)
            return bounds_risk(f"the identity sequence of {where}", *seqs)
        return None


@dataclass(frozen=True)
class DropPrimaryKey(Operation):
    """Drop the primary key before its columns change (the table briefly has none:
    it is :data:`NO_PRIMARY_KEY` in that state), or for good: ``keyless`` when the
    schema says ``primary_key: false`` now. ``other``: the columns of the key
    that replaces it (its reverse's :attr:`AddPrimaryKey.other`)."""

    table: str
    primary_key: PrimaryKey
    keyless: bool = False
    other: tuple[str, ...] = ()
    prebuilt: bool = False  # its reverse's (a plain drop either way)

    def reverse(self) -> Operation:
        return AddPrimaryKey(
            self.table, self.primary_key, self.keyless, self.other, self.prebuilt
        )

    def describe(self) -> str:
        gone = " (the table keeps no primary key)" if self.keyless else ""
        return f"- primary key {self.primary_key.name} on {self.table}{gone}"

    def apply(self, schema: Schema) -> Schema:
        return with_table(
            schema, self.table, lambda e: dataclasses.replace(e, primary_key=NO_PRIMARY_KEY)
        )


@dataclass(frozen=True)
class AddPrimaryKey(Operation):
    """Add the primary key over its new columns, once they all exist; ``keyless``
    when the table had none (``primary_key: false``): its rows were never held
    unique, so the key fails on duplicate or NULL ones (:meth:`risk`). ``other``:
    the columns of the key it replaces (one rebuilt over other columns).

    ``prebuilt``: a partitioned table's key whose leaf partitions' unique indexes
    :class:`PrebuildPrimaryKeyIndexes` built ``CONCURRENTLY`` before the main
    transaction: each is made its partition's primary key ``USING INDEX`` (a brief
    lock, no scan), then the table's ``ADD PRIMARY KEY`` attaches them instead of
    building any (:mod:`schemagen.revision.partition_uniques`)."""

    table: str
    primary_key: PrimaryKey
    keyless: bool = False
    other: tuple[str, ...] = ()
    prebuilt: bool = False

    def reverse(self) -> Operation:
        return DropPrimaryKey(
            self.table, self.primary_key, self.keyless, self.other, self.prebuilt
        )

    @property
    def checks_rows(self) -> bool:
        """Whether rows may repeat the key's columns: the table had no key, or the key
        it replaces was over columns that these do not all hold (two rows apart in
        (a, b) may share a)."""
        return self.keyless or not set(self.other) <= set(self.primary_key.columns)

    def describe(self) -> str:
        cols = ", ".join(self.primary_key.columns)
        had = " (the table had none)" if self.keyless else ""
        how = (
            " (each partition's index built concurrently before the transaction, attached)"
            if self.prebuilt
            else ""
        )
        return f"+ primary key {self.primary_key.name} on {self.table} ({cols}){had}{how}"

    def apply(self, schema: Schema) -> Schema:
        pk = self.primary_key
        return with_table(schema, self.table, lambda e: dataclasses.replace(e, primary_key=pk))

    def risk(self) -> str | None:
        if not self.keyless:
            return None
        cols = ", ".join(self.primary_key.columns)
        return (
            f"adds primary key {self.primary_key.name} to {self.table}, which had none "
            f"(fails if two rows share ({cols}) or a row holds NULL there)"
        )


@dataclass(frozen=True)
class PrebuildPrimaryKeyIndexes(Operation):
    """The unique indexes that ``attach`` (a partitioned table's new primary key,
    :attr:`AddPrimaryKey.prebuilt`, of the main transaction) makes its leaf
    partitions' keys, each built ``CONCURRENTLY`` before it, in the drops stage,
    under the previous revision's table and column names, on the partitions the
    database holds then: rows that hold NULL in its columns or repeat them are
    searched for first (where they may), an INVALID index a failed build left is
    dropped and built again. Nothing in the schema changes until they are attached.

    ``undo``: its reverse, the drops revision's downgrade, which runs after the
    main one put the previous key back: the indexes dropped ``CONCURRENTLY``
    where they are still there (the main upgrade never ran)."""

    attach: AddPrimaryKey
    undo: bool = False

    @property
    def table(self) -> str:
        return self.attach.table

    def reverse(self) -> Operation:
        return PrebuildPrimaryKeyIndexes(self.attach, not self.undo)

    @property
    def online(self) -> bool:
        return True

    def describe(self) -> str:
        pk = self.attach.primary_key
        cols = ", ".join(pk.columns)
        if self.undo:
            return f"- unique index of each partition of {self.table} ({cols}), if still there"
        return (
            f"+ unique index of each partition of {self.table} ({cols}), built concurrently "
            f"for primary key {pk.name}, which the main revision adds over them"
        )

    def apply(self, schema: Schema) -> Schema:
        return schema


def _type_words(col: Column) -> str:
    words = type_words(col.type)
    if not col.nullable:
        words += " NOT NULL"
    if col.default is not None:
        words += " with default"
    if col.generated is not None:
        words += " generated"
    return words
