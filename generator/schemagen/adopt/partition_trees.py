"""Map a partitioned table's tree: ``partition_by:`` and ``partitions:`` at every
level, why the language cannot say one, and what a partition holds of its own
(a check, an index, a comment, row-level security, a policy), which is listed
(``adopt.mapping``).
"""

from __future__ import annotations

from typing import Any

from ..live.shapes import TableShape
from ..model import naming
from .drafts import MappingState, TableDraft
from .excludes import partition_key_spec, partition_spec


class PartitionMapping(MappingState):
    """The partition key and partitions of each partitioned table."""

    def _partition_sections(self, table: TableDraft) -> dict[str, Any]:
        """``partition_by:`` and, when it has any, ``partitions:`` of a partitioned table."""
        if table.shape.partition_key is None:
            return {}
        key, partitions = self._partitioning(table.name, table.shape) or ({}, {})
        return {"partition_by": key, **({"partitions": partitions} if partitions else {})}

    def _partition_checks(self, table: TableDraft) -> None:
        """A check a partition (any depth) holds of its own, not its table's: the
        language declares checks on a table alone (a partition's entry says its bound
        and sub-partitions), and ``check --database`` reports it as drift
        (live.partition_checks). Listed with its partition and expression."""
        for partition, _, _, name, definition in table.shape.partition_checks:
            detail = (
                f"made on partition {partition} of {table.name} alone (the language "
                f"declares checks on a table): {definition}"
            )
            self.report("check constraint", f"{name} on {partition}", detail)

    def _partition_indexes(self, table: TableDraft) -> None:
        """An index made on a partition (any depth) alone, a copy of no index of its
        parent: the language declares a partition's indexes on its table (every
        partition gets a copy, attached, which is not listed), and ``check --database``
        reports it as drift (live.partition_indexes). Listed with its partition and
        definition."""
        for index in table.shape.partition_indexes:
            detail = (
                f"made on partition {index.partition} of {table.name} alone (the language "
                f"declares a partition's indexes on its table): {index.definition}"
            )
            self.report("index", f"{index.name} on {index.partition}", detail)

    def _partition_own(self, table: TableDraft) -> None:
        """A comment, column comment, row-level security, policy, index or constraint
        comment a partition (any depth) holds of its own: the language says them of a table alone (a
        partition's entry says its bound and sub-partitions), and PostgreSQL copies
        none of the table's onto its partitions. Listed with the partition and what it
        holds."""
        for partition, kind, name, definition in self.catalog.partition_own:
            if partition not in table.shape.partition_names:
                continue
            listed_as, says = _OWN[kind]
            what = {
                "column comment": f"{partition}.{name}",
                "policy": f"{name} on {partition}",
                "index comment": f"{name} on {partition}",
                "constraint comment": f"{name} on {partition}",
            }
            detail = (
                f"made on partition {partition} of {table.name} alone (the language "
                f"{says}): {definition}"
            )
            self.report(listed_as, what.get(kind, partition), detail)

    def _partitioning(
        self, name: str, shape: TableShape
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """``partition_by:`` and ``partitions:`` of a partitioned table (a partition
        partitioned in turn has its own, in its entry), or None when the language
        cannot say them (:meth:`_partition_problem` says why)."""
        key = partition_key_spec(shape.partition_key or "")
        if key is None or self._partition_problem(name, shape) is not None:
            return None
        return key, self._partition_entries(shape, shape.partitions, _integers(shape, key))

    def _partition_entries(
        self, shape: TableShape, bounds: dict[str, str], integers: tuple[bool, ...]
    ) -> dict[str, Any]:
        """The ``partitions:`` entries of ``bounds`` (partition -> bound; ``integers``:
        which columns of their key are of an integer type), each partition partitioned
        in turn with its ``partition_by:`` and ``partitions:``."""
        entries: dict[str, Any] = {}
        for part, bound in sorted(bounds.items()):
            spec = partition_spec(bound, integers)
            if spec is None:
                continue
            key = shape.partition_keys.get(part)
            if key is not None:
                own_key = partition_key_spec(key) or {}
                spec = {**spec, "partition_by": own_key}
                own = shape.sub_partitions.get(part, {})
                if own:
                    spec["partitions"] = self._partition_entries(
                        shape, own, _integers(shape, own_key)
                    )
            entries[part] = spec
        return entries

    def _partition_problem(self, name: str, shape: TableShape) -> str | None:
        """Why the language cannot say a partitioned table's key or partitions: a key
        or bound it has no words for, a partition in another PostgreSQL schema than
        its table (introspect names it schema.name), a partition name it cannot
        take; at every level (a partition partitioned in turn: its key and its own)."""
        if partition_key_spec(shape.partition_key or "") is None:
            return f"its partition key {shape.partition_key}"
        levels = [shape.partitions, *shape.sub_partitions.values()]
        for part, bound in sorted(p for level in levels for p in level.items()):
            if partition_spec(bound) is None:
                return f"the bound of partition {part}: {bound}"
            if naming.split_qualified(part)[0] is not None:
                return f"partition {part} is in another PostgreSQL schema than its table"
            if not naming.is_sql_name(part) or naming.too_long(part):
                return f"partition {part}: the language needs letters, digits and _"
            key = shape.partition_keys.get(part)
            if key is not None and partition_key_spec(key) is None:
                return f"the partition key of partition {part}: {key}"
        return None

    def _unimportable_partitioned(self, name: str) -> str:
        """The one reason a partitioned table is left out (see :meth:`_importable`)."""
        shape = self.shape.tables.get(name)
        if shape is None:
            return "its table could not be read"
        problem = self._partition_problem(name, shape)
        if problem is not None:
            return problem
        return "the language needs letters, digits and _"


#: Each kind of adopt.catalog's partition rows: the kind import lists it as, and what
#: the language says it of.
_OWN = {
    "comment": ("comment on partition", "describes a table"),
    "column comment": ("comment on column", "describes a table's columns"),
    "row-level security": ("row-level security of partition", "declares it on a table"),
    "policy": ("policy", "declares policies on a table"),
    "index comment": ("comment on index", "describes no index"),
    "constraint comment": ("comment on constraint", "describes no constraint"),
}

#: format_type's names of PostgreSQL's integer types
_INTEGER_TYPES = frozenset({"smallint", "integer", "bigint"})


def _integers(shape: TableShape, key: dict[str, Any]) -> tuple[bool, ...]:
    """Whether each item of the partition ``key`` (as :func:`partition_key_spec` gives
    it) is a column of ``shape`` of an integer type (an expression is not)."""
    items: list[Any] = next(iter(key.values()), [])
    return tuple(
        isinstance(item, str)
        and item in shape.columns
        and shape.columns[item].type in _INTEGER_TYPES
        for item in items
    )
