"""``schemagen import`` of the ferry twin (``tests/fixtures/ferry/ferry.sql``, our own
DDL with the shapes of PostgreSQL's airline demo database), holding rows.

PostgreSQL prints ``flag IN ('NO', 'DK')`` over a varchar column as
``flag::text = ANY (ARRAY['NO'::character varying, 'DK'::character varying]::text[])``,
and that text does not read back as the same expression: PostgreSQL pushes the
``::text[]`` into the elements (``ARRAY['NO'::character varying::text, ...]``). An
import that wrote the printed text made a schema that ``check --database`` found
different from the database it came from (expression is ... in the database, ...
in the schema), and whose migration dumped differently. Import writes such a list
back as ``flag IN (...)`` (``NOT IN`` for ``<> ALL``), in checks, a domain's checks
and a partial index's WHERE.

A view's query, a materialized view's index predicate, a generated column's
expression and a trigger's WHEN had the same
trouble (``check --database``: definition differs, generated as ... in the database):
import writes their IN lists so too.

A function whose body is not on lines of its own (``AS $$SELECT ...;$$``, as the
demo's ``now()``) came back with newlines around it (schemagen puts a body on lines
of its own): ``check --database`` reported its definition changed and the dumps
differed. Import says ``verbatim: true`` for it.

A table renamed since it was made keeps its primary key's name (``vessels`` with
``ships_pkey``), which no naming convention gives: import listed it as not
expressible. It says ``primary_key_name: ships_pkey``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
from adopt_harness import round_trip
from pgcluster import PgCluster

FERRY = Path(__file__).resolve().parents[1] / "fixtures" / "ferry" / "ferry.sql"

ROWS = """
INSERT INTO ferries.vessels VALUES
  ('FJ01', '{"en": "Fjord"}', 300, 'NO', 'YES'), ('FJ02', '{}', 300, 'NO', NULL),
  ('FJ03', '{}', 90, 'DK', 'NO');
INSERT INTO ferries.cabins VALUES ('FJ01', '101', 'Main'), ('FJ02', '101', 'Main');
INSERT INTO ferries.sailings (route_no, departs, arrives, state, vessel_code, sailed, docked)
VALUES ('R0001', '2026-06-01 08:00+02', '2026-06-01 10:00+02', 'Planned', 'FJ01', NULL, NULL),
       ('R0002', '2026-06-01 08:00+02', '2026-06-01 10:00+02', 'Docked', 'FJ01',
        '2026-06-01 08:05+02', '2026-06-01 10:02+02');
"""


def test_ferry_ddl_with_in_lists_imports_exactly(pg: PgCluster, tmp_path: Path) -> None:
    source = pg.create_database("ferry_ddl")
    try:
        subprocess.run(
            [pg.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", source,
             "-f", str(FERRY), "-c", ROWS],
            env=pg.env(), check=True, capture_output=True, text=True,
        )  # fmt: skip
        root = round_trip(pg, source, tmp_path / "adopted", "ferry.sql", ("ferries",))
        with psycopg.connect(pg.libpq_url(source)) as conn:
            rows = conn.execute(
                "SELECT (SELECT count(*) FROM ferries.vessels WHERE flag = 'NO'),"
                " (SELECT count(*) FROM ferries.sailings WHERE docked IS NULL)"
            ).fetchone()
    finally:
        pg.drop_database(source)
    assert rows == (2, 1)
    text = "".join(p.read_text() for p in sorted((root / "schema").glob("*.yaml")))
    for written in (
        "vessels_flag_check: 'flag IN (''NO''::character varying, ''DK''::character varying, "
        "''SE''::character varying)'",
        "cabins_cabin_no_check: 'cabin_no NOT IN (''13''::character varying, "
        "''113''::character varying)'",
        "where: 'state IN (''Planned''::character varying, ''Boarding''::character varying)'",
        "yes_no_check: 'VALUE IN (''YES''::character varying, ''NO''::character varying)'",
        "    primary_key_name: ships_pkey\n",
        "generated: '((state) IN (''Planned''::character varying, ''Boarding''::character "
        "varying))'",
        "route_states_open_idx: {columns: [route_no], unique: true, where: 'state IN "
        "(''Planned''::character varying, ''Boarding''::character varying)'}",
        "when: '((new.state) IN (''Sailed''::character varying, ''Docked''::character "
        "varying))'",
        "WHERE (((s.state) IN ('Planned'::character varying, 'Boarding'::character varying)) "
        "AND (s.route_no <> ALL (ARRAY['R0000'::bpchar, 'R9999'::bpchar])))",
        "  season_start:\n    language: sql\n    volatility: immutable\n    returns: date\n"
        "    verbatim: true\n    body: SELECT DATE '2026-05-01';\n",
    ):
        assert written in text, written
