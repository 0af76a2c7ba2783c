"""How seed refuses a schema it cannot fill: the error, and the message that names
a check and the way out (a value generator on a column it names)."""

from __future__ import annotations

from ..errors import SchemagenError
from ..model.schema import Entity
from .checks import columns_named


class SeedError(SchemagenError):
    """The schema cannot be seeded as it stands (exit 2); the message says how to help."""


def unsupported(ent: Entity, name: str, expression: str, why: str) -> str:
    """The message refusing check ``name`` of ``ent``: why, what seed reads, and the
    value generator to give a column it names."""
    column = next(iter(sorted(columns_named(expression))), "<column>")
    return (
        f"cannot seed {ent.table}: check {name} ({expression}) has a shape seed cannot "
        f"satisfy ({why}). Seed understands ranges and comparisons with constants, "
        "BETWEEN, IN lists, <>, length(column) <= n, bounds by now() or CURRENT_DATE "
        "(maybe plus or minus an interval), "
        "dates and times bounded by constants ('2000-01-01'), "
        "regex, LIKE and SIMILAR TO patterns, ORs and CASEs of these and "
        "`column IS NULL OR ...`. Give a column it names a value "
        f"generator, e.g. under entities.{ent.name}.columns.{column}: "
        'seed: {sql: "<SQL expression over n, the row number, and r, a random number '
        'in [0, 1)>"}'
    )
