"""DDL that ``create_all`` runs around the tables, as typed listeners in models.py.

SQLAlchemy's ``DDL()`` has no annotations, which ``mypy --strict`` refuses in
typed code, and it formats ``%``. So statements the metadata cannot express are
written as a list of strings and run by a small typed function listening to
the metadata's ``before_create`` or ``after_create`` event. SQLAlchemy fires
those on every ``create_all``, even one that finds every table there and makes
none (it is checkfirst); the listener then does nothing (its ``tables`` keyword
is empty), so a second ``create_all`` is a no-op as SQLAlchemy's own DDL is.
What belongs to one table is keyed by it (:func:`table_listener_lines`) and runs
for the tables create_all makes only: it may make some (one dropped by hand, one
new in the models) beside others that hold their DDL and their rows already.
"""

from __future__ import annotations

from collections.abc import Callable

from ..model.sqltext import text_source
from ..util.pycode import INDENT, Str, call, layout, py_str, pydict, pylist

#: ``Imports.name`` of :mod:`.imports`: imports a name and says how to spell it.
Namer = Callable[[str, str], str]


def listener_lines(
    statements: list[str],
    *,
    constant: str,
    event: str,
    comment: str,
    name: Namer,
    base: str,
) -> list[str]:
    """``<constant>: list[str] = [...]`` and ``_<constant lower>(...)`` listening to
    ``event`` (``before_create`` or ``after_create``) of ``base``'s metadata."""
    any_, text = name("typing", "Any"), name("sqlalchemy", "text")
    connection = name("sqlalchemy", "Connection")
    function = f"_{constant.lower()}"
    when = "before create_all makes" if event == "before_create" else "once create_all has made"
    listen = call(
        f"{name('sqlalchemy', 'event')}.listen", f"{base}.metadata", py_str(event), function
    )
    return [
        f"# {comment}",
        *layout(
            pylist([Str(text_source(sql)) for sql in statements]), "", f"{constant}: list[str] = "
        ),
        "",
        "",
        f"def {function}(target: {any_}, connection: {connection}, **kw: {any_}) -> None:",
        f'{INDENT}"""Run {constant} {when} the tables."""',
        # create_all is checkfirst but fires the metadata's events even when it makes
        # no table: what runs here was made with the tables, and is there already
        f'{INDENT}if not kw["tables"]:',
        f"{INDENT}{INDENT}return",
        f"{INDENT}for statement in {constant}:",
        f"{INDENT}{INDENT}connection.execute({text}(statement))",
        "",
        "",
        *layout(listen),
    ]


def table_listener_lines(
    statements: dict[str, list[str]], *, constant: str, comment: str, name: Namer, base: str
) -> list[str]:
    """``<constant>: dict[str, list[str]] = {table: [...]}`` and ``_<constant lower>``
    listening to ``after_create`` of ``base``'s metadata, which runs the statements of
    each table create_all has made (keys are ``Table.fullname``)."""
    any_, text = name("typing", "Any"), name("sqlalchemy", "text")
    connection = name("sqlalchemy", "Connection")
    function = f"_{constant.lower()}"
    event = py_str("after_create")
    listen = call(f"{name('sqlalchemy', 'event')}.listen", f"{base}.metadata", event, function)
    by_table = pydict(
        {table: pylist([Str(text_source(s)) for s in sqls]) for table, sqls in statements.items()}
    )
    return [
        f"# {comment}",
        *layout(by_table, "", f"{constant}: dict[str, list[str]] = "),
        "",
        "",
        f"def {function}(target: {any_}, connection: {connection}, **kw: {any_}) -> None:",
        f'{INDENT}"""Run {constant} of each table create_all has made."""',
        # create_all is checkfirst: the tables it finds hold these already
        f'{INDENT}for table in kw["tables"]:',
        f"{INDENT * 2}for statement in {constant}.get(table.fullname, []):",
        f"{INDENT * 3}connection.execute({text}(statement))",
        "",
        "",
        *layout(listen),
    ]


def factory_lines(name: Namer, head: str, doc: str, body: list[str]) -> list[str]:
    """``def <head> -> Callable[..., None]`` returning a typed DDL-event listener that
    runs ``body`` (lines indented for the listener's body): ``DDL()`` is untyped, which
    ``mypy --strict`` refuses in typed code."""
    any_, connection = name("typing", "Any"), name("sqlalchemy", "Connection")
    return [
        f"def {head} -> {name('collections.abc', 'Callable')}[..., None]:",
        f'{INDENT}"""{doc}"""',
        "",
        f"{INDENT}def listener(target: {any_}, connection: {connection}, **kw: {any_}) -> None:",
        *(f"{INDENT * 2}{line}" for line in body),
        "",
        f"{INDENT}return listener",
        "",
        "",
    ]
