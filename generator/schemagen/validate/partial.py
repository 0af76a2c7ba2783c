"""The model checks on the part of a schema that has no reference error.

``validate`` reports every problem in one run. The model checks need the
normalized schema, which needs every name to resolve, so a misspelled index
column used to hide, say, a column named ``metadata`` until it was fixed. Here
the definitions with reference errors are left out (a broken index, unique or
check entry alone; otherwise its whole entity, with every entity connected to
it), the rest is normalized, and the model checks run on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from ..model.schema import Schema
from ..normalize.normalizer import normalize
from ..normalize.resolver import Resolver, Unresolved, table_of
from ..source.loader import Sources
from .reporter import Reporter

#: Parts of an entity that nothing refers to by name (an entry can go alone).
LEAF_SECTIONS = ("indexes", "unique", "checks")


def check_clean_part(
    src: Sources, report: Reporter, check: Callable[[Schema, Sources, Reporter], None]
) -> None:
    """Run ``check(schema, src, reporter)`` on the part of ``src`` without errors.

    Issues it finds that ``report`` does not hold yet are added to it. Nothing
    runs when an error lies outside ``entities`` (a type, mixin or enum that
    many entities may use).
    """
    paths = [tuple(i.path.split(".")) for i in report.issues if i.severity == "error"]
    if any(len(p) < 2 or p[0] != "entities" for p in paths):
        return
    leaves = {p[:4] for p in paths if len(p) >= 4 and p[2] in LEAF_SECTIONS}
    bad = {p[1] for p in paths if p[:4] not in leaves} | {
        str(key[1]) for key in src.broken if key[:1] == ("entities",) and len(key) == 2
    }
    bad = _connected(src, bad)
    part = replace(
        src,
        entities={
            name: _without(spec, name, leaves)
            for name, spec in src.entities.items()
            if name not in bad
        },
    )
    if not part.entities:
        return
    try:
        schema: Schema = normalize(part, Resolver(part))
    except Unresolved:
        return  # a name the reference checks did not see; their errors stand alone
    found = Reporter(report.source_map, report.fallback_file)
    check(schema, part, found)
    known = {(i.path, i.message) for i in report.issues}
    report.issues.extend(i for i in found.issues if (i.path, i.message) not in known)


def _without(spec: Any, name: str, leaves: set[tuple[str, ...]]) -> Any:
    """``spec`` without its broken index, unique and check entries."""
    drop = {(part, entry) for _, owner, part, entry in leaves if owner == name}
    if not drop or not isinstance(spec, dict):
        return spec
    copy = dict(spec)
    for part, entry in drop:
        if isinstance(copy.get(part), dict):
            copy[part] = {k: v for k, v in copy[part].items() if k != entry}
    return copy


def _connected(src: Sources, bad: set[str]) -> set[str]:
    """``bad`` and every entity that names one of them or is named by one."""
    words = {name: set(_strings(spec)) for name, spec in src.entities.items()}
    names = {name: {name, table_of(src, name)} for name in src.entities}
    bad = set(bad)
    grown = True
    while grown:
        grown = False
        for name in sorted(set(src.entities) - bad):
            if any(
                words[name] & names.get(b, {b}) or names[name] & words.get(b, set())
                for b in bad
            ):
                bad.add(name)
                grown = True
    return bad


def _strings(node: Any) -> Iterator[str]:
    """Every string in a YAML value (and a ``references: Entity.column``'s entity)."""
    if isinstance(node, str):
        yield node
        yield node.partition(".")[0]
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)
