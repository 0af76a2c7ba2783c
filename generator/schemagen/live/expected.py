"""The expected side of a live comparison: the database structure a Schema implies.

:func:`expected_shape` builds it from the normalized model alone (types as
``format_type`` prints them via ``typemap.pg_type``, defaults via the shared
``sqltext.default_sql``). :func:`normalize_expected` then lets the live server
print the expected expressions its own way (:mod:`.printing`): inside the
caller's transaction, which is always rolled back, each expected default,
check and partial-index predicate is attached to a temporary table whose
columns have the real table's types, and read back with ``pg_get_expr``. So
``'active'`` on an enum column becomes ``'active'::product_status`` and
``price >= 0`` becomes ``price >= 0::numeric`` exactly as on the real table,
with no hand-written SQL normalizer to drift from the server's rules. A server
that refuses temp objects (a read-only standby) gets a looser comparison:
equal up to casts, parentheses and case.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg

from ..model.frozen import copy_with
from ..model.naming import format_name, partition_table
from ..model.schema import (
    Column,
    ColumnType,
    Entity,
    IndexKey,
    Policy,
    Schema,
    partition_tree,
)
from ..model.sequences import effective, serial_name
from ..model.sqltext import default_sql, exclude_sql
from ..model.typemap import pg_type
from ..util.identity import Memo, by_identity
from .catalog_rows import plain_identity
from .domains import expected_domains
from .domains import printed as printed_domains
from .domains import register as register_domains
from .partitions import print_bounds
from .policy_forms import Columns, policy_form
from .printing import PROBE_TABLE, Printer, as_on, on_probe
from .settings import ColumnSettings, implied
from .shapes import (
    ColumnShape,
    DatabaseShape,
    ForeignKeyShape,
    IndexShape,
    PolicyShape,
    TableShape,
    UniqueShape,
)


def expected_shape(schema: Schema) -> DatabaseShape:
    """The structure that ``schema`` says the database has."""
    policies: dict[str, list[Policy]] = {}
    for policy in schema.policies:
        policies.setdefault(policy.table, []).append(policy)
    columns = _Columns(schema)
    tables = {
        ent.table: _expected_table(ent, columns, policies.get(ent.table, []))
        for ent in schema.entities
    }
    enums = {en.db_name: en.value_names for en in schema.enums}
    return DatabaseShape(
        tables=tables,
        enums=enums,
        extensions=frozenset(schema.database.extensions),
        # a serial column's sequence too (an identity's is read with its column)
        sequences={seq.name: effective(seq) for seq in schema.sequences},
        sequence_owners={seq.name: seq.owned_by for seq in schema.sequences if seq.owned_by},
        domains=expected_domains(schema),
        # the checks and keys declared validated: false, which the database holds
        # NOT VALID
        not_valid_constraints=tuple(
            sorted(
                [
                    *(
                        (ent.table, "check constraint", ck.name)
                        for ent in schema.entities
                        for ck in ent.checks
                        if not ck.validated
                    ),
                    *(
                        (ent.table, "foreign key", fk.name)
                        for ent in schema.entities
                        for fk in ent.foreign_keys
                        if not fk.validated
                    ),
                ]
            )
        ),
    )


class _Columns:
    """The expected shapes of a schema's columns, each distinct one made once.

    The 32,000 columns of a 2,000-table schema share about 200 type objects and,
    but for an identity's sequence name, mostly a few dozen shapes (a mixin's
    timestamps, ``amount``, ``notes``...): making a frozen shape of eleven fields
    took 2.6 microseconds, most of the expected side. A shape is immutable, so
    equal columns share one; ``format_type`` is worked out once per type object.
    """

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.types: Memo[ColumnType, str] = {}
        self.shapes: dict[tuple[object, ...], ColumnShape] = {}

    def shape(self, table: str, col: Column) -> ColumnShape:
        """The shape the database has for ``col`` of ``table``."""
        ct = col.type
        type_ = by_identity(self.types, ct, self._format_type)
        nullable = col.nullable and not col.primary_key
        default = None if col.identity else default_sql(col)
        facts, sequence = _identity_facts(col), _identity_sequence(table, col)
        key = (
            type_, nullable, default, col.identity, col.description, col.generated,
            ct.collation, facts, col.statistics, col.storage, sequence,
        )  # fmt: skip
        found = self.shapes.get(key)
        if found is None:
            found = self.shapes[key] = ColumnShape(
                type=type_,
                nullable=nullable,
                default=default,
                identity=col.identity,
                comment=col.description,
                generated=col.generated,
                collation=ct.collation,
                identity_options=facts,
                statistics=col.statistics,
                storage=col.storage,
                identity_sequence=sequence,
            )
        return found

    def _format_type(self, ct: ColumnType) -> str:
        return format_type(ct, self.schema)


def _expected_table(ent: Entity, columns: _Columns, policies: list[Policy]) -> TableShape:
    table = TableShape(
        primary_key=(ent.primary_key.name, tuple(ent.primary_key.columns))
        if ent.has_primary_key
        else None,
        comment=ent.description,
        row_security=ent.row_level_security,
        replica_identity=ent.replica_identity,
        cluster_on=ent.cluster_on,
        policies={
            p.name: PolicyShape(
                p.command, p.permissive, p.roles, p.using, p.with_check, p.description
            )
            for p in policies
        },
    )
    shape = columns.shape
    table.columns = {col.name: shape(ent.table, col) for col in ent.columns}
    table.uniques = {
        u.name: UniqueShape(tuple(u.columns), u.deferrable, u.initially_deferred)
        for u in ent.uniques
    }
    table.checks = {c.name: c.expression for c in ent.checks}
    table.excludes = {ex.name: exclude_sql(ex) for ex in ent.excludes}
    if ent.partition_by is not None:
        table.partition_key = ent.partition_by.sql()
        table.partitions = {p.name: p.bound_sql() for p in ent.partitions}
        for _, part in partition_tree(ent.partitions):
            if part.partition_by is not None:
                table.partition_keys[part.name] = part.partition_by.sql()
                if part.partitions:
                    table.sub_partitions[part.name] = {
                        p.name: p.bound_sql() for p in part.partitions
                    }
        # each partition takes its table's storage when made, and a sub-partition its
        # partition's (live.settings)
        own = implied({c.name: ColumnSettings(None, c.storage) for c in ent.columns})
        if own.columns:
            table.partition_settings = {
                partition_table(ent.table, p.name): own for _, p in partition_tree(ent.partitions)
            }
    for fk in ent.foreign_keys:
        table.foreign_keys[fk.name] = ForeignKeyShape(
            columns=tuple(fk.columns),
            ref_table=fk.ref_table,
            ref_columns=tuple(fk.ref_columns),
            on_delete=fk.on_delete or "NO ACTION",
            on_update=fk.on_update or "NO ACTION",
            deferrable=fk.deferrable,
            initially_deferred=fk.initially_deferred,
            match=fk.match or "SIMPLE",
        )
    for ix in ent.indexes:
        ops = dict(ix.ops)
        keys = ix.keys or tuple(IndexKey(column=c) for c in ix.columns)
        table.indexes[ix.name] = IndexShape(
            # an expression key as written; normalize_expected lets the server print it
            columns=tuple(k.column if k.column is not None else str(k.expression) for k in keys),
            unique=ix.unique,
            method=ix.using,
            opclasses=tuple(k.ops or (ops.get(k.column) if k.column else None) for k in keys),
            predicate=ix.where,
            include=tuple(ix.include),
            orders=_orders(keys),
            nulls_not_distinct=ix.nulls_not_distinct,
            collations=_collations(ent, keys),
        )
    return table


def _collations(ent: Entity, keys: tuple[IndexKey, ...]) -> tuple[str | None, ...]:
    """Each key's collation of its own (one its column has is not; an expression key's
    as the schema says it), or ``()`` for none."""
    found = tuple(
        k.collation
        # (most keys have none: no lookup of their column)
        if k.collation is not None
        and (k.column is None or k.collation != ent.column(k.column).type.collation)
        else None
        for k in keys
    )
    return found if any(found) else ()


def _identity_sequence(table: str, col: Column) -> str | None:
    """The bare name of an identity column's sequence (``identity: {name: ...}`` or
    PostgreSQL's ``<table>_<column>_seq``)."""
    if not col.identity:
        return None
    return serial_name(table, col).rsplit(".", 1)[-1]


