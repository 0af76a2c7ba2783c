"""Plans for foreign keys left NOT VALID on purpose (``validated: false``): added
so, they are never validated; false -> true is VALIDATE alone (no swap); true ->
false is the swap NOT VALID without VALIDATE (PostgreSQL cannot unvalidate a
constraint, and the rows are not touched); a NOT VALID key whose action changes is
swapped and left so; each plan's reverse goes back, and apply(old, plan) is the new
schema. (On PostgreSQL, with orphan rows: corpus 137.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_round_trip import round_trip_plan
from schemagen.diff.compare import diff
from schemagen.diff.snapshot import ddl_view, same_ddl
from schemagen.operations.costs import steps
from schemagen.operations.plan import apply


def _orders(customer: str) -> str:
    return f"""
entities:
  Customer:
    columns:
      id: {{type: bigint, primary_key: true}}
  Order:
    columns:
      id: {{type: bigint, primary_key: true}}
      customer_id: {{{customer}nullable: true, index: true}}
"""


NONE = _orders("type: bigint, ")
VALID = _orders("references: Customer, ")
NOT_VALID = _orders("references: Customer, validated: false, ")
NOT_VALID_CASCADE = _orders("references: Customer, on_delete: cascade, validated: false, ")
KEY = "~ foreign key fk_orders_customer_id_customers on orders"


@pytest.mark.parametrize(
    ("before", "after", "expected", "kinds"),
    [
        (
            NONE,
            NOT_VALID,
            [
                "+ foreign key fk_orders_customer_id_customers on orders (NOT VALID, left so: "
                "validated: false)"
            ],
            [("add foreign key NOT VALID",)],
        ),
        (
            NOT_VALID,
            VALID,
            [f"{KEY}: validated (was NOT VALID); VALIDATE checks the old rows"],
            [("validate constraint",)],
        ),
        (
            VALID,
            NOT_VALID,
            [
                f"{KEY}: NOT VALID (was validated); swapped NOT VALID in one statement, left "
                "NOT VALID (validated: false)"
            ],
            [("swap foreign key NOT VALID",)],
        ),
        (
            NOT_VALID,
            NOT_VALID_CASCADE,
            [
                f"{KEY}: ON DELETE CASCADE (was NO ACTION); swapped NOT VALID in one "
                "statement, left NOT VALID (validated: false)"
            ],
            [("swap foreign key NOT VALID",)],
        ),
    ],
)
def test_not_valid_key_plans(
    tmp_path: Path, before: str, after: str, expected: list[str], kinds: list[tuple[str, ...]]
) -> None:
    old, new, plan = round_trip_plan(tmp_path, before, after)
    assert plan.describe() == expected
    assert [steps(op) for op in plan.operations] == kinds
    back = diff(new, old)
    assert same_ddl(apply(ddl_view(new), back), old)
