"""Plans for foreign keys across integer widths (``{type: smallint, references:
Location}``): a key column's width changed under its kept key, and the key it
references widened under a narrower column, are one ``ALTER COLUMN ... TYPE`` each,
the key left to PostgreSQL, which makes it again under that ALTER and checks its
rows with ACCESS EXCLUSIVE on the other table too (measured in
tests/operations/test_costs.py): the plan line says so. A key whose both sides change
(a column that copies its key's type) is still dropped and added around the ALTERs.
Each plan's reverse goes back and ``reverse().reverse()`` is the operation. (On
PostgreSQL, with rows: corpus 147.)"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from plan_round_trip import round_trip_plan
from schemagen.operations.base import Operation
from schemagen.operations.costs import cost_line
from schemagen.operations.plan import Plan, apply
from schemagen.operations.retype import RetypeColumns
from schemagen.operations.stages import REVISION_BOOKKEEPING_LOCKS, stages
from schemagen.operations.table import AlterColumn
from schemagen.revision.render import render_operation
from schemagen.revision.script import render_body  # noqa: F401  (registers the renderers)
from schemagen.util.pycode import Kw, Str


def _schema(key: str, column: str) -> str:
    return f"""
entities:
  Location:
    columns:
      id: {{type: {key}, primary_key: true}}
  Stock:
    columns:
      id: {{type: bigint, primary_key: true}}
      location_id: {{{column}references: Location, nullable: true}}
"""


FK = "fk_stocks_location_id_locations"
AX = "lock ACCESS EXCLUSIVE, rewrites; ACCESS EXCLUSIVE on"
AGAIN = f"while PostgreSQL makes {FK} again and checks its rows"


@pytest.mark.parametrize(
    ("before", "after", "expected", "line"),
    [
        (  # the column narrowed under its key to an integer key
            _schema("integer", ""),
            _schema("integer", "type: smallint, "),
            ["~ column stocks.location_id: type integer -> smallint"],
            f"{AX} locations {AGAIN}",
        ),
        (  # the column widened past the key it references
            _schema("integer", "type: smallint, "),
            _schema("integer", "type: bigint, "),
            ["~ column stocks.location_id: type smallint -> bigint"],
            f"{AX} locations {AGAIN}",
        ),
        (  # the key widened under a narrower column
            _schema("integer", "type: smallint, "),
            _schema("bigint", "type: smallint, "),
            ["~ column locations.id: type integer -> bigint"],
            f"{AX} stocks {AGAIN}",
        ),
    ],
)
def test_one_side_s_width_is_one_alter_the_key_made_again_by_postgresql(
    tmp_path: Path, before: str, after: str, expected: list[str], line: str
) -> None:
    old, _, plan = round_trip_plan(tmp_path, before, after)
    assert plan.describe() == expected
    (op,) = plan.operations
    assert isinstance(op, AlterColumn) and op.keys
    assert cost_line(op) == line
    assert cost_line(op.reverse()) == line  # the downgrade makes the key again too
    assert op.reverse().reverse() == op
    (statement,) = render_operation(op, old)
    assert Kw("postgresql_using", Str(f"{op.new.name}::{op.new.type.kind}")) in statement.args


def test_a_key_whose_both_sides_change_is_dropped_and_added_around_them(
    tmp_path: Path,
) -> None:
    _, _, plan = round_trip_plan(tmp_path, _schema("integer", ""), _schema("bigint", ""))
    assert plan.describe() == [
        f"- foreign key {FK} on stocks",
        "~ column locations.id: type integer -> bigint",
        "~ column stocks.location_id: type integer -> bigint",
        f"+ foreign key {FK} on stocks",
    ]
    for op in plan.operations:
        if isinstance(op, AlterColumn):
            assert not op.keys and cost_line(op) == "lock ACCESS EXCLUSIVE, rewrites"


def test_a_narrowed_key_column_is_destructive_and_its_reverse_is_not(tmp_path: Path) -> None:
    _, _, plan = round_trip_plan(
        tmp_path, _schema("integer", ""), _schema("integer", "type: smallint, ")
    )
    (op,) = plan.operations
    assert op.risk() == (
        "narrows stocks.location_id from integer to smallint (values may not fit)"
    )
    assert op.reverse().risk() is None


def test_a_new_table_s_narrow_key_column_is_made_so(tmp_path: Path) -> None:
    before = _schema("integer", "type: smallint, ").split("  Stock:")[0]
    old, new, plan = round_trip_plan(tmp_path, before, _schema("integer", "type: smallint, "))
    assert plan.describe() == ["+ table stocks"]
    (statement,) = render_operation(plan.operations[0], old)
    (ddl,) = statement.args
    assert isinstance(ddl, Str)
    assert "\n    location_id smallint,\n" in ddl.value
    assert f"CONSTRAINT {FK} FOREIGN KEY (location_id) REFERENCES locations (id)" in ddl.value


_COMPOSITE = """
entities:
  Unit:
    columns:
      property_id: {{type: bigint, primary_key: true}}
      unit_no: {{type: integer, primary_key: true}}
  Booking:
    columns:
      id: {{type: integer, primary_key: true}}
      property_id: {{type: {property}}}
      unit_no: {{type: {unit}, nullable: true{default}}}
      note: {{type: text, nullable: true}}
    foreign_keys:
      fk_bookings_unit: {{columns: [property_id, unit_no], references: Unit}}
