"""``db_name:`` of a domain: its PostgreSQL name where that is not the YAML key, such
as AdventureWorks' ``"Name"``, which needs quotes. Columns (and arrays) of the domain
carry that name; a name PostgreSQL cannot take, or one two domains claim, is a
located error."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fixtures.language.helpers import issues_of, schema_of, write_project
from schemagen.cli import main
from schemagen.model.domains import create_sql
from schemagen.model.typemap import pg_type


def test_db_name_is_the_domains_postgresql_name(tmp_path: Path) -> None:
    text = """
    domains:
      name_domain: {db_name: Name, type: string, length: 50}
      flag: {db_name: Flag, type: boolean, schema: hr, not_null: true}
    entities:
      Person:
        columns:
          id: {type: bigint, primary_key: true}
          first_name: {type: name_domain}
          aliases: {type: array, of: name_domain, nullable: true}
          active: {type: flag}
    """
    schema = schema_of(tmp_path, {"s.yaml": text})
    assert [d.name for d in schema.domains] == ["Name", "hr.Flag"]
    person = schema.entity("Person")
    assert person.column("first_name").type.domain == "Name"
    assert person.column("active").type.domain == "hr.Flag"
    assert person.column("aliases").type.of is not None
    assert person.column("aliases").type.of.domain == "Name"
    # the name as format_type prints it, and the DDL quotes it
    assert pg_type(person.column("active").type, schema) == "hr.Flag"
    assert create_sql(schema.domains[0], schema) == 'CREATE DOMAIN "Name" AS character varying(50)'
    assert create_sql(schema.domains[1], schema) == 'CREATE DOMAIN hr."Flag" AS boolean NOT NULL'


def test_bad_db_names_are_located_errors(tmp_path: Path) -> None:
    text = """
    domains:
      dotted: {db_name: a.b, type: text}
      digit: {db_name: 9Lives, type: text}
      typed: {db_name: text, type: text}
      phone: {db_name: Phone, type: text}
      telephone: {db_name: Phone, type: text}
      inet_domain: {db_name: inet, type: text, schema: app}  # app.inet is no inet
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:2:12: domains.dotted.db_name: domain db_name 'a.b' is not a "
        "PostgreSQL name (letters, digits and _, not starting with a digit, at most 63 bytes)",
        "schema/s.yaml:3:11: domains.digit.db_name: domain db_name '9Lives' is not a "
        "PostgreSQL name (letters, digits and _, not starting with a digit, at most 63 bytes)",
        "schema/s.yaml:4:11: domains.typed.db_name: domain db_name 'text' is a type name "
        "already; choose another, or put the domain in a PostgreSQL schema of its own "
        "(schema:)",
        "schema/s.yaml:6:3: domains.telephone: domain telephone is PostgreSQL's Phone, as "
        "domain phone is; give one another db_name",
    ]


def test_build_refuses_a_bad_db_name_and_writes_nothing(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"s.yaml": "domains:\n  phone: {db_name: 'x y', type: text}\n"})
    result = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert result.exit_code == 2
    assert "schema/s.yaml:2:11: domains.phone.db_name: domain db_name 'x y'" in result.output
    assert "Traceback" not in result.output
    assert not (root / "generated" / "models.py").exists()


def test_domain_check_names_may_need_quotes(tmp_path: Path) -> None:
    """As an entity's checks' names may: import keeps AdventureWorks-style names."""
    text = """
    domains:
      phone:
        db_name: Phone
        type: text
        checks: {CK_Phone_Digits: "VALUE ~ '^[0-9 -]+$'"}
    """
    schema = schema_of(tmp_path / "ok", {"s.yaml": text})
    assert create_sql(schema.domains[0], schema) == (
        'CREATE DOMAIN "Phone" AS text CONSTRAINT "CK_Phone_Digits" CHECK (VALUE ~ \'^[0-9 -]+$\')'
    )
    bad = text.replace("CK_Phone_Digits", "9_digits")
    assert issues_of(tmp_path / "bad", {"s.yaml": bad}) == [
        "schema/s.yaml:5:14: domains.phone.checks.9_digits: check name '9_digits' is not a "
        "PostgreSQL name (letters, digits and _, not starting with a digit, at most 63 bytes)",
    ]


def test_two_domains_of_one_models_name_are_a_located_error(tmp_path: Path) -> None:
    """``Name`` and ``NAME`` are two PostgreSQL names, but models.py's module-level
    ``NAME_DOMAIN`` is one: the second would replace the first without a word."""
    text = """
    domains:
      name_domain: {db_name: Name, type: text}
      shouted: {db_name: NAME, type: text}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:3:3: domains.shouted: domain shouted would be models.py's NAME_DOMAIN, "
        "as domain name_domain is; give one another db_name",
    ]
