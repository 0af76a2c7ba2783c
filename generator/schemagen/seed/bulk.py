"""Fill an empty table the way pg_restore does: rows first, keys and indexes after.

Growing a B-tree row by row costs a random page visit per row, and a foreign
key checks its parent once per row through a trigger. Built after the load, a
key is one sort and a foreign key one join. So, inside the seed's single
transaction, an empty table that gets many rows loses its plain indexes, its
primary and unique keys, its foreign keys and the foreign keys that point at
it; the rows go in; then everything is created again from the server's own
definitions (``pg_get_indexdef``, ``pg_get_constraintdef``), under the same
names, with the same comments. A failure anywhere rolls the whole seed back,
so the schema is never left without a constraint; a key the rows break fails
exactly as the insert would have.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg

from ..model.sqltext import sql_string
from .plan import SeedError
from .values import ident

#: The table's plain indexes (those that back no constraint), with their comments.
_INDEXES = """
SELECT c.relname, pg_get_indexdef(i.indexrelid), obj_description(i.indexrelid, 'pg_class')
FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid
WHERE i.indrelid = %(t)s::regclass
  AND NOT EXISTS (SELECT 1 FROM pg_constraint AS k WHERE k.conindid = i.indexrelid)
ORDER BY 1
"""

#: Keys of the table, its foreign keys, and the foreign keys of other tables that
#: point at it, in the order they can be created again (keys before references).
_CONSTRAINTS = """
SELECT k.conrelid::regclass::text, k.conname, pg_get_constraintdef(k.oid),
       obj_description(k.oid, 'pg_constraint')
FROM pg_constraint AS k
WHERE (k.conrelid = %(t)s::regclass AND k.contype IN ('p', 'u', 'f'))
   OR (k.confrelid = %(t)s::regclass AND k.contype = 'f' AND k.conrelid <> k.confrelid)
ORDER BY CASE WHEN k.contype = 'f' THEN 1 ELSE 0 END, k.conrelid <> %(t)s::regclass, 2
"""


@dataclass(frozen=True)
class _Detached:
    """One object taken off a table, and the statements that bring it back."""

    drop: str
    create: str
    comment: str | None


def load_empty_table(
    conn: psycopg.Connection[Any], table: str, insert: Callable[[], None]
) -> None:
    """Run ``insert`` (which fills the empty ``table``) with the table's indexes,
    keys and foreign keys taken off and created again afterwards."""
    detached = _detach(conn, table)
    # Dropped in reverse creation order: references before the keys they need.
    for item in reversed(detached):
        conn.execute(item.drop)  # type: ignore[arg-type]
    insert()
    for item in detached:
        execute(conn, table, item.create)
        if item.comment is not None:
            conn.execute(item.comment)  # type: ignore[arg-type]


def _detach(conn: psycopg.Connection[Any], table: str) -> list[_Detached]:
    items = []
    for owner, name, definition, comment in conn.execute(
        _CONSTRAINTS, {"t": ident(table)}
    ).fetchall():
        on = f"ALTER TABLE {owner} "  # regclass text is already quoted as needed
        items.append(
            _Detached(
                drop=on + f"DROP CONSTRAINT {ident(name)}",
                create=on + f"ADD CONSTRAINT {ident(name)} {definition}",
                comment=None
                if comment is None
                else f"COMMENT ON CONSTRAINT {ident(name)} ON {owner} IS {sql_string(comment)}",
            )
        )
    for name, definition, comment in conn.execute(_INDEXES, {"t": ident(table)}).fetchall():
        items.append(
            _Detached(
                drop=f"DROP INDEX {ident(name)}",
                create=definition,
                comment=None
                if comment is None
                else f"COMMENT ON INDEX {ident(name)} IS {sql_string(comment)}",
            )
        )
    return items


def execute(conn: psycopg.Connection[Any], table: str, statement: str) -> None:
    """Run one statement of the seed; a server error becomes a SeedError naming the table."""
    try:
        conn.execute(statement)  # type: ignore[arg-type]
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())
        raise SeedError(f"seeding {table} failed: {reason}") from None
