"""Names that share a PostgreSQL namespace are claimed once.

Owns the relations' namespace (tables, indexes, key constraints) and the
types' (enums), each per PostgreSQL schema, and a table's constraint names,
each used once on it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ..model import naming
from ..model.schema import Entity, Schema, partition_tree
from ..source.loader import Sources, YamlPath
from .partitions import partition_path
from .reporter import Reporter, column_path, index_path, unique_path


@dataclass(frozen=True)
class _Claim:
    what: str
    path: YamlPath


def check_namespaces(schema: Schema, src: Sources, report: Reporter) -> None:
    """Tables, indexes and key constraints share one namespace; types another."""
    relations: dict[str, _Claim] = {}
    types: dict[str, _Claim] = {}
    for enum in schema.enums:
        _claim(types, enum.db_name, _Claim(f"enum {enum.name}", ("enums", enum.name)), report, src)
    for entity in schema.entities:
        base: YamlPath = ("entities", entity.name)
        table = _Claim(f"the table of {entity.name}", base)
        # (a namespace per PostgreSQL schema: names are qualified as tables are)
        qualify = functools.partial(naming.qualify, naming.split_qualified(entity.table)[0])

        # When the table clashes, its conventional names clash too: one message is enough.
        if _claim(relations, entity.table, table, report, src) and entity.has_primary_key:
            _claim(types, entity.table, table, report, src)
            pk = _Claim(f"the primary key of {entity.name}", base)
            _claim(relations, qualify(entity.primary_key.name), pk, report, src)
        for uq in entity.uniques:
            path = unique_path(src, entity, uq.name, uq.columns)
            _claim(
                relations,
                qualify(uq.name),
                _Claim(f"a unique constraint of {entity.name}", path),
                report,
                src,
            )
        for ix in entity.indexes:
            path = index_path(src, entity, ix.name, ix.columns)
            claim = _Claim(f"an index of {entity.name}", path)
            _claim(relations, qualify(ix.name), claim, report, src)
        check_constraint_names(entity, src, report)
    for entity in schema.entities:  # after every table, so a clash is the partition's
        for above, part in partition_tree(entity.partitions):
            path = ("entities", entity.name, *partition_path((*above, part.name)))
            claim = _Claim(f"a partition of {entity.name}", path)
            table_name = naming.partition_table(entity.table, part.name)
            if _claim(relations, table_name, claim, report, src):
                _claim(types, table_name, claim, report, src)  # its row type


def _claim(
    space: dict[str, _Claim], name: str, claim: _Claim, report: Reporter, src: Sources
) -> bool:
    first = space.get(name)
    if first is None:
        space[name] = claim
        return True
    where = report.source_map.find(first.path)
    at = f" ({where.file}:{where.line}:{where.column})" if where else ""
    if claim.what.startswith("the table") and first.what.startswith("the table"):
        report.error(claim.path, f"table '{name}' is also {first.what}{at}")
        return False
    report.error(
        claim.path,
        f"name '{name}' is already used by {first.what}{at}; PostgreSQL tables, indexes "
        "and unique or primary-key constraints share one namespace",
    )
    return False


def check_constraint_names(entity: Entity, src: Sources, report: Reporter) -> None:
    """Constraint names are unique within a table."""
    seen: set[str] = {entity.primary_key.name} if entity.has_primary_key else set()
    names: list[tuple[str, YamlPath]] = [
        (uq.name, unique_path(src, entity, uq.name, uq.columns)) for uq in entity.uniques
    ]
    names += [
        (fk.name, (*column_path(src, entity, fk.columns[0]), "references"))
        for fk in entity.foreign_keys
    ]
    names += [(ck.name, ("entities", entity.name, "checks", ck.name)) for ck in entity.checks]
    names += [(ex.name, ("entities", entity.name, "exclude", ex.name)) for ex in entity.excludes]
    for name, path in names:
        if name in seen:
            report.error(path, f"constraint name '{name}' is used twice on table {entity.table}")
        seen.add(name)
