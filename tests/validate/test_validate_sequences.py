"""Standalone sequences and nextval defaults: what validate refuses, with its place."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of
from pgcluster import PgCluster


def test_sequences_in_the_model(tmp_path: Path) -> None:
    text = """
    sequences:
      numbers: {type: integer, start: 10, increment: -1, min: 1, max: 10}
    entities:
      Ticket:
        columns:
          id: {type: bigint, primary_key: true}
          number: {type: integer, default: {sql: "nextval('numbers'::regclass)"}}
    """
    schema = schema_of(tmp_path, {"s.yaml": text})
    (seq,) = schema.sequences
    assert (seq.name, seq.data_type, seq.start, seq.increment) == ("numbers", "integer", 10, -1)
    # One spelling of the default: Alembic compares nextval('...') without the cast.
    default = schema.entity("Ticket").column("number").default
    assert default is not None and default.value == "nextval('numbers')"


def test_undeclared_nextval_and_bad_options_are_located_errors(tmp_path: Path) -> None:
    text = """
    sequences:
      numbers: {type: smallint, start: 40000}
      tickets: {min: 10, max: 5}
      counts: {increment: 0}
    entities:
      Ticket:
        columns:
          id: {type: bigint, primary_key: true}
          number: {type: integer, default: {sql: "nextval('number')"}}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:2:3: sequences.numbers: start 40000 is out of range for smallint "
        "(-32768 to 32767)",
        "schema/s.yaml:3:3: sequences.tickets: min 10 must be below max 5",
        "schema/s.yaml:3:3: sequences.tickets: sequence tickets has the name of the table of "
        "Ticket (schema/s.yaml:6:3): PostgreSQL keeps the tables, views, indexes and sequences "
        "of a schema in one namespace and CREATE SEQUENCE would fail; give one of them another "
        "name",
        "schema/s.yaml:4:3: sequences.counts: increment must not be 0",
        "schema/s.yaml:9:31: entities.Ticket.columns.number.default: nextval names sequence "
        "'number', which the schema does not declare (did you mean 'numbers'?); add it under "
        "`sequences:`",
    ]


def test_domain_default_calling_an_undeclared_sequence_is_a_located_error(
    tmp_path: Path,
) -> None:
    """A domain's default is checked as a column's: each sequence its nextval calls is
    declared (qualified or not; with ::regclass or not)."""
    text = """
    sequences:
      ticket_seq: {start: 100}
      order_numbers: {schema: billing}
    domains:
      ticket_no:
        type: bigint
        default: {sql: "nextval('ticket_sq')"}
      order_no:
        type: bigint
        schema: billing
        default: {sql: "nextval('billing.order_numbers'::regclass) + nextval('orders')"}
      fine_no: {type: bigint, default: {sql: "nextval('ticket_seq'::regclass)"}}
    entities:
      Ticket:
        columns:
          id: {type: bigint, primary_key: true}
          ref: {type: ticket_no}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:7:5: domains.ticket_no.default: nextval names sequence 'ticket_sq', "
        "which the schema does not declare (did you mean 'ticket_seq'?); add it under "
        "`sequences:`",
        "schema/s.yaml:11:5: domains.order_no.default: nextval names sequence 'orders', "
        "which the schema does not declare; add it under `sequences:`",
    ]


def test_migrate_refuses_a_domain_default_calling_an_undeclared_sequence(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """On a database at revision 000 holding rows: the revision used to be written and
    its CREATE DOMAIN failed in ``alembic upgrade`` (relation "ticket_sq" does not
    exist); now migrate exits 2 with the located error and writes nothing."""
    from migration_harness import migrated_project, revisions, schemagen, write_schema

    before = (
        "database: {name: t}\nsequences:\n  ticket_seq: {start: 100}\nentities:\n"
        "  Ticket:\n    columns:\n      id: {type: bigint, primary_key: true}\n"
        "      title: {type: text, nullable: true}\n"
    )
    root = migrated_project(tmp_path / "p", before, pg.url(pg_db))
    pg.sql("INSERT INTO tickets (id, title) VALUES (1, 'a'), (2, NULL), (3, 'a')", pg_db)
    after = before.replace(
        "entities:\n",
        "domains:\n  ticket_no:\n    type: bigint\n"
        "    default: {sql: \"nextval('ticket_sq')\"}\nentities:\n",
    ) + "      number: {type: ticket_no, nullable: true}\n"
    write_schema(root, {"s.yaml": after})
    written = revisions(root)
    out = schemagen(root, "migrate", "-m", "numbers", expect_exit=2)
    assert (
        "schema/s.yaml:7:5: domains.ticket_no.default: nextval names sequence 'ticket_sq', "
        "which the schema does not declare (did you mean 'ticket_seq'?); add it under "
        "`sequences:`"
    ) in out
    assert "Traceback" not in out
    assert revisions(root) == written
    assert pg.sql("SELECT count(*) FROM tickets", pg_db) == "3\n"
