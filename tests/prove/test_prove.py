"""``schemagen prove`` on real PostgreSQL: the flagship's indexes serve their declared
queries; an index that cannot serve its query fails the run, naming both."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import psycopg
from migration_harness import write_schema
from pgcluster import PgCluster
from seed_checks import prove_cli

REPO = Path(__file__).resolve().parents[2]

#: Big enough that the planner prefers each index to a scan (trigram and JSON
#: containment need tens of thousands of rows, BRIN a table of many block ranges),
#: small enough for CI: the other tables get a few thousand rows.
CI_ROWS = [
    "--rows",
    "2000",
    "--rows-per",
    "products=40000",
    "--rows-per",
    "product_variants=40000",
    "--rows-per",
    "inventory_items=40000",
    "--rows-per",
    "workflow_executions=100000",
]


def test_flagship_every_declared_query_uses_its_index(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    root = tmp_path / "flagship"
    root.mkdir()
    for name in ("schema", "generated"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    code, out = prove_cli(root, pg.url(pg_db), *CI_ROWS, "--format", "json", "--write-docs")
    report = json.loads(out[: out.rindex("}") + 1])
    failing = [
        (q["index"], q["with_index"]["plan"])
        for q in report["queries"]
        if not q["with_index"]["uses_index"]
    ]
    assert failing == [] and code == 0
    declared = sum(len(ix.get("serves", ())) for ix in _indexes(root))
    assert len(report["queries"]) == declared >= 40
    assert report["unserving_indexes"] == []
    trigram = next(q for q in report["queries"] if q["index"] == "idx_products_title_search")
    assert trigram["with_index"]["node"].startswith("Bitmap Index Scan")
    assert trigram["without_index"]["node"].startswith("Seq Scan")
    # --write-docs: the run-stable facts, and the entity page that shows them
    record = json.loads((root / "generated" / "proofs.json").read_text(encoding="utf-8"))
    facts = {key for records in record["indexes"].values() for r in records for key in r}
    assert facts == {"node", "query", "rows", "uses_index"}  # no timings
    assert record["indexes"]["idx_products_title_search"][0]["rows"] == 40000
    page = (root / "generated" / "docs" / "entities" / "products.md").read_text(encoding="utf-8")
    assert "proven on 40,000 rows" in page and "Bitmap Index Scan" in page


def _indexes(root: Path) -> list[dict[str, object]]:
    import yaml

    found = []
    for path in sorted((root / "schema").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for ent in (doc.get("entities") or {}).values():
            found += [ix for ix in (ent.get("indexes") or {}).values() if isinstance(ix, dict)]
    return found


WRONG = """
database: {name: shop}
entities:
  Product:
    columns:
      id: {type: integer, primary_key: true}
      store_id: {type: integer}
      title: {type: string, length: 200}
      price: {type: numeric, precision: 10, scale: 2}
    indexes:
      idx_products_title:
        columns: [title]
        serves:
          - "SELECT id FROM products WHERE title ILIKE '%%shirt%%'"
      idx_products_store_price:
        columns: [store_id, price]
        serves:
          - "SELECT id FROM products WHERE price = 42.5"