def _identity_facts(col: Column) -> tuple[object, ...] | None:
    """What introspection reads of the column's identity (see ``identity_facts``)."""
    options = col.identity_options
    if not col.identity or options is None:
        return None
    _, *rest = effective(options.sequence("", col.type.kind))
    facts = (options.always, *rest)
    return None if facts == plain_identity(col.type.kind) else facts


def format_type(ct: ColumnType, schema: Schema) -> str:
    """A declared type as PostgreSQL's ``format_type`` prints it: ``pg_type`` with
    enum and domain names quoted where ``format_type`` quotes them (``"Mood"``,
    ``"values"``)."""
    if ct.domain is not None or ct.kind == "enum":
        return format_name(pg_type(ct, schema))
    if ct.kind == "array" and ct.of is not None:
        return format_type(ct.of, schema) + "[]"
    return pg_type(ct, schema)


def _orders(keys: tuple[IndexKey, ...]) -> tuple[str, ...]:
    """Each key's order, or ``()`` when all are ascending (as introspection reads them)."""
    orders = tuple(_order(k) for k in keys)
    return () if set(orders) <= {"ASC"} else orders


def _order(key: IndexKey) -> str:
    """A key's order as introspection reads it from ``indoption``."""
    nulls = key.nulls or ("FIRST" if key.descending else "LAST")
    if key.descending:
        return "DESC" if nulls == "FIRST" else "DESC NULLS LAST"
    return "NULLS FIRST" if nulls == "FIRST" else "ASC"


