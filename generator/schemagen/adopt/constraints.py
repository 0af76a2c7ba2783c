"""Map a table's keys and constraints: foreign keys (on their column where they can
be), unique constraints, checks and exclusion constraints, and list those the
language cannot say (``adopt.mapping``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..live.domains import DomainShape
from ..live.shapes import ForeignKeyShape
from ..model.inlists import in_lists
from .catalog import ConstraintFacts
from .drafts import INTEGER, MappingState, TableDraft, bare_name, move_last, set_before
from .excludes import exclude_spec
from .keys import FK_WORDS, fk_options, foreign_key_spec
from .names import Named
from .values import type_key


class ConstraintMapping(MappingState):
    """The foreign keys, unique constraints, checks and exclusions of each table."""

    def _foreign_keys(
        self, tables: list[TableDraft], by_table: dict[str, TableDraft], convention: dict[str, str]
    ) -> tuple[list[tuple[str, str]], list[tuple[TableDraft, str, TableDraft]]]:
        """Map every foreign key; return the (entity, referenced entity) links and
        the (table, column, referenced table) of the keys written on a column."""
        links: list[tuple[str, str]] = []
        fk_columns: list[tuple[TableDraft, str, TableDraft]] = []
        for table in tables:
            for name, fk in sorted(table.shape.foreign_keys.items()):
                target = self._foreign_key(table, name, fk, by_table, convention)
                if target is not None:
                    links.append((table.entity, target.entity))
                    if name not in table.foreign_keys:  # (entity-level keys get no relationship)
                        fk_columns.append((table, fk.columns[0], target))
        return links, fk_columns

    def _foreign_key(
        self,
        table: TableDraft,
        name: str,
        fk: ForeignKeyShape,
        by_table: dict[str, TableDraft],
        convention: dict[str, str],
    ) -> TableDraft | None:
        """Write the key on its column (``references:``) where it can be: one column,
        the first key on it, named by the convention; else in ``foreign_keys:``."""
        facts = self.catalog.constraints.get((table.name, name))
        problem = self._fk_problem(table, fk, by_table, facts)
        if problem:
            self.report("foreign key", f"{name} on {table.name}", problem)
            return None
        column, target = fk.columns[0], by_table[fk.ref_table]
        spec = table.columns[column]
        ref_pk = target.shape.primary_key[1] if target.shape.primary_key else ()
        if (
            len(fk.columns) > 1
            or "references" in spec
            or not Named(name, table.bare, fk.columns, bare_name(fk.ref_table)).follows(
                convention["fk"]
            )
        ):
            table.foreign_keys[name] = foreign_key_spec(fk, target.entity, ref_pk)
            if facts is not None and not facts.validated:  # left NOT VALID on purpose
                table.foreign_keys[name]["validated"] = False
            return target
        ref_col = fk.ref_columns[0]
        spec["references"] = target.entity if ref_pk == (ref_col,) else f"{target.entity}.{ref_col}"
        if spec.get("identity") is False:  # a key that references a key is no identity
            del spec["identity"]
        ref_spec = target.columns.get(ref_col, {})
        if (
            {k: v for k, v in ref_spec.items() if k in ("type", "length", "precision", "scale")}
            == {k: v for k, v in spec.items() if k in ("type", "length", "precision", "scale")}
            and "of" not in spec
            and "enum" not in spec
        ):
            for key in ("type", "length", "precision", "scale"):
                spec.pop(key, None)
        spec.update(fk_options(fk, on_update_key="on_update_fk"))
        if facts is not None and not facts.validated:  # left NOT VALID on purpose
            spec["validated"] = False
        move_last(spec, ("description", "attribute"))
        return target

    def _fk_problem(
        self, table: TableDraft, fk: ForeignKeyShape, by_table: dict[str, TableDraft], facts: Any
    ) -> str:
        if facts is not None and facts.other_schema:
            return "it references another schema"
        if fk.ref_table not in by_table:
            return f"it references {fk.ref_table}, which is not imported"
        if (set(fk.columns) & table.left_out) or (
            set(fk.ref_columns) & by_table[fk.ref_table].left_out
        ):
            return "it uses a column that is left out"
        mismatch = _type_mismatch(table, fk, by_table[fk.ref_table], self.shape.domains)
        if mismatch:
            return mismatch
        if fk.on_delete not in FK_WORDS or fk.on_update not in FK_WORDS:
            return "SET DEFAULT"
        if facts is not None and not facts.validated and table.shape.partition_key is not None:
            return "NOT VALID"  # (validated: false is refused on a partitioned table)
        return ""

    def _usable(self, table: TableDraft, kind: str, name: str, columns: tuple[str, ...]) -> bool:
        facts = self.catalog.constraints.get((table.name, name))
        where = f"{name} on {table.name}"
        if set(columns) & table.left_out:
            self.report(kind, where, "it uses a column that is left out")
            return False
        if facts is None:
            return True
        # A unique constraint says its deferral in the language; PostgreSQL marks
        # every key NO INHERIT, and only a check can be inherited.
        reasons = [
            word
            for word, applies in (
                ("DEFERRABLE", facts.deferrable and facts.kind != "u"),
                # a check says it (validated: false), but not on a partitioned table
                ("NOT VALID", not facts.validated and not _says_not_valid(table, facts)),
                ("NO INHERIT", facts.kind == "c" and facts.no_inherit),
            )
            if applies
        ]
        if reasons:
            self.report(kind, where, ", ".join(reasons))
        return not reasons

    def _uniques(self, table: TableDraft, convention: dict[str, str]) -> Iterator[tuple[str, Any]]:
        for name, uq in sorted(table.shape.uniques.items()):
            if not self._usable(table, "unique constraint", name, uq.columns):
                continue
            index = self.catalog.indexes.get((table.name, name))
            if index is not None and (index.nulls_not_distinct or index.storage):
                self.report("unique constraint", f"{name} on {table.name}", "NULLS NOT DISTINCT")
                continue
            cols = uq.columns
            if uq.deferrable:  # the entity's unique: says it; a column's unique: true cannot
                key = "initially_deferred" if uq.initially_deferred else "deferrable"
                yield name, {"columns": list(cols), key: True}
            elif len(cols) == 1 and Named(name, table.bare, cols).follows(convention["uq"]):
                set_before(table.columns[cols[0]], "unique", True)
            else:
                yield name, list(cols)
            table.written.add(name)

    def _checks(self, table: TableDraft) -> Iterator[tuple[str, Any]]:
        for name, expression in sorted(table.shape.checks.items()):
            facts = self.catalog.constraints.get((table.name, name))
            if self._calls_missing("check", table.name, name):
                continue
            if not self._usable(table, "check constraint", name, facts.columns if facts else ()):
                continue
            if facts is not None and not facts.validated:  # left NOT VALID on purpose
                yield name, {"expression": in_lists(expression), "validated": False}
            else:
                yield name, in_lists(expression)

    def _excludes(self, table: TableDraft) -> Iterator[tuple[str, dict[str, Any]]]:
        for name, definition in sorted(table.shape.excludes.items()):
            facts = self.catalog.constraints.get((table.name, name))
            columns = facts.columns if facts else ()
            if self._calls_missing("exclusion constraint", table.name, name):
                continue  # (recorded on its index, named as the constraint)
            if not self._usable(table, "exclusion constraint", name, columns):
                continue
            spec = exclude_spec(definition)
            if spec is None:
                self.report("exclusion constraint", f"{name} on {table.name}", definition)
            else:
                table.written.add(name)
                yield name, spec

    def _constraint_comments(self, table: TableDraft) -> None:
        for name, facts in sorted(self.constraints_of.get(table.name, []), key=lambda c: c[0]):
            if facts.comment is not None:
                self.report("comment on constraint", f"{name} on {table.name}", "left out")
            # a key's, unique's or exclusion's index holds a comment apart from its
            # constraint's (named as it: PostgreSQL renames one with the other); the
            # indexes mapped list only indexes no constraint owns
            index = self.catalog.indexes.get((table.name, name)) if facts.kind in "pux" else None
            if index is not None and index.comment is not None:
                self.report(
                    "comment on index",
                    f"{name} on {table.name}",
                    "left out (a constraint's index: the language describes none)",
                )
            if facts.kind == "t":
                self.report("constraint trigger", f"{name} on {table.name}")


def _type_mismatch(
    table: TableDraft, fk: ForeignKeyShape, target: TableDraft, domains: dict[str, DomainShape]
) -> str:
    """Why a key whose columns are not of the referenced columns' types cannot be
    written ("" when it can): PostgreSQL accepts one between types of one operator
    family; the language takes two integer types (a smallint column referencing an
    integer key, as ports from other databases have: the column's own ``type:`` is
    written), and makes a key's other columns of the referenced types. A column of a
    domain is compared by the domain's base type, as PostgreSQL and validate compare
    it (a domain over smallint referencing an integer key)."""
    for column, ref in zip(fk.columns, fk.ref_columns, strict=True):
        mine, theirs = table.shape.columns[column].type, target.shape.columns[ref].type
        bases = {_base_type(mine, domains), _base_type(theirs, domains)}
        if mine != theirs and not bases <= INTEGER:
            return (
                f"column {column} is {mine}, {target.name}.{ref} is {theirs} "
                "(the language makes a key's columns of the referenced types, "
                "or of another integer type)"
            )
    return ""


def _base_type(type_text: str, domains: dict[str, DomainShape]) -> str:
    """A domain's base type as ``format_type`` prints it, else ``type_text`` (the
    language's domains are over base types only)."""
    key = type_key(type_text)
    domain = domains.get(key)
    return domain.type if domain is not None else type_text


def _says_not_valid(table: TableDraft, facts: ConstraintFacts) -> bool:
    """Whether the language says this NOT VALID constraint: a check
    (``validated: false``) of a table that is not partitioned."""
    return facts.kind == "c" and table.shape.partition_key is None
