"""Operations on row-level security: a table's RLS state and its policies.

Each carries what its reverse needs: the state it replaces, the whole policy it
drops. A policy whose command and kind (permissive or restrictive) stay is
changed in place (``ALTER POLICY``: roles, ``USING``, ``WITH CHECK``, comment);
anything else drops and creates it, in one transaction.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..model.schema import Policy, Schema
from ..model.security import row_security_words
from .base import Operation, with_table


def _policies(schema: Schema, policies: tuple[Policy, ...]) -> Schema:
    return dataclasses.replace(
        schema, policies=tuple(sorted(policies, key=lambda p: (p.table, p.name)))
    )


def _without(schema: Schema, policy: Policy) -> tuple[Policy, ...]:
    key = (policy.table, policy.name)
    return tuple(p for p in schema.policies if (p.table, p.name) != key)


@dataclass(frozen=True)
class SetRowSecurity(Operation):
    """``ALTER TABLE ... ENABLE | DISABLE | [NO] FORCE ROW LEVEL SECURITY``:
    ``old`` and ``new`` are ``None`` (off), ``enable`` or ``force``."""

    table: str
    old: str | None
    new: str | None

    def reverse(self) -> Operation:
        return SetRowSecurity(self.table, self.new, self.old)

    def describe(self) -> str:
        marker = "-" if self.new is None else ("+" if self.old is None else "~")
        return (
            f"{marker} table {self.table} row level security {row_security_words(self.new)} "
            f"(was {row_security_words(self.old)})"
        )

    def apply(self, schema: Schema) -> Schema:
        return with_table(
            schema,
            self.table,
            lambda ent: dataclasses.replace(ent, row_level_security=self.new),
        )

    @property
    def own_locks(self) -> int:
        return 1


@dataclass(frozen=True)
class CreatePolicy(Operation):
    policy: Policy

    def reverse(self) -> Operation:
        return DropPolicy(self.policy)

    def describe(self) -> str:
        return f"+ policy {self.policy.name} on {self.policy.table}"

    def apply(self, schema: Schema) -> Schema:
        return _policies(schema, (*_without(schema, self.policy), self.policy))

    @property
    def own_locks(self) -> int:
        return 1


@dataclass(frozen=True)
class DropPolicy(Operation):
    policy: Policy

    def reverse(self) -> Operation:
        return CreatePolicy(self.policy)

    def describe(self) -> str:
        return f"- policy {self.policy.name} on {self.policy.table}"

    def apply(self, schema: Schema) -> Schema:
        return _policies(schema, _without(schema, self.policy))

    @property
    def own_locks(self) -> int:
        return 1


@dataclass(frozen=True)
class AlterPolicy(Operation):
    """``ALTER POLICY``: new roles, ``USING``, ``WITH CHECK`` or comment, in place."""

    old: Policy
    new: Policy

    def reverse(self) -> Operation:
        return AlterPolicy(self.new, self.old)

    def describe(self) -> str:
        changed = [
            word
            for word, field in (
                ("roles", "roles"),
                ("using", "using"),
                ("with check", "with_check"),
                ("comment", "description"),
            )
            if getattr(self.old, field) != getattr(self.new, field)
        ]
        return f"~ policy {self.new.name} on {self.new.table} ({', '.join(changed)})"

    def apply(self, schema: Schema) -> Schema:
        return _policies(schema, (*_without(schema, self.old), self.new))

    @property
    def own_locks(self) -> int:
        return 1
