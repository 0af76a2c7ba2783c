"""A partition dropped from a table that a foreign key of another table references,
where PostgreSQL detaches it CONCURRENTLY (the table has no DEFAULT partition): the
drops revision detaches it outside a transaction (SHARE UPDATE EXCLUSIVE on payments:
writes go on) and drops it. PostgreSQL checks the key at the detach: where no row
references one of its rows it goes, its rows with it, every other row and refund
stays; where one does, the revision stops before the detach with a message that
names the declared key, its table and what to do, nothing changed, and runs again
once the rows are fixed. The same check stops the drop in the main transaction (a
DEFAULT partition beside it), which then rolls back whole."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from migration_harness import (
    Case,
    alembic,
    assert_matches_models,
    index_statements,
    live_findings,
    offline_sql,
    revisions,
)
from pgcluster import PgCluster
from revision_steps import at_first_revision

BEFORE = """\
database:
  name: shop
entities:
  Payment:
    primary_key: [id, paid_on]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      amount: {type: integer}
    partition_by: {range: [paid_on]}
    partitions:
      payments_2025: {from: "2025-01-01", to: "2026-01-01"}
      payments_2026: {from: "2026-01-01", to: "2027-01-01"}
  Refund:
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, nullable: true}
      payment_id: {type: bigint, nullable: true}
    foreign_keys:
      fk_refunds_payment:
        columns: [payment_id, paid_on]
        references: Payment
"""
AFTER = BEFORE.replace('      payments_2025: {from: "2025-01-01", to: "2026-01-01"}\n', "")

#: payments over both years, 1,200 of them; refunds of 2026's, repeated, some NULL
ROWS = (
    "INSERT INTO payments SELECT g, date '2025-02-01' + g % 690, g % 97 "
    "FROM generate_series(1, 1200) g;"
    "INSERT INTO refunds SELECT g, CASE WHEN g % 9 = 0 THEN NULL ELSE p.paid_on END, "
    "CASE WHEN g % 9 = 0 THEN NULL ELSE p.id END FROM generate_series(1, 150) g "
    "JOIN payments p ON p.id = 1 + (g * 13) % 1200 AND p.paid_on >= '2026-01-01'"
)
COUNTS = (
    "SELECT (SELECT count(*) FROM payments), (SELECT sum(amount) FROM payments), "
    "(SELECT count(*) FROM refunds), (SELECT count(payment_id) FROM refunds), "
    "(SELECT string_agg(inhrelid::regclass::text || ':' || inhdetachpending, ',' "
    "ORDER BY inhrelid::regclass::text) "
    "FROM pg_inherits WHERE inhparent = 'payments'::regclass)"
)


def _outside_a_transaction(sql: str) -> list[str]:
    """The offline SQL's statements run outside BEGIN ... COMMIT (but SET)."""
    found, inside = [], False
    for statement in (s.strip() for s in sql.split(";\n") if s.strip()):
        lines = [ln for ln in statement.splitlines() if not ln.startswith("--")]
        statement = "\n".join(lines).strip()
        if statement in ("BEGIN", "COMMIT"):
            inside = statement == "BEGIN"
        elif not inside and not statement.startswith("SET "):
            found.append(statement)
    return found


#: a refund of a payment of 2025, which the drop of payments_2025 would leave dangling
DANGLING = "INSERT INTO refunds VALUES (1000, '2025-02-08', 7), (1001, '2025-02-08', 7)"


def _first(pg: PgCluster, tmp_path: Path) -> tuple[Path, str, str, Path]:
    case = Case("detach referenced", {"schema.yaml": BEFORE}, {"schema.yaml": AFTER},
                destructive=True)
    first = at_first_revision(pg, case, tmp_path, ROWS)
    names = [p.name for p in revisions(first.root)]
    assert names == ["000_before.py", "001_after_drops.py"], names
    return first.root, first.db, first.url, first.models_after


def test_the_drops_revision_detaches_it_concurrently_where_no_row_references_it(
    pg: PgCluster, tmp_path: Path
) -> None:
    root, db, url, models = _first(pg, tmp_path)
    sql = offline_sql(root, "000:001")
    # the check, the FINALIZE of a detach left pending, the detach and the drop
    expected = [
        "DO $schemagen$ DECLARE n bigint; BEGIN IF to_regclass('payments_2025') IS NOT NULL "
        "THEN SELECT count(*) INTO n FROM refunds k JOIN payments_2025 p ON k.payment_id = "
        "p.id AND k.paid_on = p.paid_on; IF n > 0",
        "DO $schemagen$ BEGIN IF EXISTS (SELECT FROM pg_inherits",
        "ALTER TABLE payments DETACH PARTITION payments_2025 CONCURRENTLY",
        "DROP TABLE IF EXISTS payments_2025",
    ]
    outside = _outside_a_transaction(sql)
    assert [s[: len(e)] for s, e in zip(outside, expected, strict=True)] == expected, sql
    assert "foreign key fk_refunds_payment of refunds" in sql
    assert index_statements(sql, "DROP") == {}
    assert pg.sql(COUNTS, db).split() == [
        "1200|56538|69|61|payments_2025:false,payments_2026:false"
    ]
    alembic(root, url, "upgrade", "head")
    # 2025's payments went with their partition; 2026's and every refund stay
    assert pg.sql(COUNTS, db).split() == ["533|26323|69|61|payments_2026:false"]
    assert_matches_models(pg, db, models, [], "head")
    assert live_findings(root, url) == []
    alembic(root, url, "downgrade", "000")
    assert pg.sql(COUNTS, db).split() == [
        "533|26323|69|61|payments_2025:false,payments_2026:false"
    ]


