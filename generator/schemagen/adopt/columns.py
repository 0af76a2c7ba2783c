"""Map a table's columns: type, nullability, identity or serial, default,
generated expression, collation, statistics and storage (``adopt.mapping``).
"""

from __future__ import annotations

from typing import Any

from ..live.catalog_rows import plain_identity
from ..model import naming
from ..model.inlists import in_lists
from ..model.sequences import custom_sequence_name
from ..model.typemap import COLLATABLE_PGTYPES
from .domains import domain_column
from .drafts import INTEGER, MappingState, TableDraft
from .keys import sequence_spec
from .names import python_name, usable_as_is
from .values import map_default, map_type, own_storage

_COLLATABLE = frozenset({"string", "varchar", "text"})
_SERIALS = {"smallint": "smallserial", "integer": "serial", "bigint": "bigserial"}


class ColumnMapping(MappingState):
    """The columns of each table, as ``columns:`` says them."""

    def _columns(self, table: TableDraft) -> None:
        pk_columns = table.shape.primary_key[1] if table.shape.primary_key else ()
        for name, shape in table.shape.columns.items():
            where = f"{table.name}.{name}"
            if not naming.is_sql_name(name) or naming.too_long(name):
                self.report("column", where, "the language needs letters, digits and _")
                table.left_out.add(name)
                continue
            spec = domain_column(shape.type, self.domain_of) or map_type(shape.type, self.enum_of)
            if spec is None:
                self.report("type", shape.type, f"of column {where}")
                table.left_out.add(name)
                continue
            self._collation(table.name, name, spec)
            if name in pk_columns:
                spec["primary_key"] = True
            elif shape.nullable:
                spec["nullable"] = True
            self._column_extras(table, name, spec, len(pk_columns) == 1)
            self._settings(table, name, spec)
            if shape.comment is not None:
                spec["description"] = shape.comment
            if not usable_as_is(name):
                spec["attribute"] = python_name(name)
            table.columns[name] = spec
        self._check_order(table, pk_columns)

    def _column_extras(
        self, table: TableDraft, name: str, spec: dict[str, Any], single: bool
    ) -> None:
        """Identity, serial, default, generated and collation of one column."""
        shape = table.shape.columns[name]
        facts = self.catalog.columns.get((table.name, name))
        auto = single and spec.get("primary_key") and spec["type"] in INTEGER
        serial = self._serial(table.name, name)
        if facts is not None and facts.identity:
            self._identity(table, name, spec, bool(auto))
        elif serial:
            self._serial_type(table, name, spec)
            if auto and spec["type"] in INTEGER:
                # listed, not serial: the key has no identity either (never claim one)
                spec["identity"] = False
        elif (
            shape.default is not None
            and not (facts is not None and facts.generated)
            and not self._calls_missing("default of column", table.name, name)
        ):
            # (pg_attrdef holds a generated column's expression, which is no default)
            spec["default"] = map_default(shape.default, spec, shape.type)
        elif auto and shape.generated is None:  # numbered by the application: say so
            spec["identity"] = False
        if shape.generated is not None:
            spec["generated"] = in_lists(shape.generated)

    def _settings(self, table: TableDraft, name: str, spec: dict[str, Any]) -> None:
        """``statistics:`` and ``storage:`` (a partitioned table's statistics target is
        listed by report_objects: its partitions made later lack it)."""
        shape = table.shape.columns[name]
        if shape.statistics is not None and table.shape.partition_key is None:
            spec["statistics"] = shape.statistics
        if shape.storage is None:
            return
        # a domain's column has its base type's storage (as validate reads it)
        typed = self.domains.get(str(spec.get("type")), spec)
        if own_storage(typed) is None:  # a type whose own storage schemagen does not know
            where = f"{table.name}.{name}"
            self.report("options of column", where, f"SET STORAGE {shape.storage.upper()}")
        else:
            spec["storage"] = shape.storage

    def _collation(self, table: str, name: str, spec: dict[str, Any]) -> None:
        """A column's own collation, where its type takes one (right after the type)."""
        facts = self.catalog.columns.get((table, name))
        if facts is None or not facts.collation:
            return
        if spec["type"] in _COLLATABLE or spec["type"].split("(")[0] in COLLATABLE_PGTYPES:
            spec["collation"] = facts.collation
        else:
            self.report("collation", facts.collation, f"of column {table}.{name}")

    def _identity(self, table: TableDraft, name: str, spec: dict[str, Any], auto: bool) -> None:
        """``identity:`` as the language says it; nothing for the implicit one of a
        lone integer key (BY DEFAULT, PostgreSQL's options)."""
        shape = table.shape.columns[name]
        seq = self.sequence_of.get((table.name, name))
        if spec["type"] not in INTEGER or seq is None:
            self.report("identity column", f"{table.name}.{name}", "no sequence of its own")
            return
        # a table or column renamed keeps its identity's sequence name
        custom = custom_sequence_name(table.name, name, seq.name)
        facts = shape.identity_options
        if facts is None and custom is None:
            if not auto:
                spec["identity"] = "by default"
            return
        plain = plain_identity(shape.type)
        keys = ("always", "start", "increment", "min", "max", "cycle", "cache")
        said = {k: v for k, v, p in zip(keys, facts or plain, plain, strict=True) if v != p}
        if custom is not None:
            spec["identity"] = {"name": custom, **said}
            return
        spec["identity"] = "always" if said == {"always": True} else said

    def _serial_type(self, table: TableDraft, name: str, spec: dict[str, Any]) -> None:
        """``type: serial`` for an integer column (a key or not) whose default is
        nextval of its own sequence (its type, name and options said where they are
        not what serial makes)."""
        seq = self.sequence_of[(table.name, name)]
        default = table.shape.columns[name].default
        if (
            spec["type"] in INTEGER
            and seq.data_type in INTEGER
            and not spec.get("nullable")
            and default == f"nextval('{seq.name}'::regclass)"
        ):
            kind = spec["type"]
            spec["type"] = _SERIALS[kind]
            if seq.data_type != kind:
                # a sequence made before PostgreSQL 10 (bigint), or a serial column
                # widened or narrowed, which keeps its sequence
                spec["sequence"] = {"type": seq.data_type}
            custom = custom_sequence_name(table.name, name, seq.name)
            if custom is not None:
                # a table or column renamed keeps its serial's sequence name
                spec.setdefault("sequence", {})["name"] = custom
            start, increment, low, high, cache, cycle = seq.options
            said = sequence_spec((seq.data_type, start, increment, low, high, cycle, cache))
            said.pop("type", None)  # said above, where it is not the column's
            if said:
                spec["sequence"] = {**spec.get("sequence", {}), **said}
        else:
            self.report(
                "serial column",
                f"{table.name}.{name}",
                "not as serial makes it (NULL allowed, or a default other than its "
                "sequence's nextval)",
            )

    def _serial(self, table: str, column: str) -> bool:
        seq = self.sequence_of.get((table, column))
        return seq is not None and seq.owned_as == "a"

    def _check_order(self, table: TableDraft, pk_columns: tuple[str, ...]) -> None:
        """Columns keep the table's order; a key in an order of its own says it."""
        if list(pk_columns) != [c for c in table.shape.columns if c in pk_columns]:
            table.key_order = list(pk_columns)
