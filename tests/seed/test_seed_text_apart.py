"""``a <> b`` between two text columns where the one that moves must also differ from
constants (``code <> 'none' AND other <> 'x' AND code <> other``) or end as a pattern
says (``tag LIKE '%-t' AND tag <> label``): seed refused them ("text it must not
equal leaves no sure second value"), as its other text was the row's own with an
``x`` added, which might be the very value forbidden. It now tries one letter more
than the values it must avoid (an ``x``, a ``y``, ...), before a pattern's fixed end
and, at the column's longest, in place of its last character: one of them is
neither the row's own value nor a forbidden one. A text forbidden by ``<>`` is also
no longer replaced by an ``x`` that another ``<>`` forbids."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, table_digest, violations

SCHEMA = """
database: {name: shop}
entities:
  Pair:
    table: pairs
    columns:
      id: {type: integer, primary_key: true}
      code: {type: text}
      other: {type: text}
      initial: {type: string, length: 1}
      nick: {type: string, length: 1, nullable: true}
      tag: {type: string, length: 8}
      label: {type: string, length: 8}
    checks:
      code_apart: "code <> 'none' AND other <> 'x' AND code <> other"
      nick_apart: "initial <> 'x' AND nick <> 'x' AND nick <> 'y' AND nick <> initial"
      tag_apart: "tag LIKE '%-t' AND label LIKE '%-t' AND tag <> label"
"""


def test_text_moves_off_the_other_and_the_constants(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    ent = schema.entity_by_table("pairs")
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there: a NULL nick, a row twice
            "INSERT INTO pairs VALUES (1, 'a', 'b', 'a', NULL, 'a-t', 'b-t'),"
            " (2, 'a', 'b', 'a', 'b', 'a-t', 'b-t'), (3, 'a', 'b', 'a', 'b', 'a-t', 'b-t')"
        )
        conn.commit()
        seed_connection(conn, schema, rows=800, seed=2, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT code), count(DISTINCT initial),"
            " count(DISTINCT nick), count(nick), count(DISTINCT tag) FROM pairs WHERE id > 3"
        ).fetchone()
        first = table_digest(conn, ent, skip=lambda c: c.name == "id")
        conn.execute("DELETE FROM pairs WHERE id > 3")
        conn.commit()
        seed_connection(conn, schema, rows=800, seed=2, append=True)
        assert table_digest(conn, ent, skip=lambda c: c.name == "id") == first  # same rows
    assert row is not None
    total, codes, initials, nicks, named, tags = row
    assert total == 800 and codes > 100 and initials > 5 and nicks > 5 and tags > 20
    assert 0 < named < total  # NULLs where nullable
