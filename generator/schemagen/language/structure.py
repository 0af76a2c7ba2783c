"""The schema language as a JSON Schema (draft 2020-12): the one definition of its shape.

Editors load it (through the ``# yaml-language-server: $schema=...`` line) to
complete and check as you type; ``schemagen validate`` checks every file
against the same dictionary before its semantic checks, and translates
:mod:`jsonschema` errors into located, human messages (:mod:`.messages`).

Custom ``x-expected`` keywords say, in words, what a value must be; JSON Schema
validators ignore unknown keywords, and our error translation reads them.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ..model.routines import EVENTS, LANGUAGES, LEVELS, SECURITIES, TIMINGS, VOLATILITIES
from ..model.schema import BASE_TYPES, FK_ACTIONS, POLICY_COMMANDS
from .quickcheck import Check, Unsupported, compile_schema

SCHEMA_ID = "https://schemagen.dev/schemas/schemagen.schema.json"
INDEX_METHODS: tuple[str, ...] = ("btree", "gin", "gist", "brin", "hash", "spgist")
LAZY_OPTIONS: tuple[str, ...] = (
    "select",
    "joined",
    "selectin",
    "subquery",
    "raise",
    "raise_on_sql",
    "noload",
    "immediate",
    "write_only",
    "dynamic",
)
NAMING_KEYS: tuple[str, ...] = ("ix", "uq", "ck", "fk", "pk")

_NAME = {"type": "string", "minLength": 1, "x-expected": "a name"}
_TEXT = {"type": "string", "x-expected": "text"}
_BOOL = {"type": "boolean"}
_NAMES = {"type": "array", "items": _NAME, "x-expected": "a list of names"}
_SCHEMA = {
    "type": "string",
    "pattern": "^[a-z_][a-z0-9_]*$",
    "description": "The PostgreSQL schema (namespace) it lives in (default: database.schema, "
    "else public); migrations create it.",
    "x-expected": "a schema name in lower case (letters, digits, _)",
}
_COLUMN_LIST = {
    "type": "array",
    "items": _NAME,
    "minItems": 1,
    "x-expected": "a non-empty list of column names",
}


def _object(
    properties: dict[str, Any],
    required: tuple[str, ...] = (),
    *,
    expected: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """A closed mapping: unknown keys are errors (``x-expected`` words the whole)."""
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    if required:
        schema["required"] = list(required)
    if expected:
        schema["x-expected"] = expected
    if description:
        schema["description"] = description
    return schema


def _named(ref: str, description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": {"$ref": f"#/$defs/{ref}"},
        "x-expected": f"a mapping of name: {ref.replace('_', ' ')}",
    }


_TYPE_PARAMS: dict[str, Any] = {
    "type": {"$ref": "#/$defs/type_name"},
    "length": {
        "type": "integer",
        "minimum": 1,
        "maximum": 10485760,
        "description": "Maximum length of a string.",
    },
    "precision": {
        "type": "integer",
        "minimum": 0,
        "maximum": 1000,
        "description": "Total digits of a numeric (1 to 1000); fractional digits of the "
        "seconds of a time, timetz, timestamp, timestamptz or interval (0 to 6).",
    },
    "scale": {"type": "integer", "minimum": 0, "description": "Digits after the point."},
    "enum": {**_NAME, "description": "The enum of an `enum` column."},
    "of": {"$ref": "#/$defs/element_type"},
}

#: Options of a sequence, standalone or an identity column's.
_SEQUENCE_OPTIONS: dict[str, Any] = {
    "start": {"type": "integer", "description": "START WITH (default: the minimum)."},
    "increment": {
        "type": "integer",
        "description": "INCREMENT BY (default 1; negative counts down; not 0).",
    },
    "min": {"type": "integer", "description": "MINVALUE."},
    "max": {"type": "integer", "description": "MAXVALUE."},
    "cycle": {**_BOOL, "description": "Start over after the last value (default false)."},
    "cache": {"type": "integer", "minimum": 1, "description": "CACHE (default 1)."},
}

_IDENTITY: dict[str, Any] = {
    "anyOf": [
        {"enum": ["always", "by default"]},
        {"const": False},  # no identity: a lone integer key the application numbers
        _object(
            {
                "always": {**_BOOL, "description": "GENERATED ALWAYS (default: BY DEFAULT)."},
                "name": {
                    **_NAME,
                    "description": "The identity's sequence name where it is not "
                    "<table>_<column>_seq (PostgreSQL keeps the old name when a table is "
                    "renamed); in the table's PostgreSQL schema.",
                },
                **_SEQUENCE_OPTIONS,
            }
        ),
    ],
    "description": "An identity column: GENERATED ALWAYS or BY DEFAULT AS IDENTITY, "
    "with sequence options; false: no identity (a lone integer key is one otherwise).",
    "x-expected": "always, by default, false, or a mapping such as {always: true, start: 1000}",
}

_FK_ACTION = {"enum": list(FK_ACTIONS), "x-expected": "one of " + ", ".join(FK_ACTIONS)}
_FK_MATCH = {
    "enum": ["simple", "full"],
    "description": "MATCH SIMPLE (the default: a key with a NULL is not checked) or "
    "MATCH FULL (its columns are all NULL or all set and checked).",
    "x-expected": "simple or full (PostgreSQL implements no MATCH PARTIAL)",
}

_COLUMN: dict[str, Any] = _object(
    {
        **_TYPE_PARAMS,
        "nullable": {**_BOOL, "description": "NULL allowed (default false)."},
        "primary_key": {**_BOOL, "description": "Part of the primary key."},
        "unique": {**_BOOL, "description": "A single-column unique constraint."},
        "index": {**_BOOL, "description": "A single-column index."},
        "default": {
            "type": ["string", "number", "boolean", "object", "array"],
            "description": "Server default: a literal, `now`, or {sql: expression}.",
            "x-expected": "a literal, now, {} or [] for JSON, or {sql: expression}",
        },
        "on_update": {"enum": ["now"], "x-expected": "now"},
        "generated": {
            **_TEXT,
            "description": "A generated column: GENERATED ALWAYS AS (expression) STORED.",
            "x-expected": "an SQL expression",
        },
        "identity": _IDENTITY,
        "sequence": _object(
            {
                "type": {
                    "enum": ["smallint", "integer", "bigint"],
                    "description": "The sequence's type where it is not the column's "
                    "(a dump of PostgreSQL before 10: bigint).",
                    "x-expected": "smallint, integer or bigint",
                },
                "name": {
                    **_NAME,
                    "description": "The sequence's name where it is not <table>_<column>_seq "
                    "(PostgreSQL keeps the old name when a table is renamed); in the "
                    "table's PostgreSQL schema.",
                },
                **_SEQUENCE_OPTIONS,
            },
            expected="a sequence mapping such as {type: bigint}, {name: orders_id_seq} or "
            "{start: 1000}",
            description="A serial column's own sequence, where it is not what serial "
            "makes today: its type, name and options (as sequences: entries say them).",
        ),
        "collation": {
            **_TEXT,
            "minLength": 1,
            "description": 'COLLATE of a string or text column, e.g. "C" or "und-x-icu".',
            "x-expected": "a collation name",
        },
        "references": {
            "type": "string",
            "pattern": r"^[^.\s]+(\.[^.\s]+)?$",
            "description": "`Entity` (its primary key) or `Entity.column`.",
            "x-expected": "Entity or Entity.column",
        },
        "on_delete": _FK_ACTION,
        "on_update_fk": _FK_ACTION,
        "match": _FK_MATCH,
        "deferrable": {**_BOOL, "description": "The foreign key is DEFERRABLE."},
        "initially_deferred": {
            **_BOOL,
            "description": "DEFERRABLE INITIALLY DEFERRED: checked at commit.",
        },
        "validated": {
            **_BOOL,
            "description": "false: the foreign key is NOT VALID on purpose (rows written "
            "are checked, the rows there when it was added never were); default true.",
        },
        "statistics": {
            "type": "integer",
            "minimum": -1,
            "maximum": 10000,
            "description": "ALTER COLUMN ... SET STATISTICS: ANALYZE's sample and "
            "histogram size for the column (0 to 10000; -1 or left out: "
            "default_statistics_target).",
            "x-expected": "an integer from -1 to 10000",
        },
        "storage": {
            "enum": ["plain", "main", "external", "extended"],
            "description": "ALTER COLUMN ... SET STORAGE: how TOAST keeps the column's "
            "long values (plain, main, external, extended; left out: the type's own).",
            "x-expected": "plain, main, external or extended",
        },
        "relationship": {
            "type": ["string", "boolean"],
            "not": {"const": True},
            "description": "Many-to-one attribute name, or false for none.",
            "x-expected": "a name, or false for no relationship",
        },
        "back_populates": {
            "type": ["string", "boolean"],
            "not": {"const": True},
            "description": "One-to-many attribute on the referenced entity, or false for none.",
            "x-expected": "a name, or false for no reverse side",
        },
        "attribute": {**_NAME, "description": "Python attribute name."},
        "description": {**_TEXT, "description": "Markdown; also the database COMMENT."},
        "renamed_from": {**_NAME, "description": "The column's previous name."},
        "seed": _object(
            {
                "sql": {
                    **_TEXT,
                    "minLength": 1,
                    "description": "Value generator for `schemagen seed`: a SQL expression "
                    "over n (row number) and r (uniform random in [0, 1)).",
                },
                "skew": {
                    "type": "number",
                    "minimum": 1,
                    "maximum": 20,
                    "description": "Foreign key: 1 spreads rows evenly over the parents; "
                    "larger values put most rows on a few parents (default 2).",
                    "x-expected": "a number from 1 to 20",
                },
                "nulls": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1,
                    "description": "Share of NULLs in a nullable column (0 to 1).",
                    "x-expected": "a number from 0 to 1",
                },
            },
            expected="a seed mapping such as {sql: \"'SKU-' || n\", nulls: 0.2}",
            description="How `schemagen seed` fills the column (no DDL).",
        ),
        "using": {
            **_TEXT,
            "description": "SQL giving the new value when the type changes and PostgreSQL "
            "has no implicit or assignment cast, e.g. extract(epoch from seen_at)::integer.",
        },
    },
    expected="a column mapping such as {type: text, nullable: true}",
)

_INDEX_KEY: dict[str, Any] = {
    "anyOf": [
        _NAME,
        _object(
            {
                "column": {**_NAME, "description": "An indexed column."},
                "expression": {**_TEXT, "description": "An indexed SQL expression."},
                "order": {"enum": ["asc", "desc"], "x-expected": "asc or desc"},
                "nulls": {"enum": ["first", "last"], "x-expected": "first or last"},
                "ops": {**_NAME, "description": "Operator class of this key."},
                "collation": {
                    **_TEXT,
                    "minLength": 1,
                    "description": 'COLLATE of this key (a column or an expression), e.g. "C".',
                    "x-expected": "a collation name",
                },
            },
            expected="a key such as {column: created_at, order: desc, nulls: last} "
            'or {expression: "lower(email)"}',
        ),
    ],
    "x-expected": "a column name, or {column: ...} or {expression: ...}",
}

_INDEX: dict[str, Any] = _object(
    {
        "columns": {
            "type": "array",
            "items": _INDEX_KEY,
            "minItems": 1,
            "description": "Index keys, in order: column names, or {column|expression, "
            "order, nulls, ops}.",
            "x-expected": "a non-empty list of index keys",
        },
        "unique": {**_BOOL, "description": "A unique index."},
        "nulls_not_distinct": {
            **_BOOL,
            "description": "A unique index whose NULLs count as equal (PostgreSQL 15).",
        },
        "using": {
            "type": "string",
            "pattern": "^[a-z_][a-z0-9_]*$",
            "description": "Index method (default btree): " + ", ".join(INDEX_METHODS)
            + ", or one an extension adds (hnsw, ivfflat, ...).",
            "x-expected": "an index method such as " + ", ".join(INDEX_METHODS),
        },
        "ops": {
            "type": "object",
            "additionalProperties": _NAME,
            "description": "Operator class per column.",
            "x-expected": "a mapping of column: operator class",
        },
        "where": {**_TEXT, "description": "Predicate of a partial index (SQL)."},
        "include": {**_NAMES, "description": "Covering columns."},
        "concurrently": {
            **_BOOL,
            "description": "Create CONCURRENTLY when added to an existing table (default true).",
        },
        "description": {**_TEXT, "description": "Markdown for the docs."},
        "serves": {
            "type": "array",
            "items": {**_TEXT, "minLength": 1},
            "description": "SQL queries the index is for; `schemagen prove` shows the "
            "planner uses it for each.",
            "x-expected": "a list of SQL queries",
        },
    },
    ("columns",),
)
# PostgreSQL defers only constraints: ``CREATE UNIQUE INDEX`` has no DEFERRABLE.
_INDEX["x-misplaced"] = {
    key: "an index cannot be DEFERRABLE (only a constraint can); declare a unique "
    "constraint under the entity's unique: as {columns: [...], deferrable: true}"
    for key in ("deferrable", "initially_deferred")
}

_EXCLUDE_ELEMENT: dict[str, Any] = _object(
    {
        "column": {**_NAME, "description": "A column compared by the operator."},
        "expression": {**_TEXT, "description": "An SQL expression compared by the operator."},
        "with": {
            "type": "string",
            "pattern": "^[-+*/<>=~!@#%^&|`?]+$",
            "description": "The operator (=, &&, <>, ...): commutative, of the method's "
            "operator class.",
            "x-expected": "an operator such as = or &&",
        },
        "ops": {**_NAME, "description": "Operator class of this element."},
    },
    ("with",),
    expected='an element such as {column: room_id, with: "="}',
)

_EXCLUDE: dict[str, Any] = _object(
    {
        "using": {
            "type": "string",
            "pattern": "^[a-z_][a-z0-9_]*$",
            "description": "Index method (default gist); = on a scalar column under gist "
            "needs the btree_gist extension.",
            "x-expected": "an index method such as gist",
        },
        "elements": {
            "type": "array",
            "items": {"$ref": "#/$defs/exclude_element"},
            "minItems": 1,
            "description": "{column|expression, with: operator}, in order.",
            "x-expected": "a non-empty list of elements",
        },
        "where": {**_TEXT, "description": "Predicate: only rows it holds for are compared."},
    },
    ("elements",),
    expected='an exclusion such as {elements: [{column: during, with: "&&"}]}',
)

_PARTITION_KEY_ITEM: dict[str, Any] = {
    "anyOf": [
        _NAME,
        _object(
            {"expression": {**_TEXT, "description": "An SQL expression rows are routed by."}},
            ("expression",),
        ),
    ],
    "x-expected": "a column name or {expression: ...}",
}
_PARTITION_KEY_LIST: dict[str, Any] = {
    "type": "array",
    "items": {"$ref": "#/$defs/partition_key_item"},
    "minItems": 1,
    "x-expected": "a non-empty list of columns or {expression: ...}",
}
_BOUND_VALUE: dict[str, Any] = {
    "type": ["string", "number", "boolean", "null"],
    "x-expected": "a value (MINVALUE and MAXVALUE say themselves)",
}
_BOUND: dict[str, Any] = {
    "anyOf": [_BOUND_VALUE, {"type": "array", "items": _BOUND_VALUE, "minItems": 1}],
    "x-expected": "a value, or a list of values (one per key column)",
}

_PARTITION_BY: dict[str, Any] = {
    **_object(
        {
            "range": {**_PARTITION_KEY_LIST, "description": "PARTITION BY RANGE (...)."},
            "list": {**_PARTITION_KEY_LIST, "description": "PARTITION BY LIST (...)."},
            "hash": {**_PARTITION_KEY_LIST, "description": "PARTITION BY HASH (...)."},
        },
        expected="one of {range: [...]}, {list: [...]} or {hash: [...]}",
    ),
    "minProperties": 1,
    "maxProperties": 1,
}

_PARTITION: dict[str, Any] = _object(
    {
        "from": {**_BOUND, "description": "FOR VALUES FROM (...), inclusive."},
        "to": {**_BOUND, "description": "... TO (...), exclusive."},
        "in": {
            "type": "array",
            "items": _BOUND_VALUE,
            "minItems": 1,
            "description": "FOR VALUES IN (...).",
            "x-expected": "a non-empty list of values",
        },
        "modulus": {"type": "integer", "minimum": 1, "description": "FOR VALUES WITH (MODULUS)."},
        "remainder": {"type": "integer", "minimum": 0, "description": "... REMAINDER)."},
        "default": {"const": True, "description": "The DEFAULT partition: rows no other takes."},
        "partition_by": {
            **_PARTITION_BY,
            "description": "Partitioned in turn: the partition's own key (a sub-partitioned "
            "partition), as the table's partition_by: says it.",
        },
        "partitions": _named("partition", "Its own partitions by table name, with their bounds."),
    },
    expected="a bound such as {from: 2026-01-01, to: 2026-02-01}, {in: [a, b]}, "
    "{modulus: 4, remainder: 0} or {default: true}, and for a partition partitioned in "
    "turn its partition_by: and partitions:",
)

_RELATIONSHIP: dict[str, Any] = _object(
    {
        "entity": {**_NAME, "description": "The entity on the other side."},
        "back_populates": {**_NAME, "description": "The attribute on the other side."},
        "secondary": {**_NAME, "description": "Association table of a many-to-many."},
        "cascade": {**_TEXT, "description": 'SQLAlchemy cascade, e.g. "all, delete-orphan".'},
        "order_by": {**_TEXT, "description": "Column(s) of the other side, e.g. position desc."},
        "lazy": {
            "enum": list(LAZY_OPTIONS),
            "description": "SQLAlchemy loader strategy.",
            "x-expected": "one of " + ", ".join(LAZY_OPTIONS),
        },
        "uselist": {**_BOOL, "description": "false for a one-to-one."},
        "passive_deletes": {
            **_BOOL,
            "description": "Leave deletes to ON DELETE (default: true when the FK cascades).",
        },
    },
    expected="a relationship mapping such as {cascade: all}",
)

def _choice(values: Any, description: str) -> dict[str, Any]:
    values = list(values)
    return {"enum": values, "description": description, "x-expected": "one of " + ", ".join(values)}


_SQL = {"type": "string", "minLength": 1, "x-expected": "SQL text"}

_ARGUMENT: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "minLength": 1},
        _object({"name": _NAME, "type": {**_SQL, "description": "SQL type."}}, ("type",)),
    ],
    "x-expected": "an SQL type, or {name: ..., type: ...}",
}

_FUNCTION: dict[str, Any] = _object(
    {
        "name": {**_NAME, "description": "Database name (default: the key); overloads share it."},
        "arguments": {
            "type": "array",
            "items": _ARGUMENT,
            "description": "Arguments in order: SQL types, or {name, type}.",
            "x-expected": "a list of arguments",
        },
        "returns": {**_SQL, "description": "Return type, e.g. trigger, integer, SETOF text."},
        "language": _choice(LANGUAGES, "Language (default plpgsql)."),
        "volatility": _choice(VOLATILITIES, "Volatility (default volatile)."),
        "security": _choice(SECURITIES, "SECURITY INVOKER (default) or DEFINER."),
        "body": {**_SQL, "description": "The function body (SQL or PL/pgSQL)."},
        "verbatim": {
            **_BOOL,
            "description": "The body exactly as written between the dollar quotes "
            "(default false: on lines of its own).",
        },
        "description": {**_TEXT, "description": "Markdown; also the COMMENT."},
    },
    ("returns", "body"),
    expected="a function mapping with returns: and body:",
)

_TRIGGER: dict[str, Any] = _object(
    {
        "function": {**_NAME, "description": "The trigger function (a key of `functions`)."},
        "timing": _choice(TIMINGS, "When it fires (default before)."),
        "events": {
            "type": "array",
            "items": _choice(EVENTS, "An event."),
            "minItems": 1,
            "uniqueItems": True,
            "description": "insert, update, delete, truncate.",
            "x-expected": "a non-empty list of events",
        },
        "for_each": _choice(LEVELS, "FOR EACH ROW (default) or STATEMENT."),
        "when": {**_SQL, "description": "WHEN condition (SQL, may use OLD and NEW)."},
        "old_table": {
            **_NAME,
            "description": "REFERENCING OLD TABLE AS: the name the function reads the "
            "statement's old rows by (an AFTER trigger on update or delete).",
        },
        "new_table": {
            **_NAME,
            "description": "REFERENCING NEW TABLE AS: the name the function reads the "
            "statement's new rows by (an AFTER trigger on insert or update).",
        },
        "description": {**_TEXT, "description": "Markdown; also the COMMENT."},
    },
    ("function", "events"),
    expected="a trigger mapping with function: and events:",
)

_POLICY: dict[str, Any] = _object(
    {
        "command": _choice(POLICY_COMMANDS, "The command it applies to (default all)."),
        "roles": {
            **_NAMES,
            "minItems": 1,
            "description": "Roles it applies to (default public: every role); each "
            "named role must exist in the cluster.",
        },
        "permissive": {
            **_BOOL,
            "description": "PERMISSIVE (default true: any one such policy lets a row "
            "through) or RESTRICTIVE (false: every such policy must).",
        },
        "using": {**_SQL, "description": "USING: the rows the command sees (SQL)."},
        "with_check": {**_SQL, "description": "WITH CHECK: the rows it may write (SQL)."},
        "description": {**_TEXT, "description": "Markdown; also the COMMENT."},
    },
    expected="a policy mapping such as {command: select, using: \"owner = current_user\"}",
)

_VIEW_COLUMN: dict[str, Any] = _object(
    {
        **_TYPE_PARAMS,
        "nullable": {**_BOOL, "description": "NULL possible (default false)."},
        "attribute": {**_NAME, "description": "Python attribute name."},
        "description": {**_TEXT, "description": "Markdown for the docs."},
    },
    ("type",),
    expected="a view column mapping such as {type: bigint}",
)

_VIEW: dict[str, Any] = _object(
    {
        "view": {**_NAME, "description": "Database name (default: snake_case of the key)."},
        "schema": _SCHEMA,
        "materialized": {**_BOOL, "description": "A materialized view (default false)."},
        "sql": {**_SQL, "description": "The SELECT that defines the view."},
        "description": {**_TEXT, "description": "Markdown; also the COMMENT."},
        "columns": _named("view_column", "Output columns, typed, in order."),
        "key": {**_COLUMN_LIST, "description": "Columns identifying a row (default: first)."},
        "indexes": _named("index", "Indexes (materialized views only)."),
    },
    ("sql", "columns"),
    expected="a view mapping with sql: and columns:",
)

#: The '$defs' of the JSON Schema (JSON_SCHEMA), by name; messages reads a '$ref''s target here.
SCHEMA_DEFS: dict[str, Any] = {
    "type_name": {
        "anyOf": [
            {"type": "string", "enum": list(BASE_TYPES)},
            {"type": "string", "minLength": 1},
        ],
        "description": "A base type, a name from `types`, or a PostgreSQL type name with "
        "its parameters (`tsvector`, `vector(1536)`, `geometry(Point,4326)`).",
        "x-expected": "a type name",
    },
    "type_spec": _object(
        {**_TYPE_PARAMS, "description": _TEXT},
        ("type",),
        expected="a type mapping such as {type: numeric, precision: 12, scale: 2}",
    ),
    "element_type": {
        "anyOf": [{"$ref": "#/$defs/type_name"}, {"$ref": "#/$defs/type_spec"}],
        "description": "Element type of an array: a type name or {type: ..., length: ...}.",
        "x-expected": "a type name or a type mapping",
    },
    "column": _COLUMN,
    "index": {
        "anyOf": [_COLUMN_LIST, _INDEX],
        "x-expected": "a list of columns or an index mapping",
    },
    "relationship": _RELATIONSHIP,
    "function": _FUNCTION,
    "trigger": _TRIGGER,
    "policy": _POLICY,
    "view": _VIEW,
    "view_column": _VIEW_COLUMN,
    "exclude": _EXCLUDE,
    "exclude_element": _EXCLUDE_ELEMENT,
    "partition": _PARTITION,
    "partition_key_item": _PARTITION_KEY_ITEM,
    "check": {
        "anyOf": [
            {**_TEXT, "x-expected": "an SQL expression"},
            _object(
                {
                    "expression": {**_TEXT, "description": "The SQL expression."},
                    "validated": {
                        **_BOOL,
                        "description": "false: NOT VALID on purpose (rows written are "
                        "checked, the rows there when it was added never were); "
                        "default true.",
                    },
                },
                ("expression",),
                expected="a check such as {expression: \"total >= 0\", validated: false}",
            ),
        ],
        "x-expected": "an SQL expression, or {expression: ..., validated: false}",
    },
    "unique": {
        "anyOf": [
            _COLUMN_LIST,
            _object(
                {
                    "columns": {**_COLUMN_LIST, "description": "The unique columns, in order."},
                    "deferrable": {
                        **_BOOL,
                        "description": "DEFERRABLE: may be checked at commit (SET CONSTRAINTS).",
                    },
                    "initially_deferred": {
                        **_BOOL,
                        "description": "DEFERRABLE INITIALLY DEFERRED: checked at commit.",
                    },
                },
                ("columns",),
                expected="a unique constraint such as {columns: [a, b], deferrable: true}",
            ),
        ],
        "x-expected": "a list of column names, or {columns: [...], deferrable: true}",
    },
    "foreign_key": _object(
        {
            "columns": {**_COLUMN_LIST, "description": "The referencing columns, in order."},
            "references": {**_NAME, "description": "The referenced entity."},
            "ref_columns": {
                **_COLUMN_LIST,
                "description": "The referenced columns (default: its primary key).",
            },
            "on_delete": _FK_ACTION,
            "on_update": _FK_ACTION,
            "match": _FK_MATCH,
            "deferrable": {**_BOOL, "description": "DEFERRABLE."},
            "initially_deferred": {**_BOOL, "description": "DEFERRABLE INITIALLY DEFERRED."},
            "validated": {
                **_BOOL,
                "description": "false: NOT VALID on purpose (rows written are checked, the "
                "rows there when it was added never were); default true.",
            },
        },
        ("columns", "references"),
        expected="a foreign key such as {columns: [a, b], references: Entity}",
    ),
    "enum_value": {
        "anyOf": [
            {"type": "string", "minLength": 1},
            _object(
                {"value": {"type": "string", "minLength": 1}, "description": _TEXT}, ("value",)
            ),
        ],
        "x-expected": "a value, or {value: ..., description: ...}",
    },
    "enum": _object(
        {
            "description": {**_TEXT, "description": "Markdown for the docs."},
            "db_name": {**_NAME, "description": "PostgreSQL type name (default: snake_case)."},
            "schema": _SCHEMA,
            "values": {
                "type": "array",
                "items": {"$ref": "#/$defs/enum_value"},
                "minItems": 1,
                "description": "Values in order; adding one later is a safe migration.",
                "x-expected": "a non-empty list of values",
            },
        },
        ("values",),
        expected="an enum mapping such as {values: [a, b]}",
    ),
    "mixin": _object(
        {"description": _TEXT, "columns": _named("column", "Columns the mixin adds.")},
        ("columns",),
        expected="a mixin mapping with columns: {...}",
    ),
    "entity": _object(
        {
            "table": {**_NAME, "description": "Table name (default: snake_case plural)."},
            "schema": _SCHEMA,
            "description": {**_TEXT, "description": "Markdown; also the table COMMENT."},
            "mixins": {**_NAMES, "description": "Mixins whose columns follow the primary key."},
            "primary_key": {
                **_COLUMN_LIST,
                "type": ["array", "boolean"],
                "not": {"const": True},
                "description": "The primary key's columns in the key's own order (when it "
                "differs from the columns' order), or false: the table has no primary key "
                "(an event log, a staging table; models.py makes it a Table, not a class).",
                "x-expected": "a non-empty list of column names, or false for no primary key",
            },
            "primary_key_name": {
                **_NAME,
                "description": "The primary key constraint's name, when naming_convention's "
                "pk does not give it (a table renamed since: PostgreSQL kept the old name).",
            },
            "renamed_from": {**_NAME, "description": "The entity's previous name."},
            "columns": _named("column", "Columns, in table order."),
            "unique": {
                "type": "object",
                "additionalProperties": {"$ref": "#/$defs/unique"},
                "description": "Named unique constraints: name: [columns], or name: "
                "{columns: [...], deferrable: true}.",
                "x-expected": "a mapping of name: [columns]",
            },
            "checks": {
                "type": "object",
                "additionalProperties": {"$ref": "#/$defs/check"},
                "description": "Named check constraints: name: SQL expression, or name: "
                "{expression: ..., validated: false}.",
                "x-expected": "a mapping of name: SQL expression",
            },
            "indexes": _named("index", "Named indexes."),
            "foreign_keys": _named("foreign_key", "Named (composite) foreign keys."),
            "exclude": _named(
                "exclude", "Named exclusion constraints (EXCLUDE USING gist (... WITH ...))."
            ),
            "partition_by": {
                **_PARTITION_BY,
                "description": "The partition key: {range|list|hash: [columns or "
                "{expression: ...}]}.",
            },
            "partitions": _named("partition", "Partitions by table name, with their bounds."),
            "relationships": _named("relationship", "Reverse-side options or many-to-many."),
            "triggers": _named("trigger", "Triggers on the table."),
            "row_level_security": {
                "type": ["boolean", "string"],
                "pattern": "^force$",
                "description": "Row-level security: true (ENABLE), force (ENABLE and "
                "FORCE: the table's owner too) or false (default).",
                "x-expected": "true, false or force",
            },
            "policies": _named("policy", "Row-level security policies, by name."),
            "replica_identity": {
                "anyOf": [
                    {"enum": ["default", "full", "nothing"]},
                    _object(
                        {
                            "index": {
                                **_NAME,
                                "description": "A unique index or unique constraint of "
                                "the table (or its primary key), by name.",
                            }
                        },
                        ("index",),
                    ),
                ],
                "description": "REPLICA IDENTITY: what logical replication and change "
                "data capture (Debezium) send of an updated or deleted row's old version: "
                "default (its primary key), full (every column), nothing, or {index: "
                "name} (that unique index's columns).",
                "x-expected": "default, full, nothing, or {index: name of a unique index}",
            },
            "cluster_on": {
                **_NAME,
                "description": "CLUSTER ON: the index a bare CLUSTER of the table (a "
                "maintenance job's) sorts its rows by, as pg_dump keeps it: an indexes: "
                "entry, a unique: constraint, an exclude: constraint or the primary key, "
                "by name (btree or gist, not partial). A mark only: setting it sorts "
                "nothing.",
                "x-expected": "the name of an index of the table",
            },
        },
        ("columns",),
        expected="an entity mapping with columns: {...}",
    ),
    "sequence": _object(
        {
            "type": {
                "enum": ["smallint", "integer", "bigint"],
                "description": "The sequence's type (default bigint).",
                "x-expected": "smallint, integer or bigint",
            },
            **_SEQUENCE_OPTIONS,
            "schema": _SCHEMA,
        },
        expected="a sequence mapping such as {start: 1000}",
    ),
    "domain": _object(
        {
            **_TYPE_PARAMS,
            "not_null": {**_BOOL, "description": "NOT NULL: no column of the domain holds NULL."},
            "default": {
                "type": ["string", "number", "boolean", "object"],
                "description": "DEFAULT of the domain: a literal, `now`, or {sql: expression}.",
                "x-expected": "a literal, now, or {sql: expression}",
            },
            "checks": {
                "type": "object",
                "additionalProperties": {
                    **_TEXT,
                    "minLength": 1,
                    "x-expected": "an SQL expression over VALUE",
                },
                "description": "Named CHECK constraints: name: SQL expression over VALUE.",
                "x-expected": "a mapping of name: SQL expression over VALUE",
            },
            "collation": {
                **_TEXT,
                "minLength": 1,
                "description": "COLLATE of a string or text domain.",
                "x-expected": "a collation name",
            },
            "schema": _SCHEMA,
            "db_name": {
                **_NAME,
                "description": "PostgreSQL domain name (default: the YAML key), such as Name: "
                "one that needs quotes.",
            },
            "description": {**_TEXT, "description": "Markdown for the docs."},
        },
        ("type",),
        expected="a domain mapping such as {type: text, checks: {email_has_at: \"VALUE ~ '@'\"}}",
    ),
    "database": _object(
        {
            "name": {**_NAME, "description": "Used in docs, the .env example, pg_dump."},
            "description": {**_TEXT, "description": "Markdown, at the top of the docs."},
            "dialect": {"enum": ["postgresql"], "x-expected": "postgresql"},
            "schema": {
                **_SCHEMA,
                "description": "The PostgreSQL schema of every table, enum, sequence and view "
                "that names none, and of every function (default public).",
            },
            "extensions": {
                **_NAMES,
                "uniqueItems": True,
                "description": "CREATE EXTENSION IF NOT EXISTS, in migrations.",
            },
            "on_update_now": _choice(
                ("orm", "trigger"),
                "Who keeps `on_update: now` columns: the ORM (default) or a database trigger.",
            ),
            "naming_convention": _object(
                {key: _TEXT for key in NAMING_KEYS},
                description="SQLAlchemy naming_convention templates, key by key.",
            ),
        },
        ("name",),
        expected="a mapping such as {name: mydb}",
    ),
}

JSON_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "schemagen schema file",
    "description": "One YAML file of a schemagen schema folder.",
    **_object(
        {
            "database": {"$ref": "#/$defs/database"},
            "types": _named("type_spec", "Reusable column types."),
            "mixins": _named("mixin", "Reusable groups of columns."),
            "enums": _named("enum", "Enums: Python enum.Enum and a PostgreSQL enum type."),
            "entities": _named("entity", "Entities: one table and one model class each."),
            "functions": _named("function", "SQL and PL/pgSQL functions."),
            "views": _named("view", "Views and materialized views: read-only classes."),
            "sequences": _named("sequence", "Standalone sequences (CREATE SEQUENCE)."),
            "domains": _named(
                "domain", "Domains (CREATE DOMAIN): named types with their checks."
            ),
        }
    ),
    "$defs": SCHEMA_DEFS,
}


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of one schema file, as a fresh dict."""
    copy: dict[str, Any] = json.loads(json.dumps(JSON_SCHEMA))
    return copy


def json_schema_text() -> str:
    """Return the JSON Schema as canonical text: sorted keys, indent 2, final newline."""
    return json.dumps(JSON_SCHEMA, indent=2, sort_keys=True) + "\n"


@functools.lru_cache(maxsize=1)
def quick_check() -> Check | None:
    """The fast verdict of :mod:`schemagen.language.quickcheck` for the language, or None if
    the schema uses a keyword it does not know (then jsonschema checks every file)."""
    try:
        return compile_schema(JSON_SCHEMA)
    except Unsupported:
        return None
