"""How seed refuses a schema it cannot fill: the error, and the message that names
a check and the way out (a value generator on a column it names)."""

from __future__ import annotations

from ..errors import SchemagenError
from ..model.schema import Entity, ForeignKey
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


def no_parent_key(ent: Entity, fk: ForeignKey, parent: Entity, words: str, known: str = "") -> str:
    """The message refusing ``fk`` of ``ent`` where ``parent`` holds no row it may
    pick (``words``: see KeyPick.words; ``known``: how that is known before any
    insert, see room); where checks of ``ent`` on its columns refuse every key
    there, the value generators that would give it one."""
    refused = f"cannot seed {ent.table}: {fk.ref_table} has no rows"
    if not words.endswith(("takes", "take")):
        return f"{refused}{' ' + words if words else ''} to reference by {fk.name}{known}"
    ref, column = fk.ref_columns[0], fk.columns[0]
    refs = ", ".join(f"{fk.ref_table}.{r}" for r in fk.ref_columns)
    columns = ", ".join(f"{ent.table}.{c}" for c in fk.columns)
    checks = "the check takes" if words.endswith("takes") else "the checks take"
    return (
        f"{refused} {words}, to reference by {fk.name}{known}; give {refs} keys {checks} (a value "
        f"generator, e.g. under entities.{parent.name}.columns.{ref}: "
        'seed: {sql: "<SQL expression over n, the row number>"}) or '
        f"{columns} a value generator that names keys {fk.ref_table} holds, e.g. under "
        f"entities.{ent.name}.columns.{column}: "
        'seed: {sql: "<SQL expression over n and r>"}'
    )
