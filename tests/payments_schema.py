"""The payments tables of the revision tests. The inplace project's, for the tests of
a unique constraint added or swapped in the main transaction: plain or
range-partitioned by ``paid_on``, with the test's unique constraint, the refunds
table whose foreign key needs it at once, and rows that repeat ``(paid_on, ref)``.
The ledger's, for the tests of partitions moved, rebound or made beside a DEFAULT
partition with their rows: range-partitioned by ``paid_on``, its partitions the
test's, and the halves of 2025 with their rows."""

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

#: the ledger's payments (id, paid_on, an amount that may be NULL), range-partitioned
#: by paid_on; the lines of its partitions follow
LEDGER = """
database: {name: ledger}
entities:
  Payment:
    primary_key: [id, paid_on]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      amount: {type: integer, nullable: true}
    partition_by: {range: [paid_on]}
    partitions:
"""


def ledger_refunds(on_delete: str | None = None) -> str:
    """The ledger's ``refunds`` (an entity's lines, after :data:`LEDGER`'s partitions),
    whose foreign key fk_refunds_payment references payments (id, paid_on), its columns
    nullable; ``on_delete``: the key's action (None: PostgreSQL's NO ACTION)."""
    action = f"        on_delete: {on_delete}\n" if on_delete is not None else ""
    return (
        "  Refund:\n"
        "    columns:\n"
        "      id: {type: bigint, primary_key: true}\n"
        "      payment_id: {type: bigint, nullable: true}\n"
        "      paid_on: {type: date, nullable: true}\n"
        "      note: {type: text, nullable: true}\n"
        "    foreign_keys:\n"
        "      fk_refunds_payment:\n"
        "        columns: [payment_id, paid_on]\n"
        "        references: Payment\n"
        f"{action}"
    )


#: the ledger's payments in two halves of 2025, payments_h1 and payments_h2
HALVES = (
    LEDGER + "      payments_h1: {from: 2025-01-01, to: 2025-07-01}\n"
    "      payments_h2: {from: 2025-07-01, to: 2026-01-01}\n"
)
#: payments_h1's rows all in the first quarter, NULL and repeated amounts, ids
#: repeated across days; payments_h2's, with NULL amounts
HALF_ROWS = (
    "INSERT INTO payments SELECT g % 400, date '2025-01-01' + g % 90, "
    "CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 END FROM generate_series(1, 1200) g; "
    "INSERT INTO payments SELECT g % 300, date '2025-07-01' + g % 180, NULL "
    "FROM generate_series(1, 600) g"
)
#: each payment, hashed: what a migration keeping the rows must leave as it found
PAYMENT_CONTENTS = (
    "SELECT md5(string_agg(format('%s|%s|%s', id, paid_on, amount), ',' "
    "ORDER BY id, paid_on)) FROM payments"
)
