"""``OR`` checks without a ``column IS NULL`` branch, the shape of a table whose rows
are of kinds that fill different columns: ``(kind = 'a' AND amount > 0) OR (kind =
'b' AND amount IS NULL)``. Seed refused them ("an OR without `column IS NULL`"), and
a value generator on one column cannot follow the other. Seed now gives each row one
of the branches it can read, and the columns the branch names values that keep it."""

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
  Payment:
    columns:
      id: {type: integer, primary_key: true}
      kind: {type: string, length: 1}
      amount: {type: integer, nullable: true}
      card: {type: string, length: 4, nullable: true}
      state: {type: text}
    checks:
      ck_payments_kind: "(kind = 'a' AND amount > 0) OR (kind = 'b' AND amount IS NULL)"
      ck_payments_card: >-
        ((((kind)::text = 'a'::text) AND (card IS NOT NULL))
        OR (((kind)::text = 'b'::text) AND (card IS NULL))
        OR ((kind)::text = 'c'::text))
      ck_payments_state: "state IN ('open', 'paid', 'void') OR state ~ '^x'"
"""


def test_each_row_takes_a_branch(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there already: NULLs, a row twice
            "INSERT INTO payments (kind, amount, card, state) VALUES"
            " ('b', NULL, NULL, 'open'), ('a', 5, '1234', 'xy'), ('a', 5, '1234', 'xy')"
        )
        conn.commit()
        seed_connection(conn, schema, rows=600, seed=8, append=True)
        assert violations(conn, schema) == []
        rows = conn.execute(
            "SELECT kind, count(*), count(amount), count(card), min(amount),"
            " count(DISTINCT state) FROM payments GROUP BY kind ORDER BY kind"
        ).fetchall()
    assert [r[0] for r in rows] == ["a", "b"]  # 'c' is no branch of the first check
    (_, a_rows, a_amounts, a_cards, least, _), (_, b_rows, b_amounts, b_cards, _, _) = rows
    assert a_rows > 200 and b_rows > 200 and b_amounts == 0 and b_cards == 0
    assert a_cards == a_rows and least > 0 and a_amounts > a_rows * 0.6  # NULLs pass too


CONFLICT = """
database: {name: shop}
entities:
  Payment:
    columns:
      id: {type: integer, primary_key: true}
      kind: {type: string, length: 1}
      amount: {type: integer}
    checks:
      ck_payments_kind: "(kind = 'a' AND amount > 100) OR amount < -5"
      ck_payments_amount: "amount BETWEEN 0 AND 50"
"""


def test_no_branch_left_names_the_check(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": CONFLICT})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        with pytest.raises(SeedError) as info:
            seed_connection(conn, schema, rows=10)
    message = str(info.value)
    assert message.startswith("cannot seed payments: check ck_payments_kind (("), message
    assert "no branch of the OR" in message and "seed: {sql:" in message, message
