"""The comparator of sequences: created, dropped, renamed (a serial column's),
options changed."""

from __future__ import annotations

import dataclasses

from ..model.schema import Column, DbSequence, Schema
from ..model.sequences import switches_sequence
from ..operations.base import Operation
from ..operations.sequence import AlterSequence, CreateSequence, DropSequence, RenameSequence


def compare_sequences(old: Schema, new: Schema) -> list[Operation]:
    """Sequences by name: set algebra, then one alter per changed definition.

    The sequence of a column that switches between identity and ``serial`` is
    the column's change (see ``model.sequences.switches_sequence``), not here."""
    switched = _switched(old, new)
    before = {seq.name: seq for seq in old.sequences if seq.owned_by not in switched}
    after = {seq.name: seq for seq in new.sequences if seq.owned_by not in switched}
    ops: list[Operation] = []
    for seq, now in _renamed(before, after):
        ops.append(RenameSequence(seq.name, now.name, now.owned_by or ""))
        del before[seq.name]
        before[now.name] = dataclasses.replace(seq, name=now.name)
    ops += [CreateSequence(after[n]) for n in sorted(after.keys() - before.keys())]
    ops += [DropSequence(before[n]) for n in sorted(before.keys() - after.keys())]
    ops += [
        AlterSequence(before[n], after[n])
        for n in sorted(before.keys() & after.keys())
        if before[n] != after[n]
    ]
    return ops


def _renamed(
    before: dict[str, DbSequence], after: dict[str, DbSequence]
) -> list[tuple[DbSequence, DbSequence]]:
    """(old, new) of each serial column's sequence whose name alone changes
    (``sequence: {name: ...}``): the same column owns it on both sides."""
    owners = {seq.owned_by: seq for seq in before.values() if seq.owned_by is not None}
    pairs = [
        (owners[seq.owned_by], seq)
        for seq in after.values()
        if seq.owned_by in owners and owners[seq.owned_by].name != seq.name
    ]
    return sorted(pairs, key=lambda pair: pair[1].name)


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
