"""How volatile PostgreSQL's own functions are: ``pg_proc.provolatile``, captured.

``ALTER TABLE ... ADD COLUMN ... DEFAULT <expr>`` stores a default that is not
volatile once, in the catalog (PostgreSQL 11+); a volatile one (``random()``,
``gen_random_uuid()``, ``clock_timestamp()``, ``nextval()``) is evaluated for
every row, which rewrites the table under ACCESS EXCLUSIVE. PostgreSQL decides
this from the ``provolatile`` of each function the expression calls. ``migrate``
runs without a database, so the answer for the functions of ``pg_catalog`` is
``pg_proc`` of a real PostgreSQL 15 server, captured by
``tests/model/test_volatility.py`` into ``pg_volatility.json`` (rerun it with
``--update-golden`` to capture it again). A name with several overloads takes
its most volatile one.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Literal

Volatility = Literal["immutable", "stable", "volatile"]
VOLATILITIES: tuple[Volatility, ...] = ("immutable", "stable", "volatile")
VOLATILITY_FILE = "pg_volatility.json"


@functools.cache
def _table() -> dict[str, Volatility]:
    text = resources.files(__package__).joinpath(VOLATILITY_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    return {name: kind for kind in VOLATILITIES for name in data[kind]}


def builtin_volatility(name: str) -> Volatility | None:
    """The volatility of ``pg_catalog`` function ``name`` (its most volatile
    overload), or ``None`` when PostgreSQL has no such built-in function."""
    return _table().get(name)
