"""The names the language places in a PostgreSQL schema are the name alone, as
``view:`` and ``table:`` are (tests/validate/test_validate_dotted_view_names.py):
an enum's ``db_name:``, a standalone sequence's key, a serial's or identity's
sequence ``name:``, a partition's key, and a function's name but for the schema
its name may say (``audit.touch``). Written with a dot,
each was split into schema and name past ``schema:`` (``db_name: sales.mood`` made
type mood in schema sales), or past the schema the object lives in (an identity's
``name: s.v`` made public's v, a partition ``s.v`` failed ``alembic upgrade``:
schema "s" does not exist); written with a double quote, the revision made a name
``check --database`` then called missing. Each is a located error, exit 2, with the
way to say it, and ``build`` writes nothing."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fixtures.language.helpers import issues_of
from schemagen.cli import main


def assert_refused_and_nothing_written(
    root: Path, right: str, dotted: str, error: str, database: str = "database:\n  name: shop\n"
) -> None:
    """``right`` builds; ``dotted`` then exits 2 with ``error`` (its place first), no
    traceback, and every file under ``generated/`` as ``right`` left it (each after
    ``database``)."""
    schema = root / "schema"
    schema.mkdir(parents=True, exist_ok=True)
    (schema / "s.yaml").write_text(database + right, encoding="utf-8")
    built = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert built.exit_code == 0, built.output
    before = _files(root / "generated")
    assert before
    (schema / "s.yaml").write_text(database + dotted, encoding="utf-8")
    refused = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert refused.exit_code == 2, refused.output
    assert error in refused.output, refused.output
    assert "Traceback" not in refused.output
    assert _files(root / "generated") == before


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


ENUMS = """
enums:
  Mood: {{{where}, values: [calm, busy]}}
entities:
  Order:
    columns:
      id: {{type: bigint, primary_key: true}}
      mood: {{type: enum, enum: Mood}}
"""


def test_an_enums_db_name_is_the_type_name_alone(tmp_path: Path) -> None:
    text = """
    enums:
      Mood: {db_name: sales.mood, values: [calm, busy]}
      Odd: {schema: app, db_name: x.y.z, values: [a]}
      Quoted: {db_name: 'a"b', values: [a]}
    """
    assert issues_of(tmp_path / "v", {"s.yaml": text}) == [
        "schema/s.yaml:2:10: enums.Mood.db_name: enum type name 'sales.mood' holds a dot: "
        "an enum type's PostgreSQL schema is given by schema:, so say schema: sales and "
        "db_name: mood",
        "schema/s.yaml:3:22: enums.Odd.db_name: enum type name 'x.y.z' holds a dot, which "
        "the language names no enum type with (an enum type's PostgreSQL schema is given "
        "by schema:)",
        "schema/s.yaml:4:12: enums.Quoted.db_name: enum type name 'a\"b' holds a double "
        "quote, which the language names no enum type with (an enum type's PostgreSQL "
        "schema is given by schema:)",
    ]
    assert_refused_and_nothing_written(
        tmp_path / "p",
        ENUMS.format(where="schema: sales, db_name: mood"),
        ENUMS.format(where="db_name: sales.mood"),
        "schema/s.yaml:5:10: enums.Mood.db_name: enum type name 'sales.mood' holds a dot",
    )


SEQUENCES = """
sequences:
  {key}: {{{where}start: 1000}}
entities:
  Invoice:
    columns:
      id: {{type: bigint, primary_key: true}}
      number: {{type: bigint, default: {{sql: "nextval('sales.numbers')"}}}}
