"""`check --database` with the files remembered clean reads the head snapshot, not the YAML.

The snapshot is the schema's DDL view (``diff.snapshot``), and the live comparison
reads only what DDL can observe. Proved two ways: for every corpus schema and the
flagship, all that ``check_database`` reads of a schema is the same read from its
snapshot; and on real databases with drift made by hand, the remembered (snapshot)
check finds exactly what the full check finds, without loading the YAML.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from migration_harness import alembic, load_case, schemagen, write_schema
from pgcluster import PgCluster
from schemagen.check.run import check_project, format_text
from schemagen.config import load_project
from schemagen.diff.snapshot import snapshot_text
from schemagen.live.expected import expected_shape
from schemagen.model import routinesql
from schemagen.model.data import from_data
from schemagen.model.schema import Schema, data_pg_schemas
from schemagen.validate.pipeline import load_schema

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "corpus"


def _what_live_reads(schema: Schema) -> tuple[Any, ...]:
    """Everything ``live.compare.check_database`` takes from a schema, in its order."""
    pgtypes = [
        (ent.table, col.name, (col.type.of or col.type).pgtype)
        for ent in schema.entities
        for col in ent.columns
    ]
    functions = [(fn.identity, routinesql.create_function(fn)) for fn in schema.functions]
    views = [
        (
            v.view,
            v.kind,
            v.materialized,
            routinesql.view_query(v),
            sorted(i.name for i in v.indexes),
        )
        for v in sorted(schema.views, key=lambda v: v.view)
    ]
    triggers = [(tg.table, tg.name, routinesql.create_trigger(tg)) for tg in schema.triggers]
    return expected_shape(schema), schema.pg_schemas, pgtypes, functions, views, triggers


def _from_snapshot(schema: Schema) -> tuple[Schema, tuple[str, ...]]:
    """What the remembered check rebuilds: the snapshot ``migrate`` would store."""
    data = json.loads(snapshot_text(schema))
    return from_data(Schema, data), data_pg_schemas(data)


def test_every_corpus_schema_reads_the_same_from_its_snapshot(tmp_path: Path) -> None:
    projects = [REPO]
    for number, folder in enumerate(sorted(CORPUS.glob("[0-9]*"))):
        projects.append(tmp_path / str(number))
        write_schema(projects[-1], load_case(folder).after)
    assert len(projects) > 80
    for root in projects:
        schema = load_schema(load_project(root)).schema
        assert schema is not None
        rebuilt, pg_schemas = _from_snapshot(schema)
        assert pg_schemas == schema.pg_schemas, root
        assert _what_live_reads(rebuilt) == _what_live_reads(schema), root


# Every kind of non-DDL fact the snapshot drops: an enum's Python and member names and
# descriptions, a type alias, a mixin, attribute names, relationships, index
# descriptions, a domain's description, view keys out of the order of their database
# names, view column types, a trigger function made for on_update.
FEATURES = """
database: {name: snap, on_update_now: trigger}
types:
  money: {type: numeric, precision: 12, scale: 2}
mixins:
  stamped:
    columns:
      updated_at: {type: timestamptz, default: now, on_update: now}
enums:
  OrderState:
    db_name: order_states
    description: Where an order is.
    values: [{value: open, description: Being filled}, paid, shipped]
domains:
  email:
    type: text
    description: An e-mail address.
    checks:
      email_has_at: "VALUE LIKE '%@%'"
entities:
  Customer:
    description: Who orders.
    mixins: [stamped]
    columns:
      id: {type: bigint, primary_key: true}
      email: {type: email}
      name: {type: string, length: 100, description: Full name., attribute: full_name}
    indexes:
      ix_customers_name: {columns: [name], description: Lookup by name.}
  Order:
    schema: sales
    columns:
      id: {type: bigint, primary_key: true}
      customer_id: {references: Customer, on_delete: cascade}
      state: {type: enum, enum: OrderState, default: open}
      total: {type: money, default: 0}
      code: {type: text, nullable: true}
    checks:
      ck_orders_total: "total >= 0"
    indexes:
      ix_orders_open: {columns: [customer_id], where: "state = 'open'"}
    triggers:
      trg_orders_code:
        function: set_code
        timing: before
        events: [insert]
        when: "NEW.code IS NULL"
