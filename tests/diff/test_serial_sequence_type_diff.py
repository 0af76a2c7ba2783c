"""Plans for a serial column whose sequence is of another type (``sequence: {type:
...}``): the type changed alone is the sequence's change (``ALTER SEQUENCE ... AS``),
never a column change too; identity <-> serial makes and drops the sequence of the
type said; apply(old, plan) is the new schema and the reverse plan goes back."""

from __future__ import annotations

from pathlib import Path

import pytest
from plan_round_trip import round_trip_plan
from schemagen.diff.compare import diff
from schemagen.diff.snapshot import ddl_view, same_ddl
from schemagen.operations.plan import apply

IDENTITY = """
entities:
  Crossing:
    columns:
      id: {type: integer, primary_key: true}
      n: {type: integer, identity: by default}
"""
LEGACY = """
entities:
  Crossing:
    columns:
      id: {type: serial, primary_key: true, sequence: {type: bigint}}
      n: {type: serial, sequence: {type: bigint}}
"""
PLAIN = """
entities:
  Crossing:
    columns:
      id: {type: serial, primary_key: true}
      n: {type: bigserial, sequence: {type: integer}}
"""


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (
            IDENTITY,
            LEGACY,
            [
                "~ column crossings.id: default, serial, its sequence after the largest value",
                "~ column crossings.n: default, serial, its sequence after the largest value",
            ],
        ),
        (
            LEGACY,
            PLAIN,
            [
                "~ sequence crossings_id_seq: options",
                "~ sequence crossings_n_seq: options",
                "~ column crossings.n: type integer -> bigint",
            ],
        ),
    ],
)
def test_sequence_type_plans(
    tmp_path: Path, before: str, after: str, expected: list[str]
) -> None:
    old, new, plan = round_trip_plan(tmp_path, before, after)
    assert plan.describe() == expected
    # the other way round too
    back = diff(new, old)
    assert same_ddl(apply(ddl_view(new), back), old)
    # identity -> serial makes the sequence of the type said
    sequences = {seq.name: seq.data_type for seq in apply(ddl_view(old), plan).sequences}
    assert sequences == {seq.name: seq.data_type for seq in new.sequences}
