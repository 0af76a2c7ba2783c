"""The SQL condition of a partition bound (model.bounds) holds exactly the rows
PostgreSQL routes to that partition: for each bound kind (a range open at either end,
over one column and over two, a list holding NULL, hash, DEFAULT), rows are written
through the parent and each partition's row count is compared with the count of the
parent's rows the condition holds; the condition is never NULL."""

from __future__ import annotations

import pytest
from pgcluster import PgCluster
from schemagen.model.bounds import bound_condition, bound_within, default_condition
from schemagen.model.schema import Partition, PartitionKey
from schemagen.model.sqltext import partition_sql

RANGE = PartitionKey("range", ("a",))
TWO = PartitionKey("range", ("a", "b"))
LIST = PartitionKey("list", ("c",))
HASH = PartitionKey("hash", ("a",))
EXPR = PartitionKey("list", (None,), ("lower(c)",))

CASES = {
    "range": (
        RANGE,
        (
            Partition("t_low", start=("MINVALUE",), end=("10",)),
            Partition("t_mid", start=("10",), end=("20",)),
            Partition("t_high", start=("20",), end=("MAXVALUE",)),
        ),
        "INSERT INTO t SELECT g - 5, g % 7, 'x' FROM generate_series(1, 40) g",
    ),
    "range with NULL and DEFAULT": (
        RANGE,
        (
            Partition("t_low", start=("MINVALUE",), end=("10",)),
            Partition("t_mid", start=("10",), end=("20",)),
            Partition("t_rest", default=True),
        ),
        "INSERT INTO t SELECT CASE WHEN g % 9 = 0 THEN NULL ELSE g - 5 END, g % 7, 'x' "
        "FROM generate_series(1, 40) g",
    ),
    "two columns": (
        TWO,
        (
            Partition("t_1", start=("MINVALUE", "MINVALUE"), end=("5", "3")),
            Partition("t_2", start=("5", "3"), end=("5", "MAXVALUE")),
            Partition("t_3", start=("5", "MAXVALUE"), end=("12", "MINVALUE")),
            Partition("t_4", start=("12", "MINVALUE"), end=("MAXVALUE", "MAXVALUE")),
        ),
        "INSERT INTO t SELECT g % 15, g % 7, 'x' FROM generate_series(1, 200) g",
    ),
    "list with NULL and DEFAULT": (
        LIST,
        (
            Partition("t_ab", values=("'a'", "'b'")),
            Partition("t_null", values=("NULL", "'c'")),
            Partition("t_rest", default=True),
        ),
        "INSERT INTO t SELECT g, g, (ARRAY['a', 'b', 'c', 'd', NULL])[g % 5 + 1] "
        "FROM generate_series(1, 60) g",
    ),
    "hash": (
        HASH,
        tuple(Partition(f"t_{r}", modulus=3, remainder=r) for r in range(3)),
        "INSERT INTO t SELECT g, g, 'x' FROM generate_series(1, 90) g",
    ),
    "expression and DEFAULT": (
        EXPR,
        (Partition("t_a", values=("'a'",)), Partition("t_other", default=True)),
        "INSERT INTO t SELECT g, g, (ARRAY['a', 'A', 'b', NULL])[g % 4 + 1] "
        "FROM generate_series(1, 40) g",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_bound_s_condition_holds_the_rows_of_its_partition(
    pg: PgCluster, pg_db: str, name: str
) -> None:
    key, parts, rows = CASES[name]
    pg.sql(f"CREATE TABLE t (a integer, b integer, c text) PARTITION BY {key.sql()}", pg_db)
    for part in parts:
        pg.sql(partition_sql("t", part), pg_db)
    pg.sql(rows, pg_db)
    for part in parts:
        condition = bound_condition(key, part, "t", parts)
        counted = pg.sql(
            f"SELECT count(*) FILTER (WHERE {condition}), count(*) FILTER (WHERE "
            f"({condition}) IS NULL), (SELECT count(*) FROM {part.name}), count(*) FROM t",
            pg_db,
        ).strip()
        held, unknown, there, total = map(int, counted.split("|"))
        assert (held, unknown) == (there, 0), (part.name, condition, counted)
        assert 0 < there < total, (part.name, counted)  # each holds some rows, not all


@pytest.mark.parametrize(
    "name", sorted(n for n, (_, parts, _) in CASES.items() if any(p.default for p in parts))
)
def test_a_default_partition_s_condition_as_postgresql_writes_it_holds_its_rows(
    pg: PgCluster, pg_db: str, name: str
) -> None:
    """default_condition (PostgreSQL's form of a DEFAULT partition's constraint, which a
    check of a moved partition holds) holds exactly the DEFAULT partition's rows, NULL
    keys among them, and is never NULL."""
    key, parts, rows = CASES[name]
    pg.sql(f"CREATE TABLE t (a integer, b integer, c text) PARTITION BY {key.sql()}", pg_db)
    for part in parts:
        pg.sql(partition_sql("t", part), pg_db)
    pg.sql(rows, pg_db)
    default = next(p for p in parts if p.default)
    condition = default_condition(key, parts)
    counted = pg.sql(
        f"SELECT count(*) FILTER (WHERE {condition}), count(*) FILTER (WHERE "
        f"({condition}) IS NULL), (SELECT count(*) FROM {default.name}) FROM t",
        pg_db,
    ).strip()
    held, unknown, there = map(int, counted.split("|"))
    assert (held, unknown) == (there, 0), (condition, counted)
    assert there > 0, counted


def _range(start: str, end: str) -> Partition:
    return Partition("p", start=(start,), end=(end,))


@pytest.mark.parametrize(
    ("inner", "outer", "kind", "within"),
    [
        (
            _range("'2025-01-01'", "'2025-04-01'"),
            _range("'2025-01-01'", "'2025-07-01'"),
            "date",
            True,
        ),
        (
            _range("'2025-01-01'", "'2025-07-01'"),
            _range("'2025-01-01'", "'2025-04-01'"),
            "date",
            False,
        ),
        (
            _range("'2024-12-31'", "'2025-04-01'"),
            _range("'2025-01-01'", "'2025-07-01'"),
            "date",
            False,
        ),
        (_range("0", "60"), _range("0", "100"), "integer", True),
        (_range("5", "MAXVALUE"), _range("MINVALUE", "MAXVALUE"), "bigint", True),
        (_range("MINVALUE", "60"), _range("0", "100"), "integer", False),
        (_range("9", "10"), _range("10", "100"), "integer", False),  # not compared as text
        (_range("'2.5'", "'3.25'"), _range("'2.5'", "'10'"), "numeric", True),
        (
            _range("'2025-01-01 00:00+00'", "'2025-02-01 00:00+00'"),
            _range("'2025-01-01 01:00+01'", "'2025-03-01 00:00+00'"),
            "timestamptz",
            True,
        ),
        # a timestamptz bound without an offset is read in the session's time zone
        (
            _range("'2025-01-02'", "'2025-02-01'"),
            _range("'2025-01-01'", "'2025-03-01'"),
            "timestamptz",
            False,
        ),
        # text orders by collation, which is the database's to say
        (_range("'b'", "'c'"), _range("'a'", "'d'"), "text", False),
        (_range("'b'", "'c'"), _range("'a'", "'d'"), None, False),
        (
            Partition("p", values=("1", "NULL")),
            Partition("p", values=("NULL", "1", "2")),
            "integer",
            True,
        ),
        (Partition("p", values=("1", "3")), Partition("p", values=("1", "2")), "integer", False),
        (
            Partition("p", start=("1", "2"), end=("1", "3")),
            Partition("p", start=("1", "0"), end=("2", "0")),
            None,
            False,
        ),
    ],
)
def test_a_bound_is_within_another_only_where_it_is_known_to_be(
    inner: Partition, outer: Partition, kind: str | None, within: bool
) -> None:
    """bound_within says yes only where every row of the inner bound is in the outer one,
    compared by the key's kind (never as text), and no where that is not known."""
    assert bound_within(inner, outer, kind) is within
