"""Connect to a live PostgreSQL database with psycopg 3; every failure becomes
one :class:`~schemagen.errors.DatabaseError` line without the password.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from ..errors import DatabaseError
from ..util.urls import parse, redact


@contextmanager
def connect(url: str) -> Iterator[psycopg.Connection[Any]]:
    """Open a connection; every failure becomes a one-line DatabaseError without the password."""
    parsed = parse(url)
    try:
        conn = psycopg.connect(make_conninfo("", **parsed.params))
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        reason = reason.removeprefix("connection failed: ")
        # redacted apart: a URL pattern run over "URL: reason" would take the colon
        raise DatabaseError(
            f"cannot connect to {parsed.masked()}: {redact(reason, parsed.password)}"
        ) from None
    try:
        yield conn
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())
        raise DatabaseError(
            redact(f"query failed on {parsed.describe()}: {reason}", parsed.password)
        ) from None
    finally:
        conn.close()
