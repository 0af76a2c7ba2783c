"""List what the catalog holds beyond tables the language can say: foreign tables,
composite types, unimportable tables, table options, column options, standalone
sequences it cannot name, other objects (``adopt.mapping``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..model import naming
from .catalog import ColumnFacts, RelationFacts
from .drafts import bare_name
from .keys import sequence_spec
from .partition_trees import PartitionMapping


class ObjectReport(PartitionMapping):
    """Which tables are imported, and the list of every other object."""

    def _importable(self, table: str) -> bool:
        shape = self.shape.tables[table]
        if shape.partition_key is not None and not self._partitioning(table, shape):
            return False
        return naming.is_sql_name(bare_name(table)) and not naming.too_long(bare_name(table))

    def report_objects(self) -> None:
        """Everything the catalog holds beyond tables, and table-level options."""
        # Views, materialized views, functions and triggers: see adopt.routines.
        kinds = {"f": "foreign table", "c": "composite type"}
        relations = self.catalog.relations.items()
        for name, facts in sorted((n, f) for n, f in relations if f.kind not in ("v", "m")):
            if facts.kind in kinds:
                self.report(kinds[facts.kind], name)
                continue
            if facts.partition:
                pass  # read with its parent (partition_by:, partitions:), at any level
            elif facts.kind == "p" and name not in self.entity_of:
                self.report("partitioned table", name, self._unimportable_partitioned(name))
            elif not naming.is_sql_name(bare_name(name)) or naming.too_long(bare_name(name)):
                self.report("table", name, "the language needs letters, digits and _")
            self._report_table_options(name, facts)
        for (table, column), column_facts in sorted(self.catalog.columns.items()):
            if column_facts.options:  # a planner's or TOAST's setting, dropped otherwise
                self.report("options of column", f"{table}.{column}", _options(table, column_facts))
        for seq in self.catalog.sequences:
            if seq.owner is None and seq.name not in self._standalone_sequences():
                self.report("sequence", seq.name, "the language needs letters, digits and _")
        self._report_other_objects()

    def _report_table_options(self, name: str, facts: RelationFacts) -> None:
        """A table's settings the language has no word for."""
        flags = [
            (facts.unlogged, "unlogged table"),
            (facts.options, "storage options of table"),
            (facts.inherits and not facts.partition, "inheritance of table"),
            (facts.tablespace, "tablespace of table"),
        ]
        for present, kind in flags:
            if present:
                self.report(kind, name)
        # what logical replication sends: written as replica_identity: (see _security),
        # but where PostgreSQL keeps it apart from the rows (a partitioned table's, a
        # partition's) or USING INDEX names an index dropped since
        unwritable = facts.kind == "p" or facts.partition or facts.replica_identity == _DANGLING
        if facts.replica_identity is not None and unwritable:
            self.report("replica identity of table", name, facts.replica_identity)

    def _report_other_objects(self) -> None:
        """Procedures, types, ...: not functions, which adopt.routines reads (and lists
        where the language cannot say one) in every schema read."""
        for kind, name in self.catalog.objects:
            if kind != "function":
                self.report(kind, name)
        for call in self.catalog.foreign_calls:
            self.report(call.kind, call.name, call.what)
        for name, pg_schema in self.catalog.extensions_elsewhere:
            where = f"made in schema {pg_schema} (the language makes an extension in the "
            self.report("extension", name, where + "default schema)")

    def _standalone_sequences(self) -> list[str]:
        """Sequences that belong to no column, as ``sequences:`` can name them."""
        return [
            seq.name
            for seq in self.catalog.sequences
            if seq.owner is None
            and seq.name in self.shape.sequences
            and naming.is_sql_name(bare_name(seq.name))
            and not naming.too_long(bare_name(seq.name))
        ]

    def _sequences(self) -> dict[str, dict[str, Any]]:
        """``sequences:`` by bare name (``schema:`` says where); a name used in two
        schemas cannot be two keys: both are reported."""
        names = self._standalone_sequences()
        count = Counter(bare_name(n) for n in names)
        specs: dict[str, dict[str, Any]] = {}
        for name in names:
            pg_schema, bare = naming.split_qualified(name)
            if count[bare] > 1:
                self.report("sequence", name, "its name is used in another schema too")
                continue
            where = {"schema": pg_schema} if pg_schema is not None else {}
            specs[bare] = {**where, **sequence_spec(self.shape.sequences[name])}
        return dict(sorted(specs.items()))


def _options(table: str, facts: ColumnFacts) -> str:
    """A column's settings as the DDL says them, and where they are a partition's."""
    if facts.partition_of is None:
        return facts.options
    return (
        f"{facts.options}, on partition {table} of {facts.partition_of} (the language says "
        "a column's settings of a table, not of its partitions)"
    )


#: ``RelationFacts.replica_identity`` of USING INDEX an index dropped since.
_DANGLING = "USING INDEX (an index dropped since)"
