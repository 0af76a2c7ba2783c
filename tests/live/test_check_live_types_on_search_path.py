"""``check --database`` through a connection whose search_path holds another schema
after the current one (``public, sales``: a URL's ``options=-csearch_path=...``, or
``ALTER DATABASE ... SET search_path``): a column typed by an enum or a domain of that
schema is compared by its qualified name.

``format_type`` prints a type bare where the search_path finds it, so a column of
``sales.mood`` read ``mood`` while the schema (and every catalog key) says
``sales.mood``: a database at head was drift ('type is mood in the database,
sales.mood in the schema'). The catalog is read with the types printed as the
model names them: qualified outside the current schema, whatever else is on the
path."""

from __future__ import annotations

from pathlib import Path

from migration_harness import alembic, by_hand, live_findings, schemagen, write_schema
from pgcluster import PgCluster

SCHEMA = """
database: {name: onpath}
enums:
  Mood: {schema: sales, values: [ok, bad]}
domains:
  code: {schema: sales, type: smallint, checks: {code_positive: "VALUE > 0"}}
entities:
  Sale:
    schema: sales
    table: x
    columns:
      id: {type: bigint, primary_key: true}
      mood: {type: enum, enum: Mood, nullable: true}
  Note:
    columns:
      id: {type: bigint, primary_key: true}
      mood: {type: enum, enum: Mood, nullable: true}
      moods: {type: array, of: {type: enum, enum: Mood}, nullable: true}
      code: {type: code, nullable: true}
views:
  NoteMood:
    sql: SELECT id, mood, code FROM notes WHERE mood IS NOT NULL
    columns:
      id: {type: bigint}
      mood: {type: enum, enum: Mood}
      code: {type: code, nullable: true}
"""

ROWS = """
INSERT INTO sales.x SELECT g, (ARRAY['ok', 'bad', NULL])[g % 3 + 1]::sales.mood
FROM generate_series(1, 30) g;
INSERT INTO notes SELECT g, (ARRAY['ok', 'bad', NULL])[g % 3 + 1]::sales.mood,
       CASE WHEN g % 4 = 0 THEN NULL ELSE ARRAY['ok', 'bad']::sales.mood[] END,
       NULLIF(g % 5, 0)
FROM generate_series(1, 40) g;
"""


def test_types_of_a_schema_on_the_search_path_are_no_drift(
    pg: PgCluster, tmp_path: Path
) -> None:
    dbname = pg.create_database("onpath")
    plain = pg.url(dbname)
    write_schema(tmp_path, {"s.yaml": SCHEMA})
    schemagen(tmp_path, "migrate", "-m", "initial")
    alembic(tmp_path, plain, "upgrade", "head")
    pg.sql(ROWS, dbname)
    assert live_findings(tmp_path, plain) == []
    # sales after public on the path: a URL's, then the database's own setting
    on_path = plain + "?options=-csearch_path%3Dpublic,sales"
    assert live_findings(tmp_path, on_path) == []
    by_hand(pg, dbname, [f"ALTER DATABASE {dbname} SET search_path = public, sales"])
    assert live_findings(tmp_path, plain) == []
    # real drift is still seen: a column retyped by hand to an enum of the same name
    # in public, which the path finds first
    by_hand(
        pg,
        dbname,
        [
            "CREATE TYPE public.mood AS ENUM ('ok', 'bad')",
            "ALTER TABLE sales.x ALTER COLUMN mood TYPE public.mood USING mood::text::public.mood",
        ],
    )
    assert live_findings(tmp_path, plain) == [
        "column sales.x.mood: type is mood in the database, sales.mood in the schema",
        "enum mood: in the database but not in the schema",
    ]
    assert pg.sql("SELECT count(mood) FROM sales.x", dbname).strip() == "20"
    assert pg.sql("SELECT count(mood) FROM notes", dbname).strip() == "27"
