"""Row-level security in the language: located errors for what PostgreSQL would
refuse, a warning for policies that take no effect, and the normalized model."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fixtures.language.helpers import issues_of, schema_of, write_project
from schemagen.cli import main
from schemagen.model.schema import Policy

ACCOUNT = """
entities:
  Account:
    row_level_security: {rls}
    columns:
      id: {{type: bigint, primary_key: true}}
      owner_id: {{type: bigint}}
    policies:
{policies}
"""


def _text(policies: str, rls: str = "true") -> str:
    return ACCOUNT.format(rls=rls, policies=policies)


def test_bad_policies_are_located_errors(tmp_path: Path) -> None:
    text = _text(
        """\
      a: {command: select, with_check: "owner_id = 1"}
      b: {command: delete, with_check: "owner_id = 1"}
      c: {command: insert, using: "owner_id = 1"}
      d: {using: "ownr_id = 1"}
      e: {using: "owner_id = = 1"}
      f: {using: "stores.owner_id = 1"}
      g: {using: "EXISTS (SELECT 1 FROM stores s WHERE s.anything = owner_id)"}
      h: {roles: [app, CURRENT_USER], using: "true"}
"""
    )
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:8:28: entities.Account.policies.a.with_check: a select policy writes "
        "no rows, so it takes no with_check: say using: for the rows it may see",
        "schema/s.yaml:9:28: entities.Account.policies.b.with_check: a delete policy writes "
        "no rows, so it takes no with_check: say using: for the rows it may see",
        "schema/s.yaml:10:28: entities.Account.policies.c.using: an insert policy reads no "
        "existing rows, so it takes no using: say with_check: for the rows it may insert",
        "schema/s.yaml:11:11: entities.Account.policies.d.using: unknown column 'ownr_id' "
        "(did you mean 'owner_id'?)",
        "schema/s.yaml:12:11: entities.Account.policies.e.using: SQL 'owner_id = = 1' syntax "
        'error at or near "=" (character 12 of the SQL)',
        "schema/s.yaml:13:11: entities.Account.policies.f.using: 'stores.owner_id' names "
        "another table; only the columns of accounts can appear here",
        "schema/s.yaml:15:11: entities.Account.policies.h.roles: CURRENT_USER is not a role: "
        "PostgreSQL stores the role it means when the policy is made, so name that role",
    ]


def test_unknown_command_and_bad_state_are_structure_errors(tmp_path: Path) -> None:
    text = _text('      a: {command: selct, using: "true"}\n', rls="maybe")
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:3:5: entities.Account.row_level_security: expected true, false or "
        "force, got 'maybe'",
        "schema/s.yaml:8:11: entities.Account.policies.a.command: unknown value 'selct' (did "
        "you mean 'select'?); expected one of: all, select, insert, update, delete",
    ]


def test_policies_without_row_level_security_are_a_warning(tmp_path: Path) -> None:
    text = _text('      a: {using: "owner_id = 1"}\n', rls="false")
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:7:5: warning: entities.Account.policies: Account has policies but no "
        "row_level_security: PostgreSQL applies them only once row-level security is enabled "
        "(row_level_security: true)"
    ]


def test_cli_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    write_project(tmp_path, {"s.yaml": _text('      a: {command: insert, using: "true"}\n')})
    (tmp_path / "pyproject.toml").write_text("[tool.schemagen]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--project", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "entities.Account.policies.a.using: an insert policy" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "generated").exists()


def test_normalized_policies(tmp_path: Path) -> None:
    """Defaults filled in, roles sorted and unique, policies by (table, name), the
    state as the model keeps it; a table in another PostgreSQL schema keeps its name."""
    text = _text(
        """\
      z_own:
        command: update
        roles: [writer, app, writer]
        permissive: false
        using: " owner_id = 1 "
        with_check: owner_id = 2
        description: Own rows.
      a_all: {roles: [PUBLIC], using: "true"}
""",
        rls="force",
    ) + """\
  Ledger:
    schema: books
    row_level_security: true
    columns:
      id: {type: bigint, primary_key: true}
    policies:
      sees_all: {command: select, using: "id > 0"}
"""
    schema = schema_of(tmp_path, {"s.yaml": text})
    assert schema.entity("Account").row_level_security == "force"
    assert schema.entity("Ledger").row_level_security == "enable"
    assert schema.policies == (
        Policy(name="a_all", table="accounts", using="true"),
        Policy(
            name="z_own",
            table="accounts",
            command="update",
            roles=("app", "writer"),
            permissive=False,
            using="owner_id = 1",
            with_check="owner_id = 2",
            description="Own rows.",
        ),
        Policy(name="sees_all", table="books.ledgers", command="select", using="id > 0"),
    )


def test_own_table_may_be_schema_qualified(tmp_path: Path) -> None:
    """``billing.invoices.total`` in a policy of billing.invoices, and
    ``public.accounts.owner_id`` in one of accounts, are the policy's own table, as
    PostgreSQL reads them; another schema's or another table's still are located errors."""
    text = _text(
        """\
      mine: {using: "public.accounts.owner_id > 0 AND Public.Accounts.id > 0"}
      other_schema: {using: "billing.accounts.owner_id > 0"}
      other_table: {command: update, with_check: "public.stores.owner_id > 0"}
"""
    ) + """\
  Invoice:
    schema: billing
    row_level_security: true
    columns:
      id: {type: bigint, primary_key: true}
      total: {type: numeric, nullable: true}
    policies:
      mine: {using: "billing.invoices.total >= 0 OR billing.invoices.total IS NULL"}
      unqualified: {command: update, using: "invoices.total >= 0"}
      in_public: {command: delete, using: "public.invoices.total >= 0"}
      too_deep: {command: select, using: "db.billing.invoices.total >= 0"}
"""
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:9:22: entities.Account.policies.other_schema.using: "
        "'billing.accounts.owner_id' names another table; only the columns of accounts "
        "can appear here",
        "schema/s.yaml:10:38: entities.Account.policies.other_table.with_check: "
        "'public.stores.owner_id' names another table; only the columns of accounts can "
        "appear here",
        "schema/s.yaml:21:36: entities.Invoice.policies.in_public.using: "
        "'public.invoices.total' names another table; only the columns of billing.invoices "
        "can appear here",
        "schema/s.yaml:22:35: entities.Invoice.policies.too_deep.using: "
        "'db.billing.invoices.total' names another table; only the columns of "
        "billing.invoices can appear here",
    ]