# --- letting PostgreSQL normalize the expected expressions --------------------


def normalize_expected(
    conn: psycopg.Connection[Any], expected: DatabaseShape, actual: DatabaseShape
) -> DatabaseShape:
    """Rewrite expected defaults, checks, predicates and opclasses as this server prints them.

    A fixed number of statements however many tables (see :mod:`.printing`),
    in the connection's open transaction; the caller rolls it back. An
    expression PostgreSQL rejects (a column that is missing, a syntax error)
    keeps its text as written, so it shows up as a difference.
    """
    with conn.cursor() as cur:
        cur.execute("SET LOCAL statement_timeout = '60s'")
    default_opclasses = _default_opclasses(conn, expected)
    common = sorted(set(expected.tables) & set(actual.tables))
    expected = copy_with(
        expected, tables={n: _bare_columns(t, n) for n, t in expected.tables.items()}
    )
    printer = Printer()
    keys = {
        name: _register(printer, name, expected.tables[name], actual.tables[name])
        for name in common
    }
    domain_keys = register_domains(printer, expected.domains)
    printed = printer.run(conn)
    tables = dict(expected.tables)
    columns = _columns_of(actual)
    for name in common:
        if printed is None:  # a read-only standby, or no TEMP privilege
            tables[name] = _align_loosely(
                name, expected.tables[name], actual.tables[name], columns, actual
            )
        else:
            tables[name] = _printed_table(expected.tables[name], keys[name], printed, name)
        tables[name] = _drop_default_opclasses(tables[name], default_opclasses)
    domains = printed_domains(expected.domains, domain_keys, printed or {})
    tables = print_bounds(conn, tables, actual.tables)
    return copy_with(expected, tables=tables, domains=domains)


#: What :func:`_register` handed to the printer: kind -> name -> printer key.
_Keys = dict[str, dict[str, str]]


def _register(printer: Printer, table: str, exp: TableShape, act: TableShape) -> _Keys:
    """Hand the expressions of ``table`` to ``printer``, typed as the real table is;
    return their printer keys by kind (``default``, ``check``, ``exclude``,
    ``index``, ``generated``: by column or constraint name; ``key``: an index's
    expression key by ``<index>:<position>``). A default of a column the real
    table lacks is not printed (it differs anyway)."""
    types = {name: col.type for name, col in act.columns.items()}
    return {
        "default": {
            name: printer.default(types[name], col.default)
            for name, col in exp.columns.items()
            if col.default is not None and name in types
        },
        "check": {name: printer.check(expr, types) for name, expr in exp.checks.items()},
        "exclude": {name: printer.exclude(sql, types) for name, sql in exp.excludes.items()},
        "index": {
            name: printer.check(ix.predicate, types)
            for name, ix in exp.indexes.items()
            if ix.predicate
        },
        "generated": {
            name: printer.generated(types.get(name, col.type), col.generated, types)
            for name, col in exp.columns.items()
            if col.generated is not None
        },
        "using": {
            name: printer.policy(p.using, types, table)
            for name, p in exp.policies.items()
            if p.using
        },
        "with_check": {
            name: printer.policy(p.with_check, types, table)
            for name, p in exp.policies.items()
            if p.with_check
        },
        "key": {
            f"{name}:{number}": printer.index_key(key, types)
            for name, ix in exp.indexes.items()
            for number, key in enumerate(ix.columns)
            if key not in exp.columns
        },
    }


