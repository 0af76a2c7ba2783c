"""Loading the schema folder: malformed YAML, repeated keys, merging files, source marks."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures.language.helpers import issues_of, result_of, write_project
from schemagen.cli import main
from schemagen.source.loader import parse_text

MAPPING_HINT = (
    "a schema file holds a mapping with any of: database, types, mixins, enums, entities, "
    "functions, views, sequences, domains"
)

ENTITY = """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "entities:\n  A: {columns: \n",
            "schema/s.yaml:3:1: invalid YAML: while parsing a flow node, expected the node "
            "content, but found '<stream end>'",
        ),
        (
            "entities:\n\tA: {}\n",
            "schema/s.yaml:2:1: invalid YAML: while scanning for the next token, found "
            "character '\\t' that cannot start any token",
        ),
        (
            "entities: {}\n---\nenums: {}\n",
            "schema/s.yaml:2:1: invalid YAML: expected a single document in the stream, but "
            "found another document",
        ),
        (
            "entities:\n  A: {x: \"a\x07b\"}\n",
            "schema/s.yaml:2:12: invalid YAML: unacceptable character #x0007: special "
            "characters are not allowed",
        ),
        (
            "entities:\n  A:\n    columns:\n      id: {type: bigint, primary_key: true\n"
            "      name: {type: text}\n",
            "schema/s.yaml:4:11: invalid YAML: while parsing a flow mapping started here, "
            "expected ',' or '}', but got ':' (at line 5, column 11)",
        ),
        (
            'entities:\n  A: {description: "never closed}\nenums: {}\n',
            "schema/s.yaml:2:20: invalid YAML: while scanning a quoted scalar started here, "
            "found unexpected end of stream (at line 4, column 1)",
        ),
        ("hello\n", f"schema/s.yaml:1:1: file holds a single value; {MAPPING_HINT}"),
        ("- a\n- b\n", f"schema/s.yaml:1:1: file holds a list; {MAPPING_HINT}"),
        ("", f"schema/s.yaml:1:1: file is empty; {MAPPING_HINT}"),
        ("# only a comment\n", f"schema/s.yaml:1:1: file is empty; {MAPPING_HINT}"),
        (
            "entities: !!python/name:os.system x\n",
            "schema/s.yaml:1:11: invalid YAML: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/name:os.system'",
        ),
        (
            "entites: {}\n",
            "schema/s.yaml:1:1: entites: unknown key 'entites' (did you mean 'entities'?)",
        ),
    ],
    ids=["syntax", "tab", "two-documents", "control-character", "unclosed-brace",
         "unclosed-quote", "scalar", "list", "empty", "comment-only", "python-tag",
         "unknown-top-level"],
)
def test_malformed_files_give_one_located_error(tmp_path: Path, text: str, expected: str) -> None:
    assert issues_of(tmp_path, {"s.yaml": text}) == [expected]


def test_repeated_key_is_an_error_not_last_one_wins(tmp_path: Path) -> None:
    text = """
    entities:
      Store:
        columns:
          id: {type: bigint, primary_key: true}
          id: {type: text}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:5:7: entities.Store.columns.id: key 'id' appears twice in this mapping "
        "(first on line 4); YAML would silently keep the last one"
    ]


def test_boolean_looking_key_must_be_quoted(tmp_path: Path) -> None:
    text = """
    entities:
      Store:
        columns:
          id: {type: bigint, primary_key: true}
          on: {type: text}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:5:7: entities.Store.columns.on: key 'on' is read by YAML as a boolean; "
        "quote it: 'on'"
    ]


def test_alias_cycle_and_unknown_tag(tmp_path: Path) -> None:
    raw, issues = parse_text("types: &x [*x]\nentities: !foo {}\n", "schema/s.yaml")
    assert [i.format() for i in issues] == [
        "schema/s.yaml:1:8: types.0: an alias refers to a node that contains it (a cycle)",
        "schema/s.yaml:2:11: entities: unsupported YAML tag !foo",
    ]


def test_not_utf8(tmp_path: Path) -> None:
    write_project(tmp_path, {})
    (tmp_path / "schema" / "bad.yaml").write_bytes(b"entities:\n  \xff\xfe: {}\n")
    result = result_of(tmp_path, {})
    assert [i.format() for i in result.issues] == [
        "schema/bad.yaml:1:1: file is not UTF-8 text (byte 12)"
    ]


def test_name_defined_twice_across_files_names_both_places(tmp_path: Path) -> None:
    issues = issues_of(tmp_path, {"a.yaml": ENTITY, "sub/b.yaml": ENTITY})
    assert issues == [
        "schema/sub/b.yaml:2:3: entities.Store: entity 'Store' is defined twice: here and at "
        "schema/a.yaml:2:3"
    ]


def test_types_mixins_and_enums_defined_twice_across_files(tmp_path: Path) -> None:
    text = """
    types:
      money: {type: numeric, precision: 12, scale: 2}
    mixins:
      stamps: {columns: {created_at: {type: timestamptz}}}
    enums:
      Color: {values: [red]}
    """
    assert issues_of(tmp_path, {"a.yaml": text, "b.yaml": text, "c.yaml": ENTITY}) == [
        "schema/b.yaml:2:3: types.money: type 'money' is defined twice: here and at "
        "schema/a.yaml:2:3",
        "schema/b.yaml:4:3: mixins.stamps: mixin 'stamps' is defined twice: here and at "
        "schema/a.yaml:4:3",
        "schema/b.yaml:6:3: enums.Color: enum 'Color' is defined twice: here and at "
        "schema/a.yaml:6:3",
    ]


