"""The proof on a realistic schema: a rental app written twice by hand, as plain
PostgreSQL DDL (``tests/fixtures/rental/rental.sql``, loaded with ``psql``) and in
the language (``tests/fixtures/rental/schema``). After ``alembic upgrade head`` the
YAML twin dumps exactly like the DDL, and ``check --database`` finds no drift in
the database made from the DDL.

Twelve tables with citext, PostGIS geometry, inet, daterange and tsvector
columns, generated full-text and money columns, standalone sequences behind
``nextval`` defaults, composite primary keys in their own order, composite and
deferrable foreign keys with ON UPDATE, expression, DESC, GIN, GiST and SP-GiST
indexes, a partial index, checks and enums; and the database-side logic of a
real app: PostgreSQL keeps ``updated_at`` (``on_update_now: trigger``), an audit
trigger records status changes, a SQL function prices stays, and reports read
three views (one over another) and a materialized view with a unique index. A
second PostgreSQL schema, ``billing``, holds payouts: tables, an enum type and a
sequence of its own, keyed to and from public's tables, and a table partitioned
by month (``billing.payout_events``, its partitions in billing too, with a DEFAULT
one); rows go to the partition their day falls in.
Issue 11 (engineer B): unit_blocks' exclusion constraint (btree_gist). Domains: owners'
e-mail addresses (citext with a format check) and payment amounts (positive money,
NOT NULL, two checks).
"""

from __future__ import annotations

import difflib
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from migration_harness import alembic, schemagen, write_schema
from pgcluster import PgCluster
from pgdump import schema_dump
from schemagen.api import load_schema
from schemagen.config import load_project
from schemagen.live.compare import check_database

RENTAL = Path(__file__).resolve().parents[1] / "fixtures" / "rental"


def test_yaml_twin_dumps_exactly_like_the_ddl(pg: PgCluster, tmp_path: Path) -> None:
    from_ddl = pg.create_database("twin_ddl")
    subprocess.run(
        [pg.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", from_ddl,
         "-f", str(RENTAL / "rental.sql")],
        env=pg.env(), check=True, capture_output=True, text=True,
    )
    root = tmp_path / "project"
    write_schema(root, {p.name: p.read_text() for p in (RENTAL / "schema").glob("*.yaml")})
    schemagen(root, "migrate", "-m", "rental")
    from_yaml = pg.create_database("twin_yaml")
    alembic(root, pg.url(from_yaml), "upgrade", "head")
    expected, actual = schema_dump(pg, from_ddl), schema_dump(pg, from_yaml)
    diff = "\n".join(
        difflib.unified_diff(expected, actual, "rental.sql", "rental.yaml", lineterm="")
    )
    assert actual == expected, diff
    schema = load_schema(load_project(root)).schema
    assert schema is not None and len(schema.entities) >= 12
    findings = check_database(schema, pg.url(from_ddl))
    assert [f"{f.object}: {f.message}" for f in findings] == []
    _database_logic_works(pg.libpq_url(from_yaml))
    shutil.rmtree(root)
    pg.drop_database(from_ddl)
    pg.drop_database(from_yaml)


ROWS = """
INSERT INTO owners (email, display_name) VALUES ('ana@example.com', 'Ana');
INSERT INTO guests (email, full_name) VALUES ('bo@example.com', 'Bo Berg');
INSERT INTO properties (owner_id, title, location)
    VALUES (1, 'Cabin', 'SRID=4326;POINT(10 60)');
INSERT INTO units (property_id, unit_no, nightly_rate) VALUES (1, 1, 120.50);
INSERT INTO bookings (guest_id, property_id, unit_no, stay, created_at, updated_at)
    VALUES (1, 1, 1, '[2026-07-01,2026-07-04)', now() - interval '1 day',
            now() - interval '1 day');
INSERT INTO invoices (booking_id, net) VALUES (1, 361.50);
INSERT INTO payments (invoice_id, method, amount, paid_at)
    VALUES (1, 'card', 200, '2026-06-03'), (1, 'card', 161.50, '2026-06-20');
INSERT INTO billing.payouts (id, owner_id, amount, period)
    VALUES (1, 1, 300, '[2026-01-01,2026-02-01)');
INSERT INTO billing.payout_events (id, happened_on, payout_id, status)
    VALUES (1, '2026-01-31', 1, 'pending'), (2, '2026-02-01', 1, 'sent'),
           (3, '2025-12-31', 1, 'failed'), (4, '2026-03-01', 1, 'sent');
"""


def _database_logic_works(url: str) -> None:
    """What the YAML's functions, triggers and views do, on rows, for a raw SQL writer."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(ROWS)
        conn.execute("UPDATE bookings SET status = 'confirmed' WHERE id = 1")
        conn.execute("UPDATE bookings SET guests = 2 WHERE id = 1")  # no status change
        fresh = conn.execute("SELECT updated_at > now() - interval '1 minute' FROM bookings")
        assert fresh.fetchall() == [(True,)]  # a raw UPDATE, no ORM: the trigger set it
        events = conn.execute("SELECT booking_id, old_status, new_status FROM booking_events")
        assert events.fetchall() == [(1, "held", "confirmed")]
        open_rows = conn.execute("SELECT guest_name, price FROM open_bookings").fetchall()
        assert open_rows == [("Bo Berg", Decimal("361.50"))]  # 3 nights at 120.50
        conn.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY monthly_revenue")
        revenue = conn.execute("SELECT revenue, payments FROM monthly_revenue").fetchall()
        assert revenue == [(Decimal("361.50"), 2)]
        # the domains hold for every writer
        for bad, check in (
            ("INSERT INTO owners (email, display_name) VALUES ('no-at-sign', 'X')",
             "email_address_format"),
            ("INSERT INTO payments (invoice_id, method, amount) VALUES (1, 'card', 0)",
             "positive_money_above_zero"),
        ):
            with pytest.raises(psycopg.errors.CheckViolation, match=check):
                conn.execute(bad)
        routed = conn.execute(
            "SELECT tableoid::regclass::text, array_agg(id ORDER BY id) "
            "FROM billing.payout_events GROUP BY 1 ORDER BY 1"
        ).fetchall()
        assert routed == [  # the bound's upper end is exclusive; the rest go to DEFAULT
            ("billing.payout_events_2026_01", [1]),
            ("billing.payout_events_2026_02", [2]),
            ("billing.payout_events_other", [3, 4]),
        ]
        conn.execute("DELETE FROM billing.payouts")  # the foreign key cascades into partitions
        left = conn.execute("SELECT count(*) FROM billing.payout_events").fetchone()
        assert left == (0,)
