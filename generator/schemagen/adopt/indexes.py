"""Map a table's indexes (on their column where they can be) and its CLUSTER ON
mark, and list those the language cannot say (``adopt.mapping``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..live.shapes import IndexShape
from .drafts import MappingState, TableDraft, plain_index, set_before
from .keys import index_spec
from .names import Named


class IndexMapping(MappingState):
    """The indexes and CLUSTER ON mark of each table."""

    def _indexes(self, table: TableDraft, convention: dict[str, str]) -> Iterator[tuple[str, Any]]:
        for name, ix in sorted(table.shape.indexes.items()):
            if self._calls_missing("index", table.name, name):
                continue
            problem = self._index_problem(table, name, ix)
            if problem:
                self.report("index", f"{name} on {table.name}", problem)
                continue
            facts = self.catalog.indexes.get((table.name, name))
            if facts is not None and facts.comment is not None:
                self.report(
                    "comment on index",
                    f"{name} on {table.name}",
                    "left out (index descriptions are docs)",
                )
            expressions = self._expressions(table.name, name)
            plain = plain_index(ix, expressions)
            if (
                len(ix.columns) == 1
                and plain
                and Named(name, table.bare, ix.columns).follows(convention["ix"])
            ):
                set_before(table.columns[ix.columns[0]], "index", True)
            elif plain:
                yield name, list(ix.columns)
            else:
                yield name, index_spec(ix, expressions)
            table.written.add(name)

    def _index_problem(self, table: TableDraft, name: str, ix: IndexShape) -> str:
        facts = self.catalog.indexes.get((table.name, name))
        if facts is not None:
            if facts.storage or facts.invalid:
                return "storage options, or not valid"
        expressions = self._expressions(table.name, name)
        columns = set(ix.columns[len(expressions) :] + ix.include)
        columns.update(c for c, expr in zip(ix.columns, expressions, strict=False) if not expr)
        # (an expression may name a left-out column: conservatively, any left-out column)
        if columns & table.left_out or (any(expressions) and table.left_out):
            return "it uses a column that is left out"
        if any(c and o != "ASC" for c, o in zip(ix.collations, ix.orders, strict=False)):
            # validate refuses the pair (Alembic could not compare such a key)
            return "a key with a collation of its own is not ASC NULLS LAST"
        return ""

    def _cluster_on(self, table: TableDraft) -> dict[str, str]:
        """``cluster_on:`` of ``table``: its CLUSTER ON mark, where the index it is on is
        written (else listed: named, the schema would fail validate); a partition's mark
        is listed with the catalog's objects."""
        marked = [index for relation, index in table.shape.clustered if relation == table.name]
        if not marked:
            return {}
        index = marked[0]
        pk = table.shape.primary_key
        if pk is not None and pk[0] == index and not set(pk[1]) & table.left_out:
            table.written.add(index)
        if index in table.written:
            return {"cluster_on": index}
        kind = (
            "primary key" if pk is not None and pk[0] == index
            else "unique constraint" if index in table.shape.uniques
            else "exclusion constraint" if index in table.shape.excludes
            else "index"
        )
        self.report(
            "cluster on",
            f"{index} on {table.name}",
            f"its index is not written ({kind} {index} on {table.name})",
        )
        return {}
