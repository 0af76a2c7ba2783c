"""The text that replaces one a ``<>`` check forbids keeps the column's length and
its checks' least length: it was the patterns' fixed ends around one letter, one
character more than a varchar(n) whose patterns fix n characters holds (PostgreSQL's
"value too long" failed the whole seed), and one letter where ``char_length(code) >=
3`` asks for three (the check failed it). Where the patterns fix every character the
column holds and a check forbids that very text, seed refuses before writing a row,
naming the check and the way out."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
entities:
  Code:
    table: codes
    columns:
      id: {type: integer, primary_key: true}
      code: {type: string, length: 3}
      note: {type: text, nullable: true}
    checks:
      code_apart: "char_length(code) >= 3 AND code <> 'Sto' AND code <> 'Ord'"
"""

FULL = """
database: {name: shop}
entities:
  Ref:
    table: refs
    columns:
      id: {type: integer, primary_key: true}
      ref: {type: string, length: 2}
    checks:
      ref_apart: "ref LIKE 'R%' AND ref LIKE '%9' AND ref <> 'R9'"
"""


def test_stand_in_keeps_the_least_length(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there: a NULL note, a code twice
            "INSERT INTO codes VALUES (1, 'abc', NULL), (2, 'abc', 'n'), (3, 'abc', 'n')"
        )
        conn.commit()
        seed_connection(conn, schema, rows=800, seed=3, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE code IN ('Sto', 'Ord')),"
            " count(*) FILTER (WHERE char_length(code) <> 3),"
            " count(*) FILTER (WHERE code = 'xxx'), count(DISTINCT code) FROM codes WHERE id > 3"
        ).fetchone()
    assert row is not None
    total, forbidden, short, replaced, distinct = row
    assert (total, forbidden, short) == (800, 0, 0)
    assert replaced > 0 and distinct > 5  # the forbidden ones were met and replaced


def test_no_room_but_the_forbidden_text_is_refused(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": FULL})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        # (no row can be there: every text the column holds and its patterns take is
        # the one its check forbids)
        with pytest.raises(SeedError) as caught:
            seed_connection(conn, schema, rows=50, seed=3, append=True)
        count = conn.execute("SELECT count(*) FROM refs").fetchone()
    message = str(caught.value)
    assert "check ref_apart" in message and "'R9', which a check forbids" in message
    assert "entities.Ref.columns.ref: seed: {sql:" in message
    assert count == (0,)
