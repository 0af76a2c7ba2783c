"""``check --database`` on foreign keys across integer widths: a key column of its
declared width (a smallint column referencing an integer key, an integer one a
bigint key, in another PostgreSQL schema too) is clean at head on tables holding
rows (NULLs, repeats); a key column made another width by hand, and a referenced
key widened by hand under its narrower column, are each a finding whose hint, the
``ALTER TABLE ... ALTER COLUMN ... TYPE`` of the declared width (in the text report
too), run as printed
(another search_path) brings the database back to clean, the rows and keys kept. Any
integer column's width is so (lot_no, no key)."""

from __future__ import annotations

from pathlib import Path

from live_check import check_command, drift_json
from migration_harness import live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: widths}
entities:
  Location:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: text, nullable: true}
  Ledger:
    schema: books
    columns:
      id: {type: bigint, primary_key: true}
  Stock:
    columns:
      id: {type: bigint, primary_key: true}
      location_id: {type: smallint, references: Location, index: true}
      ledger_id: {type: integer, references: Ledger, nullable: true}
      qty: {type: integer, nullable: true}
      lot_no: {type: smallint, nullable: true}
  Entry:
    schema: books
    columns:
      id: {type: bigint, primary_key: true}
      location_id: {type: smallint, references: Location, nullable: true}
"""

ROWS = (
    "INSERT INTO locations SELECT n, CASE WHEN n % 3 = 0 THEN NULL ELSE 'dock' END "
    "FROM generate_series(1, 20) n;"
    "INSERT INTO books.ledgers SELECT n FROM generate_series(1, 5) n;"
    "INSERT INTO stocks SELECT n, 1 + n % 4, NULLIF(n % 6, 0), CASE WHEN n % 2 = 0 THEN 7 END, "
    "NULLIF(n % 5, 0) FROM generate_series(1, 60) n;"
    "INSERT INTO books.entries SELECT n, NULLIF(n % 3, 0) FROM generate_series(1, 12) n"
)

WIDTHS = (
    "SELECT string_agg(c, ', ' ORDER BY c) FROM (SELECT attrelid::regclass || '.' || attname"
    " || ' ' || format_type(atttypid, atttypmod) AS c FROM pg_attribute WHERE (attrelid,"
    " attname) IN (('locations'::regclass, 'id'), ('stocks'::regclass, 'location_id'),"
    " ('stocks'::regclass, 'ledger_id'), ('books.entries'::regclass, 'location_id'))) AS w"
)
DECLARED = (
    "books.entries.location_id smallint, locations.id integer, stocks.ledger_id integer, "
    "stocks.location_id smallint"
)


def _hint(table: str, column: str, want: str, have: str) -> str:
    return (
        f"run `ALTER TABLE {table} ALTER COLUMN {column} TYPE {want}` (it rewrites the table "
        f"under ACCESS EXCLUSIVE; a value that does not fit in {want} stops it), or write "
        f"the database's into schema/ (type: {have})"
    )


def test_declared_widths_are_clean_and_other_widths_are_drift_with_a_runnable_hint(
    pg: PgCluster, tmp_path: Path
) -> None:
    root, name = migrated_database(pg, tmp_path, "widths", SCHEMA, ROWS)
    url = pg.url(name)
    assert pg.sql(WIDTHS, name).strip() == DECLARED
    assert live_findings(root, url) == []

    # a second session widens two key columns and the key one references
    pg.sql(
        "ALTER TABLE stocks ALTER COLUMN location_id TYPE integer;"
        "ALTER TABLE stocks ALTER COLUMN ledger_id TYPE bigint;"
        "ALTER TABLE locations ALTER COLUMN id TYPE bigint;"
        "ALTER TABLE stocks ALTER COLUMN lot_no TYPE integer",
        name,
    )
    findings = drift_json(root, url)
    assert [(f["object"], f["message"], f["hint"]) for f in findings] == [
        (
            "column locations.id",
            "type is bigint in the database, integer in the schema",
            _hint("public.locations", "id", "integer", "bigint"),
        ),
        (
            "column stocks.ledger_id",
            "type is bigint in the database, integer in the schema",
            _hint("public.stocks", "ledger_id", "integer", "bigint"),
        ),
        (
            "column stocks.location_id",
            "type is integer in the database, smallint in the schema",
            _hint("public.stocks", "location_id", "smallint", "integer"),
        ),
        (
            "column stocks.lot_no",
            "type is integer in the database, smallint in the schema",
            _hint("public.stocks", "lot_no", "smallint", "integer"),
        ),
    ]

    code, output = check_command(root, url)
    assert code == 1, output
    for f in findings:  # the text report prints each one's statement too
        assert f["hint"] in output, output

    # the hints run as printed (another search_path): clean again, rows and keys kept
    statements = ";".join(f["hint"].split("`")[1] for f in findings)
    pg.sql(f"SET search_path = books; {statements}", name)
    assert live_findings(root, url) == []
    assert pg.sql(WIDTHS, name).strip() == DECLARED
    kept = pg.sql(
        "SELECT count(*), count(ledger_id), count(DISTINCT location_id), count(qty), "
        "count(lot_no), max(lot_no) FROM stocks",
        name,
    )
    assert kept.strip() == "60|50|4|30|48|4"
    keys = pg.sql(
        "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND convalidated", name
    )
    assert keys.strip() == "3"
