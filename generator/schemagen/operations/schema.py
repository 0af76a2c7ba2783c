"""Schema-level operations: PostgreSQL schemas, extensions and enum types."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..model.schema import CheckConstraint, Enum, EnumValue, Index, Schema, sorted_named
from .base import MoveToSchema, Operation, as_kind, with_enum, with_type_renamed


@dataclass(frozen=True)
class CreateSchema(Operation):
    """``CREATE SCHEMA IF NOT EXISTS``, before the objects that live in it.

    The model has no list of schemas: they are the schema parts of its qualified
    names (:attr:`Schema.pg_schemas`), so applying this changes nothing by itself.
    """

    name: str

    def reverse(self) -> Operation:
        return DropSchema(self.name)

    def describe(self) -> str:
        return f"+ schema {self.name}"

    def apply(self, schema: Schema) -> Schema:
        return schema


@dataclass(frozen=True)
class DropSchema(Operation):
    """``DROP SCHEMA IF EXISTS`` (not CASCADE: it holds none of the YAML's objects
    any more, and anything else in it makes the drop fail rather than vanish)."""

    name: str

    def reverse(self) -> Operation:
        return CreateSchema(self.name)

    def describe(self) -> str:
        return f"- schema {self.name}"

    def apply(self, schema: Schema) -> Schema:
        return schema


@dataclass(frozen=True)
class CreateExtension(Operation):
    """``CREATE EXTENSION IF NOT EXISTS``."""

    name: str

    def reverse(self) -> Operation:
        return DropExtension(self.name)

    def describe(self) -> str:
        return f"+ extension {self.name}"

    def apply(self, schema: Schema) -> Schema:
        exts = tuple(sorted({*schema.database.extensions, self.name}))
        return dataclasses.replace(
            schema, database=dataclasses.replace(schema.database, extensions=exts)
        )


@dataclass(frozen=True)
class DropExtension(Operation):
    """``DROP EXTENSION IF EXISTS`` for an extension no longer declared (after
    everything that used it is gone)."""

    name: str

    def reverse(self) -> Operation:
        return CreateExtension(self.name)

    def describe(self) -> str:
        return f"- extension {self.name}"

    def apply(self, schema: Schema) -> Schema:
        exts = tuple(e for e in schema.database.extensions if e != self.name)
        return dataclasses.replace(
            schema, database=dataclasses.replace(schema.database, extensions=exts)
        )


@dataclass(frozen=True)
class EnumUsage:
    """A column whose type is (an array of) an enum, for a type swap.

    ``indexes`` and ``checks`` are the partial indexes and check constraints of
    the table whose expression names the column: PostgreSQL cannot rewrite them
    across the swap (``operator does not exist: x = x__old``), so the swap
    drops them first and creates them again after.
    """

    table: str
    column: str
    array: bool = False
    default_sql: str | None = None  # re-set after the swap
    indexes: tuple[Index, ...] = ()
    checks: tuple[CheckConstraint, ...] = ()


@dataclass(frozen=True)
class CreateEnum(Operation):
    """``CREATE TYPE ... AS ENUM``."""

    enum: Enum

    def reverse(self) -> Operation:
        return DropEnum(self.enum)

    def describe(self) -> str:
        return f"+ enum {self.enum.db_name} ({', '.join(self.enum.value_names)})"

    def apply(self, schema: Schema) -> Schema:
        enums = sorted_named((*schema.enums, self.enum))
        return dataclasses.replace(schema, enums=enums)


@dataclass(frozen=True)
class DropEnum(Operation):
    """``DROP TYPE``; carries the whole enum for the downgrade."""

    enum: Enum

    def reverse(self) -> Operation:
        return CreateEnum(self.enum)

    def describe(self) -> str:
        return f"- enum {self.enum.db_name}"

    def apply(self, schema: Schema) -> Schema:
        enums = tuple(en for en in schema.enums if en.name != self.enum.name)
        return dataclasses.replace(schema, enums=enums)

    def risk(self) -> str | None:
        return f"drops enum type {self.enum.db_name}"


@dataclass(frozen=True)
class MoveEnum(MoveToSchema):
    """``ALTER TYPE ... SET SCHEMA``: the enum type of one name moves to another
    PostgreSQL schema, and the columns of that type (and arrays and domains of it)
    keep their values: PostgreSQL refers to the type by OID. Applied to a DDL view,
    where an enum and the types that use it are named by their PostgreSQL name."""

    what = "enum"

    def apply(self, schema: Schema) -> Schema:
        def moved(en: Enum) -> Enum:
            return dataclasses.replace(en, name=self.new, db_name=self.new)

        schema = with_enum(schema, self.old, moved)
        return with_type_renamed(schema, "enum", self.old, self.new)


@dataclass(frozen=True)
class AddEnumValue(Operation):
    """``ALTER TYPE ... ADD VALUE ... BEFORE/AFTER`` (outside the transaction).

    ``remaining`` is the value list without ``value``: the state the reverse
    rebuilds the type with. ``usages`` are the columns of that type at the
    point of the downgrade where the value is removed again.
    """

    enum: str  # PostgreSQL type name
    value: str
    remaining: tuple[str, ...]
    before: str | None = None
    after: str | None = None
    usages: tuple[EnumUsage, ...] = ()

    def reverse(self) -> Operation:
        return as_kind(self, DropEnumValue)

    def describe(self) -> str:
        where = f" before {self.before!r}" if self.before else ""
        where = f" after {self.after!r}" if self.after else where
        return f"+ enum value {self.enum}.{self.value!r}{where}"

    def apply(self, schema: Schema) -> Schema:
        return with_enum(schema, self.enum, lambda en: _with_values(en, self.added_values()))

    def added_values(self) -> tuple[str, ...]:
        """The value list once ``value`` is in its place."""
        values = list(self.remaining)
        if self.before is not None:
            values.insert(values.index(self.before), self.value)
        elif self.after is not None:
            values.insert(values.index(self.after) + 1, self.value)
        else:
            values.append(self.value)
        return tuple(values)


@dataclass(frozen=True)
class DropEnumValue(Operation):
    """Remove one enum value: new type, cast every column, swap (destructive)."""

    enum: str
    value: str
    remaining: tuple[str, ...]
    before: str | None = None
    after: str | None = None
    usages: tuple[EnumUsage, ...] = ()

    def reverse(self) -> Operation:
        return as_kind(self, AddEnumValue)

    def describe(self) -> str:
        return f"- enum value {self.enum}.{self.value!r}"

    def apply(self, schema: Schema) -> Schema:
        return with_enum(schema, self.enum, lambda en: _with_values(en, self.remaining))

    def risk(self) -> str | None:
        return f"removes value {self.value!r} from enum {self.enum} (rows holding it fail)"


@dataclass(frozen=True)
class ReplaceEnum(Operation):
    """Rebuild an enum with another value list or order: new type, cast, swap."""

    enum: str
    old_values: tuple[str, ...]
    new_values: tuple[str, ...]
    usages: tuple[EnumUsage, ...] = ()

    def reverse(self) -> Operation:
        return ReplaceEnum(
            self.enum, self.new_values, self.old_values, self.usages, relations=self.relations
        )

    def describe(self) -> str:
        return (
            f"~ enum {self.enum} values ({', '.join(self.old_values)}) -> "
            f"({', '.join(self.new_values)})"
        )

    def apply(self, schema: Schema) -> Schema:
        return with_enum(schema, self.enum, lambda en: _with_values(en, self.new_values))

    def risk(self) -> str | None:
        lost = [v for v in self.old_values if v not in self.new_values]
        if not lost:
            return None
        return f"removes value(s) {', '.join(map(repr, lost))} from enum {self.enum}"


def _with_values(en: Enum, values: tuple[str, ...]) -> Enum:
    return dataclasses.replace(en, values=tuple(EnumValue(value=v, member="") for v in values))
