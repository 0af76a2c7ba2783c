"""Exclusion constraints as ``pg_get_constraintdef`` prints them, read back into the
language's ``exclude:`` entries; partition keys and bounds as ``pg_get_partkeydef``
and ``pg_get_expr(relpartbound)`` print them, read back into ``partition_by:`` and
``partitions:``.

PostgreSQL prints ``EXCLUDE USING gist (room_id WITH =, during WITH &&) WHERE (...)``;
an element is a column, or an expression in parentheses (a function call may
come bare), maybe followed by an operator class. What this reader cannot take
apart (a collation, ``DESC``/``NULLS``, ``INCLUDE``, ``DEFERRABLE``) gives
``None``: the import then reports the constraint as left out. IN lists in the
WHERE and the element expressions are written as ``x IN (...)`` (see :mod:`.inlists`).
"""

from __future__ import annotations

import re
from typing import Any

from ..model.inlists import in_lists

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
        spec["where"] = in_lists(where)
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
        element = {"expression": in_lists(key[1:-1])}
    else:
        element = {"expression": in_lists(key)}
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


# --- partitions ------------------------------------------------------------------

_KEY = re.compile(r"^(RANGE|LIST|HASH) \((.*)\)$", re.S)
_HASH = re.compile(r"^FOR VALUES WITH \(modulus (\d+), remainder (\d+)\)$")
_FROM_TO = re.compile(r"^FOR VALUES FROM \((.*?)\) TO \((.*)\)$", re.S)
_IN = re.compile(r"^FOR VALUES IN \((.*)\)$", re.S)
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_INTEGER = re.compile(r"^-?[0-9]+$")


def partition_key_spec(key: str) -> dict[str, Any] | None:
    """``RANGE (paid_on)`` -> ``{"range": ["paid_on"]}`` (an expression as
    ``{"expression": ...}``, its IN lists as ``x IN (...)``); None for what this
    reader cannot take apart."""
    match = _KEY.match(key.strip())
    if match is None:
        return None
    items: list[Any] = []
    for part in split_top_level(match.group(2)):
        if _IDENT.match(part):
            items.append(part[1:-1].replace('""', '"') if part.startswith('"') else part)
        elif _UNSUPPORTED.search(_outside_parentheses(part)):
            return None  # a collation or an operator class
        else:
            inner = part[1:-1] if part.startswith("(") and part.endswith(")") else part
            # an IN list as written, or the key reads back as another expression
            items.append({"expression": in_lists(inner)})
    return {match.group(1).lower(): items}


def partition_spec(bound: str, integers: tuple[bool, ...] = ()) -> dict[str, Any] | None:
    """A bound as ``pg_get_expr`` prints it -> the ``partitions:`` entry; ``integers``:
    whether each key column (in key order) is of an integer type, whose values are
    written as YAML integers (PostgreSQL prints a bigint or smallint constant, and a
    negative integer, quoted: ``FROM ('0')``)."""
    bound = bound.strip()
    if bound == "DEFAULT":
        return {"default": True}
    hashed = _HASH.match(bound)
    if hashed:
        return {"modulus": int(hashed.group(1)), "remainder": int(hashed.group(2))}
    ranged = _FROM_TO.match(bound)
    if ranged:
        low = _numbered(_values(ranged.group(1)), integers)
        high = _numbered(_values(ranged.group(2)), integers)
        return {"from": low[0] if len(low) == 1 else low, "to": high[0] if len(high) == 1 else high}
    listed = _IN.match(bound)
    if listed:
        values = _values(listed.group(1))
        return {"in": _numbered(values, integers[:1] * len(values))}
    return None


def _numbered(values: list[Any], integers: tuple[bool, ...]) -> list[Any]:
    """``values``, each quoted integer of an integer key column as its number."""
    return [
        int(v) if isinstance(v, str) and is_integer and _INTEGER.match(v) else v
        for v, is_integer in zip(values, integers + (False,) * len(values), strict=False)
    ]


def _values(text: str) -> list[Any]:
    return [_value(part) for part in split_top_level(text)]


def _value(text: str) -> Any:
    """A printed constant as YAML: text, a number, true/false, null, MINVALUE/MAXVALUE."""
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    if text in ("true", "false"):
        return text == "true"
    if text == "NULL":
        return None
    if _NUMBER.match(text):
        return float(text) if "." in text else int(text)
    return text  # MINVALUE, MAXVALUE
