"""Every semantic check of `schemagen validate`, each fed bad input, with its exact message.

Each case writes ``schema/s.yaml`` (plus ``schema/0_db.yaml`` with the database
block) and compares the full list of formatted issues: file:line:col: path: message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures.language.helpers import issues_of, write_project
from schemagen.cli import main

CASES: dict[str, tuple[str, list[str]]] = {
    # unknown types, with a hint
    'unknown_type': (
        """
entities:
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      title: {type: strng, length: 20}
""",
        [
            "schema/s.yaml:5:15: entities.Product.columns.title.type: unknown type 'strng' "
            "(did you mean 'string'?)",
        ],
    ),
    # unknown keys at every level, with a hint
    'unknown_keys': (
        """
entities:
  Product:
    colums: {}
    columns:
      id: {type: bigint, primary_key: true, nulable: true}
    indexes:
      ix_a: {columns: [id], usign: gin}
""",
        [
            "schema/s.yaml:3:5: entities.Product.colums: unknown key 'colums' (did you mean "
            "'columns'?)",
            "schema/s.yaml:5:45: entities.Product.columns.id.nulable: unknown key 'nulable' "
            "(did you mean 'nullable'?)",
            "schema/s.yaml:7:29: entities.Product.indexes.ix_a.usign: unknown key 'usign' "
            "(did you mean 'using'?)",
        ],
    ),
    # values of the wrong kind, and YAML booleans
    'bad_values': (
        """
enums:
  Answer: {values: [yes, no]}
entities:
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Product, on_delete: cascading}
      x: {type: 3}
""",
        [
            'schema/s.yaml:2:21: enums.Answer.values.0: expected a value, or {value: ..., '
            'description: ...}, got true (YAML reads yes/no/on/off/true/false as booleans; '
            'quote the text)',
            'schema/s.yaml:2:26: enums.Answer.values.1: expected a value, or {value: ..., '
            'description: ...}, got false (YAML reads yes/no/on/off/true/false as booleans; '
            'quote the text)',
            'schema/s.yaml:7:39: entities.Product.columns.store_id.on_delete: unknown value '
            "'cascading' (did you mean 'cascade'?); expected one of: cascade, set null, "
            'restrict, no action',
            'schema/s.yaml:8:11: entities.Product.columns.x.type: expected a type name, got '
            'the number 3',
        ],
    ),
    # type aliases that refer to themselves
    'alias_cycle': (
        """
types:
  a: {type: b}
  b: {type: a}
  c: {type: c}
entities:
  P:
    columns:
      id: {type: bigint, primary_key: true}
""",
        [
            'schema/s.yaml:2:7: types.a.type: type alias cycle: a -> b -> a',
            'schema/s.yaml:3:7: types.b.type: type alias cycle: b -> a -> b',
            'schema/s.yaml:4:7: types.c.type: type alias cycle: c -> c',
        ],
    ),
    # undefined mixins, enums, entities and columns
    'undefined_names': (
        """
mixins:
  stamps:
    columns:
      created_at: {type: timestamptz}
entities:
  Store:
    mixins: [stamp]
    columns:
      id: {type: bigint, primary_key: true}
      status: {type: enum, enum: Status}
      owner_id: {references: Stor}
      parent_id: {references: Store.idd}
    unique:
      uq_x: [nam]
    checks:
      ck_x: "prise >= 0"
    indexes:
      ix_a: [statsu]
      ix_b: {columns: [status], ops: {stat: x}, include: [foo], where: "bar > 1"}
    relationships:
      things: {entity: Thing}
      others: {entity: Store}
      more: {entity: Store, secondary: nope}
""",
        [
            "schema/s.yaml:7:14: entities.Store.mixins.0: unknown mixin 'stamp' (did you "
            "mean 'stamps'?)",
            "schema/s.yaml:10:28: entities.Store.columns.status.enum: unknown enum 'Status'",
            'schema/s.yaml:11:18: entities.Store.columns.owner_id.references: unknown entity '
            "'Stor' (did you mean 'Store'?)",
            'schema/s.yaml:12:19: entities.Store.columns.parent_id.references: entity Store '
            "has no column 'idd' (did you mean 'id'?)",
            "schema/s.yaml:14:14: entities.Store.unique.uq_x.0: unknown column 'nam'",
            "schema/s.yaml:16:7: entities.Store.checks.ck_x: unknown column 'prise'",
            "schema/s.yaml:18:14: entities.Store.indexes.ix_a.0: unknown column 'statsu' "
            "(did you mean 'status'?)",
            "schema/s.yaml:19:39: entities.Store.indexes.ix_b.ops.stat: `ops` names 'stat', "
            'which is not one of the index columns (status)',
            "schema/s.yaml:19:59: entities.Store.indexes.ix_b.include.0: unknown column 'foo'",
            "schema/s.yaml:19:65: entities.Store.indexes.ix_b.where: unknown column 'bar'",
            'schema/s.yaml:21:16: entities.Store.relationships.things.entity: unknown entity '
            "'Thing'",
            "schema/s.yaml:22:7: entities.Store.relationships.others: relationship 'others' "
            'matches no foreign key to Store; set back_populates: others on the foreign-key '
            'column, or say secondary: <table> for a many-to-many',
            "schema/s.yaml:23:29: entities.Store.relationships.more.secondary: "
            "unknown table 'nope'",
        ],
    ),
    # a column said twice through mixins
    'mixin_conflicts': (
        """
