"""A foreign key that references a partitioned table: PostgreSQL adds a copy of it
for each partition the table has (``refunds_paid_on_ref_fkey`` on refunds, pointing
at the partition payments_2026; ``conparentid`` names the declared key). Neither
``alembic check`` (the generated env.py), the corpus' ``compare_metadata`` nor
``check --database`` may take those copies for keys the schema lacks: on a database
migrated to the schema, each reports nothing. The key here is the one that keeps
a partitioned table's new unique in the main transaction (a new table's key
needs it at once, so it is not built partition by partition online)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from migration_harness import (
    Case,
    alembic,
    alembic_config,
    assert_matches_models,
    live_findings,
    project_env,
    revisions,
)
from pgcluster import PgCluster
from revision_steps import at_first_revision

PAYMENTS = """\
database:
  name: shop
entities:
  Payment:
    primary_key: [id, paid_on]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      ref: {type: text, nullable: true}
%s    partition_by: {range: [paid_on]}
    partitions:
      payments_2026: {from: "2026-01-01", to: "2027-01-01"}
      payments_2027: {from: "2027-01-01", to: "2028-01-01"}
      payments_other: {default: true}
"""
#: payments gains a unique that refunds, a new table, references (and its key)
REFUNDS = PAYMENTS % "    unique:\n      uq_payments_ref: [paid_on, ref]\n" + """\
  Refund:
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date}
      payment_id: {type: bigint}
      ref: {type: text, nullable: true}
    foreign_keys:
      fk_refunds_payment:
        columns: [payment_id, paid_on]
        references: Payment
      fk_refunds_payment_ref:
        columns: [paid_on, ref]
        references: Payment
        ref_columns: [paid_on, ref]
"""
#: payments in every partition, NULL refs repeated on a day
ROWS = (
    "INSERT INTO payments VALUES (1, '2026-03-01', 'r1'), (2, '2026-03-01', NULL), "
    "(3, '2026-03-01', NULL), (4, '2027-05-01', 'r1'), (5, '2029-01-01', NULL)"
)
#: the copies PostgreSQL made of the foreign keys: (key, the partition it points at)
COPIES = (
    "SELECT string_agg(c.conname || ' ' || c.confrelid::regclass::text, ', ' "
    "ORDER BY c.conname, c.confrelid::regclass::text) FROM pg_constraint c "
    "WHERE c.conrelid = 'refunds'::regclass AND c.conparentid <> 0"
)


@pytest.fixture
def migrated(pg: PgCluster, tmp_path: Path) -> tuple[Path, str, str, Path]:
    """(project, database, url, models at head): payments with rows at 000, then head,
    refunds referencing payments in each partition."""
    case = Case("fk_to_partitioned", {"schema.yaml": PAYMENTS % ""}, {"schema.yaml": REFUNDS})
    first = at_first_revision(pg, case, tmp_path, ROWS)
    alembic(first.root, first.url, "upgrade", "head")
    pg.sql(
        "INSERT INTO refunds VALUES (1, '2026-03-01', 1, 'r1'), (2, '2026-03-01', 2, NULL), "
        "(3, '2027-05-01', 4, NULL), (4, '2029-01-01', 5, NULL)",
        first.db,
    )
    return first.root, first.db, first.url, first.models_after


def test_the_partition_copies_of_a_key_are_no_drift(
    pg: PgCluster, migrated: tuple[Path, str, str, Path]
) -> None:
    root, db, url, models = migrated
    assert len(revisions(root)) >= 2
    # PostgreSQL's copies are there: one per key and partition
    copies = pg.sql(COPIES, db).strip().split(", ")
    assert len(copies) == 6, copies
    assert any(c.endswith(" payments_2026") for c in copies), copies
    # the corpus' proof: dump equal to create_all's, compare_metadata finds nothing
    assert_matches_models(pg, db, models, [], "head")
    # alembic check, through the generated env.py
    with project_env(root, url):
        command.check(alembic_config(root))
    # check --database
    assert live_findings(root, url) == []
    assert pg.sql("SELECT count(*) FROM refunds", db).strip() == "4"


#: payments_2027 goes (destructive): the table has a DEFAULT partition, so the drop is
#: in the main transaction (PostgreSQL detaches no partition CONCURRENTLY beside one)
WITHOUT_2027 = REFUNDS.replace(
    '      payments_2027: {from: "2027-01-01", to: "2028-01-01"}\n', ""
)


def test_a_partition_of_a_referenced_table_is_dropped_in_the_transaction(
    pg: PgCluster, tmp_path: Path
) -> None:
    """PostgreSQL drops no partition of a table a foreign key references ('cannot drop
    table payments_2027 because other objects depend on it': the key's copy for it):
    the drop in the main transaction detaches it first, which the key allows where no
    row references it; its rows go, the others and every refund stay; the downgrade
    makes it again, empty."""
    case = Case(
        "drop referenced",
        {"schema.yaml": REFUNDS},
        {"schema.yaml": WITHOUT_2027},
        destructive=True,
    )
    first = at_first_revision(pg, case, tmp_path, ROWS)
    # refunds of 2026's and the DEFAULT partition's payments, repeated, NULL refs
    pg.sql(
        "INSERT INTO refunds SELECT g, CASE WHEN g % 3 = 0 THEN '2029-01-01'::date ELSE "
        "'2026-03-01' END, CASE WHEN g % 3 = 0 THEN 5 ELSE 1 + g % 2 END, CASE WHEN "
        "g % 3 <> 0 AND g % 4 = 0 THEN 'r1' END FROM generate_series(1, 30) g "
        "WHERE g % 3 = 0 OR g % 2 = 0",
        first.db,
    )
    refunds = "SELECT count(*), count(ref), count(DISTINCT payment_id) FROM refunds"
    kept = pg.sql(refunds, first.db).strip()
    alembic(first.root, first.url, "upgrade", "head")
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert pg.sql(refunds, first.db).strip() == kept
    payments = (
        "SELECT string_agg(format('%s=%s', tableoid::regclass, id), ' ' ORDER BY id) "
        "FROM payments"
    )
    assert pg.sql(payments, first.db).strip() == (
        "payments_2026=1 payments_2026=2 payments_2026=3 payments_other=5"
    )
    alembic(first.root, first.url, "downgrade", "000")
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert pg.sql(refunds, first.db).strip() == kept
