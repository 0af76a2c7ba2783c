"""The base of every migration operation, and small helpers to edit a frozen Schema.

Operations work on the DDL view of a schema (:func:`snapshot.ddl_view`): enums
are keyed by their PostgreSQL type name and entities by their entity name.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from ..model import naming
from ..model.schema import ColumnType, Entity, Enum, Schema, sorted_named


@dataclass(frozen=True)
class Operation:
    """One schema change. Subclasses are frozen dataclasses that carry everything
    their :meth:`reverse` needs (drops and alters hold the previous definition)."""

    #: The relations it locks as the diff counted them from the tables' shapes
    #: (diff.footprints: a rewrite's indexes and TOAST tables, a partitioned table's
    #: partitions...); 0: not counted. An estimate, not part of what the operation is:
    #: left out of equality and repr.
    relations: int = field(default=0, compare=False, repr=False, kw_only=True)

    def reverse(self) -> Operation:
        """Return the operation that undoes this one."""
        raise NotImplementedError(type(self).__name__)

    def describe(self) -> str:
        """Return one line for the plan, starting with ``+``, ``-`` or ``~``."""
        raise NotImplementedError(type(self).__name__)

    def apply(self, schema: Schema) -> Schema:
        """Return ``schema`` (a DDL view) with this change made."""
        raise NotImplementedError(type(self).__name__)

    @property
    def online(self) -> bool:
        """Whether it runs outside a transaction, in the online stage of its plan
        (:mod:`schemagen.operations.stages`); its rendering must then be idempotent."""
        return False

    @property
    def locks(self) -> int:
        """An upper bound on the relations this operation locks until its transaction
        ends: a large plan is split so that no transaction takes more than a stock
        server's lock table holds (:mod:`.stages`). The larger of :attr:`own_locks`
        and what the diff counted (:attr:`relations`)."""
        return max(self.own_locks, self.relations)

    @property
    def own_locks(self) -> int:
        """What its own fields tell it locks (the table and, say, an index)."""
        return 2

    def risk(self) -> str | None:
        """Why this operation can lose data or fail on existing rows, else ``None``."""
        return None

    @property
    def destructive(self) -> bool:
        """Whether the operation is refused without ``--allow-destructive``."""
        return self.risk() is not None


_Op = TypeVar("_Op", bound=Operation)


def as_kind(op: Operation, kind: type[_Op]) -> _Op:
    """``op``'s fields as an operation of ``kind``: the reverse of one of a pair that
    carries the same fields (an enum value added and dropped, a partition made and
    dropped, detached and attached)."""
    return kind(**{f.name: getattr(op, f.name) for f in dataclasses.fields(op)})


def with_entity(schema: Schema, name: str, edit: Callable[[Entity], Entity]) -> Schema:
    """Return ``schema`` with entity ``name`` replaced by ``edit(entity)``."""
    entities = tuple(edit(ent) if ent.name == name else ent for ent in schema.entities)
    return dataclasses.replace(schema, entities=sorted_named(entities))


def add_entity(schema: Schema, entity: Entity) -> Schema:
    """Return ``schema`` with ``entity`` added, in canonical order.

    Inserted where it belongs (the entities are sorted): a first revision adds
    2,000 tables one by one, and sorting all of them each time was quadratic.
    """
    entities = schema.entities
    at = bisect.bisect_right(entities, entity.name, key=_entity_name)
    return dataclasses.replace(schema, entities=(*entities[:at], entity, *entities[at:]))


def _entity_name(entity: Entity) -> str:
    return entity.name


def remove_entity(schema: Schema, name: str) -> Schema:
    """Return ``schema`` without entity ``name``.

    Found by bisection where the entities are sorted: a first revision's
    downgrade drops 2,000 tables one by one, and a scan each time was quadratic.
    """
    entities = schema.entities
    at = bisect.bisect_left(entities, name, key=_entity_name)
    if at < len(entities) and entities[at].name == name:
        if at + 1 == len(entities) or entities[at + 1].name != name:
            return dataclasses.replace(schema, entities=(*entities[:at], *entities[at + 1 :]))
    return dataclasses.replace(
        schema, entities=tuple(ent for ent in schema.entities if ent.name != name)
    )


def with_table(schema: Schema, table: str, edit: Callable[[Entity], Entity]) -> Schema:
    """Return ``schema`` with the entity of ``table`` replaced by ``edit(entity)``."""
    return with_entity(schema, schema.entity_by_table(table).name, edit)


def with_enum(schema: Schema, name: str, edit: Callable[[Enum], Enum]) -> Schema:
    """Return ``schema`` with enum ``name`` replaced by ``edit(enum)``."""
    enums = tuple(edit(en) if en.name == name else en for en in schema.enums)
    return dataclasses.replace(schema, enums=sorted_named(enums))


def with_type_renamed(schema: Schema, field: str, old: str, new: str) -> Schema:
    """Return ``schema`` with every column type whose ``field`` (``enum`` or
    ``domain``) names ``old`` naming ``new`` instead, an array's element too."""

    def renamed(ct: ColumnType) -> ColumnType:
        of = renamed(ct.of) if ct.of is not None else None
        if getattr(ct, field) != old and of is ct.of:
            return ct
        changes: dict[str, Any] = {field: new} if getattr(ct, field) == old else {}
        return dataclasses.replace(ct, of=of, **changes)

    entities = tuple(
        dataclasses.replace(
            ent, columns=tuple(dataclasses.replace(c, type=renamed(c.type)) for c in ent.columns)
        )
        for ent in schema.entities
    )
    domains = tuple(dataclasses.replace(d, type=renamed(d.type)) for d in schema.domains)
    return dataclasses.replace(schema, entities=entities, domains=domains)


@dataclass(frozen=True)
class MoveToSchema(Operation):
    """``ALTER ... SET SCHEMA`` of a named object (an enum type, a domain, a
    standalone sequence): it keeps its OID, so what uses it follows it. ``old``
    and ``new`` are its model names, qualified outside the default schema."""

    old: str
    new: str

    #: What the plan calls the object (``enum``, ``domain``, ``sequence``).
    what: ClassVar[str]

    def reverse(self) -> Operation:
        return type(self)(self.new, self.old)

    def describe(self) -> str:
        return f"~ {self.what} {self.old} moved to {self.new}"

    @property
    def target_schema(self) -> str:
        """The PostgreSQL schema it moves to (``public`` for an unqualified name)."""
        return naming.split_qualified(self.new)[0] or "public"


def by_name(items: tuple, name: str) -> tuple:  # type: ignore[type-arg]
    """Return ``items`` (named model objects) without the one called ``name``."""
    return tuple(item for item in items if item.name != name)


def with_replaced(schema: Schema, table: str, field: str, old_name: str, new: Any) -> Schema:
    """Return ``schema`` with the named object ``old_name`` in the entity of ``table``'s
    ``field`` (``checks``, ``uniques``, ...) replaced by ``new``, in canonical order."""

    def replace(ent: Entity) -> Entity:
        items = sorted_named((*by_name(getattr(ent, field), old_name), new))
        changes: dict[str, Any] = {field: items}
        return dataclasses.replace(ent, **changes)

    return with_table(schema, table, replace)
