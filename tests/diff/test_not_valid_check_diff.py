"""Plans for checks left NOT VALID on purpose (``validated: false``): added so, they
are never validated; false -> true is VALIDATE alone (no swap); true -> false is the
swap NOT VALID without VALIDATE (PostgreSQL cannot unvalidate a constraint, and the
rows are not touched); each plan's reverse goes back, and apply(old, plan) is the new
schema. (On PostgreSQL, with rows that break the checks: corpus 134.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_round_trip import round_trip_plan
from schemagen.diff.compare import diff
from schemagen.diff.snapshot import ddl_view, same_ddl
from schemagen.operations.costs import steps
from schemagen.operations.plan import apply


def _orders(checks: str) -> str:
    return f"""
entities:
  Order:
    columns:
      id: {{type: bigint, primary_key: true}}
      qty: {{type: integer, nullable: true}}
    checks:
{checks}"""


NONE = _orders('      ck_orders_id: "id > 0"\n')
VALID = _orders('      ck_orders_id: "id > 0"\n      ck_orders_qty: "qty > 0"\n')
NOT_VALID = _orders(
    '      ck_orders_id: "id > 0"\n      ck_orders_qty: {expression: "qty > 0", validated: false}\n'
)
NOT_VALID_CHANGED = _orders(
    '      ck_orders_id: "id > 0"\n'
    '      ck_orders_qty: {expression: "qty >= 0", validated: false}\n'
)


@pytest.mark.parametrize(
    ("before", "after", "expected", "kinds"),
    [
        (
            NONE,
            NOT_VALID,
            ["+ check ck_orders_qty on orders (NOT VALID, left so: validated: false)"],
            [("add check NOT VALID",)],
        ),
        (
            NOT_VALID,
            VALID,
            [
                "~ check ck_orders_qty on orders: validated (was NOT VALID); VALIDATE checks "
                "the old rows"
            ],
            [("validate constraint",)],
        ),
        (
            VALID,
            NOT_VALID,
            [
                "~ check ck_orders_qty on orders: NOT VALID (was validated); swapped NOT VALID "
                "in one statement, left NOT VALID (validated: false)"
            ],
            [("swap check NOT VALID",)],
        ),
        (
            NOT_VALID,
            NOT_VALID_CHANGED,
            [
                "~ check ck_orders_qty on orders: (qty >= 0) (was (qty > 0)); swapped NOT VALID "
                "in one statement, left NOT VALID (validated: false)"
            ],
            [("swap check NOT VALID",)],
        ),
    ],
)
def test_not_valid_check_plans(
    tmp_path: Path, before: str, after: str, expected: list[str], kinds: list[tuple[str, ...]]
) -> None:
    old, new, plan = round_trip_plan(tmp_path, before, after)
    assert plan.describe() == expected
    assert [steps(op) for op in plan.operations] == kinds
    back = diff(new, old)
    assert same_ddl(apply(ddl_view(new), back), old)
