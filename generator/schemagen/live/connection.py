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
from .locks import NOTHING_CHANGED, lock_holders, timeout_message

#: The session's application_name unless the URL gives one.
_NAMED = {"application_name": "schemagen"}


@contextmanager
def connect(
    url: str, *, lock_timeout: str = DEFAULT_LOCK_TIMEOUT, left: str = NOTHING_CHANGED
) -> Iterator[psycopg.Connection[Any]]:
    """Open a connection whose lock waits end after ``lock_timeout``; every failure
    becomes a one-line DatabaseError without the password. ``left``: what a lock
    timeout's message says the command's rolled-back work left behind."""
    parsed = parse(url)
    try:
        # named in pg_stat_activity, for the DBA who wonders whose session it is
        # (a URL's own application_name wins)
        conn = psycopg.connect(make_conninfo("", **{**_NAMED, **parsed.params}))
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
        raise DatabaseError(_lock_message(conn, parsed, lock_timeout, left)) from None
    except psycopg.Error as exc:
        raise DatabaseError(redact(_failure(conn, parsed, exc), parsed.password)) from None
    finally:
        conn.close()


def _failure(conn: psycopg.Connection[Any], parsed: DatabaseUrl, exc: psycopg.Error) -> str:
    """A failed statement's one line: a lost session or a canceled statement says
    what became of the work and what to do; any other failure, the server's words."""
    reason = " ".join(str(exc).split())
    where = parsed.describe()
    if conn.broken or isinstance(exc, psycopg.errors.AdminShutdown):
        # the server's first line, without the statement it was running
        said = " ".join((exc.diag.message_primary or str(exc)).split())
        return (
            f"lost the session on {where} before the command finished: {said}. The "
            "server rolled back its open transaction; rerun the command once the server "
            "accepts connections (its log says why the session ended)"
        )
    if isinstance(exc, psycopg.errors.QueryCanceled):
        return (
            f"query canceled on {where}: {reason}. Its open transaction was rolled "
            "back; rerun the command, after raising statement_timeout for this role "
            "or database if that is what ended it"
        )
    return f"query failed on {where}: {reason}"


def _lock_message(
    conn: psycopg.Connection[Any], parsed: DatabaseUrl, lock_timeout: str, left: str
) -> str:
    """The timeout's message, naming the sessions holding the blocking locks."""
    try:
        conn.rollback()
        holders, total = lock_holders(conn)
    except psycopg.Error:  # the connection went too: say what is known
        holders, total = [], 0
    message = timeout_message(parsed.describe(), lock_timeout, holders, total, left)
    return redact(message, parsed.password)
