"""``CASE`` checks, a conditional NOT NULL as real schemas write it: ``CASE WHEN
status = 'shipped' THEN shipped_at IS NOT NULL ELSE true END``, as PostgreSQL prints
one back (``CASE WHEN ((status)::text = 'new'::text) THEN (paid_at IS NULL) ELSE
(paid_at IS NOT NULL) END``), and the simple form (``CASE kind WHEN 'gift' THEN
amount = 0 ... END``, no ELSE: NULL, which a check passes). Seed refused them ("this
shape"). It now reads a CASE as the OR of its branches (each WHEN with the
negations of the conditions before it; the ELSE with all of them) and each row
keeps one, as it does an OR's; the usual OR form (``status <> 'shipped' OR
shipped_at IS NOT NULL``) beside it is unchanged."""

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
  Order:
    table: orders
    columns:
      id: {type: integer, primary_key: true}
      status: {type: string, length: 10}
      shipped_at: {type: timestamptz, nullable: true}
      paid_at: {type: timestamptz, nullable: true}
      delivered_at: {type: timestamptz, nullable: true}
      kind: {type: string, length: 8}
      amount: {type: integer}
    checks:
      status_known: "status IN ('new', 'paid', 'shipped')"
      shipped_has_time: "CASE WHEN status = 'shipped' THEN shipped_at IS NOT NULL ELSE true END"
      paid_has_time: >-
        CASE WHEN ((status)::text = 'new'::text) THEN (paid_at IS NULL)
        ELSE (paid_at IS NOT NULL) END
      delivered_after_shipping: "status = 'shipped' OR delivered_at IS NULL"
      kind_known: "kind IN ('gift', 'sale', 'refund')"
      amount_by_kind: "CASE kind WHEN 'gift' THEN amount = 0 WHEN 'sale' THEN amount > 0 END"
"""


def test_each_row_keeps_a_branch_of_each_case(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    ent = schema.entity_by_table("orders")
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there: NULLs, a row twice
            "INSERT INTO orders VALUES (1, 'new', NULL, NULL, NULL, 'gift', 0),"
            " (2, 'shipped', now(), now(), now(), 'sale', 5),"
            " (3, 'shipped', now(), now(), now(), 'sale', 5)"
        )
        conn.commit()
        seed_connection(conn, schema, rows=600, seed=3, append=True)
        assert violations(conn, schema) == []
        by_status = conn.execute(
            "SELECT status, count(*), count(shipped_at), count(paid_at), count(delivered_at)"
            " FROM orders WHERE id > 3 GROUP BY status ORDER BY status"
        ).fetchall()
        by_kind = conn.execute(
            "SELECT kind, count(*), min(amount), max(amount) FROM orders WHERE id > 3"
            " GROUP BY kind ORDER BY kind"
        ).fetchall()
        first = table_digest(conn, ent, skip=lambda c: c.name == "id")
        conn.execute("DELETE FROM orders WHERE id > 3")
        conn.commit()
        seed_connection(conn, schema, rows=600, seed=3, append=True)
        assert table_digest(conn, ent, skip=lambda c: c.name == "id") == first  # same rows
    statuses = {s: (n, shipped, paid, delivered) for s, n, shipped, paid, delivered in by_status}
    assert set(statuses) == {"new", "paid", "shipped"}
    n, shipped, paid, delivered = statuses["shipped"]
    assert n > 50 and shipped == n and paid == n and 0 < delivered < n
    n, shipped, paid, delivered = statuses["new"]
    assert n > 50 and 0 < shipped < n and paid == 0 and delivered == 0
    n, shipped, paid, delivered = statuses["paid"]
    assert n > 50 and paid == n and delivered == 0
    kinds = {k: (n, low, high) for k, n, low, high in by_kind}
    assert set(kinds) == {"gift", "sale", "refund"}
    assert kinds["gift"][1:] == (0, 0) and kinds["sale"][1] > 0 and kinds["refund"][0] > 50


UNREADABLE = """
database: {name: shop}
entities:
  Item:
    columns:
      id: {type: integer, primary_key: true}
      code: {type: string, length: 12}
      qty: {type: integer}
    checks:
      qty_by_code: "CASE WHEN code ~ '[0-9]' THEN qty > 0 ELSE qty < 0 END"
"""


def test_a_case_seed_cannot_read_names_its_check(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    # the first branch needs a regex seed cannot build text from; the ELSE, its negation
    write_schema(tmp_path, {"schema.yaml": UNREADABLE})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.commit()
        with pytest.raises(SeedError) as refused:
            seed_connection(conn, schema, rows=20)
    message = str(refused.value)
    assert message.startswith(
        "cannot seed items: check qty_by_code (CASE WHEN code ~ '[0-9]' THEN qty > 0 ELSE "
        "qty < 0 END) has a shape seed cannot satisfy (a CASE none of whose branches seed "
        "can read)."
    ), message
    assert "entities.Item.columns.code: seed: {sql:" in message, message
