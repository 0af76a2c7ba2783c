"""Checks on standalone sequences and the ``nextval`` defaults that use them."""

from __future__ import annotations

from dataclasses import dataclass

from ..language.messages import did_you_mean
from ..model import naming
from ..model.schema import Domain, Entity, Schema, partition_tree
from ..model.sequences import nextval_names, option_problem, serial_name, serial_sequence
from ..source.loader import Sources, YamlPath
from .partitions import partition_path
from .reporter import Reporter, column_path, index_path, unique_path


def check_sequences(schema: Schema, src: Sources, report: Reporter) -> None:
    """Options PostgreSQL accepts, no name shared with a table or index, and every
    ``nextval('name')`` default naming a declared sequence (else the default
    passes every check and fails in ``alembic upgrade``)."""
    declared = {seq.name for seq in schema.sequences}
    if schema.sequences:
        _check_options(schema, report)
    check_sequence_names(schema, src, report)
    owned: set[str] | None = None  # made when a name is not declared: most schemas have none
    for ent in schema.entities:
        for col in ent.columns:
            if col.default is None or col.default.kind != "sql":
                continue
            for name in nextval_names(col.default.value):
                if name in declared:
                    continue
                owned = _serial_names(schema) if owned is None else owned
                if name not in owned:
                    report.error(
                        (*column_path(src, ent, col.name), "default"), _undeclared(name, declared)
                    )


def domain_default_problems(schema: Schema, dom: Domain) -> list[str]:
    """Each sequence that ``dom``'s default calls and the schema does not declare:
    PostgreSQL resolves ``nextval('name')`` in ``CREATE DOMAIN``, so the revision
    would fail in ``alembic upgrade``."""
    if dom.default is None or dom.default.kind != "sql":
        return []
    declared = {seq.name for seq in schema.sequences}
    names = nextval_names(dom.default.value)
    return [_undeclared(name, declared) for name in names if name not in declared]


def _undeclared(name: str, declared: set[str]) -> str:
    hint = did_you_mean(name, sorted(declared))
    return (
        f"nextval names sequence '{name}', which the schema does not declare{hint}; "
        "add it under `sequences:`"
    )


def _check_options(schema: Schema, report: Reporter) -> None:
    """Each standalone sequence's options (a serial column's own sequence is checked
    at its column, validate.columns)."""
    for seq in schema.sequences:
        problem = option_problem(seq) if seq.owned_by is None else None
        if problem:
            report.error(_sequence_key(seq.name), problem)


@dataclass(frozen=True)
class _Place:
    what: str  # "the table of Order", "the serial column Order.id"
    path: YamlPath
    made: bool = True  # False: PostgreSQL picks the name (an identity's), and another if taken
    serial_of: str | None = None  # the entity of a serial column's sequence
    said: bool = False  # a serial's sequence: {name: ...}
    column: str = ""  # "the serial column Order.id": the column that makes the sequence

    def subject(self, name: str) -> str:
        """The sequence ``name`` as an error about it begins."""
        return f"the sequence {name} of {self.column}" if self.column else f"sequence {name}"


def check_sequence_names(schema: Schema, src: Sources, report: Reporter) -> None:
    """Every sequence under a name of its own in its PostgreSQL schema: standalone
    sequences, serial columns' (``<table>_<column>_seq`` or ``sequence: {name:}``)
    and identity columns' (``<table>_<column>_seq``). PostgreSQL keeps tables,
    views, indexes and sequences in one namespace: a taken name fails the
    revision's ``CREATE SEQUENCE``, and an identity's sequence silently gets
    another (``..._seq1``, whichever comes second), which no schema says."""
    relations: dict[str, _Place] = {}
    tables: dict[str, int] = {}
    for name, place in _relations(schema, src):
        relations.setdefault(name, place)  # clashes between these: check_namespaces
        if place.path[0] == "entities" and len(place.path) == 2 and place.what.startswith("the t"):
            tables[name] = tables.get(name, 0) + 1
    clashing = {ent.name for ent in schema.entities if tables[ent.table] > 1}
    for name, place in _sequences(schema, src, clashing):
        first = relations.setdefault(name, place)
        if first is place or _said_already(src, name, first, place):
            continue
        where = report.source_map.find(first.path)
        at = f" ({where.file}:{where.line}:{where.column})" if where else ""
        fails = (
            "CREATE SEQUENCE would fail"
            if place.made and first.made
            else "PostgreSQL would name the identity's sequence otherwise (..._seq1)"
        )
        report.error(
            place.path,
            f"{place.subject(name)} has the name of {first.what}"
            f"{at}: PostgreSQL keeps the tables, views, indexes and sequences of a schema "
            f"in one namespace and {fails}; give one of them another name",
        )


