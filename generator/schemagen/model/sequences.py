"""Standalone sequences: PostgreSQL's defaults for their options, and their DDL text.

A :class:`~schemagen.model.schema.DbSequence` keeps only what the YAML said;
``pg_sequences`` shows every option. :func:`effective` fills in what PostgreSQL
would, so the live comparison compares like with like, and :func:`create_sql`
is the one ``CREATE SEQUENCE`` text that revisions run.
"""

from __future__ import annotations

import re

from .schema import Column, DbSequence, IdentityOptions, SequenceOptions

#: ``type: serial`` and its kin, as PostgreSQL spells them -> the integer kind.
SERIAL_TYPES = {"smallserial": "smallint", "serial": "integer", "bigserial": "bigint"}

TYPE_RANGES: dict[str, tuple[int, int]] = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}

#: ``nextval('name')``, ``nextval('public.name'::regclass)`` in a default.
NEXTVAL = re.compile(r"nextval\s*\(\s*'(?:\"?public\"?\.)?\"?([^'\"]+)\"?'", re.IGNORECASE)


def effective(seq: DbSequence) -> tuple[str, int, int, int, int, bool, int]:
    """(type, start, increment, min, max, cycle, cache) as ``pg_sequences`` shows them."""
    low, high = TYPE_RANGES[seq.data_type]
    increment = seq.increment or 1
    minimum = seq.min_value if seq.min_value is not None else (1 if increment > 0 else low)
    maximum = seq.max_value if seq.max_value is not None else (high if increment > 0 else -1)
    start = seq.start if seq.start is not None else (minimum if increment > 0 else maximum)
    return (seq.data_type, start, increment, minimum, maximum, seq.cycle, seq.cache or 1)


def narrowed_bounds(old: DbSequence, new: DbSequence) -> list[tuple[str, int, int]]:
    """The bounds ``new`` narrows from ``old``, as (``MAXVALUE`` or ``MINVALUE``, was,
    now): a lower maximum, a higher minimum. ``ALTER SEQUENCE`` fails where the
    current value is past one (PostgreSQL: "RESTART value ... cannot be greater
    than MAXVALUE"), which only the database knows."""
    _, _, _, old_min, old_max, _, _ = effective(old)
    _, _, _, new_min, new_max, _, _ = effective(new)
    found = [("MAXVALUE", old_max, new_max)] if new_max < old_max else []
    return found + ([("MINVALUE", old_min, new_min)] if new_min > old_min else [])


def identity_sequence_of(col: Column) -> DbSequence:
    """An identity column's options as its sequence (PostgreSQL's defaults for none)."""
    return (col.identity_options or IdentityOptions()).sequence("", col.type.kind)


def option_problem(seq: DbSequence) -> str | None:
    """Why PostgreSQL would refuse the sequence's options, or None."""
    if seq.increment == 0:
        return "increment must not be 0"
    low, high = TYPE_RANGES[seq.data_type]
    _, start, _, minimum, maximum, _, _ = effective(seq)
    for label, value in (("min", minimum), ("max", maximum), ("start", start)):
        if not low <= value <= high:
            return f"{label} {value} is out of range for {seq.data_type} ({low} to {high})"
    if minimum >= maximum:
        return f"min {minimum} must be below max {maximum}"
    if not minimum <= start <= maximum:
        return f"start {start} is not between min {minimum} and max {maximum}"
    return None


def options_sql(seq: DbSequence) -> str:
    """The options the YAML gave, as ``CREATE``/``ALTER SEQUENCE`` words."""
    words = [f"AS {seq.data_type}"]
    if seq.start is not None:
        words.append(f"START WITH {seq.start}")
    if seq.increment is not None:
        words.append(f"INCREMENT BY {seq.increment}")
    if seq.min_value is not None:
        words.append(f"MINVALUE {seq.min_value}")
    if seq.max_value is not None:
        words.append(f"MAXVALUE {seq.max_value}")
    if seq.cache is not None:
        words.append(f"CACHE {seq.cache}")
    if seq.cycle:
        words.append("CYCLE")
    return " ".join(words)


