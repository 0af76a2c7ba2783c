"""Column order is declaration order; a primary key may have an order of its own."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of

TEXT = """
mixins:
  stamped:
    columns:
      created_at: {type: timestamptz, default: now}
entities:
  Rate:
    mixins: [stamped]
    primary_key: [day, currency]
    columns:
      currency: {type: string, length: 3}
      amount: {type: numeric}
      day: {type: date}
  Plain:
    mixins: [stamped]
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text}
"""


def test_declaration_order_and_key_order(tmp_path: Path) -> None:
    schema = schema_of(tmp_path, {"s.yaml": TEXT})
    rate = schema.entity("Rate")
    # As declared, the mixin right after the entity's own key (its last column).
    assert [c.name for c in rate.columns] == ["currency", "amount", "day", "created_at"]
    assert rate.primary_key.columns == ("day", "currency")
    assert [c.name for c in rate.columns if c.primary_key] == ["currency", "day"]
    plain = schema.entity("Plain")
    assert [c.name for c in plain.columns] == ["id", "created_at", "name"]


def test_a_key_list_that_disagrees_is_a_located_error(tmp_path: Path) -> None:
    text = TEXT.replace("amount: {type: numeric}", "amount: {type: numeric, primary_key: true}")
    text = text.replace("[day, currency]", "[day, currency, kind]")
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:8:34: entities.Rate.primary_key.2: unknown column 'kind'",
        "schema/s.yaml:11:31: entities.Rate.columns.amount.primary_key: column amount says "
        "primary_key, but the entity's primary_key list (day, currency, kind) leaves it out",
    ]
