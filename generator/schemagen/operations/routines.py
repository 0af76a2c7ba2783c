"""Operations on functions, triggers and views.

Each carries the whole definition it creates or drops, so its reverse needs
nothing else. A changed function whose signature and result allow it is one
``CREATE OR REPLACE`` (:class:`ReplaceFunction`); anything else about these
objects changes by a drop and a create.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..model.routines import Function, Trigger, View
from ..model.schema import Schema, sorted_named
from .base import Operation


def _functions(schema: Schema, functions: tuple[Function, ...]) -> Schema:
    return dataclasses.replace(
        schema, functions=tuple(sorted(functions, key=lambda fn: fn.identity))
    )


def _triggers(schema: Schema, triggers: tuple[Trigger, ...]) -> Schema:
    return dataclasses.replace(
        schema, triggers=tuple(sorted(triggers, key=lambda tg: (tg.table, tg.name)))
    )


def _views(schema: Schema, views: tuple[View, ...]) -> Schema:
    return dataclasses.replace(schema, views=sorted_named(views))


def replaceable(old: Function, new: Function) -> bool:
    """Whether ``CREATE OR REPLACE`` can turn ``old`` into ``new``: PostgreSQL
    keeps the signature, the result type and the argument names."""
    return (
        old.identity == new.identity
        and old.returns.lower() == new.returns.lower()
        and [a.name for a in old.arguments] == [a.name for a in new.arguments]
    )


@dataclass(frozen=True)
class CreateFunction(Operation):
    function: Function

    def reverse(self) -> Operation:
        return DropFunction(self.function)

    def describe(self) -> str:
        return f"+ function {self.function.identity}"

    def apply(self, schema: Schema) -> Schema:
        return _functions(schema, (*schema.functions, self.function))


@dataclass(frozen=True)
class DropFunction(Operation):
    function: Function

    def reverse(self) -> Operation:
        return CreateFunction(self.function)

    def describe(self) -> str:
        return f"- function {self.function.identity}"

    def apply(self, schema: Schema) -> Schema:
        identity = self.function.identity
        return _functions(schema, tuple(f for f in schema.functions if f.identity != identity))


@dataclass(frozen=True)
class ReplaceFunction(Operation):
    """``CREATE OR REPLACE FUNCTION`` with a new body, volatility, security or language."""

    old: Function
    new: Function

    def reverse(self) -> Operation:
        return ReplaceFunction(self.new, self.old)

    def describe(self) -> str:
        return f"~ function {self.new.identity} (replaced in place)"

    def apply(self, schema: Schema) -> Schema:
        identity = self.old.identity
        kept = tuple(f for f in schema.functions if f.identity != identity)
        return _functions(schema, (*kept, self.new))


@dataclass(frozen=True)
class CreateTrigger(Operation):
    trigger: Trigger

    def reverse(self) -> Operation:
        return DropTrigger(self.trigger)

    def describe(self) -> str:
        return f"+ trigger {self.trigger.table}.{self.trigger.name}"

    def apply(self, schema: Schema) -> Schema:
        return _triggers(schema, (*schema.triggers, self.trigger))


@dataclass(frozen=True)
class DropTrigger(Operation):
    trigger: Trigger

    def reverse(self) -> Operation:
        return CreateTrigger(self.trigger)

    def describe(self) -> str:
        return f"- trigger {self.trigger.table}.{self.trigger.name}"

    def apply(self, schema: Schema) -> Schema:
        key = (self.trigger.table, self.trigger.name)
        return _triggers(schema, tuple(t for t in schema.triggers if (t.table, t.name) != key))


@dataclass(frozen=True)
class CreateView(Operation):
    """``CREATE [MATERIALIZED] VIEW`` with its indexes (a materialized view is filled)."""

    view: View

    def reverse(self) -> Operation:
        return DropView(self.view)

    def describe(self) -> str:
        return f"+ {self.view.kind} {self.view.view}"

    def apply(self, schema: Schema) -> Schema:
        return _views(schema, (*schema.views, self.view))


@dataclass(frozen=True)
class DropView(Operation):
    view: View

    def reverse(self) -> Operation:
        return CreateView(self.view)

    def describe(self) -> str:
        return f"- {self.view.kind} {self.view.view}"

    def apply(self, schema: Schema) -> Schema:
        return _views(schema, tuple(v for v in schema.views if v.name != self.view.name))
