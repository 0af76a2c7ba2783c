"""A date or time kept off a constant (``valid_from <> '2025-03-01'``), NOT NULL and
without a default, was refused ('check not_march_first ... has a shape seed cannot
satisfy (avoiding '2025-03-01')'). Seed now writes the nearest date no check
forbids where it makes a forbidden one: a day later, or earlier where the bounds
end there, and on past another forbidden one; a unique column's takes the date
seed makes for a row past every row, so it stays distinct."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
entities:
  Price:
    table: prices
    columns:
      id: {type: integer, primary_key: true}
      amount: {type: integer, nullable: true}
      valid_from: {type: date}
      day: {type: date, unique: true}
    checks:
      amount_positive: "amount > 0"
      in_q1: "valid_from BETWEEN '2025-01-01' AND '2025-03-01'"
      not_march_first: "valid_from <> '2025-03-01'"
      not_feb_last: "valid_from <> '2025-02-28'"
      day_apart: "day <> '2025-01-05' AND day <> '2025-01-06'"
"""


def test_dates_are_written_off_the_constants(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there: a NULL amount, a date twice
            "INSERT INTO prices VALUES (1, NULL, '2025-01-01', '2024-01-01'),"
            " (2, 5, '2025-01-01', '2024-01-02'), (3, 5, '2025-02-01', '2024-01-03')"
        )
        conn.commit()
        seed_connection(conn, schema, rows=2000, seed=1, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(amount), count(DISTINCT day),"
            " count(*) FILTER (WHERE valid_from IN ('2025-03-01', '2025-02-28')),"
            " count(*) FILTER (WHERE valid_from = '2025-02-27'),"
            " count(*) FILTER (WHERE valid_from = '2025-02-26'),"
            " min(valid_from), max(valid_from) FROM prices"
        ).fetchone()
    assert row is not None
    total, amounts, days, forbidden, moved_to, beside, first, last = row
    assert (total, days, forbidden) == (2003, 2003, 0) and 0 < amounts < total
    assert str(first) == "2025-01-01" and str(last) == "2025-02-27"
    # the rows of the two forbidden days went to the day before them both
    assert moved_to > 1.5 * beside
