"""``collation:`` on a column index key of a citext column or of an array of a
collatable type (text[], varchar[], citext[]): PostgreSQL builds such an index
(``CREATE INDEX ... (ci COLLATE "C")``; an array compares its elements under the
collation), but validate refused every column key that was not string or text ("a
collation applies to string and text columns, not pgtype"). It now takes a key
whose type, or whose array's element type, has collations; an integer, jsonb or
enum column (or an array of one) is still refused, as PostgreSQL refuses it."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from fixtures.language.helpers import issues_of
from pgcluster import PgCluster

SCHEMA = """
database: {name: t, extensions: [citext]}
enums:
  Mood: {values: [calm, busy]}
entities:
  Doc:
    columns:
      id: {type: bigint, primary_key: true}
      ci: {type: citext, nullable: true}
      tags: {type: array, of: text, nullable: true}
      codes: {type: array, of: {type: string, length: 8}, nullable: true}
      cis: {type: array, of: citext, nullable: true}
      n: {type: integer, nullable: true}
      ns: {type: array, of: integer, nullable: true}
      body: {type: jsonb, nullable: true}
      mood: {type: enum, enum: Mood, nullable: true}
    indexes:
%s
"""

#: column -> (SQL type, whether PostgreSQL accepts COLLATE on it, validate's word)
KEYS = {
    "ci": ("citext", True, None),
    "tags": ("text[]", True, None),
    "codes": ("varchar(8)[]", True, None),
    "cis": ("citext[]", True, None),
    "n": ("integer", False, "integer"),
    "ns": ("integer[]", False, "array"),
    "body": ("jsonb", False, "jsonb"),
    "mood": ("mood", False, "enum"),
}


def test_keys_of_collatable_types_are_accepted(tmp_path: Path) -> None:
    keys = "\n".join(f"      ix_{c}: {{columns: [{{column: {c}, collation: C}}]}}" for c in KEYS)
    issues = issues_of(tmp_path, {"s.yaml": SCHEMA % keys}, database=False)
    assert [re.sub(r"^schema/s\.yaml:\d+:\d+: ", "", i) for i in issues] == [
        f"entities.Doc.indexes.ix_{c}.columns.0.collation: a collation applies to columns "
        f"of a type with collations (string, text, citext, or an array of one), not {word}"
        for c, (_, accepted, word) in KEYS.items()
        if not accepted
    ], issues


@pytest.mark.parametrize("column", sorted(KEYS))
def test_postgresql_agrees(pg: PgCluster, pg_db: str, column: str) -> None:
    """On a table holding rows (NULLs, a row twice), PostgreSQL builds the index of
    each accepted key and refuses each refused one."""
    sql_type, accepted, _ = KEYS[column]
    with psycopg.connect(pg.libpq_url(pg_db), autocommit=True) as conn:
        conn.execute(
            "CREATE EXTENSION IF NOT EXISTS citext; CREATE TYPE mood AS ENUM ('calm', 'busy');"
            f" CREATE TABLE docs (id bigint, {column} {sql_type});"
            f" INSERT INTO docs VALUES (1, NULL), (1, NULL), (2, NULL)"
        )
        create = f'CREATE INDEX ix ON docs ({column} COLLATE "C")'
        if accepted:
            conn.execute(create)  # type: ignore[arg-type]
        else:
            with pytest.raises(psycopg.errors.DatatypeMismatch, match="collations are not"):
                conn.execute(create)  # type: ignore[arg-type]
