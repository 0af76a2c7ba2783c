"""``schemagen seed`` on an adopted database: the checks come back from
``schemagen import`` as PostgreSQL prints them, and seed must read that form.

PostgreSQL stores ``state IN ('a', 'b')`` as ``state = ANY (ARRAY['a'::text, ...])``
and, for a varchar column, as ``(state)::text = ANY (ARRAY[('a'::character
varying)::text, ...])``; ``NOT IN`` as ``<> ALL (ARRAY[...])``. The ferry twin
(``tests/fixtures/ferry/ferry.sql``, our own DDL with the shapes of PostgreSQL's
airline demo) has all three: before seed read them, seeding it failed at once
("has a shape seed cannot satisfy (this kind of expression)")."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
from adopt_harness import round_trip
from migration_harness import alembic, schemagen
from pgcluster import PgCluster
from seed_checks import project_schema, violations

FERRY = Path(__file__).resolve().parents[1] / "fixtures" / "ferry" / "ferry.sql"

ROWS = """
INSERT INTO ferries.vessels VALUES
  ('FJ01', '{"en": "Fjord"}', 300, 'NO', 'YES'), ('FJ02', '{}', 300, 'NO', NULL);
INSERT INTO ferries.cabins VALUES ('FJ01', '101', 'Main'), ('FJ02', '101', 'Main');
INSERT INTO ferries.sailings (sailing_id, route_no, departs, arrives, state, vessel_code,
                              sailed, docked) OVERRIDING SYSTEM VALUE VALUES
  (1, 'R0001', '2026-06-01 08:00+02', '2026-06-01 10:00+02', 'Docked', 'FJ01',
   '2026-06-01 08:05+02', '2026-06-01 10:02+02'),
  (2, 'R0001', '2026-06-02 08:00+02', '2026-06-02 10:00+02', 'Planned', 'FJ01', NULL, NULL);
INSERT INTO ferries.passes VALUES
  ('P000000001', 1, 'Deck', 20), ('P000000002', 1, 'Deck', 20), ('P000000001', 2, 'Cabin', 0);
INSERT INTO ferries.boardings VALUES ('P000000001', 1, 1, NULL), ('P000000002', 1, 2, NULL);
SELECT setval(pg_get_serial_sequence('ferries.sailings', 'sailing_id'), 2);
"""


def test_seed_keeps_in_lists_as_postgresql_prints_them(pg: PgCluster, tmp_path: Path) -> None:
    """The source holds rows (NULLs, a pass number twice) through the round trip;
    seed fills a fresh database at head, as a team would for tests."""
    source, fresh = pg.create_database("ferry"), pg.create_database("ferry_seeded")
    try:
        subprocess.run(
            [pg.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", source,
             "-f", str(FERRY), "-c", ROWS],
            env=pg.env(), check=True, capture_output=True, text=True,
        )  # fmt: skip
        root = round_trip(pg, source, tmp_path / "adopted", "ferry.sql", ("ferries",))
        text = "".join(p.read_text() for p in sorted((root / "schema").glob("*.yaml")))
        for printed in (
            "state::text = ANY (ARRAY[''Planned''::character varying::text",
            "fare_class = ANY (ARRAY[''Deck''::text, ''Cabin''::text])",
            "fare_class <> ALL (ARRAY[''Crew''::text, ''Staff''::text])",
        ):
            assert printed in text, printed
        alembic(root, pg.url(fresh), "upgrade", "head")
        out = schemagen(root, "seed", "--database", pg.url(fresh), "--rows", "200", "--seed", "3")
        assert "seeded" in out, out
        schema = project_schema(root)
        with psycopg.connect(pg.libpq_url(source)) as conn:
            assert violations(conn, schema) == []
            kept = conn.execute(
                "SELECT count(*) FROM ferries.passes WHERE pass_no = 'P000000001'"
            ).fetchone()
        with psycopg.connect(pg.libpq_url(fresh)) as conn:
            assert violations(conn, schema) == []
            states = conn.execute(
                "SELECT array_agg(DISTINCT state ORDER BY state) FROM ferries.sailings"
            ).fetchone()
            fares = conn.execute(
                "SELECT array_agg(DISTINCT fare_class ORDER BY fare_class), count(*) "
                "FROM ferries.passes"
            ).fetchone()
            docked = conn.execute(
                "SELECT count(*) FILTER (WHERE docked IS NULL), count(*) FROM ferries.sailings"
            ).fetchone()
    finally:
        pg.drop_database(source)
        pg.drop_database(fresh)
    assert states == (["Boarding", "Docked", "Planned", "Sailed"],)
    assert fares is not None and fares[0] == ["Cabin", "Deck"] and fares[1] >= 20
    assert docked is not None and 0 < docked[0] < docked[1]
    assert kept == (2,)  # the source's rows, a pass number twice, kept by the round trip
