"""Compare a table's constraints with the schema's: primary key, unique
constraints (one half built partition by partition), checks, exclusions and
foreign keys, and constraints left NOT VALID.
"""

from __future__ import annotations

import re

from ..findings import UPGRADE_HINT, VALIDATED_BY_HAND, Finding
from ..model.schema import quote_name
from ..model.sqltext import quote_in, quote_qualified
from .aspects import aspect, show
from .drift import compare_named, finding
from .shapes import (
    CatalogName,
    DatabaseShape,
    ForeignKeyShape,
    TableShape,
    UniqueShape,
)


def compare_not_valid(expected: DatabaseShape, actual: DatabaseShape) -> list[Finding]:
    """Constraints NOT VALID in the database that the schema does not declare so
    (a failed revision), and checks and foreign keys declared ``validated: false``
    that the database holds validated (by hand); one missing on either side is
    reported as missing or extra alone."""
    declared = set(expected.not_valid_constraints)
    findings = [
        _not_valid(*found, actual.home, actual.not_valid_tables.get(found[0]))
        for found in actual.not_valid_constraints
        if found not in declared
    ]
    for table, kind, name in expected.not_valid_constraints:
        exp, act = expected.tables.get(table), actual.tables.get(table)
        held = "checks" if kind == "check constraint" else "foreign_keys"
        if exp is None or act is None:
            continue
        if name not in getattr(exp, held) or name not in getattr(act, held):
            continue
        if (table, kind, name) not in actual.not_valid_constraints:
            findings.append(
                finding(
                    f"{kind} {name} on {table}",
                    f"{VALIDATED_BY_HAND}, NOT VALID in the schema (validated: false)",
                    f"{kind} {name}: it was validated by hand, so the rows hold it: "
                    "declare it validated (leave out validated: false) and run schemagen "
                    "migrate (its VALIDATE CONSTRAINT finds it valid and reads no row)",
                )
            )
    return findings


def _not_valid(
    table: str, kind: str, name: str, home: str | None, named: CatalogName | None
) -> Finding:
    """``named``: the table's schema and name apart, as the catalog has them (its key
    does not split back where its name holds a dot: public."x.notes" is x.notes)."""
    where = quote_in(named.schema, named.name) if named else quote_qualified(table, home)
    return finding(
        f"{kind} {name} on {table}",
        "is NOT VALID: it was added NOT VALID and never validated (a revision failed "
        "between ADD CONSTRAINT ... NOT VALID and VALIDATE CONSTRAINT), so the rows "
        "that were there before are unchecked and may break it",
        f"{kind} {name}: fix the rows that break it, then rerun the alembic upgrade or "
        "downgrade that failed: it validates the constraint (by hand: ALTER TABLE "
        f"{where} VALIDATE CONSTRAINT {quote_name(name)})",
    )


def compare_primary_key(
    table: str,
    exp: tuple[str, tuple[str, ...]] | None,
    act: tuple[str, tuple[str, ...]] | None,
) -> list[Finding]:
    """The primary key (name and columns) of ``table``, missing, extra or another."""
    if exp == act:
        return []
    if act is None:
        return [finding(f"primary key of {table}", "missing from the database", UPGRADE_HINT)]
    if exp is None:
        return [
            finding(
                f"primary key {act[0]}",
                "in the database but not in the schema (which says primary_key: false)",
            )
        ]
    return [
        finding(
            f"primary key of {table}",
            f"is {act[0]} ({', '.join(act[1])}) in the database, "
            f"{exp[0]} ({', '.join(exp[1])}) in the schema",
        )
    ]


def compare_uniques(table: str, exp: TableShape, act: TableShape) -> list[Finding]:
    """The unique constraints; one the table lacks that partitions hold over its
    columns, with no constraint of the table holding theirs, is half built (a build
    partition by partition, revision.partition_uniques, cut short before the
    table's ADD CONSTRAINT), which the rerun finishes."""
    findings = compare_named(
        table, "unique constraint", exp.uniques, act.uniques, _describe_unique
    )
    for name in sorted(set(exp.uniques) - set(act.uniques)):
        columns = ", ".join(quote_name(c) for c in exp.uniques[name].columns)
        held = sorted(
            {p for p, definition in act.partition_uniques
             if re.fullmatch(rf"UNIQUE \({re.escape(columns)}\)( .*)?", definition)}
        )
        if not held:
            continue
        obj = f"unique constraint {name} on {table}"
        half = finding(
            obj,
            "half built: a build partition by partition was cut short before the table's "
            f"constraint; {_holding(held)} over ({columns}), the table none",
            "rerun `alembic upgrade head` (or the downgrade that failed): it finishes the "
            "build, the remaining partitions' then the table's constraint, which takes "
            "the partitions' without building them again",
        )
        findings = [half if f.object == obj else f for f in findings]
    return findings


def _holding(partitions: list[str]) -> str:
    if len(partitions) == 1:
        return f"partition {partitions[0]} holds a unique constraint of its own"
    return f"partitions {', '.join(partitions)} hold unique constraints of their own"


def _describe_unique(exp: UniqueShape, act: UniqueShape) -> list[str]:
    return (
        aspect("columns", exp.columns, act.columns)
        + aspect("DEFERRABLE:", exp.deferrable, act.deferrable)
        + aspect("INITIALLY DEFERRED:", exp.initially_deferred, act.initially_deferred)
    )


def describe_check(exp: str, act: str) -> list[str]:
    """How check ``act`` differs from ``exp``: its expression."""
    return aspect("expression is", exp, act)


def describe_exclude(exp: str, act: str) -> list[str]:
    """How exclusion constraint ``act`` differs from ``exp``: its definition."""
    return aspect("definition is", exp, act)


def describe_fk(exp: ForeignKeyShape, act: ForeignKeyShape) -> list[str]:
    """A line for each aspect in which foreign key ``act`` differs from ``exp``."""
    return (
        aspect("columns", exp.columns, act.columns)
        + aspect(
            "references",
            f"{exp.ref_table}{show(exp.ref_columns)}",
            f"{act.ref_table}{show(act.ref_columns)}",
        )
        + aspect("ON DELETE", exp.on_delete, act.on_delete)
        + aspect("ON UPDATE", exp.on_update, act.on_update)
        + aspect("MATCH", exp.match, act.match)
        + aspect("DEFERRABLE:", exp.deferrable, act.deferrable)
        + aspect("INITIALLY DEFERRED:", exp.initially_deferred, act.initially_deferred)
    )
