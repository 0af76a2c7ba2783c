"""A sequence whose max: is lowered below its current value (the table already
holds rows numbered past it): PostgreSQL refuses ALTER SEQUENCE ... MAXVALUE
there ("RESTART value (150) cannot be greater than MAXVALUE (100)", measured on
PostgreSQL 15), which names neither the sequence nor what to do. The plan says
the change can fail on existing rows (migrate refuses it without
--allow-destructive), and the upgrade stops first with the sequence, its current
value and the new max named, and how to go on; the transaction rolls back. The
same for a serial's sequence, an identity's and a standalone one, and for min:
raised above the current value of a sequence counting down."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from migration_harness import Case, alembic, assert_matches_models, schemagen, write_schema
from pgcluster import PgCluster
from revision_steps import at_first_revision

BEFORE = """\
database: {name: bounds}
sequences:
  ticket_numbers: {max: 1000}
entities:
  Order:
    columns:
      id: {type: serial, primary_key: true, sequence: {max: 1000}}
      note: {type: text, nullable: true}
  Invoice:
    columns:
      id: {type: bigint, primary_key: true, identity: {max: 1000}}
      total: {type: integer, nullable: true}
  Refund:
    columns:
      id: {type: bigint, primary_key: true}
      number: {type: bigint, identity: {increment: -1, min: -1000, max: -1}}
