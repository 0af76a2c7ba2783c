"""The stored snapshot text, and the shortcuts migrate takes to write it: a schema's
DDL view is computed once, and the states between the parts of a large change
(already views) are written without projecting them again."""

from __future__ import annotations

from pathlib import Path

from schemagen.api import load_schema
from schemagen.config import load_project
from schemagen.diff.compare import diff
from schemagen.diff.snapshot import (
    Lines,
    ddl_view,
    empty_schema,
    matches_snapshot,
    snapshot_text,
    view_text,
)
from schemagen.model.data import from_data, to_data
from schemagen.model.schema import Schema
from schemagen.operations.plan import apply
from schemagen.operations.stages import stages

REPO = Path(__file__).resolve().parents[2]


def _flagship() -> Schema:
    schema = load_schema(load_project(REPO)).schema
    assert schema is not None
    return schema


def test_each_part_is_written_as_its_full_projection_would_be() -> None:
    schema = _flagship()
    parts = stages(diff(None, schema), 40)
    assert len(parts) >= 3
    state, lines = ddl_view(empty_schema()), Lines()
    for stage in parts:
        after = apply(state, stage.plan)
        fresh = from_data(Schema, to_data(after))  # a new object: nothing memoized
        assert view_text(after, lines) == snapshot_text(fresh), stage.part
        state = after
    assert len(lines) >= len(schema.entities)  # each table's line rendered once
    # and the last state is the schema itself, as migrate stores it
    assert view_text(state, lines) == snapshot_text(schema)


def test_the_view_is_computed_once_per_schema_and_ignored_by_equality() -> None:
    schema = _flagship()
    view = ddl_view(schema)
    assert ddl_view(schema) is view
    copy = from_data(Schema, to_data(schema))
    assert copy == schema and ddl_view(copy) is not view and ddl_view(copy) == view
    # a view is its own view: the projection of a projection changes nothing
    assert ddl_view(view) is view
    assert ddl_view(from_data(Schema, to_data(view))) == view


def test_matches_snapshot_compares_the_stored_text() -> None:
    schema = _flagship()
    text = snapshot_text(schema)
    assert matches_snapshot(text, schema)
    assert not matches_snapshot(text.replace('"stores"', '"shops"', 1), schema)
    indented = to_data(ddl_view(schema))  # an older snapshot: same data, other text
    assert not matches_snapshot(str(indented), schema)

