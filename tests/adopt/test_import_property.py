"""Property: a random valid schema, migrated into a real database and imported back,
normalizes to the same Schema (up to what a database does not hold).

Schemas come from the migration property test's strategy (1-3 entities with
identity keys, mixed column kinds with defaults, an enum, foreign keys, indexes
and unique constraints). The example count is small and derandomized so CI stays
fast and repeatable.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any

import yaml
from adopt_harness import new_project
from hypothesis import HealthCheck, Phase, given, settings
from migration_harness import alembic, schemagen, scratch_database, write_schema
from pgcluster import PgCluster
from schema_strategies import schemas
from schemagen.api import load_schema
from schemagen.config import load_project
from schemagen.model.schema import Schema


def comparable(schema: Schema) -> Schema:
    """Without ORM-only facts (relationships, on_update), the database name and the
    naming convention (a spelling: the names it gives are compared one by one).
    Entities are known by their tables: ``charlies`` is imported as ``Charly``,
    which the language pluralizes back to the same table."""
    entities = tuple(
        dataclasses.replace(
            ent,
            name=ent.table,
            foreign_keys=tuple(
                dataclasses.replace(fk, ref_entity=fk.ref_table) for fk in ent.foreign_keys
            ),
            relationships=(),
            columns=tuple(dataclasses.replace(c, on_update_now=False) for c in ent.columns),
        )
        for ent in schema.entities
    )
    database = dataclasses.replace(schema.database, name="", naming_convention=())
    ordered = tuple(sorted(entities, key=lambda e: e.name))
    return dataclasses.replace(schema, database=database, entities=ordered)


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=schemas())
def test_migrated_schema_imports_back_equal(pg: PgCluster, doc: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source_project = Path(tmp) / "source"
        write_schema(source_project, {"schema.yaml": yaml.safe_dump(doc, sort_keys=False)})
        schemagen(source_project, "migrate", "-m", "source")
        db = scratch_database(pg, "property")
        alembic(source_project, pg.url(db), "upgrade", "head")
        root = new_project(Path(tmp) / "adopted")
        schemagen(root, "import", "--database", pg.url(db))
        original = load_schema(load_project(source_project)).schema
        imported = load_schema(load_project(root)).schema
        assert original is not None and imported is not None
        assert_same_schema(comparable(imported), comparable(original))


def assert_same_schema(got: Schema, want: Schema) -> None:
    """Equal, or fail naming the first differing entity field or column."""
    assert got.enums == want.enums
    assert got.database == want.database
    assert [e.name for e in got.entities] == [e.name for e in want.entities]
    for mine, theirs in zip(got.entities, want.entities, strict=True):
        for f in dataclasses.fields(mine):
            a, b = getattr(mine, f.name), getattr(theirs, f.name)
            if f.name == "columns":
                for ca, cb in zip(a, b, strict=False):
                    assert ca == cb, f"{mine.name}.{ca.name}"
            assert a == b, f"{mine.name}.{f.name}"
