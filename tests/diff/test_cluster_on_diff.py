"""Plans for ``cluster_on:``: one ``ALTER TABLE ... CLUSTER ON`` (or ``SET WITHOUT
CLUSTER``) per change, after the index it names exists; a mark whose index the plan
drops or rebuilds is cleared first (in the drops revision when the index is dropped
concurrently there), and one naming an index built concurrently is set in the online
revision after it. Each plan's reverse goes back, ``apply(old, plan)`` is the new
schema, and ``reverse().reverse()`` is the operation; the lock is SHARE UPDATE
EXCLUSIVE, no scan (measured in tests/operations/test_costs.py). (On PostgreSQL,
with rows: corpus 146.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.language.helpers import schema_of
from plan_round_trip import round_trip_plan
from schemagen.diff.compare import diff
from schemagen.diff.snapshot import ddl_view, same_ddl
from schemagen.operations.clustering import SetClusterOn
from schemagen.operations.costs import cost_line
from schemagen.operations.plan import apply
from schemagen.operations.stages import kind_of
from schemagen.revision.render import execute, render_operation
from schemagen.revision.script import render_body  # noqa: F401  (registers the renderers)


def _orders(mark: str | None, index: str = "[code]") -> str:
    indexes = f"    indexes:\n      ix_orders_code: {{columns: {index}}}\n" if index else ""
    return f"""
entities:
  Order:
    columns:
      id: {{type: bigint, primary_key: true}}
      code: {{type: text, nullable: true}}
{indexes}{f"    cluster_on: {mark}" if mark else ""}
"""


NONE = _orders(None)
BY_INDEX = _orders("ix_orders_code")
BY_KEY = _orders("pk_orders")
REBUILT = _orders("ix_orders_code", "[code, id]")
NO_INDEX = _orders(None, "")
KEY_NO_INDEX = _orders("pk_orders", "")
C = "table orders cluster"


@pytest.mark.parametrize(
    ("before", "after", "expected", "stages"),
    [
        (NONE, BY_INDEX, [f"+ {C} on ix_orders_code (was none)"], ["main"]),
        (BY_INDEX, NONE, [f"- {C} none (was on ix_orders_code)"], ["main"]),
        (
            BY_KEY,
            BY_INDEX,
            [f"- {C} none (was on pk_orders)", f"+ {C} on ix_orders_code (was none)"],
            ["main", "main"],
        ),
        (
            BY_INDEX,
            KEY_NO_INDEX,
            [
                f"- {C} none (was on ix_orders_code)",
                "- index ix_orders_code on orders (concurrently)",
                f"+ {C} on pk_orders (was none)",
            ],
            ["drops", "drops", "main"],
        ),
        (
            BY_INDEX,
            REBUILT,
            [
                f"- {C} none (was on ix_orders_code)",
                "- index ix_orders_code on orders (concurrently)",
                "+ index ix_orders_code on orders (concurrently)",
                f"+ {C} on ix_orders_code (was none)",
            ],
            ["drops", "drops", "online", "online"],
        ),
        (
            NO_INDEX,
            BY_INDEX,
            [
                "+ index ix_orders_code on orders (concurrently)",
                f"+ {C} on ix_orders_code (was none)",
            ],
            ["online", "online"],
        ),
    ],
)
def test_cluster_on_plans(
    tmp_path: Path, before: str, after: str, expected: list[str], stages: list[str]
) -> None:
    old, new, plan = round_trip_plan(tmp_path, before, after)
    assert plan.describe() == expected
    assert [kind_of(op) for op in plan.operations] == stages
    for op in plan.operations:
        assert op.reverse().reverse() == op
        if isinstance(op, SetClusterOn):
            outside = ", outside a transaction" if op.stage != "main" else ""
            assert cost_line(op) == f"lock SHARE UPDATE EXCLUSIVE, no scan{outside}"
    assert same_ddl(apply(ddl_view(new), diff(new, old)), old)


def test_the_statements_set_and_clear_the_mark(tmp_path: Path) -> None:
    old, new, plan = round_trip_plan(tmp_path, BY_KEY, BY_INDEX)
    clear, mark = plan.operations
    assert render_operation(clear, old) == [execute("ALTER TABLE orders SET WITHOUT CLUSTER")]
    assert render_operation(mark, old) == [
        execute("ALTER TABLE orders CLUSTER ON ix_orders_code")
    ]


def test_a_new_table_s_mark_is_set_after_it_and_a_dropped_one_s_cleared_before(
    tmp_path: Path,
) -> None:
    empty = schema_of(tmp_path / "e", {"s.yaml": "entities: {}\n"})
    table = schema_of(tmp_path / "t", {"s.yaml": BY_INDEX})
    assert diff(empty, table).describe() == [
        "+ table orders",
        f"+ {C} on ix_orders_code (was none)",
    ]
    assert diff(table, empty).describe() == [
        f"- {C} none (was on ix_orders_code)",
        "- table orders",
    ]


def test_a_renamed_table_keeps_its_mark_under_its_new_name(tmp_path: Path) -> None:
    renamed = BY_INDEX.replace("  Order:\n", "  Purchase:\n    renamed_from: Order\n")
    _, _, plan = round_trip_plan(tmp_path, BY_INDEX, renamed)
    assert plan.describe()[0] == f"- {C} none (was on ix_orders_code)"
    assert plan.describe()[-1] == "+ table purchases cluster on ix_orders_code (was none)"


def test_a_mark_on_a_key_renamed_with_its_table_follows_the_new_name(tmp_path: Path) -> None:
    renamed = BY_KEY.replace("  Order:\n", "  Purchase:\n    renamed_from: Order\n").replace(
        "cluster_on: pk_orders", "cluster_on: pk_purchases"
    )
    _, _, plan = round_trip_plan(tmp_path, BY_KEY, renamed)
    assert plan.describe() == [
        f"- {C} none (was on pk_orders)",
        "~ table orders renamed to purchases",
        "~ primary key pk_orders renamed to pk_purchases on purchases",
        "+ table purchases cluster on pk_purchases (was none)",
    ]
