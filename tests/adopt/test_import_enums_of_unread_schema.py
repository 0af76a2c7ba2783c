"""``schemagen import --schema sales`` of tables whose columns are of enum types kept
in a PostgreSQL schema not read (public), as a port keeps its shared types apart from
its tables: as the domains of such a schema before a8c65b4, each column of one (an
array of one, a domain over one, a view over one) was listed ('not expressible: type
public.mood: of column sales.ticket.mood') and nothing written. The enum types the
columns (and domains) read use are now read wherever they live, and written with
their ``schema:``; the other enum types of that schema are not."""

from __future__ import annotations

from pathlib import Path

import yaml
from adopt_harness import new_project, round_trip, source_database
from migration_harness import schemagen
from pgcluster import PgCluster

SOURCE = """
CREATE TYPE mood AS ENUM ('calm', 'tense', 'Very tense');
CREATE TYPE status AS ENUM ('open', 'closed');
CREATE TYPE unused AS ENUM ('x');
CREATE DOMAIN moods AS mood[];
CREATE DOMAIN ticket_status AS status NOT NULL DEFAULT 'open';
CREATE SCHEMA sales;
CREATE TABLE sales.ticket (
    id integer PRIMARY KEY,
    mood mood,
    history mood[],
    status ticket_status
);
CREATE VIEW sales.calm_tickets AS SELECT id, mood FROM sales.ticket WHERE mood = 'calm';
INSERT INTO sales.ticket VALUES
    (1, 'calm', '{calm,calm}', DEFAULT), (2, NULL, NULL, 'closed'), (3, 'calm', '{NULL}', 'open');
"""


def test_enum_types_of_a_schema_not_read_are_imported_where_they_live(
    pg: PgCluster, tmp_path: Path
) -> None:
    with source_database(pg, "enum_elsewhere", SOURCE) as source:
        # the unused type (and the unused domain over mood[]) are not imported: the
        # fresh copy lacks them, so they are dropped from the source before comparing
        written = tmp_path / "q"
        new_project(written)
        schemagen(written, "import", "--schema=sales", "--database", pg.url(source))
        text = "".join(p.read_text() for p in sorted((written / "schema").glob("*.yaml")))
        assert "calm" in text and "unused" not in text and "moods" not in text
        pg.sql("DROP TYPE unused; DROP DOMAIN moods", source)
        # import, build, migrate, check --database clean, a fresh copy dumps the same
        root = round_trip(pg, source, tmp_path / "p", "enums elsewhere", ("sales",))
        calm = "SELECT count(*) FROM sales.calm_tickets"
        assert pg.sql(calm, source).strip() == "2"
    docs = [yaml.safe_load(p.read_text()) for p in sorted((root / "schema").glob("*.yaml"))]
    enums = {name: spec for d in docs for name, spec in d.get("enums", {}).items()}
    assert {name: spec.get("schema") for name, spec in enums.items()} == {
        "Mood": "public",
        "Status": "public",
    }