mixins:
  a:
    columns:
      note: {type: text}
  b:
    columns:
      note: {type: text}
      created_at: {type: timestamptz}
entities:
  Store:
    mixins: [a, b]
    columns:
      id: {type: bigint, primary_key: true}
      created_at: {type: timestamptz}
""",
        [
            "schema/s.yaml:11:17: entities.Store.mixins.1: column 'note' comes from both "
            "mixin 'a' and 'b'",
            "schema/s.yaml:14:7: entities.Store.columns.created_at: column 'created_at' also "
            "comes from mixin 'b'; say it once",
        ],
    ),
    # foreign-key type, uniqueness and delete rule
    'foreign_keys': (
        """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      email: {type: text}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: text, references: Store, on_delete: set null}
      store_email: {type: text, references: Store.email, on_delete: cascade}
      x: {type: text, on_delete: cascade}
""",
        [
            'schema/s.yaml:9:18: entities.Product.columns.store_id.type: type text '
            'differs from the referenced Store.id (bigint); leave `type` out to copy it, or '
            'give it another integer type (smallint, integer, bigint)',
            'schema/s.yaml:9:49: entities.Product.columns.store_id.on_delete: on_delete: set '
            'null on a NOT NULL column; add nullable: true or choose another rule',
            'schema/s.yaml:10:33: entities.Product.columns.store_email.references: '
            'Store.email is neither the primary key nor unique; PostgreSQL needs a unique '
            'constraint on the referenced column',
            'schema/s.yaml:11:23: entities.Product.columns.x.on_delete: `on_delete` needs '
            '`references` (a foreign key)',
        ],
    ),
    # entities without a usable primary key
    'primary_keys': (
        """
entities:
  Store:
    columns:
      name: {type: text}
  Other:
    columns:
      a: {type: bigint, primary_key: true}
      b: {type: bigint, primary_key: true, nullable: true}
  Ref:
    columns:
      id: {type: bigint, primary_key: true}
      o: {references: Other, on_delete: cascade}
""",
        [
            'schema/s.yaml:2:3: entities.Store: entity has no primary key; mark a column '
            'with primary_key: true, or say primary_key: false for a table without one '
            '(an event log, a staging table)',
            'schema/s.yaml:8:44: entities.Other.columns.b.nullable: a primary-key column '
            'cannot be nullable',
            'schema/s.yaml:12:11: entities.Ref.columns.o.references: entity Other has a '
            'composite primary key (a, b); reference one column, e.g. Other.a',
        ],
    ),
    # invalid and too long identifiers, given or generated
    'identifiers': (
        """
entities:
  Store:
    table: store-table
    columns:
      id: {type: bigint, primary_key: true}
      a_very_long_column_name_that_goes_on_and_on_and_on_beyond_the_limit_x: {type: text}
      2fa: {type: text}
  Product:
    table: products_with_a_rather_long_table_name_for_the_sake_of_the_test
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Other, on_delete: cascade}
  Other:
    columns:
      id: {type: bigint, primary_key: true}