"""
AFTER = (
    BEFORE.replace("ticket_numbers: {max: 1000}", "ticket_numbers: {max: 100}")
    .replace("sequence: {max: 1000}", "sequence: {max: 100}")
    .replace("identity: {max: 1000}", "identity: {max: 100}")
    .replace("min: -1000, max: -1", "min: -100, max: -1")
)
#: 150 numbers taken from each sequence (NULL notes and totals, repeated ones)
ROWS = (
    "INSERT INTO orders (note) SELECT CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' END "
    "FROM generate_series(1, 150) g; "
    "INSERT INTO invoices (total) SELECT CASE WHEN g % 2 = 0 THEN NULL ELSE 7 END "
    "FROM generate_series(1, 150) g; "
    "INSERT INTO refunds (id) SELECT g FROM generate_series(1, 150) g; "
    "SELECT setval('ticket_numbers', 150)"
)
#: in the revision's order: the sequences, then the identity columns
MESSAGES = {
    "orders": "cannot lower MAXVALUE of sequence orders_id_seq to 100: its current value is 150",
    "tickets": "cannot lower MAXVALUE of sequence ticket_numbers to 100: its current value is 150",
    "invoices": (
        "cannot lower MAXVALUE of sequence invoices_id_seq to 100: its current value is 150"
    ),
    "refunds": (
        "cannot raise MINVALUE of sequence refunds_number_seq to -100: its current value is -150"
    ),
}
HINTS = {
    "orders": "rows were numbered up to 150; keep max: at 150 or above, or, if no row keeps a "
    "number above 100 any more, set the sequence back first with SELECT "
    "setval('orders_id_seq', <the last number in use>), then run the same alembic command again",
    "refunds": "rows were numbered down to -150; keep min: at -150 or below",
}
FOUR = (
    "sequencename IN ('orders_id_seq', 'ticket_numbers', 'invoices_id_seq', "
    "'refunds_number_seq')"
)
#: what makes each sequence fit again (the rows numbered past the new bound gone)
FIXES = {
    "orders": "DELETE FROM orders WHERE id > 90; SELECT setval('orders_id_seq', 90)",
    "invoices": "DELETE FROM invoices WHERE id > 90; SELECT setval('invoices_id_seq', 90)",
    "refunds": "DELETE FROM refunds WHERE number < -90; SELECT setval('refunds_number_seq', -90)",
    "tickets": "SELECT setval('ticket_numbers', 90)",
}


def test_a_bound_lowered_below_the_current_value_is_named(pg: PgCluster, tmp_path: Path) -> None:
    # the plan says each can fail on existing rows (and migrate refuses it
    # without --allow-destructive: the Case's destructive=True)
    planned = tmp_path / "planned"
    write_schema(planned, {"s.yaml": BEFORE})
    schemagen(planned, "migrate", "-m", "before")
    write_schema(planned, {"s.yaml": AFTER})
    plan = schemagen(planned, "plan")
    risks = plan[plan.index("Destructive (4): needs --allow-destructive") :].splitlines()[1:]
    assert risks == [
        "  ! lowers MAXVALUE of sequence orders_id_seq from 1000 to 100 (fails if its current "
        "value is above 100: rows numbered past it)",
        "  ! lowers MAXVALUE of sequence ticket_numbers from 1000 to 100 (fails if its current "
        "value is above 100: rows numbered past it)",
        "  ! lowers MAXVALUE of the identity sequence of invoices.id from 1000 to 100 (fails if "
        "its current value is above 100: rows numbered past it)",
        "  ! raises MINVALUE of the identity sequence of refunds.number from -1000 to -100 "
        "(fails if its current value is below -100: rows numbered past it)",
    ], plan
    case = Case("bounds", {"s.yaml": BEFORE}, {"s.yaml": AFTER}, destructive=True)
    first = at_first_revision(pg, case, tmp_path, ROWS)
    root, db, url = first.root, first.db, first.url
    for table, message in MESSAGES.items():
        with pytest.raises(sa.exc.DBAPIError) as info:
            alembic(root, url, "upgrade", "head")
        error = str(info.value)
        assert message in error, error
        assert "RESTART value" not in error
        assert HINTS.get(table, "run the same alembic command again") in error
        # rolled back: every sequence's bounds as they were
        assert pg.sql(
            "SELECT string_agg(min_value || ' ' || max_value, ', ' ORDER BY sequencename) "
            f"FROM pg_sequences WHERE {FOUR}",
            db,
        ).strip() == "1 1000, 1 1000, -1000 -1, 1 1000"
        pg.sql(FIXES[table], db)
    alembic(root, url, "upgrade", "head")
    assert_matches_models(pg, db, first.models_after, [], "upgrade")
    assert pg.sql(
        "SELECT string_agg(sequencename || ' ' || min_value || ' ' || max_value, ', ' "
        f"ORDER BY sequencename) FROM pg_sequences WHERE {FOUR}",
        db,
    ).strip() == (
        "invoices_id_seq 1 100, orders_id_seq 1 100, refunds_number_seq -100 -1, "
        "ticket_numbers 1 100"
    )
    with psycopg.connect(pg.libpq_url(db)) as conn:
        row = conn.execute("INSERT INTO orders (note) VALUES ('x') RETURNING id").fetchone()
        assert row == (91,)
    # raised back by the downgrade: no check needed, none fails
    alembic(root, url, "downgrade", first.heads[0])
    assert_matches_models(pg, db, first.models_before, [], "downgrade")


def test_postgresql_s_own_refusal_is_what_the_check_forestalls(pg: PgCluster, pg_db: str) -> None:
    """What PostgreSQL 15 says without the check: no sequence named, nothing to do."""
    pg.sql("CREATE SEQUENCE s MAXVALUE 1000; SELECT setval('s', 150)", pg_db)
    with pytest.raises(Exception) as info:
        pg.sql("ALTER SEQUENCE s MAXVALUE 100", pg_db)
    assert "RESTART value (150) cannot be greater than MAXVALUE (100)" in str(
        getattr(info.value, "stderr", info.value)
    )
    pg.sql(
        "CREATE TABLE t (id bigint GENERATED BY DEFAULT AS IDENTITY (MINVALUE -1000 MAXVALUE -1 "
        "INCREMENT BY -1)); SELECT setval('t_id_seq', -150)",
        pg_db,
    )
    with pytest.raises(Exception) as info:
        pg.sql("ALTER TABLE t ALTER COLUMN id SET MINVALUE -100", pg_db)
    assert "RESTART value (-150) cannot be less than MINVALUE (-100)" in str(
        getattr(info.value, "stderr", info.value)
    )
    pg.sql("DROP SEQUENCE s; DROP TABLE t", pg_db)
