"""Pattern checks anchored at one end, of plain characters besides their wildcards,
as real schemas write them: ``code LIKE 'abc%' OR code LIKE 'xyz%'``, ``ref ~
'^R-'``, ``email LIKE '%.com'`` (as PostgreSQL prints it back, over the varchar cast
to text), ``kind SIMILAR TO 'ret%'`` (and its printed form, ``~
similar_to_escape(...)``), ``grade LIKE 'A'``. Seed left every pattern to the server,
so its realistic text missed them and the whole seed failed; an OR of two was
refused ("an OR none of whose branches seed can read") and SIMILAR TO was "this
kind of expression". Seed now writes ``prefix || text || suffix`` (keeping a value
that matches already), one value where the pattern has no wildcard, and still
leaves any other pattern to the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, table_digest, violations

SCHEMA = """
database: {name: shop}
entities:
  Item:
    columns:
      id: {type: integer, primary_key: true}
      code: {type: string, length: 12}
      ref: {type: text, unique: true}
      url: {type: text}
      email: {type: string, length: 60, nullable: true}
      kind: {type: string, length: 8}
      tag: {type: string, length: 10}
      label: {type: string, length: 6}
      note: {type: text, nullable: true}
      grade: {type: string, length: 1}
      title: {type: text}
    checks:
      code_family: "code LIKE 'abc%' OR code LIKE 'xyz%'"
      ref_prefix: "ref ~ '^R-'"
      url_secure: "url LIKE 'https://%'"
      email_com: "((email)::text ~~ '%.com'::text)"
      kind_returns: "kind SIMILAR TO 'ret%'"
      tag_prefix: "((tag)::text ~ similar_to_escape('t-%'::text))"
      label_prefix: "label LIKE 'L-%' AND label <> 'L-'"
      note_prefix: "note IS NULL OR note ILIKE 'n:%'"
      grade_a: "grade LIKE 'A'"
      title_capital: "title ~ '^[A-Z]'"
"""


def test_text_is_made_to_match_simple_patterns(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    ent = schema.entity_by_table("items")
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there: NULLs, a row twice but for its unique ref
            "INSERT INTO items VALUES"
            " (1, 'abc1', 'R-1', 'https://a', NULL, 'ret', 't-1', 'L-1', NULL, 'A', 'X'),"
            " (2, 'xyz', 'R-2', 'https://b', 'a@b.com', 'retx', 't-', 'L-22', 'N:1', 'A', 'Y'),"
            " (3, 'xyz', 'R-3', 'https://b', 'a@b.com', 'retx', 't-', 'L-22', 'N:1', 'A', 'Y')"
        )
        conn.commit()
        seed_connection(conn, schema, rows=500, seed=6, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE code LIKE 'abc%'), count(*) FILTER (WHERE code"
            " LIKE 'xyz%'), count(DISTINCT code), count(DISTINCT ref),"
            " count(*) FILTER (WHERE url LIKE 'https://https://%'), count(email),"
            " count(DISTINCT label), count(note), count(DISTINCT title)"
            " FROM items WHERE id > 3"
        ).fetchone()
        assert row is not None
        abc, xyz, codes, refs, twice, emails, labels, notes, titles = row
        assert abc > 150 and xyz > 150 and codes > 100  # both branches, varied text
        assert refs == 500  # still distinct
        assert twice == 0  # a url that matches already is kept as it is
        assert 0 < emails < 500 and 0 < notes < 500 and labels > 5 and titles > 100
        first = table_digest(conn, ent, skip=lambda c: c.name == "id")
        conn.execute("DELETE FROM items WHERE id > 3")
        conn.commit()
        seed_connection(conn, schema, rows=500, seed=6, append=True)
        assert table_digest(conn, ent, skip=lambda c: c.name == "id") == first  # same rows


def test_a_pattern_longer_than_its_column_is_refused(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    text = SCHEMA.replace("label: {type: string, length: 6}", "label: {type: string, length: 1}")
    write_schema(tmp_path, {"schema.yaml": text})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.commit()
        with pytest.raises(SeedError) as refused:
            seed_connection(conn, schema, rows=20)
        assert conn.execute("SELECT count(*) FROM items").fetchone() == (0,)
    assert str(refused.value).startswith(
        "cannot seed items.label: its patterns fix 2 characters, more than the 1 it holds, "
        "under check label_prefix (label LIKE 'L-%' AND label <> 'L-'); give it a value "
        "generator"
    ), refused.value