""",
        [
            "schema/s.yaml:3:5: entities.Store.table: table name 'store-table' is not a "
            'valid identifier (letters, digits and underscores, not starting with a digit)',
            'schema/s.yaml:6:7: '
            'entities.Store.columns.a_very_long_column_name_that_goes_on_and_on_and_on_beyond_'
            'the_limit_x: column name '
            "'a_very_long_column_name_that_goes_on_and_on_and_on_beyond_the_limit_x' is 69 "
            "bytes, longer than PostgreSQL's 63-byte limit for names",
            "schema/s.yaml:7:7: entities.Store.columns.2fa: column name '2fa' starts with a "
            "digit, which a Python name cannot; add attribute: c_2fa (the Python name)",
            'schema/s.yaml:8:3: entities.Product: primary-key name '
            "'pk_products_with_a_rather_long_table_name_for_the_sake_of_the_test' from the "
            "naming convention is 66 bytes, longer than PostgreSQL's 63; shorten the names "
            'or set database.naming_convention',
            "schema/s.yaml:12:18: warning: entities.Product.columns.store_id.references: "
            "foreign key fk_products_with_a_rather_long_table_name_for_the_sake_of_the_test_"
            "store_id_others (store_id) has no index that starts with its columns, so deleting "
            "a others row or finding its rows here scans all of products_with_a_rather_long_"
            "table_name_for_the_sake_of_the_test; add `index: true` or an index on (store_id)",
            'schema/s.yaml:12:18: entities.Product.columns.store_id.references: foreign-key '
            'name '
            "'fk_products_with_a_rather_long_table_name_for_the_sake_of_the_test_store_id_othe"
            "rs' from the naming convention is 82 bytes, longer than PostgreSQL's 63; "
            'shorten the names or set database.naming_convention',
        ],
    ),
    # same table, index or constraint name twice
    'namespaces': (
        """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      code: {type: text}
    indexes:
      idx_shared: [code]
  Shop:
    table: stores
    columns:
      id: {type: bigint, primary_key: true}
  Other:
    columns:
      id: {type: bigint, primary_key: true}
      code: {type: text}
    unique:
      uq_code: [code]
    checks:
      uq_code: "code <> ''"
    indexes:
      idx_shared: [code]
""",
        [
            "schema/s.yaml:2:3: entities.Store: table 'stores' is also the table of Shop "
            '(schema/s.yaml:8:3)',
            "schema/s.yaml:7:7: entities.Store.indexes.idx_shared: name 'idx_shared' is "
            'already used by an index of Other (schema/s.yaml:21:7); PostgreSQL tables, '
            'indexes and unique or primary-key constraints share one namespace',
            "schema/s.yaml:19:7: entities.Other.checks.uq_code: constraint name 'uq_code' is "
            'used twice on table others',
            'schema/s.yaml:21:7: warning: entities.Other.indexes.idx_shared: index '
            'idx_shared duplicates unique constraint uq_code (which already has an index on '
            'the same columns); drop it',
        ],
    ),
    # keywords and names SQLAlchemy reserves
    'python_names': (
        """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      class: {type: text}
      metadata: {type: jsonb}
      registry: {type: text, attribute: registry_}
      from: {type: text, attribute: import}
      type: {type: text}
      match: {type: text}
  Other:
    columns:
      id: {type: bigint, primary_key: true}
      registry: {type: text}
""",
        [
            "schema/s.yaml:5:7: entities.Store.columns.class: column name 'class' is a "
            'Python keyword; add attribute: class_ (the Python name)',
            "schema/s.yaml:6:7: entities.Store.columns.metadata: column name 'metadata' is "
            "reserved by SQLAlchemy's declarative base; add attribute: metadata_ (the Python "
            'name)',
            "schema/s.yaml:8:26: entities.Store.columns.from.attribute: 'import' is not a "
            'valid Python name',
            "schema/s.yaml:14:7: entities.Other.columns.registry: column name 'registry' is "
            "reserved by SQLAlchemy's declarative base; add attribute: registry_ (the Python "
            'name)',
        ],
    ),
    # relationship names that cannot be attributes of the mapped class
    'relationship_python_names': (
        """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
    relationships:
      import: {entity: Tag, secondary: store_tags}
  Tag:
    columns:
      id: {type: bigint, primary_key: true}
  StoreTag:
    columns:
      store_id: {references: Store, primary_key: true, on_delete: cascade, relationship: false}
      tag_id: {references: Tag, primary_key: true, on_delete: cascade, relationship: false, index: true}
  Item:
    columns:
      id: {type: bigint, primary_key: true}
      class_id: {references: Store, on_delete: cascade, index: true}
      parent_id: {references: Item, relationship: "a b", back_populates: metadata,
                  nullable: true, on_delete: cascade, index: true}
      tag_id: {references: Tag, on_delete: cascade, relationship: match, back_populates: type, index: true}
""",  # noqa: E501 (the YAML as written; its marks are asserted)
        [
            "schema/s.yaml:6:7: entities.Store.relationships.import: relationship 'import' on "
            "Store is a Python keyword; choose another name",
            "schema/s.yaml:17:7: entities.Item.columns.class_id.relationship: relationship "
            "'class' on Item is a Python keyword; choose another name",
            "schema/s.yaml:18:37: entities.Item.columns.parent_id.relationship: relationship "
            "'a b' on Item is not a valid Python name; choose another name",
            "schema/s.yaml:18:58: entities.Item.columns.parent_id.back_populates: relationship "
            "'metadata' on Item is reserved by SQLAlchemy's declarative base; choose another "
            "name",
        ],
    ),
    # relationship names that clash with columns
    'relationship_clash': (
        """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      products: {type: text}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store, on_delete: cascade, index: true}
      store: {type: text}
