"""Sub-partitions: a partition that is itself partitioned (its own ``partition_by:``
and ``partitions:``), in the model, and the located errors at every level."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of
from schemagen.model.schema import Partition, PartitionKey, partition_tree

BASE = """
entities:
  Payment:
    primary_key: [id, paid_on, region]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      region: {type: string, length: 8, primary_key: true}
      amount: {type: numeric, precision: 12, scale: 2}
    partition_by: {range: [paid_on]}
"""


def test_sub_partitions_in_the_model(tmp_path: Path) -> None:
    text = BASE + """
    partitions:
      payments_2026:
        from: 2026-01-01
        to: 2027-01-01
        partition_by: {list: [region]}
        partitions:
          payments_2026_other: {default: true}
          payments_2026_eu: {in: [de, fr]}
      payments_2027: {from: 2027-01-01, to: 2028-01-01, partition_by: {hash: [id]}}
      payments_old: {from: MINVALUE, to: 2026-01-01}
    """
    payment = schema_of(tmp_path, {"s.yaml": text}).entity("Payment")
    first = payment.partitions[0]
    assert first.partition_by == PartitionKey("list", ("region",))
    assert first.partitions == (  # sorted by name, as a table's are
        Partition("payments_2026_eu", values=("'de'", "'fr'")),
        Partition("payments_2026_other", default=True),
    )
    assert payment.partitions[1].partition_by == PartitionKey("hash", ("id",))
    assert payment.partitions[1].partitions == ()
    assert payment.partitions[2].partition_by is None
    assert [(above, p.name) for above, p in partition_tree(payment.partitions)] == [
        ((), "payments_2026"),
        (("payments_2026",), "payments_2026_eu"),
        (("payments_2026",), "payments_2026_other"),
        ((), "payments_2027"),
        ((), "payments_old"),
    ]


def test_sub_partition_errors_are_located(tmp_path: Path) -> None:
    text = BASE + """
    partitions:
      payments_2026:
        from: 2026-01-01
        to: 2027-01-01
        partition_by: {list: [regoin]}
        partitions:
          payments_2026_eu: {in: [de, fr]}
          payments_2026_fr: {in: [fr]}
          payments_2026_bad: {from: 1, to: 2}
          payments_2026_a: {default: true}
          payments_2026_b: {default: true}
      payments_2027:
        from: 2027-01-01
        to: 2028-01-01
        partitions:
          payments_2027_all: {default: true}
      payments_2028:
        from: 2028-01-01
        to: 2029-01-01
        partition_by: {range: [id]}
        partitions:
          payments_2028_low: {from: 1, to: 100}
          payments_2028_mid: {from: 50, to: 200}
          payments_2028_empty: {from: 300, to: 300}
          payments: {from: 400, to: 500}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:15:31: entities.Payment.partitions.payments_2026.partition_by.list.0: "
        "unknown column 'regoin' (did you mean 'region'?)",
        "schema/s.yaml:25:9: entities.Payment.partitions.payments_2027.partitions: "
        "partitions need a partition key: add partition_by: {range: [...]}",
    ]
    text = text.replace("regoin", "region").replace(
        "      payments_2027:\n        from: 2027-01-01\n        to: 2028-01-01\n"
        "        partitions:\n          payments_2027_all: {default: true}\n",
        "",
    )
    sub = "entities.Payment.partitions.payments_2026.partitions"
    ids = "entities.Payment.partitions.payments_2028.partitions"
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        f"schema/s.yaml:18:30: {sub}.payments_2026_fr.in: value 'fr' is also in partition "
        "payments_2026_eu",
        f"schema/s.yaml:19:11: {sub}.payments_2026_bad: a partition of a list-partitioned "
        "table takes `in:` (or `default: true`), not `from:`, `to:`",
        f"schema/s.yaml:21:11: {sub}.payments_2026_b: a second DEFAULT partition "
        "(payments_2026_a is one); a table has at most one",
        f"schema/s.yaml:28:31: {ids}.payments_2028_mid.from: partition payments_2028_mid "
        "overlaps partition payments_2028_low",
        f"schema/s.yaml:29:11: {ids}.payments_2028_empty: an empty range: `from` must be "
        "below `to`",
        f"schema/s.yaml:30:11: {ids}.payments: name 'payments' is already used by the table "
        "of Payment (schema/s.yaml:2:3); PostgreSQL tables, indexes and unique or "
        "primary-key constraints share one namespace",
    ]


def test_keys_must_hold_every_level_of_partition_key(tmp_path: Path) -> None:
    """PostgreSQL enforces a primary key or unique constraint per partition, at every
    level: a sub-partitioned partition's key must be in it too."""
    text = BASE.replace("primary_key: [id, paid_on, region]", "primary_key: [id, paid_on]")
    text = text.replace(
        "region: {type: string, length: 8, primary_key: true}", "region: {type: string, length: 8}"
    )
    text += """
    partitions:
      payments_2026:
        from: 2026-01-01
        to: 2027-01-01
        partition_by: {list: [region]}
        partitions:
          payments_2026_eu: {in: [de, fr]}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:15:9: entities.Payment.partitions.payments_2026.partition_by: "
        "pk_payments (id, paid_on) must include every partition-key column: PostgreSQL "
        "enforces a primary key or unique per partition; it leaves out column region",
    ]
