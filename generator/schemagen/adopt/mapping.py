"""A catalog -> the language's documents, and one line for each thing they cannot say.

The documents are plain data (dicts in their final key order) that
``emit`` lays out as YAML. Every object or property the language cannot express
becomes one :class:`Unsupported` line, and is left out of the documents: the
smallest part that can be (an index's comment, not the index; a column whose
type has no name, and the keys and indexes that use it). A lone integer key
that PostgreSQL's ``serial`` made is ``type: serial`` (``bigserial``,
``smallserial``); an identity says ``identity:`` where it is more than the
implicit one of such a key.

The :class:`Mapper` runs the phases in their order (here); each part of a table
is mapped by the mixin of its module: columns (``columns``), keys and constraints
(``constraints``), indexes (``indexes``), partition trees (``partition_trees``),
the objects beyond tables (``objects``), security (``security``), on the state
and rules they share (``drafts``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..model import naming
from .catalog import Catalog
from .columns import ColumnMapping
from .constraints import ConstraintMapping
from .domains import map_domains
from .drafts import TableDraft, Unsupported, bare_name, plain_index, set_before
from .home import choose_home, rehome
from .indexes import IndexMapping
from .names import Named, choose_template, class_names, type_name_problem
from .objects import ObjectReport
from .relations import relationship_keys
from .routines import map_routines
from .security import security_spec


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


class Mapper(ObjectReport, ColumnMapping, ConstraintMapping, IndexMapping):
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
        # an enum the language cannot name is listed (run), and its columns left out
        nameable = [e for e in self.shape.enums if not type_name_problem(e)]
        self.enum_of = class_names(nameable, taken, singularize=False)
        self.taken = taken
        self.domains, self.domain_of, self.domain_problems = map_domains(
            self.shape.domains, self.enum_of
        )
        self.home = choose_home(self.entity_of, (r[-1] for r in catalog.routines.functions))

    # --- the whole run -----------------------------------------------------------------

    def run(self) -> Imported:
        """Map the catalog: enums, entities with their keys, indexes and relationships."""
        self.report_objects()
        for kind, name, detail in self.domain_problems:
            self.report(kind, name, detail)
        for name in sorted(set(self.shape.enums) - set(self.enum_of)):
            self.report("enum", name, type_name_problem(name))
        enums = {self.enum_of[t]: self._enum(t) for t in sorted(self.enum_of)}
        tables = [
            TableDraft(name, entity, self.shape.tables[name])
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
            {p: t.name for t in tables for p in t.shape.partition_names},
            self.catalog.calls_missing,
        )
        for kind, name, detail in routines.unsupported:
            self.report(kind, name, detail)
        for table in tables:
            for column in routines.on_update.get(table.name, ()):
                set_before(table.columns[column], "on_update", "now")
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

    def _enum(self, type_name: str) -> dict[str, Any]:
        spec: dict[str, Any] = {}
        pg_schema, bare = naming.split_qualified(type_name)
        if pg_schema is not None:
            spec["schema"] = pg_schema
        if naming.snake_case(self.enum_of[type_name]) != bare:
            spec["db_name"] = bare
        spec["values"] = list(self.shape.enums[type_name])
        return spec

    def _convention(self, tables: list[TableDraft]) -> dict[str, str]:
        samples: dict[str, list[Named]] = {"pk": [], "fk": [], "uq": [], "ix": []}
        for t in tables:
            if t.shape.primary_key:
                name, cols = t.shape.primary_key
                samples["pk"].append(Named(name, t.bare, cols))
            for name, fk in t.shape.foreign_keys.items():
                if len(fk.columns) == 1:
                    samples["fk"].append(Named(name, t.bare, fk.columns, bare_name(fk.ref_table)))
            for name, uq in t.shape.uniques.items():
                if len(uq.columns) == 1:
                    samples["uq"].append(Named(name, t.bare, uq.columns))
            for name, ix in t.shape.indexes.items():
                if len(ix.columns) == 1 and plain_index(ix, self._expressions(t.name, name)):
                    samples["ix"].append(Named(name, t.bare, ix.columns))
        result = dict(naming.DEFAULT_NAMING_CONVENTION)
        result.update({key: choose_template(key, items) for key, items in samples.items()})
        return result

    def _entity(self, table: TableDraft, convention: dict[str, str]) -> dict[str, Any]:
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
        self._partition_own(table)
        indexes = dict(self._indexes(table, convention))
        if indexes:
            spec["indexes"] = indexes
        if table.foreign_keys:
            spec["foreign_keys"] = dict(sorted(table.foreign_keys.items()))
        spec.update(self._cluster_on(table))
        policies_out = frozenset(
            part
            for kind, on, part in self.catalog.calls_missing
            if kind == "policy" and on == table.name
        )
        spec.update(security_spec(table.shape, policies_out))
        self._constraint_comments(table)
        return spec


def import_catalog(catalog: Catalog) -> Imported:
    """Map ``catalog`` to the language's documents, listing what they leave out."""
    return Mapper(catalog).run()
