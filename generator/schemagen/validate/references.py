"""Semantic checks on the raw merged sources: every name must resolve.

These run before normalization, which assumes that types, enums, mixins,
entities and the columns named by references, constraints, indexes and
relationships all exist, and that each type's parameters fit its kind.
"""

from __future__ import annotations

from typing import Any

from ..language.messages import did_you_mean
from ..model import naming
from ..model.schema import ColumnType
from ..model.temporal import TEMPORAL_KINDS
from ..model.temporal import problem as temporal_problem
from ..normalize.relationships import many_to_one_name, one_to_many_name
from ..normalize.resolver import (
    RawColumn,
    Resolver,
    Unresolved,
    entities_of_table,
    pg_schema,
    qualified_table_of,
    table_of,
)
from ..source.loader import Sources, YamlPath, mapping, unique_columns
from .columns import check_identity, check_serial
from .domains import check_domain_sources
from .excludes import check_exclude_references
from .foreign_keys import (
    check_foreign_keys,
    deferrable_entry,
    deferrable_target,
    deferrable_unique,
    integer_choice,
)
from .keyless import check_keyless_relationships, check_primary_key_declared
from .names import check_extension_names, check_type_and_sequence_names
from .partitions import check_partition_references
from .reporter import Reporter, key_types_fit, type_text
from .sql import SqlSyntaxError, expression_problems, read_expression, shown, unknown_order_by

_PARAM_KINDS: dict[str, frozenset[str]] = {
    "length": frozenset({"string"}),
    "precision": frozenset({"numeric"}) | TEMPORAL_KINDS,
    "scale": frozenset({"numeric"}),
    "of": frozenset({"array"}),
    "enum": frozenset({"enum"}),
}
_FK_ONLY = ("on_delete", "on_update_fk", "relationship", "back_populates", "validated")


def check_references(src: Sources, resolver: Resolver, report: Reporter) -> None:
    """Report every name that does not resolve and every type parameter that does not fit."""
    check_naming_convention(src, report)
    check_type_and_sequence_names(src, report)
    check_extension_names(src, report)
    check_aliases(src, resolver, report)
    check_domain_sources(src, resolver, report)
    for name in sorted(src.mixins):
        # Check every mixin even when no entity uses it yet.
        for col, spec in mapping(mapping(src.mixins[name]).get("columns")).items():
            path = ("mixins", name, "columns", col)
            raw = RawColumn(f"mixin {name}", col, mapping(spec), path)
            check_column(src, resolver, report, raw)
    for name in sorted(src.entities):
        check_entity(src, resolver, report, name)
    reverse = reverse_sides(src, resolver)
    tables = {qualified_table_of(src, e): e for e in src.entities}
    for name in sorted(src.entities):
        if not resolver.keyless(name):  # its entries are errors of their own (keyless)
            check_relationship_entries(src, resolver, report, name, reverse.get(name, {}), tables)
    check_keyless_relationships(src, resolver, report)


def check_naming_convention(src: Sources, report: Reporter) -> None:
    """Each naming-convention template expands with the tokens SQLAlchemy offers."""
    for key, template in mapping(mapping(src.database).get("naming_convention")).items():
        try:
            naming.apply_convention(
                str(template),
                table_name="t",
                columns=("c",),
                referred_table_name="r",
                constraint_name="n",
            )
        except ValueError:
            tokens = "table_name, column_0_name, column_0_N_name, referred_table_name, ..."
            report.error(
                ("database", "naming_convention", key),
                f"template {template!r} does not expand; use %(token)s with a token from: {tokens}",
            )


def check_aliases(src: Sources, resolver: Resolver, report: Reporter) -> None:
    """Each ``types:`` alias resolves, without cycles, with parameters that fit."""
    for name in sorted(src.types):
        spec = mapping(src.types[name])
        try:
            ctype = resolver.alias_type(name)
        except Unresolved as exc:
            report.error(exc.path, exc.message)
            continue
        check_params(spec, ctype, ("types", name), report)


