"""``schemagen import`` of foreign keys declared ``MATCH FULL``: a composite key
and a one-column key come back as ``match: full`` (they were "not expressible"
before), and the project migrates to the same constraints: a half-NULL key is
refused by the source and by the fresh copy alike."""

from __future__ import annotations

from pathlib import Path

import yaml
from adopt_harness import round_trip
from migration_harness import alembic, scratch_database
from pgcluster import PgCluster

SOURCE = """
CREATE TABLE units (property_id bigint, unit_no integer, label text NOT NULL,
  PRIMARY KEY (property_id, unit_no));
CREATE TABLE owners (id bigint PRIMARY KEY);
CREATE TABLE bookings (id bigint PRIMARY KEY, property_id bigint, unit_no integer,
  owner_id bigint,
  CONSTRAINT fk_bookings_unit FOREIGN KEY (property_id, unit_no)
    REFERENCES units (property_id, unit_no) MATCH FULL ON DELETE CASCADE,
  CONSTRAINT fk_bookings_owner_id_owners FOREIGN KEY (owner_id) REFERENCES owners (id)
    MATCH FULL);
CREATE INDEX ix_bookings_unit ON bookings (property_id, unit_no);
CREATE INDEX ix_bookings_owner_id ON bookings (owner_id);
CREATE TABLE visits (id bigint PRIMARY KEY, property_id bigint, unit_no integer,
  CONSTRAINT fk_visits_unit FOREIGN KEY (property_id, unit_no) REFERENCES units);
CREATE INDEX ix_visits_unit ON visits (property_id, unit_no);
INSERT INTO units VALUES (1, 1, 'A'), (1, 2, 'B');
INSERT INTO owners VALUES (7);
INSERT INTO bookings VALUES (1, 1, 1, 7), (2, 1, 1, NULL), (3, NULL, NULL, 7);
INSERT INTO visits VALUES (1, 1, NULL), (2, 1, 2);
"""

HALF_NULL = (
    "DO $$ BEGIN INSERT INTO bookings VALUES (9, 1, NULL, NULL); "
    "PERFORM set_config('t.got', 'accepted', false); EXCEPTION WHEN foreign_key_violation "
    "THEN PERFORM set_config('t.got', 'refused', false); END $$; SELECT current_setting('t.got')"
)


def test_match_full_keys_are_imported(pg: PgCluster, tmp_path: Path) -> None:
    source = scratch_database(pg, "adopt_match")
    pg.sql(SOURCE, source)
    # import -> build -> migrate -> stamp -> check --database (exit 0) -> a fresh copy
    # upgraded to head dumps like the source
    root = round_trip(pg, source, tmp_path / "adopted", "match full")
    docs = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in (root / "schema").glob("*.yaml")]
    entities = {n: e for d in docs for n, e in (d.get("entities") or {}).items()}
    assert entities["Booking"]["foreign_keys"]["fk_bookings_unit"] == {
        "columns": ["property_id", "unit_no"],
        "references": "Unit",
        "on_delete": "cascade",
        "match": "full",
    }
    assert entities["Booking"]["columns"]["owner_id"]["match"] == "full"
    assert "match" not in entities["Visit"]["foreign_keys"]["fk_visits_unit"]
    assert pg.sql(HALF_NULL, source).strip() == "refused"
    copy = scratch_database(pg, "adopt_match_copy")
    alembic(root, pg.url(copy), "upgrade", "head")
    assert pg.sql(HALF_NULL, copy).strip() == "refused"
