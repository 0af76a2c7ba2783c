"""Semantic checks on the normalized Schema: ``check_model`` runs them all.

These rules are easier to state on the resolved model (every generated name
known, every mixin column in place) than on raw YAML; each issue is located
through the source map at the place the user wrote the offending thing. The
rules live in modules named by what they check: ``names``, ``column_rules``
(and ``defaults``), ``indexes``, ``namespaces``, ``relationships``, and the
others this module imports.
"""

from __future__ import annotations

from ..model.schema import Schema
from ..source.loader import Sources
from .clustering import check_cluster_on
from .column_rules import (
    check_blank_sql,
    check_column_rules,
    check_not_valid_checks,
    check_not_valid_keys,
)
from .domains import check_domains
from .excludes import check_excludes
from .indexes import check_indexes, check_opclass_names
from .names import check_attributes, check_entity_names, check_enums, check_renames
from .namespaces import check_namespaces
from .partitions import check_partitions
from .relationships import check_relationship_names
from .replication import check_replica_identity
from .reporter import Reporter
from .sequences import check_sequences
from .serves import check_serves
from .storage import check_column_settings


def check_model(schema: Schema, src: Sources, report: Reporter) -> None:
    """Report every rule the normalized schema breaks."""
    for entity in schema.entities:
        check_entity_names(entity, src, report)
        check_attributes(entity, src, report)
        for column in entity.columns:
            check_column_rules(schema, entity, column, src, report)
        check_indexes(schema, entity, src, report)
        check_excludes(schema, entity, src, report)
        check_partitions(schema, entity, src, report)
        check_blank_sql(entity, src, report)
        check_not_valid_checks(entity, report)
        check_not_valid_keys(entity, src, report)
        check_replica_identity(entity, report)
        check_cluster_on(entity, report)
        check_column_settings(entity, report)
    check_namespaces(schema, src, report)
    check_renames(schema, src, report)
    check_relationship_names(schema, src, report)
    check_enums(schema, report)
    check_opclass_names(schema, src, report)
    check_serves(schema, src, report)
    check_sequences(schema, src, report)
    check_domains(schema, src, report)
