"""The server prints the expected expressions (``live.printing.Printer``): only those
it prints otherwise than written come back, one it refuses keeps its text (absent),
and a server that accepted them all as written is not mistaken for one that
refused to print (None: the loose comparison of a read-only standby)."""

from __future__ import annotations

import psycopg
from pgcluster import PgCluster
from schemagen.live.printing import Printer, as_on, on_probe


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


def test_a_policy_qualifying_its_own_table_reads_on_the_probe() -> None:
    """``accounts.x`` becomes the probe's column, and :func:`as_on` gives it back; a
    name in a string, a schema qualifying a function, the second part of a qualified
    name and another table's quoted name stay as they are."""
    written = (
        "Accounts.owner_id = 1 AND \"accounts\" . tenant = current_setting('accounts.t')"
        " AND accounts.f(1) AND x.accounts.y AND \"Accounts\".id = 2 AND $$accounts.z$$ = "
        "E'accounts.\\'z' AND EXISTS (SELECT 1 FROM accounts a WHERE a.id = accounts.id)"
    )
    probed = on_probe(written, "billing.accounts")
    assert probed == (
        "schemagen_probe.owner_id = 1 AND schemagen_probe . tenant = "
        "current_setting('accounts.t') AND accounts.f(1) AND x.accounts.y AND "
        "\"Accounts\".id = 2 AND $$accounts.z$$ = E'accounts.\\'z' AND EXISTS (SELECT 1 "
        "FROM accounts a WHERE a.id = schemagen_probe.id)"
    )
    assert as_on("(a.id = schemagen_probe.id)", "billing.accounts") == "(a.id = accounts.id)"
    assert on_probe("owner_id > 0", "accounts") == "owner_id > 0"
