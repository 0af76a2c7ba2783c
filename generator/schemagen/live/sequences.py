"""The live comparison of sequences: standalone ones and serial's (OWNED BY a column),
by name, each option, and the column that owns it. An identity's sequence is its
column's business (read and compared with the columns)."""

from __future__ import annotations

from typing import Any

from ..findings import Finding
from .shapes import DatabaseShape

_OPTIONS = ("type", "start", "increment", "min", "max", "cycle", "cache")


def compare_sequences(
    expected: DatabaseShape, actual: DatabaseShape, finding: Any, missing_extra: Any
) -> list[Finding]:
    """Missing and extra sequences, then each differing option or owner of a kept one.
    A serial's sequence missing or extra with its table or column is not reported
    again: the table or column is, and the sequence goes or comes with it."""
    wanted = {
        n for n in expected.sequences
        if n in actual.sequences or not _owner_gone(expected.sequence_owners.get(n), actual)
    }
    found = {
        n for n in actual.sequences
        if n in expected.sequences or not _owner_gone(actual.sequence_owners.get(n), expected)
    }
    findings: list[Finding] = missing_extra("sequence", wanted, found)
    for name in sorted(set(expected.sequences) & set(actual.sequences)):
        exp, act = expected.sequences[name], actual.sequences[name]
        words = [
            f"{label} {a} (schema: {e})"
            for label, e, a in zip(_OPTIONS, exp, act, strict=True)
            if e != a
        ]
        if words:
            findings.append(finding(f"sequence {name}", "differs: " + ", ".join(words)))
        owner, held = expected.sequence_owners.get(name), actual.sequence_owners.get(name)
        if owner != held:
            findings.append(
                finding(
                    f"sequence {name}",
                    f"owned by {held or 'no column'} in the database, "
                    f"{owner or 'no column'} in the schema",
                )
            )
    return findings


def _owner_gone(owner: str | None, other: DatabaseShape) -> bool:
    """Whether the column ``owner`` ("table.column") is not in ``other`` (one of a
    table not read is out of view: left to whoever reads that table)."""
    if owner is None:
        return False
    if "." not in owner:  # introspect.NOT_READ
        return True
    table, column = owner.rsplit(".", 1)
    return table not in other.tables or column not in other.tables[table].columns
