"""Domains imported exactly: ``domains:`` entries from the catalog's domains, and the
columns typed by them (``type: email``)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ..live.domains import DomainShape
from ..model import naming
from ..model.inlists import in_lists
from ..model.pgtypes import names_a_type
from .names import type_name_problem
from .values import map_default, map_type, type_key

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def map_domains(
    domains: dict[str, DomainShape], enums: dict[str, str]
) -> tuple[dict[str, dict[str, Any]], dict[str, str], list[tuple[str, str, str]]]:
    """``domains:`` specs by bare name, each domain's YAML name by its catalog key
    (as ``format_type`` prints a column of it), and (kind, name, why) of the domains
    the language cannot write."""
    keys = {key: yaml_key(naming.split_qualified(key)[1]) for key in domains}
    count = Counter(keys.values())
    specs: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    problems: list[tuple[str, str, str]] = []
    for key in sorted(domains):
        pg_schema, bare = naming.split_qualified(key)
        spec, problem = _spec(domains[key], enums)
        if unnameable := type_name_problem(key):
            problem = unnameable
        elif pg_schema is None and names_a_type(bare):
            # unqualified, the name is PostgreSQL's type (pg_catalog comes first)
            problem = f"named like the type {bare}, in the default schema (put it in a schema"
            problem += " of its own: there its qualified name tells them apart)"
        elif count[keys[key]] > 1:
            problem = "its name is used in another schema too"
        if spec is None or problem:
            problems.append(("domain", key, problem))
            continue
        # db_name: the PostgreSQL name where the YAML key is not it ("Name" -> name_domain)
        named = {"db_name": bare, **spec} if keys[key] != bare else spec
        specs[keys[key]] = {"schema": pg_schema, **named} if pg_schema else named
        names[key] = keys[key]
    return dict(sorted(specs.items())), names, problems


def yaml_key(bare: str) -> str:
    """The ``domains:`` key of PostgreSQL's domain ``bare``: itself when the language
    can say it, else in snake case (``AccountNumber`` -> ``account_number``), and
    ``_domain`` after a key that is a type's name already (``Name`` -> ``name_domain``:
    ``name`` is PostgreSQL's type; ``app.inet`` -> ``inet_domain``)."""
    key = bare if _NAME.match(bare) else naming.snake_case(bare)
    return f"{key}_domain" if names_a_type(key) else key


def _spec(dom: DomainShape, enums: dict[str, str]) -> tuple[dict[str, Any] | None, str]:
    base = map_type(dom.type, enums)
    if base is None:
        return None, f"its type {dom.type} (another domain, or a type the language lacks)"
    spec = dict(base)
    if dom.collation:
        spec["collation"] = dom.collation
    if dom.not_null:
        spec["not_null"] = True
    if dom.default is not None:
        spec["default"] = map_default(dom.default, base, dom.type)
    if dom.checks:
        spec["checks"] = {name: in_lists(check) for name, check in dom.checks}
    return spec, ""


def domain_column(type_text: str, names: dict[str, str]) -> dict[str, Any] | None:
    """The column spec of a column typed by a domain (or an array of one), else None.

    ``format_type`` quotes a domain named by a keyword (``"values"``); the
    catalog keys it bare (:func:`.values.type_key`)."""
    array = type_text.endswith("[]")
    key = type_key(type_text[:-2] if array else type_text)
    if key not in names:
        return None
    return {"type": "array", "of": names[key]} if array else {"type": names[key]}
