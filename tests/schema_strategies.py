"""Random schema documents for the property tests (no tests here): hypothesis
strategies drawing small valid YAML-able schemas, and the kinds of column they use
(see tests/revision/test_migration_property.py for what is drawn and why)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

Doc = dict[str, Any]
ENTITY_NAMES = ("Alpha", "Bravo", "Charlie", "Delta")
COLUMN_NAMES = ("amount", "code", "label", "flag", "info", "tags", "mood", "day", "seen_at")
ENUM_VALUES = ("calm", "happy", "sad", "tired", "angry")

#: kind -> (column spec without nullability, possible defaults)
KINDS: dict[str, tuple[Doc, tuple[Any, ...]]] = {
    "integer": ({"type": "integer"}, (0, 7)),
    "string": ({"type": "string", "length": 40}, ("x", "it's")),
    "text": ({"type": "text"}, ("hello",)),
    "boolean": ({"type": "boolean"}, (True, False)),
    "numeric": ({"type": "numeric", "precision": 10, "scale": 2}, (0, 1.5)),
    "jsonb": ({"type": "jsonb"}, ({}, [])),
    "array": ({"type": "array", "of": "text"}, ()),
    "enum": ({"type": "enum", "enum": "Mood"}, ("calm", "sad")),
    "date": ({"type": "date"}, ()),
    "timestamptz": ({"type": "timestamptz"}, ("now",)),
    # PostgreSQL types by name (issue 11)
    "tsvector": ({"type": "tsvector"}, ()),
    "inet": ({"type": "inet"}, ()),
    "tstzrange": ({"type": "tstzrange"}, ()),
    "collated": ({"type": "string", "length": 40, "collation": "C"}, ("x",)),
    "varchar": ({"type": "varchar"}, ("x",)),  # no length, as Column(String) makes it
}
#: Safe widening casts the property may apply to a column of a kind.
WIDEN: dict[str, Doc] = {
    "integer": {"type": "bigint"},
    "string": {"type": "string", "length": 120},
    "numeric": {"type": "numeric", "precision": 14, "scale": 2},
}


def table_name(entity: str) -> str:
    return entity.lower() + "s"


@st.composite
def columns(draw: st.DrawFn) -> Doc:
    """A few non-key columns of mixed kinds."""
    names = draw(st.lists(st.sampled_from(COLUMN_NAMES), min_size=1, max_size=4, unique=True))
    result: Doc = {}
    for name in names:
        spec, defaults = KINDS[draw(st.sampled_from(sorted(KINDS)))]
        col = dict(spec)
        if draw(st.booleans()):
            col["nullable"] = True
        if defaults and draw(st.booleans()):
            col["default"] = draw(st.sampled_from(defaults))
        result[name] = col
    return result


def new_entity(draw: st.DrawFn, name: str, earlier: list[str]) -> Doc:
    cols: Doc = {"id": {"type": "bigint", "primary_key": True}}
    identity = draw(st.sampled_from([None, None, "always", {"start": 100, "increment": 5}]))
    if identity is not None:
        cols["id"]["identity"] = identity
    elif draw(st.booleans()):
        cols["id"]["type"] = "bigserial"
    cols.update(draw(columns()))
    if earlier and draw(st.booleans()):
        target = draw(st.sampled_from(earlier))
        cols[f"{target.lower()}_id"] = {
            "references": target,
            "nullable": draw(st.booleans()),
            "on_delete": draw(st.sampled_from(["cascade", "set null", "restrict"])),
        }
        if cols[f"{target.lower()}_id"]["on_delete"] == "set null":
            cols[f"{target.lower()}_id"]["nullable"] = True
    entity: Doc = {"columns": cols}
    plain = [c for c in cols if c != "id" and cols[c].get("type") not in ("jsonb", "array")]
    if plain and draw(st.booleans()):
        col = draw(st.sampled_from(plain))
        entity["indexes"] = {f"idx_{table_name(name)}_{col}": [col]}
    if len(plain) >= 2 and draw(st.booleans()):
        pair = draw(st.lists(st.sampled_from(plain), min_size=2, max_size=2, unique=True))
        entity["unique"] = {f"uq_{table_name(name)}_{'_'.join(pair)}": pair}
    return entity


@st.composite
def schemas(draw: st.DrawFn) -> Doc:
    """A small valid schema document."""
    count = draw(st.integers(min_value=1, max_value=3))
    entities: Doc = {}
    for name in ENTITY_NAMES[:count]:
        entities[name] = new_entity(draw, name, list(entities))
    doc: Doc = {"database": {"name": "prop"}, "entities": entities}
    return with_enum(doc, draw(st.integers(min_value=2, max_value=3)))


def _uses_enum(doc: Doc) -> bool:
    return any(
        col.get("enum") == "Mood"
        for ent in doc["entities"].values()
        for col in ent["columns"].values()
    )


def with_enum(doc: Doc, size: int = 3) -> Doc:
    """Declare the enum exactly when a column uses it (an unused enum is not modelled)."""
    enums = doc.get("enums", {})
    if _uses_enum(doc):
        enums.setdefault("Mood", {"values": list(ENUM_VALUES[:size])})
        for ent in doc["entities"].values():  # defaults must stay valid values
            for col in ent["columns"].values():
                if col.get("enum") == "Mood" and col.get("default") not in (
                    None, *enums["Mood"]["values"]
                ):
                    del col["default"]
        doc["enums"] = enums
    else:
        enums.pop("Mood", None)
        if enums:  # another enum (edit_pg_schema's), which its column uses
            doc["enums"] = enums
        else:
            doc.pop("enums", None)
    return doc
