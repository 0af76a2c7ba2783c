"""The ``VALIDATE CONSTRAINT`` step of a foreign key or check, and the error it
raises when rows break it.

Whether rows hold orphans, or keys partly NULL that a ``MATCH FULL`` key
refuses, only the database knows: a revision finds out at ``VALIDATE``, in an
online step, with the key already in place ``NOT VALID``. PostgreSQL's own
error names the constraint and one key value, not which rows nor what to do.
So the step catches it (nothing more runs when the key holds) and raises one
that names the key and its table, what is wrong with the rows, a query that
lists them and how to go on, with PostgreSQL's words as its DETAIL and its
SQLSTATE (``foreign_key_violation``) kept. A check's step does the same
(``check_violation``; PostgreSQL's "is violated by some row" names none).

A unique constraint built as a concurrent unique index has no such step to catch
(``CREATE INDEX CONCURRENTLY`` runs in no DO block, and its "could not create
unique index" names one key value): its rows are searched for repeated keys
first, and the error raised there says the same things.
"""

from __future__ import annotations

from ..model.schema import CheckConstraint, ForeignKey, Index, IndexKey, UniqueConstraint
from ..operations.keyrows import orphan_rows, partly_null_rows, repeated_key_rows, repeated_rows
from ..operations.sqlutil import quote_ident, quote_table, sql_literal

#: What a failed step says last, in the upgrade and in the downgrade alike.
_RERUN = (
    "then run the same alembic command again (until then the constraint is NOT VALID: "
    "rows written meanwhile are checked)"
)


def validate_foreign_key_sql(table: str, fk: ForeignKey) -> str:
    """``VALIDATE CONSTRAINT`` of ``fk`` on ``table``, raising the error above."""
    name = quote_ident(fk.name)
    where = f"cannot validate foreign key {fk.name} on {table}: rows hold {_columns(fk)} "
    half_null = ""
    if fk.match == "FULL" and len(fk.columns) > 1:
        half_null = (
            f"    IF EXISTS ({partly_null_rows(table, fk, 'SELECT FROM')}) THEN\n"
            + _raise(
                f"{where}partly NULL, which MATCH FULL refuses",
                f"list them with: {partly_null_rows(table, fk)}; set each such key all "
                f"NULL or give it every column, {_RERUN}",
                fk.name,
                "        ",
            )
            + "    END IF;\n"
        )
    orphans = _raise(
        f"{where}values that {fk.ref_table} does not have",
        f"list them with: {orphan_rows(table, fk)}; delete those rows, or set their key "
        f"NULL or to a row of {fk.ref_table}, {_RERUN}",
        fk.name,
    )
    return (
        "DO $schemagen$\nDECLARE\n    detail text;\nBEGIN\n"
        f"    ALTER TABLE {quote_table(table)} VALIDATE CONSTRAINT {name};\n"
        "EXCEPTION WHEN foreign_key_violation THEN\n"
        "    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;\n"
        f"{half_null}{orphans}END $schemagen$"
    )


def validate_check_sql(table: str, check: CheckConstraint) -> str:
    """``VALIDATE CONSTRAINT`` of ``check`` on ``table``, raising the error above."""
    rows = f"SELECT * FROM {quote_table(table)} WHERE NOT ({check.expression})"
    raise_ = _raise(
        f"cannot validate check {check.name} on {table}: rows break ({check.expression})",
        f"list them with: {rows}; change or delete those rows, {_RERUN}",
        check.name,
        errcode="check_violation",
    )
    return (
        "DO $schemagen$\nDECLARE\n    detail text;\nBEGIN\n"
        f"    ALTER TABLE {quote_table(table)} VALIDATE CONSTRAINT {quote_ident(check.name)};\n"
        "EXCEPTION WHEN check_violation THEN\n"
        "    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;\n"
        f"{raise_}END $schemagen$"
    )


def repeated_rows_sql(
    table: str, uq: UniqueConstraint, unless: str, held_by: UniqueConstraint | None = None
) -> str:
    """A DO block that raises, before ``uq``'s unique index is built, when rows of
    ``table`` repeat its columns (SQLSTATE ``unique_violation``, the constraint
    named), with a query that lists them; nothing when ``unless`` (SQL giving a
    boolean: the constraint is already in place) is true. ``held_by``: the
    constraint that holds meanwhile (a swap's old one)."""
    columns = f"({', '.join(uq.columns)})"
    until = (
        f" (until then {held_by.name} holds, over ({', '.join(held_by.columns)}))"
        if held_by is not None
        else ""
    )
    rows = repeated_rows(table, uq.columns)
    raise_ = _raise(
        f"cannot add unique {uq.name} to {table}: rows repeat {columns}",
        f"list them with: {rows}; change or delete those rows, then run the same "
        f"alembic command again{until}",
        uq.name,
        "        ",
        errcode="unique_violation",
        detail="its unique index was not built",
    )
    return (
        f"DO $schemagen$ BEGIN\n    IF NOT {unless} AND EXISTS ({rows}) THEN\n"
        f"{raise_}    END IF;\nEND $schemagen$"
    )


