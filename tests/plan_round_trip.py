"""The plan between two schemas written as YAML, checked as every diff test checks
it: applied to the old schema it gives the new, and its reverse then gives the old."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import schema_of
from schemagen.diff.compare import diff
from schemagen.diff.snapshot import ddl_view, same_ddl
from schemagen.model.schema import Schema
from schemagen.operations.plan import Plan, apply


def schemas(tmp_path: Path, before: str, after: str) -> tuple[Schema, Schema]:
    """The schemas of the YAML ``before`` and ``after`` (each one file, no errors)."""
    old = schema_of(tmp_path / "old", {"s.yaml": before})
    new = schema_of(tmp_path / "new", {"s.yaml": after})
    return old, new


def assert_round_trip(old: Schema, new: Schema, plan: Plan) -> None:
    """``plan`` applied to ``old`` gives ``new``; its reverse applied then gives ``old``."""
    assert same_ddl(apply(ddl_view(old), plan), new)
    assert same_ddl(apply(apply(ddl_view(old), plan), plan.reverse()), old)


def round_trip_plan(tmp_path: Path, before: str, after: str) -> tuple[Schema, Schema, Plan]:
    """The schemas of ``before`` and ``after`` and the plan between them, once it is
    seen to go there and back (:func:`assert_round_trip`)."""
    old, new = schemas(tmp_path, before, after)
    plan = diff(old, new)
    assert_round_trip(old, new, plan)
    return old, new, plan
