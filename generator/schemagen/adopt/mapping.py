"""A catalog -> the language's documents, and one line for each thing they cannot say.

The documents are plain data (dicts in their final key order) that
``emit`` lays out as YAML. Every object or property the language cannot express
becomes one :class:`Unsupported` line, and is left out of the documents: the
smallest part that can be (an index's comment, not the index; a column whose
type has no name, and the keys and indexes that use it). A lone integer key
that PostgreSQL's ``serial`` made is ``type: serial`` (``bigserial``,
``smallserial``); an identity says ``identity:`` where it is more than the
implicit one of such a key.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..live.catalog_rows import plain_identity
from ..live.domains import DomainShape
from ..live.shapes import ForeignKeyShape, IndexShape, TableShape
from ..model import naming
from ..model.inlists import in_lists
from ..model.replication import replica_identity_spec
from ..model.sequences import custom_sequence_name
from ..model.typemap import COLLATABLE_PGTYPES
from .catalog import Catalog, ConstraintFacts, RelationFacts
from .domains import domain_column, map_domains
from .excludes import exclude_spec, partition_key_spec, partition_spec
from .home import choose_home, function_schema, rehome
from .keys import FK_WORDS, fk_options, foreign_key_spec, index_spec, sequence_spec
from .names import Named, choose_template, class_names, python_name, usable_as_is
from .relations import relationship_keys
from .routines import map_routines
from .values import map_default, map_type, own_storage, unquote

_INTEGER = frozenset({"smallint", "integer", "bigint"})
_COLLATABLE = frozenset({"string", "varchar", "text"})
_SERIALS = {"smallint": "smallserial", "integer": "serial", "bigint": "bigserial"}


@dataclass(frozen=True, order=True)
class Unsupported:
    """One object (or property of one) that the language cannot express."""

    kind: str
    name: str
    detail: str = ""

    def line(self) -> str:
        return f"{self.kind} {self.name}" + (f": {self.detail}" if self.detail else "")


@dataclass
class Imported:
    """The documents of an import, and what was left out of them."""

    database: dict[str, Any]
    enums: dict[str, dict[str, Any]] = field(default_factory=dict)
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: list[tuple[str, str]] = field(default_factory=list)  # (entity, referenced entity)
    unsupported: list[Unsupported] = field(default_factory=list)
    functions: dict[str, dict[str, Any]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    sequences: dict[str, dict[str, Any]] = field(default_factory=dict)
    domains: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class _Table:
    """One table on its way to an entity spec."""

    name: str  # qualified outside the default schema: billing.invoices
    entity: str
    shape: TableShape
    columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    left_out: set[str] = field(default_factory=set)  # columns not written
    key_order: list[str] | None = None  # the primary key's order, when not the columns'
    foreign_keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # by name
    # the indexes and constraints written, by name: what cluster_on: may name
    written: set[str] = field(default_factory=set)

    @property
    def bare(self) -> str:
        """The table's name without its PostgreSQL schema."""
        return _bare(self.name)


