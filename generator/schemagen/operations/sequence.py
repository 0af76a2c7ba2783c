"""Operations on standalone sequences: create, drop, and change their options."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..model.schema import DbSequence, Schema
from .base import Operation


def _with_sequences(schema: Schema, sequences: list[DbSequence]) -> Schema:
    return dataclasses.replace(
        schema, sequences=tuple(sorted(sequences, key=lambda seq: seq.name))
    )


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

    def apply(self, schema: Schema) -> Schema:
        others = [s for s in schema.sequences if s.name != self.new.name]
        return _with_sequences(schema, [*others, self.new])