""",
        [
            'schema/s.yaml:9:7: entities.Product.columns.store_id.back_populates: '
            "relationship 'products' on Store clashes with column 'products'; choose another "
            'name',
            'schema/s.yaml:9:7: entities.Product.columns.store_id.relationship: relationship '
            "'store' on Product clashes with column 'store'; choose another name",
        ],
    ),
    # two foreign keys creating the same reverse side
    'relationship_twice': (
        """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
  Order:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store, on_delete: cascade, index: true}
      billing_store_id: {references: Store, on_delete: cascade, index: true}
""",
        [
            'schema/s.yaml:8:7: entities.Order.columns.store_id.back_populates: relationship '
            "'orders' on Store is created twice (by entities.Order.columns.billing_store_id, "
            'entities.Order.columns.store_id); give each a different name',
            'schema/s.yaml:9:7: entities.Order.columns.billing_store_id.back_populates: '
            "relationship 'orders' on Store is created twice (by "
            'entities.Order.columns.billing_store_id, entities.Order.columns.store_id); give '
            'each a different name',
        ],
    ),
    # string length, numeric scale, array element, enum name
    'type_parameters': (
        """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      a: {type: string}
      b: {type: numeric, precision: 4, scale: 6}
      c: {type: array}
      d: {type: text, length: 4}
      e: {type: numeric, scale: 2}
      f: {type: array, of: {type: string}}
      g: {type: enum}
""",
        [
            'schema/s.yaml:5:11: entities.Store.columns.a.type: type string needs `length` '
            '(or use text, or varchar for no limit)',
            'schema/s.yaml:6:11: entities.Store.columns.b.type: numeric scale 6 is above '
            'precision 4',
            'schema/s.yaml:7:11: entities.Store.columns.c.type: type array needs `of:` (the '
            'element type)',
            'schema/s.yaml:8:23: entities.Store.columns.d.length: `length` applies only to '
            'type string, not text',
            'schema/s.yaml:9:11: entities.Store.columns.e.type: numeric `scale` needs '
            '`precision` too',
            'schema/s.yaml:10:11: entities.Store.columns.f.type: type string needs `length` '
            '(or use text, or varchar for no limit)',
            'schema/s.yaml:11:11: entities.Store.columns.g.type: type enum needs `enum:` '
            '(the name of an enum)',
        ],
    ),
    # defaults that do not fit their column
    'defaults': (
        """
enums:
  Status: {values: [active, archived]}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      a: {type: integer, default: lots}
      b: {type: enum, enum: Status, default: actve}
      c: {type: integer, default: 1.5}
      d: {type: boolean, default: 'yes'}
      e: {type: text, default: {}}
      f: {type: jsonb, default: 'x'}
      g: {type: string, length: 2, default: abc}
      h: {type: date, default: tomorrow}
      i: {type: uuid, default: nope}
      j: {type: text, default: true}
      k: {type: integer, default: now}
      l: {type: text, on_update: now, attribute: l_}
      m: {type: smallint, default: 32768}
      n: {type: bigint, default: -9223372036854775809}
      o: {type: numeric, precision: 4, scale: 2, default: 99.995}
      p: {type: numeric, precision: 4, scale: 2, default: 99.994}
      q: {type: numeric, precision: 2, scale: 2, default: -0.995}
      r: {type: double, default: .nan}
      s: {type: numeric, precision: 5, scale: 2, default: -.inf}
      t: {type: array, of: text, default: []}
      u: {type: array, of: text, default: [a]}