def test_a_row_referencing_it_stops_the_drop_before_the_detach_and_names_the_key(
    pg: PgCluster, tmp_path: Path
) -> None:
    """PostgreSQL refuses the detach naming the key's copy for the partition
    (refunds_payment_id_paid_on_fkey), a key the schema does not declare: the revision
    stops before it, saying which declared key of which table and what to do; the
    partition is still attached, no row lost; once those refunds are gone, the same
    upgrade runs."""
    root, db, url, _ = _first(pg, tmp_path)
    pg.sql(DANGLING, db)
    before = pg.sql(COUNTS, db).split()
    assert before == ["1200|56538|71|63|payments_2025:false,payments_2026:false"]
    with pytest.raises(Exception) as failed:
        alembic(root, url, "upgrade", "head")
    error = failed.value.__cause__ or failed.value
    assert isinstance(error, psycopg.errors.ForeignKeyViolation), repr(failed.value)
    message = str(error).splitlines()[0]
    assert message == (
        "partition payments_2025 of payments cannot be dropped: foreign key "
        "fk_refunds_payment of refunds references rows of it (2 of them), and PostgreSQL "
        "detaches no partition whose rows a foreign key references; it is still attached, "
        "its rows kept: delete those rows or point them elsewhere (or drop the foreign key "
        "from the schema in a revision before this one), then run the migration again"
    ), message
    assert pg.sql(COUNTS, db).split() == before
    assert pg.sql("SELECT version_num FROM alembic_version", db).split() == ["000"]
    pg.sql("DELETE FROM refunds WHERE id >= 1000", db)
    alembic(root, url, "upgrade", "head")
    assert pg.sql(COUNTS, db).split() == ["533|26323|69|61|payments_2026:false"]


#: with a DEFAULT partition beside it PostgreSQL detaches none CONCURRENTLY: the drop
#: is in the main transaction, detached first (b5fd6c9), checked first the same way
WITH_DEFAULT = BEFORE.replace(
    '      payments_2026: {from: "2026-01-01", to: "2027-01-01"}\n',
    '      payments_2026: {from: "2026-01-01", to: "2027-01-01"}\n'
    "      payments_other: {default: true}\n",
)


def test_in_the_main_transaction_a_row_referencing_it_rolls_the_revision_back(
    pg: PgCluster, tmp_path: Path
) -> None:
    year = '      payments_2025: {from: "2025-01-01", to: "2026-01-01"}\n'
    after = WITH_DEFAULT.replace(year, "")
    case = Case("drop referenced", {"schema.yaml": WITH_DEFAULT}, {"schema.yaml": after},
                destructive=True)
    first = at_first_revision(pg, case, tmp_path, ROWS + "; " + DANGLING)
    # the online revision drops the check its downgrade makes ahead of making the
    # partition again beside the DEFAULT one
    assert [p.name for p in revisions(first.root)] == [
        "000_before.py",
        "001_after.py",
        "002_after_online.py",
    ]
    before = pg.sql(COUNTS, first.db).split()
    assert before == [
        "1200|56538|71|63|payments_2025:false,payments_2026:false,payments_other:false"
    ]
    with pytest.raises(Exception) as failed:
        alembic(first.root, first.url, "upgrade", "head")
    error = failed.value.__cause__ or failed.value
    assert isinstance(error, psycopg.errors.ForeignKeyViolation), repr(failed.value)
    assert str(error).startswith(
        "partition payments_2025 of payments cannot be dropped: foreign key "
        "fk_refunds_payment of refunds references rows of it (2 of them)"
    ), str(error)
    assert pg.sql(COUNTS, first.db).split() == before
    assert pg.sql("SELECT version_num FROM alembic_version", first.db).split() == ["000"]
    pg.sql("DELETE FROM refunds WHERE id >= 1000", first.db)
    alembic(first.root, first.url, "upgrade", "head")
    assert pg.sql(COUNTS, first.db).split() == [
        "533|26323|69|61|payments_2026:false,payments_other:false"
    ]