def check_params(spec: dict[str, Any], ctype: ColumnType, path: YamlPath, report: Reporter) -> None:
    """Parameters written in ``spec`` must belong to the resolved kind."""
    for key, kinds in _PARAM_KINDS.items():
        if key in spec and ctype.kind not in kinds:
            names = " or ".join(sorted(kinds)) if key == "precision" else next(iter(kinds))
            report.error((*path, key), f"`{key}` applies only to type {names}, not {ctype.kind}")
    of = spec.get("of")
    if isinstance(of, dict) and ctype.of is not None:
        check_params(of, ctype.of, (*path, "of"), report)


def _spelled(src: Sources, spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The specs a column's type goes through: its own, then each ``types:`` alias."""
    chain = [spec]
    name = spec.get("type")
    while isinstance(name, str) and name in src.types and len(chain) <= len(src.types):
        chain.append(mapping(src.types[name]))
        name = chain[-1].get("type")
    return chain


def _element_specs(src: Sources, chain: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The spec chain of an array's element type (the first ``of:`` along ``chain``)."""
    of = next((s["of"] for s in chain if "of" in s), None)
    if of is None:
        return []
    return _spelled(src, of if isinstance(of, dict) else {"type": of})


def check_final_type(
    src: Sources, ctype: ColumnType, chain: list[dict[str, Any]], path: YamlPath, report: Reporter
) -> None:
    """Rules on a column's complete type: string length, numeric scale, array element.

    ``chain`` holds the specs the type was written with (the column's, then its
    aliases', see :func:`_spelled`): ``string`` needs a length; ``varchar``,
    PostgreSQL's word, may go without one, as ``Column(String)`` creates it.
    """
    where = (*path, "type")
    unbounded = ctype.kind == "string" and ctype.length is None
    if unbounded and chain and chain[-1].get("type") == "string":
        report.error(where, "type string needs `length` (or use text, or varchar for no limit)")
    # a precision written as a key is placed there, one in the type's name at the type
    at_precision = (*path, "precision") if chain and "precision" in chain[0] else where
    temporal = temporal_problem(ctype)
    if temporal is not None:
        report.error(at_precision, temporal)
    if ctype.kind == "numeric":
        if ctype.precision == 0:
            report.error(at_precision, "numeric precision is 1 to 1000, not 0")
        if ctype.scale is not None and ctype.precision is None:
            report.error(where, "numeric `scale` needs `precision` too")
        elif ctype.scale is not None and ctype.precision is not None:
            if ctype.scale > ctype.precision:
                report.error(
                    where, f"numeric scale {ctype.scale} is above precision {ctype.precision}"
                )
    if ctype.kind == "array":
        if ctype.of is None:
            report.error(where, "type array needs `of:` (the element type)")
        elif ctype.of.kind == "array":
            report.error(where, "an array of arrays is not supported; use one array type")
        else:
            check_final_type(src, ctype.of, _element_specs(src, chain), path, report)


def check_entity(src: Sources, resolver: Resolver, report: Reporter, name: str) -> None:
    """Mixins, columns, primary key, constraints and indexes of one entity."""
    spec = mapping(src.entities[name])
    base: YamlPath = ("entities", name)
    check_mixins(src, report, name, spec)
    names = [c.name for c in resolver.columns(name)]
    # the schema that may qualify the table's own name (billing.invoices.total)
    schema = pg_schema(spec, pg_schema(mapping(src.database), None)) or "public"
    check_foreign_keys(src, resolver, report, name)
    for col in resolver.columns(name):
        check_column(src, resolver, report, col)
        if isinstance(col.spec.get("using"), str):
            path = (*col.path, "using")
            check_sql_columns(report, path, col.spec["using"], names, table_of(src, name))
    check_primary_key_declared(src, resolver, report, name)
    listed = spec.get("primary_key")
    if isinstance(listed, list):
        check_column_list(report, (*base, "primary_key"), listed, names)
        for col in resolver.columns(name):
            if col.spec.get("primary_key") and col.name not in listed:
                report.error(
                    (*col.path, "primary_key"),
                    f"column {col.name} says primary_key, but the entity's primary_key "
                    f"list ({', '.join(map(str, listed))}) leaves it out",
                )
    for uq, entry in mapping(spec.get("unique")).items():
        at = (*base, "unique", uq, *(() if isinstance(entry, list) else ("columns",)))
        check_column_list(report, at, unique_columns(entry), names)
    for ix, entry in mapping(spec.get("indexes")).items():
        check_index(report, (*base, "indexes", ix), entry, names, table_of(src, name))
        if isinstance(entry, dict) and isinstance(entry.get("where"), str):
            where = (*base, "indexes", ix, "where")
            check_sql_columns(
                report, where, entry["where"], names, table_of(src, name), schema=schema
            )
    for ck, entry in mapping(spec.get("checks")).items():
        at = (*base, "checks", ck)
        expression = entry.get("expression") if isinstance(entry, dict) else entry
        if isinstance(entry, dict):
            at = (*at, "expression")
        if isinstance(expression, str):
            check_sql_columns(report, at, expression, names, table_of(src, name), schema=schema)
    check_generated(report, resolver.columns(name), names, table_of(src, name))
    check_identity(report, resolver, resolver.columns(name))
    check_serial(report, src, table_of(src, name), resolver.columns(name))
    check_exclude_references(report, base, spec, names, table_of(src, name), check_sql_columns)
    check_partition_references(report, base, spec, names, table_of(src, name), check_sql_columns)


def check_mixins(src: Sources, report: Reporter, name: str, spec: dict[str, Any]) -> None:
    """Listed mixins exist, and no column comes from two places."""
    own = set(mapping(spec.get("columns")))
    origin: dict[str, str] = {}
    for index, mixin in enumerate(spec.get("mixins") or []):
        path = ("entities", name, "mixins", str(index))
        if src.is_broken("mixins", mixin):
            continue
        if mixin not in src.mixins:
            hint = did_you_mean(str(mixin), sorted(src.mixins))
            report.error(path, f"unknown mixin '{mixin}'{hint}")
            continue
        for col in mapping(mapping(src.mixins[mixin]).get("columns")):
            if col in own:
                report.error(
                    ("entities", name, "columns", col),
                    f"column '{col}' also comes from mixin '{mixin}'; say it once",
                )
            elif col in origin:
                report.error(
                    path, f"column '{col}' comes from both mixin '{origin[col]}' and '{mixin}'"
                )
            else:
                origin[col] = str(mixin)


def check_column(src: Sources, resolver: Resolver, report: Reporter, col: RawColumn) -> None:
    """One column's type, parameters, reference and foreign-key options."""
    spec = col.spec
    try:
        ctype = resolver.column_type(col)
    except Unresolved as exc:
        report.error(exc.path, exc.message)
        return
    if "type" in spec:
        check_params(spec, ctype, col.path, report)
    check_final_type(src, ctype, _spelled(src, spec), col.path, report)
    if spec.get("primary_key") and spec.get("nullable"):
        report.error((*col.path, "nullable"), "a primary-key column cannot be nullable")
    if "references" in spec:
        check_reference(src, resolver, report, col, ctype)
    else:
        for key in _FK_ONLY:
            if key in spec:
                report.error((*col.path, key), f"`{key}` needs `references` (a foreign key)")
        for key in ("deferrable", "initially_deferred"):
            if key in spec:  # not the column's unique: that would read two ways with references
                report.error(
                    (*col.path, key),
                    f"`{key}` needs `references` (a foreign key); a deferrable unique "
                    "constraint is declared under the entity's unique: as {columns: "
                    f"[{col.name}], {key}: true}}",
                )


def check_reference(
    src: Sources, resolver: Resolver, report: Reporter, col: RawColumn, ctype: ColumnType
) -> None:
    """The referenced column is unique, has the same type, and the delete rule fits."""
    try:
        ref_entity, ref_name = resolver.reference(col)
    except Unresolved as exc:
        report.error(exc.path, exc.message)
        return
    target = resolver.column(ref_entity, ref_name)
    assert target is not None
    deferred = deferrable_unique(src, ref_entity, [ref_name])
    if not is_unique(src, resolver, ref_entity, ref_name) and deferred is not None:
        report.error((*col.path, "references"), deferrable_target(ref_entity, [ref_name], deferred))
    elif not is_unique(src, resolver, ref_entity, ref_name):
        report.error(
            (*col.path, "references"),
            f"{ref_entity}.{ref_name} is neither the primary key nor unique; PostgreSQL "
            "needs a unique constraint on the referenced column",
        )
    try:
        ref_type = resolver.column_type(target)
    except Unresolved:
        return  # reported on the referenced column itself
    if "type" in col.spec and not key_types_fit(ctype, ref_type):
        other = integer_choice(ref_type).replace(" or", ", or give it", 1)
        report.error(
            (*col.path, "type"),
            f"type {type_text(ctype)} differs from the referenced {ref_entity}.{ref_name} "
            f"({type_text(ref_type)}); leave `type` out to copy it{other}",
        )
    for key in ("on_delete", "on_update_fk"):
        if col.spec.get(key) == "set null" and not col.spec.get("nullable"):
            report.error(
                (*col.path, key),
                f"{key}: set null on a NOT NULL column; add nullable: true or choose another rule",
            )


def is_unique(src: Sources, resolver: Resolver, entity: str, column: str) -> bool:
    """Whether ``column`` alone is the primary key or has a unique constraint or index."""
    if resolver.primary_key(entity) == [column]:
        return True
    col = resolver.column(entity, column)
    if col is not None and col.spec.get("unique"):
        return True
    spec = mapping(src.entities.get(entity))
    for entry in mapping(spec.get("unique")).values():
        if unique_columns(entry) == [column] and not deferrable_entry(entry):
            return True
    for entry in mapping(spec.get("indexes")).values():
        if isinstance(entry, dict) and entry.get("unique") and not entry.get("where"):
            if list(entry.get("columns") or []) == [column]:
                return True
    return False


def check_column_list(report: Reporter, path: YamlPath, cols: Any, names: list[str]) -> None:
    """Every name in a list of columns is a column of the entity, listed once."""
    seen: set[str] = set()
    for index, col in enumerate(cols if isinstance(cols, list) else []):
        where = (*path, str(index))
        if col not in names:
            report.error(where, f"unknown column '{col}'{did_you_mean(str(col), names)}")
        elif col in seen:
            report.error(where, f"column '{col}' is listed twice")
        seen.add(col)


def check_index(
    report: Reporter, path: YamlPath, entry: Any, names: list[str], table: str = ""
) -> None:
    """Index keys (columns, or expressions naming columns), ``ops`` keys and
    ``include`` columns exist."""
    if isinstance(entry, list):
        check_column_list(report, path, entry, names)
        return
    entry = mapping(entry)
    items = entry.get("columns") if isinstance(entry.get("columns"), list) else []
    columns: list[str] = []
    for number, item in enumerate(items):
        where = (*path, "columns", str(number))
        col = _index_key_column(report, where, item, names, table)
        if col is None:
            continue
        if col not in names:
            report.error(where, f"unknown column '{col}'{did_you_mean(col, names)}")
        elif col in columns:
            report.error(where, f"column '{col}' is listed twice")
        columns.append(col)
    for col in mapping(entry.get("ops")):
        if col not in columns:
            report.error(
                (*path, "ops", col),
                f"`ops` names '{col}', which is not one of the index columns "
                f"({', '.join(map(str, columns))})",
            )
    check_column_list(report, (*path, "include"), entry.get("include") or [], names)


def _index_key_column(
    report: Reporter, path: YamlPath, item: Any, names: list[str], table: str
) -> str | None:
    """The column of one index key; an expression key is checked here (None)."""
    if not isinstance(item, dict):
        return str(item)
    if ("column" in item) == ("expression" in item):
        report.error(path, "an index key needs exactly one of `column` and `expression`")
        return None
    if "expression" in item:
        check_sql_columns(report, (*path, "expression"), str(item["expression"]), names, table)
        return None
    return str(item["column"])


def check_sql_columns(
    report: Reporter,
    path: YamlPath,
    sql: str,
    names: list[str],
    table: str,
    schema: str | None = None,
) -> None:
    """A check or partial-index predicate parses as PostgreSQL reads it, holds no
    sub-select, and names only columns of its own table: ``table.column``, or, given
    the table's PostgreSQL ``schema`` (a check's, a predicate's, a policy's, which
    PostgreSQL reads so), ``schema.table.column`` too."""
    if not sql.strip():
        return  # the model checks say it is empty
    expression, problems = expression_problems(sql)
    for problem in problems:
        report.error(path, problem)
    own = {(table,)} if schema is None else {(table,), (schema, table)}
    for parts in expression.columns if expression is not None else ():
        word = parts[-1]
        if len(parts) > 1 and parts[:-1] not in own:
            shown_table = table if schema in (None, "public") else f"{schema}.{table}"
            report.error(
                path,
                f"'{shown('.'.join(parts))}' names another table; only the columns "
                f"of {shown_table} can appear here",
            )
        elif word not in names:
            report.error(path, f"unknown column '{shown(word)}'{did_you_mean(word, names)}")


def check_generated(
    report: Reporter, columns: list[RawColumn], names: list[str], table: str
) -> None:
    """A generated column's expression parses, names columns of its table and none
    that is generated (itself included: PostgreSQL refuses it), and the column has
    no default or primary key."""
    generated = {c.name for c in columns if isinstance(c.spec.get("generated"), str)}
    for col in columns:
        expression = col.spec.get("generated")
        if not isinstance(expression, str):
            continue
        path = (*col.path, "generated")
        if not expression.strip():
            report.error(path, "the generated expression is empty; write an SQL expression")
            continue
        check_sql_columns(report, path, expression, names, table)
        for word in _generated_references(expression, generated):
            if word == col.name:
                report.error(path, "a generated column cannot refer to itself")
            else:
                report.error(
                    path,
                    f"refers to '{word}', itself a generated column (PostgreSQL computes "
                    "generated columns from stored ones only)",
                )
        for key in ("default", "primary_key"):
            if key in col.spec and col.spec[key] is not False:
                report.error((*col.path, key), f"a generated column cannot have `{key}`")


def _generated_references(sql: str, generated: set[str]) -> list[str]:
    """The generated columns that ``sql`` names (none if it does not parse: that
    error is reported already)."""
    try:
        expression = read_expression(sql)
    except SqlSyntaxError:
        return []
    return sorted({parts[-1] for parts in expression.columns} & generated)


def reverse_sides(src: Sources, resolver: Resolver) -> dict[str, dict[str, tuple[str, str]]]:
    """For each entity: one-to-many name -> (owning entity, its many-to-one name)."""
    result: dict[str, dict[str, tuple[str, str]]] = {}
    for owner in sorted(src.entities):
        for col in resolver.columns(owner):
            if "references" not in col.spec or col.spec.get("relationship") is False:
                continue
            try:
                target, _ = resolver.reference(col)
            except Unresolved:
                continue
            if resolver.keyless(owner) or resolver.keyless(target):
                continue  # no ORM relationship joins a table without a primary key
            name = one_to_many_name(col.spec, table_of(src, owner))
            if name is not None:
                pair = (owner, many_to_one_name(col.name, col.spec))
                result.setdefault(target, {}).setdefault(name, pair)
    return result


def check_relationship_entries(
    src: Sources,
    resolver: Resolver,
    report: Reporter,
    name: str,
    reverse: dict[str, tuple[str, str]],
    tables: dict[str, str],
) -> None:
    """Each ``relationships:`` entry matches a foreign key's reverse side or says secondary.

    ``tables`` maps every table, as the model keys it (``billing.invoices``), to its
    entity (built once by the caller; the hints of an unknown ``secondary:`` name them).
    """
    entries = mapping(mapping(src.entities[name]).get("relationships"))
    for rel, entry in entries.items():
        entry = mapping(entry)
        path: YamlPath = ("entities", name, "relationships", rel)
        target = entry.get("entity")
        if src.is_broken("entities", target) or (target and resolver.keyless(str(target))):
            continue  # an entity without a primary key: check_keyless_relationships
        if target is not None and target not in src.entities:
            hint = did_you_mean(str(target), sorted(src.entities))
            report.error((*path, "entity"), f"unknown entity '{target}'{hint}")
            continue
        if rel in reverse:
            if not check_reverse_entry(report, path, entry, reverse[rel]):
                continue
            target = reverse[rel][0]
        else:
            check_many_to_many(src, resolver, report, path, rel, name, entry, tables)
        if isinstance(entry.get("cascade"), str):
            check_cascade(report, (*path, "cascade"), entry["cascade"])
        if target in src.entities and isinstance(entry.get("order_by"), str):
            names = [c.name for c in resolver.columns(str(target))]
            for problem in unknown_order_by(entry["order_by"], names):
                report.error((*path, "order_by"), f"{problem} of {target}")


def check_reverse_entry(
    report: Reporter, path: YamlPath, entry: dict[str, Any], side: tuple[str, str]
) -> bool:
    """An entry for a foreign key's one-to-many side agrees with that foreign key."""
    owner, many_to_one = side
    target, back = entry.get("entity"), entry.get("back_populates")
    if target is not None and target != owner:
        report.error(
            (*path, "entity"),
            f"'{path[-1]}' is the reverse side of a foreign key on {owner}, not {target}",
        )
        return False
    if back is not None and back != many_to_one:
        report.error(
            (*path, "back_populates"),
            f"the foreign key on {owner} names its many-to-one '{many_to_one}', not '{back}'",
        )
    if entry.get("secondary") is not None:
        report.error(
            (*path, "secondary"),
            f"'{path[-1]}' is the reverse side of a foreign key on {owner}; a foreign-key "
            "relationship has no secondary table",
        )
    return True


CASCADE_OPTIONS = (
    "all",
    "delete",
    "delete-orphan",
    "expunge",
    "merge",
    "none",
    "refresh-expire",
    "save-update",
)


def check_cascade(report: Reporter, path: YamlPath, cascade: str) -> None:
    """Each word of a relationship ``cascade`` is one that SQLAlchemy knows."""
    for word in (w.strip() for w in cascade.split(",")):
        if word not in CASCADE_OPTIONS:
            hint = did_you_mean(word, CASCADE_OPTIONS)
            report.error(
                path,
                f"unknown cascade '{word}'{hint}; SQLAlchemy knows: {', '.join(CASCADE_OPTIONS)}",
            )


def check_many_to_many(
    src: Sources,
    resolver: Resolver,
    report: Reporter,
    path: YamlPath,
    rel: str,
    owner: str,
    entry: dict[str, Any],
    tables: dict[str, str],
) -> None:
    """An entry without a foreign key must be a many-to-many: ``entity`` and ``secondary``."""
    secondary = entry.get("secondary")
    partial = any(key[0] == "entities" for key in src.broken)
    if secondary is None:
        if partial:
            return  # the foreign key may be on an entity left out for its own errors
        report.error(
            path,
            f"relationship '{rel}' matches no foreign key to {owner}; set back_populates: "
            f"{rel} on the foreign-key column, or say secondary: <table> for a many-to-many",
        )
        return
    target = entry.get("entity")
    if target is None:
        report.error(path, "a many-to-many relationship needs `entity:` (the other side)")
    links = entities_of_table(src, str(secondary))
    if not links:
        if partial:
            return
        names = {*tables, *(table.rpartition(".")[2] for table in tables)}
        hint = did_you_mean(str(secondary), sorted(names))
        report.error((*path, "secondary"), f"unknown table '{secondary}'{hint}")
    elif len(links) > 1:
        # SQLAlchemy finds the table by the key models.py gives it: say which
        said = [qualified_table_of(src, link) for link in links]
        report.error(
            (*path, "secondary"),
            f"table name '{secondary}' is used in more than one PostgreSQL schema "
            f"({', '.join(said)}): say which, as secondary: {_with_schema(src, links[0])}",
        )
    elif target is not None:
        link = links[0]
        refs = link_targets(resolver, link)
        missing = [e for e in dict.fromkeys([owner, str(target)]) if e not in refs]
        if owner == target and refs.count(owner) < 2:
            missing = [owner]
        # A foreign key of the link table that does not resolve is the root cause.
        cause = next(iter(unresolved_links(resolver, link)), None)
        for entity in missing:
            report.error(
                (*path, "secondary"),
                f"table {secondary} has no foreign key to {entity}; a many-to-many needs one "
                "to each side"
                + (f" (its column {cause[-2]} references what does not exist)" if cause else ""),
                cause,
            )
    check_reverse_many_to_many(src, report, path, owner, entry)


def _with_schema(src: Sources, entity: str) -> str:
    """The table of ``entity`` with its PostgreSQL schema, as ``secondary:`` says it."""
    schema, bare = naming.split_qualified(qualified_table_of(src, entity))
    return f"{schema or 'public'}.{bare}"


def link_targets(resolver: Resolver, entity: str) -> list[str]:
    """The entities that the foreign keys of ``entity`` reference (one item per FK)."""
    found = []
    for col in resolver.columns(entity):
        if "references" in col.spec:
            try:
                found.append(resolver.reference(col)[0])
            except Unresolved:
                continue
    return found


def unresolved_links(resolver: Resolver, entity: str) -> list[YamlPath]:
    """Where the foreign keys of ``entity`` that do not resolve were written."""
    found = []
    for col in resolver.columns(entity):
        if "references" in col.spec:
            try:
                resolver.reference(col)
            except Unresolved as exc:
                found.append(exc.path)
    return found


def check_reverse_many_to_many(
    src: Sources, report: Reporter, path: YamlPath, owner: str, entry: dict[str, Any]
) -> None:
    """When the other side declares the back-populated entry too, both must agree."""
    target, back = entry.get("entity"), entry.get("back_populates")
    if target not in src.entities or back is None:
        return
    other = mapping(mapping(mapping(src.entities[target]).get("relationships")).get(back))
    if not other:
        return  # normalization creates the reverse side
    same = entities_of_table(src, str(other.get("secondary"))) == entities_of_table(
        src, str(entry.get("secondary"))
    )  # product_tags and billing.product_tags name one table
    if other.get("entity") != owner or not same:
        report.error(
            (*path, "back_populates"),
            f"{target}.{back} must say entity: {owner} and secondary: "
            f"{entry.get('secondary')} to be the other side of this many-to-many",
        )
    elif other.get("back_populates") not in (None, path[-1]):
        report.error(
            (*path, "back_populates"),
            f"{target}.{back} back-populates '{other.get('back_populates')}', not '{path[-1]}'",
        )