""",
        [
            "schema/s.yaml:7:26: entities.Store.columns.a.default: default 'lots' is text, "
            'but the column is integer',
            "schema/s.yaml:8:37: entities.Store.columns.b.default: default 'actve' is not a "
            "value of enum Status (did you mean 'active'?)",
            'schema/s.yaml:9:26: entities.Store.columns.c.default: default 1.5 is not a '
            'whole number (column type integer)',
            "schema/s.yaml:10:26: entities.Store.columns.d.default: default 'yes' is text, "
            'but the column is boolean',
            'schema/s.yaml:11:23: entities.Store.columns.e.default: a JSON default needs a '
            'json or jsonb column, not text',
            "schema/s.yaml:12:24: entities.Store.columns.f.default: default 'x' is text, but "
            'the column is jsonb',
            'schema/s.yaml:13:36: entities.Store.columns.g.default: default is 3 characters, '
            'longer than length 2',
            "schema/s.yaml:14:23: entities.Store.columns.h.default: default 'tomorrow' is "
            'not an ISO date (or `now`)',
            "schema/s.yaml:15:23: entities.Store.columns.i.default: default 'nope' is not a "
            'UUID (for a random one: {sql: gen_random_uuid()})',
            "schema/s.yaml:16:23: entities.Store.columns.j.default: default true is a "
            "boolean, but the column is text (YAML reads yes/no/on/off as booleans; quote the "
            "text)",
            "schema/s.yaml:17:26: entities.Store.columns.k.default: default 'now' is text, "
            'but the column is integer (`now` works on date and time columns)',
            'schema/s.yaml:18:23: entities.Store.columns.l.on_update: on_update: now needs a '
            'date or time column, not text',
            'schema/s.yaml:19:27: entities.Store.columns.m.default: default 32768 is out of '
            'range for smallint (-32768 to 32767)',
            'schema/s.yaml:20:25: entities.Store.columns.n.default: default '
            '-9223372036854775809 is out of range for bigint (-9223372036854775808 to '
            '9223372036854775807)',
            'schema/s.yaml:21:50: entities.Store.columns.o.default: default 99.995 does not '
            'fit numeric(4,2), which holds 2 digit(s) before the decimal point',
            'schema/s.yaml:23:50: entities.Store.columns.q.default: default -0.995 does not '
            'fit numeric(2,2), which holds 0 digit(s) before the decimal point',
            'schema/s.yaml:24:25: entities.Store.columns.r.default: default nan is not a '
            'finite number; for NaN or infinity say {sql: "\'NaN\'"} or {sql: '
            '"\'Infinity\'"}',
            'schema/s.yaml:25:50: entities.Store.columns.s.default: default -inf is not a '
            'finite number; for NaN or infinity say {sql: "\'NaN\'"} or {sql: '
            '"\'Infinity\'"}',
            'schema/s.yaml:27:34: entities.Store.columns.u.default: an array default in YAML '
            'can only be [] (the empty array); for others write SQL, e.g. {sql: "\'{a,b}\'"}',
        ],
    ),
    # SQL that says nothing: CHECK (), WHERE <nothing>, DEFAULT <nothing>
    'blank_sql': (
        """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      x: {type: text}
      y: {type: text, default: {sql: " "}}
    indexes:
      ix_w: {columns: [x], where: ""}
    checks:
      ck_e: "  "
""",
        [
            "schema/s.yaml:6:23: entities.Store.columns.y.default: the {sql: ...} default is "
            "empty; write an SQL expression or leave it out",
            "schema/s.yaml:8:28: entities.Store.indexes.ix_w.where: `where:` is empty; leave "
            "it out for an index on every row",
            "schema/s.yaml:10:7: entities.Store.checks.ck_e: check constraint ck_e has an empty "
            "expression",
        ],
    ),
    # GIN operator classes and their extensions
    'indexes': (
        """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      data: {type: json}
      title: {type: text}
    indexes:
      idx_data: {columns: [data], using: gin}
      idx_title: {columns: [title], using: gin, ops: {title: gin_trgm_ops}}
      idx_title2: {columns: [title], using: gin}
      idx_u: {columns: [title], using: gin, unique: true, ops: {title: gin_trgm_ops}}
""",
        [
            "schema/s.yaml:8:7: entities.Store.indexes.idx_data: GIN on json column 'data' "
            'needs an operator class (json has no default one); use type jsonb',
            'schema/s.yaml:9:55: entities.Store.indexes.idx_title.ops.title: operator class '
            'gin_trgm_ops needs the pg_trgm extension; add it to database.extensions',
            'schema/s.yaml:10:7: entities.Store.indexes.idx_title2: GIN on text column '
            "'title' needs an operator class in `ops` (e.g. title: gin_trgm_ops)",
            'schema/s.yaml:11:45: entities.Store.indexes.idx_u.unique: a unique index must '
            'use btree, not gin',
            'schema/s.yaml:11:65: entities.Store.indexes.idx_u.ops.title: operator class '
            'gin_trgm_ops needs the pg_trgm extension; add it to database.extensions',
        ],
    ),
    # enum values and names
    'enums': (
        """
enums:
  Status: {values: [a-b, a_b, c, c]}
  class: {values: [x]}
  Store: {values: [x]}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
