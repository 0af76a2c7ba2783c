"""Partitioned tables: the model, and the located errors (bounds of the wrong kind,
overlapping bounds, keys that leave out the partition key)."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of
from schemagen.model.schema import Partition

BASE = """
entities:
  Payment:
    primary_key: [id, paid_on]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      region: {type: string, length: 8}
"""


def test_partitioned_table_in_the_model(tmp_path: Path) -> None:
    text = BASE + """
    partition_by: {range: [paid_on]}
    partitions:
      payments_2026_01: {from: 2026-01-01, to: 2026-02-01}
      payments_old: {from: MINVALUE, to: 2026-01-01}
      payments_rest: {default: true}
    """
    payment = schema_of(tmp_path, {"s.yaml": text}).entity("Payment")
    assert payment.partition_by is not None
    assert payment.partition_by.sql() == "RANGE (paid_on)"
    assert payment.partitions[0] == Partition(
        "payments_2026_01", start=("'2026-01-01'",), end=("'2026-02-01'",)
    )
    assert [p.bound_sql() for p in payment.partitions] == [
        "FOR VALUES FROM ('2026-01-01') TO ('2026-02-01')",
        "FOR VALUES FROM (MINVALUE) TO ('2026-01-01')",
        "DEFAULT",
    ]


def test_bad_bounds_are_located_errors(tmp_path: Path) -> None:
    text = BASE + """
    partition_by: {range: [paid_on]}
    partitions:
      payments_2026_01: {from: 2026-01-01, to: 2026-02-01}
      payments_overlap: {from: 2026-01-15, to: 2026-03-01}
      payments_empty: {from: 2026-05-01, to: 2026-04-01}
      payments_listed: {in: [2026-06-01]}
      payments_not_a_date: {from: soon, to: later}
      payments_rest: {default: true}
      payments_rest2: {default: true}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:12:26: entities.Payment.partitions.payments_overlap.from: partition "
        "payments_overlap overlaps partition payments_2026_01",
        "schema/s.yaml:13:7: entities.Payment.partitions.payments_empty: an empty range: "
        "`from` must be below `to`",
        "schema/s.yaml:14:7: entities.Payment.partitions.payments_listed: a partition of a "
        "range-partitioned table takes `from:` and `to:` (or `default: true`), not `in:`",
        "schema/s.yaml:15:7: entities.Payment.partitions.payments_not_a_date: a bound value "
        "is not a date value",
        "schema/s.yaml:17:7: entities.Payment.partitions.payments_rest2: a second DEFAULT "
        "partition (payments_rest is one); a table has at most one",
    ]


