"""LIKE's ``_`` (any one character) was an ``x`` in the text a pattern fixes, and
seed took that ``x`` for a character the pattern asks: a second pattern asking
another character there (``code LIKE 'SK_-%' AND code ~ '^SKU'``, ``ref LIKE
'%-_9' AND ref LIKE '%A9'``), or a listed value holding another
(``grade IN ('AB-1', 'AC-2') AND grade LIKE 'A_-%'``), was refused ('no text
matches both patterns', 'no value is allowed') though text matching all exists.
A ``_`` now leaves its character to the other checks ('SKU-', '-A9'), and is an
``x`` only where none asks one."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
entities:
  Part:
    columns:
      id: {type: integer, primary_key: true}
      code: {type: string, length: 24, unique: true}
      ref: {type: string, length: 30}
      grade: {type: string, length: 10}
      note: {type: text, nullable: true}
    checks:
      code_shape: "code LIKE 'SK_-%' AND code ~ '^SKU'"
      ref_shape: "ref LIKE '%-_9' AND ref LIKE '%A9' AND ref LIKE 'R_%'"
      grade_listed: "grade IN ('AB-1', 'AC-2', 'B-3') AND grade LIKE 'A_-%'"
"""


def test_underscores_leave_their_character_to_the_other_checks(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there: a NULL note, a grade and a ref twice
            "INSERT INTO parts (code, ref, grade, note) VALUES"
            " ('SKU-a', 'Rb-A9', 'AB-1', NULL), ('SKU-b', 'Rb-A9', 'AB-1', 'x')"
        )
        conn.commit()
        seed_connection(conn, schema, rows=300, seed=4, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT code), count(note), count(DISTINCT grade),"
            " count(*) FILTER (WHERE code LIKE 'SKU-%' AND ref LIKE 'R%-A9') FROM parts"
        ).fetchone()
    assert row is not None
    total, codes, notes, grades, shaped = row
    assert (total, codes, grades, shaped) == (302, 302, 2, 302) and 0 < notes < total


FIXED_LENGTH = """
database: {name: shop}
entities:
  Bin:
    columns:
      id: {type: integer, primary_key: true}
      code: {type: string, length: 12, unique: true}
      aisle: {type: text}
      note: {type: text, nullable: true}
    checks:
      code_shape: "code LIKE 'B-___'"
      aisle_shape: "aisle LIKE 'A_' OR aisle LIKE 'Z_'"
"""


def test_patterns_without_percent_fill_their_underscores(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    # LIKE 'B-___' (no %) was no shape seed read: its realistic text failed the check
    write_schema(tmp_path, {"schema.yaml": FIXED_LENGTH})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there: a NULL note, an aisle twice
            "INSERT INTO bins (code, aisle, note) VALUES ('B-zzz', 'A1', NULL),"
            " ('B-zzy', 'A1', 'x')"
        )
        conn.commit()
        seed_connection(conn, schema, rows=500, seed=4, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT code), count(DISTINCT aisle), count(note),"
            " count(*) FILTER (WHERE code ~ '^B-[0-9]{3}$') FROM bins"
        ).fetchone()
    assert row is not None
    total, codes, aisles, notes, numbered = row
    assert (total, codes, numbered) == (502, 502, 500) and aisles > 10 and 0 < notes < total
