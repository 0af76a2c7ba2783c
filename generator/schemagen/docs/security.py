"""The row-level security section of an entity page: the table's RLS state and
one row per policy (command, roles, kind, ``USING``, ``WITH CHECK``, description)."""

from __future__ import annotations

from dataclasses import dataclass

from ..model.schema import Entity, Policy, Schema
from .text import md_cell_text, md_code, md_code_cell


@dataclass(frozen=True)
class PolicyRow:
    name: str
    command: str
    roles: str
    kind: str
    using: str
    with_check: str
    description: str


@dataclass(frozen=True)
class SecuritySection:
    """What the page says about row-level security; ``state`` empty: no section."""

    state: str
    policies: tuple[PolicyRow, ...]
    roles_note: str


def security_section(entity: Entity, schema: Schema) -> SecuritySection:
    """The section of ``entity``'s page (empty when it has neither RLS nor policies)."""
    policies = schema.policies_on(entity.table)
    if entity.row_level_security is None and not policies:
        return SecuritySection("", (), "")
    roles = sorted({r for p in policies for r in p.roles} - {"public"})
    note = ""
    if roles:
        named = ", ".join(md_code(r) for r in roles)
        note = (
            f"{'The roles' if len(roles) > 1 else 'The role'} {named} must exist in the "
            "cluster before the migration that creates a policy naming them: roles are "
            "not part of a database, and schemagen does not create them."
        )
    return SecuritySection(_state(entity, bool(policies)), tuple(map(_row, policies)), note)


def _state(entity: Entity, has_policies: bool) -> str:
    table = md_code(entity.table)
    if entity.row_level_security is None:
        return (
            f"Row-level security is **off** on {table}: the policies below take no effect "
            "until it is enabled (`row_level_security: true`)."
        )
    forced = entity.row_level_security == "force"
    who = (
        "every role but superusers and roles with BYPASSRLS, the table's owner too (FORCE)"
        if forced
        else "every role but the table's owner, superusers and roles with BYPASSRLS"
    )
    rows = (
        "a row is visible or writable when a permissive policy allows it and every "
        "restrictive one does"
        if has_policies
        else "with no policy, no row is visible or writable (deny by default)"
    )
    return f"Row-level security is **enabled** on {table} for {who}: {rows}."


def _row(policy: Policy) -> PolicyRow:
    return PolicyRow(
        name=md_code_cell(policy.name),
        command=policy.command.upper(),
        roles=", ".join(md_code_cell(r) for r in policy.roles),
        kind="permissive" if policy.permissive else "restrictive",
        using=md_code_cell(policy.using) if policy.using is not None else "",
        with_check=md_code_cell(policy.with_check) if policy.with_check is not None else "",
        description=md_cell_text(policy.description),
    )
