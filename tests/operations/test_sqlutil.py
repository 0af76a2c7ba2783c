"""Renaming a column inside a check or index predicate follows the parse tree."""

from __future__ import annotations

from schemagen.operations.sqlutil import rename_identifier


def test_rename_touches_column_references_only() -> None:
    sql = (
        "price > 0 AND lower(price_note) <> 'price' AND \"price\" < 10 AND PRICE > 1 "
        'AND t.price > 0 AND "t". "price" > 1 AND price(1) = 1'
    )
    assert rename_identifier(sql, "price", "cost") == (
        "cost > 0 AND lower(price_note) <> 'price' AND \"cost\" < 10 AND cost > 1 "
        'AND t.cost > 0 AND "t". "cost" > 1 AND price(1) = 1'
    )


def test_rename_leaves_sql_it_cannot_parse() -> None:
    assert rename_identifier("price > (", "price", "cost") == "price > ("


def test_names_in_other_postgresql_schemas_are_quoted_part_by_part() -> None:
    from schemagen.model.schema import ColumnType
    from schemagen.operations.sqlutil import quote_table
    from schemagen.operations.typechange import using_cast

    assert quote_table("billing.invoices") == "billing.invoices"
    assert quote_table("Billing.order") == '"Billing"."order"'
    assert quote_table("invoices") == "invoices"
    text, status = ColumnType("text"), ColumnType("enum", enum="billing.status")
    assert using_cast("state", text, status) == "state::text::billing.status"
