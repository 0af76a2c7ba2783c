"""``live.policy_forms``: a declared policy expression and PostgreSQL's printing of it
have one form; a changed one has another. The printed texts are the server's
(``pg_get_expr`` of ``pg_policy``, PostgreSQL 15), as tests/live/
test_check_live_policies_read_only.py reads them from a database."""

from __future__ import annotations

import pytest
from schemagen.live.policy_forms import policy_form

TABLES = {
    "products": frozenset({"id", "store_id", "title"}),
    "stores": frozenset({"id", "owner", "name"}),
    "members": frozenset({"id", "store_id", "member", "role"}),
    "accounts": frozenset({"id", "owner_id"}),
    "billing.accounts": frozenset({"id", "active"}),
}


def _columns(schema: str | None, name: str) -> frozenset[str] | None:
    return TABLES.get(f"{schema}.{name}" if schema else name)


def _form(text: str, table: str = "products") -> object:
    return policy_form(text, table, TABLES[table], _columns)


SAME = [
    (
        "store_id = ANY (SELECT id FROM stores WHERE owner = current_user)",
        "(store_id IN ( SELECT stores.id FROM stores WHERE (stores.owner = CURRENT_USER)))",
    ),
    (
        "(SELECT owner FROM stores WHERE id = store_id) = current_user",
        "(( SELECT stores.owner FROM stores WHERE (stores.id = products.store_id)) = CURRENT_USER)",
    ),
    (
        "store_id NOT IN (SELECT id FROM stores WHERE name = 'closed')",
        "(NOT (store_id IN ( SELECT stores.id FROM stores WHERE ((stores.name)::text = "
        "'closed'::text))))",
    ),
    (
        "store_id IN (SELECT s.id FROM stores s JOIN members m ON m.store_id = s.id "
        "WHERE m.role IN ('owner', 'admin'))",
        "(store_id IN ( SELECT s.id FROM (stores s JOIN members m ON ((m.store_id = s.id))) "
        "WHERE ((m.role)::text = ANY ((ARRAY['owner'::character varying, "
        "'admin'::character varying])::text[]))))",
    ),
    (
        "store_id IN (SELECT id FROM stores WHERE id BETWEEN 1 AND 10 AND name LIKE 'A%')",
        "(store_id IN ( SELECT stores.id FROM stores WHERE (((stores.id >= 1) AND "
        "(stores.id <= 10)) AND ((stores.name)::text ~~ 'A%'::text))))",
    ),
    (
        "store_id IN (WITH mine AS (SELECT id FROM stores WHERE owner = (SELECT current_user)) "
        "SELECT id FROM mine)",
        "(store_id IN ( WITH mine AS ( SELECT stores.id FROM stores WHERE (stores.owner = "
        '( SELECT CURRENT_USER AS "current_user")) ) SELECT mine.id FROM mine))',
    ),
    (
        "store_id IN (SELECT m.store_id FROM members AS m) AND store_id IN "
        "(SELECT id FROM billing.accounts WHERE active)",
        "((store_id IN ( SELECT m.store_id FROM members m)) AND (store_id IN ( SELECT "
        "accounts.id FROM billing.accounts WHERE accounts.active)))",
    ),
]


@pytest.mark.parametrize(("declared", "printed"), SAME)
def test_printed_back_forms_are_the_declared_form(declared: str, printed: str) -> None:
    assert _form(declared) is not None
    assert _form(declared) == _form(printed)


def test_a_sub_select_over_the_own_table_as_postgresql_renames_it() -> None:
    assert _form("EXISTS (SELECT 1 FROM accounts WHERE accounts.id = 5)", "accounts") == _form(
        "(EXISTS ( SELECT 1 FROM accounts accounts_1 WHERE (accounts_1.id = 5)))", "accounts"
    )


DIFFERENT = [
    # a constant's case
    ("title <> 'Hidden'", "(title <> 'hidden'::text)"),
    # the outer table's column where the declared one binds to the sub-select's
    (
        "store_id IN (SELECT s.id FROM stores s WHERE s.id < id)",
        "(store_id IN ( SELECT s.id FROM stores s WHERE (s.id < products.id)))",
    ),
    # another column, another bound, another operator
    (
        "store_id IN (SELECT id FROM stores WHERE owner = current_user)",
        "(store_id IN ( SELECT stores.id FROM stores WHERE (stores.name = CURRENT_USER)))",
    ),
    (
        "store_id IN (SELECT id FROM stores WHERE id BETWEEN 1 AND 10)",
        "(store_id IN ( SELECT stores.id FROM stores WHERE ((stores.id >= 1) AND "
        "(stores.id <= 11))))",
    ),
    (
        "store_id IN (SELECT id FROM stores)",
        "(NOT (store_id IN ( SELECT stores.id FROM stores)))",
    ),
    # another table of the same columns
    (
        "store_id IN (SELECT id FROM accounts)",
        "(store_id IN ( SELECT accounts.id FROM billing.accounts))",
    ),
]


@pytest.mark.parametrize(("declared", "printed"), DIFFERENT)
def test_a_changed_policy_has_another_form(declared: str, printed: str) -> None:
    assert _form(declared) != _form(printed)


def test_what_does_not_parse_has_no_form() -> None:
    assert _form("store_id IN (SELECT") is None
