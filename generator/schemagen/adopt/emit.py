"""Lay imported documents out as YAML files, the way a person would write them.

Layout: ``database.yaml`` holds the ``database`` block and the standalone
``sequences``; every group of tables
connected by foreign keys (a domain) gets one file, named after its most
referenced table (``products.yaml``), holding its entities and the enums only
it uses; enums shared by several domains go to ``enums.yaml``. A hub table
that most others reference (a tenant such as ``stores``) does not join the
domains of its referrers: it is a domain of its own. Inside a file,
entities are sorted by name, each column and index is one line in flow style
(``id: {type: bigint, primary_key: true}``), as in the flagship.

The output is a pure function of the documents: no clock, no random order.
"""

from __future__ import annotations

import functools
import os
import re
from collections import Counter, defaultdict
from pathlib import PurePosixPath
from typing import Any

import yaml

from ..model import naming
from .mapping import Imported

INDENT = "  "
#: Sections whose entries are one flow-style line each.
_FLOW_SECTIONS = frozenset(
    {"columns", "unique", "checks", "indexes", "values", "foreign_keys", "sequences", "partitions"}
)


def domains(names: list[str], links: list[tuple[str, str]]) -> list[list[str]]:
    """Connected groups of entities (undirected foreign-key graph), each sorted.

    A hub (an entity that a quarter or more of the others reference, like a
    tenant's ``stores``) would join everything into one group: links into a
    hub do not join groups, so the hub gets its own file.
    """
    parent = {name: name for name in names}
    referrers: dict[str, set[str]] = defaultdict(set)
    for owner, target in links:
        if owner != target:
            referrers[target].add(owner)
    hubs = {t for t, owners in referrers.items() if len(owners) >= max(3, len(names) / 4)}
    links = [(a, b) for a, b in links if a not in hubs and b not in hubs]

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = defaultdict(list)
    for name in sorted(names):
        groups[root(name)].append(name)
    return sorted(groups.values())


def _file_stem(group: list[str], incoming: Counter[str], tables: dict[str, str]) -> str:
    """The most referenced table of a domain names its file."""
    top = min(group, key=lambda e: (-incoming[e], e))
    stem = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in tables[top].lower())
    return stem or naming.snake_case(top)


def layout(imported: Imported, schema_line: str | None = None) -> dict[str, str]:
    """``{file name: YAML text}`` for the imported documents."""
    entities = imported.entities
    tables = {
        name: spec.get("table") or naming.default_table_name(name)
        for name, spec in entities.items()
    }
    incoming = Counter(target for owner, target in imported.links if owner != target)
    groups = domains(list(entities), imported.links)
    stems: dict[str, list[str]] = {}
    for group in groups:
        stem = _file_stem(group, incoming, tables)
        while stem in stems or stem in ("database", "enums", "routines"):
            stem += "_tables"
        stems[stem] = group
    enum_home = _enum_homes(imported, stems)
    head: dict[str, Any] = {"database": imported.database}
    if imported.sequences:
        head["sequences"] = imported.sequences
    if imported.domains:
        head["domains"] = imported.domains
    files = {"database.yaml": _document(head, schema_line)}
    shared = {n: s for n, s in imported.enums.items() if enum_home.get(n) is None}
    if shared:
        files["enums.yaml"] = _document({"enums": shared}, schema_line)
    for stem, group in sorted(stems.items()):
        doc: dict[str, Any] = {}
        own = {n: s for n, s in imported.enums.items() if enum_home.get(n) == stem}
        if own:
            doc["enums"] = own
        doc["entities"] = {name: entities[name] for name in group}
        files[f"{stem}.yaml"] = _document(doc, schema_line)
    pairs = (("functions", imported.functions), ("views", imported.views))
    routines = {key: specs for key, specs in pairs if specs}
    if routines:
        files["routines.yaml"] = _document(routines, schema_line)
    return files


def _enum_homes(imported: Imported, stems: dict[str, list[str]]) -> dict[str, str | None]:
    """The one domain file that uses each enum, or None when several (or none) do."""
    file_of = {entity: stem for stem, group in stems.items() for entity in group}
    users: dict[str, set[str]] = defaultdict(set)
    for entity, spec in imported.entities.items():
        for column in spec.get("columns", {}).values():
            inner = column.get("of") if column.get("type") == "array" else column
            if isinstance(inner, dict) and inner.get("type") == "enum":
                users[inner["enum"]].add(file_of[entity])
    return {name: next(iter(u)) if len(u) == 1 else None for name, u in users.items()}


