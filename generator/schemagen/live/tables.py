"""Compare one table with the schema's: its columns, constraints, indexes and
partitions (each in its own module), comments, row-level security, policies and
replica identity, and what a partition holds of its own.
"""

from __future__ import annotations

from ..findings import Finding
from ..model.replication import replica_identity_statement, replica_identity_words
from ..model.schema import ReplicaIdentity, quote_name
from ..model.security import row_security_statements, row_security_words
from ..model.sqltext import quote_in, quote_qualified
from .aspects import aspect, describe_index
from .clustering import cluster_findings
from .columns import compare_column
from .comments import compare_comment
from .constraints import (
    compare_primary_key,
    compare_uniques,
    describe_check,
    describe_exclude,
    describe_fk,
)
from .drift import compare_named, finding, missing_extra
from .object_comments import object_comment_findings
from .partition_checks import partition_check_findings
from .partition_indexes import partition_index_findings
from .partition_own import partition_own_findings
from .partition_trees import compare_partitions
from .settings import ColumnSettings, implied, partition_findings
from .shapes import (
    PolicyShape,
    TableShape,
)
from .undeclarable import undeclarable


def compare_table(
    table: str, exp: TableShape, act: TableShape, home: str | None = None, *, pending: bool = False
) -> list[Finding]:
    """Columns, primary key, unique/check/foreign-key constraints and indexes of one table;
    ``home``: the current schema, which the hints' statements name a bare table's by;
    ``pending``: as :func:`compare`'s."""
    if exp == act:  # a table at head: nothing to describe, and most tables are
        return []
    findings = missing_extra("column", set(exp.columns), set(act.columns), prefix=f"{table}.")
    for name in sorted(set(exp.columns) & set(act.columns)):
        findings += compare_column(table, name, exp.columns[name], act.columns[name], home)
        findings += compare_comment(
            f"column {table}.{name}",
            f"COLUMN {quote_qualified(table, home)}.{quote_name(name)}",
            exp.columns[name].comment,
            act.columns[name].comment,
        )
    findings += compare_comment(
        f"table {table}", f"TABLE {quote_qualified(table, home)}", exp.comment, act.comment
    )
    findings += compare_primary_key(table, exp.primary_key, act.primary_key)
    findings += compare_uniques(table, exp, act)
    findings += compare_named(table, "check constraint", exp.checks, act.checks, describe_check)
    findings += compare_named(
        table, "exclusion constraint", exp.excludes, act.excludes, describe_exclude
    )
    findings += compare_named(table, "foreign key", exp.foreign_keys, act.foreign_keys, describe_fk)
    findings += compare_named(table, "index", exp.indexes, act.indexes, describe_index)
    findings += compare_partitions(table, exp, act, home)
    findings += _compare_security(table, exp, act, home)
    findings += _compare_replica_identity(table, exp.replica_identity, act.replica_identity, home)
    quoted = {key: quote_in(n.schema, n.name) for key, n in act.partition_names.items()}
    if exp.partition_settings != act.partition_settings:
        findings += partition_findings(
            table,
            # every level's: a sub-partition holds settings of its own too
            [*act.partitions, *(p for parts in act.sub_partitions.values() for p in parts)],
            set(exp.columns) & set(act.columns),
            implied({n: ColumnSettings(None, c.storage) for n, c in exp.columns.items()}),
            act.partition_settings,
            home,
            quoted,
        )
    findings += object_comment_findings(table, act.object_comments)
    # before a partition's own indexes and checks: a comment on one is removed first,
    # so that the hints run in the order printed (the DROP would leave none to remove)
    findings += partition_own_findings(table, act.partition_own)
    findings += partition_index_findings(table, act.partition_indexes, pending)
    findings += partition_check_findings(
        table, act.partition_checks, pending, tuple(act.partition_names.values())
    )
    findings += undeclarable(table, act.rules, act.statistics, home)
    for partition, (rules, statistics) in sorted(act.partition_extras.items()):
        findings += undeclarable(partition, rules, statistics, home)
    return findings + cluster_findings(
        table, exp.cluster_on, act.clustered, home, act.partition_names
    )


def _compare_replica_identity(
    table: str, exp: ReplicaIdentity | None, act: ReplicaIdentity | None, home: str | None
) -> list[Finding]:
    """REPLICA IDENTITY as declared (what logical replication and CDC rely on)."""
    if exp == act:
        return []
    if act is not None and act.kind == "index" and act.index is None:
        state = "using an index dropped since (nothing is sent)"
    else:
        state = replica_identity_words(act)
    restore = replica_identity_statement(table, exp, home)
    return [
        finding(
            f"table {table}",
            f"replica identity is {state} in the database, "
            f"{replica_identity_words(exp)} in the schema",
            f"run `{restore}` (or `alembic upgrade head`), or write the database's "
            "identity into schema/ (replica_identity:)",
        )
    ]


def _compare_security(
    table: str, exp: TableShape, act: TableShape, home: str | None
) -> list[Finding]:
    """Row-level security on, off or forced, then the policies by name."""
    findings = []
    if exp.row_security != act.row_security:
        restore = "; ".join(
            row_security_statements(table, act.row_security, exp.row_security, home)
        )
        findings.append(
            finding(
                f"table {table}",
                f"row-level security is {row_security_words(act.row_security)} in the "
                f"database, {row_security_words(exp.row_security)} in the schema",
                f"run `{restore}` (or `alembic upgrade head`), or write the database's "
                "state into schema/",
            )
        )
    findings += missing_extra("policy", set(exp.policies), set(act.policies), suffix=f" on {table}")
    for name in sorted(set(exp.policies) & set(act.policies)):
        obj = f"policy {name} on {table}"
        findings += [
            finding(obj, message)
            for message in _describe_policy(exp.policies[name], act.policies[name])
        ]
        # its comment last, with the statement that sets it as hint (at head a
        # migration changes no comment)
        findings += compare_comment(
            obj,
            f"POLICY {quote_name(name)} ON {quote_qualified(table, home)}",
            exp.policies[name].comment,
            act.policies[name].comment,
        )
    return findings


def _describe_policy(exp: PolicyShape, act: PolicyShape) -> list[str]:
    return (
        aspect("command is", exp.command, act.command)
        + aspect("permissive:", exp.permissive, act.permissive)
        + aspect("roles", exp.roles, act.roles)
        + aspect("USING is", exp.using, act.using)
        + aspect("WITH CHECK is", exp.with_check, act.with_check)
    )