"""


def test_a_table_s_type_changes_are_one_alter_table_its_key_made_again_once(
    tmp_path: Path,
) -> None:
    """Both columns of a composite key change width: one RetypeColumns, one ALTER
    TABLE with both clauses (PostgreSQL makes the key again once, not once per
    column), its lock line said once; a default dropped before it and set after;
    the reverse likewise, in reverse order."""
    before = _COMPOSITE.format(property="integer", unit="integer", default="")
    after = _COMPOSITE.format(property="bigint", unit="smallint", default=", default: 1")
    old, _, plan = round_trip_plan(tmp_path, before, after)
    assert plan.describe() == [
        "~ columns bookings, in one ALTER TABLE: property_id: type integer -> bigint; "
        "unit_no: type integer -> smallint, default"
    ]
    (op,) = plan.operations
    assert isinstance(op, RetypeColumns)
    line = (
        "alter column type (ACCESS EXCLUSIVE, rewrites); alter column default or comment "
        "(ACCESS EXCLUSIVE, no scan); ACCESS EXCLUSIVE on units while PostgreSQL makes "
        "fk_bookings_unit again and checks its rows"
    )
    assert cost_line(op) == line
    assert cost_line(op.reverse()) == line
    assert op.reverse().reverse() == op
    assert op.risk() == "narrows bookings.unit_no from integer to smallint (values may not fit)"
    assert op.reverse().risk() == (
        "narrows bookings.property_id from bigint to integer (values may not fit)"
    )
    statements = render_operation(op, old)
    alters = [s for s in statements if "ALTER TABLE" in repr(s)]
    assert len(alters) == 1 and f"{alters[0]!r}".count("ALTER COLUMN") == 2
    assert isinstance(alters[0].args[0], Str)
    assert alters[0].args[0].value == (
        "ALTER TABLE bookings ALTER COLUMN property_id TYPE bigint USING property_id::bigint, "
        "ALTER COLUMN unit_no TYPE smallint USING unit_no::smallint"
    )
    (downgrade,) = [
        s.args[0].value
        for s in render_operation(op.reverse(), apply(old, plan))
        if isinstance(s.args[0], Str) and s.args[0].value.startswith("ALTER TABLE")
    ]
    assert downgrade == (
        "ALTER TABLE bookings ALTER COLUMN unit_no TYPE integer USING unit_no::integer, "
        "ALTER COLUMN property_id TYPE integer USING property_id::integer"
    )


def test_one_type_change_of_a_table_stays_its_own_alter_column(tmp_path: Path) -> None:
    """Beside a type change PostgreSQL makes in place (text -> varchar without a
    length: binary compatible) or a change that is no type change, a table's one
    rewriting type change is an AlterColumn as before (the flagship's revisions are
    unchanged)."""
    before = _COMPOSITE.format(property="integer", unit="integer", default="")
    after = before.replace("property_id: {type: integer}", "property_id: {type: bigint}")
    after = after.replace("note: {type: text, nullable: true}", "note: {type: text}")
    _, _, plan = round_trip_plan(tmp_path, before, after)
    assert [type(op) for op in plan.operations] == [AlterColumn, AlterColumn]


def test_a_joined_type_change_counts_what_its_statement_locks_once(tmp_path: Path) -> None:
    """The plan is cut into transactions by estimated locks (operations.stages); one
    ALTER TABLE of several types rewrites its table once: it locks the table, its TOAST
    pairs, every index and each key's other table once, not once per clause (measured
    on PostgreSQL 15 in tests/revision/test_lock_estimates.py: two types of items, 12
    relations, where its members summed 23). Its estimate is that union, at least each
    member's and below their sum (b44c95e counted the sum), the same for its reverse:
    a transaction holds it and one type change of another table where the sum would
    have cut them apart."""
    before = _COMPOSITE.format(property="integer", unit="integer", default="")
    after = _COMPOSITE.format(property="bigint", unit="smallint", default="")
    _, _, plan = round_trip_plan(tmp_path, before, after)
    (op,) = plan.operations
    assert isinstance(op, RetypeColumns)
    each = [alter.locks for alter in op.alters]
    assert max(each) <= op.locks < sum(each), (op.locks, each)
    assert op.reverse().locks == op.locks
    others = tuple(dataclasses.replace(alter, table="others") for alter in op.alters)
    # each transaction holds Alembic's own locks too
    budget = REVISION_BOOKKEEPING_LOCKS + op.locks + others[0].locks
    assert REVISION_BOOKKEEPING_LOCKS + sum(each) + others[0].locks > budget

    def parts(ops: tuple[Operation, ...]) -> list[list[Operation]]:
        members = [o.alters if isinstance(o, RetypeColumns) else (o,) for o in ops]
        each = dict(zip(ops, members, strict=True))
        return [[m for o in s.plan.operations for m in each[o]] for s in stages(Plan(ops), budget)]

    assert parts((op, *others)) == [[*op.alters, others[0]], [others[1]]]
