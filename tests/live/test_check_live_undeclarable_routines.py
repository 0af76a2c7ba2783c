"""An aggregate, a procedure or a window function made by hand is drift: the language
declares functions alone, and check --database read functions alone (``prokind =
'f'``), so pagila's ``group_concat`` aggregate, or a procedure a DBA added, passed as
clean. Each is now reported as an extra, with the DROP that removes it,
schema-qualified so that it runs as printed; the functions' comparison is unchanged
(the same query reads them: no statement more)."""

from __future__ import annotations

from pathlib import Path

from live_check import hint_statement, run_as_printed
from migration_harness import by_hand, json_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: routines, schema: app}
entities:
  Rental:
    columns:
      id: {type: bigint, primary_key: true}
      title: {type: text}
      note: {type: text, nullable: true}
functions:
  joined:
    language: sql
    volatility: immutable
    arguments: [{type: text}, {type: text}]
    returns: text
    body: SELECT CASE WHEN $2 IS NULL THEN $1 WHEN $1 IS NULL THEN $2 ELSE $1 || ', ' || $2 END
"""
#: repeated titles, NULL notes
ROWS = (
    "INSERT INTO app.rentals SELECT g, 'Film ' || g % 30, CASE WHEN g % 3 = 0 THEN NULL "
    "ELSE 'n' || g % 5 END FROM generate_series(1, 2000) g"
)
COUNTS = "SELECT count(*), count(note), count(DISTINCT title) FROM app.rentals"
EXTRA = "in the database but not in the schema"


def test_aggregates_and_procedures_made_by_hand_are_drift(pg: PgCluster, tmp_path: Path) -> None:
    """At head: clean. An aggregate over the declared function and a procedure (its
    name quoted): each reported with its DROP; each DROP run as printed: clean again,
    the rows untouched."""
    root, name = migrated_database(pg, tmp_path, "routines", SCHEMA, ROWS)
    url = pg.url(name)
    assert json_findings(root, url) == []
    counts = pg.sql(COUNTS, name).strip()
    assert pg.sql("SELECT app.joined('a', 'b')", name).strip() == "a, b"
    by_hand(
        pg,
        name,
        [
            "CREATE AGGREGATE app.group_concat(text) (SFUNC = app.joined, STYPE = text)",
            'CREATE PROCEDURE app."Archive"(keep integer) LANGUAGE sql '
            "AS $$ DELETE FROM app.rentals WHERE id > keep $$",
        ],
    )
    assert pg.sql("SELECT app.group_concat(title ORDER BY id) FROM app.rentals WHERE id < 3",
                  name).strip() == "Film 1, Film 2"  # fmt: skip
    findings = json_findings(root, url)
    assert [(f["object"], f["message"], f["hint"]) for f in findings] == [
        (
            "aggregate app.group_concat(text)",
            EXTRA,
            "the schema cannot declare an aggregate: `DROP AGGREGATE app.group_concat(text)`",
        ),
        (
            "procedure app.Archive(integer)",
            EXTRA,
            'the schema cannot declare a procedure: `DROP PROCEDURE app."Archive"(integer)`',
        ),
    ], findings
    for finding in findings:
        run_as_printed(pg, name, hint_statement(finding["hint"]))
    assert json_findings(root, url) == []
    assert pg.sql(COUNTS, name).strip() == counts
