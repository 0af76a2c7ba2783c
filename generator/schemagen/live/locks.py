"""Who holds the lock a command gave up waiting for (``lock_timeout``).

Reading the catalog takes no table lock, but the server's printers of stored
expressions (``pg_get_expr``, ``pg_get_indexdef``, ``pg_get_constraintdef``)
open the table they print for, under ACCESS SHARE, so ``check --database`` and
``import`` wait behind a session holding ACCESS EXCLUSIVE (an open transaction
after ``ALTER TABLE`` or ``LOCK TABLE``), as a seed's inserts do behind any
write lock. :func:`~schemagen.live.connection.connect` bounds every wait with
the project's ``lock_timeout``; on the timeout the statement's own wait is gone,
so :func:`lock_holders` lists the locks other sessions hold now that block a
reader or a writer, the strongest first, for the message to name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from ..model.naming import catalog_key

#: Relation locks that block some read or write of a table (SHARE and stronger:
#: weaker ones block only DDL, which these commands do not wait for), strongest
#: first; only ACCESS EXCLUSIVE blocks a plain read.
_BLOCKING_MODES = (
    "AccessExclusiveLock",
    "ExclusiveLock",
    "ShareRowExclusiveLock",
    "ShareLock",
)

#: Granted locks of other sessions on relations of this database that others can
#: see, with what pg_stat_activity shows of their session (NULL where the role may
#: not see it).
_HOLDERS_SQL = """
SELECT n.nspname, c.relname, c.relkind, l.relation, l.mode, l.pid, a.state,
       a.application_name,
       to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
       to_char(a.query_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
FROM pg_locks l
LEFT JOIN pg_stat_activity a ON a.pid = l.pid
JOIN pg_class c ON c.oid = l.relation  -- not one another transaction is creating
LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE l.locktype = 'relation' AND l.granted AND l.pid IS DISTINCT FROM pg_backend_pid()
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.mode = ANY(%s)
ORDER BY array_position(%s, l.mode::text), a.xact_start, l.pid, n.nspname, c.relname
LIMIT %s
"""

_KINDS = {
    "r": "table",
    "p": "table",
    "i": "index",
    "I": "index",
    "S": "sequence",
    "v": "view",
    "m": "materialized view",
}

#: Sessions named in one message, and locks named of each; more are counted.
_SHOWN = 3


@dataclass(frozen=True)
class LockHolder:
    """Another session holding blocking locks, and what is known of it."""

    pid: int | None  # None: a prepared transaction
    locks: tuple[str, ...]  # "ACCESS EXCLUSIVE on table public.products", strongest first
    state: str | None
    application: str | None
    transaction_start: str | None  # UTC
    query_start: str | None  # UTC

    def describe(self) -> str:
        """``session pid 42 (idle in transaction, ...) holds ACCESS EXCLUSIVE on table ...``."""
        held = ", ".join(self.locks[:_SHOWN])
        if len(self.locks) > _SHOWN:
            held += f" and {len(self.locks) - _SHOWN} more"
        if self.pid is None:
            return f"a prepared transaction (see pg_prepared_xacts) holds {held}"
        about = [self.state or "its state hidden from this role"]
        if self.application:
            about.append(f"application {self.application!r}")
        if self.transaction_start:
            about.append(f"transaction started {self.transaction_start} UTC")
        if self.query_start:
            about.append(f"last query started {self.query_start} UTC")
        return f"session pid {self.pid} ({', '.join(about)}) holds {held}"


def lock_holders(conn: psycopg.Connection[Any]) -> tuple[list[LockHolder], int]:
    """The sessions holding blocking locks, the strongest lock's and the oldest first
    (at most a few), and how many there are in all; ``conn`` must be outside a failed
    transaction (the caller rolls it back). Reads views only: takes no lock."""
    with conn.cursor() as cur:
        cur.execute(_HOLDERS_SQL, (list(_BLOCKING_MODES), list(_BLOCKING_MODES), 1000))
        rows = cur.fetchall()
    conn.rollback()
    sessions: dict[int | None, list[tuple[Any, ...]]] = {}
    for row in rows:
        sessions.setdefault(row[5], []).append(row)
    holders = [_holder(pid, held) for pid, held in list(sessions.items())[:_SHOWN]]
    return holders, len(sessions)


def _holder(pid: int | None, rows: list[tuple[Any, ...]]) -> LockHolder:
    _, _, _, _, _, _, state, app, xact, query = rows[0]
    locks = tuple(
        f"{_words(mode)} on {_KINDS.get(kind, 'relation')} {catalog_key(schema, name)}"
        for schema, name, kind, _, mode, *_ in rows
    )
    return LockHolder(
        pid=pid,
        locks=locks,
        state=state,
        application=app or None,
        transaction_start=xact,
        query_start=query,
    )


def _words(mode: str) -> str:
    """``AccessExclusiveLock`` -> ``ACCESS EXCLUSIVE`` (as LOCK TABLE spells it)."""
    name = mode.removesuffix("Lock")
    return "".join(f" {ch}" if ch.isupper() and i else ch for i, ch in enumerate(name)).upper()


#: What a timed-out command left, for one that writes nothing (check, import).
NOTHING_CHANGED = "Nothing was changed"


def timeout_message(
    where: str,
    lock_timeout: str,
    holders: list[LockHolder],
    total: int,
    left: str = NOTHING_CHANGED,
) -> str:
    """The one-line error for a statement that waited ``lock_timeout`` for a lock;
    ``left`` says what the command's rolled-back work left behind."""
    head = f"waited lock_timeout ({lock_timeout}) for a lock on {where} and gave up"
    if not holders:
        named = (
            "no session holds a blocking table lock now (the holder has finished, or "
            "the wait was for a row another transaction is writing)"
        )
    else:
        named = "; ".join(h.describe() for h in holders)
        if total > len(holders):
            named += f"; and {total - len(holders)} more sessions (see pg_locks)"
    pids = [h.pid for h in holders if h.pid is not None]
    end = f" (SELECT pg_terminate_backend({pids[0]}))" if len(pids) == 1 else ""
    return (
        f"{head}: {named}. {left}: rerun when that transaction has ended, "
        f"end it{end}, or raise lock_timeout in [tool.schemagen] of pyproject.toml "
        '("0" waits for ever)'
    )
