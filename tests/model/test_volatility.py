"""The volatility table is PostgreSQL's own: pg_proc captured from the real server,
and the volatile-default decision agrees with what the server does.

``--update-golden`` writes the capture into the package data file; without it
the file must equal what the server says now.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pgcluster import PgCluster
from schema_fixtures import col
from schemagen.model import volatility
from schemagen.model.schema import ColumnType, Default
from schemagen.model.volatility import VOLATILITIES, builtin_volatility
from schemagen.operations.costs import cost_line, live_warning, volatile_calls
from schemagen.operations.table import AddColumn

DATA = Path(volatility.__file__).with_name(volatility.VOLATILITY_FILE)

#: Each pg_catalog function name with its most volatile overload (v > s > i).
QUERY = """
SELECT proname || ' ' || (ARRAY['i', 's', 'v'])[max(
         CASE provolatile WHEN 'v' THEN 3 WHEN 's' THEN 2 ELSE 1 END)]
FROM pg_proc
WHERE pronamespace = 'pg_catalog'::regnamespace AND prokind = 'f'
GROUP BY proname ORDER BY proname
"""


def capture(pg: PgCluster) -> dict[str, object]:
    rows = [line.split() for line in pg.sql(QUERY).splitlines() if line]
    letters = {"i": "immutable", "s": "stable", "v": "volatile"}
    data: dict[str, object] = {
        "comment": "pg_proc.provolatile of the pg_catalog functions (each name's most "
        "volatile overload), captured by tests/model/test_volatility.py from a real server",
        "postgresql": pg.sql("SHOW server_version").strip().split()[0],
    }
    for kind in VOLATILITIES:
        data[kind] = [name for name, letter in rows if letters[letter] == kind]
    return data


def test_the_volatility_table_is_pg_proc_of_the_server(pg: PgCluster, update_golden: bool) -> None:
    captured = capture(pg)
    if update_golden:
        DATA.write_text(json.dumps(captured, indent=1) + "\n", encoding="utf-8")
    stored = json.loads(DATA.read_text(encoding="utf-8"))
    for kind in VOLATILITIES:
        assert stored[kind] == captured[kind], kind
    assert builtin_volatility("random") == "volatile"
    assert builtin_volatility("now") == "stable"
    assert builtin_volatility("lower") == "immutable"
    assert builtin_volatility("no_such_function") is None


#: Defaults of an added column, and whether PostgreSQL rewrites the table for them.
DEFAULTS = {
    "now()": False,  # stable: evaluated once, stored in the catalog
    "pg_catalog.now()": False,
    "CURRENT_TIMESTAMP": False,
    "lower('A') || 'b'": False,
    "(now() AT TIME ZONE 'utc')::date": False,
    "'{}'::text[]": False,
    "random()": True,
    "gen_random_uuid()": True,
    "clock_timestamp()": True,
    "md5(random()::text)": True,  # immutable around a volatile call
    "nextval('s')": True,
    "public.f_default()": True,  # not built in: volatile, as CREATE FUNCTION declares it
}


@pytest.fixture(scope="module")
def database(pg: PgCluster) -> Iterator[str]:
    name = pg.create_database("volatile")
    pg.sql(
        # plpgsql: a one-line SQL function would be inlined into a constant.
        "CREATE SEQUENCE s; CREATE FUNCTION f_default() RETURNS text LANGUAGE plpgsql "
        "AS 'BEGIN RETURN ''x''; END'; "
        "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 50)",
        name,
    )
    try:
        yield name
    finally:
        pg.drop_database(name)


@pytest.mark.parametrize("sql", sorted(DEFAULTS))
def test_a_default_is_volatile_exactly_when_postgresql_rewrites_the_table(
    pg: PgCluster, database: str, sql: str
) -> None:
    """ADD COLUMN with the default on a table holding rows: a changed relfilenode
    is a rewrite, which PostgreSQL does exactly for a volatile default."""
    node = "SELECT relfilenode FROM pg_class WHERE relname = 't'"
    before = pg.sql(node, database)
    add = f"ALTER TABLE t ADD COLUMN z text DEFAULT ({sql})::text"
    during = pg.sql(f"BEGIN; {add}; {node}; ROLLBACK", database)
    rewritten = during.strip() != before.strip()
    assert rewritten == DEFAULTS[sql], f"{sql}: PostgreSQL rewrote: {rewritten}"
    column = col("z", ColumnType("text"), default=Default("sql", sql))
    assert bool(volatile_calls(column)) == rewritten, volatile_calls(column)


def test_the_plan_warns_only_for_a_volatile_default_and_names_its_call() -> None:
    def add(sql: str) -> AddColumn:
        return AddColumn("t", col("z", ColumnType("uuid"), default=Default("sql", sql)), 1)

    warning = live_warning(add("gen_random_uuid()"))
    assert warning is not None and warning.startswith(
        "t.z: the default calls gen_random_uuid(), which PostgreSQL counts as volatile"
    )
    assert cost_line(add("gen_random_uuid()")) == "lock ACCESS EXCLUSIVE, rewrites"
    assert live_warning(add("now()")) is None
    assert cost_line(add("now()")) == "lock ACCESS EXCLUSIVE, no scan"
