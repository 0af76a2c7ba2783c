"""Column options of issue 11 (collations, identity options, serial types, domains):
the model they give, and what validate refuses, with its place."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of
from schemagen.model.schema import IdentityOptions


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


def test_identity_options_in_the_model(tmp_path: Path) -> None:
    text = """
    entities:
      Ticket:
        columns:
          id: {type: bigint, primary_key: true}
          number: {type: integer, identity: always}
          legacy: {type: integer, identity: by default}
          counter: {type: smallint, identity: {start: 10, increment: 5, cycle: true}}
          plain: {type: bigint, identity: {}}
    """
    ticket = schema_of(tmp_path, {"s.yaml": text}).entity("Ticket")
    # the implicit identity of a lone integer key is unchanged
    assert (ticket.column("id").identity, ticket.column("id").identity_options) == (True, None)
    assert ticket.column("number").identity_options == IdentityOptions(always=True)
    assert ticket.column("legacy").identity and ticket.column("legacy").identity_options is None
    assert ticket.column("counter").identity_options == IdentityOptions(
        start=10, increment=5, cycle=True
    )
    assert ticket.column("plain").identity and ticket.column("plain").identity_options is None


def test_bad_identities_are_located_errors(tmp_path: Path) -> None:
    text = """
    entities:
      Ticket:
        columns:
          id: {type: bigint, primary_key: true}
          code: {type: text, identity: always}
          a: {type: integer, identity: always, default: 1}
          b: {type: integer, identity: always, nullable: true}
          c: {type: smallint, identity: {start: 40000}}
          d: {type: integer, identity: {min: 10, max: 5}}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:5:26: entities.Ticket.columns.code.identity: an identity column is "
        "smallint, integer or bigint, not text",
        "schema/s.yaml:6:44: entities.Ticket.columns.a.default: an identity column cannot "
        "have `default`",
        "schema/s.yaml:7:44: entities.Ticket.columns.b.nullable: an identity column is NOT "
        "NULL (PostgreSQL makes it so)",
        "schema/s.yaml:8:27: entities.Ticket.columns.c.identity: start 40000 is out of range "
        "for smallint (-32768 to 32767)",
        "schema/s.yaml:9:26: entities.Ticket.columns.d.identity: min 10 must be below max 5",
    ]