"""


def test_a_sequences_key_is_its_name_alone(tmp_path: Path) -> None:
    """A standalone sequence keyed ``sales.numbers`` made sequence numbers of schema
    sales; one keyed ``a"b`` was made, then called missing by ``check --database``."""
    text = """
    sequences:
      sales.numbers: {start: 1000}
      'a"b': {}
      x.y.z: {schema: app}
    """
    assert issues_of(tmp_path / "v", {"s.yaml": text}) == [
        "schema/s.yaml:2:3: sequences.sales.numbers: sequence name 'sales.numbers' holds a "
        "dot: a sequence's PostgreSQL schema is given by schema:, so say schema: sales and "
        "name it numbers",
        "schema/s.yaml:3:3: sequences.a\"b: sequence name 'a\"b' holds a double quote, which "
        "the language names no sequence with (a sequence's PostgreSQL schema is given by "
        "schema:)",
        "schema/s.yaml:4:3: sequences.x.y.z: sequence name 'x.y.z' holds a dot, which the "
        "language names no sequence with (a sequence's PostgreSQL schema is given by schema:)",
    ]
    assert_refused_and_nothing_written(
        tmp_path / "p",
        SEQUENCES.format(key="numbers", where="schema: sales, "),
        SEQUENCES.format(key="sales.numbers", where=""),
        "schema/s.yaml:5:3: sequences.sales.numbers: sequence name 'sales.numbers' holds a dot",
    )


def test_a_columns_sequence_name_is_the_name_alone(tmp_path: Path) -> None:
    """An identity's or a serial's ``name:``: ``s.v`` made public's sequence v (the
    schema dropped without a word), a serial's ``a"b`` was called missing by ``check
    --database``. Either lives in its table's schema, which names it no other way."""
    text = """
    entities:
      Order:
        schema: sales
        columns:
          id: {type: bigint, primary_key: true, identity: {name: sales.order_ids}}
          number: {type: serial, sequence: {name: 'a"b'}}
    """
    assert issues_of(tmp_path / "v", {"s.yaml": text}) == [
        "schema/s.yaml:5:56: entities.Order.columns.id.identity.name: sequence name "
        "'sales.order_ids' holds a dot, which the language names no sequence with: a "
        "column's sequence lives in its table's PostgreSQL schema",
        "schema/s.yaml:6:41: entities.Order.columns.number.sequence.name: sequence name "
        "'a\"b' holds a double quote, which the language names no sequence with: a column's "
        "sequence lives in its table's PostgreSQL schema",
    ]
    table = """
entities:
  Order:
    schema: sales
    columns:
      id: {{type: bigint, primary_key: true, identity: {{name: {name}}}}}
"""
    assert_refused_and_nothing_written(
        tmp_path / "p",
        table.format(name="order_ids"),
        table.format(name="sales.order_ids"),
        "schema/s.yaml:8:56: entities.Order.columns.id.identity.name: sequence name "
        "'sales.order_ids' holds a dot",
    )


PAYMENTS = """
entities:
  Payment:
    primary_key: [id, region]
    columns:
      id: {{type: bigint, primary_key: true}}
      region: {{type: string, length: 8, primary_key: true}}
    partition_by: {{hash: [id]}}
    partitions:
      payments_0:
        modulus: 2
        remainder: 0
        partition_by: {{list: [region]}}
        partitions: {{{eu}: {{in: [de, fr]}}, payments_0_rest: {{default: true}}}}
      {one}: {{modulus: 2, remainder: 1}}
"""


def test_a_partitions_key_is_its_name_alone(tmp_path: Path) -> None:
    """At any depth: a partition ``sales.p1`` was made by ``CREATE TABLE sales.p1
    PARTITION OF ...`` (the upgrade failed: schema "sales" does not exist), one ``a"b``
    was made, then called missing by ``check --database``."""
    text = PAYMENTS.format(eu='"a\\"b"', one="sales.p1")
    assert issues_of(tmp_path / "v", {"s.yaml": text}) == [
        'schema/s.yaml:13:22: entities.Payment.partitions.payments_0.partitions.a"b: '
        "partition name 'a\"b' holds a double quote, which the language names no partition "
        "with: a partition lives in its table's PostgreSQL schema",
        "schema/s.yaml:14:7: entities.Payment.partitions.sales.p1: partition name 'sales.p1' "
        "holds a dot, which the language names no partition with: a partition lives in its "
        "table's PostgreSQL schema",
    ]
    assert_refused_and_nothing_written(
        tmp_path / "p",
        PAYMENTS.format(eu="payments_0_eu", one="payments_1"),
        PAYMENTS.format(eu="payments_0_eu", one="sales.p1"),
        "schema/s.yaml:17:7: entities.Payment.partitions.sales.p1: partition name 'sales.p1' "
        "holds a dot",
    )


