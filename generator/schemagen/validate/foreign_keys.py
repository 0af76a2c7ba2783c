"""Checks of the entity-level ``foreign_keys:`` entries (composite foreign keys)."""

from __future__ import annotations

from typing import Any

from ..language.messages import did_you_mean
from ..model.schema import INTEGER_TYPES, ColumnType
from ..normalize.resolver import Resolver, Unresolved, no_key_to_reference
from ..source.loader import Sources, YamlPath, mapping, unique_columns
from .reporter import Reporter, key_types_fit, type_text


def check_foreign_keys(src: Sources, resolver: Resolver, report: Reporter, entity: str) -> None:
    """Each entry names columns of its entity and an entity whose key has as many
    columns, of the same types, and is its primary key or unique."""
    spec = mapping(src.entities.get(entity))
    names = [c.name for c in resolver.columns(entity)]
    for name, entry in mapping(spec.get("foreign_keys")).items():
        path: YamlPath = ("entities", entity, "foreign_keys", str(name))
        check_foreign_key(src, resolver, report, (entity, names), path, mapping(entry))


def check_foreign_key(
    src: Sources,
    resolver: Resolver,
    report: Reporter,
    owner: tuple[str, list[str]],
    path: YamlPath,
    entry: dict[str, Any],
) -> None:
    """One composite foreign key (see :func:`check_foreign_keys`)."""
    entity, names = owner
    columns = [str(c) for c in entry.get("columns") or []]
    missing = [c for c in columns if c not in names]
    for col in missing:
        report.error((*path, "columns"), f"unknown column '{col}'{did_you_mean(col, names)}")
    target = str(entry.get("references", ""))
    if not _referable(src, resolver, report, path, entry):
        return
    ref_columns = [str(c) for c in entry.get("ref_columns") or resolver.primary_key(target)]
    target_names = [c.name for c in resolver.columns(target)]
    unknown = [c for c in ref_columns if c not in target_names]
    for col in unknown:
        hint = did_you_mean(col, target_names)
        report.error((*path, "ref_columns"), f"entity {target} has no column '{col}'{hint}")
    if len(ref_columns) != len(columns):
        report.error(
            path,
            f"{len(columns)} column(s) reference {len(ref_columns)} column(s) of {target} "
            f"({', '.join(ref_columns)}); the counts must match",
        )
        return
    if missing or unknown:
        return
    _check_types(resolver, report, path, (entity, columns), (target, ref_columns))
    deferred = deferrable_unique(src, target, ref_columns)
    if not _is_key(src, resolver, target, ref_columns) and deferred is not None:
        report.error((*path, "references"), deferrable_target(target, ref_columns, deferred))
    elif not _is_key(src, resolver, target, ref_columns):
        report.error(
            (*path, "references"),
            f"{target} ({', '.join(ref_columns)}) is neither its primary key nor unique; "
            "PostgreSQL needs a unique constraint on the referenced columns",
        )
    for key in ("on_delete", "on_update"):
        if entry.get(key) == "set null":
            required = [c for c in columns if not _nullable(resolver, entity, c)]
            if required:
                report.error(
                    (*path, key),
                    f"{key}: set null on NOT NULL column(s) {', '.join(required)}",
                )


def _referable(
    src: Sources, resolver: Resolver, report: Reporter, path: YamlPath, entry: dict[str, Any]
) -> bool:
    """The target entity exists (and was not left out for its own errors), and has
    columns to reference: ``ref_columns``, or its primary key; one that says
    ``primary_key: false`` has none (reported)."""
    target = str(entry.get("references", ""))
    if src.is_broken("entities", target):
        return False
    if target not in src.entities:
        hint = did_you_mean(target, sorted(src.entities))
        report.error((*path, "references"), f"unknown entity '{target}'{hint}")
        return False
    if not entry.get("ref_columns") and resolver.keyless(target):
        report.error(
            (*path, "references"),
            no_key_to_reference(target, resolver.unique_columns(target)).replace(
                "reference a unique column instead, e.g.", "say ref_columns: of a unique key, e.g."
            ),
        )
        return False
    return True


def _check_types(
    resolver: Resolver,
    report: Reporter,
    path: YamlPath,
    own: tuple[str, list[str]],
    target: tuple[str, list[str]],
) -> None:
    for col, ref in zip(own[1], target[1], strict=True):
        here, there = resolver.column(own[0], col), resolver.column(target[0], ref)
        assert here is not None and there is not None
        try:
            mine, theirs = resolver.column_type(here), resolver.column_type(there)
        except Unresolved:
            continue  # reported at the column
        if not key_types_fit(mine, theirs):
            report.error(
                (*path, "columns"),
                f"column {col} is {type_text(mine)} but {target[0]}.{ref} is "
                f"{type_text(theirs)}; the types must be the same{integer_choice(theirs)}",
            )


def integer_choice(theirs: ColumnType) -> str:
    """What a key's column may be besides the referenced type, for a message."""
    if theirs.kind in INTEGER_TYPES and theirs.pgtype is None:
        return " or another integer type (smallint, integer, bigint)"
    return ""


def _nullable(resolver: Resolver, entity: str, column: str) -> bool:
    col = resolver.column(entity, column)
    return col is not None and bool(col.spec.get("nullable"))


def _is_key(src: Sources, resolver: Resolver, entity: str, columns: list[str]) -> bool:
    """Whether ``columns`` (in any order) are the primary key or unique."""
    wanted = set(columns)
    if set(resolver.primary_key(entity)) == wanted:
        return True
    spec = mapping(src.entities.get(entity))
    for entry in mapping(spec.get("unique")).values():
        if set(unique_columns(entry)) == wanted and not deferrable_entry(entry):
            return True
    if len(columns) == 1:
        col = resolver.column(entity, columns[0])
        if col is not None and col.spec.get("unique"):
            return True
    for entry in mapping(spec.get("indexes")).values():
        if isinstance(entry, dict) and entry.get("unique") and not entry.get("where"):
            if set(map(str, entry.get("columns") or [])) == wanted:
                return True
    return False


def deferrable_entry(entry: Any) -> bool:
    """Whether a ``unique:`` entry says ``deferrable`` or ``initially_deferred``."""
    return isinstance(entry, dict) and bool(
        entry.get("deferrable") or entry.get("initially_deferred")
    )


def deferrable_unique(src: Sources, entity: str, columns: list[str]) -> str | None:
    """The name of a DEFERRABLE unique constraint of ``entity`` on exactly ``columns``
    (in any order), if one is declared."""
    spec = mapping(src.entities.get(entity))
    for name, entry in mapping(spec.get("unique")).items():
        if deferrable_entry(entry) and set(map(str, unique_columns(entry))) == set(columns):
            return str(name)
    return None


def deferrable_target(entity: str, columns: list[str], name: str) -> str:
    """The message for a foreign key whose only referenced key is deferrable."""
    return (
        f"{entity} ({', '.join(columns)}) is unique only by its DEFERRABLE unique "
        f"constraint {name}; PostgreSQL refuses a foreign key that references a deferrable "
        "unique constraint: add a unique constraint that is not deferrable, or reference "
        "another key"
    )
