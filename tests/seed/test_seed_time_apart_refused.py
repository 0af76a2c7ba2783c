"""A unique date kept off a constant within bounds that move its values
(``valid_from >= '2025-02-01' AND valid_from <> '2025-03-01'``) is a shape seed does
not write (the date of a row past the others, which replaces a forbidden one where
no bound moves them, could meet another's: see test_seed_time_apart); on a NOT NULL
column without a default its refusal named the column only ('cannot seed
prices.valid_from: avoiding '2025-03-01''), not the check that asks it. It names
the check, as the other refusals do, and the value generator to give a column it
names; nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
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
      valid_from: {type: date, unique: true}
    checks:
      amount_positive: "amount > 0"
      not_march_first: "valid_from >= '2025-02-01' AND valid_from <> '2025-03-01'"
"""


def test_a_date_apart_from_a_constant_is_refused_naming_the_check(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there: a NULL amount, an amount twice
            "INSERT INTO prices VALUES (1, NULL, '2025-02-01'), (2, 5, '2025-02-02'),"
            " (3, 5, '2025-02-03')"
        )
        conn.commit()
        with pytest.raises(SeedError) as refused:
            seed_connection(conn, schema, rows=100, seed=1, append=True)
        assert conn.execute("SELECT count(*) FROM prices").fetchone() == (3,)
        assert violations(conn, schema) == []
    message = str(refused.value)
    assert (
        "check not_march_first (valid_from >= '2025-02-01' AND valid_from <> '2025-03-01')"
        in message
    )
    assert "entities.Price.columns.valid_from: seed: {sql:" in message
