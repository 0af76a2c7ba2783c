"""Keys declared under an entity's ``foreign_keys:`` give no ORM relationship, as
the language says: two of them over the same columns, or two from one table to
the same entity, build (models.py passes ruff and mypy --strict, the mappers
configure without a warning), migrate (upgrade on rows, create_all equal to the
migration, downgrade), and the relationships of the columns' own ``references:``
still work beside them, through keys that share their columns."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

from driver_round_trip import generated_modules
from migration_harness import (
    Case,
    alembic,
    assert_matches_models,
    generate,
    schemagen,
    scratch_database,
    write_schema,
)
from pgcluster import PgCluster

UNITS = """\
database: {name: lettings}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      region: {type: text}
    unique:
      uq_stores_id_region: [id, region]
  Unit:
    primary_key: [property_id, unit_no]
    columns:
      property_id: {type: bigint, primary_key: true}
      unit_no: {type: integer, primary_key: true}
  ArchivedUnit:
    primary_key: [property_id, unit_no]
    columns:
      property_id: {type: bigint, primary_key: true}
      unit_no: {type: integer, primary_key: true}
"""

KEYS = """\
  Booking:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store}
      region: {type: text}
      property_id: {type: bigint, nullable: true}
      unit_no: {type: integer, nullable: true}
    foreign_keys:
      fk_bookings_unit:                 # two keys over the same columns
        columns: [property_id, unit_no]
        references: Unit
      fk_bookings_archived_unit:
        columns: [property_id, unit_no]
        references: ArchivedUnit
        match: full
      fk_bookings_store_region:         # shares store_id with the column's own key
        columns: [store_id, region]
        references: Store
        ref_columns: [id, region]
  Move:
    columns:
      id: {type: bigint, primary_key: true}
      from_property: {type: bigint}
      from_unit: {type: integer}
      to_property: {type: bigint}
      to_unit: {type: integer}
    foreign_keys:                       # two keys from one table to one entity
      fk_moves_from:
        columns: [from_property, from_unit]
        references: Unit
        on_delete: cascade
      fk_moves_to:
        columns: [to_property, to_unit]
        references: Unit
"""

BEFORE = UNITS + """\
  Booking:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store}
      region: {type: text}
      property_id: {type: bigint, nullable: true}
      unit_no: {type: integer, nullable: true}
"""


def test_table_level_keys_build_with_no_relationship_and_typecheck(tmp_path: Path) -> None:
    root = tmp_path / "p"
    write_schema(root, {"schema.yaml": UNITS + KEYS})
    out = schemagen(root, "build")
    assert "created twice" not in out
    models = root / "generated" / "models.py"
    text = models.read_text(encoding="utf-8")
    assert 'ForeignKeyConstraint(\n            ["property_id", "unit_no"]' in text, text
    checks = (
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(models)],
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir",
         str(tmp_path / ".mypy_cache"), str(models)],
    )
    for argv in checks:
        result = subprocess.run(argv, cwd=root, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_table_level_keys_migrate_on_rows_and_map(pg: PgCluster, tmp_path: Path) -> None:
    from sqlalchemy import select
    from sqlalchemy.exc import SAWarning
    from sqlalchemy.orm import configure_mappers

    case = Case("table_level_keys", {"schema.yaml": BEFORE}, {"schema.yaml": UNITS + KEYS},
                destructive=False)
    root = tmp_path / "project"
    models_before, models_after = generate(case, root)
    db = scratch_database(pg, "mig")
    url = pg.url(db)
    alembic(root, url, "upgrade", "000")
    pg.sql(
        "INSERT INTO stores VALUES (1, 'north'), (2, 'south');"
        "INSERT INTO units VALUES (1, 1), (1, 2); INSERT INTO archived_units VALUES (1, 1);"
        "INSERT INTO bookings VALUES (1, 1, 'north', 1, 1), (2, 1, 'north', 1, 1),"
        " (3, 2, 'south', NULL, NULL)",
        db,
    )
    alembic(root, url, "upgrade", "head")
    assert_matches_models(pg, db, models_after, [], "upgrade")

    with generated_modules(root, url) as (m, database):
        with warnings.catch_warnings():
            warnings.simplefilter("error", SAWarning)
            configure_mappers()
        assert sorted(m.Booking.__mapper__.relationships.keys()) == ["store"]
        assert sorted(m.Store.__mapper__.relationships.keys()) == ["bookings"]
        assert not m.Unit.__mapper__.relationships and not m.Move.__mapper__.relationships
        with database.get_sessionmaker()() as session:
            session.add(m.Move(id=1, from_property=1, from_unit=1, to_property=1, to_unit=2))
            session.commit()
            store = session.get(m.Store, 1)
            assert store is not None and sorted(b.id for b in store.bookings) == [1, 2]
            booking = session.execute(select(m.Booking).where(m.Booking.id == 3)).scalar_one()
            assert booking.store.region == "south"

    alembic(root, url, "downgrade", "000")
    assert_matches_models(pg, db, models_before, [], "downgrade")
