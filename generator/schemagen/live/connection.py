"""Connect to a live PostgreSQL database with psycopg 3; every failure becomes
one :class:`~schemagen.errors.DatabaseError` line without the password.

Every statement's wait for a lock is bounded by the project's ``lock_timeout``
(the setting the migrations use): a session holding ACCESS EXCLUSIVE on a table
makes a one-line error naming it and its holder (:mod:`.locks`), not a hang.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from ..config import DEFAULT_LOCK_TIMEOUT
from ..errors import DatabaseError
from ..util.urls import DatabaseUrl, parse, redact
from .locks import lock_holders, timeout_message


@contextmanager
def connect(
    url: str, *, lock_timeout: str = DEFAULT_LOCK_TIMEOUT
) -> Iterator[psycopg.Connection[Any]]:
    """Open a connection whose lock waits end after ``lock_timeout``; every failure
    becomes a one-line DatabaseError without the password."""
    parsed = parse(url)
    try:
        conn = psycopg.connect(make_conninfo("", **parsed.params))
        # Session-wide, committed: a rolled-back transaction would undo it.
        conn.execute("SELECT set_config('lock_timeout', %s, false)", (lock_timeout,))
        conn.commit()
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        reason = reason.removeprefix("connection failed: ")
        # redacted apart: a URL pattern run over "URL: reason" would take the colon
        raise DatabaseError(
            f"cannot connect to {parsed.masked()}: {redact(reason, parsed.password)}"
        ) from None
    try:
        yield conn
    except psycopg.errors.LockNotAvailable:
        raise DatabaseError(_lock_message(conn, parsed, lock_timeout)) from None
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())
        raise DatabaseError(
            redact(f"query failed on {parsed.describe()}: {reason}", parsed.password)
        ) from None
    finally:
        conn.close()


def _lock_message(conn: psycopg.Connection[Any], parsed: DatabaseUrl, lock_timeout: str) -> str:
    """The timeout's message, naming the sessions holding the blocking locks."""
    try:
        conn.rollback()
        holders, total = lock_holders(conn)
    except psycopg.Error:  # the connection went too: say what is known
        holders, total = [], 0
    return redact(timeout_message(parsed.describe(), lock_timeout, holders, total), parsed.password)
