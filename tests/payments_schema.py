"""The payments table of the tests of a unique constraint added or swapped in the
main transaction: plain or range-partitioned by ``paid_on``, with the test's unique
constraint, the refunds table whose foreign key needs it at once, and rows that
repeat ``(paid_on, ref)``."""

from __future__ import annotations

#: a plain payments table; UNIQUE stands where its ``unique:`` lines go
_PLAIN = """\
database: {name: inplace}
entities:
  Payment:
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date}
      ref: {type: text, nullable: true}
      kind: {type: text, nullable: true}
UNIQUE"""
#: range-partitioned by paid_on, which its key holds too
_PARTITIONED = """\
database: {name: inplace}
entities:
  Payment:
    primary_key: [id, paid_on]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      ref: {type: text, nullable: true}
      kind: {type: text, nullable: true}
UNIQUE    partition_by: {range: [paid_on]}
    partitions:
      payments_2026: {from: "2026-01-01", to: "2027-01-01"}
"""


def payments(unique: str = "", *, partitioned: bool = False) -> str:
    """A project of ``payments`` (id, paid_on, and ref and kind that may be NULL)
    with ``unique`` (its ``unique:`` lines, or none); range-partitioned by
    ``paid_on`` (one partition, 2026) where ``partitioned``."""
    return (_PARTITIONED if partitioned else _PLAIN).replace("UNIQUE", unique)


def unique_ref(columns: str) -> str:
    """The ``unique:`` lines of ``uq_payments_ref`` over ``columns`` (``[paid_on, ref]``)."""
    return f"    unique:\n      uq_payments_ref: {columns}\n"


#: ``refunds``, whose foreign key references payments (paid_on, ref)
REFUND = """\
  Refund:
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date}
      ref: {type: text}
    foreign_keys:
      fk_refunds_payment:
        columns: [paid_on, ref]
        references: Payment
        ref_columns: [paid_on, ref]
"""
#: NULL refs and kinds; (2026-03-01, r1) twice under two kinds (ids 1 and 5)
ROWS = (
    "INSERT INTO payments VALUES (1, '2026-03-01', 'r1', 'x'), (2, '2026-03-01', NULL, NULL), "
    "(3, '2026-03-01', NULL, 'x'), (4, '2026-04-01', 'r1', NULL), (5, '2026-03-01', 'r1', 'y')"
)
