"""The diff of row-level security: what it emits, in which order, that applying it
(and its reverse) lands on the other schema, and that each operation reverses."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import schema_of
from plan_round_trip import round_trip_plan
from schemagen.diff.compare import diff
from schemagen.model.schema import Policy
from schemagen.model.security import alter_policy, row_security_statements
from schemagen.operations.security import AlterPolicy, SetRowSecurity

BASE = """
database: {name: t}
entities:
  Account:
    row_level_security: true
    columns:
      id: {type: bigint, primary_key: true}
      owner_id: {type: integer}
    policies:
      own: {command: select, roles: [app], using: "owner_id = 1"}
      writes: {command: insert, with_check: "owner_id > 0"}
  Note:
    columns:
      id: {type: bigint, primary_key: true}
      body: {type: text}
"""


def _plan(tmp_path: Path, after: str, before: str = BASE) -> list[str]:
    _, _, plan = round_trip_plan(tmp_path, before, after)
    for op in plan.operations:
        assert op.reverse().reverse() == op
    return plan.describe()


def test_first_revision_turns_rls_on_after_the_table_then_creates_policies(
    tmp_path: Path,
) -> None:
    new = schema_of(tmp_path, {"s.yaml": BASE})
    assert diff(None, new).describe() == [
        "+ table accounts",
        "+ table notes",
        "+ table accounts row level security enabled (was off)",
        "+ policy own on accounts",
        "+ policy writes on accounts",
    ]


def test_roles_and_expressions_alter_in_place_command_and_kind_rebuild(tmp_path: Path) -> None:
    after = BASE.replace('roles: [app], using: "owner_id = 1"', 'roles: [app, ops], using: "true"')
    after = after.replace("command: insert,", "command: all,")
    assert _plan(tmp_path, after) == [
        "- policy writes on accounts",
        "~ policy own on accounts (roles, using)",
        "+ policy writes on accounts",
    ]


def test_an_expression_removed_is_a_rebuild(tmp_path: Path) -> None:
    # ALTER POLICY cannot remove USING or WITH CHECK, and the downgrade would need to
    after = BASE.replace(', with_check: "owner_id > 0"}', ', with_check: "owner_id > 1"}')
    own = '{command: select, roles: [app], using: "owner_id = 1"}'
    after = after.replace(own, "{roles: [app]}")
    assert _plan(tmp_path, after) == [
        "- policy own on accounts",
        "~ policy writes on accounts (with check)",
        "+ policy own on accounts",
    ]


def test_a_column_type_change_rebuilds_the_policies_that_may_name_it(tmp_path: Path) -> None:
    """PostgreSQL refuses ALTER COLUMN TYPE under a policy: drop before, create after,
    the policy of another table whose sub-select reads the table too."""
    before = BASE + """\
    row_level_security: force
    policies:
      via_account:
        using: "EXISTS (SELECT 1 FROM accounts a WHERE a.owner_id = id)"
"""
    after = before.replace("owner_id: {type: integer}", "owner_id: {type: bigint}")
    assert _plan(tmp_path, after, before) == [
        "- policy own on accounts",
        "- policy writes on accounts",
        "- policy via_account on notes",
        "~ column accounts.owner_id: type integer -> bigint",
        "+ policy own on accounts",
        "+ policy writes on accounts",
        "+ policy via_account on notes",
    ]


def test_rls_off_comes_before_a_rename_and_on_after_it(tmp_path: Path) -> None:
    after = BASE.replace("  Account:\n", "  Account:\n    table: customer_accounts\n")
    after = after.replace("row_level_security: true", "row_level_security: force")
    assert _plan(tmp_path, after) == [
        "- policy own on accounts",
        "- policy writes on accounts",
        "- table accounts row level security off (was enabled)",
        "~ table accounts renamed to customer_accounts",
        "~ primary key pk_accounts renamed to pk_customer_accounts on customer_accounts",
        "+ table customer_accounts row level security enabled and forced (was off)",
        "+ policy own on customer_accounts",
        "+ policy writes on customer_accounts",
    ]


def test_a_dropped_table_loses_its_policies_and_rls_first(tmp_path: Path) -> None:
    after = BASE.split("  Account:")[0] + "  Note:" + BASE.split("  Note:")[1]
    assert _plan(tmp_path, after) == [
        "- policy own on accounts",
        "- policy writes on accounts",
        "- table accounts row level security off (was enabled)",
        "- table accounts",
    ]


def test_statements() -> None:
    assert row_security_statements("billing.invoices", None, "force") == [
        "ALTER TABLE billing.invoices ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE billing.invoices FORCE ROW LEVEL SECURITY",
    ]
    assert row_security_statements("t", "force", "enable") == [
        "ALTER TABLE t NO FORCE ROW LEVEL SECURITY"
    ]
    assert row_security_statements("t", "force", None) == [
        "ALTER TABLE t DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE t NO FORCE ROW LEVEL SECURITY",
    ]
    old = Policy("p", "t", roles=("public",), using="a", description="x")
    new = Policy("p", "t", roles=("app", "public"), using="b")
    assert alter_policy(old, new) == [
        "ALTER POLICY p ON t\nTO app, PUBLIC\nUSING (b)",
        "COMMENT ON POLICY p ON t IS NULL",
    ]
    assert SetRowSecurity("t", None, "enable").reverse() == SetRowSecurity("t", "enable", None)
    assert AlterPolicy(old, new).reverse() == AlterPolicy(new, old)
