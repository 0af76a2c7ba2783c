"""The comparator of standalone sequences: created, dropped, options changed."""

from __future__ import annotations

from ..model.schema import Schema
from ..operations.base import Operation
from ..operations.sequence import AlterSequence, CreateSequence, DropSequence


def compare_sequences(old: Schema, new: Schema) -> list[Operation]:
    """Sequences by name: set algebra, then one alter per changed definition."""
    before = {seq.name: seq for seq in old.sequences}
    after = {seq.name: seq for seq in new.sequences}
    ops: list[Operation] = [CreateSequence(after[n]) for n in sorted(after.keys() - before.keys())]
    ops += [DropSequence(before[n]) for n in sorted(before.keys() - after.keys())]
    ops += [
        AlterSequence(before[n], after[n])
        for n in sorted(before.keys() & after.keys())
        if before[n] != after[n]
    ]
    return ops
