"""The entity page lists a table's partitions with the partitions of each one
partitioned in turn: its key beside its bound, then its own partitions, named as
partitions of it."""

from __future__ import annotations

from pathlib import Path

from migration_harness import schemagen, write_schema

SCHEMA = """
database: {name: pays}
entities:
  Payment:
    primary_key: [id, paid_on, region]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      region: {type: string, length: 8, primary_key: true}
    partition_by: {range: [paid_on]}
    partitions:
      payments_2026:
        from: 2026-01-01
        to: 2027-01-01
        partition_by: {list: [region]}
        partitions:
          payments_2026_eu: {in: [de, fr]}
          payments_2026_other: {default: true}
      payments_old: {from: MINVALUE, to: 2026-01-01}
"""


def test_the_page_lists_sub_partitions(tmp_path: Path) -> None:
    write_schema(tmp_path, {"s.yaml": SCHEMA})
    schemagen(tmp_path, "build")
    page = (tmp_path / "generated" / "docs" / "entities" / "payments.md").read_text()
    rows = [line for line in page.splitlines() if "partition" in line and line.startswith("|")]
    assert rows == [
        "|  | partition key | `RANGE (paid_on)` |",
        "| `payments_2026` | partition | `FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') "
        "PARTITION BY LIST (region)` |",
        "| `payments_2026_eu` | partition of payments_2026 | `FOR VALUES IN ('de', 'fr')` |",
        "| `payments_2026_other` | partition of payments_2026 | `DEFAULT` |",
        "| `payments_old` | partition | `FOR VALUES FROM (MINVALUE) TO ('2026-01-01')` |",
    ], page
