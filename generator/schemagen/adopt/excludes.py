"""Exclusion constraints as ``pg_get_constraintdef`` prints them, read back into the
language's ``exclude:`` entries.

PostgreSQL prints ``EXCLUDE USING gist (room_id WITH =, during WITH &&) WHERE (...)``;
an element is a column, or an expression in parentheses (a function call may
come bare), maybe followed by an operator class. What this reader cannot take
apart (a collation, ``DESC``/``NULLS``, ``INCLUDE``, ``DEFERRABLE``) gives
``None``: the import then reports the constraint as left out.
"""

from __future__ import annotations

import re
from typing import Any

_HEAD = re.compile(r"^EXCLUDE USING (\w+) \(")
_WHERE = re.compile(r"^ WHERE \((.*)\)$", re.S)
_ELEMENT = re.compile(r"^(.*) WITH (\S+)$", re.S)
_OPCLASS = re.compile(r"^(.*\S) ([a-z_][a-z0-9_]*)$", re.S)
_IDENT = re.compile(r'^(?:[a-z_][a-z0-9_$]*|"(?:[^"]|"")+")$')
_UNSUPPORTED = re.compile(r"\b(?:COLLATE|DESC|ASC|NULLS|INCLUDE|DEFERRABLE)\b")


def split_top_level(text: str) -> list[str]:
    """``a, f(b, c), (d)`` -> ``["a", "f(b, c)", "(d)"]``: commas outside
    parentheses and string literals."""
    parts, depth, quote, start = [], 0, False, 0
    for i, ch in enumerate(text):
        if ch == "'":
            quote = not quote
        elif quote:
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def exclude_spec(definition: str) -> dict[str, Any] | None:
    """The ``exclude:`` entry for one printed exclusion constraint, or None."""
    text = definition.strip()
    head = _HEAD.match(text)
    end = _closing(text, head.end() - 1) if head else -1
    if head is None or end < 0:
        return None
    using, body, rest = head.group(1), text[head.end() : end], text[end + 1 :]
    tail = _WHERE.match(rest)
    if rest and tail is None:
        return None  # INCLUDE, DEFERRABLE, ...
    where = tail.group(1) if tail else None
    elements = [_element(part) for part in split_top_level(body)]
    if any(e is None for e in elements):
        return None
    spec: dict[str, Any] = {}
    if using != "gist":
        spec["using"] = using
    spec["elements"] = elements
    if where is not None:
        spec["where"] = where
    return spec


def _element(part: str) -> dict[str, Any] | None:
    match = _ELEMENT.match(part)
    if match is None or _UNSUPPORTED.search(_outside_parentheses(match.group(1))):
        return None
    key, operator = match.group(1).strip(), match.group(2)
    ops = None
    if not _IDENT.match(key) and not key.endswith(")"):
        split = _OPCLASS.match(key)
        if split is None:
            return None
        key, ops = split.group(1), split.group(2)
    element: dict[str, Any]
    if _IDENT.match(key):
        element = {"column": key[1:-1].replace('""', '"') if key.startswith('"') else key}
    elif key.startswith("(") and key.endswith(")") and _balanced(key[1:-1]):
        element = {"expression": key[1:-1]}
    else:
        element = {"expression": key}
    element["with"] = operator
    if ops:
        element["ops"] = ops
    return element


def _closing(text: str, start: int) -> int:
    """The index of the parenthesis that closes the one at ``start`` (-1: none)."""
    depth, quote = 0, False
    for i in range(start, len(text)):
        ch = text[i]
        if ch == "'":
            quote = not quote
        elif not quote and ch in "()":
            depth += 1 if ch == "(" else -1
            if depth == 0:
                return i
    return -1


def _outside_parentheses(text: str) -> str:
    depth, out = 0, []
    for ch in text:
        depth += ch == "("
        if depth == 0:
            out.append(ch)
        depth -= ch == ")"
    return "".join(out)


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return False
    return depth == 0
