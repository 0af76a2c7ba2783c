"""The relationships of ``models.py``: ``relationship(...)`` with its ``Mapped[...]``
annotation, ``back_populates``, and the ``foreign_keys``, ``remote_side``,
``order_by`` and ``overlaps`` SQLAlchemy needs told."""

from __future__ import annotations

from ..model.schema import Entity, ForeignKey, Relationship, Schema
from ..util.pycode import INDENT, call, layout, py_str
from .columns import column_key
from .imports import Imports


def relationship_lines(schema: Schema, ent: Entity, rel: Relationship, imp: Imports) -> list[str]:
    """``name: Mapped[...] = relationship(...)``: the lines of ``rel`` in ``ent``'s class."""
    target = schema.entity(rel.target)
    owner = ent if rel.kind == "many_to_one" else target
    # Quoted: models.py evaluates its annotations (no ``from __future__ import
    # annotations``), and the target class may come later in the file.
    if rel.kind == "many_to_one":
        fk = _fk_named(owner, rel.foreign_key)
        nullable = fk is not None and any(owner.column(c).nullable for c in fk.columns)
        annotation = f'"{target.name} | None"' if nullable else f'"{target.name}"'
    elif rel.uselist is False:
        annotation = f'"{target.name} | None"'
    else:
        annotation = f'list["{target.name}"]'
    value = call(
        imp.name("sqlalchemy.orm", "relationship"),
        back_populates=py_str(rel.back_populates) if rel.back_populates else None,
        secondary=py_str(rel.secondary) if rel.secondary else None,
        foreign_keys=_foreign_keys(owner, rel),
        remote_side=_remote_side(target, rel),
        cascade=py_str(rel.cascade) if rel.cascade else None,
        order_by=_order_by(target, rel.order_by) if rel.order_by else None,
        lazy=py_str(rel.lazy) if rel.lazy else None,
        passive_deletes="True" if rel.passive_deletes else None,
        overlaps=_overlaps(schema, ent, rel),
    )
    mapped = imp.name("sqlalchemy.orm", "Mapped")
    return layout(value, INDENT, f"{rel.name}: {mapped}[{annotation}] = ")


def _overlaps(schema: Schema, ent: Entity, rel: Relationship) -> str | None:
    """For a many-to-many through a mapped association entity: the relationships
    that write the same foreign-key columns, which SQLAlchemy wants named."""
    if rel.kind != "many_to_many" or rel.secondary is None:
        return None
    try:
        assoc = schema.entity_by_table(rel.secondary)
    except KeyError:
        return None
    ends = {ent.name, rel.target}
    names = {r.name for r in ent.relationships if r.target == assoc.name}
    names |= {r.name for r in assoc.relationships if r.target in ends}
    names |= {r.name for r in schema.entity(rel.target).relationships if r.target == assoc.name}
    return py_str(",".join(sorted(names))) if names else None


def _fk_named(owner: Entity, name: str | None) -> ForeignKey | None:
    for fk in owner.foreign_keys:
        if fk.name == name:
            return fk
    return None


def _foreign_keys(owner: Entity, rel: Relationship) -> str | None:
    if not rel.ambiguous and not rel.foreign_key_columns:
        return None
    attrs = list(rel.foreign_key_columns)
    if not attrs:
        fk = _fk_named(owner, rel.foreign_key)
        attrs = [column_key(owner, c) for c in fk.columns] if fk else []
    if not attrs:
        return None
    refs = [f"{owner.name}.{a}" for a in attrs]
    return py_str(refs[0] if len(refs) == 1 else f"[{', '.join(refs)}]")


def _remote_side(target: Entity, rel: Relationship) -> str | None:
    if not rel.remote_side:
        return None
    refs = [f"{target.name}.{column_key(target, c)}" for c in rel.remote_side]
    return py_str(refs[0] if len(refs) == 1 else f"[{', '.join(refs)}]")


def _order_by(target: Entity, order_by: str) -> str:
    """``position`` -> ``"Target.position"``; ``a, b desc`` -> ``"[Target.a, Target.b.desc()]"``."""
    parts = []
    for item in order_by.split(","):
        words = item.split()
        if not words or not target.has_column(words[0]) or len(words) > 2:
            return py_str(order_by)  # not a column list: SQLAlchemy evaluates it as given
        expr = f"{target.name}.{column_key(target, words[0])}"
        if len(words) == 2:
            if words[1].lower() not in ("asc", "desc"):
                return py_str(order_by)
            expr += f".{words[1].lower()}()"
        parts.append(expr)
    return py_str(parts[0] if len(parts) == 1 else f"[{', '.join(parts)}]")