FUNCTIONS = """
functions:
  {key}: {{{name}language: sql, returns: integer, body: SELECT 1}}
entities:
  Order:
    columns:
      id: {{type: bigint, primary_key: true}}
"""


def test_a_functions_name_is_the_name_alone_or_schema_dot_name(tmp_path: Path) -> None:
    """A function's name may say its schema (``audit.touch``: tests/live's functions of
    one name in two schemas; ``database.schema`` does not move it, see
    tests/live/test_check_live_schema_qualified_functions.py), but no more: ``x.y.z``
    was made as x."y.z", ``a"b`` was made, then called missing by ``check --database``,
    and a schema of PostgreSQL's own takes none. A key that ``name:`` overrides is a
    key only."""
    text = """
    functions:
      audit.f: {language: sql, returns: integer, body: SELECT 1}
      h: {name: 'a"b', language: sql, returns: integer, body: SELECT 2}
      x.y.z: {language: sql, returns: integer, body: SELECT 3}
      k: {name: pg_temp.k, language: sql, returns: integer, body: SELECT 4}
      m.n.o: {name: g, language: sql, returns: integer, body: SELECT 5}
    """
    assert issues_of(tmp_path / "v", {"s.yaml": text}) == [
        "schema/s.yaml:3:7: functions.h.name: function name 'a\"b' holds a double quote, "
        "which the language names no function with: a function lives in the project's "
        "default PostgreSQL schema (database.schema), or in the one its name says before "
        "its dot (audit.touch)",
        "schema/s.yaml:4:3: functions.x.y.z: function name 'x.y.z' holds a dot, which the "
        "language names no function with: a function lives in the project's default "
        "PostgreSQL schema (database.schema), or in the one its name says before its dot "
        "(audit.touch)",
        "schema/s.yaml:5:7: functions.k.name: schema 'pg_temp' is PostgreSQL's own; choose "
        "another name",
    ]
    assert_refused_and_nothing_written(
        tmp_path / "p",
        FUNCTIONS.format(key="f", name="name: audit.f, "),
        FUNCTIONS.format(key="f", name="name: audit.x.f, "),
        "schema/s.yaml:5:7: functions.f.name: function name 'audit.x.f' holds a dot",
    )


OPCLASSES = """
database: {{name: shop, extensions: [pg_trgm, btree_gist]}}
entities:
  Order:
    columns:
      id: {{type: bigint, primary_key: true}}
      code: {{type: text}}
      span: {{type: int4range, nullable: true}}
    indexes:
      ix_orders_lower: {{columns: [{{expression: lower(code), ops: {trgm}}}], using: gin}}
      ix_orders_code: {{columns: [code], ops: {{code: {pattern}}}}}
    exclude:
      ex_orders_span:
        elements: [{{column: code, with: "=", ops: {gist}}}, {{column: span, with: "&&"}}]
views:
  Codes:
    materialized: true
    sql: SELECT id, code FROM orders
    columns: {{id: {{type: bigint}}, code: {{type: text}}}}
    indexes: {{ix_codes_code: {{columns: [code], ops: {{code: {pattern}}}}}}}
"""


