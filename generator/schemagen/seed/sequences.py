"""Move an identity or serial sequence past the rows a table already holds, and
make sure it has numbers left for the rows asked.

Rows written with their own ids (a restore, a fixture, ``OVERRIDING SYSTEM
VALUE``) leave the column's sequence where it was, and the first row ``seed
--append`` lets the sequence number collides with them. Only a sequence the rows
are beyond is moved, and only forward; one whose MAXVALUE the rows are past
already cannot number a new row, which seed says rather than fail in setval.
A setval is not rolled back, so the moves are read first and made only once
every refusal made before the first insert is past: a refused seed leaves every
sequence where it stood.

A sequence that cannot number every row asked (its MAXVALUE, or its type's range,
reached before) would fail mid-seed ('nextval: reached maximum value'), having
spent its numbers: seed refuses before the first insert, naming each table, its
sequence, the room left and the rows asked. It refuses rather than insert fewer
rows, since the rows asked are what the user wants to measure or test with.
"""

from __future__ import annotations

from typing import Any

import psycopg

from ..model.schema import Schema
from .refusals import SeedError
from .values import ident, qualified_ident

_SEQUENCE_SQL = """
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       CASE WHEN n.nspname = current_schema() THEN '' ELSE n.nspname || '.' END || c.relname,
       s.seqincrement,
       s.seqmax,
       s.seqmin,
       s.seqcycle
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_sequence s ON s.seqrelid = c.oid
WHERE c.oid = pg_get_serial_sequence(%s, %s)::regclass
"""


def sequence_moves(
    conn: psycopg.Connection[Any], schema: Schema, existing: dict[str, int]
) -> dict[str, int]:
    """The value to setval each identity or serial sequence of a table holding rows
    to (the column's largest value, where that value is not behind the sequence),
    by the sequence's quoted name, read and not yet made: a setval is not rolled
    back, so it is made once every refusal up front is past (:func:`move_sequences`);
    until then :func:`check_room` and :func:`upcoming_numbers` read the sequence
    where it will stand."""
    moves = {}
    for ent in sorted(schema.entities, key=lambda e: e.table):
        if not existing.get(ent.table):
            continue
        for col in ent.columns:
            if not (col.identity or col.serial):
                continue
            found = conn.execute(_SEQUENCE_SQL, (qualified_ident(ent.table), col.name)).fetchone()
            if found is None or found[2] <= 0:
                continue  # a descending sequence numbers below the rows, not into them
            sequence, shown, increment, maximum = found[:4]
            row = conn.execute(
                f"SELECT m, CASE WHEN s.is_called THEN s.last_value + %s ELSE s.last_value END"
                f" FROM (SELECT max({ident(col.name)}) AS m FROM {qualified_ident(ent.table)}) t,"
                f" {sequence} s",
                (increment,),
            ).fetchone()
            if row is None or row[0] is None or row[0] < row[1]:
                continue
            if row[0] > maximum:
                # setval would fail with "value ... is out of bounds for sequence"
                raise SeedError(
                    f"cannot append to {ent.table}: {ent.table}.{col.name} holds up to "
                    f"{row[0]}, past the MAXVALUE {maximum} of its sequence {shown}, so no new "
                    f"row can be numbered; raise the sequence's max: to {row[0]} or more (or "
                    f"delete the rows above {maximum}), then seed again"
                )
            moves[sequence] = int(row[0])
    return moves


def move_sequences(
    conn: psycopg.Connection[Any], schema: Schema, moves: dict[str, int]
) -> list[str]:
    """setval each sequence of ``moves`` (see :func:`sequence_moves`); one line per
    sequence moved, ordered by table."""
    moved = []
    for ent in sorted(schema.entities, key=lambda e: e.table):
        for col in ent.columns:
            if not (col.identity or col.serial):
                continue
            found = conn.execute(_SEQUENCE_SQL, (qualified_ident(ent.table), col.name)).fetchone()
            if found is None or found[0] not in moves:
                continue
            sequence, shown = found[:2]
            conn.execute("SELECT setval(%s::regclass, %s)", (sequence, moves[sequence]))
            moved.append(
                f"moved sequence {shown} to {moves[sequence]}: {ent.table}.{col.name} holds "
                f"up to {moves[sequence]}"
            )
    return moved


def check_room(
    conn: psycopg.Connection[Any], schema: Schema, wanted: dict[str, int], moves: dict[str, int]
) -> None:
    """SeedError, before any insert, when an identity or serial sequence (not a
    cycling one) cannot number the rows ``wanted`` of its table from where it is,
    or where ``moves`` will set it (see :func:`sequence_moves`)."""
    short = []
    for ent in sorted(schema.entities, key=lambda e: e.table):
        rows = wanted.get(ent.table, 0)
        if rows <= 0:
            continue
        for col in ent.columns:
            if not (col.identity or col.serial):
                continue
            found = conn.execute(_SEQUENCE_SQL, (qualified_ident(ent.table), col.name)).fetchone()
            if found is None or found[5]:
                continue
            sequence, shown, increment, maximum, minimum, _ = found
            last, called = _state(conn, sequence, moves)
            # (in Python: last_value + increment may be past bigint)
            upcoming = last + increment if called else last
            if increment > 0:
                room, bound = max(0, (maximum - upcoming) // increment + 1), f"MAXVALUE {maximum}"
            else:
                room, bound = max(0, (upcoming - minimum) // -increment + 1), f"MINVALUE {minimum}"
            if rows > room:
                short.append(
                    f"cannot seed {ent.table}: its sequence {shown} numbers "
                    f"{ent.table}.{col.name} up to its {bound}, room for {room} more "
                    f"row{'' if room == 1 else 's'}, and {rows} are asked"
                )
    if short:
        raise SeedError(
            "; ".join(short) + ". Ask for fewer (--rows-per TABLE=N) or raise the "
            "sequence's max (a serial's sequence: {max: N}, an identity's identity: "
            "{max: N}), then seed again"
        )


def upcoming_numbers(
    conn: psycopg.Connection[Any], table: str, column: str, moves: dict[str, int]
) -> tuple[str, int, int] | None:
    """(the sequence as named, the next number it gives, its increment) of an identity
    or serial column that does not cycle, read before any insert (where ``moves``
    will set it); else None."""
    found = conn.execute(_SEQUENCE_SQL, (qualified_ident(table), column)).fetchone()
    if found is None or found[5]:
        return None
    sequence, shown, increment = found[:3]
    last, called = _state(conn, sequence, moves)
    return shown, last + increment if called else last, increment


def _state(conn: psycopg.Connection[Any], sequence: str, moves: dict[str, int]) -> tuple[int, bool]:
    """(last_value, is_called) of ``sequence``, as ``moves`` will set it if it does."""
    if sequence in moves:
        return moves[sequence], True
    state = conn.execute(f"SELECT last_value, is_called FROM {sequence}").fetchone()  # type: ignore[arg-type]
    assert state is not None
    return int(state[0]), bool(state[1])