def alter_sql(new: DbSequence) -> str:
    """``ALTER SEQUENCE`` options that make a sequence ``new`` (every option said
    outright, the defaults included, so nothing of the old options stays). The
    current value is kept: only ``START WITH`` (what ``RESTART`` goes back to) changes."""
    kind, start, increment, minimum, maximum, cycle, cache = effective(new)
    return (
        f"AS {kind} INCREMENT BY {increment} MINVALUE {minimum} MAXVALUE {maximum} "
        f"START WITH {start} CACHE {cache} {'CYCLE' if cycle else 'NO CYCLE'}"
    )


def nextval_names(sql: str) -> list[str]:
    """The sequences that ``nextval(...)`` calls in ``sql`` name."""
    return NEXTVAL.findall(sql)


def renamed_in_nextval(sql: str, old: str, new: str) -> str:
    """``sql`` with each ``nextval('old')`` naming sequence ``new`` instead (a
    sequence moved to another schema); an unqualified ``old`` matches ``public.old`` too."""
    public = "" if "." in old else r"(?:\"?public\"?\.)?"
    pattern = rf"(nextval\s*\(\s*'){public}{re.escape(old)}(')"
    return re.sub(pattern, lambda m: f"{m.group(1)}{new}{m.group(2)}", sql, flags=re.IGNORECASE)


def identity_kwargs(options: IdentityOptions | None) -> list[tuple[str, str]]:
    """``Identity(...)`` keyword arguments (SQLAlchemy's names) for an identity's options."""
    if options is None:
        return []
    pairs: list[tuple[str, object]] = [
        ("always", True if options.always else None),
        ("start", options.start),
        ("increment", options.increment),
        ("minvalue", options.min_value),
        ("maxvalue", options.max_value),
        ("cycle", True if options.cycle else None),
        ("cache", options.cache),
    ]
    return [(key, str(value)) for key, value in pairs if value is not None]


def identity_sql(options: IdentityOptions | None, sequence: str | None = None) -> str:
    """``GENERATED ALWAYS AS IDENTITY (START WITH 10)``: an identity as DDL says it;
    ``sequence``: its sequence's name where it is not ``<table>_<column>_seq``
    (``SEQUENCE NAME app.orders_id_seq``, qualified as its table is)."""
    when = "ALWAYS" if options is not None and options.always else "BY DEFAULT"
    text = f"GENERATED {when} AS IDENTITY"
    named = f"SEQUENCE NAME {_qualified(sequence)}" if sequence is not None else ""
    words = ""
    if options is not None:
        words = options_sql(options.sequence("", "bigint")).removeprefix("AS bigint").strip()
    words = " ".join(w for w in (named, words) if w)
    return f"{text} ({words})" if words else text


def identity_rename_sql(table: str, col: Column) -> str:
    """Give identity column ``col`` of ``table`` its sequence's own name once
    ``CREATE TABLE`` or ``ADD COLUMN`` made it under PostgreSQL's (SQLAlchemy's
    ``Identity()`` cannot name it): found by ``pg_get_serial_sequence``, not by the
    name PostgreSQL would give it, which it does not take when another relation has."""
    from .sqltext import do_block, quote_name

    assert col.sequence_name is not None
    where = ".".join(quote_name(part) for part in table.split("."))
    found = f"pg_get_serial_sequence({_literal(where)}, {_literal(col.name)})"
    rename = f"format('ALTER SEQUENCE %s RENAME TO %I', {found}, {_literal(col.sequence_name)})"
    return do_block(f"BEGIN EXECUTE {rename}; END")


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def identity_name(table: str, col: Column) -> str | None:
    """The name of identity column ``col``'s sequence where the column says one
    (``identity: {name: ...}``), qualified as ``table`` is; None: PostgreSQL's own."""
    return serial_name(table, col) if col.sequence_name is not None else None


