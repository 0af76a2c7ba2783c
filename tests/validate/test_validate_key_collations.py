"""``collation:`` on an expression index key whose value is of a type without
collations (an integer, jsonb, a date): PostgreSQL refuses the index when the
migration runs ("collations are not supported by type integer"), after every
statement before it. validate refused it only on a column key; an expression key
is now refused too where its type is plain from the expression (a column, a
cast, a json operator, arithmetic, a function of a known result), and left to
PostgreSQL where it is not."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from fixtures.language.helpers import issues_of
from pgcluster import PgCluster

ENTITY = """
enums:
  Mood: {values: [calm, busy]}
domains:
  doc: {type: jsonb}
  label: {type: text}
entities:
  Doc:
    columns:
      id: {type: bigint, primary_key: true}
      body: {type: jsonb}
      n: {type: integer}
      made_on: {type: date}
      mood: {type: enum, enum: Mood}
      d: {type: doc}
      l: {type: label, attribute: l_}
      title: {type: text}
    indexes:
%s
"""

REFUSED = {
    "ix_a": ("n + 1", "integer"),
    "ix_b": ("(n)", "integer"),
    "ix_c": ("body -> 'a'", "jsonb"),
    "ix_d": ("(title)::integer", "integer"),
    "ix_e": ("length(title)", "integer"),
    "ix_f": ("made_on + 1", "date"),
    "ix_g": ("d #> '{a}'", "jsonb"),
    "ix_h": ("mood", "mood"),
    "ix_i": ("docs.n * 2", "integer"),
}
ACCEPTED = {
    "ix_j": "body ->> 'a'",
    "ix_k": "lower(title)",
    "ix_l": "(n)::text",
    "ix_m": "l",
    "ix_n": "title || n",
    "ix_o": "coalesce(title, 'x')",
}


def _keys(exprs: dict[str, str]) -> str:
    return "\n".join(
        f'      {name}: {{columns: [{{expression: "{sql}", collation: C}}]}}'
        for name, sql in exprs.items()
    )


def test_collation_on_a_key_of_a_type_without_one_is_refused(tmp_path: Path) -> None:
    refused = {name: sql for name, (sql, _) in REFUSED.items()}
    issues = issues_of(tmp_path, {"s.yaml": ENTITY % _keys({**refused, **ACCEPTED})})
    expected = [
        f"entities.Doc.indexes.{name}.columns.0.collation: {sql} is of type {kind}, which "
        f"has no collation: PostgreSQL refuses COLLATE on it"
        for name, (sql, kind) in REFUSED.items()
    ]
    assert [re.sub(r"^schema/s\.yaml:\d+:\d+: ", "", i) for i in issues] == expected
    assert all(re.match(r"schema/s\.yaml:\d+:\d+: ", i) for i in issues)


@pytest.mark.parametrize("name", sorted(REFUSED) + sorted(ACCEPTED))
def test_postgresql_agrees(pg: PgCluster, pg_db: str, name: str) -> None:
    """What validate refuses PostgreSQL refuses, on a table holding rows (NULLs, a
    row twice); what it accepts PostgreSQL builds."""
    sql = REFUSED[name][0] if name in REFUSED else ACCEPTED[name]
    with psycopg.connect(pg.libpq_url(pg_db), autocommit=True) as conn:
        conn.execute(
            "CREATE TYPE mood AS ENUM ('calm', 'busy'); CREATE DOMAIN doc AS jsonb;"
            " CREATE DOMAIN label AS text;"
            " CREATE TABLE docs (id bigint, body jsonb, n integer, made_on date, mood mood,"
            "  d doc, l label, title text);"
            " INSERT INTO docs VALUES (1, '{\"a\": 1}', 1, '2025-01-01', 'calm', '{}', 'x', 'x'),"
            " (1, '{\"a\": 1}', 1, '2025-01-01', 'calm', '{}', 'x', 'x'),"
            " (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL)"
        )
        create = f'CREATE INDEX ix ON docs (({sql}) COLLATE "C")'
        if name in ACCEPTED:
            conn.execute(create)  # type: ignore[arg-type]
        else:
            with pytest.raises(psycopg.errors.DatatypeMismatch, match="collations are not"):
                conn.execute(create)  # type: ignore[arg-type]
