"""Checks and partial-index predicates that name their own table with its schema
(``billing.invoices.total > 0``), as PostgreSQL accepts them: validate refused them
("names another table") though policies took the same form. Another schema's or
another table's name is still a located error. (The migration of such a check and
index is corpus 127; check --database on it tests/live/test_check_live_qualified_checks.py.)"""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of

TEXT = """
entities:
  Account:
    columns:
      id: {type: bigint, primary_key: true}
      balance: {type: integer}
    checks:
      ck_accounts_balance: "public.accounts.balance >= 0 AND accounts.balance < 100000"
      ck_accounts_other_schema: "billing.accounts.balance > -1"
    indexes:
      ix_accounts_rich: {columns: [balance], where: "public.accounts.balance > 1000"}
  Invoice:
    schema: billing
    columns:
      id: {type: bigint, primary_key: true}
      total: {type: integer, nullable: true}
    checks:
      ck_invoices_total: "billing.invoices.total > 0"
      ck_invoices_in_public: "public.invoices.total > 0"
      ck_invoices_too_deep: "db.billing.invoices.total > 0"
    indexes:
      ix_invoices_big: {columns: [total], where: "billing.invoices.total > 10"}
      ix_invoices_other: {columns: [total], where: "billing.accounts.total > 10"}
"""


def test_checks_and_predicates_may_name_their_table_with_its_schema(tmp_path: Path) -> None:
    assert issues_of(tmp_path, {"s.yaml": TEXT}) == [
        "schema/s.yaml:8:7: entities.Account.checks.ck_accounts_other_schema: "
        "'billing.accounts.balance' names another table; only the columns of accounts can "
        "appear here",
        "schema/s.yaml:18:7: entities.Invoice.checks.ck_invoices_in_public: "
        "'public.invoices.total' names another table; only the columns of billing.invoices "
        "can appear here",
        "schema/s.yaml:19:7: entities.Invoice.checks.ck_invoices_too_deep: "
        "'db.billing.invoices.total' names another table; only the columns of "
        "billing.invoices can appear here",
        "schema/s.yaml:22:45: entities.Invoice.indexes.ix_invoices_other.where: "
        "'billing.accounts.total' names another table; only the columns of "
        "billing.invoices can appear here",
    ]