%s
"""


def test_exit_1_names_the_index_and_the_plan_it_got(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": WRONG % ""})
    code, out = prove_cli(tmp_path, pg.url(pg_db), "--rows", "20000")
    assert code == 1, out
    assert "FAIL products.idx_products_title: SELECT id FROM products WHERE title ILIKE" in out
    assert "FAIL products.idx_products_store_price: SELECT id FROM products WHERE price" in out
    assert "the planner did not use idx_products_title; its plan:" in out
    assert "Seq Scan on products" in out
    assert "0 of 2 declared queries use their index" in out


def test_refuses_a_database_that_holds_tables(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": WRONG % ""})
    with psycopg.connect(pg.libpq_url(pg_db), autocommit=True) as conn:
        conn.execute("CREATE TABLE customers (id int)")
        conn.execute("INSERT INTO customers VALUES (1)")
    code, out = prove_cli(tmp_path, pg.url(pg_db), "--rows", "10")
    assert code == 2
    assert "empty database" in out and "customers" in out
    with psycopg.connect(pg.libpq_url(pg_db)) as conn:
        row = conn.execute("SELECT count(*) FROM customers").fetchone()
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert row is not None and row[0] == 1
        assert tables.fetchone() == (1,)


def test_a_query_postgresql_rejects_is_a_located_error(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    bad = WRONG.replace("WHERE price = 42.5", "WHERE price = 'cheap'")
    write_schema(tmp_path, {"schema.yaml": bad % ""})
    code, out = prove_cli(tmp_path, pg.url(pg_db), "--rows", "10")
    assert code == 2
    assert "schema/schema.yaml:" in out and "idx_products_store_price.serves.0" in out
    assert "cheap" in out and "Traceback" not in out


SUMMARY = """
database: {name: shop}
entities:
  Store:
    columns:
      id: {type: integer, primary_key: true}
  Supplier:
    columns:
      id: {type: integer, primary_key: true}
  Product:
    columns:
      id: {type: integer, primary_key: true}
      store_id: {references: Store}
      supplier_id: {references: Supplier}
      title: {type: string, length: 200}
      price: {type: numeric, precision: 10, scale: 2}
    indexes:
      idx_products_store:
        columns: [store_id]
      idx_products_store_price:
        columns: [store_id, price]
        serves:
          - "SELECT id, price FROM products WHERE store_id = 42 ORDER BY price LIMIT 5"
      idx_products_title:
        columns: [title]
        serves:
          - "SELECT id FROM products WHERE title = 'Merino Charcoal Beanie'"
"""


def test_summary_lists_redundant_unserving_and_unindexed(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """The summary's three lists, and the buffers of both plans, in text and JSON."""
    write_schema(tmp_path, {"schema.yaml": SUMMARY})
    code, out = prove_cli(tmp_path, pg.url(pg_db), "--rows", "20000", "--format", "json")
    report = json.loads(out[: out.rindex("}") + 1])
    assert code == report["failures"] == 0, out
    assert report["redundant_indexes"] == [
        "products.idx_products_store: a prefix of idx_products_store_price (store_id, price)"
    ]
    assert report["unserving_indexes"] == ["products.idx_products_store"]
    assert report["unindexed_foreign_keys"] == [
        "products.fk_products_supplier_id_suppliers (supplier_id) -> suppliers"
    ]
    for query in report["queries"]:  # a scan of 20,000 rows reads many blocks
        assert 0 < query["with_index"]["buffers"] < query["without_index"]["buffers"]
    db = pg.create_database()
    try:
        code, out = prove_cli(tmp_path, pg.url(db), "--rows", "20000")
    finally:
        pg.drop_database(db)
    assert "redundant indexes (1):\n  products.idx_products_store: a prefix of" in out
    assert "indexes that serve no declared query (1):\n  products.idx_products_store" in out
    assert "foreign keys without an index (1):\n  products.fk_products_supplier_id" in out
    assert " buffers" in out and "2 of 2 declared queries use their index" in out


KEYLESS = """
database: {name: logs}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
  EventLog:
    table: event_log
    primary_key: false
    columns:
      store_id: {references: Store}
      kind: {type: string, length: 20}
      at: {type: timestamptz, default: now}
    indexes:
      idx_event_log_kind:
        columns: [kind, at]
        serves:
          - "SELECT at FROM event_log WHERE kind = 'signup' ORDER BY at DESC LIMIT 10"
      idx_event_log_kind_only: [kind]
"""


def test_a_table_without_a_primary_key_is_proven(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    """Created, seeded (its rows may repeat) and its declared query served by its
    index; the summary compares its indexes with its keys, of which it has none but
    its foreign key's (unindexed: the two indexes lead with kind)."""
    write_schema(tmp_path, {"schema.yaml": KEYLESS})
    code, out = prove_cli(tmp_path, pg.url(pg_db), "--rows", "20000", "--format", "json")
    report = json.loads(out[: out.rindex("}") + 1])
    assert code == report["failures"] == 0, out
    assert [q["index"] for q in report["queries"]] == ["idx_event_log_kind"]
    assert report["redundant_indexes"] == [
        "event_log.idx_event_log_kind_only: a prefix of idx_event_log_kind (kind, at)"
    ]
    assert report["unindexed_foreign_keys"] == [
        "event_log.fk_event_log_store_id_stores (store_id) -> stores"
    ]
