"""A fast yes/no check of a document against the language's JSON Schema.

:mod:`jsonschema` builds a validator object per keyword per value and resolves
every ``$ref`` through :mod:`referencing`; on a 2,000-table schema that is most
of ``validate``. Almost every file is valid, so :func:`compile_schema` turns the
schema into nested closures once, and ``check_structure`` asks
:mod:`jsonschema` only about a file these reject, for its errors and their
words.

The closures must never accept what :mod:`jsonschema` rejects; rejecting what it
accepts only costs time. So every case that is not plainly valid (a float
where an integer is expected, a non-text key, an unknown keyword, a list
that should be unique but holds something other than text) answers False.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

#: Keywords that only annotate: they never make a value invalid.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "title", "description", "x-expected", "x-misplaced"}
)

_TYPES: dict[str, Check] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    # 3.0 is an integer to jsonschema; answering False sends it there.
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "null": lambda v: v is None,
}


class Unsupported(Exception):
    """The schema uses a keyword (or a form of one) that this module does not know."""


def compile_schema(root: dict[str, Any]) -> Check:
    """Return a function that says whether a document is certainly valid against ``root``.

    ``$ref`` may only point into ``#/$defs/``. Raise :class:`Unsupported` for a
    keyword outside the subset the language uses.
    """
    defs: dict[str, Check] = {}
    raw_defs: dict[str, Any] = root.get("$defs", {})
    compiling: set[str] = set()

    def ref(target: str) -> Check:
        prefix = "#/$defs/"
        if not target.startswith(prefix) or target[len(prefix) :] not in raw_defs:
            raise Unsupported(f"$ref {target}")
        name = target[len(prefix) :]
        if name in compiling:
            # Late binding: a definition that refers to itself, directly or not.
            return lambda value: defs[name](value)
        if name not in defs:  # compiled where first used: the check itself, no lookup
            compiling.add(name)
            defs[name] = build(raw_defs[name])
            compiling.discard(name)
        return defs[name]

    def build(schema: Any) -> Check:
        if schema is True:
            return lambda value: True
        if schema is False:
            return lambda value: False
        if not isinstance(schema, dict):
            raise Unsupported(repr(schema))
        checks = [_keyword(key, arg, schema, build, ref) for key, arg in schema.items()]
        return _all([c for c in checks if c is not None])

    for name in raw_defs:
        ref(f"#/$defs/{name}")
    return build(root)


def _all(checks: list[Check]) -> Check:
    """Every check passes; one or two checks (the usual case) without a loop."""
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda value: first(value) and second(value)

    def every(value: Any) -> bool:  # a loop: all() of a generator costs a frame per value
        for check in checks:
            if not check(value):
                return False
        return True

    return every


def _keyword(
    key: str,
    arg: Any,
    schema: dict[str, Any],
    build: Callable[[Any], Check],
    ref: Callable[[str], Check],
) -> Check | None:
    """The check of one keyword, or None for one that only annotates."""
    if key in _ANNOTATIONS or (key == "properties" and "additionalProperties" in schema):
        return None  # properties are checked together with additionalProperties
    if key == "type":
        return _type(arg)
    if key == "$ref":
        return ref(arg)
    if key == "anyOf":
        return _any([build(b) for b in arg])
    if key == "not":
        inner = build(arg)
        return lambda v: not inner(v)
    if key in ("const", "enum"):
        options = [arg] if key == "const" else list(arg)
        return _options(options)
    if key in ("properties", "additionalProperties"):
        properties = schema.get("properties", {})
        return _mapping(properties, schema.get("additionalProperties", True), build)
    if key == "required":
        names = list(arg)
        return lambda v: not isinstance(v, dict) or all(n in v for n in names)
    return _scalar_keyword(key, arg, build)


def _scalar_keyword(key: str, arg: Any, build: Callable[[Any], Check]) -> Check:
    if key == "items":
        item = build(arg)
        return lambda v: not isinstance(v, list) or all(item(i) for i in v)
    if key == "minItems":
        return lambda v: not isinstance(v, list) or len(v) >= arg
    if key == "uniqueItems" and arg is True:
        return lambda v: (
            not isinstance(v, list)
            or (all(isinstance(i, str) for i in v) and len(set(v)) == len(v))
        )
    if key == "minLength":
        return lambda v: not isinstance(v, str) or len(v) >= arg
    if key == "pattern":
        pattern = re.compile(arg)
        return lambda v: not isinstance(v, str) or pattern.search(v) is not None
    if key in ("minProperties", "maxProperties"):
        least = key == "minProperties"
        return lambda v: not isinstance(v, dict) or (len(v) >= arg if least else len(v) <= arg)
    if key in ("minimum", "maximum"):
        below = key == "minimum"
        return lambda v: not _TYPES["number"](v) or (v >= arg if below else v <= arg)
    raise Unsupported(key)


def _any(branches: list[Check]) -> Check:
    """Some branch passes (tried in order, as a loop for the reason of :func:`_all`)."""

    def some(value: Any) -> bool:
        for branch in branches:
            if branch(value):
                return True
        return False

    return some


def _type(arg: Any) -> Check:
    names = arg if isinstance(arg, list) else [arg]
    checks = [_TYPES[name] for name in names if name in _TYPES]
    if len(checks) != len(names):
        raise Unsupported(f"type {arg}")
    if len(checks) == 1:
        return checks[0]
    return lambda v: any(check(v) for check in checks)


def _options(options: list[Any]) -> Check:
    """``enum``/``const`` of texts, True or False (what the language uses); anything else is
    compared by jsonschema's own rules, so it is not supported here."""
    if all(isinstance(o, str) for o in options):
        texts = frozenset(options)
        return lambda v: isinstance(v, str) and v in texts
    if options in ([True], [False]):
        only = options[0]
        return lambda v: v is only
    raise Unsupported(f"enum {options}")


def _mapping(properties: dict[str, Any], additional: Any, build: Callable[[Any], Check]) -> Check:
    known = {name: build(sub) for name, sub in properties.items()}
    extra = build(additional)

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True
        for key, item in value.items():
            if not isinstance(key, str):
                return False
            sub = known.get(key, extra)
            if not sub(item):
                return False
        return True

    return check