def _said_already(src: Sources, name: str, first: _Place, place: _Place) -> bool:
    """What validate.columns.check_serial reports before the model is made: a serial's
    sequence that ``sequences:`` declares, one named as another serial's of its table."""
    if place.serial_of is None:
        return False
    return name in src.sequences or (first.serial_of == place.serial_of and place.said)


def _relations(schema: Schema, src: Sources) -> list[tuple[str, _Place]]:
    """Every table, view and index the schema makes (constraints' indexes too), where it
    was written."""
    found: list[tuple[str, _Place]] = []
    for ent in schema.entities:
        base: YamlPath = ("entities", ent.name)
        found.append((ent.table, _Place(f"the table of {ent.name}", base)))
        if ent.has_primary_key:
            name = naming.in_schema_of(ent.table, ent.primary_key.name)
            found.append((name, _Place(f"the primary key of {ent.name}", base)))
        for uq in ent.uniques:
            path = unique_path(src, ent, uq.name, uq.columns)
            name = naming.in_schema_of(ent.table, uq.name)
            found.append((name, _Place(f"a unique constraint of {ent.name}", path)))
        for ex in ent.excludes:
            path = ("entities", ent.name, "excludes", ex.name)
            name = naming.in_schema_of(ent.table, ex.name)
            found.append((name, _Place(f"an exclusion constraint of {ent.name}", path)))
        for ix in ent.indexes:
            path = index_path(src, ent, ix.name, ix.columns)
            name = naming.in_schema_of(ent.table, ix.name)
            found.append((name, _Place(f"an index of {ent.name}", path)))
        for above, part in partition_tree(ent.partitions):
            path = (*base, *partition_path((*above, part.name)))
            name = naming.partition_table(ent.table, part.name)
            found.append((name, _Place(f"a partition of {ent.name}", path)))
    for view in schema.views:
        path = ("views", view.name)
        found.append((view.view, _Place(f"the {view.kind} {view.name}", path)))
        for ix in view.indexes:
            name = naming.in_schema_of(view.view, ix.name)
            found.append((name, _Place(f"an index of {view.name}", (*path, "indexes", ix.name))))
    return found


def _sequences(
    schema: Schema, src: Sources, clashing: set[str]
) -> list[tuple[str, _Place]]:
    """Every sequence the schema makes, where it was said: the standalone ones, then
    the serial columns', then the identity columns' (named by PostgreSQL). The
    columns of a table whose name clashes are left out: one message is enough."""
    found: list[tuple[str, _Place]] = [
        (seq.name, _Place(f"sequence {seq.name}", _sequence_key(seq.name)))
        for seq in schema.sequences
        if seq.owned_by is None
    ]
    identities: list[tuple[str, _Place]] = []
    for ent in schema.entities:
        if ent.name in clashing:
            continue
        for col in ent.columns:
            if col.serial:
                path = column_path(src, ent, col.name)
                said = col.sequence_name is not None
                path = (*path, "sequence", "name") if said else (*path, "type")
                what = f"the serial column {ent.name}.{col.name}"
                place = _Place(
                    f"the sequence of {what}", path, serial_of=ent.name, said=said,
                    column=what,
                )
                found.append((serial_name(ent.table, col), place))
            elif col.identity and col.sequence_name is not None:  # SEQUENCE NAME: refused
                path = (*column_path(src, ent, col.name), "identity", "name")
                what = f"the identity column {ent.name}.{col.name}"
                place = _Place(f"the sequence of {what}", path, column=what)
                found.append((serial_name(ent.table, col), place))
            elif col.identity:
                identities.append(_identity(src, ent, col.name))
    return found + identities


def _sequence_key(name: str) -> YamlPath:
    return ("sequences", naming.split_qualified(name)[1])


def _identity(src: Sources, ent: Entity, column: str) -> tuple[str, _Place]:
    path = column_path(src, ent, column)
    what = f"the identity column {ent.name}.{column}"
    place = _Place(f"the sequence of {what}", path, made=False, column=what)
    return serial_sequence(ent.table, column), place


def _serial_names(schema: Schema) -> set[str]:
    """The name PostgreSQL would give every column's own sequence."""
    return {f"{ent.table}_{col.name}_seq" for ent in schema.entities for col in ent.columns}
