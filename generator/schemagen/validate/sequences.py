"""Checks on standalone sequences and the ``nextval`` defaults that use them."""

from __future__ import annotations

from ..language.messages import did_you_mean
from ..model import naming
from ..model.schema import Domain, Schema
from ..model.sequences import nextval_names, option_problem
from ..source.loader import Sources
from .reporter import Reporter, column_path


def check_sequences(schema: Schema, src: Sources, report: Reporter) -> None:
    """Options PostgreSQL accepts, no name shared with a table or index, and every
    ``nextval('name')`` default naming a declared sequence (else the default
    passes every check and fails in ``alembic upgrade``)."""
    declared = {seq.name for seq in schema.sequences}
    if schema.sequences:
        _check_options_and_names(schema, report)
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


def _check_options_and_names(schema: Schema, report: Reporter) -> None:
    """Each sequence's options, and its name apart from every table and index."""
    relations = {ent.table for ent in schema.entities}
    relations |= {
        naming.in_schema_of(ent.table, ix.name)
        for ent in schema.entities
        for ix in ent.indexes
    }
    for seq in schema.sequences:
        path = ("sequences", naming.split_qualified(seq.name)[1])  # the YAML key
        # a serial column's own sequence is checked at its column (validate.columns)
        problem = option_problem(seq) if seq.owned_by is None else None
        if problem:
            report.error(path, problem)
        if seq.name in relations:
            report.error(
                path,
                f"sequence {seq.name} has the name of a table or index (PostgreSQL keeps them "
                "in one namespace); rename one of them",
            )


def _serial_names(schema: Schema) -> set[str]:
    """The name PostgreSQL would give every column's own sequence."""
    return {f"{ent.table}_{col.name}_seq" for ent in schema.entities for col in ent.columns}