def schema_reference(schema_dir: str, output_dir: str) -> str:
    """The editor hint that points at the JSON Schema ``build`` writes."""
    target = os.path.relpath(
        PurePosixPath(output_dir) / "schemagen.schema.json", PurePosixPath(schema_dir)
    )
    return f"# yaml-language-server: $schema={PurePosixPath(target).as_posix()}"


# --- YAML text --------------------------------------------------------------------


#: Words YAML 1.1 reads as something other than a string.
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
#: Text YAML reads as the same string, unquoted, in block and flow context alike:
#: starts with a letter (no number, date or indicator), no ``:``, ``#``, ``,``,
#: brackets or quotes at the start, no trailing blank.
_PLAIN = re.compile(r"^[A-Za-z_](?:[A-Za-z0-9_ .()/'-]*[A-Za-z0-9_.)'])?$")
#: Line breaks besides ``\n`` (NEL, LINE and PARAGRAPH SEPARATOR): with allow_unicode
#: PyYAML writes them raw between single quotes, where a reader folds NEL into a
#: space; a double-quoted scalar escapes each (``\N``, ``\L``, ``\P``) and reads back.
_BREAKS = re.compile("[\x85\u2028\u2029]")


def scalar(value: Any) -> str:
    """One YAML scalar or flow collection on one line, quoted where YAML needs it.

    Collections and names are written here (PyYAML's emitter costs a
    millisecond a call, most of a large import); any other string goes through
    PyYAML, which knows every case that needs quotes.
    """
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {scalar(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _string(value) if isinstance(value, str) else _pyyaml_scalar(value)


@functools.lru_cache(maxsize=65536)
def _string(value: str) -> str:
    """A string: names repeat (types, keys), so each is spelled once."""
    # fullmatch: match's ``$`` also matches before a final newline, which YAML folds
    if _PLAIN.fullmatch(value) and value.lower() not in _YAML_WORDS:
        return value
    return _pyyaml_scalar(value)


@functools.lru_cache(maxsize=4096)
def _pyyaml_scalar(value: Any) -> str:
    """PyYAML's spelling of ``value`` inside a flow sequence (where ``,``, ``[`` and
    ``{`` need quotes too), which is also valid in block context."""
    quote = '"' if isinstance(value, str) and _BREAKS.search(value) else None
    text = yaml.safe_dump(
        [value],
        default_flow_style=True,
        default_style=quote,
        width=1 << 30,
        allow_unicode=True,
        sort_keys=False,
    ).rstrip("\n")
    assert text.startswith("[") and text.endswith("]"), text
    return text[1:-1]


def _document(doc: dict[str, Any], schema_line: str | None) -> str:
    lines = [schema_line] if schema_line else []
    _block(doc, 0, lines, flow=False)
    return "\n".join(lines) + "\n"


def _block(
    mapping: dict[str, Any], depth: int, lines: list[str], *, flow: bool, section: str = ""
) -> None:
    pad = INDENT * depth
    for key, value in mapping.items():
        head = f"{pad}{scalar(key)}:"
        # a partition partitioned in turn is a block, as its table's partitioning is
        nested = section == "partitions" and isinstance(value, dict) and "partitions" in value
        if (flow and not nested) or not isinstance(value, dict) or not value:
            lines.append(f"{head} {_value(value, depth)}")
        else:
            lines.append(head)
            _block(value, depth + 1, lines, flow=key in _FLOW_SECTIONS, section=str(key))


def _value(value: Any, depth: int) -> str:
    """A value after ``key:``; a multi-line description as a literal block."""
    if isinstance(value, str) and "\n" in value and _literal_safe(value):
        pad = INDENT * (depth + 1)
        body = "\n".join(f"{pad}{line}" if line else "" for line in value.split("\n"))
        chomp = "" if value.endswith("\n") and not value.endswith("\n\n") else "-"
        if value.endswith("\n"):
            body = body.rstrip("\n")
        return f"|{chomp}\n{body}" if chomp == "-" else f"|\n{body}"
    return scalar(value)


def _literal_safe(text: str) -> bool:
    """A ``|`` block keeps ``text`` exactly: no leading blanks, tabs, or special endings."""
    first = text.split("\n", 1)[0]
    return (
        bool(first)
        and not first[0].isspace()
        and "\t" not in text
        and "\r" not in text
        and not text.endswith("\n\n")
        and all(ch.isprintable() or ch == "\n" for ch in text)
        and text == text.rstrip(" ")
    )
