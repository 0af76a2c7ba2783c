"""Render operations as Alembic code, by dispatch on the operation type.

Each renderer gets the operation and the schema state just before it (a DDL
view; enum columns need their type's values) and returns statements as
:mod:`schemagen.util.pycode` expressions, laid out the way ``ruff format`` would. A
missing renderer is a loud error. Every name passes through ``op.f()`` so that
the metadata's naming convention never rewrites a final name.

Owns the dispatcher (``render_operation``, ``render``), what a renderer returns (``Stmt``,
``Guarded``, ``Rendered``), the body of a revision (``render_body``) and the
helpers every renderer uses (``execute``, ``op.f()`` names, ``schema=``). The
renderers register themselves, one module per operation family (listed in the
package's docstring; :mod:`schemagen.revision.script` imports them all).
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import naming
from ..model.schema import Schema
from ..model.sqltext import text_source
from ..operations.base import Operation
from ..operations.sqlutil import quote_table, sql_literal
from ..util.pycode import INDENT, LINE_LIMIT, Expr, Str, call, comment_text, layout

Stmt = Expr  # one statement; a ``str`` starting with "#" is a comment


@dataclass(frozen=True)
class Guarded:
    """Statements run only where ``query`` (SQL giving one boolean) is true on the
    database: a step that a rerun must skip and that no SQL can make conditional
    (``DETACH PARTITION ... CONCURRENTLY`` runs in no transaction, so in no DO
    block). ``alembic upgrade --sql`` writes them out unguarded."""

    query: str
    statements: tuple[Stmt, ...]


@dataclass(frozen=True)
class Stepwise:
    """Statements the database names one at a time: ``query`` (SQL giving the next
    statement, or NULL when none is left) is asked again after each, until it is
    done. For work over what exists only when the upgrade runs (a partitioned
    table's partitions) that runs in no transaction, so in no DO block (``CREATE
    INDEX CONCURRENTLY``). ``alembic upgrade --sql`` (or ``downgrade``) cannot
    write them out: :attr:`offline` says why, and the revision refuses with it
    before any of its statements is written (:func:`render_body`)."""

    query: str
    #: what is built, for the message that stops a build going round (``index ix of
    #: the partitioned table t``), and the partitioned table whose tree bounds it
    subject: str
    table: str
    #: whether ``subject`` names more than one thing (``the indexes of ...``)
    plural: bool = False

    @property
    def offline(self) -> str:
        """Why ``--sql`` cannot write the steps: a clause naming what is built on what
        the database holds, to which the refusal adds when the upgrade or downgrade runs."""
        verb = "are" if self.plural else "is"
        return f"{self.subject} {verb} built on each partition the database holds"


@dataclass(frozen=True)
class Rendered:
    """The statements of one operation, and whether they run outside the transaction."""

    statements: tuple[Stmt | Guarded | Stepwise, ...]
    autocommit: bool = False


def render_body(
    ops: tuple[Operation, ...], state: Schema, *, online: bool = False, direction: str = "upgrade"
) -> list[str]:
    """Lines of a function body (indented) for ``ops`` applied from ``state``.

    ``online``: the body of an online revision (:mod:`schemagen.operations.stages`),
    one ``autocommit_block`` in which every statement commits on its own; else
    the body of a transactional revision, which must hold no online operation.
    A destructive operation is preceded by a comment. A body holding a
    :class:`Stepwise` starts by refusing ``alembic <direction> --sql`` (Alembic's
    own ``CommandError``: ``FAILED: ...``, no traceback), so that none of its
    statements is written out before the refusal; ``direction`` (``upgrade`` or
    ``downgrade``) is the function the body is of, the command that runs it.
    """
    lines: list[str] = []
    offline: list[str] = []
    indent = INDENT * (2 if online else 1)
    if online:
        lines.append(f"{INDENT}with op.get_context().autocommit_block():")
    for operation in ops:
        if operation.online != online:
            where = "an online" if online else "a transactional"
            raise ValueError(f"{operation.describe()!r} cannot run in {where} revision")
        rendered = render(operation, state)
        state = operation.apply(state)
        risk = operation.risk()
        if risk:
            lines += _comment_lines(f"DESTRUCTIVE: {risk}", indent)
        for stmt in rendered.statements:
            lines.extend(_statement_lines(stmt, indent))
            if isinstance(stmt, Stepwise):
                offline.append(f"{stmt.offline} when the {direction} runs")
    body = lines[1:] if online else lines
    if not any(not line.strip().startswith("#") for line in body):
        lines.append(f"{indent}pass")
    return _offline_refusal(offline, direction) + lines


def _offline_refusal(reasons: list[str], direction: str) -> list[str]:
    if not reasons:
        return []
    text = (
        f"alembic {direction} --sql cannot write this revision: {'; '.join(reasons)}; "
        f"run the {direction} against the database"
    )
    lines = [f"{INDENT}if op.get_context().as_sql:"]
    return lines + layout(call("CommandError", Str(text)), INDENT * 2, prefix="raise ")


def _statement_lines(stmt: Stmt | Guarded | Stepwise, indent: str) -> list[str]:
    if isinstance(stmt, Stepwise):
        return _stepwise_lines(stmt, indent)
    if not isinstance(stmt, Guarded):
        return layout(stmt, indent)
    check = call("op.get_bind().scalar", call("sa.text", Str(text_source(stmt.query))))
    lines = layout(check, indent, prefix="needed = op.get_context().as_sql or ")
    lines.append(f"{indent}if needed:")
    for inner in stmt.statements:
        lines.extend(layout(inner, indent + INDENT))
    return lines


#: Steps a build takes at most for each table of the partition tree (the table
#: itself and every partition at any depth): an INVALID index dropped, the
#: partition's index built, then attached or made its constraint; and one more,
#: the table's own constraint.
STEPS_PER_TABLE = 3


def _untaken_sql(table: str) -> str:
    """SQL giving the DROP INDEX of each index of ``table``'s partition tree that no
    index took (attached to none) and no constraint owns, qualified and quoted where
    PostgreSQL needs it (a partitioned one's not CONCURRENTLY, which it refuses)."""
    return (
        "SELECT format('DROP INDEX %s%I.%I', CASE WHEN c.relkind = 'I' THEN '' "
        "ELSE 'CONCURRENTLY ' END, n.nspname, c.relname) "
        f"FROM pg_partition_tree({sql_literal(quote_table(table))}::regclass) t "
        "JOIN pg_index i ON i.indrelid = t.relid JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT c.relispartition "
        "AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = i.indexrelid "
        "AND k.conrelid = i.indrelid)"
    )


def _stepwise_lines(stmt: Stepwise, indent: str) -> list[str]:
    """The loop asking for one step at a time, stopped with a ``CommandError`` when
    a step comes back (the database did not take what it built for what was asked,
    as when a partition's index definition is read differently: it would build
    without end) or when there are more than the tree's tables allow (a step
    naming a new index each time round)."""
    inner, deeper = indent + INDENT, indent + INDENT * 2
    # what a stopped build leaves is named from the indexes of the tree no index took,
    # less those there before it (a partition's own, the table's ON ONLY one)
    lines = layout(call("sa.text", Str(text_source(_untaken_sql(stmt.table)))), indent,
                   prefix="untaken = ")
    lines += [
        f"{indent}built = set(op.get_bind().scalars(untaken))",
        f"{indent}done = set[str]()",
        f"{indent}while True:",
    ]
    ask = call("op.get_bind().scalar", call("sa.text", Str(text_source(stmt.query))))
    lines += layout(ask, inner, prefix="step = ")
    lines += [f"{inner}if step is None:", f"{deeper}break"]
    # counted each time round: the application may add partitions meanwhile
    bound = (
        f"SELECT {STEPS_PER_TABLE} * count(*) + 1 "
        f"FROM pg_partition_tree({sql_literal(quote_table(stmt.table))}::regclass)"
    )
    lines += layout(
        call("op.get_bind().scalar", call("sa.text", Str(text_source(bound)))), inner, "most = "
    )
    subject = stmt.subject.replace("{", "{{").replace("}", "}}")
    why = (
        "The build would go round without end (what a step built is not taken for what "
        "was asked: a defect of schemagen's step query); stopped here, the steps before "
        "it committed. Report it with this statement. What it built that nothing took "
        "(a rerun after the fix would take one of a kind and leave the others), to drop, "
        "each statement as written: {}"
    )
    again = f"{subject}: the database named the same step twice: {{}}. {why}"
    many = (
        f"{subject}: {{}} steps taken, the most a build over its partition tree takes, "
        f"and the database names another: {{}}. {why}"
    )
    left = '"; ".join(left) or "nothing"'
    for test, message, args in (
        ("step in done", again, ("step", left)),
        ("len(done) >= most", many, ("len(done)", "step", left)),
    ):
        lines.append(f"{inner}if {test}:")
        lines.append(f"{deeper}left = sorted(set(op.get_bind().scalars(untaken)) - built)")
        lines += layout(call("CommandError", call("str.format", Str(message), *args)), deeper,
                        prefix="raise ")
    lines.append(f"{inner}done.add(step)")
    # the driver's own execute: the statement is PostgreSQL's text, no bind parameters
    lines += layout(call("op.get_bind().exec_driver_sql", "step"), inner)
    return lines


def render(operation: Operation, state: Schema) -> Rendered:
    """Render one operation (dispatching on its type)."""
    rendered = render_operation(operation, state)
    if isinstance(rendered, Rendered):
        return rendered
    return Rendered(tuple(rendered))


@functools.singledispatch
def render_operation(
    operation: Operation, state: Schema
) -> Rendered | Sequence[Stmt | Guarded | Stepwise]:
    """The statements of one operation, by its type (each revision module registers its own)."""
    raise TypeError(f"no revision renderer for {type(operation).__name__}")


def _comment_lines(text: str, indent: str) -> list[str]:
    """``# text`` wrapped to the line limit; continuation lines indented by two."""
    words = comment_text(text)
    width = max(LINE_LIMIT - len(indent) - 2, 40)
    wrapped = textwrap.wrap(words, width=width, subsequent_indent="  ", break_long_words=False)
    return [f"{indent}# {line}" for line in wrapped]


def final_name(name: str) -> Expr:
    """``op.f(name)``: the name as given, which Alembic's naming convention leaves alone."""
    return call("op.f", Str(name))


def bare_table(table: str) -> Str:
    """A table's name without its PostgreSQL schema (that goes to ``schema=``)."""
    return Str(bare_name(table))


def bare_name(name: str) -> str:
    """A qualified name without its PostgreSQL schema."""
    return naming.split_qualified(name)[1]


def schema_arg(table: str) -> Str | None:
    """``schema=`` of an Alembic call: the table's PostgreSQL schema, if not the default."""
    pg_schema = naming.split_qualified(table)[0]
    return Str(pg_schema) if pg_schema else None


def execute(sql: str) -> Stmt:
    """``op.execute("...")``, with colons escaped so ``text()`` sees no bind parameter."""
    return call("op.execute", Str(text_source(sql)))
