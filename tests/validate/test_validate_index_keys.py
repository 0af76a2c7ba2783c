"""Index keys (expressions, DESC / NULLS), methods and nulls_not_distinct in validate."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of
from schemagen.model.schema import IndexKey


def test_index_keys_in_the_model(tmp_path: Path) -> None:
    text = """
    entities:
      Booking:
        columns:
          id: {type: bigint, primary_key: true}
          email: {type: text}
          starts_at: {type: timestamptz}
        indexes:
          ix_a:
            columns: [{expression: "lower(email)"}, {column: starts_at, order: desc, nulls: first}]
          ix_b: {columns: [{column: email, ops: text_pattern_ops}, starts_at]}
    """
    booking = schema_of(tmp_path, {"s.yaml": text}).entity("Booking")
    ix_a, ix_b = booking.indexes
    # DESC NULLS FIRST is PostgreSQL's default for DESC: one spelling, nulls=None.
    assert ix_a.keys == (
        IndexKey(expression="lower(email)"),
        IndexKey(column="starts_at", descending=True),
    )
    assert ix_a.columns == ("starts_at",)
    # Plain ascending column keys stay the short form: ops by column, no keys.
    assert (ix_b.keys, ix_b.columns, ix_b.ops) == (
        (), ("email", "starts_at"), (("email", "text_pattern_ops"),)
    )


def test_bad_index_keys_are_located_errors(tmp_path: Path) -> None:
    text = """
    entities:
      Item:
        columns:
          id: {type: bigint, primary_key: true}
          name: {type: text}
        indexes:
          ix_a: {columns: [{expression: "lower(nme)"}]}
          ix_b: {columns: [{column: name, expression: "upper(name)"}]}
          ix_c: {columns: [{column: nam}]}
          ix_d: {columns: [name], nulls_not_distinct: true}
          ix_e: {columns: [name], using: hnsw}
          ix_f: {columns: [name], using: zombodb}
          ix_g: {columns: [name], using: gni}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:7:25: entities.Item.indexes.ix_a.columns.0.expression: unknown column "
        "'nme' (did you mean 'name'?)",
        "schema/s.yaml:8:24: entities.Item.indexes.ix_b.columns.0: an index key needs exactly "
        "one of `column` and `expression`",
        "schema/s.yaml:9:24: entities.Item.indexes.ix_c.columns.0: unknown column 'nam' (did "
        "you mean 'name'?)",
        "schema/s.yaml:10:31: entities.Item.indexes.ix_d.nulls_not_distinct: nulls_not_distinct "
        "needs unique: true",
        "schema/s.yaml:11:31: entities.Item.indexes.ix_e.using: index method hnsw comes from "
        "the vector extension; add vector to database.extensions",
        "schema/s.yaml:12:31: warning: entities.Item.indexes.ix_f.using: index method "
        "'zombodb' is not one schemagen knows; only a database can verify it (`schemagen "
        "check --database`)",
        "schema/s.yaml:13:31: warning: entities.Item.indexes.ix_g.using: index method "
        "'gni' is not one schemagen knows (did you mean 'gin'?); only a database can verify "
        "it (`schemagen check --database`)",
    ]


def test_key_collations_in_the_model_and_located_errors(tmp_path: Path) -> None:
    text = """
    entities:
      Child:
        columns:
          id: {type: bigint, primary_key: true}
          name: {type: text}
        indexes:
          ix_c: {columns: [{column: name, collation: C, ops: text_pattern_ops}, id]}
          ix_x: {columns: [{expression: "lower(name)", collation: C, ops: text_pattern_ops}]}
    """
    ix, expression = schema_of(tmp_path / "a", {"s.yaml": text}).entity("Child").indexes
    assert (ix.keys, ix.ops) == (
        (IndexKey(column="name", collation="C"), IndexKey(column="id")),
        (("name", "text_pattern_ops"),),
    )
    # an expression key's collation of its own (PostgreSQL's (lower(name)) COLLATE "C")
    assert expression.keys == (
        IndexKey(expression="lower(name)", ops="text_pattern_ops", collation="C"),
    )
    bad = text + """
          ix_d: {columns: [{column: id, collation: C}]}
          ix_e: {columns: [{column: name, collation: C, order: desc}]}
          ix_f: {columns: [{expression: "lower(name)", collation: C, nulls: first}]}
    """
    assert issues_of(tmp_path / "b", {"s.yaml": bad}) == [
        "schema/s.yaml:10:37: entities.Child.indexes.ix_d.columns.0.collation: a collation "
        "applies to columns of a type with collations (string, text, citext, or an array of "
        "one), not bigint",
        "schema/s.yaml:11:39: entities.Child.indexes.ix_e.columns.0.collation: not yet: a key "
        "with a collation of its own keeps the default order (ASC NULLS LAST); Alembic could "
        "not compare it",
        "schema/s.yaml:12:52: entities.Child.indexes.ix_f.columns.0.collation: not yet: a key "
        "with a collation of its own keeps the default order (ASC NULLS LAST); Alembic could "
        "not compare it",
    ]
