"""Tables without a primary key in the language: ``primary_key: false`` is the
explicit opt-in, a missing key without it stays a located error that names it,
and what such a table cannot have (a key column, a reference to it as a whole,
an ORM relationship on either side) is a located error."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fixtures.language.helpers import issues_of, schema_of, write_project
from schemagen.cli import main
from schemagen.model.schema import NO_PRIMARY_KEY

STORE = """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      code: {type: text, unique: true}
"""


def test_primary_key_false_gives_an_entity_without_a_key(tmp_path: Path) -> None:
    schema = schema_of(
        tmp_path,
        {
            "s.yaml": STORE
            + """\
  EventLog:
    primary_key: false
    columns:
      id: {type: bigint, unique: true}
      store_id: {references: Store}
      store_code: {references: Store.code, nullable: true}
      tagged_id: {references: Tagged}
  Mirror:
    columns:
      id: {type: bigint, primary_key: true}
      log_id: {references: EventLog.id, relationship: false}
  Tagged:
    columns:
      id: {type: bigint, primary_key: true}
    relationships:
      stores: {entity: Store, secondary: event_logs}
"""
        },
    )
    log = schema.entity("EventLog")
    assert log.primary_key == NO_PRIMARY_KEY and not log.has_primary_key
    # an integer column that is no key is no identity; no ORM relationship either side
    assert not log.column("id").identity and not log.column("id").primary_key
    assert log.relationships == ()
    assert [r.name for r in schema.entity("Store").relationships] == []
    assert [fk.ref_columns for fk in log.foreign_keys] == [("code",), ("id",), ("id",)]
    assert schema.entity("Mirror").foreign_keys[0].ref_columns == ("id",)
    # a many-to-many may go through it: secondary names a table
    assert [(r.name, r.secondary) for r in schema.entity("Tagged").relationships] == [
        ("stores", "event_logs")
    ]


def test_contradictions_are_located_errors(tmp_path: Path) -> None:
    text = (
        STORE
        + """\
  EventLog:
    primary_key: false
    columns:
      id: {type: bigint, primary_key: true}
      uid: {type: uuid, unique: true}
      store_id: {references: Store, relationship: shop}
      kind: {type: text}
    relationships:
      things: {entity: Store, secondary: x}
  Other:
    columns:
      id: {type: bigint, primary_key: true}
      log_id: {references: EventLog}
      log_uid: {references: EventLog.uid, back_populates: others}
    foreign_keys:
      fk_others_pair: {columns: [id, log_id], references: EventLog}
    relationships:
      logs: {entity: EventLog, secondary: event_logs}
  NoKey:
    columns:
      a: {type: text}
  Bad:
    primary_key: true
    columns:
      a: {type: text}
"""
    )
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:9:26: entities.EventLog.columns.id.primary_key: column id says "
        "primary_key, but entity EventLog says primary_key: false (a table without a "
        "primary key); remove one of the two",
        "schema/s.yaml:11:37: entities.EventLog.columns.store_id.relationship: entity "
        "EventLog has no primary key (primary_key: false): models.py maps it as a Table, "
        "not a class, so no ORM relationship can join it; remove relationship (or say "
        "relationship: false)",
        "schema/s.yaml:14:7: entities.EventLog.relationships.things: entity EventLog has "
        "no primary key (primary_key: false): models.py maps it as a Table, not a class, "
        "so it has no relationships; query it through the Table",
        "schema/s.yaml:18:16: entities.Other.columns.log_id.references: entity EventLog "
        "has no primary key to reference (it says primary_key: false); reference a unique "
        "column instead, e.g. EventLog.uid",
        "schema/s.yaml:19:43: entities.Other.columns.log_uid.back_populates: entity "
        "EventLog has no primary key (primary_key: false): models.py maps it as a Table, "
        "not a class, so no ORM relationship can join it; remove back_populates",
        "schema/s.yaml:21:47: entities.Other.foreign_keys.fk_others_pair.references: entity "
        "EventLog has no primary key to reference (it says primary_key: false); say "
        "ref_columns: of a unique key, e.g. EventLog.uid",
        "schema/s.yaml:23:14: entities.Other.relationships.logs.entity: entity EventLog has "
        "no primary key (primary_key: false): models.py maps it as a Table, not a class, so "
        "no ORM relationship can join it; remove this entry",
        "schema/s.yaml:24:3: entities.NoKey: entity has no primary key; mark a column with "
        "primary_key: true, or say primary_key: false for a table without one (an event "
        "log, a staging table)",
        "schema/s.yaml:28:5: entities.Bad.primary_key: expected a non-empty list of column "
        "names, or false for no primary key, got true",
    ]


def test_validate_cli_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "s.yaml": STORE + "  Log:\n    primary_key: false\n    columns:\n"
            "      id: {type: bigint, primary_key: true}\n"
        },
    )
    (tmp_path / "pyproject.toml").write_text("[tool.schemagen]\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = CliRunner().invoke(main, ["build", "--project", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "entities.Log.columns.id.primary_key: column id says primary_key" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_primary_key_name_needs_a_primary_key_and_a_free_name(tmp_path: Path) -> None:
    """``primary_key_name:`` names the key (a table renamed since kept its old key
    name): on a table without a key it is a located error, and the name it gives
    claims its place among the schema's relation names like a conventional one."""
    text = (
        STORE
        + """\
  EventLog:
    primary_key: false
    primary_key_name: event_logs_pkey
    columns:
      kind: {type: text}
  Vessel:
    primary_key_name: stores_code_idx
    columns:
      code: {type: text, primary_key: true}
    indexes:
      stores_code_idx: {columns: [code]}
"""
    )
    issues = issues_of(tmp_path, {"s.yaml": text})
    assert issues[0] == (
        "schema/s.yaml:8:5: entities.EventLog.primary_key_name: entity EventLog says "
        "primary_key: false: there is no primary key to name; remove one of the two"
    )
    assert issues[1:] == [
        "schema/s.yaml:16:7: entities.Vessel.indexes.stores_code_idx: name 'stores_code_idx' "
        "is already used by the primary key of Vessel (schema/s.yaml:11:3); PostgreSQL "
        "tables, indexes and unique or primary-key constraints share one namespace"
    ]
    renamed = STORE.replace("  Store:\n", "  Store:\n    primary_key_name: shops_pkey\n")
    named = schema_of(tmp_path, {"s.yaml": renamed})
    assert named.entity("Store").primary_key.name == "shops_pkey"


def test_a_primary_key_name_postgresql_cannot_take_is_located_at_it(tmp_path: Path) -> None:
    long = "PK_" + "Person" * 11  # 69 bytes
    text = f"""
    entities:
      Dotted:
        primary_key_name: pk.dotted
        columns:
          id: {{type: bigint, primary_key: true}}
      Long:
        primary_key_name: {long}
        columns:
          id: {{type: bigint, primary_key: true}}
      Quoted:
        primary_key_name: PK_Quoted_ID
        columns:
          id: {{type: bigint, primary_key: true}}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:3:5: entities.Dotted.primary_key_name: primary-key name 'pk.dotted' "
        "is not a valid identifier (letters, digits and underscores, not starting with a digit)",
        f"schema/s.yaml:7:5: entities.Long.primary_key_name: primary-key name '{long}' is 69 "
        "bytes, longer than PostgreSQL's 63-byte limit for names",
    ]
