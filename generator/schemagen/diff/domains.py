"""The comparator of domains: created, dropped, checks added and dropped, default
and NOT NULL changed. A changed base type or collation is a drop and a create
(PostgreSQL cannot change them in place; columns still using the domain make the
drop fail, and the revision roll back)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

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


@dataclass(frozen=True)
class ArrayDomainConflict:
    """A change of a domain that PostgreSQL refuses while a column is an array of it.

    ``ALTER DOMAIN ... ADD CONSTRAINT`` (and ``VALIDATE``, and ``SET NOT NULL``)
    checks every column of the domain, and fails outright on a column of an
    array of it, rows or none: ``cannot alter type "d" because column "t.c"
    uses it``. ``upgrade``: the revision's upgrade fails; otherwise its downgrade
    (which adds a dropped check back, or sets NOT NULL again) does.
    """

    path: tuple[str, ...]  # YAML path of the change (or of the domain)
    message: str
    upgrade: bool


def array_domain_conflicts(
    plan_ops: tuple[Operation, ...], old: Schema | None, new: Schema
) -> list[ArrayDomainConflict]:
    """The domain changes of ``plan_ops`` (a plan from ``old`` to ``new``) that run
    while a column is an array of the domain: a check added, or NOT NULL set, runs
    after every column change of the upgrade (``new``'s columns); the downgrade
    adds a dropped check back last of all (``old``'s columns) and sets NOT NULL
    again first (``new``'s)."""
    now, before = _array_columns(new), _array_columns(old) if old is not None else {}
    found: list[ArrayDomainConflict] = []
    for op in plan_ops:
        if isinstance(op, AddDomainCheck) and op.domain in now:
            doing = f"adding check {op.check.name}"
            found.append(_conflict(op.domain, ("checks", op.check.name), now, doing))
        elif isinstance(op, DropDomainCheck) and op.domain in before:
            kept = any(c.name == op.check.name for c in _domain(new, op.domain).checks)
            where = ("checks", op.check.name) if kept else ()
            doing = f"adding check {op.check.name} back"
            found.append(_conflict(op.domain, where, before, doing, upgrade=False))
        elif isinstance(op, AlterDomain) and op.new.name in now:
            if op.new.not_null and not op.old.not_null:
                found.append(_conflict(op.new.name, ("not_null",), now, "setting NOT NULL"))
            elif op.old.not_null and not op.new.not_null:
                doing = "setting NOT NULL again"
                found.append(_conflict(op.new.name, ("not_null",), now, doing, upgrade=False))
    return found


def _array_columns(schema: Schema) -> dict[str, list[str]]:
    """Domain name -> the ``table.column`` of each column that is an array of it."""
    found: dict[str, list[str]] = {}
    for ent in schema.entities:
        for col in ent.columns:
            of = col.type.of if col.type.kind == "array" else None
            if of is not None and of.domain:
                found.setdefault(of.domain, []).append(f"{ent.table}.{col.name}")
    return found


def _domain(schema: Schema, name: str) -> Domain:
    return next(d for d in schema.domains if d.name == name)


def _conflict(
    domain: str,
    where: tuple[str, ...],
    columns: dict[str, list[str]],
    doing: str,
    upgrade: bool = True,
) -> ArrayDomainConflict:
    key = domain.rsplit(".", 1)[-1]  # a domain's YAML key is its bare name
    users = ", ".join(columns[domain])
    step = "upgrade" if upgrade else "downgrade"
    message = (
        f"domain {domain}: PostgreSQL refuses {doing} (ALTER DOMAIN) while a column is an "
        f"array of the domain ({users}), rows or none, so the next revision's {step} would "
        "fail; hint: "
        + (
            "make those columns arrays of the domain's base type in the same revision "
            f"(the domain changes after them), and arrays of {domain} again in the next "
            "(which checks every element)"
            if upgrade
            else "a downgrade past that revision fails unless those columns are first made "
            "arrays of the domain's base type by hand"
        )
    )
    return ArrayDomainConflict(("domains", key, *where), message, upgrade)
