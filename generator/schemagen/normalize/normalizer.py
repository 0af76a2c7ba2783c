"""Raw merged YAML (:class:`~schemagen.source.loader.Sources`) -> the frozen :class:`Schema`.

Everything is resolved here once, so that no later stage reads raw YAML: type
aliases, mixin columns, foreign-key types and targets (``resolver``), columns
(``columns``) and tables (``tables``), names from the naming convention,
defaults in canonical form, and both sides of every relationship.
:func:`normalize` runs only on sources that passed the semantic checks.
"""

from __future__ import annotations

from typing import Any

from ..model import naming
from ..model.schema import Database, DbSequence, Enum, EnumValue, Schema, sorted_named
from ..source.loader import Sources, mapping
from .columns import default_of, serial_sequences
from .domains import build_domains
from .relationships import attach_relationships
from .resolver import Resolver, pg_schema
from .tables import build_entity


def naming_convention(src: Sources) -> dict[str, str]:
    """The default naming convention overridden key by key by the database block."""
    merged = dict(naming.DEFAULT_NAMING_CONVENTION)
    overrides = mapping(mapping(src.database).get("naming_convention"))
    merged.update({k: str(v) for k, v in overrides.items()})
    return merged


def normalize(src: Sources, resolver: Resolver | None = None) -> Schema:
    """Build the frozen, canonical :class:`Schema` from sources that passed validation."""
    resolver = resolver or Resolver(src)
    convention = naming_convention(src)
    db = mapping(src.database)
    home = pg_schema(db, None)
    database = Database(
        name=str(db.get("name", "")),
        dialect=str(db.get("dialect", "postgresql")),
        description=db.get("description"),
        extensions=tuple(sorted(set(db.get("extensions") or ()))),
        naming_convention=tuple(sorted(convention.items())),
        schema=home,
    )
    enums = tuple(
        build_enum(name, mapping(src.enums[name]), home) for name in sorted(src.enums)
    )
    entities = [build_entity(resolver, name, convention) for name in sorted(src.entities)]
    entities = attach_relationships(src, entities)
    declared = [build_sequence(n, mapping(src.sequences[n]), home) for n in sorted(src.sequences)]
    owned = [s for s in serial_sequences(entities) if s.name not in src.sequences]
    sequences = sorted_named([*declared, *owned])
    return Schema(
        database=database, enums=enums, entities=tuple(entities), sequences=sequences,
        domains=build_domains(
            src.domains, lambda name: resolver.domain_type(name, ("domains", name)), default_of
        ),
    )


def build_sequence(name: str, spec: dict[str, Any], home: str | None = None) -> DbSequence:
    """One ``sequences:`` entry; options left out stay ``None`` (PostgreSQL's defaults)."""
    return DbSequence(
        name=naming.qualify(pg_schema(spec, home), name),
        data_type=str(spec.get("type", "bigint")),
        start=spec.get("start"),
        increment=spec.get("increment"),
        min_value=spec.get("min"),
        max_value=spec.get("max"),
        cycle=bool(spec.get("cycle", False)),
        cache=spec.get("cache"),
    )


def build_enum(name: str, spec: dict[str, Any], home: str | None = None) -> Enum:
    """One enum, values in declaration order."""
    values = []
    for item in spec.get("values") or []:
        if isinstance(item, dict):
            value, description = str(item["value"]), item.get("description")
        else:
            value, description = str(item), None
        values.append(EnumValue(value, naming.enum_member_name(value), description))
    return Enum(
        name=name,
        db_name=naming.qualify(
            pg_schema(spec, home), str(spec.get("db_name") or naming.snake_case(name))
        ),
        values=tuple(values),
        description=spec.get("description"),
    )
