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

from ..model.schema import (
    CheckConstraint,
    ForeignKey,
    Index,
    IndexKey,
    UniqueConstraint,
    quote_name,
)
from ..model.sqltext import do_block
from ..operations.keyrows import (
    orphan_rows,
    partly_null_rows,
    repeated_key_rows,
    repeated_rows,
    sorted_key_rows,
)
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
    return do_block(
        "\nDECLARE\n    detail text;\nBEGIN\n"
        f"    ALTER TABLE {quote_table(table)} VALIDATE CONSTRAINT {name};\n"
        "EXCEPTION WHEN foreign_key_violation THEN\n"
        "    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;\n"
        f"{half_null}{orphans}END "
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
    return do_block(
        "\nDECLARE\n    detail text;\nBEGIN\n"
        f"    ALTER TABLE {quote_table(table)} VALIDATE CONSTRAINT {quote_ident(check.name)};\n"
        "EXCEPTION WHEN check_violation THEN\n"
        "    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;\n"
        f"{raise_}END "
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
    return do_block(
        f" BEGIN\n    IF NOT {unless} AND EXISTS ({rows}) THEN\n{raise_}    END IF;\nEND "
    )


def repeated_index_rows_sql(table: str, ix: Index) -> str:
    """The same search before unique index ``ix`` is built (not a constraint, so
    none holds meanwhile): its keys as it compares them, columns or expressions,
    each under its collation of its own, among the rows its ``WHERE`` holds for;
    the error names the index.

    GROUP BY compares as a plain index does. A key with an operator class of its
    own compares with the class's equality, which only the database knows: the
    block looks up the class's ``<`` and ``=`` (btree strategies 1 and 3) and
    searches the rows sorted by them (:func:`sorted_key_rows`); NULLS NOT DISTINCT
    makes two NULLs equal (the same sorted search, with each operator the type's
    own). A class the database does not have is not searched for: the build names
    it."""
    keys = ix.keys or tuple(IndexKey(column=c) for c in ix.columns)
    sql = tuple(_key_sql(k) for k in keys)
    shown = ", ".join(k.column if k.column is not None else str(k.expression) for k in keys)
    opclasses = tuple(
        k.ops or (dict(ix.ops).get(k.column) if k.column is not None else None) for k in keys
    )
    message = f"cannot build unique index {ix.name} on {table}: rows repeat ({shown})"
    fix = "; change or delete those rows, then run the same alembic command again"
    if not any(opclasses):
        if not ix.nulls_not_distinct:
            rows = repeated_key_rows(table, sql, ix.where)
        else:
            plain: tuple[tuple[str, str] | None, ...] = tuple(None for _ in keys)
            rows = sorted_key_rows(table, sql, plain, ix.where, nulls_distinct=False)
        raise_ = _raise(
            message,
            f"list them with: {rows}{fix}",
            ix.name,
            "        ",
            errcode="unique_violation",
            detail="the index was not built",
        )
        return do_block(f" BEGIN\n    IF EXISTS ({rows}) THEN\n{raise_}    END IF;\nEND ")
    found: list[str] = []
    operators: list[tuple[str, str] | None] = []
    for ops in opclasses:
        if ops is None:
            operators.append(None)
            continue
        found += [_class_operator(ops, 1), _class_operator(ops, 3)]
        operators.append((f"%{len(found) - 1}$s", f"%{len(found)}$s"))
    template = sorted_key_rows(
        table,
        sql,
        tuple(operators),
        ix.where,
        nulls_distinct=not ix.nulls_not_distinct,
        for_format=True,
    )
    listed = ",\n            ".join(found)
    return do_block(
        "\nDECLARE\n"
        f"    ops text[] := ARRAY[\n            {listed}];\n"
        "    rows text;\n    found boolean;\nBEGIN\n"
        "    -- a class the database does not have: the build names it\n"
        "    IF array_position(ops, NULL) IS NULL THEN\n"
        f"        rows := format({sql_literal(template)}, VARIADIC ops);\n"
        "        EXECUTE 'SELECT EXISTS (' || rows || ')' INTO found;\n"
        "    END IF;\n"
        "    IF found THEN\n"
        "        RAISE EXCEPTION USING ERRCODE = 'unique_violation', "
        f"CONSTRAINT = {sql_literal(ix.name)},\n"
        f"            MESSAGE = {sql_literal(message)},\n"
        "            DETAIL = 'the index was not built',\n"
        f"            HINT = 'list them with: ' || rows || {sql_literal(fix)};\n"
        "    END IF;\nEND "
    )


def _key_sql(key: IndexKey) -> str:
    """A key as the search compares it: the column or the expression in
    parentheses, under the key's collation of its own."""
    text = quote_ident(key.column) if key.column is not None else f"({key.expression})"
    return f"{text} COLLATE {quote_name(key.collation)}" if key.collation else text


def _class_operator(ops: str, strategy: int) -> str:
    """SQL giving btree operator class ``ops``'s operator of ``strategy`` (1: ``<``,
    3: ``=``) as ``OPERATOR(schema.op)``, NULL where the database has no such
    class: the one the build would take, schema-qualified or visible."""
    parts = [p[1:-1].replace('""', '"') if p.startswith('"') else p.lower() for p in ops.split(".")]
    where = f"c.opcname = {sql_literal(parts[-1])}"
    where += (
        f" AND c.opcnamespace = to_regnamespace({sql_literal(quote_ident(parts[0]))})"
        if len(parts) > 1
        else " AND pg_opclass_is_visible(c.oid)"
    )
    return (
        "(SELECT format('OPERATOR(%I.%s)', n.nspname, o.oprname) FROM pg_opclass c "
        "JOIN pg_am a ON a.oid = c.opcmethod AND a.amname = 'btree' "
        "JOIN pg_amop m ON m.amopfamily = c.opcfamily AND m.amoplefttype = c.opcintype "
        f"AND m.amoprighttype = c.opcintype AND m.amopstrategy = {strategy} "
        "JOIN pg_operator o ON o.oid = m.amopopr JOIN pg_namespace n ON n.oid = o.oprnamespace "
        f"WHERE {where} LIMIT 1)"
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
    return do_block(
        f"\nDECLARE\n    seq regclass := {sequence};\n    current bigint;\n"
        "BEGIN\n    EXECUTE format('SELECT last_value FROM %s', seq) INTO current;\n"
        f"{''.join(checks)}END "
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
