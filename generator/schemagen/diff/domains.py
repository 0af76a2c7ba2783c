"""The comparator of domains: created, dropped, checks added and dropped, default
and NOT NULL changed. A changed base type or collation is a drop and a create
(PostgreSQL cannot change them in place; columns still using the domain make the
drop fail, and the revision roll back)."""

from __future__ import annotations

import dataclasses

from ..model.schema import Domain, Schema
from ..operations.base import Operation
from ..operations.domain import (
    AddDomainCheck,
    AlterDomain,
    CreateDomain,
    DropDomain,
    DropDomainCheck,
)
from ..operations.table import AddColumn


def compare_domains(old: Schema, new: Schema) -> list[Operation]:
    """Domains by name: set algebra, then the changes of each kept one."""
    before = {d.name: d for d in old.domains}
    after = {d.name: d for d in new.domains}
    ops: list[Operation] = [CreateDomain(after[n]) for n in sorted(after.keys() - before.keys())]
    ops += [DropDomain(before[n]) for n in sorted(before.keys() - after.keys())]
    for name in sorted(before.keys() & after.keys()):
        ops += _compare_domain(before[name], after[name])
    return ops


def domain_defaults(new: Schema, ops: list[Operation]) -> list[Operation]:
    """``ops`` with each added column whose domain has a DEFAULT marked as filled by it
    (so a NOT NULL column of such a domain is no risk to a table holding rows)."""
    defaulted = {d.name for d in new.domains if d.default is not None}
    if not defaulted:
        return ops
    return [
        dataclasses.replace(op, domain_default=True)
        if isinstance(op, AddColumn) and op.column.type.domain in defaulted
        else op
        for op in ops
    ]


def _compare_domain(old: Domain, new: Domain) -> list[Operation]:
    if old.type != new.type:
        return [DropDomain(old), CreateDomain(new)]
    old_checks = {c.name: c for c in old.checks}
    new_checks = {c.name: c for c in new.checks}
    ops: list[Operation] = []
    for name in sorted(old_checks):
        if new_checks.get(name) != old_checks[name]:
            ops.append(DropDomainCheck(new.name, old_checks[name]))
    for name in sorted(new_checks):
        if old_checks.get(name) != new_checks[name]:
            ops.append(AddDomainCheck(new.name, new_checks[name]))
    if old.default != new.default or old.not_null != new.not_null:
        ops.append(AlterDomain(old, new))
    return ops
