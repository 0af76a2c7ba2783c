"""Domains (``domains:``): named types with their checks, built into the model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..model.schema import CheckConstraint, ColumnType, Default, Domain, sorted_named

#: The domain's type by its YAML key (``Resolver.domain_type``).
TypeOf = Callable[[str], ColumnType]
#: A YAML ``default:`` value of a type -> its canonical Default (``default_of``).
DefaultOf = Callable[[Any, ColumnType], Default]


def build_domains(
    specs: dict[str, Any], type_of: TypeOf, default_of: DefaultOf
) -> tuple[Domain, ...]:
    """Every ``domains:`` entry, sorted by qualified name."""
    found = [_domain(spec, type_of(name), default_of) for name, spec in specs.items()]
    return sorted_named(found)


def _domain(spec: dict[str, Any], ctype: ColumnType, default_of: DefaultOf) -> Domain:
    base = replace(ctype, domain=None)
    if spec.get("collation") is not None:
        base = replace(base, collation=str(spec["collation"]))
    checks = sorted_named(
        CheckConstraint(str(k), str(v)) for k, v in (spec.get("checks") or {}).items()
    )
    return Domain(
        name=str(ctype.domain),
        type=base,
        not_null=bool(spec.get("not_null", False)),
        default=default_of(spec["default"], base) if "default" in spec else None,
        checks=checks,
        description=spec.get("description"),
    )
