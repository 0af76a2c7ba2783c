"""Row-level security in a seed's transaction: seed's rows are neither refused nor
hidden by policies, and nothing is ever filtered without a word.

A table with row-level security shows its owner every row and takes every row
from it, unless it is ``FORCE``\\d: then its owner too sees and writes only what a
policy allows, and seed's synthetic rows are refused (no policy for the owner, or
a ``WITH CHECK`` they miss), or its reads (rows already there, the keys foreign
keys pick from) silently miss rows. Seed runs as the owner, so it lifts ``FORCE``
on the tables it fills for its own transaction and puts it back before it commits
(a failed seed rolls back both). A role that is not the owner is bound by the
policies whatever seed does: it is refused up front, with the tables, their
policies and what to do. Superusers and ``BYPASSRLS`` roles are never bound.
``row_security`` is off in the transaction all the same: should a policy still
apply, PostgreSQL raises an error rather than filter.
"""

from __future__ import annotations

from typing import Any

import psycopg

from ..model.schema import Schema
from .refusals import SeedError
from .values import qualified_ident

# The schema's tables with row-level security on, named as the schema names them
# (bare in the current schema, else qualified): forced?, owned by the role?, policies.
_TABLES = """
SELECT q.name, q.forced, q.owned, q.policies FROM (
  SELECT CASE WHEN n.oid = current_schema()::regnamespace
              THEN c.relname ELSE n.nspname || '.' || c.relname END AS name,
         c.relforcerowsecurity AS forced, pg_has_role(c.relowner, 'USAGE') AS owned,
         ARRAY(SELECT p.polname::text FROM pg_policy p WHERE p.polrelid = c.oid
               ORDER BY 1) AS policies
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND c.relrowsecurity) AS q
WHERE q.name = ANY(%s)
ORDER BY 1
"""

_BYPASS = "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"


def lift_row_security(conn: psycopg.Connection[Any], schema: Schema) -> list[str]:
    """In the open transaction: turn ``row_security`` off, lift ``FORCE`` on the
    schema's forced tables (the role owns them); return those tables. SeedError,
    before anything is written, when the policies bind the role (it is not the
    owner of a table with row-level security and may not bypass it)."""
    conn.execute("SET LOCAL row_security = off")
    bypass = conn.execute(_BYPASS).fetchone()
    if bypass is not None and bypass[0]:
        return []
    tables = [e.table for e in schema.entities]
    rows = conn.execute(_TABLES, (tables,)).fetchall()
    bound = [(name, policies) for name, _, owned, policies in rows if not owned]
    if bound:
        user = conn.execute("SELECT current_user").fetchone()
        raise SeedError(_bound_message(str(user[0]) if user else "this role", bound))
    forced = [str(name) for name, forced, _, _ in rows if forced]
    for table in forced:
        conn.execute(f"ALTER TABLE {qualified_ident(table)} NO FORCE ROW LEVEL SECURITY")  # type: ignore[arg-type]
    return forced


def restore_row_security(conn: psycopg.Connection[Any], forced: list[str]) -> None:
    """Put back ``FORCE`` on the tables :func:`lift_row_security` lifted it from."""
    for table in forced:
        conn.execute(f"ALTER TABLE {qualified_ident(table)} FORCE ROW LEVEL SECURITY")  # type: ignore[arg-type]


def _bound_message(user: str, bound: list[tuple[str, list[str]]]) -> str:
    tables = ", ".join(
        f"{name} (policies: {', '.join(policies)})" if policies else f"{name} (no policy)"
        for name, policies in bound
    )
    return (
        f"refusing to seed: row-level security applies to {user} on {tables}, so the "
        "policies would refuse or hide seed's rows: seed as the tables' owner (seed lifts "
        "FORCE ROW LEVEL SECURITY in its own transaction), or as a role with BYPASSRLS"
    )
