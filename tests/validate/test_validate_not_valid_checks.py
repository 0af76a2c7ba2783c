"""Checks left NOT VALID on purpose: ``{expression: ..., validated: false}`` beside
the plain ``name: expression``. The form's mistakes are located errors, exit 2,
nothing written; so is ``validated: false`` on a partitioned table. (The migration
is corpus 134, check --database tests/live/test_check_live_not_valid_checks.py.)"""

from __future__ import annotations

from pathlib import Path

from build_refusal import assert_build_refuses
from fixtures.language.helpers import issues_of

GOOD = """
entities:
  Order:
    columns:
      id: {type: bigint, primary_key: true}
      qty: {type: integer, nullable: true}
    checks:
      ck_orders_qty: {expression: "qty > 0", validated: false}
      ck_orders_small: {expression: "qty < 1000", validated: true}
      ck_orders_plain: "qty <> 13"
"""

BAD = """
entities:
  Order:
    columns:
      id: {type: bigint, primary_key: true}
      qty: {type: integer, nullable: true}
    checks:
      ck_orders_no_expression: {validated: false}
      ck_orders_word: {expression: "qty > 0", validated: "no"}
      ck_orders_other_key: {expression: "qty > 0", valid: false}
      ck_orders_column: {expression: "amount > 0", validated: false}
      ck_orders_blank: {expression: " ", validated: false}
  Event:
    columns:
      id: {type: bigint, primary_key: true}
      at: {type: date, primary_key: true}
    partition_by: {range: [at]}
    checks:
      ck_events_at: {expression: "at > '2000-01-01'", validated: false}
"""


def test_the_mapping_form_is_accepted(tmp_path: Path) -> None:
    assert issues_of(tmp_path, {"s.yaml": GOOD}) == []


def test_its_mistakes_are_located(tmp_path: Path) -> None:
    assert issues_of(tmp_path, {"s.yaml": BAD}) == [
        "schema/s.yaml:7:7: entities.Order.checks.ck_orders_no_expression: missing required "
        "key 'expression'",
        "schema/s.yaml:8:47: entities.Order.checks.ck_orders_word.validated: expected true or "
        "false, got 'no'",
        "schema/s.yaml:9:52: entities.Order.checks.ck_orders_other_key.valid: unknown key "
        "'valid' (did you mean 'validated'?)",
        "schema/s.yaml:10:26: entities.Order.checks.ck_orders_column.expression: unknown "
        "column 'amount'",
        "schema/s.yaml:11:7: entities.Order.checks.ck_orders_blank: check constraint "
        "ck_orders_blank has an empty expression",
        "schema/s.yaml:18:55: entities.Event.checks.ck_events_at.validated: check ck_events_at "
        "of partitioned table events cannot be left NOT VALID here: declare it validated "
        "(leave validated: out)",
    ]


def test_build_refuses_them_exit_2_nothing_written(tmp_path: Path) -> None:
    assert_build_refuses(
        tmp_path / "p",
        BAD,
        "schema/s.yaml:21:55: entities.Event.checks.ck_events_at.validated: ",
    )