def _printed_table(
    shape: TableShape, keys: _Keys, printed: dict[str, str], table: str
) -> TableShape:
    """``shape`` with each registered expression as the server printed it (an expression
    it refused keeps its text). Only what was printed is copied: at 2,000 tables,
    copying every column and index took longer than the comparison itself."""
    found: _Keys = {}  # kind -> name -> printed text
    for kind, aliases in keys.items():
        texts = {name: text for name, alias in aliases.items() if (text := printed.get(alias))}
        if texts:
            found[kind] = texts
    columns = shape.columns
    if "default" in found or "generated" in found:
        defaults, generated = found.get("default", {}), found.get("generated", {})
        columns = dict(columns)
        for name in defaults.keys() | generated.keys():
            col = columns[name]
            columns[name] = copy_with(
                col,
                default=defaults.get(name, col.default),
                generated=generated.get(name, col.generated),
            )
    indexes = shape.indexes
    if "index" in found or "key" in found:
        indexes = dict(indexes)
        predicates, keys_printed = found.get("index", {}), found.get("key", {})
        for name, ix in shape.indexes.items():
            keys_of = [f"{name}:{number}" for number in range(len(ix.columns))]
            if name not in predicates and not any(k in keys_printed for k in keys_of):
                continue
            indexes[name] = copy_with(
                ix,
                predicate=predicates.get(name, ix.predicate),
                # an expression key as pg_get_indexdef prints it; a plain column stays itself
                columns=tuple(
                    keys_printed.get(k, key) for k, key in zip(keys_of, ix.columns, strict=True)
                ),
            )
    return copy_with(
        shape,
        columns=columns,
        checks={**shape.checks, **found.get("check", {})},
        excludes={**shape.excludes, **found.get("exclude", {})},
        indexes=indexes,
        policies=_printed_policies(shape, found, table),
    )


def _printed_policies(shape: TableShape, found: _Keys, table: str) -> dict[str, PolicyShape]:
    using, check = found.get("using", {}), found.get("with_check", {})
    if not using and not check:
        return shape.policies
    return {
        name: copy_with(
            p,
            using=as_on(using[name], table) if name in using else p.using,
            with_check=as_on(check[name], table) if name in check else p.with_check,
        )
        for name, p in shape.policies.items()
    }


#: A cast as PostgreSQL prints it: ``::text``, ``::character varying(3)``, ``::product_status[]``.
_CAST = re.compile(
    r"::(?:character varying|double precision|(?:timestamp|time) with(?:out)? time zone"
    r'|bit varying|"[^"]+"|[A-Za-z_][\w.]*)(?:\([\d, ]*\))?(?:\[\])*'
)


#: A string constant or a quoted name: case and parentheses in it are its own.
_QUOTED = re.compile(r"""(?:[eE]?'(?:[^']|'')*'|"(?:[^"]|"")+")""")


def loose(text: str) -> str:
    """An expression without casts, parentheses and case: a fallback comparison key
    where the server does not print ours (a read-only database; a partition key).
    Strings and quoted names keep theirs ('USD' is not 'usd')."""
    text = _CAST.sub("", text)  # first: a cast may name a quoted type (::"Mood")
    parts = []
    at = 0
    for quoted in _QUOTED.finditer(text):
        parts += [_loose_words(text[at : quoted.start()]), quoted.group(0)]
        at = quoted.end()
    return " ".join(" ".join([*parts, _loose_words(text[at:])]).split())


def _loose_words(text: str) -> str:
    # the server prints a CASE without ELSE with ELSE NULL (its cast gone above)
    words = " ".join(re.sub(r"[()]", " ", text).lower().split())
    return re.sub(r"\belse null end\b", "end", words)


def _pick(expected: str | None, actual: str | None) -> str | None:
    if expected is not None and actual is not None and loose(expected) == loose(actual):
        return actual
    return expected


def _columns_of(actual: DatabaseShape) -> Columns:
    """The columns of a table the database read, by (schema or None, name)."""

    def columns(schema: str | None, name: str) -> frozenset[str] | None:
        table = actual.tables.get(f"{schema}.{name}" if schema else name)
        return frozenset(table.columns) if table is not None else None

    return columns


