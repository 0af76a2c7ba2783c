"""Database objects beyond tables: functions, triggers, views and materialized views.

They are written as SQL by the user; the model keeps that SQL as text (data,
never code) with what schemagen needs around it: a function's signature, a
trigger's timing and events, a view's documented columns and the relations it
reads (parsed from its SQL, see :mod:`schemagen.util.sqlrefs`).

Canonical order: ``Schema.functions`` by signature, ``Schema.triggers`` by
(table, name), ``Schema.views`` by name; a trigger's events in the order
PostgreSQL prints them (insert, delete, update, truncate).
"""

from __future__ import annotations

from collections.abc import Sequence

from . import naming

# The dataclasses live in schema.py (a Schema holds them); they are named here too.
from .schema import Argument, Function, Trigger, View

__all__ = [
    "EVENTS",
    "LANGUAGES",
    "LEVELS",
    "ON_UPDATE_FUNCTION",
    "ON_UPDATE_TRIGGER",
    "SECURITIES",
    "TIMINGS",
    "VOLATILITIES",
    "Argument",
    "Function",
    "Trigger",
    "View",
    "on_update_trigger",
    "view_order",
]

VOLATILITIES: tuple[str, ...] = ("volatile", "stable", "immutable")
SECURITIES: tuple[str, ...] = ("invoker", "definer")
LANGUAGES: tuple[str, ...] = ("sql", "plpgsql")
TIMINGS: dict[str, str] = {"before": "BEFORE", "after": "AFTER", "instead of": "INSTEAD OF"}

#: ``pg_trigger.tgenabled`` other than 'O', what CREATE TRIGGER makes and the one state
#: the language declares: how ``check --database`` and ``import`` name it.
NOT_ENABLED: dict[str, str] = {
    "D": "disabled (DISABLE TRIGGER): it never fires",
    "R": "enabled for replicas only (ENABLE REPLICA TRIGGER): it fires only in sessions "
    "whose session_replication_role is replica",
    "A": "enabled always (ENABLE ALWAYS TRIGGER): it fires in replica sessions too",
}
#: Trigger events in the order ``pg_get_triggerdef`` prints them.
EVENTS: tuple[str, ...] = ("insert", "delete", "update", "truncate")
LEVELS: tuple[str, ...] = ("row", "statement")
#: The names of what keeps a database-side ``on_update: now`` column.
ON_UPDATE_FUNCTION = "schemagen_set_{column}"
#: ``{table}`` is the bare table name: a trigger's name is per table, whatever its schema.
ON_UPDATE_TRIGGER = "trg_{table}_set_{column}"


def on_update_trigger(table: str, column: str) -> str:
    """The trigger that keeps ``table.column`` (``table`` as the model keys it, with
    its PostgreSQL schema or without): ``trg_invoices_set_updated_at`` for
    ``billing.invoices``, since a trigger is named within its table."""
    return ON_UPDATE_TRIGGER.format(table=naming.split_qualified(table)[1], column=column)


def view_order(views: Sequence[View]) -> list[View]:
    """``views`` so that each comes after the views it reads; name order otherwise."""
    by_name = {v.view: v for v in views}
    waits = {name: set(v.reads) & by_name.keys() - {name} for name, v in by_name.items()}
    placed: set[str] = set()
    done: list[View] = []
    while waits:
        # A cycle leaves nothing ready (validate reports it): then name order.
        ready = sorted(n for n, deps in waits.items() if deps <= placed) or [min(waits)]
        for name in ready:
            done.append(by_name[name])
            placed.add(name)
            del waits[name]
    return done
