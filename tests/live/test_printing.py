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


def test_checks_over_a_name_of_other_types_share_a_table_and_print_as_alone(
    pg: PgCluster, pg_db: str
) -> None:
    """A check whose column a probe table already holds with another type joins it
    with that column renamed (one table, not one per type), and prints exactly as
    it prints alone: the name given back as PostgreSQL writes it (a keyword's and a
    mixed case name's quoted), each spelling of it renamed, an EXTRACT field named
    like the column too; a text naming the column where it may be no column (a
    string, after ``.``) or that the server refuses stays apart or keeps its text."""
    pg.sql("CREATE TYPE e1 AS ENUM ('new', 'active'); CREATE TYPE e2 AS ENUM ('new', 'active');"
           "CREATE TYPE e3 AS ENUM ('new', 'active')", pg_db)
    checks = [
        ("state = 'active'", {"state": "e1"}),
        ("state = 'active'", {"state": "e2"}),
        ("STATE <> 'new' AND \"state\" IS NOT NULL", {"state": "e3"}),
        ("\"Mixed Name\" > 0", {"Mixed Name": "bigint"}),
        ("\"Mixed Name\" > 0", {"Mixed Name": "numeric(4,1)"}),
        ("\"time\" > '10:00'", {"time": "time"}),
        ("\"time\" > '10:00'", {"time": "time with time zone"}),
        ("extract(year from at) > 2000 AND year > 1", {"year": "integer", "at": "date"}),
        ("extract(year from at) > 2000 AND year > 1", {"year": "bigint", "at": "date"}),
        ("value >= 0 AND value <= 10", {"value": "numeric"}),
        ("value >= 0 AND value <= 10", {"value": "smallint"}),
    ]
    alone = []
    for text, columns in checks:
        printer = Printer()
        key = printer.check(text, columns)
        with psycopg.connect(pg.libpq_url(pg_db)) as conn:
            alone.append((printer.run(conn) or {}).get(key))
    assert alone[:3] == [
        "state = 'active'::e1", "state = 'active'::e2",
        "state <> 'new'::e3 AND state IS NOT NULL",
    ]
    assert alone[4:6] == [
        "\"Mixed Name\" > 0::numeric", "\"time\" > '10:00:00'::time without time zone"
    ]
    # then all at once; and again with one the server refuses among them (a value the
    # enum lacks), which fails its table: each of its probes is then tried alone
    apart = [("state::text <> 'state'", {"state": "e2"}), ("state = 'nothing'", {"state": "e3"})]
    for extra, tables in (([], 1), (apart, 2)):
        together = Printer()
        keys = [together.check(text, columns) for text, columns in [*checks, *extra]]
        assert len(together._pack()) == tables
        with psycopg.connect(pg.libpq_url(pg_db)) as conn:
            printed = together.run(conn)
        assert printed is not None
        assert [printed.get(key) for key in keys] == alone + [
            "state::text <> 'state'::text", None
        ][: len(extra)]


def test_a_keyword_named_like_a_renamed_column_stays_a_keyword(pg: PgCluster, pg_db: str) -> None:
    """A column named as a keyword is written quoted; the same word bare is the
    keyword (``user``), never the column: a check whose keyword-named column
    clashes is not renamed (it prints as alone), where renaming both would have
    printed the column twice; one where only another column clashes (``"Sum"``) is."""
    checks = [
        ("\"user\" <> user", {"user": "text"}),
        ("\"user\" <> user", {"user": "character varying(10)"}),
        ("\"user\" <> user AND \"Sum\" > 0", {"user": "text", "Sum": "integer"}),
        ("\"user\" <> user AND \"Sum\" > 0", {"user": "text", "Sum": "numeric"}),
    ]
    alone = []
    for text, columns in checks:
        printer = Printer()
        key = printer.check(text, columns)
        with psycopg.connect(pg.libpq_url(pg_db)) as conn:
            alone.append((printer.run(conn) or {}).get(key))
    together = Printer()
    keys = [together.check(text, columns) for text, columns in checks]
    with psycopg.connect(pg.libpq_url(pg_db)) as conn:
        printed = together.run(conn) or {}
    assert [printed.get(key) for key in keys] == alone
    assert alone[1] == "\"user\"::text <> USER"
    assert len(together._pack()) == 2