def _pick_policy(
    expected: str | None,
    actual: str | None,
    table: str,
    act: TableShape,
    columns: Columns,
    live: DatabaseShape,
) -> str | None:
    """The database's text of a policy expression of ``table`` (whose shape is
    ``act``) that is ours as PostgreSQL prints it back (:mod:`.policy_forms`: columns
    by what they bind to, sub-selects' included, printing's rewrites undone), else
    ours. Where either does not parse, :func:`_pick` up to its columns qualified with
    the table's name too (PostgreSQL prints them bare, but in a sub-select).
    ``live``: the database read, whose current schema PostgreSQL prints bare."""
    if expected is None or actual is None:
        return expected
    own_columns = frozenset(act.columns)
    home, shadowed = live.home, live.shadowed
    form = policy_form(expected, table, own_columns, columns, home, shadowed)
    if form is not None:
        printed = policy_form(actual, table, own_columns, columns, home, shadowed)
        if printed is not None:
            return actual if form == printed else expected
    own = f"{PROBE_TABLE}."
    if loose(on_probe(expected, table).replace(own, "")) == loose(
        on_probe(actual, table).replace(own, "")
    ):
        return actual
    return expected


def _bare_columns(shape: TableShape, table: str) -> TableShape:
    """``shape`` with the columns of its checks and index predicates bare, as PostgreSQL
    stores them (``billing.invoices.total > 0`` is ``total > 0``): the stand-in table
    the server prints them on has another name, and a read-only database compares
    them as written. Such an expression holds no sub-select, so every qualified column
    is the table's own (validate refuses any other)."""

    def bare(expression: str) -> str:
        if "." not in expression:  # (most: no parse)
            return expression
        return on_probe(expression, table).replace(f"{PROBE_TABLE}.", "")

    checks = {name: bare(expr) for name, expr in shape.checks.items()}
    indexes = {
        name: copy_with(ix, predicate=bare(ix.predicate)) if ix.predicate else ix
        for name, ix in shape.indexes.items()
    }
    if checks == shape.checks and indexes == shape.indexes:
        return shape
    return copy_with(shape, checks=checks, indexes=indexes)


def _align_loosely(
    table: str, exp: TableShape, act: TableShape, read: Columns, live: DatabaseShape
) -> TableShape:
    """Without a temp table to let PostgreSQL normalize expressions, accept the
    database's spelling of an expression equal to ours up to casts and parentheses
    (a policy's: as :func:`_pick_policy` says; ``read``: the columns of the tables read;
    ``live``: the database read)."""
    columns = {
        n: copy_with(c, default=_pick(c.default, act.columns[n].default)) if n in act.columns else c
        for n, c in exp.columns.items()
    }
    checks = {n: _pick(e, act.checks.get(n)) or e for n, e in exp.checks.items()}
    excludes = {n: _pick(e, act.excludes.get(n)) or e for n, e in exp.excludes.items()}
    indexes = {
        n: copy_with(ix, predicate=_pick(ix.predicate, act.indexes[n].predicate))
        if n in act.indexes
        else ix
        for n, ix in exp.indexes.items()
    }
    policies = {
        n: copy_with(
            p,
            using=_pick_policy(p.using, act.policies[n].using, table, act, read, live),
            with_check=_pick_policy(
                p.with_check, act.policies[n].with_check, table, act, read, live
            ),
        )
        if n in act.policies
        else p
        for n, p in exp.policies.items()
    }
    return copy_with(
        exp, columns=columns, checks=checks, excludes=excludes, indexes=indexes, policies=policies
    )


def _default_opclasses(
    conn: psycopg.Connection[Any], expected: DatabaseShape
) -> set[tuple[str, str]]:
    """(method, opclass) pairs among the expected ones that are some type's default."""
    named = {
        (ix.method, op)
        for table in expected.tables.values()
        for ix in table.indexes.values()
        for op in ix.opclasses
        if op
    }
    if not named:
        return set()
    with conn.cursor() as cur:
        cur.execute(
            "SELECT am.amname, o.opcname FROM pg_opclass o JOIN pg_am am ON am.oid = o.opcmethod "
            "WHERE o.opcdefault AND o.opcname = ANY(%s)",
            ([op for _, op in named],),
        )
        return {(m, o) for m, o in cur.fetchall()} & named


def _drop_default_opclasses(shape: TableShape, defaults: set[tuple[str, str]]) -> TableShape:
    """An explicitly written default opclass (``jsonb_ops``) is the same as none."""
    if not defaults:
        return shape
    indexes = {
        name: copy_with(
            ix, opclasses=tuple(None if (ix.method, op) in defaults else op for op in ix.opclasses)
        )
        for name, ix in shape.indexes.items()
    }
    return copy_with(shape, indexes=indexes)
