"""Operations on sequences: create, drop, rename (a serial's), and change their options."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..model.schema import Column, DbSequence, Default, Entity, Schema, sorted_named
from ..model.sequences import (
    custom_sequence_name,
    narrowed_bounds,
    options_of,
    renamed_in_nextval,
)
from .base import MoveToSchema, Operation, with_table


def _with_sequences(schema: Schema, sequences: list[DbSequence]) -> Schema:
    return dataclasses.replace(schema, sequences=sorted_named(sequences))


def _sequences_renamed(schema: Schema, old: str, new: str) -> list[DbSequence]:
    """The schema's sequences with ``old`` called ``new``."""
    return [dataclasses.replace(s, name=new) if s.name == old else s for s in schema.sequences]


@dataclass(frozen=True)
class CreateSequence(Operation):
    """``CREATE SEQUENCE`` (before the tables whose defaults call ``nextval``)."""

    sequence: DbSequence

    def reverse(self) -> Operation:
        return DropSequence(self.sequence)

    def describe(self) -> str:
        return f"+ sequence {self.sequence.name}"

    def apply(self, schema: Schema) -> Schema:
        others = [s for s in schema.sequences if s.name != self.sequence.name]
        return _with_sequences(schema, [*others, self.sequence])


@dataclass(frozen=True)
class DropSequence(Operation):
    """``DROP SEQUENCE`` (after the columns whose defaults used it); carries the
    sequence for the downgrade, which creates it anew (its current value is lost)."""

    sequence: DbSequence

    def reverse(self) -> Operation:
        return CreateSequence(self.sequence)

    def describe(self) -> str:
        return f"- sequence {self.sequence.name}"

    def apply(self, schema: Schema) -> Schema:
        return _with_sequences(
            schema, [s for s in schema.sequences if s.name != self.sequence.name]
        )

    def risk(self) -> str | None:
        return f"drops sequence {self.sequence.name} and its current value"


@dataclass(frozen=True)
class AlterSequence(Operation):
    """``ALTER SEQUENCE`` to new options; the current value is kept."""

    old: DbSequence
    new: DbSequence

    def reverse(self) -> Operation:
        return AlterSequence(self.new, self.old)

    def describe(self) -> str:
        return f"~ sequence {self.new.name}: options"

    def risk(self) -> str | None:
        return bounds_risk(f"sequence {self.new.name}", self.old, self.new)

    def apply(self, schema: Schema) -> Schema:
        others = [s for s in schema.sequences if s.name != self.new.name]
        return _with_sequences(_with_owner_type(schema, self.new), [*others, self.new])


def bounds_risk(what: str, old: DbSequence, new: DbSequence) -> str | None:
    """Why narrowing ``old``'s bounds to ``new``'s can fail on existing rows, else None."""
    words = [
        f"{'lowers' if bound == 'MAXVALUE' else 'raises'} {bound} of {what} from {was} to "
        f"{now} (fails if its current value is {'above' if bound == 'MAXVALUE' else 'below'} "
        f"{now}: rows numbered past it)"
        for bound, was, now in narrowed_bounds(old, new)
    ]
    return "; ".join(words) or None


def _with_owner_type(schema: Schema, seq: DbSequence) -> Schema:
    """A serial column's ``sequence_type`` and ``sequence_options`` as its sequence's
    now are (the column says its type where it is not the column's own)."""
    if seq.owned_by is None:
        return schema
    table, column = seq.owned_by.rsplit(".", 1)

    def retyped(col: Column) -> Column:
        if col.name != column:
            return col
        kind = None if seq.data_type == col.type.kind else seq.data_type
        return dataclasses.replace(col, sequence_type=kind, sequence_options=options_of(seq))

    def edit(ent: Entity) -> Entity:
        return dataclasses.replace(ent, columns=tuple(retyped(col) for col in ent.columns))

    return with_table(schema, table, edit)


@dataclass(frozen=True)
class RenameSequence(Operation):
    """``ALTER SEQUENCE ... RENAME TO``: a serial column's sequence under another
    name of its own (``sequence: {name: ...}``), current value kept. Its column's
    ``nextval`` default names it by OID, so it follows; the model's says the new name."""

    old: str
    new: str
    owned_by: str

    def reverse(self) -> Operation:
        return RenameSequence(self.new, self.old, self.owned_by)

    def describe(self) -> str:
        return f"~ sequence {self.old} renamed to {self.new}"

    def apply(self, schema: Schema) -> Schema:
        sequences = _sequences_renamed(schema, self.old, self.new)
        table, column = self.owned_by.rsplit(".", 1)
        custom = custom_sequence_name(table, column, self.new)
        default = Default("sql", f"nextval('{self.new}'::regclass)")

        def renamed(col: Column) -> Column:
            if col.name != column:
                return col
            return dataclasses.replace(col, sequence_name=custom, default=default)

        def edit(ent: Entity) -> Entity:
            return dataclasses.replace(ent, columns=tuple(renamed(col) for col in ent.columns))

        return _with_sequences(with_table(schema, table, edit), sequences)


@dataclass(frozen=True)
class MoveSequence(MoveToSchema):
    """``ALTER SEQUENCE ... SET SCHEMA``: a standalone sequence moves to another
    PostgreSQL schema with its current value. The ``nextval`` defaults that call it
    refer to it by OID (``::regclass``), so they follow it: in the model each
    default (of a column or a domain) names it where it now is."""

    what = "sequence"

    def describe(self) -> str:
        return f"{super().describe()} (current value kept)"

    def apply(self, schema: Schema) -> Schema:
        sequences = _sequences_renamed(schema, self.old, self.new)
        entities = tuple(
            dataclasses.replace(ent, columns=tuple(self._redefault(c) for c in ent.columns))
            for ent in schema.entities
        )
        domains = tuple(
            dataclasses.replace(d, default=self._renamed(d.default)) for d in schema.domains
        )
        schema = dataclasses.replace(schema, entities=entities, domains=domains)
        return _with_sequences(schema, sequences)

    def _redefault(self, col: Column) -> Column:
        default = self._renamed(col.default)
        return col if default is col.default else dataclasses.replace(col, default=default)

    def _renamed(self, default: Default | None) -> Default | None:
        """``default`` calling the sequence by its new name, else itself."""
        if default is None or default.kind != "sql":
            return default
        value = renamed_in_nextval(default.value, self.old, self.new)
        return default if value == default.value else dataclasses.replace(default, value=value)
