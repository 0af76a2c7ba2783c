"""The pure diff: ``diff(old, new) -> Plan``.

Set algebra over names in sorted order, one small comparator per level, and the
phases written once in :mod:`.ordering`. Renames come only from ``renamed_from``
hints in the new schema; the diff never guesses (a definition-equal constraint
or index whose name changed is renamed rather than rebuilt, which loses nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..language.messages import did_you_mean
from ..model.schema import Column, Entity, Enum, ForeignKey, Schema
from ..model.sqltext import default_sql
from ..operations.base import Operation
from ..operations.constraint import AddConstraint, ReplaceForeignKey
from ..operations.keyrows import may_hold_partly_null, partly_null_rows
from ..operations.plan import Plan, apply
from ..operations.schema import (
    AddEnumValue,
    CreateEnum,
    CreateExtension,
    CreateSchema,
    DropEnum,
    DropExtension,
    DropSchema,
    EnumUsage,
    ReplaceEnum,
)
from ..operations.table import RenameColumn, RenameTable
from .clustering import compare_cluster_on
from .domains import compare_domains, domain_defaults
from .drops import settle_drops
from .footprints import counted
from .moves import before_moves, compare_moves
from .online import settle_online
from .ordering import order
from .replication import compare_replica_identity
from .retypes import retyped_together
from .routines import compare_routines
from .security import compare_security
from .sequences import compare_sequences
from .snapshot import ddl_view, empty_schema
from .tables import compare_entities


@dataclass(frozen=True)
class Hints:
    """What the new schema says about its past (``renamed_from``), and how to build."""

    entities: dict[str, str] = field(default_factory=dict)  # new entity -> old entity
    columns: dict[tuple[str, str], str] = field(default_factory=dict)  # (entity, col) -> old
    not_concurrent: frozenset[tuple[str, str]] = frozenset()  # (table, index)
    using: dict[tuple[str, str], str] = field(default_factory=dict)  # (table, column) -> SQL

    @classmethod
    def of(cls, schema: Schema) -> Hints:
        """Collect the hints of a full (not DDL-view) schema."""
        entities = {e.name: e.renamed_from for e in schema.entities if e.renamed_from}
        columns = {
            (e.name, c.name): c.renamed_from
            for e in schema.entities
            for c in e.columns
            if c.renamed_from
        }
        not_concurrent = frozenset(
            (e.table, ix.name) for e in schema.entities for ix in e.indexes if not ix.concurrently
        )
        using = {(e.table, c.name): c.using for e in schema.entities for c in e.columns if c.using}
        return cls(entities, columns, not_concurrent, using)  # type: ignore[arg-type]


def diff(old: Schema | None, new: Schema) -> Plan:
    """Return the operations that turn ``old`` into ``new``, in dependency order.

    ``old`` is the snapshot of the latest revision (``None`` before the first);
    ``new`` is the loaded schema, whose ``renamed_from`` and ``concurrently``
    settings steer the plan. Both are compared through their DDL views.
    """
    old_v = ddl_view(old) if old is not None else empty_schema()
    new_v = ddl_view(new)
    hints = Hints.of(new)
    ops: list[Operation] = []
    ops += compare_pg_schemas(old_v, new_v)
    ops += compare_extensions(old_v, new_v)
    moves = compare_moves(old_v, new_v)
    ops += moves
    # what follows compares against the old schema with those types moved: their
    # columns keep their type, so none is altered
    old_v = apply(old_v, moves)
    ops += before_moves(compare_enums(old_v, new_v), moves)
    ops += compare_domains(old_v, new_v)
    renames = compare_renames(old_v, new_v, hints)
    renamed = apply(old_v, renames)
    # after the renames: a serial key's sequence is renamed with its table or column
    ops += compare_sequences(renamed, new_v)
    ops += renames
    table_ops = compare_entities(renamed, new_v, hints.not_concurrent, hints.using)
    table_ops = domain_defaults(new_v, table_ops)
    ops += table_ops
    ops += compare_routines(old_v, new_v, [*renames, *table_ops])
    ops += compare_security(old_v, new_v, [*renames, *table_ops])
    ops += compare_replica_identity(old_v, new_v, table_ops)
    ops += compare_cluster_on(old_v, new_v, table_ops)
    notes = unresolved_hints(old_v, new_v, hints) if old is not None else ()
    settled = settle_drops(old_v, settle_online(order(ops)))
    planned = tuple(counted(renamed, new_v, retyped_together(settled)))
    return Plan(planned, (*notes, *match_full_notes(planned, new_v)))


def match_full_notes(ops: tuple[Operation, ...], new: Schema) -> tuple[str, ...]:
    """A key made MATCH FULL on a table that holds rows, over a nullable column: what
    the rows hold only the database knows, and VALIDATE refuses a key partly NULL
    (:mod:`schemagen.revision.validation` says so then); the note says how to look
    before deploying."""
    keys: list[tuple[str, object]] = []
    for op in ops:
        if isinstance(op, ReplaceForeignKey) and op.old.match != "FULL":
            keys.append((op.table, op.new))
        elif isinstance(op, AddConstraint) and op.lock_safe:
            keys.append((op.table, op.constraint))
    return tuple(
        f"{fk.name} on {table} becomes MATCH FULL: its VALIDATE fails if rows hold "
        f"({', '.join(fk.columns)}) partly NULL; before deploying, list them with: "
        f"{partly_null_rows(table, fk)}"
        for table, fk in keys
        if isinstance(fk, ForeignKey)
        and fk.match == "FULL"
        and fk.validated  # (validated: false: no VALIDATE to fail)
        and may_hold_partly_null(new.entity_by_table(table), fk)
    )


def unchanged_plan(new: Schema) -> Plan:
    """The plan when the latest snapshot already is ``new``'s DDL view: no operation,
    only the notes on ``renamed_from`` hints that name nothing."""
    view = ddl_view(new)
    return Plan((), unresolved_hints(view, view, Hints.of(new)))


def compare_pg_schemas(old: Schema, new: Schema) -> list[Operation]:
    """PostgreSQL schemas that objects now live in, and those none does any more."""
    before, after = set(old.pg_schemas), set(new.pg_schemas)
    ops: list[Operation] = [CreateSchema(name) for name in sorted(after - before)]
    ops += [DropSchema(name) for name in sorted(before - after)]
    return ops


def compare_extensions(old: Schema, new: Schema) -> list[Operation]:
    """Extensions added and no longer declared."""
    before, after = set(old.database.extensions), set(new.database.extensions)
    ops: list[Operation] = [CreateExtension(name) for name in sorted(after - before)]
    ops += [DropExtension(name) for name in sorted(before - after)]
    return ops


def compare_enums(old: Schema, new: Schema) -> list[Operation]:
    """Enum types created, dropped, and given new values or a new value list."""
    before = {en.name: en for en in old.enums}
    after = {en.name: en for en in new.enums}
    ops: list[Operation] = [CreateEnum(after[n]) for n in sorted(after.keys() - before.keys())]
    ops += [DropEnum(before[n]) for n in sorted(before.keys() - after.keys())]
    for name in sorted(before.keys() & after.keys()):
        ops += _compare_enum_values(before[name], after[name], old, new)
    return ops


def _compare_enum_values(old_en: Enum, new_en: Enum, old: Schema, new: Schema) -> list[Operation]:
    old_vals, new_vals = old_en.value_names, new_en.value_names
    if old_vals == new_vals:
        return []
    added = [v for v in new_vals if v not in old_vals]
    if _is_subsequence(old_vals, new_vals):
        return _insert_values(old_en.name, old_vals, new_vals, enum_usages(old, old_en.name))
    # Values removed or reordered: append the new ones first (they may be used as
    # defaults meanwhile), then rebuild the type with the final list.
    ops: list[Operation] = []
    current = old_vals
    for value in added:
        ops.append(
            AddEnumValue(
                old_en.name, value, current, after=current[-1], usages=enum_usages(old, old_en.name)
            )
        )
        current = (*current, value)
    ops.append(ReplaceEnum(old_en.name, current, new_vals, enum_usages(new, new_en.name)))
    return ops


def _insert_values(
    enum: str, old_vals: tuple[str, ...], new_vals: tuple[str, ...], usages: tuple[EnumUsage, ...]
) -> list[Operation]:
    """``ADD VALUE`` each new value next to a neighbour that already exists."""
    ops: list[Operation] = []
    current = list(old_vals)
    for i, value in enumerate(new_vals):
        if value in current:
            continue
        following = [v for v in new_vals[i + 1 :] if v in current]
        if following:
            op = AddEnumValue(enum, value, tuple(current), before=following[0], usages=usages)
        else:
            op = AddEnumValue(
                enum, value, tuple(current), after=current[-1] if current else None, usages=usages
            )
        ops.append(op)
        current = list(op.added_values())
    return ops


def _is_subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    it = iter(long)
    return all(any(v == w for w in it) for v in short)


def enum_usages(schema: Schema, enum: str) -> tuple[EnumUsage, ...]:
    """Every column of ``schema`` (a DDL view) typed as ``enum`` or an array of it."""
    found = []
    for ent in schema.entities:
        for col in ent.columns:
            ct = col.type
            array = ct.kind == "array" and ct.of is not None and ct.of.kind == "enum"
            name = ct.of.enum if array and ct.of is not None else ct.enum
            if (ct.kind == "enum" or array) and name == enum:
                found.append(_usage(ent, col, array))
    return tuple(sorted(found, key=lambda u: (u.table, u.column)))


def _usage(ent: Entity, col: Column, array: bool) -> EnumUsage:
    mentions = re.compile(rf"\b{re.escape(col.name)}\b")
    indexes = tuple(ix for ix in ent.indexes if ix.where and mentions.search(ix.where))
    checks = tuple(ck for ck in ent.checks if mentions.search(ck.expression))
    return EnumUsage(ent.table, col.name, array, default_sql(col), indexes, checks)


def compare_renames(old: Schema, new: Schema, hints: Hints) -> list[Operation]:
    """Table renames (``renamed_from`` or a changed ``table:``), then column renames."""
    old_names = {e.name for e in old.entities}
    new_names = {e.name for e in new.entities}
    ops: list[Operation] = []
    for ent in new.entities:
        previous = _previous_entity(ent.name, old_names, new_names, hints)
        if previous is None:
            continue
        before = old.entity(previous)
        if previous != ent.name or before.table != ent.table:
            # identity and serial sequences are named after the table: renamed with
            # it, but a sequence of a name of its own, before or after (an identity's
            # named after the old table keeps it: PostgreSQL renames none)
            # (a column renamed too is looked up under its new name)
            now = {old: new for (entity, new), old in hints.columns.items() if entity == ent.name}
            identity = tuple(
                c.name
                for c in before.columns
                if (_identity_named_after(c) and _unnamed_after(c, ent, now.get(c.name)))
                or _named_after(c, ent, now.get(c.name))
            )
            ops.append(RenameTable(previous, ent.name, before.table, ent.table, identity))
        ops += _column_renames(before, ent, hints)
    return ops


def _identity_named_after(col: Column) -> bool:
    """Whether identity column ``col``'s sequence has PostgreSQL's name for it, which
    a revision renames with its table or column (a name of its own is kept, as
    PostgreSQL keeps it; a new name is the column's change: revision.columns)."""
    return col.identity and col.sequence_name is None


def _named_after(col: Column, after: Entity, name: str | None = None) -> bool:
    """Whether serial column ``col``'s sequence is named after its table and column
    both before and after (``name``: what the column is called after), so that a
    rename of either renames it (PostgreSQL keeps the name: the revision says it)."""
    if not col.serial or col.sequence_name is not None:
        return False
    return _unnamed_after(col, after, name)


def _unnamed_after(col: Column, after: Entity, name: str | None = None) -> bool:
    """Whether ``col`` (called ``name`` after) names no sequence of its own in
    ``after``, or is not there."""
    now = next((c for c in after.columns if c.name == (name or col.name)), None)
    return now is None or now.sequence_name is None


def unresolved_hints(old: Schema, new: Schema, hints: Hints) -> tuple[str, ...]:
    """Say which ``renamed_from`` hints name nothing in the snapshot (a typo, or a
    rename already done and the hint since pointed elsewhere): they rename nothing."""
    return tuple(message for _, message in unmatched_renames(old, new, hints))


def unmatched_renames(
    old: Schema | None, new: Schema, hints: Hints | None = None
) -> list[tuple[tuple[str, ...], str]]:
    """The ``renamed_from`` hints of ``new`` that rename nothing in ``old`` (the
    latest revision's snapshot), each with the YAML path of the hint and why."""
    hints = hints or Hints.of(new)
    if not hints.entities and not hints.columns:
        return []  # the usual case: no hint, and no view of ``old`` to compute
    old = ddl_view(old) if old is not None else empty_schema()
    old_names = {e.name: e for e in old.entities}
    new_names = {e.name for e in new.entities}
    found: list[tuple[tuple[str, ...], str]] = []
    for name, hint in sorted(hints.entities.items()):
        if name not in old_names and hint not in old_names:
            found.append((
                ("entities", name, "renamed_from"),
                f"{name} says renamed_from: {hint}, but the latest revision has no "
                f"entity {hint}{did_you_mean(hint, sorted(set(old_names) - new_names))}; "
                f"{name} is created as a new table",
            ))
    for (entity, column), hint in sorted(hints.columns.items()):
        path = ("entities", entity, "columns", column, "renamed_from")
        previous = _previous_entity(entity, set(old_names), new_names, hints)
        if previous is None:
            continue
        cols = {c.name for c in old_names[previous].columns}
        if column not in cols and hint not in cols:
            found.append((
                path,
                f"{entity}.{column} says renamed_from: {hint}, but the latest revision "
                f"has no column {previous}.{hint}"
                f"{did_you_mean(hint, sorted(cols - _columns_of(new, entity)))}; "
                f"{column} is added as a new column",
            ))
        elif column in cols and hint in cols and hint not in _columns_of(new, entity):
            found.append((
                path,
                f"{entity}.{column} says renamed_from: {hint}, but {column} still "
                f"exists in the latest revision, so nothing is renamed; drop "
                f"{column} in one revision and rename {hint} in the next",
            ))
    return found


def _columns_of(schema: Schema, entity: str) -> set[str]:
    return {c.name for c in schema.entity(entity).columns}


def _previous_entity(
    name: str, old_names: set[str], new_names: set[str], hints: Hints
) -> str | None:
    if name in old_names:
        return name
    hint = hints.entities.get(name)
    if hint is not None and hint in old_names and hint not in new_names:
        return hint
    return None


def _column_renames(before: Entity, after: Entity, hints: Hints) -> list[Operation]:
    old_cols = {c.name: c for c in before.columns}
    new_cols = {c.name for c in after.columns}
    ops: list[Operation] = []
    for col in after.columns:
        hint = hints.columns.get((after.name, col.name))
        if hint is None or hint not in old_cols:
            continue
        if hint not in new_cols and col.name not in old_cols:
            was = old_cols[hint]
            named = (
                _identity_named_after(was) and _unnamed_after(was, after, col.name)
            ) or _named_after(was, after, col.name)
            ops.append(RenameColumn(after.table, hint, col.name, named))
    return ops