def identity_alter_sql(options: IdentityOptions | None, data_type: str) -> str:
    """``SET GENERATED ... SET INCREMENT BY ...``: every option said outright (the
    defaults included), so that the identity ends up exactly as ``options`` say."""
    opts = options or IdentityOptions()
    _, start, increment, minimum, maximum, cycle, cache = effective(opts.sequence("", data_type))
    return (
        f"SET GENERATED {'ALWAYS' if opts.always else 'BY DEFAULT'} "
        f"SET INCREMENT BY {increment} SET MINVALUE {minimum} SET MAXVALUE {maximum} "
        f"SET START WITH {start} SET CACHE {cache} SET {'CYCLE' if cycle else 'NO CYCLE'}"
    )


def owned_by_sql(seq: DbSequence) -> str:
    """``ALTER SEQUENCE t_c_seq OWNED BY t.c``: a ``serial`` column's sequence goes
    with its column, as PostgreSQL's ``serial`` makes it."""
    from .sqltext import quote_name

    assert seq.owned_by is not None
    # "app.t.c": the table may be qualified by its schema; the column is the last part
    table, column = seq.owned_by.rsplit(".", 1)
    owner = f"{_qualified(table)}.{quote_name(column)}"
    return f"ALTER SEQUENCE {_qualified(seq.name)} OWNED BY {owner}"


def _qualified(name: str) -> str:
    """``app.t_id_seq`` quoted part by part."""
    from .sqltext import quote_name

    return ".".join(quote_name(part) for part in name.split("."))


def serial_sequence(table: str, column: str) -> str:
    """The sequence PostgreSQL makes for a ``serial`` column (names of up to 63 bytes)."""
    return f"{table}_{column}_seq"


def switches_sequence(old: Column, new: Column) -> bool:
    """Whether a column trades an identity for ``serial`` or back: both kinds own a
    sequence named ``<table>_<column>_seq``, so the migration replaces one with the
    other inside the column's change (the old one must be gone before the new one
    is made), not as a sequence created and another dropped."""
    return (old.identity and new.serial) or (old.serial and new.identity)


def serial_name(table: str, col: Column) -> str:
    """The name of ``col``'s own sequence (a serial column of ``table``), qualified as
    ``table`` is: the one every revision, model and check derives it from. It is
    ``serial``'s ``<table>_<column>_seq`` unless the column says another
    (``sequence: {name: ...}``, kept by PostgreSQL when a table is renamed)."""
    if col.sequence_name is None:
        return serial_sequence(table, col.name)
    schema = table.rsplit(".", 1)[0] + "." if "." in table else ""
    return f"{schema}{col.sequence_name}"


def custom_sequence_name(table: str, column: str, sequence: str) -> str | None:
    """What a serial column of ``table`` says as ``sequence_name`` for its sequence
    ``sequence`` (qualified as ``table`` is): None where it is serial's own name."""
    if sequence == serial_sequence(table, column):
        return None
    return sequence.rsplit(".", 1)[-1]


def serial_of(table: str, col: Column) -> DbSequence:
    """The sequence ``serial`` makes for ``col`` of ``table``, as the model keeps it
    (of the type, name and options the column says where they are not serial's)."""
    opts = col.sequence_options or SequenceOptions()
    return DbSequence(
        serial_name(table, col),
        col.sequence_type or col.type.kind,
        opts.start,
        opts.increment,
        opts.min_value,
        opts.max_value,
        opts.cycle,
        opts.cache,
        owned_by=f"{table}.{col.name}",
    )


def options_of(seq: DbSequence) -> SequenceOptions | None:
    """``seq``'s options as a serial column says them; None: PostgreSQL's defaults."""
    opts = SequenceOptions(
        seq.start, seq.increment, seq.min_value, seq.max_value, seq.cycle, seq.cache
    )
    return None if opts == SequenceOptions() else opts
