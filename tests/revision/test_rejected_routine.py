"""A routine PostgreSQL rejects fails the migration, not a later reader.

``validate`` parses a function body and a view query, but only a database knows
whether a SQL function's body names real columns. The round trip must catch it:
``alembic upgrade head`` fails naming the cause and, being one transaction,
leaves the database exactly at the previous revision; ``check --database``
says the same about a database that is already at head. Once the YAML is
fixed, the next revision applies.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from migration_harness import alembic, revisions, schemagen, write_schema
from pgcluster import PgCluster
from schemagen.api import load_schema
from schemagen.config import load_project
from schemagen.live.compare import check_database

BASE = """
database: {name: shop}
entities:
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      title: {type: text}
      price: {type: numeric, precision: 12, scale: 2}
"""

ROUTINES = """
functions:
  product_count:
    language: sql
    volatility: stable
    returns: bigint
    body: "SELECT count({column}) FROM products"
views:
  Catalog:
    view: catalog
    sql: SELECT id, title, product_count() AS products FROM products
    columns:
      id: {{type: bigint}}
      title: {{type: text}}
      products: {{type: bigint}}
"""


def _tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "AND relkind IN ('r', 'v') AND relname <> 'alembic_version' ORDER BY 1"
        ).fetchall()
    return [name for (name,) in rows]


def test_a_rejected_function_body_fails_the_upgrade_and_changes_nothing(
    pg: PgCluster, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    write_schema(root, {"schema.yaml": BASE})
    schemagen(root, "migrate", "-m", "products")
    db = pg.create_database("rejected")
    alembic(root, pg.url(db), "upgrade", "head")
    first = revisions(root)[-1].name.split("_", 1)[0]
    pg.sql("INSERT INTO products (id, title, price) VALUES (1, 'Tea', 3.50)", db)

    committed = tmp_path / "committed"  # the project as version control holds it
    shutil.copytree(root / "generated", committed)
    write_schema(root, {"schema.yaml": BASE + ROUTINES.format(column="nope")})
    schemagen(root, "migrate", "-m", "catalog")  # it parses: only the server can tell
    with pytest.raises(sa.exc.ProgrammingError, match='column "nope" does not exist'):
        alembic(root, pg.url(db), "upgrade", "head")
    assert _tables(pg.libpq_url(db)) == ["products"]  # no function, no view: all rolled back
    version = pg.sql("SELECT version_num FROM alembic_version", db).strip()
    assert version.startswith(first)

    schema = load_schema(load_project(root)).schema
    assert schema is not None
    messages = [f"{f.object}: {f.message}" for f in check_database(schema, pg.url(db))]
    assert any(
        m.startswith("function product_count(): PostgreSQL rejects the schema's definition")
        and 'column "nope" does not exist' in m
        for m in messages
    ), messages

    # The revision never applied anywhere: revert it (as `git revert` would), fix the
    # YAML, and the next revision applies.
    shutil.rmtree(root / "generated")
    shutil.copytree(committed, root / "generated")
    write_schema(root, {"schema.yaml": BASE + ROUTINES.format(column="id")})
    schemagen(root, "migrate", "-m", "catalog")
    alembic(root, pg.url(db), "upgrade", "head")
    assert _tables(pg.libpq_url(db)) == ["catalog", "products"]
    assert pg.sql("SELECT products FROM catalog", db).strip() == "1"
    fixed = load_schema(load_project(root)).schema
    assert fixed is not None and check_database(fixed, pg.url(db)) == []
    pg.drop_database(db)