def test_list_and_hash_overlaps_and_keys_are_located_errors(tmp_path: Path) -> None:
    text = BASE + """
    unique:
      uq_payments_id: [id]
    partition_by: {list: [region]}
    partitions:
      payments_eu: {in: [de, fr]}
      payments_fr: {in: [fr]}
      payments_hashed: {modulus: 2, remainder: 0}
  Reading:
    columns:
      id: {type: bigint, primary_key: true}
    partition_by: {hash: [id]}
    partitions:
      readings_a: {modulus: 2, remainder: 0}
      readings_b: {modulus: 4, remainder: 2}
      readings_c: {modulus: 3, remainder: 1}
      readings_d: {default: true}
  Stray:
    columns:
      id: {type: bigint, primary_key: true}
    partitions:
      strays_a: {default: true}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:11:5: entities.Payment.partition_by: pk_payments (id, paid_on) must "
        "include every partition-key column: PostgreSQL enforces a primary key or unique per "
        "partition; it leaves out column region",
        "schema/s.yaml:11:5: entities.Payment.partition_by: uq_payments_id (id) must include "
        "every partition-key column: PostgreSQL enforces a primary key or unique per "
        "partition; it leaves out column region",
        "schema/s.yaml:14:21: entities.Payment.partitions.payments_fr.in: value 'fr' is also "
        "in partition payments_eu",
        "schema/s.yaml:15:7: entities.Payment.partitions.payments_hashed: a partition of a "
        "list-partitioned table takes `in:` (or `default: true`), not `modulus:`, `remainder:`",
        "schema/s.yaml:22:7: entities.Reading.partitions.readings_b: partition readings_b "
        "overlaps partition readings_a",
        "schema/s.yaml:23:20: entities.Reading.partitions.readings_c.modulus: modulus 3 is not "
        "a multiple of 2 (partition readings_a); PostgreSQL needs each modulus to divide the "
        "next larger one",
        "schema/s.yaml:24:7: entities.Reading.partitions.readings_d: a partition of a "
        "hash-partitioned table takes `modulus:` and `remainder:`, not `default:`",
        "schema/s.yaml:28:5: entities.Stray.partitions: partitions need a partition key: add "
        "partition_by: {range: [...]}",
    ]


def test_partition_names_share_their_schemas_namespace(tmp_path: Path) -> None:
    """A partition lives in its table's PostgreSQL schema: its name may be a table's
    in another schema, not a table's, index's or other partition's in its own."""
    text = """
entities:
  Entry:
    schema: books
    primary_key: [id, day]
    columns:
      id: {type: bigint, primary_key: true}
      day: {type: date, primary_key: true}
    indexes:
      ix_entries_id: [id]
    partition_by: {range: [day]}
    partitions:
      old_entries: {from: 2025-01-01, to: 2026-01-01}
      ix_entries_id: {from: 2026-01-01, to: 2027-01-01}
      shared: {from: 2027-01-01, to: 2028-01-01}
  OldEntry:
    table: old_entries            # public: no clash
    columns:
      id: {type: bigint, primary_key: true}
  Ledger:
    schema: books
    table: ledger
    columns:
      id: {type: bigint, primary_key: true}
    partition_by: {hash: [id]}
    partitions:
      shared: {modulus: 1, remainder: 0}
"""
    issues = issues_of(tmp_path, {"s.yaml": text})
    assert [i.split(": ", 2)[1:] for i in issues] == [
        ["entities.Entry.partitions.ix_entries_id", "name 'books.ix_entries_id' is already "
         "used by an index of Entry (schema/s.yaml:9:7); PostgreSQL tables, indexes and "
         "unique or primary-key constraints share one namespace"],
        ["entities.Ledger.partitions.shared", "name 'books.shared' is already used by a "
         "partition of Entry (schema/s.yaml:14:7); PostgreSQL tables, indexes and unique or "
         "primary-key constraints share one namespace"],
    ]
    fixed = text.replace("ix_entries_id: {from", "x: {from").replace("shared: {mod", "y: {mod")
    entry = schema_of(tmp_path, {"s.yaml": fixed}).entity("Entry")
    assert [p.name for p in entry.partitions] == ["old_entries", "shared", "x"]


def test_text_range_overlaps(tmp_path: Path) -> None:
    """A text key in the C collation is ordered by bytes, as PostgreSQL does; in
    another collation only ranges that share an end are sure to overlap."""
    text = """
entities:
  Word:
    primary_key: [id, word]
    columns:
      id: {type: bigint, primary_key: true}
      word: {type: text, primary_key: true%s}
    partition_by: {range: [word]}
    partitions:
      words_a: {from: a, to: m}
      words_f: {from: f, to: z}
      words_z: {from: f, to: zz}
"""
    assert [i.split(": ", 1)[1] for i in issues_of(tmp_path, {"s.yaml": text % ""})] == [
        "entities.Word.partitions.words_z.from: partition words_z overlaps partition words_f "
        "(the same `from:`)",
    ]
    in_c = issues_of(tmp_path, {"s.yaml": text % ", collation: C"})
    assert [i.split(": ", 1)[1] for i in in_c] == [
        "entities.Word.partitions.words_f.from: partition words_f overlaps partition words_a",
        "entities.Word.partitions.words_z.from: partition words_z overlaps partition words_f",
    ]


def test_integer_bounds_quoted_or_not_are_compared_as_numbers(tmp_path: Path) -> None:
    """``from: '0'`` on a bigint key is 0 to PostgreSQL (it prints a bigint's bounds
    so, and import wrote them so): it was refused as 'not a bigint value'. Its ranges
    are compared as numbers all the same, and a value that is no integer is refused."""
    text = BASE + """
    partition_by: {range: [id]}
    partitions:
      payments_low: {from: MINVALUE, to: '0'}
      payments_mid: {from: 0, to: '1000'}
      payments_odd: {from: '-1', to: '5'}
      payments_bad: {from: 'x', to: 2000}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:12:22: entities.Payment.partitions.payments_mid.from: partition "
        "payments_mid overlaps partition payments_odd",
        "schema/s.yaml:13:22: entities.Payment.partitions.payments_odd.from: partition "
        "payments_odd overlaps partition payments_low",
        "schema/s.yaml:14:7: entities.Payment.partitions.payments_bad: a bound value is "
        "not a bigint value",
    ]
