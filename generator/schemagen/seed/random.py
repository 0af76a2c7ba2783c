"""Deterministic randomness in SQL: every value a pure function of (seed, column, row).

``hashint8extended(n, salt)`` is PostgreSQL's 64-bit hash of the row number
with a salt; its low 53 bits divided by 2^53 are a uniform number in [0, 1).
The salt comes from the seed and the column's name (SHA-256 here, in Python),
so the same seed gives the same rows whatever plan the server picks, and no
``setseed()`` state or row order is involved.
"""

from __future__ import annotations

import hashlib

from ..model.sqltext import sql_string

#: Seeded times spread over one year from here (fixed, so seeds repeat).
EPOCH = "timestamptz '2025-01-01 00:00:00+00'"

_MASK = (1 << 53) - 1
_SCALE = 1 << 53


def salt(seed: int, *parts: str) -> int:
    """A signed 64-bit salt for ``parts`` under ``seed`` (stable across runs and machines)."""
    text = "\x1f".join((str(seed), *parts)).encode("utf-8")
    value = int.from_bytes(hashlib.sha256(text).digest()[:8], "big")
    return value - (1 << 64) if value >= 1 << 63 else value


def uniform(salt_value: int, row: str = "n") -> str:
    """SQL: a uniform double precision in [0, 1) for the row number ``row``."""
    return f"((hashint8extended({row}, {salt_value}) & {_MASK})::float8 / {_SCALE}::float8)"


def below(count: int | str, salt_value: int, skew: float = 1.0, row: str = "n") -> str:
    """SQL: an integer in [0, count), skewed towards 0 when ``skew`` > 1.

    ``floor(count * u^skew)``: with skew 2 the first tenth of the range gets about
    a third of the rows (a few big stores, many small ones).
    """
    u = uniform(salt_value, row)
    shaped = u if skew == 1 else f"power({u}, {skew!r})"
    return f"floor({count}::float8 * {shaped})::bigint"


def pick(values: list[str], salt_value: int, skew: float = 1.0, row: str = "n") -> str:
    """SQL: one of ``values`` (SQL expressions), the first ones more often when skewed."""
    if len(values) == 1:
        return values[0]
    array = "ARRAY[" + ", ".join(values) + "]"
    return f"({array})[1 + {below(len(values), salt_value, skew, row)}]"


def pick_text(words: tuple[str, ...], salt_value: int, skew: float = 1.0, row: str = "n") -> str:
    """SQL: one of the strings ``words``."""
    return pick([sql_string(w) for w in words], salt_value, skew, row)