""",
        [
            "schema/s.yaml:2:26: enums.Status.values.1: values 'a-b' and 'a_b' both become "
            'the Python member A_B',
            "schema/s.yaml:2:34: enums.Status.values.3: value 'c' is listed twice",
            "schema/s.yaml:3:3: enums.class: enum name 'class' is not a valid Python class name",
            "schema/s.yaml:4:3: enums.Store: 'Store' is both an enum and an entity",
        ],
    ),
    # order_by naming a column that does not exist
    'order_by': (
        """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
    relationships:
      products: {cascade: "all, delete-orphan", order_by: "positon desc"}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store, on_delete: cascade}
      position: {type: integer}
""",
        [
            'schema/s.yaml:6:49: entities.Store.relationships.products.order_by: order_by '
            "names 'positon desc', which is not a column of Product",
        ],
    ),
    # many-to-many: the association table and the other side must fit
    "many_to_many": (
        """
entities:
  Account:
    columns:
      id: {type: bigint, primary_key: true}
    relationships:
      tags: {entity: Tag, secondary: account_tags, back_populates: accounts}
      notes: {secondary: account_tags}
  Tag:
    columns:
      id: {type: bigint, primary_key: true}
    relationships:
      accounts: {entity: Account, secondary: account_tags, back_populates: other}
  AccountTag:
    columns:
      account_id: {references: Account, primary_key: true, relationship: false,
                   on_delete: cascade}
      x: {type: text, primary_key: true}
""",
        [
            "schema/s.yaml:6:27: entities.Account.relationships.tags.secondary: table "
            "account_tags has no foreign key to Tag; a many-to-many needs one to each side",
            "schema/s.yaml:6:52: entities.Account.relationships.tags.back_populates: "
            "Tag.accounts back-populates 'other', not 'tags'",
            "schema/s.yaml:7:7: entities.Account.relationships.notes: a many-to-many "
            "relationship needs `entity:` (the other side)",
            "schema/s.yaml:12:35: entities.Tag.relationships.accounts.secondary: table "
            "account_tags has no foreign key to Tag; a many-to-many needs one to each side",
        ],
    ),
    # relationship cascade words SQLAlchemy does not know
    "cascade": (
        """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
    relationships:
      products: {cascade: "all, delete-orphans"}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store, on_delete: cascade}
""",
        [
            "schema/s.yaml:6:18: entities.Store.relationships.products.cascade: unknown "
            "cascade 'delete-orphans' (did you mean 'delete-orphan'?); SQLAlchemy knows: all, "
            "delete, delete-orphan, expunge, merge, none, refresh-expire, save-update",
        ],
    ),
    # renamed_from must name something gone, once; include only on btree and gist
    "renames_and_include": (
        """
entities:
  Store:
    renamed_from: Shop
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text, renamed_from: title}
      label: {type: text, renamed_from: title}
      code: {type: text, renamed_from: name}
      tags: {type: array, of: text}
    indexes:
      idx_tags: {columns: [tags], using: gin, include: [name]}
  Shop:
    columns:
      id: {type: bigint, primary_key: true}
""",
        [
            "schema/s.yaml:3:5: entities.Store.renamed_from: renamed_from: Shop, but entity "
            "Shop still exists",
            "schema/s.yaml:7:27: entities.Store.columns.label.renamed_from: column 'name' also "
            "says renamed_from: title",
            "schema/s.yaml:8:26: entities.Store.columns.code.renamed_from: renamed_from: name, "
            "but that column still exists",
            "schema/s.yaml:11:47: entities.Store.indexes.idx_tags.include: `include` works only "
            "with btree and gist indexes, not gin",
        ],
    ),
    # an entry for a foreign key's reverse side must agree with that foreign key
    "reverse_side_entries": (
        """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
    relationships:
      products: {entity: Product, back_populates: shop, secondary: x}
      variants: {entity: Store}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store, on_delete: cascade}
      store2_id: {references: Store, on_delete: cascade, back_populates: variants}
""",
        [
            "schema/s.yaml:6:35: entities.Store.relationships.products.back_populates: the "
            "foreign key on Product names its many-to-one 'store', not 'shop'",
            "schema/s.yaml:6:57: entities.Store.relationships.products.secondary: 'products' is "
            "the reverse side of a foreign key on Product; a foreign-key relationship has no "
            "secondary table",
            "schema/s.yaml:7:18: entities.Store.relationships.variants.entity: 'variants' is "
            "the reverse side of a foreign key on Product, not Store",
        ],
    ),
    # index methods without a default operator class for the column (checked on PG 15)
    "default_operator_classes": (
        """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      doc: {type: json, index: true, unique: true}
      tags: {type: array, of: text}
      code: {type: integer}
      flag: {type: boolean}
    indexes:
      idx_gist_tags: {columns: [tags], using: gist}
      idx_gist_code: {columns: [code], using: gist}
      idx_brin_tags: {columns: [tags, flag], using: brin}
