"""The JSON Schema of the language: valid draft 2020-12, canonical, the one `validate` uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from schemagen.cli import main
from schemagen.language.structure import json_schema, json_schema_text
from schemagen.model.schema import BASE_TYPES

REPO = Path(__file__).resolve().parents[2]
FLAGSHIP_FILES = sorted((REPO / "schema").glob("**/*.yaml"))
HEADER = "# yaml-language-server: $schema=../generated/schemagen.schema.json"


def test_is_a_valid_draft_2020_12_schema() -> None:
    schema = json_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert sorted(schema["properties"]) == [
        "database",
        "domains",
        "entities",
        "enums",
        "functions",
        "mixins",
        "sequences",
        "types",
        "views",
    ]
    assert schema["$defs"]["type_name"]["anyOf"][0]["enum"] == list(BASE_TYPES)


def test_text_is_canonical_and_printed_by_the_cli() -> None:
    text = json_schema_text()
    assert text == json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
    result = CliRunner().invoke(main, ["json-schema"])
    assert result.exit_code == 0
    assert result.output == text


def test_every_column_key_of_the_language_is_known() -> None:
    column = json_schema()["$defs"]["column"]["properties"]
    assert sorted(column) == sorted([
        "type", "length", "precision", "scale", "enum", "of", "nullable", "primary_key",
        "unique", "index", "default", "on_update", "references", "on_delete", "on_update_fk",
        "relationship", "back_populates", "attribute", "description", "renamed_from", "seed",
        "using",
        "generated",
        "deferrable",
        "initially_deferred",
        "match",
        "collation",
        "identity",
        "sequence",
        "validated",
        "statistics",
        "storage",
    ])
    index = json_schema()["$defs"]["index"]["anyOf"][1]["properties"]
    assert sorted(index) == sorted([
        "columns", "unique", "using", "ops", "where", "include", "concurrently", "description",
        "serves", "nulls_not_distinct",
    ])


@pytest.mark.skipif(not FLAGSHIP_FILES, reason="no flagship schema yet")
def test_flagship_files_pass_the_plain_json_schema_and_name_it() -> None:
    validator = Draft202012Validator(json_schema())
    for path in FLAGSHIP_FILES:
        text = path.read_text(encoding="utf-8")
        assert text.splitlines()[0] == HEADER, path.name
        errors = [e.message for e in validator.iter_errors(yaml.safe_load(text))]
        assert errors == [], path.name


def test_editors_and_validate_reject_the_same_mistake(tmp_path: Path) -> None:
    document = {"entities": {"Store": {"columns": {"id": {"type": "bigint", "primry": True}}}}}
    errors = list(Draft202012Validator(json_schema()).iter_errors(document))
    assert [list(e.absolute_path) for e in errors] == [["entities", "Store", "columns", "id"]]
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "a.yaml").write_text(
        "database: {name: x}\nentities:\n  Store:\n    columns:\n"
        "      id: {type: bigint, primry: true}\n"
    )
    result = CliRunner().invoke(main, ["validate", "--project", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (
        "schema/a.yaml:5:26: entities.Store.columns.id.primry: unknown key 'primry' "
        "(did you mean 'primary_key'?)\nschema invalid: 1 error\n"
    )