functions:
  set_code:
    returns: trigger
    body: |
      BEGIN
        NEW.code := 'O-' || NEW.id;
        RETURN NEW;
      END;
views:
  ZOpenOrders:
    view: a_open_orders
    sql: "SELECT o.id, o.customer_id FROM sales.orders o WHERE o.state = 'open'"
    columns:
      id: {type: bigint}
      customer_id: {type: bigint}
  AOrderTotals:
    view: z_order_totals
    materialized: true
    sql: "SELECT o.customer_id, sum(o.total) AS total FROM sales.orders o GROUP BY o.customer_id"
    columns:
      customer_id: {type: bigint}
      total: {type: numeric}
    indexes:
      ux_z_order_totals: {columns: [customer_id], unique: true}
"""

FEATURES_DRIFT = [
    "ALTER TABLE customers ALTER COLUMN name TYPE varchar(120)",
    "DROP INDEX ix_customers_name",
    "UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'sales.ix_orders_open'::regclass",
    "ALTER TYPE order_states ADD VALUE 'lost'",
    "COMMENT ON TABLE customers IS 'Changed by hand.'",
    "ALTER TABLE sales.orders ALTER COLUMN total SET DEFAULT 1",
    "ALTER TABLE sales.orders ADD CONSTRAINT ck_orders_small CHECK (total < 100) NOT VALID",
    "DROP TRIGGER trg_orders_code ON sales.orders",
    "ALTER DOMAIN email DROP CONSTRAINT email_has_at",
    # both views' queries name customer_id: PostgreSQL now rejects them (two findings,
    # in the same order from the snapshot and from the YAML)
    "ALTER TABLE sales.orders RENAME COLUMN customer_id TO buyer_id",
]

FLAGSHIP_DRIFT = [
    "ALTER TABLE products ALTER COLUMN title TYPE varchar(300)",
    "ALTER TABLE products DROP COLUMN vendor",
    "DROP INDEX idx_products_store_status",
    "ALTER TYPE product_status ADD VALUE 'retired'",
    "COMMENT ON COLUMN stores.shopify_domain IS 'Changed by hand.'",
    "ALTER TABLE alerts ALTER COLUMN is_acknowledged DROP DEFAULT",
    "CREATE TABLE extra_by_hand (id int)",
]


def _project(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    if name == "flagship":
        write_schema(
            root, {p.name: p.read_text(encoding="utf-8") for p in (REPO / "schema").glob("*.yaml")}
        )
    else:
        write_schema(root, {"s.yaml": FEATURES})
    schemagen(root, "migrate", "-m", "initial")
    return root


@pytest.mark.parametrize(
    ("name", "drift"), [("features", FEATURES_DRIFT), ("flagship", FLAGSHIP_DRIFT)]
)
def test_the_remembered_check_finds_what_the_full_check_finds(
    name: str,
    drift: list[str],
    pg: PgCluster,
    pg_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SCHEMAGEN_NO_CACHE", raising=False)
    root = _project(tmp_path, name)
    url = pg.url(pg_db)
    alembic(root, url, "upgrade", "head")
    clean = check_project(root, url)
    assert clean.ok and not clean.cached, clean.findings  # remembered from here on

    for statement in drift:
        pg.sql(statement, pg_db)
    full = check_project(root, url, use_cache=False)

    def no_yaml(*args: object) -> None:
        raise AssertionError("the remembered check loaded the YAML")

    monkeypatch.setattr("schemagen.validate.pipeline.load_schema", no_yaml)
    remembered = check_project(root, url)
    assert remembered.cached and not full.cached
    assert len(full.findings) >= len(drift), full.findings
    assert remembered.findings == full.findings
    assert format_text(remembered)[:-1] == format_text(full)[:-1]  # all but the summary
