"""PostgreSQL schemas (``schema:``, ``database.schema``): the model's qualified names,
and what validate refuses, with its place."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of


def test_schemas_qualify_tables_types_sequences_and_keys(tmp_path: Path) -> None:
    text = """
    database: {name: d, schema: app}
    enums:
      Status: {values: [a, b]}
      Tone: {schema: billing, values: [dry]}
    sequences:
      numbers: {schema: billing}
    entities:
      Guest:
        columns:
          id: {type: bigint, primary_key: true}
      Setting:
        schema: public
        columns:
          key: {type: text, primary_key: true}
      Invoice:
        schema: billing
        columns:
          id: {type: bigint, primary_key: true}
          guest_id: {references: Guest}
          status: {type: enum, enum: Status}
    """
    schema = schema_of(tmp_path, {"s.yaml": text})
    assert [e.table for e in schema.entities] == ["app.guests", "billing.invoices", "settings"]
    assert [e.db_name for e in schema.enums] == ["app.status", "billing.tone"]
    assert [s.name for s in schema.sequences] == ["billing.numbers"]
    assert schema.pg_schemas == ("app", "billing")
    (fk,) = schema.entity("Invoice").foreign_keys
    # names follow the convention with the bare table names; the target is qualified
    assert (fk.name, fk.ref_table) == ("fk_invoices_guest_id_guests", "app.guests")
    # the one-to-many attribute is named after the bare table
    assert "invoices" in {r.name for r in schema.entity("Guest").relationships}


def test_one_table_name_per_schema(tmp_path: Path) -> None:
    text = """
    entities:
      Event:
        columns:
          id: {type: bigint, primary_key: true}
          at: {type: timestamptz, index: true}
      ArchivedEvent:
        schema: archive
        table: events
        columns:
          id: {type: bigint, primary_key: true}
          at: {type: timestamptz, index: true}
      OldEvent:
        schema: archive
        table: events
        columns:
          id: {type: bigint, primary_key: true}
    """
    found = issues_of(tmp_path, {"s.yaml": text})
    # archive.events twice is an error; events in public and in archive is not, nor
    # are the same index and key names in the two schemas
    assert len(found) == 1, found
    assert "table 'archive.events' is also the table of ArchivedEvent" in found[0], found


def test_schema_names_postgresql_keeps_or_cannot_take(tmp_path: Path) -> None:
    text = """
    enums:
      Tone: {schema: pg_tones, values: [dry]}
    entities:
      Event:
        schema: information_schema
        columns:
          id: {type: bigint, primary_key: true}
      Other:
        schema: Bad-Name
        columns:
          id: {type: bigint, primary_key: true}
    """
    found = issues_of(tmp_path, {"s.yaml": text})
    assert any(
        "entities.Event.schema: schema 'information_schema' is PostgreSQL's own" in f
        for f in found
    ), found
    assert any("enums.Tone.schema: schema 'pg_tones' is PostgreSQL's own" in f for f in found)
    assert any("entities.Other.schema" in f for f in found), found
