"""What a partitioned table's partitions hold of their own of what the language
declares on a table alone, for the live comparison: row-level security, policies, a
comment and column comments; and a comment on one of its indexes or constraints (a
copy of its table's, or its own), which the language cannot say.

PostgreSQL copies none of a table's onto its partitions, and a partition's entry in
the schema says its bound and sub-partitions alone, so each is drift: made by hand on
one partition. Row-level security and policies are a security drift (a query on the
partition itself is filtered otherwise than through its table). Read in the tables
query check makes anyway; each statement names the partition with its PostgreSQL
schema, so that it runs as printed whatever the session's search_path.
"""

from __future__ import annotations

from ..findings import Finding
from ..model.schema import quote_name
from ..model.sqltext import quote_in, sql_string
from .object_comments import comment_removal
from .partition_indexes import EXTRA
from .shapes import PartitionOwn

#: The policy {p} (a pg_policy row) as CREATE POLICY says it after its table, e.g.
#: ``AS RESTRICTIVE FOR SELECT TO PUBLIC USING (...)``; import lists a partition's
#: policy by it too.
POLICY_DEFINITION_SQL = """concat_ws(' ', CASE WHEN NOT {p}.polpermissive THEN 'AS RESTRICTIVE' END,
          'FOR ' || CASE {p}.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
                                    WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE'
                                    ELSE 'ALL' END,
          'TO ' || (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC'
                                      ELSE quote_ident(pg_get_userbyid(r)) END, ', ')
                    FROM unnest({p}.polroles) r),
          'USING (' || pg_get_expr({p}.polqual, {p}.polrelid) || ')',
          'WITH CHECK (' || pg_get_expr({p}.polwithcheck, {p}.polrelid) || ')')"""

#: Each kind: what the schema declares it of (said before the statement that removes it).
_ALONE = {
    "row security": "the schema declares row-level security on a table alone: ",
    "policy": "the schema declares policies on a table alone: ",
    "comment": "the schema describes a table alone: ",
    "column comment": "the schema describes a table's columns alone: ",
    "index comment": "the schema describes no index: ",
    "constraint comment": "the schema describes no constraint: ",
}


def partition_own_findings(table: str, own: tuple[PartitionOwn, ...]) -> list[Finding]:
    """One finding for each row-level security state, policy, comment, column comment,
    index comment and constraint comment a partition of ``table`` holds of its own, with
    the statement that removes it."""
    findings = []
    for partition, schema, name, kind, what, detail in own:
        target = quote_in(schema, name)
        made = f"made on partition {partition} of {table} alone"
        if kind == "row security":
            states = detail.split()
            words = " and ".join({"enable": "enabled", "force": "forced"}[s] for s in states)
            undo = "; ".join(
                f"ALTER TABLE {target} {verb} ROW LEVEL SECURITY"
                for state, verb in (("enable", "DISABLE"), ("force", "NO FORCE"))
                if state in states
            )
            obj, message = f"row-level security of {partition}", f"{EXTRA}: {words}, {made}"
        elif kind == "policy":
            undo = f"DROP POLICY {quote_name(what)} ON {target}"
            obj, message = f"policy {what} on {partition}", f"{EXTRA}: {made}: {detail}"
        elif kind == "comment":
            undo = f"COMMENT ON TABLE {target} IS NULL"
            obj, message = f"comment on partition {partition}", f"{EXTRA}: {made}: "
            message += sql_string(detail)
        elif kind in ("index comment", "constraint comment"):
            on = kind.removesuffix(" comment")
            undo = comment_removal(on, what, schema, name)
            obj = f"comment on {on} {what} on {partition}"
            message = f"{EXTRA}: {made}: {sql_string(detail)}"
        else:
            undo = f"COMMENT ON COLUMN {target}.{quote_name(what)} IS NULL"
            obj = f"comment on column {partition}.{what}"
            message = f"{EXTRA}: {made}: {sql_string(detail)}"
        findings.append(Finding("database", obj, message, f"{_ALONE[kind]}`{undo}`"))
    return findings
