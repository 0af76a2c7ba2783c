"""Standalone sequences and nextval defaults: what validate refuses, with its place."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of


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
        "schema/s.yaml:3:3: sequences.tickets: sequence tickets has the name of a table or "
        "index (PostgreSQL keeps them in one namespace); rename one of them",
        "schema/s.yaml:4:3: sequences.counts: increment must not be 0",
        "schema/s.yaml:9:31: entities.Ticket.columns.number.default: nextval names sequence "
        "'number', which the schema does not declare (did you mean 'numbers'?); add it under "
        "`sequences:`",
    ]
