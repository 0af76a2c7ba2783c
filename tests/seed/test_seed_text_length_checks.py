"""Checks on a text's length and emptiness, in a domain over varchar and on a column,
as written and as PostgreSQL prints them back (what ``schemagen import`` writes):
``VALUE::text <> ''::text`` and ``char_length(VALUE) BETWEEN 3 AND 20``. Seed refused
both ("an expression where a column was expected"): it read a comparison only over a
bare column and a length only as an upper bound. It now reads a column behind a cast
to text and a length's lower bound, and writes text at least that long."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
domains:
  handle:
    type: string
    length: 30
    checks:
      handle_not_blank: "VALUE::text <> ''::text"
      handle_length: "char_length(VALUE) BETWEEN 3 AND 20"
  printed:
    type: string
    length: 12
    checks:
      printed_not_blank: "(VALUE)::text <> ''::text"
      printed_length: "(char_length((VALUE)::text) >= 9) AND (char_length((VALUE)::text) <= 11)"
entities:
  Account:
    columns:
      id: {type: integer, primary_key: true}
      handle: {type: handle, nullable: true}
      code: {type: printed}
      note: {type: text}
    checks:
      ck_accounts_note: "length(note) > 40 AND note::text <> 'none'"
"""


def test_length_and_blank_checks_are_kept(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there already: a NULL, a value twice
            "INSERT INTO accounts (handle, code, note) VALUES"
            " (NULL, 'ABCDEFGHIJ', repeat('n', 41)), ('ann', 'ABCDEFGHIJ', repeat('n', 41))"
        )
        conn.commit()
        seed_connection(conn, schema, rows=300, seed=4, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(handle), min(char_length(handle)),"
            " max(char_length(handle)), min(char_length(code)), min(char_length(note)),"
            " count(DISTINCT handle) FROM accounts"
        ).fetchone()
    assert row is not None
    count, handles, shortest, longest, code_min, note_min, distinct = row
    assert count == 302 and 150 < handles < 302
    assert 3 <= shortest and longest <= 20 and code_min >= 9 and note_min > 40
    assert distinct > 20  # realistic text, not one padded value
