"""Foreign keys left NOT VALID on purpose: ``validated: false`` on a column's
``references:`` or a ``foreign_keys:`` entry. Its mistakes are located errors,
exit 2, nothing written: a value that is no boolean, ``validated`` on a column
without ``references``, and ``validated: false`` on a partitioned table's key
(PostgreSQL refuses it). (The migration is corpus 137, check --database
tests/live/test_check_live_not_valid_keys.py.)"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from build_refusal import assert_build_refuses
from fixtures.language.helpers import issues_of
from pgcluster import PgCluster

GOOD = """
entities:
  Customer:
    columns:
      id: {type: bigint, primary_key: true}
  Agent:
    columns:
      id: {type: bigint, primary_key: true}
  Order:
    columns:
      id: {type: bigint, primary_key: true}
      customer_id: {references: Customer, nullable: true, index: true, validated: false}
      agent_id: {references: Agent, nullable: true, index: true, validated: true}
      other_id: {type: bigint, nullable: true, index: true}
    foreign_keys:
      fk_orders_other: {columns: [other_id], references: Customer, validated: false}
"""

BAD = """
entities:
  Customer:
    columns:
      id: {type: bigint, primary_key: true}
  Order:
    columns:
      id: {type: bigint, primary_key: true}
      customer_id: {references: Customer, nullable: true, validated: "no"}
      other_id: {type: bigint, nullable: true}
    foreign_keys:
      fk_orders_other: {columns: [other_id], references: Customer, validated: 0}
"""

# (read once the values are of the right kinds)
BAD_USE = """
entities:
  Customer:
    columns:
      id: {type: bigint, primary_key: true}
  Order:
    columns:
      id: {type: bigint, primary_key: true}
      note: {type: text, validated: false}
  Event:
    columns:
      id: {type: bigint, primary_key: true}
      at: {type: date, primary_key: true}
      customer_id: {references: Customer, validated: false}
      other_id: {type: bigint}
    partition_by: {range: [at]}
    foreign_keys:
      fk_events_other: {columns: [other_id], references: Customer, validated: false}
"""


def test_validated_is_accepted_on_both_forms(tmp_path: Path) -> None:
    assert issues_of(tmp_path, {"s.yaml": GOOD}) == []


def test_its_mistakes_are_located(tmp_path: Path) -> None:
    assert issues_of(tmp_path, {"s.yaml": BAD}) == [
        "schema/s.yaml:8:59: entities.Order.columns.customer_id.validated: expected true or "
        "false, got 'no'",
        "schema/s.yaml:11:68: entities.Order.foreign_keys.fk_orders_other.validated: expected "
        "true or false, got the number 0",
    ]
    assert issues_of(tmp_path, {"s.yaml": BAD_USE}) == [
        "schema/s.yaml:8:26: entities.Order.columns.note.validated: `validated` needs "
        "`references` (a foreign key)",
        "schema/s.yaml:13:43: entities.Event.columns.customer_id.validated: foreign key "
        "fk_events_customer_id_customers of partitioned table events cannot be left NOT VALID "
        "(PostgreSQL refuses NOT VALID on a partitioned table's key): declare it validated "
        "(leave validated: out)",
        "schema/s.yaml:17:68: entities.Event.foreign_keys.fk_events_other.validated: foreign "
        "key fk_events_other of partitioned table events cannot be left NOT VALID (PostgreSQL "
        "refuses NOT VALID on a partitioned table's key): declare it validated (leave "
        "validated: out)",
    ]


def test_build_refuses_them_exit_2_nothing_written(tmp_path: Path) -> None:
    for n, (bad, where) in enumerate(
        (
            (BAD, "schema/s.yaml:11:59: entities.Order.columns.customer_id.validated: "),
            (BAD_USE, "schema/s.yaml:20:68: entities.Event.foreign_keys.fk_events_other."),
        )
    ):
        assert_build_refuses(tmp_path / f"p{n}", bad, where)


def test_postgresql_refuses_a_partitioned_tables_key_not_valid(pg: PgCluster) -> None:
    name = pg.create_database("notvalidpartkey")
    pg.sql(
        "CREATE TABLE customers (id bigint PRIMARY KEY);"
        "CREATE TABLE events (id bigint, at date, customer_id bigint,"
        " PRIMARY KEY (id, at)) PARTITION BY RANGE (at);"
        "CREATE TABLE events_all PARTITION OF events DEFAULT;"
        "INSERT INTO customers VALUES (1);"
        "INSERT INTO events VALUES (1, '2020-01-01', 1), (2, '2020-01-01', NULL),"
        " (3, '2020-01-01', 1)",
        name,
    )
    with pytest.raises(subprocess.CalledProcessError) as refused:
        pg.sql(
            "ALTER TABLE events ADD CONSTRAINT fk_events_customer_id_customers FOREIGN KEY"
            " (customer_id) REFERENCES customers (id) NOT VALID",
            name,
        )
    assert "cannot add NOT VALID foreign key on partitioned table" in str(refused.value.stderr)