def test_an_operator_class_is_named_bare(tmp_path: Path) -> None:
    """``public.gin_trgm_ops`` passed the extension check (which knows gin_trgm_ops),
    was written as it is, and ``check --database`` found the index's opclass
    gin_trgm_ops where the schema said public.gin_trgm_ops, at head (an expression
    key's and a column's alike); an exclusion constraint's and a materialized view's
    index's are refused with them, so an operator class has one spelling."""
    text = OPCLASSES.format(
        trgm="public.gin_trgm_ops", pattern="pg_catalog.text_pattern_ops", gist="'a\"b'"
    )
    home = (
        "which the language names no operator class with: operator classes are named as "
        "the migrations' search path finds them (pg_catalog's, and public's, where the "
        "extensions are)"
    )
    assert issues_of(tmp_path / "v", {"s.yaml": text}, database=False) == [
        "schema/s.yaml:9:61: entities.Order.indexes.ix_orders_lower.columns.0.ops: operator "
        f"class name 'public.gin_trgm_ops' holds a dot, {home}, so say gin_trgm_ops",
        "schema/s.yaml:10:47: entities.Order.indexes.ix_orders_code.ops.code: operator class "
        f"name 'pg_catalog.text_pattern_ops' holds a dot, {home}, so say text_pattern_ops",
        "schema/s.yaml:13:46: entities.Order.exclude.ex_orders_span.elements.0.ops: operator "
        f"class name 'a\"b' holds a double quote, {home}",
        "schema/s.yaml:19:54: views.Codes.indexes.ix_codes_code.ops.code: operator class name "
        f"'pg_catalog.text_pattern_ops' holds a dot, {home}, so say text_pattern_ops",
    ]
    right = OPCLASSES.format(trgm="gin_trgm_ops", pattern="text_pattern_ops", gist="gist_text_ops")
    dotted = right.replace("ops: gin_trgm_ops", "ops: public.gin_trgm_ops")
    assert_refused_and_nothing_written(
        tmp_path / "p",
        right.split("\n", 2)[2],
        dotted.split("\n", 2)[2],
        "schema/s.yaml:11:61: entities.Order.indexes.ix_orders_lower.columns.0.ops: operator "
        "class name 'public.gin_trgm_ops' holds a dot",
        database="database:\n  name: shop\n  extensions: [pg_trgm, btree_gist]\n",
    )


EXTENSIONS = """
entities:
  Contact:
    columns:
      id: {type: bigint, primary_key: true}
      email: {type: citext}
"""


def test_an_extension_is_named_alone(tmp_path: Path) -> None:
    """``database.extensions`` takes the extension's name alone: ``public.citext``
    validated and built, and ``alembic upgrade`` then failed on PostgreSQL 15
    ('extension "public.citext" is not available', from CREATE EXTENSION IF NOT
    EXISTS "public.citext"); the language has no word for an extension's schema.
    A name PostgreSQL quotes (uuid-ossp) is fine."""
    text = """
    database:
      name: shop
      extensions: [uuid-ossp, public.citext, pg_catalog.pg_trgm, 'a"b']
    """
    made = "an extension is made where the migrations' search path (public) or its control "
    assert issues_of(tmp_path / "v", {"s.yaml": text}, database=False) == [
        "schema/s.yaml:3:27: database.extensions.1: extension name 'public.citext' holds a "
        f"dot, which the language names no extension with: {made}file puts it, so say citext",
        "schema/s.yaml:3:42: database.extensions.2: extension name 'pg_catalog.pg_trgm' holds "
        f"a dot, which the language names no extension with: {made}file puts it, so say "
        "pg_trgm",
        "schema/s.yaml:3:62: database.extensions.3: extension name 'a\"b' holds a double "
        f"quote, which the language names no extension with: {made}file puts it, so say ab",
    ]
    database = "database:\n  name: shop\n  extensions: [{}]\n"
    assert_refused_and_nothing_written(
        tmp_path / "p",
        database.format("citext") + EXTENSIONS,
        database.format("public.citext") + EXTENSIONS,
        "schema/s.yaml:3:16: database.extensions.0: extension name 'public.citext' holds a dot",
        database="",
    )
