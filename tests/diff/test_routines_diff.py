"""The diff of functions, triggers and views: what it emits, in which order, and
that applying it (and its reverse) lands on the other schema."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import schema_of
from plan_round_trip import assert_round_trip, schemas
from schemagen.diff.compare import diff
from schemagen.model.schema import Schema

BASE = """
database: {name: t}
entities:
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      title: {type: string, length: 50}
    triggers:
      trg_products_touch: {function: touch, events: [update]}
functions:
  touch:
    returns: trigger
    body: "BEGIN RETURN NEW; END;"
views:
  Titles:
    sql: SELECT id, title FROM products
    columns: {id: {type: bigint}, title: {type: text}}
  Upper:
    sql: SELECT t.id, upper(t.title) AS title FROM titles t
    columns: {id: {type: bigint}, title: {type: text}}
  Constant:
    sql: SELECT 1 AS one
    columns: {one: {type: integer}}
"""


def _schemas(tmp_path: Path, after: str) -> tuple[Schema, Schema]:
    return schemas(tmp_path, BASE, after)


def _round_trip(old: Schema, new: Schema) -> list[str]:
    plan = diff(old, new)
    assert_round_trip(old, new, plan)
    return plan.describe()


def test_first_revision_creates_in_dependency_order(tmp_path: Path) -> None:
    new = schema_of(tmp_path, {"s.yaml": BASE})
    assert diff(None, new).describe() == [
        "+ table products",
        "+ function touch()",
        "+ view constant",
        "+ view titles",
        "+ view upper",  # after the view it reads, whatever the names say
        "+ trigger products.trg_products_touch",
    ]


def test_column_type_change_rebuilds_dependent_views_around_it(tmp_path: Path) -> None:
    old, new = _schemas(tmp_path, BASE.replace("{type: string, length: 50}", "{type: text}"))
    assert _round_trip(old, new) == [
        "- view upper",  # dependents first
        "- view titles",
        "~ column products.title: type character varying(50) -> text",
        "+ view titles",
        "+ view upper",
    ]


def test_body_change_is_replaced_in_place(tmp_path: Path) -> None:
    old, new = _schemas(tmp_path, BASE.replace("RETURN NEW;", "NEW.id := NEW.id; RETURN NEW;"))
    assert _round_trip(old, new) == ["~ function touch() (replaced in place)"]


def test_result_type_change_drops_and_creates(tmp_path: Path) -> None:
    other = (
        "functions:\n  other:\n    language: sql\n    arguments: [integer]\n"
        "    returns: integer\n    body: SELECT $1\n  touch:"
    )
    after = BASE.replace("functions:\n  touch:", other)
    old, new = _schemas(tmp_path, after)
    assert _round_trip(old, new) == ["+ function other(integer)"]
    changed = after.replace(
        "returns: integer\n    body: SELECT $1", "returns: bigint\n    body: SELECT $1::bigint"
    )
    mid = schema_of(tmp_path / "mid", {"s.yaml": changed})
    assert _round_trip(new, mid) == ["- function other(integer)", "+ function other(integer)"]


def test_changed_trigger_is_dropped_and_created(tmp_path: Path) -> None:
    after = BASE.replace("events: [update]}", "events: [update], when: 'NEW.id > 0'}")
    old, new = _schemas(tmp_path, after)
    assert _round_trip(old, new) == [
        "- trigger products.trg_products_touch",
        "+ trigger products.trg_products_touch",
    ]