""",
        [
            "schema/s.yaml:5:25: warning: entities.Store.columns.doc.index: index "
            "ix_stores_doc duplicates unique constraint uq_stores_doc (which already has an "
            "index on the same columns); drop it",
            "schema/s.yaml:5:25: entities.Store.columns.doc.index: json column 'doc' cannot be "
            "in a btree index (json has no equality); use type jsonb",
            "schema/s.yaml:5:38: entities.Store.columns.doc.unique: json column 'doc' cannot be "
            "unique (json has no equality); use type jsonb",
            "schema/s.yaml:10:7: entities.Store.indexes.idx_gist_tags: GiST has no default "
            "operator class for array of text column 'tags'",
            "schema/s.yaml:11:7: entities.Store.indexes.idx_gist_code: GiST on integer column "
            "'code' needs the btree_gist extension; add it to database.extensions",
            "schema/s.yaml:12:7: entities.Store.indexes.idx_brin_tags: BRIN has no default "
            "operator class for array of text column 'tags'",
            "schema/s.yaml:12:7: entities.Store.indexes.idx_brin_tags: BRIN has no default "
            "operator class for boolean column 'flag'",
        ],
    ),
    # YAML booleans where text was meant; infinity is a valid timestamp
    "boolean_defaults": (
        """
enums:
  Answer: {values: ["yes", "no"]}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      a: {type: enum, enum: Answer, default: yes}
      b: {type: timestamptz, default: infinity}
      c: {type: time, default: infinity}
