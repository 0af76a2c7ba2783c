"""Column options of issue 11 (collations, identity options, serial types, domains):
the model they give, and what validate refuses, with its place."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of


def test_collation_in_the_model(tmp_path: Path) -> None:
    text = """
    entities:
      Member:
        columns:
          id: {type: bigint, primary_key: true}
          handle: {type: string, length: 40, collation: "C", unique: true}
          note: {type: text}
      Post:
        columns:
          id: {type: bigint, primary_key: true}
          author: {references: Member.handle}
    """
    schema = schema_of(tmp_path, {"s.yaml": text})
    assert schema.entity("Member").column("handle").type.collation == "C"
    assert schema.entity("Member").column("note").type.collation is None
    # a referencing column takes the key's type, not its collation
    author = schema.entity("Post").column("author").type
    assert (author.kind, author.length, author.collation) == ("string", 40, None)


def test_collation_on_a_type_without_one_is_a_located_error(tmp_path: Path) -> None:
    text = """
    entities:
      Member:
        columns:
          id: {type: bigint, primary_key: true, collation: "C"}
          name: {type: text}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:4:45: entities.Member.columns.id.collation: a collation applies to "
        "string and text columns, not bigint",
    ]
    blank = text.replace("{type: text}", '{type: text, collation: ""}')
    assert issues_of(tmp_path, {"s.yaml": blank}) == [
        "schema/s.yaml:5:26: entities.Member.columns.name.collation: expected a collation "
        "name, got an empty string",
    ]
