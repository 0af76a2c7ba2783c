"""The comparator of standalone sequences: created, dropped, options changed."""

from __future__ import annotations

from ..model.schema import Column, Schema
from ..model.sequences import switches_sequence
from ..operations.base import Operation
from ..operations.sequence import AlterSequence, CreateSequence, DropSequence


def compare_sequences(old: Schema, new: Schema) -> list[Operation]:
    """Sequences by name: set algebra, then one alter per changed definition.

    The sequence of a column that switches between identity and ``serial`` is
    the column's change (see ``model.sequences.switches_sequence``), not here."""
    switched = _switched(old, new)
    before = {seq.name: seq for seq in old.sequences if seq.owned_by not in switched}
    after = {seq.name: seq for seq in new.sequences if seq.owned_by not in switched}
    ops: list[Operation] = [CreateSequence(after[n]) for n in sorted(after.keys() - before.keys())]
    ops += [DropSequence(before[n]) for n in sorted(before.keys() - after.keys())]
    ops += [
        AlterSequence(before[n], after[n])
        for n in sorted(before.keys() & after.keys())
        if before[n] != after[n]
    ]
    return ops


def _switched(old: Schema, new: Schema) -> set[str]:
    """``table.column`` of the columns that trade identity for serial or back."""
    before, after = _columns(old), _columns(new)
    return {
        key
        for key in before.keys() & after.keys()
        if switches_sequence(before[key], after[key])
    }


def _columns(schema: Schema) -> dict[str, Column]:
    return {f"{ent.table}.{col.name}": col for ent in schema.entities for col in ent.columns}
