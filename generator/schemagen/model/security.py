"""Row-level security: a table's RLS state and its policies, as SQL.

One text for models.py (``create_all``), revisions and the live check, like
:mod:`.routinesql` for triggers: the schemas they make must be the same. The
user's ``USING`` and ``WITH CHECK`` expressions are placed as written, in
parentheses; names are quoted as identifiers, descriptions as string literals.

Roles are cluster objects, not the database's: a policy names roles that must
exist before it is created (``public``, every role, always does).
"""

from __future__ import annotations

import re

from . import naming
from .schema import POLICY_COMMANDS, ROW_SECURITY, Policy
from .schema import quote_name as ident
from .sqltext import quote_qualified, sql_string

__all__ = [
    "POLICY_COMMANDS",
    "ROW_SECURITY",
    "USING_COMMANDS",
    "WITH_CHECK_COMMANDS",
    "alter_policy",
    "alterable",
    "create_policy",
    "drop_policy",
    "policy_statements",
    "reads_any",
    "role_list",
    "row_security_statements",
    "row_security_words",
]

#: Commands whose policies may say ``USING`` (rows read) and ``WITH CHECK`` (rows
#: written); PostgreSQL refuses the others.
USING_COMMANDS: tuple[str, ...] = ("all", "select", "update", "delete")
WITH_CHECK_COMMANDS: tuple[str, ...] = ("all", "insert", "update")


def row_security_words(state: str | None) -> str:
    """``enabled``, ``enabled and forced`` or ``off``: for plan lines, findings, docs."""
    return {None: "off", "enable": "enabled", "force": "enabled and forced"}[state]


def row_security_statements(
    table: str, old: str | None, new: str | None, home: str | None = None
) -> list[str]:
    """The ``ALTER TABLE`` statements that take ``table`` from RLS state ``old`` to
    ``new`` (``None``, ``enable`` or ``force``); ``home``: the schema that names a bare
    ``table``'s (:func:`.sqltext.quote_qualified`)."""
    target = quote_qualified(table, home)
    stmts = []
    if (old is None) != (new is None):
        verb = "DISABLE" if new is None else "ENABLE"
        stmts.append(f"ALTER TABLE {target} {verb} ROW LEVEL SECURITY")
    if (old == "force") != (new == "force"):
        verb = "FORCE" if new == "force" else "NO FORCE"
        stmts.append(f"ALTER TABLE {target} {verb} ROW LEVEL SECURITY")
    return stmts


def role_list(roles: tuple[str, ...]) -> str:
    """``PUBLIC, app_user``: ``public`` is the keyword, any other role an identifier."""
    return ", ".join("PUBLIC" if r == "public" else ident(r) for r in roles)


def create_policy(policy: Policy) -> str:
    """``CREATE POLICY name ON table AS PERMISSIVE|RESTRICTIVE FOR command TO roles
    [USING (...)] [WITH CHECK (...)]``, a clause a line."""
    kind = "PERMISSIVE" if policy.permissive else "RESTRICTIVE"
    parts = [
        f"CREATE POLICY {ident(policy.name)} ON {quote_qualified(policy.table)}",
        f"AS {kind} FOR {policy.command.upper()} TO {role_list(policy.roles)}",
    ]
    parts += _expressions(policy)
    return "\n".join(parts)


def _expressions(policy: Policy) -> list[str]:
    found = []
    if policy.using is not None:
        found.append(f"USING ({policy.using.strip()})")
    if policy.with_check is not None:
        found.append(f"WITH CHECK ({policy.with_check.strip()})")
    return found


def drop_policy(policy: Policy) -> str:
    return f"DROP POLICY {ident(policy.name)} ON {quote_qualified(policy.table)}"


def comment_policy(policy: Policy, *, clear: bool = False) -> str | None:
    """``COMMENT ON POLICY``; with ``clear``, the ``IS NULL`` that removes one."""
    if policy.description is None and not clear:
        return None
    text = "NULL" if policy.description is None else sql_string(policy.description)
    return f"COMMENT ON POLICY {ident(policy.name)} ON {quote_qualified(policy.table)} IS {text}"


def policy_statements(policy: Policy) -> list[str]:
    """Everything that creates ``policy``: the policy and its comment."""
    comment = comment_policy(policy)
    return [create_policy(policy)] + ([comment] if comment else [])


def alterable(old: Policy, new: Policy) -> bool:
    """Whether ``ALTER POLICY`` can turn ``old`` into ``new`` and back: PostgreSQL
    changes a policy's roles and expressions in place, never its command or kind,
    and cannot remove an expression (only replace it); so each side has the
    expressions the other has."""
    return (
        (old.table, old.name, old.command, old.permissive)
        == (new.table, new.name, new.command, new.permissive)
        and (old.using is None) == (new.using is None)
        and (old.with_check is None) == (new.with_check is None)
    )


def alter_policy(old: Policy, new: Policy) -> list[str]:
    """``ALTER POLICY ... TO ... USING (...) WITH CHECK (...)`` and the comment, for
    an :func:`alterable` change."""
    stmts = []
    clauses = []
    if old.roles != new.roles:
        clauses.append(f"TO {role_list(new.roles)}")
    if old.using != new.using or old.with_check != new.with_check:
        clauses += _expressions(new)
    if clauses:
        head = f"ALTER POLICY {ident(new.name)} ON {quote_qualified(new.table)}"
        stmts.append("\n".join([head, *clauses]))
    if old.description != new.description:
        stmts.append(str(comment_policy(new, clear=True)))
    return stmts


def reads_any(policy: Policy, tables: set[str]) -> bool:
    """Whether ``policy`` may name a column of one of ``tables``: it is on one of
    them and has an expression, or an expression names one of them (a word match:
    more rebuilds than needed at worst, never fewer)."""
    text = f"{policy.using or ''} {policy.with_check or ''}"
    if not text.strip():
        return False
    if policy.table in tables:
        return True
    return any(_mentions(text, table) for table in tables)


def _mentions(text: str, table: str) -> bool:
    bare = naming.split_qualified(table)[1]
    return re.search(rf"(?<![\w$]){re.escape(bare)}(?![\w$])", text) is not None
