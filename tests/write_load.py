"""A writer that keeps inserting and updating rows while a migration runs, and
measures how long each of its statements waited: the longest write stall.

Shared by the under-load test (tests/revision/test_under_load.py) and the
benchmark (benchmarks/lock_stalls.py). The table it writes is ``products`` as
:data:`SETUP` makes it; every row it writes satisfies the constraints the
migrations add (an existing store, a non-negative price, a unique sku).
"""

from __future__ import annotations

import threading
import time
from types import TracebackType

import psycopg

SETUP = """
INSERT INTO stores (id) VALUES (1), (2);
INSERT INTO products (id, store_id, sku, price, note)
SELECT g, 1 + g % 2, 'sku-' || g, g % 1000, CASE WHEN g % 10 = 0 THEN NULL ELSE 'n' END
FROM generate_series(1, {rows}) g;
ANALYZE products;
"""


class Writer:
    """A thread that inserts a row and updates another, each in its own transaction,
    until stopped; :attr:`longest` is the longest time one statement took."""

    def __init__(self, conninfo: str, first_id: int) -> None:
        self.conninfo = conninfo
        self.next_id = first_id
        self.longest = 0.0
        self.writes = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Writer:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(60)

    def _run(self) -> None:
        try:
            with psycopg.connect(self.conninfo, autocommit=True) as conn:
                while not self._stop.is_set():
                    self._timed(
                        conn,
                        "INSERT INTO products (id, store_id, sku, price, note) "
                        "VALUES (%s, 1, %s, 1, 'w')",
                        (self.next_id, f"w-{self.next_id}"),
                    )
                    self._timed(
                        conn,
                        "UPDATE products SET price = price + 1 WHERE id = %s",
                        (self.next_id // 7 + 1,),
                    )
                    self.next_id += 1
        except BaseException as exc:  # noqa: BLE001 - reported to the test thread
            self.error = exc

    def _timed(self, conn: psycopg.Connection[object], sql: str, args: tuple[object, ...]) -> None:
        started = time.monotonic()
        conn.execute(sql, args)  # type: ignore[arg-type]
        self.longest = max(self.longest, time.monotonic() - started)
        self.writes += 1


BEFORE = """\
database:
  name: load
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: bigint}
      sku: {type: string, length: 32, nullable: true}
      price: {type: integer}
      note: {type: text, nullable: true}
"""

#: Every lock-safe recipe at once: a foreign key, a unique constraint, SET NOT
#: NULL, a check and a concurrent index on a table that holds rows.
AFTER = """\
database:
  name: load
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store}
      sku: {type: string, length: 32, unique: true}
      price: {type: integer}
      note: {type: text, nullable: true}
    checks:
      ck_products_price: "price >= 0"
    indexes:
      ix_products_note: [note]
"""
