"""The fast structure check never accepts what jsonschema rejects, and accepts real schemas."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from rough_documents import ANY, DOCUMENT
from schemagen.language.quickcheck import Unsupported, compile_schema
from schemagen.language.structure import JSON_SCHEMA, json_schema, quick_check

REPO = Path(__file__).resolve().parents[2]
VALIDATOR = Draft202012Validator(json_schema())


def _jsonschema_valid(document: Any) -> bool:
    return not any(True for _ in VALIDATOR.iter_errors(document))


def test_the_language_compiles() -> None:
    # If a new keyword made the language uncompilable, every file would silently
    # take the slow path; fail here instead.
    assert quick_check() is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_never_accepts_a_document_jsonschema_rejects(document: dict[str, Any]) -> None:
    check = quick_check()
    assert check is not None
    if check(document):
        assert _jsonschema_valid(document)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["database", "types", "mixins", "enums", "entities", "x"]),
                       ANY, max_size=3))
def test_never_accepts_odd_values_jsonschema_rejects(document: dict[str, Any]) -> None:
    check = quick_check()
    assert check is not None
    if check(document):
        assert _jsonschema_valid(document)


@pytest.mark.parametrize(
    "document",
    [
        {"database": {"name": "x"}},
        {"entities": {"A": {"columns": {"id": {"type": "integer", "primary_key": True}}}}},
        {"enums": {"S": {"values": ["a", {"value": "b", "description": "B"}]}}},
        {"types": {"money": {"type": "numeric", "precision": 12, "scale": 2}}},
        {"entities": {"A": {"columns": {"t": {"type": "array", "of": {"type": "string",
                                                                      "length": 3}}},
                            "indexes": {"ix": {"columns": ["t"], "using": "gin"}},
                            "relationships": {"bs": {"entity": "B", "lazy": "selectin"}}}}},
    ],
)
def test_accepts_valid_documents(document: dict[str, Any]) -> None:
    check = quick_check()
    assert check is not None and check(document)
    assert _jsonschema_valid(document)


@pytest.mark.parametrize(
    "document",
    [
        {"database": {"name": ""}},
        {"database": {"name": "x", "extensions": ["a", "a"]}},
        {"types": {"money": {"type": "numeric", "precision": -1}}},
        {"types": {"money": {"type": "numeric", "precision": 2.0}}},  # jsonschema decides
        {"entities": {"A": {"columns": {"id": {"type": "integer", "primry": True}}}}},
        {"entities": {"A": {"columns": {"id": {"references": "a.b.c"}}}}},
        {"entities": {"A": {"columns": {"id": {"relationship": True}}}}},
        {"entities": {"A": {"columns": {"id": {"on_delete": "cascde"}}}}},
        {"entities": {"A": {"columns": {}, "indexes": {"ix": []}}}},
        {"entities": {"A": {"table": "a"}}},
        {"enums": {"S": {"values": []}}},
        {1: "x"},
    ],
)
def test_rejects_invalid_or_doubtful_documents(document: dict[Any, Any]) -> None:
    check = quick_check()
    assert check is not None and not check(document)


def test_flagship_and_synthetic_files_take_the_fast_path(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from synthetic import write_project
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    write_project(tmp_path, 30)
    files = sorted((REPO / "schema").glob("**/*.yaml")) + sorted(tmp_path.glob("schema/*.yaml"))
    check = quick_check()
    assert check is not None
    for path in files:
        assert check(yaml.safe_load(path.read_text(encoding="utf-8"))), path.name


def test_unknown_keywords_are_refused() -> None:
    with pytest.raises(Unsupported):
        compile_schema({"type": "object", "patternProperties": {"^a": {"type": "string"}}})
    with pytest.raises(Unsupported):
        compile_schema({"$ref": "#/definitions/x"})
    assert compile_schema(JSON_SCHEMA)({"entities": {}})


def test_definitions_referred_to_before_they_are_written_and_by_themselves() -> None:
    tree = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "label": {"$ref": "#/$defs/label"},
                    "kids": {"$ref": "#/$defs/kids"},
                },
                "additionalProperties": False,
            },
            "kids": {"type": "array", "items": {"$ref": "#/$defs/node"}},
            "label": {"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]},
        },
        "$ref": "#/$defs/node",
    }
    check = compile_schema(tree)
    validator = Draft202012Validator(tree)
    for document in [
        {"label": "a", "kids": [{"label": 1, "kids": [{"kids": []}]}]},
        {"label": "a", "kids": [{"label": "", "kids": []}]},  # an empty label, deep down
        {"kids": [{"kids": [{"other": 1}]}]},  # an unknown key, deep down
        {"label": 2.5},
    ]:
        assert check(document) == (not any(True for _ in validator.iter_errors(document)))
