"""Domains and the columns that use them: the model, and what validate refuses
(located, exit 2), including a domain used with a conflicting default or nullability."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of
from schemagen.model.schema import CheckConstraint, Default


def test_domains_in_the_model(tmp_path: Path) -> None:
    text = """
    domains:
      email:
        type: text
        checks: {email_has_at: "VALUE LIKE '%@%'"}
      country_code: {type: string, length: 2, schema: geo, collation: C, default: NL,
                     not_null: true}
    entities:
      Customer:
        columns:
          id: {type: bigint, primary_key: true}
          email: {type: email}
          country: {type: country_code}
          emails: {type: array, of: email, nullable: true}
    """
    schema = schema_of(tmp_path, {"s.yaml": text})
    assert [d.name for d in schema.domains] == ["email", "geo.country_code"]
    email, country = schema.domains
    assert email.checks == (CheckConstraint("email_has_at", "VALUE LIKE '%@%'"),)
    assert (country.type.kind, country.type.length, country.type.collation) == ("string", 2, "C")
    assert (country.not_null, country.default) == (True, Default("string", "NL"))
    customer = schema.entity("Customer")
    assert customer.column("email").type.domain == "email"
    assert customer.column("country").type.domain == "geo.country_code"
    assert customer.column("country").type.collation is None  # the domain's, not the column's
    assert customer.column("emails").type.of is not None
    assert customer.column("emails").type.of.domain == "email"
    assert "geo" in schema.pg_schemas


def test_bad_domains_are_located_errors(tmp_path: Path) -> None:
    text = """
    domains:
      Email: {type: text}
      inet: {type: text}
      amount:
        type: numeric
        checks:
          amount_positive: "price > 0"
          amount_broken: "VALUE >"
      twice: {type: amount}
      vague: {type: texte}
    """
    issues = issues_of(tmp_path, {"s.yaml": text})
    assert issues == [
        "schema/s.yaml:2:3: domains.Email: domain name 'Email' is not a PostgreSQL name "
        'in lower case (letters, digits and _, at most 63 bytes)',
        "schema/s.yaml:3:3: domains.inet: domain name 'inet' is a type name already; "
        'choose another',
        'schema/s.yaml:7:7: domains.amount.checks.amount_positive: a domain check names '
        "its value VALUE, not 'price'",
        "schema/s.yaml:8:7: domains.amount.checks.amount_broken: SQL 'VALUE >' syntax "
        'error at end of input',
        'schema/s.yaml:9:11: domains.twice.type: domain twice: its type is the domain '
        "amount; a domain's type is a base type, an alias or a PostgreSQL type by name",
        "schema/s.yaml:10:11: domains.vague.type: unknown type 'texte' (did you mean 'text'?)",
    ]


def test_a_nul_character_in_a_domain_check_is_a_located_error(tmp_path: Path) -> None:
    text = """
    domains:
      code: {type: text, checks: {code_nul: "VALUE <> '\\0'"}}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:2:41: domains.code.checks.code_nul: text holds a NUL character (\\0), "
        "which PostgreSQL text cannot hold",
    ]


def test_a_domain_used_with_a_conflicting_default_or_nullability_is_an_error(
    tmp_path: Path,
) -> None:
    text = """
    domains:
      quantity:
        type: integer
        default: -1
        not_null: true
        checks:
          quantity_range: "VALUE BETWEEN 0 AND 1000"
      code:
        type: text
        checks:
          code_short: "length(VALUE) <= 3 AND VALUE <> 'NO'"
          code_pattern: "VALUE ~ '^[A-Z]+$'"
      tag: {type: string, length: 8}
    entities:
      Item:
        columns:
          id: {type: bigint, primary_key: true}
          stock: {type: quantity, nullable: true, default: 5}
          spare: {type: quantity, default: 2000}
          code: {type: code, default: "TOOLONG"}
          other: {type: code, default: "NO"}
          fine: {type: code, default: "abc"}
          sized: {type: tag, length: 3}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:4:5: domains.quantity.default: the default '-1' fails check "
        'quantity_range of domain quantity (VALUE BETWEEN 0 AND 1000)',
        # a warning: PostgreSQL takes the column declared so (an adopted database may)
        'schema/s.yaml:18:31: warning: entities.Item.columns.stock.nullable: items.stock says '
        'nullable: true, but domain quantity is NOT NULL: PostgreSQL refuses NULL in it all '
        'the same (the column is declared nullable, as a database may have it); drop '
        'nullable: true unless the database has it so',
        'schema/s.yaml:19:31: entities.Item.columns.spare.default: items.spare: the '
        "default '2000' fails check quantity_range of domain quantity (VALUE BETWEEN 0 "
        'AND 1000)',
        'schema/s.yaml:20:26: entities.Item.columns.code.default: items.code: the '
        "default 'TOOLONG' fails check code_short of domain code (length(VALUE) <= 3 AND "
        "VALUE <> 'NO')",
        'schema/s.yaml:21:27: entities.Item.columns.other.default: items.other: the '
        "default 'NO' fails check code_short of domain code (length(VALUE) <= 3 AND "
        "VALUE <> 'NO')",
        'schema/s.yaml:23:26: entities.Item.columns.sized.length: `length` does not '
        "apply to a column of domain tag: its type and collation are the domain's",
    ]

