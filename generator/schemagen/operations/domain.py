"""Operations on domains: create, drop, rename, move, add and drop a check, change
the default or NOT NULL (``ALTER DOMAIN``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from ..model.schema import CheckConstraint, Domain, Schema, sorted_named
from .base import MoveToSchema, Operation, with_type_renamed


def _with_domains(schema: Schema, domains: list[Domain]) -> Schema:
    return dataclasses.replace(schema, domains=sorted_named(domains))


def _edit(schema: Schema, name: str, edit: Callable[[Domain], Domain]) -> Schema:
    return _with_domains(schema, [edit(d) if d.name == name else d for d in schema.domains])


@dataclass(frozen=True)
class CreateDomain(Operation):
    """``CREATE DOMAIN`` with its default, NOT NULL and checks (before the tables
    and columns that use it)."""

    domain: Domain

    def reverse(self) -> Operation:
        return DropDomain(self.domain)

    def describe(self) -> str:
        return f"+ domain {self.domain.name}"

    def apply(self, schema: Schema) -> Schema:
        others = [d for d in schema.domains if d.name != self.domain.name]
        return _with_domains(schema, [*others, self.domain])


@dataclass(frozen=True)
class DropDomain(Operation):
    """``DROP DOMAIN`` (after the columns that used it are gone or retyped); carries
    the domain for the downgrade."""

    domain: Domain

    def reverse(self) -> Operation:
        return CreateDomain(self.domain)

    def describe(self) -> str:
        return f"- domain {self.domain.name}"

    def apply(self, schema: Schema) -> Schema:
        return _with_domains(schema, [d for d in schema.domains if d.name != self.domain.name])


@dataclass(frozen=True)
class MoveDomain(MoveToSchema):
    """``ALTER DOMAIN ... SET SCHEMA``: the domain of one name moves to another
    PostgreSQL schema with its checks, and the columns of it keep it and their
    values (PostgreSQL refers to it by OID)."""

    what = "domain"

    def apply(self, schema: Schema) -> Schema:
        schema = _edit(schema, self.old, lambda d: dataclasses.replace(d, name=self.new))
        return with_type_renamed(schema, "domain", self.old, self.new)


@dataclass(frozen=True)
class RenameDomain(Operation):
    """``ALTER DOMAIN ... RENAME TO``: a domain whose PostgreSQL name alone changes
    (``db_name:``), in its PostgreSQL schema. The same domain (its OID) keeps its
    checks, and the columns of it, their indexes and values are left alone (they
    refer to it by OID): no column is altered, no table locked or read. ``old`` and
    ``new`` are its model names, qualified outside the default schema."""

    old: str
    new: str

    def reverse(self) -> Operation:
        return RenameDomain(self.new, self.old)

    def describe(self) -> str:
        return f"~ domain {self.old} renamed to {self.new}"

    def apply(self, schema: Schema) -> Schema:
        schema = _edit(schema, self.old, lambda d: dataclasses.replace(d, name=self.new))
        return with_type_renamed(schema, "domain", self.old, self.new)


@dataclass(frozen=True)
class AddDomainCheck(Operation):
    """``ALTER DOMAIN ... ADD CONSTRAINT ... CHECK``: PostgreSQL checks every column
    of the domain (a row that violates it fails the revision, which rolls back)."""

    domain: str
    check: CheckConstraint

    def reverse(self) -> Operation:
        return DropDomainCheck(self.domain, self.check)

    def describe(self) -> str:
        return f"+ domain check {self.domain}.{self.check.name}"

    def apply(self, schema: Schema) -> Schema:
        def edit(dom: Domain) -> Domain:
            others = [c for c in dom.checks if c.name != self.check.name]
            checks = sorted_named([*others, self.check])
            return dataclasses.replace(dom, checks=checks)

        return _edit(schema, self.domain, edit)


@dataclass(frozen=True)
class DropDomainCheck(Operation):
    """``ALTER DOMAIN ... DROP CONSTRAINT``; carries the check for the downgrade."""

    domain: str
    check: CheckConstraint

    def reverse(self) -> Operation:
        return AddDomainCheck(self.domain, self.check)

    def describe(self) -> str:
        return f"- domain check {self.domain}.{self.check.name}"

    def apply(self, schema: Schema) -> Schema:
        def edit(dom: Domain) -> Domain:
            checks = tuple(c for c in dom.checks if c.name != self.check.name)
            return dataclasses.replace(dom, checks=checks)

        return _edit(schema, self.domain, edit)


@dataclass(frozen=True)
class AlterDomain(Operation):
    """``ALTER DOMAIN ... SET/DROP DEFAULT`` and ``SET/DROP NOT NULL`` from ``old``
    to ``new`` (the same domain; its checks are separate operations)."""

    old: Domain
    new: Domain

    def reverse(self) -> Operation:
        return AlterDomain(self.new, self.old)

    def describe(self) -> str:
        changed = []
        if self.old.default != self.new.default:
            changed.append("default")
        if self.old.not_null != self.new.not_null:
            changed.append("NOT NULL" if self.new.not_null else "nullable")
        return f"~ domain {self.new.name}: {', '.join(changed)}"

    def apply(self, schema: Schema) -> Schema:
        def edit(dom: Domain) -> Domain:
            return dataclasses.replace(dom, default=self.new.default, not_null=self.new.not_null)

        return _edit(schema, self.new.name, edit)

    def risk(self) -> str | None:
        if self.new.not_null and not self.old.not_null:
            return (
                f"sets NOT NULL on domain {self.new.name} (fails if any column of the "
                "domain holds NULL)"
            )
        return None
