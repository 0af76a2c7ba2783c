"""The server prints the expected expressions (``live.printing.Printer``): only those
it prints otherwise than written come back, one it refuses keeps its text (absent),
and a server that accepted them all as written is not mistaken for one that
refused to print (None: the loose comparison of a read-only standby)."""

from __future__ import annotations

import psycopg
from pgcluster import PgCluster
from schemagen.live.printing import Printer


def test_only_what_prints_otherwise_than_written_comes_back(pg: PgCluster, pg_db: str) -> None:
    printer = Printer()
    columns = {"price": "numeric(12,2)", "label": "text"}
    as_written = [
        printer.default("integer", "0"),
        printer.default("timestamp with time zone", "now()"),
        printer.check("label <> ''::text", columns),
    ]
    cast = printer.default("text", "'new'")
    check = printer.check("price >= 0", columns)
    refused = printer.check("price >>> nothing", columns)
    with psycopg.connect(pg.libpq_url(pg_db)) as conn:
        printed = printer.run(conn)
    assert printed == {cast: "'new'::text", check: "price >= 0::numeric"}
    assert not set(as_written) & set(printed) and refused not in printed


def test_a_server_that_prints_everything_as_written_is_not_read_only(
    pg: PgCluster, pg_db: str
) -> None:
    printer = Printer()
    printer.default("integer", "0")
    printer.default("boolean", "true")
    with psycopg.connect(pg.libpq_url(pg_db)) as conn:
        assert printer.run(conn) == {}
    with psycopg.connect(pg.libpq_url(pg_db)) as conn:
        conn.execute("SET default_transaction_read_only = on")
        conn.commit()
        assert printer.run(conn) is None
