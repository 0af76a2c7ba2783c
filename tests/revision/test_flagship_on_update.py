"""The flagship's ``updated_at`` is kept by PostgreSQL (``on_update_now: trigger``).

After ``alembic upgrade head``, every table with the timestamps mixin has its
``BEFORE UPDATE`` trigger; a raw SQL ``UPDATE`` (the path another service or a
psql session takes) moves ``updated_at``, a bulk ORM ``update()`` does too, and
the ORM's own unit of work still works and reads the database's value back.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import sqlalchemy as sa
from migration_harness import alembic, project_env, schemagen
from pgcluster import PgCluster
from sqlalchemy.orm import Session

OLD = "2001-01-01 00:00:00+00"


def _upgraded(pg: PgCluster, flagship_copy: Path) -> str:
    schemagen(flagship_copy, "build")
    db = pg.create_database("onupdate")
    alembic(flagship_copy, pg.url(db), "upgrade", "head")
    return db


def test_every_updated_at_table_has_its_trigger(pg: PgCluster, flagship_copy: Path) -> None:
    db = _upgraded(pg, flagship_copy)
    missing = pg.sql(
        "SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
        "WHERE a.attname = 'updated_at' AND c.relkind = 'r' AND NOT EXISTS ("
        "  SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid"
        "  AND t.tgname = 'trg_' || c.relname || '_set_updated_at') ORDER BY 1",
        db,
    )
    tables = pg.sql("SELECT count(*) FROM pg_attribute WHERE attname = 'updated_at'", db)
    assert missing == ""
    assert int(tables) >= 10


def test_raw_sql_and_orm_updates_move_updated_at(pg: PgCluster, flagship_copy: Path) -> None:
    db = _upgraded(pg, flagship_copy)
    pg.sql(
        "INSERT INTO stores (id, shopify_domain, shop_name, access_token, updated_at) VALUES "
        f"(1, 'a.myshopify.com', 'A', 't', '{OLD}'), (2, 'b.myshopify.com', 'B', 't', '{OLD}')",
        db,
    )
    pg.sql("UPDATE stores SET shop_name = 'A2' WHERE id = 1", db)
    fresh = "SELECT id || ':' || (updated_at > now() - interval '1 hour') FROM stores ORDER BY id"
    assert pg.sql(fresh, db).split() == ["1:true", "2:false"]

    with project_env(flagship_copy, pg.url(db)):
        models = importlib.import_module("generated.models")
        engine = sa.create_engine(pg.url(db))
        try:
            with Session(engine) as session:
                # Bulk ORM update: no Python-side onupdate; the trigger sets it.
                session.execute(
                    sa.update(models.Store).where(models.Store.id == 2).values(shop_name="B2")
                )
                session.commit()
                store = session.get(models.Store, 1)
                assert store is not None
                before = store.updated_at
                store.shop_name = "A3"
                session.commit()  # the unit of work: the database sets updated_at
                assert store.updated_at > before  # read back (server_onupdate)
                assert (
                    session.scalar(sa.select(models.Store.shop_name).where(models.Store.id == 1))
                    == "A3"
                )
        finally:
            engine.dispose()
    assert pg.sql(fresh, db).split() == ["1:true", "2:true"]