def test_second_database_block(tmp_path: Path) -> None:
    issues = issues_of(tmp_path, {"a.yaml": "database: {name: other}\n" + ENTITY.lstrip()})
    assert issues == [
        "schema/a.yaml:1:1: database: a second `database` block; the first is at "
        "schema/0_db.yaml:1:1 (exactly one file holds it)"
    ]


def test_missing_database_block_and_folder_problems(tmp_path: Path) -> None:
    assert issues_of(tmp_path / "p1", {"a.yaml": ENTITY}, database=False) == [
        "schema: database: no file defines the `database` block (name: ...)"
    ]
    (tmp_path / "p2").mkdir()
    runner = CliRunner()
    out = runner.invoke(main, ["validate", "--project", str(tmp_path / "p2")])
    assert out.exit_code == 2
    assert "schema: schema folder schema/ does not exist" in out.output
    (tmp_path / "p2" / "schema").mkdir()
    out = runner.invoke(main, ["validate", "--project", str(tmp_path / "p2")])
    assert out.exit_code == 2
    assert "schema: no *.yaml or *.yml files in schema/" in out.output


def test_files_merge_sorted_and_yml_counts(tmp_path: Path) -> None:
    files = {
        "b.yml": "enums:\n  Color: {values: [red, green]}\n",
        "a/z.yaml": ENTITY,
        "notes.txt": "not a schema file",
    }
    result = result_of(tmp_path, files)
    assert result.errors == []
    assert result.schema is not None
    assert [e.name for e in result.schema.entities] == ["Store"]
    assert [e.name for e in result.schema.enums] == ["Color"]
    loc = result.source_map.find(("entities", "Store", "columns", "id", "type"))
    assert loc is not None
    assert (loc.file, loc.line, loc.column) == ("schema/a/z.yaml", 4, 12)


def test_merge_keys_and_dates_stay_text(tmp_path: Path) -> None:
    text = """
    mixins:
      audited:
        columns:
          created_on: &day {type: date, default: 2024-01-15}
    entities:
      Store:
        mixins: [audited]
        columns:
          id: {type: bigint, primary_key: true}
          opened_on: {<<: *day, nullable: true}
    """
    result = result_of(tmp_path, {"s.yaml": text})
    assert result.errors == []
    assert result.schema is not None
    store = result.schema.entity("Store")
    opened = store.column("opened_on")
    assert opened.nullable is True
    assert opened.default is not None and opened.default.value == "2024-01-15"
    assert [c.name for c in store.columns] == ["id", "created_on", "opened_on"]


def test_validate_never_writes_a_file(tmp_path: Path) -> None:
    write_project(tmp_path, {"a.yaml": ENTITY})
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    out = CliRunner().invoke(main, ["validate", "--project", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert out.output == "schema OK: 1 entity, 1 column, 0 enums, 0 indexes\n"
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


def test_name_defined_twice_in_one_file_names_both_lines(tmp_path: Path) -> None:
    text = """
    enums:
      Color: {values: [red]}
      Color: {values: [blue]}
    """
    assert issues_of(tmp_path, {"a.yaml": ENTITY, "b.yaml": text}) == [
        "schema/b.yaml:3:3: enums.Color: key 'Color' appears twice in this mapping (first on "
        "line 2); YAML would silently keep the last one"
    ]


def test_deep_nesting_and_alias_bombs_are_located_errors() -> None:
    deep = "types: " + "[" * 50_000 + "]" * 50_000
    assert [i.format() for i in parse_text(deep, "s.yaml")[1]] == [
        "s.yaml:1:71: YAML nested more than 64 levels deep; a schema needs far fewer"
    ]
    chain = "\n".join(["a0: &a0 [1]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 300)])
    assert [i.format() for i in parse_text(chain, "s.yaml")[1]] == [
        "s.yaml:1:10: YAML aliases nest more than 64 levels deep"
    ]
    rows = [f"b{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * 9) + "]" for i in range(1, 12)]
    bomb = "\n".join(["b0: &b0 [x, x, x, x, x, x, x, x, x]", *rows])
    assert [i.format() for i in parse_text(bomb, "s.yaml")[1]] == [
        "s.yaml:1:22: the schema expands to more than 200,000 YAML nodes copied by aliases "
        "(an alias bomb?); the limit is [tool.schemagen.limits] max_alias_nodes in pyproject.toml"
    ]


def test_every_issue_is_one_line_however_long_or_broken_the_value(tmp_path: Path) -> None:
    enums = """
    enums:
      Color: |
        The colours a product comes in, as Shopify lists them in its options.
        Second line.
      Size: "S\\nM"
    """
    assert issues_of(tmp_path / "a", {"s.yaml": enums}) == [
        "schema/s.yaml:2:3: enums.Color: expected an enum mapping such as {values: [a, b]}, "
        "got 'The colours a product comes in, as Shopify lists them in ...'",
        "schema/s.yaml:5:3: enums.Size: expected an enum mapping such as {values: [a, b]}, "
        "got 'S\\nM'",
    ]
    entity = """
    entities:
      Store:
        columns:
          id: {type: bigint, primary_key: true}
          "a\\nb": {type: text}
    """
    assert issues_of(tmp_path / "b", {"s.yaml": entity}) == [
        "schema/s.yaml:5:7: entities.Store.columns.a\\nb: column name 'a\\nb' is not a valid "
        "identifier (letters, digits and underscores, not starting with a digit)",
    ]
