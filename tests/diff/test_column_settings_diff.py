"""Plans for ``statistics:`` and ``storage:``: a kept column's change is one
``ALTER TABLE ... ALTER COLUMN`` (SHARE UPDATE EXCLUSIVE for SET STATISTICS alone,
ACCESS EXCLUSIVE with SET STORAGE), never an ALTER COLUMN of its type; a new
column and a new table are made with theirs; a retype says the storage again
(PostgreSQL gives the column its new type's). Each plan's reverse goes back,
``apply(old, plan)`` is the new schema. (On PostgreSQL, with rows: corpus 142.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.language.helpers import schema_of
from plan_round_trip import round_trip_plan
from schemagen.diff.compare import diff
from schemagen.diff.snapshot import ddl_view
from schemagen.operations.costs import cost_line
from schemagen.operations.plan import apply
from schemagen.revision.render import render
from schemagen.revision.script import render_body  # noqa: F401  (registers the renderers)


def _notes(body: str) -> str:
    return f"""
entities:
  Note:
    columns:
      id: {{type: bigint, primary_key: true}}
      body: {{{body}}}
"""


@pytest.mark.parametrize(
    ("before", "after", "expected", "lock", "sql"),
    [
        (
            "type: text",
            "type: text, statistics: 1000",
            "~ column notes.body: statistics 1000 (was default)",
            "lock SHARE UPDATE EXCLUSIVE, no scan",
            "ALTER TABLE notes ALTER COLUMN body SET STATISTICS 1000",
        ),
        (
            "type: text, statistics: 1000, storage: external",
            "type: text",
            "~ column notes.body: default (was statistics 1000, storage external)",
            "lock ACCESS EXCLUSIVE, no scan",
            "ALTER TABLE notes ALTER COLUMN body SET STATISTICS -1, ALTER COLUMN body SET "
            "STORAGE EXTENDED",
        ),
        (
            "type: numeric, storage: extended",
            "type: numeric, storage: main",
            "~ column notes.body: default (was storage extended)",
            "lock ACCESS EXCLUSIVE, no scan",
            "ALTER TABLE notes ALTER COLUMN body SET STORAGE MAIN",
        ),
    ],
)
def test_a_kept_column_s_settings(
    tmp_path: Path, before: str, after: str, expected: str, lock: str, sql: str
) -> None:
    old, _, plan = round_trip_plan(tmp_path, _notes(before), _notes(after))
    assert plan.describe() == [expected]
    (op,) = plan.operations
    assert cost_line(op) == lock
    assert op.reverse().reverse() == op
    (stmt,) = render(op, ddl_view(old)).statements
    assert sql in str(stmt)


def test_a_retype_says_the_storage_again_and_new_columns_are_made_with_theirs(
    tmp_path: Path,
) -> None:
    old = schema_of(tmp_path / "old", {"s.yaml": _notes("type: string, length: 9, storage: main")})
    new = schema_of(
        tmp_path / "new",
        {"s.yaml": _notes("type: text, storage: main") + "      extra: {type: text, "
         "nullable: true, statistics: 50}\n"},
    )  # fmt: skip
    plan = diff(old, new)
    assert plan.describe() == [
        "+ column notes.extra text",
        "~ column notes.body: type character varying(9) -> text",
    ]
    add, alter = (render(op, ddl_view(old)).statements for op in plan.operations)
    assert "ALTER TABLE notes ALTER COLUMN extra SET STATISTICS 50" in str(add[-1])
    assert "ALTER TABLE notes ALTER COLUMN body SET STORAGE MAIN" in str(alter[-1])
    down = render(plan.reverse().operations[0], apply(ddl_view(old), plan)).statements
    assert "ALTER TABLE notes ALTER COLUMN body SET STORAGE MAIN" in str(down[-1])