def repeated_index_rows_sql(table: str, ix: Index) -> str:
    """The same search before unique index ``ix`` is built (not a constraint, so
    none holds meanwhile): its keys as it compares them, columns or expressions,
    among the rows its ``WHERE`` holds for; the error names the index."""
    keys = ix.keys or tuple(IndexKey(column=c) for c in ix.columns)
    sql = tuple(
        quote_ident(k.column) if k.column is not None else f"({k.expression})" for k in keys
    )
    shown = ", ".join(k.column if k.column is not None else str(k.expression) for k in keys)
    rows = repeated_key_rows(table, sql, ix.where)
    raise_ = _raise(
        f"cannot build unique index {ix.name} on {table}: rows repeat ({shown})",
        f"list them with: {rows}; change or delete those rows, then run the same "
        "alembic command again",
        ix.name,
        "        ",
        errcode="unique_violation",
        detail="the index was not built",
    )
    return (
        f"DO $schemagen$ BEGIN\n    IF EXISTS ({rows}) THEN\n{raise_}    END IF;\nEND $schemagen$"
    )


def sequence_bounds_sql(sequence: str, bounds: list[tuple[str, int, int]]) -> str:
    """A DO block that raises, before ``ALTER SEQUENCE`` narrows the bounds of
    ``sequence`` (SQL giving its name, as ``pg_get_serial_sequence`` does), when
    its current value is already past a new one: PostgreSQL's own refusal
    ("RESTART value (150) cannot be greater than MAXVALUE (100)") names neither
    the sequence nor what to do. ``bounds``: (``MAXVALUE`` or ``MINVALUE``, was,
    now), as :func:`~schemagen.model.sequences.narrowed_bounds` gives them."""
    checks = []
    for bound, _, now in bounds:
        high = bound == "MAXVALUE"
        verb, past, beyond, key, side, reached = (
            ("lower", ">", "above", "max", "or above", "up to")
            if high
            else ("raise", "<", "below", "min", "or below", "down to")
        )
        message = f"cannot {verb} {bound} of sequence %s to {now}: its current value is %s"
        hint = (
            f"rows were numbered {reached} %s; keep {key}: at %s {side}, or, if no row keeps a "
            f"number {beyond} {now} any more, set the sequence back first with SELECT "
            "setval(%L, <the last number in use>), then run the same alembic command again"
        )
        checks.append(
            f"    IF current {past} {now} THEN\n"
            "        RAISE EXCEPTION USING ERRCODE = 'invalid_parameter_value',\n"
            f"            MESSAGE = format({sql_literal(message)}, seq, current),\n"
            f"            HINT = format({sql_literal(hint)}, current, current, seq::text);\n"
            "    END IF;\n"
        )
    return (
        f"DO $schemagen$\nDECLARE\n    seq regclass := {sequence};\n    current bigint;\n"
        "BEGIN\n    EXECUTE format('SELECT last_value FROM %s', seq) INTO current;\n"
        f"{''.join(checks)}END $schemagen$"
    )


def _columns(fk: ForeignKey) -> str:
    return f"({', '.join(fk.columns)})"


def _raise(
    message: str,
    hint: str,
    constraint: str,
    indent: str = "    ",
    errcode: str = "foreign_key_violation",
    detail: str | None = None,
) -> str:
    more = indent + "    "
    # a check violation has no DETAIL: then PostgreSQL's message alone
    details = (
        sql_literal(detail)
        if detail is not None
        else "SQLERRM || coalesce('. ' || nullif(detail, ''), '')"
    )
    return (
        f"{indent}RAISE EXCEPTION USING ERRCODE = '{errcode}', "
        f"CONSTRAINT = {sql_literal(constraint)},\n"
        f"{more}MESSAGE = {sql_literal(message)},\n"
        f"{more}DETAIL = {details},\n"
        f"{more}HINT = {sql_literal(hint)};\n"
    )
