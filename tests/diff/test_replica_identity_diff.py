"""Plans for ``replica_identity:``: one ``ALTER TABLE ... REPLICA IDENTITY`` per
change, after the index it names exists; an identity that named an index goes back
to DEFAULT first (before the drops and the NOT NULL lifted), in the drops revision
when its index is dropped concurrently there; one naming an index built
concurrently is set in the online revision after it. Each plan's reverse goes
back, ``apply(old, plan)`` is the new schema, and ``reverse().reverse()`` is the
operation. (On PostgreSQL, with rows: corpus 141.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.language.helpers import schema_of
from plan_round_trip import round_trip_plan
from schemagen.diff.compare import diff
from schemagen.diff.snapshot import ddl_view, same_ddl
from schemagen.operations.costs import cost_line
from schemagen.operations.plan import apply
from schemagen.operations.replication import SetReplicaIdentity
from schemagen.operations.stages import kind_of


def _orders(identity: str, *, indexed: bool = True, nullable: str = "") -> str:
    index = "    indexes:\n      ix_orders_code: {columns: [code], unique: true}\n"
    return f"""
entities:
  Order:
    columns:
      id: {{type: bigint, primary_key: true}}
      code: {{type: text{nullable}}}
{index if indexed else ""}    replica_identity: {identity}
"""


DEFAULT = _orders("default")
FULL = _orders("full")
NOTHING = _orders("nothing")
BY_INDEX = _orders("{index: ix_orders_code}")
FULL_NO_INDEX = _orders("full", indexed=False)
FULL_NULLABLE = _orders("full", nullable=", nullable: true")
DEFAULT_NO_INDEX = _orders("default", indexed=False)
RI = "table orders replica identity"


@pytest.mark.parametrize(
    ("before", "after", "expected", "stages"),
    [
        (DEFAULT, FULL, [f"+ {RI} full (was default)"], ["main"]),
        (FULL, NOTHING, [f"~ {RI} nothing (was full)"], ["main"]),
        (FULL, DEFAULT, [f"- {RI} default (was full)"], ["main"]),
        (
            BY_INDEX,
            FULL,
            [f"- {RI} default (was using index ix_orders_code)", f"+ {RI} full (was default)"],
            ["main", "main"],
        ),
        (
            BY_INDEX,
            FULL_NO_INDEX,
            [
                f"- {RI} default (was using index ix_orders_code)",
                "- index ix_orders_code on orders (concurrently)",
                f"+ {RI} full (was default)",
            ],
            ["drops", "drops", "main"],
        ),
        (
            BY_INDEX,
            FULL_NULLABLE,
            [
                f"- {RI} default (was using index ix_orders_code)",
                "~ column orders.code: nullable",
                f"+ {RI} full (was default)",
            ],
            ["drops", "drops", "main"],
        ),
        (
            DEFAULT_NO_INDEX,
            BY_INDEX,
            [
                "+ index ix_orders_code on orders (concurrently)",
                f"+ {RI} using index ix_orders_code (was default)",
            ],
            ["online", "online"],
        ),
    ],
)
def test_replica_identity_plans(
    tmp_path: Path, before: str, after: str, expected: list[str], stages: list[str]
) -> None:
    old, new, plan = round_trip_plan(tmp_path, before, after)
    assert plan.describe() == expected
    assert [kind_of(op) for op in plan.operations] == stages
    for op in plan.operations:
        assert op.reverse().reverse() == op
        if isinstance(op, SetReplicaIdentity):
            outside = ", outside a transaction" if op.stage != "main" else ""
            assert cost_line(op) == f"lock ACCESS EXCLUSIVE, no scan{outside}"
    assert same_ddl(apply(ddl_view(new), diff(new, old)), old)


def test_a_new_table_s_identity_is_set_after_it_and_a_dropped_one_s_before(
    tmp_path: Path,
) -> None:
    empty = schema_of(tmp_path / "e", {"s.yaml": "entities: {}\n"})
    table = schema_of(tmp_path / "t", {"s.yaml": BY_INDEX})
    assert diff(empty, table).describe() == [
        "+ table orders",
        f"+ {RI} using index ix_orders_code (was default)",
    ]
    assert diff(table, empty).describe() == [
        f"- {RI} default (was using index ix_orders_code)",
        "- table orders",
    ]