class Mapper:
    """Map one catalog; :meth:`run` returns the :class:`Imported` documents."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.shape = catalog.shape
        self.out: list[Unsupported] = []
        self.sequence_of = {s.owner: s for s in catalog.sequences if s.owner is not None}
        self.constraints_of: dict[str, list[tuple[str, Any]]] = defaultdict(list)
        for (owner, name), facts in catalog.constraints.items():
            self.constraints_of[owner].append((name, facts))
        taken: set[str] = set()
        tables = [t for t in sorted(self.shape.tables) if self._importable(t)]
        self.entity_of = class_names(tables, taken, singularize=True)
        self.enum_of = class_names(self.shape.enums, taken, singularize=False)
        self.taken = taken
        self.domains, self.domain_of, self.domain_problems = map_domains(
            self.shape.domains, self.enum_of
        )
        self.home = choose_home(self.entity_of, (r[-1] for r in catalog.routines.functions))

    def report(self, kind: str, name: str, detail: str = "") -> None:
        self.out.append(Unsupported(kind, name, detail))

    # --- what is not a table ------------------------------------------------------

    def _importable(self, table: str) -> bool:
        shape = self.shape.tables[table]
        if shape.partition_key is not None and not self._partitioning(table, shape):
            return False
        return naming.is_sql_name(_bare(table)) and not naming.too_long(_bare(table))

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
            elif not naming.is_sql_name(_bare(name)) or naming.too_long(_bare(name)):
                self.report("table", name, "the language needs letters, digits and _")
            self._report_table_options(name, facts)
        for (table, column), column_facts in sorted(self.catalog.columns.items()):
            if column_facts.options:  # a planner's or TOAST's setting, dropped otherwise
                self.report("options of column", f"{table}.{column}", column_facts.options)
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
        """Functions, types, ...: not the functions of the default schema (adopt.routines)."""
        for kind, name in self.catalog.objects:
            if kind != "function" or function_schema(name) != self.home:
                self.report(kind, name)

    # --- the whole run -----------------------------------------------------------------

    def run(self) -> Imported:
        """Map the catalog: enums, entities with their keys, indexes and relationships."""
        self.report_objects()
        for kind, name, detail in self.domain_problems:
            self.report(kind, name, detail)
        enums = {self.enum_of[t]: self._enum(t) for t in sorted(self.shape.enums)}
        tables = [
            _Table(name, entity, self.shape.tables[name])
            for name, entity in sorted(self.entity_of.items(), key=lambda kv: kv[1])
        ]
        for table in tables:
            self._columns(table)
        convention = self._convention(tables)
        by_table = {t.name: t for t in tables}
        entities: dict[str, dict[str, Any]] = {}
        links, fk_columns = self._foreign_keys(tables, by_table, convention)
        relationship_keys(
            [(t.entity, t.bare, t.columns) for t in tables],
            [
                (t.entity, column, target.entity)
                for t, column, target in fk_columns
                # no ORM relationship joins a table without a primary key (a Table)
                if t.shape.primary_key is not None and target.shape.primary_key is not None
            ],
        )
        routines = map_routines(
            self.catalog.routines,
            {t.name: list(t.columns) for t in tables},
            self.enum_of,
            self.taken,
            self.home,
            self.domain_of,
            self.catalog.shape.opclasses,
        )
        for kind, name, detail in routines.unsupported:
            self.report(kind, name, detail)
        for table in tables:
            for column in routines.on_update.get(table.name, ()):
                _set_before(table.columns[column], "on_update", "now")
            entities[table.entity] = self._entity(table, convention)
            if table.name in routines.triggers:
                entities[table.entity]["triggers"] = routines.triggers[table.name]
        database: dict[str, Any] = {"name": self.catalog.database, "dialect": "postgresql"}
        if self.shape.extensions:
            database["extensions"] = sorted(self.shape.extensions)
        if routines.on_update:
            database["on_update_now"] = "trigger"
        changed = {k: v for k, v in convention.items() if naming.DEFAULT_NAMING_CONVENTION[k] != v}
        if changed:
            database["naming_convention"] = dict(sorted(changed.items()))
        sequences = self._sequences()  # before the list of what is left out: it adds to it
        docs = {"database": database, "enums": enums, "entities": entities}
        docs = rehome(
            {**docs, "sequences": sequences, "domains": self.domains, "views": routines.views},
            self.home,
        )
        return Imported(
            docs["database"],
            docs["enums"],
            docs["entities"],
            links,
            sorted(set(self.out)),
            routines.functions,
            docs["views"],
            docs["sequences"],
            docs["domains"],
        )

    def _sequences(self) -> dict[str, dict[str, Any]]:
        """``sequences:`` by bare name (``schema:`` says where); a name used in two
        schemas cannot be two keys: both are reported."""
        names = self._standalone_sequences()
        count = Counter(_bare(n) for n in names)
        specs: dict[str, dict[str, Any]] = {}
        for name in names:
            pg_schema, bare = naming.split_qualified(name)
            if count[bare] > 1:
                self.report("sequence", name, "its name is used in another schema too")
                continue
            where = {"schema": pg_schema} if pg_schema is not None else {}
            specs[bare] = {**where, **sequence_spec(self.shape.sequences[name])}
        return dict(sorted(specs.items()))

    def _foreign_keys(
        self, tables: list[_Table], by_table: dict[str, _Table], convention: dict[str, str]
    ) -> tuple[list[tuple[str, str]], list[tuple[_Table, str, _Table]]]:
        """Map every foreign key; return the (entity, referenced entity) links and
        the (table, column, referenced table) of the keys written on a column."""
        links: list[tuple[str, str]] = []
        fk_columns: list[tuple[_Table, str, _Table]] = []
        for table in tables:
            for name, fk in sorted(table.shape.foreign_keys.items()):
                target = self._foreign_key(table, name, fk, by_table, convention)
                if target is not None:
                    links.append((table.entity, target.entity))
                    if name not in table.foreign_keys:  # (entity-level keys get no relationship)
                        fk_columns.append((table, fk.columns[0], target))
        return links, fk_columns

    def _standalone_sequences(self) -> list[str]:
        """Sequences that belong to no column, as ``sequences:`` can name them."""
        return [
            seq.name
            for seq in self.catalog.sequences
            if seq.owner is None
            and seq.name in self.shape.sequences
            and naming.is_sql_name(_bare(seq.name))
            and not naming.too_long(_bare(seq.name))
        ]

    def _enum(self, type_name: str) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        pg_schema, bare = naming.split_qualified(type_name)
        if pg_schema is not None:
            spec["schema"] = pg_schema
        if naming.snake_case(self.enum_of[type_name]) != bare:
            spec["db_name"] = bare
        spec["values"] = list(self.shape.enums[type_name])
        return spec

    # --- columns -----------------------------------------------------------------------

    def _columns(self, table: _Table) -> None:
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

    def _column_extras(self, table: _Table, name: str, spec: dict[str, Any], single: bool) -> None:
        """Identity, serial, default, generated and collation of one column."""
        shape = table.shape.columns[name]
        facts = self.catalog.columns.get((table.name, name))
        auto = single and spec.get("primary_key") and spec["type"] in _INTEGER
        serial = self._serial(table.name, name)
        if facts is not None and facts.identity:
            self._identity(table, name, spec, bool(auto))
        elif serial:
            self._serial_type(table, name, spec)
            if auto and spec["type"] in _INTEGER:
                # listed, not serial: the key has no identity either (never claim one)
                spec["identity"] = False
        elif shape.default is not None and not (facts is not None and facts.generated):
            # (pg_attrdef holds a generated column's expression, which is no default)
            spec["default"] = map_default(shape.default, spec, shape.type)
        elif auto and shape.generated is None:  # numbered by the application: say so
            spec["identity"] = False
        if shape.generated is not None:
            spec["generated"] = in_lists(shape.generated)

    def _settings(self, table: _Table, name: str, spec: dict[str, Any]) -> None:
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

    def _identity(self, table: _Table, name: str, spec: dict[str, Any], auto: bool) -> None:
        """``identity:`` as the language says it; nothing for the implicit one of a
        lone integer key (BY DEFAULT, PostgreSQL's options)."""
        shape = table.shape.columns[name]
        seq = self.sequence_of.get((table.name, name))
        if spec["type"] not in _INTEGER or seq is None:
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

    def _serial_type(self, table: _Table, name: str, spec: dict[str, Any]) -> None:
        """``type: serial`` for an integer column (a key or not) whose default is
        nextval of its own sequence (its type, name and options said where they are
        not what serial makes)."""
        seq = self.sequence_of[(table.name, name)]
        default = table.shape.columns[name].default
        if (
            spec["type"] in _INTEGER
            and seq.data_type in _INTEGER
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

    def _check_order(self, table: _Table, pk_columns: tuple[str, ...]) -> None:
        """Columns keep the table's order; a key in an order of its own says it."""
        if list(pk_columns) != [c for c in table.shape.columns if c in pk_columns]:
            table.key_order = list(pk_columns)

    # --- naming convention ----------------------------------------------------------------

    def _convention(self, tables: list[_Table]) -> dict[str, str]:
        samples: dict[str, list[Named]] = {"pk": [], "fk": [], "uq": [], "ix": []}
        for t in tables:
            if t.shape.primary_key:
                name, cols = t.shape.primary_key
                samples["pk"].append(Named(name, t.bare, cols))
            for name, fk in t.shape.foreign_keys.items():
                if len(fk.columns) == 1:
                    samples["fk"].append(Named(name, t.bare, fk.columns, _bare(fk.ref_table)))
            for name, uq in t.shape.uniques.items():
                if len(uq.columns) == 1:
                    samples["uq"].append(Named(name, t.bare, uq.columns))
            for name, ix in t.shape.indexes.items():
                if len(ix.columns) == 1 and _plain_index(ix, self._expressions(t.name, name)):
                    samples["ix"].append(Named(name, t.bare, ix.columns))
        result = dict(naming.DEFAULT_NAMING_CONVENTION)
        result.update({key: choose_template(key, items) for key, items in samples.items()})
        return result

    # --- keys, constraints and indexes ---------------------------------------------------------

    def _foreign_key(
        self,
        table: _Table,
        name: str,
        fk: ForeignKeyShape,
        by_table: dict[str, _Table],
        convention: dict[str, str],
    ) -> _Table | None:
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
            or not Named(name, table.bare, fk.columns, _bare(fk.ref_table)).follows(
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
        _move_last(spec, ("description", "attribute"))
        return target

    def _fk_problem(
        self, table: _Table, fk: ForeignKeyShape, by_table: dict[str, _Table], facts: Any
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

    def _entity(self, table: _Table, convention: dict[str, str]) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        pg_schema = naming.split_qualified(table.name)[0]
        if pg_schema is not None:
            spec["schema"] = pg_schema
        if naming.default_table_name(table.entity) != table.bare:
            spec["table"] = table.bare
        if table.shape.comment is not None:
            spec["description"] = table.shape.comment
        pk_name, pk_cols = table.shape.primary_key or ("", ())
        if table.shape.primary_key is None:
            spec["primary_key"] = False  # an event log, a staging table: rows may repeat
        elif not Named(pk_name, table.bare, pk_cols).follows(convention["pk"]):
            spec["primary_key_name"] = pk_name  # a table renamed since: the old key name
        if table.key_order is not None:
            spec["primary_key"] = table.key_order
        spec["columns"] = table.columns
        uniques = dict(self._uniques(table, convention))
        if uniques:
            spec["unique"] = uniques
        checks = dict(self._checks(table))
        if checks:
            spec["checks"] = checks
        excludes = dict(self._excludes(table))
        if excludes:
            spec["exclude"] = excludes
        spec.update(self._partition_sections(table))
        self._partition_checks(table)
        self._partition_indexes(table)
        indexes = dict(self._indexes(table, convention))
        if indexes:
            spec["indexes"] = indexes
        if table.foreign_keys:
            spec["foreign_keys"] = dict(sorted(table.foreign_keys.items()))
        spec.update(self._cluster_on(table))
        spec.update(_security(table.shape))
        self._constraint_comments(table)
        return spec

    def _usable(self, table: _Table, kind: str, name: str, columns: tuple[str, ...]) -> bool:
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

    def _uniques(self, table: _Table, convention: dict[str, str]) -> Iterator[tuple[str, Any]]:
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
                _set_before(table.columns[cols[0]], "unique", True)
            else:
                yield name, list(cols)
            table.written.add(name)

    def _checks(self, table: _Table) -> Iterator[tuple[str, Any]]:
        for name, expression in sorted(table.shape.checks.items()):
            facts = self.catalog.constraints.get((table.name, name))
            if not self._usable(table, "check constraint", name, facts.columns if facts else ()):
                continue
            if facts is not None and not facts.validated:  # left NOT VALID on purpose
                yield name, {"expression": in_lists(expression), "validated": False}
            else:
                yield name, in_lists(expression)

    def _partition_sections(self, table: _Table) -> dict[str, Any]:
        """``partition_by:`` and, when it has any, ``partitions:`` of a partitioned table."""
        if table.shape.partition_key is None:
            return {}
        key, partitions = self._partitioning(table.name, table.shape) or ({}, {})
        return {"partition_by": key, **({"partitions": partitions} if partitions else {})}

    def _partition_checks(self, table: _Table) -> None:
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

    def _partition_indexes(self, table: _Table) -> None:
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

    def _partitioning(
        self, name: str, shape: TableShape
    ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """``partition_by:`` and ``partitions:`` of a partitioned table (a partition
        partitioned in turn has its own, in its entry), or None when the language
        cannot say them (:meth:`_partition_problem` says why)."""
        key = partition_key_spec(shape.partition_key or "")
        if key is None or self._partition_problem(name, shape) is not None:
            return None
        return key, self._partition_entries(shape, shape.partitions)

    def _partition_entries(self, shape: TableShape, bounds: dict[str, str]) -> dict[str, Any]:
        """The ``partitions:`` entries of ``bounds`` (partition -> bound), each partition
        partitioned in turn with its ``partition_by:`` and ``partitions:``."""
        entries: dict[str, Any] = {}
        for part, bound in sorted(bounds.items()):
            spec = partition_spec(bound)
            if spec is None:
                continue
            key = shape.partition_keys.get(part)
            if key is not None:
                spec = {**spec, "partition_by": partition_key_spec(key)}
                own = shape.sub_partitions.get(part, {})
                if own:
                    spec["partitions"] = self._partition_entries(shape, own)
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
            if "." in part:
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

    def _excludes(self, table: _Table) -> Iterator[tuple[str, dict[str, Any]]]:
        for name, definition in sorted(table.shape.excludes.items()):
            facts = self.catalog.constraints.get((table.name, name))
            columns = facts.columns if facts else ()
            if not self._usable(table, "exclusion constraint", name, columns):
                continue
            spec = exclude_spec(definition)
            if spec is None:
                self.report("exclusion constraint", f"{name} on {table.name}", definition)
            else:
                table.written.add(name)
                yield name, spec

    def _indexes(self, table: _Table, convention: dict[str, str]) -> Iterator[tuple[str, Any]]:
        for name, ix in sorted(table.shape.indexes.items()):
            problem = self._index_problem(table, name, ix)
            if problem:
                self.report("index", f"{name} on {table.name}", problem)
                continue
            facts = self.catalog.indexes.get((table.name, name))
            if facts is not None and facts.comment is not None:
                self.report("comment on index", name, "left out (index descriptions are docs)")
            expressions = self._expressions(table.name, name)
            plain = _plain_index(ix, expressions)
            if (
                len(ix.columns) == 1
                and plain
                and Named(name, table.bare, ix.columns).follows(convention["ix"])
            ):
                _set_before(table.columns[ix.columns[0]], "index", True)
            elif plain:
                yield name, list(ix.columns)
            else:
                yield name, index_spec(ix, expressions)
            table.written.add(name)

    def _expressions(self, table: str, index: str) -> tuple[bool, ...]:
        facts = self.catalog.indexes.get((table, index))
        return facts.expressions if facts is not None else ()

    def _index_problem(self, table: _Table, name: str, ix: IndexShape) -> str:
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

    def _cluster_on(self, table: _Table) -> dict[str, str]:
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

    def _constraint_comments(self, table: _Table) -> None:
        for name, facts in sorted(self.constraints_of.get(table.name, []), key=lambda c: c[0]):
            if facts.comment is not None:
                self.report("comment on constraint", f"{name} on {table.name}", "left out")
            if facts.kind == "t":
                self.report("constraint trigger", f"{name} on {table.name}")


def _type_mismatch(
    table: _Table, fk: ForeignKeyShape, target: _Table, domains: dict[str, DomainShape]
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
        if mine != theirs and not bases <= _INTEGER:
            return (
                f"column {column} is {mine}, {target.name}.{ref} is {theirs} "
                "(the language makes a key's columns of the referenced types, "
                "or of another integer type)"
            )
    return ""


def _base_type(type_text: str, domains: dict[str, DomainShape]) -> str:
    """A domain's base type as ``format_type`` prints it, else ``type_text`` (the
    language's domains are over base types only)."""
    key = ".".join(unquote(part) for part in type_text.split("."))
    domain = domains.get(key)
    return domain.type if domain is not None else type_text


def _bare(name: str) -> str:
    """A table, type or sequence name without its PostgreSQL schema."""
    return naming.split_qualified(name)[1]


#: ``RelationFacts.replica_identity`` of USING INDEX an index dropped since.
_DANGLING = "USING INDEX (an index dropped since)"


def _security(shape: TableShape) -> dict[str, Any]:
    """``row_level_security:``, ``policies:`` and ``replica_identity:`` of a table,
    defaults left out (a partitioned table's identity is listed: report_objects)."""
    spec: dict[str, Any] = {}
    if shape.row_security is not None:
        spec["row_level_security"] = "force" if shape.row_security == "force" else True
    identity = shape.replica_identity
    dangling = identity is not None and identity.kind == "index" and identity.index is None
    if identity is not None and shape.partition_key is None and not dangling:
        spec["replica_identity"] = replica_identity_spec(identity)
    policies: dict[str, Any] = {}
    for name, policy in sorted(shape.policies.items()):
        entry: dict[str, Any] = {}
        if policy.command != "all":
            entry["command"] = policy.command
        if policy.roles != ("public",):
            entry["roles"] = list(policy.roles)
        if not policy.permissive:
            entry["permissive"] = False
        for key, value in (
            ("using", policy.using),
            ("with_check", policy.with_check),
            ("description", policy.comment),
        ):
            if value is not None:
                entry[key] = value
        policies[name] = entry
    if policies:
        spec["policies"] = policies
    return spec


def _plain_index(ix: IndexShape, expressions: tuple[bool, ...]) -> bool:
    """An index that ``columns: [a, b]`` (or a column's ``index: true``) says."""
    return (
        ix.method == "btree"
        and not ix.unique
        and ix.predicate is None
        and not ix.include
        and not any(ix.opclasses)
        and not ix.orders
        and not ix.collations
        and not any(expressions)
    )


def _move_last(spec: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in spec:
            spec[key] = spec.pop(key)


def _set_before(spec: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key``, keeping ``description`` and ``attribute`` last (they read best there)."""
    spec[key] = value
    _move_last(spec, ("description", "attribute"))


def import_catalog(catalog: Catalog) -> Imported:
    """Map ``catalog`` to the language's documents, listing what they leave out."""
    return Mapper(catalog).run()


def _says_not_valid(table: _Table, facts: ConstraintFacts) -> bool:
    """Whether the language says this NOT VALID constraint: a check
    (``validated: false``) of a table that is not partitioned."""
    return facts.kind == "c" and table.shape.partition_key is None
