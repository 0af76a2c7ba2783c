"""The structure check of one file, in words: each :mod:`jsonschema` error against
the language's JSON Schema (:mod:`.structure`) translated into a located, human
message, and the wording later stages share for what they find (``describe``,
``did_you_mean``, ``unknown_key_message``)."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import Issue
from ..source.loader import RawFile, YamlPath
from .structure import JSON_SCHEMA, SCHEMA_DEFS, quick_check

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


@functools.lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    # Imported here: jsonschema costs ~100 ms to import and is needed only
    # for a file that quick_check rejects.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(JSON_SCHEMA)


def check_structure(raw: RawFile) -> list[Issue]:
    """Check one parsed file against the JSON Schema; return located issues.

    The path of each problem is added to ``raw.broken``.
    """
    if raw.data is None:
        return []
    quick = quick_check()
    if quick is not None and quick(raw.data):
        return []  # certainly valid: jsonschema would find nothing
    found: dict[tuple[YamlPath, str], Issue] = {}
    for error in _validator().iter_errors(raw.data):
        for path, message in _translate(error):
            raw.broken.add(path)
            found.setdefault((path, message), _locate(raw, path, message))
    # A misspelt required key is one mistake, not two: drop "missing required key
    # 'columns'" next to "unknown key 'colums' (did you mean 'columns'?)".
    misspelt = {
        (path[:-1], message.split("did you mean '", 1)[1].split("'", 1)[0])
        for path, message in found
        if message.startswith("unknown key ") and "did you mean '" in message
    }
    return [
        issue
        for (path, message), issue in found.items()
        if not (
            message.startswith("missing required key '")
            and (path, message.split("'")[1]) in misspelt
        )
    ]


def _locate(raw: RawFile, path: YamlPath, message: str) -> Issue:
    probe = path
    while probe and probe not in raw.marks:
        probe = probe[:-1]
    line, column = raw.marks.get(probe, (1, 1))
    return Issue(raw.path, line, column, ".".join(path), message)


def _translate(error: ValidationError) -> Iterator[tuple[YamlPath, str]]:
    path = tuple(str(p) for p in error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties":
        known = sorted(schema.get("properties", {}))
        extras = [k for k in error.instance if k not in schema.get("properties", {})]
        misplaced = schema.get("x-misplaced", {})
        for key in sorted(extras):
            yield (*path, key), misplaced.get(key) or unknown_key_message(key, known)
        return
    if error.validator in ("anyOf", "oneOf") and error.context:
        branch = _matching_branch(error)
        if branch:
            for sub in branch:
                yield from _translate(sub)
            return
    yield path, _message(error, schema)


def _matching_branch(error: ValidationError) -> list[ValidationError]:
    """Errors of the anyOf branch whose JSON type fits the value, if exactly one does."""
    branches = error.schema.get("anyOf") or error.schema.get("oneOf") or []
    kind = _json_type(error.instance)
    fitting = [i for i, branch in enumerate(branches) if kind in _accepts(branch)]
    if len(fitting) != 1:
        return []
    return [
        sub
        for sub in error.context or []
        if sub.relative_schema_path and sub.relative_schema_path[0] == fitting[0]
    ]


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "null"


def _accepts(schema: dict[str, Any]) -> set[str]:
    """The JSON types a subschema can accept, following $ref and anyOf."""
    if "$ref" in schema:
        return _accepts(SCHEMA_DEFS[schema["$ref"].rsplit("/", 1)[-1]])
    if "anyOf" in schema:
        return set().union(*(_accepts(b) for b in schema["anyOf"]))
    declared = schema.get("type")
    if declared is None:
        return {"string", "integer", "number", "boolean", "array", "object", "null"}
    types = set(declared if isinstance(declared, list) else [declared])
    if "number" in types:
        types.add("integer")
    return types


def _message(error: ValidationError, schema: dict[str, Any]) -> str:
    expected = schema.get("x-expected")
    got = describe(error.instance)
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return f"missing required key '{missing[0]}'"
    if error.validator == "enum":
        options = [str(o) for o in error.validator_value]
        hint = did_you_mean(str(error.instance), options)
        return f"unknown value {got}{hint}; expected one of: {', '.join(options)}"
    if error.validator == "minItems" and error.validator_value == 1:
        return f"expected {expected or 'a non-empty list'}, got an empty list"
    if error.validator == "minLength":
        return f"expected {expected or 'text'}, got an empty string"
    if error.validator == "uniqueItems":
        return "the list holds the same item twice"
    if error.validator in ("minimum", "maximum"):
        bound = "at least" if error.validator == "minimum" else "at most"
        return f"expected a number {bound} {error.validator_value}, got {got}"
    if expected is None and error.validator == "type":
        expected = _type_words(error.validator_value)
    if expected is None:
        return error.message
    return f"expected {expected}, got {got}" + _quote_hint(error.instance, schema)


def _type_words(value: Any) -> str:
    names = value if isinstance(value, list) else [value]
    words = {
        "string": "text",
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true or false",
        "object": "a mapping",
        "array": "a list",
        "null": "nothing",
    }
    return " or ".join(words.get(str(n), str(n)) for n in names)


def _quote_hint(value: Any, schema: dict[str, Any]) -> str:
    if isinstance(value, bool) and "boolean" not in _accepts(schema):
        return " (YAML reads yes/no/on/off/true/false as booleans; quote the text)"
    return ""


def describe(value: Any) -> str:
    """Describe a YAML value for a message: ``'strng'``, ``the number 3``, ``a list``."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        if not value:
            return "an empty string"
        # A misplaced block of prose (a description) would flood the message.
        return f"'{value}'" if len(value) <= 60 else f"'{value[:57]}...'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def did_you_mean(word: str, options: list[str] | tuple[str, ...] | Any) -> str:
    """Return `` (did you mean 'x'?)`` for the closest option, or an empty string."""
    matches = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def unknown_key_message(key: str, known: list[str]) -> str:
    """The message for a key the language does not have."""
    hint = did_you_mean(key, known)
    if hint:
        return f"unknown key '{key}'{hint}"
    return f"unknown key '{key}'; expected one of: {', '.join(known)}"