""",
        [
            "schema/s.yaml:7:37: entities.Store.columns.a.default: default true is a boolean, "
            "but the column is enum Answer (YAML reads yes/no/on/off as booleans; quote the "
            "text)",
            "schema/s.yaml:9:23: entities.Store.columns.c.default: default 'infinity' is not an "
            "ISO time (or `now`)",
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_semantic_check(tmp_path: Path, case: str) -> None:
    text, expected = CASES[case]
    assert issues_of(tmp_path, {"s.yaml": text}) == expected


def test_naming_convention_templates_must_expand(tmp_path: Path) -> None:
    text = """
    database:
      name: x
      naming_convention: {fk: "fk_%(nope)s", ix: "ix_%(table_name)s_%(column_0_name)s"}
    entities:
      A:
        columns:
          id: {type: bigint, primary_key: true}
          b_id: {references: A, on_delete: cascade, nullable: true}
    """
    assert issues_of(tmp_path, {"a.yaml": text}, database=False) == [
        "schema/a.yaml:3:23: database.naming_convention.fk: template 'fk_%(nope)s' does not "
        "expand; use %(token)s with a token from: table_name, column_0_name, column_0_N_name, "
        "referred_table_name, ..."
    ]


def test_every_problem_at_once_without_follow_up_errors(tmp_path: Path) -> None:
    """Definitions with structural errors are left out; names that refer to them stay quiet."""
    text = """
    types:
      money: {type: numeric, precison: 12}
    mixins:
      stamps:
        columns:
          created_at: {type: timestamptz, defualt: now}
    enums:
      Status: {values: [a, b], extra: 1}
    entities:
      Store:
        columns:
          id: {type: bigint, primary_key: true}
          status: {type: enum, enum: Status}
          price: {type: money}
          bad: {type: strng}
      Product:
        columns:
          id: {type: bigint, primary_key: true, nulable: true}
      Variant:
        columns:
          id: {type: bigint, primary_key: true}
          product_id: {references: Product}
          store_id: {references: Stor}
      Timed:
        mixins: [stamps]
        columns:
          id: {type: bigint, primary_key: true}
    """
    files = {"a.yaml": text, "b.yaml": "database: {name: x, dialect: mysql}\n"}
    assert issues_of(tmp_path, files, database=False) == [
        "schema/a.yaml:2:26: types.money.precison: unknown key 'precison' (did you mean "
        "'precision'?)",
        "schema/a.yaml:6:39: mixins.stamps.columns.created_at.defualt: unknown key 'defualt' "
        "(did you mean 'default'?)",
        "schema/a.yaml:8:28: enums.Status.extra: unknown key 'extra'; expected one of: "
        "db_name, description, schema, values",
        "schema/a.yaml:15:13: entities.Store.columns.bad.type: unknown type 'strng' (did you "
        "mean 'string'?)",
        "schema/a.yaml:18:45: entities.Product.columns.id.nulable: unknown key 'nulable' (did "
        "you mean 'nullable'?)",
        "schema/a.yaml:23:18: entities.Variant.columns.store_id.references: unknown entity "
        "'Stor' (did you mean 'Store'?)",
        "schema/b.yaml:1:21: database.dialect: unknown value 'mysql'; expected one of: "
        "postgresql",
    ]


def test_a_structural_error_does_not_hide_the_entitys_reference_errors(tmp_path: Path) -> None:
    """An index with a non-boolean `unique`, next to an index with a misspelled column, and a
    column named `metadata` beside an index problem: all in one run."""
    text = """
    entities:
      Author:
        columns:
          id: {type: bigint, primary_key: true}
          name: {type: text}
          metadata: {type: jsonb}
        indexes:
          idx_author_nmae: [nmae]
      Post:
        columns:
          id: {type: bigint, primary_key: true}
          title: {type: text}
          author_id: {references: Author, on_delete: cascade}
        indexes:
          idx_post_titel: [titel]
          idx_post_title: {columns: [title], unique: maybe}
    """
    assert issues_of(tmp_path, {"a.yaml": text}) == [
        "schema/a.yaml:6:7: entities.Author.columns.metadata: column name 'metadata' is "
        "reserved by SQLAlchemy's declarative base; add attribute: metadata_ (the Python name)",
        "schema/a.yaml:8:25: entities.Author.indexes.idx_author_nmae.0: unknown column 'nmae' "
        "(did you mean 'name'?)",
        "schema/a.yaml:15:24: entities.Post.indexes.idx_post_titel.0: unknown column 'titel' "
        "(did you mean 'title'?)",
        "schema/a.yaml:16:42: entities.Post.indexes.idx_post_title.unique: expected true or "
        "false, got 'maybe'",
    ]


def test_model_errors_of_entities_apart_from_a_reference_error_are_reported(
    tmp_path: Path,
) -> None:
    text = """
    entities:
      Store:
        columns:
          id: {type: bigint, primary_key: true}
          registry: {type: text}
      Order:
        columns:
          id: {type: bigint, primary_key: true}
          store_id: {references: Stor}
          metadata: {type: jsonb}
    """
    issues = issues_of(tmp_path, {"a.yaml": text})
    assert [i.split(": ", 2)[1] for i in issues] == [
        "entities.Store.columns.registry",
        "entities.Order.columns.store_id.references",
    ]


def test_an_unknown_entity_comes_before_the_many_to_many_it_breaks(tmp_path: Path) -> None:
    text = """
    entities:
      Tag:
        columns:
          id: {type: bigint, primary_key: true}
        relationships:
          posts: {secondary: post_tags, entity: Post}
      Post:
        columns:
          id: {type: bigint, primary_key: true}
      PostTag:
        columns:
          post_id: {references: Post, primary_key: true, on_delete: cascade}
          tag_id: {references: Tagg, primary_key: true, on_delete: cascade}
    """
    assert issues_of(tmp_path, {"a.yaml": text}) == [
        "schema/a.yaml:13:16: entities.PostTag.columns.tag_id.references: unknown entity "
        "'Tagg' (did you mean 'Tag'?)",
        "schema/a.yaml:6:15: entities.Tag.relationships.posts.secondary: table post_tags has "
        "no foreign key to Tag; a many-to-many needs one to each side (its column tag_id "
        "references what does not exist)",
    ]


@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_prints_the_same_issues_and_exits_2(tmp_path: Path, case: str) -> None:
    text, expected = CASES[case]
    write_project(tmp_path, {"s.yaml": text})
    result = CliRunner().invoke(main, ["validate", "--project", str(tmp_path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    errors = sum(1 for line in expected if ": warning: " not in line)
    warnings = len(expected) - errors
    summary = f"schema invalid: {errors} error{'s' * (errors != 1)}" + (
        f", {warnings} warning{'s' * (warnings != 1)}" if warnings else ""
    )
    assert result.stderr.splitlines() == [*expected, summary]
    assert result.stdout == ""


def test_misspelt_required_key_is_one_mistake(tmp_path: Path) -> None:
    text = """
    entities:
      Store:
        colums:
          id: {type: bigint, primary_key: true}
      Shop: {}
    enums:
      Color: {vals: [red]}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:3:5: entities.Store.colums: unknown key 'colums' (did you mean "
        "'columns'?)",
        "schema/s.yaml:5:3: entities.Shop: missing required key 'columns'",
        "schema/s.yaml:7:11: enums.Color.vals: unknown key 'vals' (did you mean 'values'?)",
    ]
