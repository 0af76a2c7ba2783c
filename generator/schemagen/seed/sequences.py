"""Move an identity or serial sequence past the rows a table already holds.

Rows written with their own ids (a restore, a fixture, ``OVERRIDING SYSTEM
VALUE``) leave the column's sequence where it was, and the first row ``seed
--append`` lets the sequence number collides with them. Only a sequence the rows
are beyond is moved, and only forward.
"""

from __future__ import annotations

from typing import Any

import psycopg

from ..model.schema import Schema
from .values import ident, qualified_ident

_SEQUENCE_SQL = """
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       CASE WHEN n.nspname = current_schema() THEN '' ELSE n.nspname || '.' END || c.relname,
       s.seqincrement
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_sequence s ON s.seqrelid = c.oid
WHERE c.oid = pg_get_serial_sequence(%s, %s)::regclass
"""


def move_sequences(
    conn: psycopg.Connection[Any], schema: Schema, existing: dict[str, int]
) -> list[str]:
    """setval each identity or serial sequence of a table holding rows to the
    column's largest value where that value is not behind the sequence; one line
    per sequence moved, ordered by table."""
    moved = []
    for ent in sorted(schema.entities, key=lambda e: e.table):
        if not existing.get(ent.table):
            continue
        for col in ent.columns:
            if not (col.identity or col.serial):
                continue
            found = conn.execute(_SEQUENCE_SQL, (qualified_ident(ent.table), col.name)).fetchone()
            if found is None or found[2] <= 0:
                continue  # a descending sequence numbers below the rows, not into them
            sequence, shown, increment = found
            row = conn.execute(
                f"SELECT m, CASE WHEN s.is_called THEN s.last_value + %s ELSE s.last_value END"
                f" FROM (SELECT max({ident(col.name)}) AS m FROM {qualified_ident(ent.table)}) t,"
                f" {sequence} s",
                (increment,),
            ).fetchone()
            if row is None or row[0] is None or row[0] < row[1]:
                continue
            conn.execute("SELECT setval(%s::regclass, %s)", (sequence, row[0]))
            moved.append(
                f"moved sequence {shown} to {row[0]}: {ent.table}.{col.name} holds up to {row[0]}"
            )
    return moved
