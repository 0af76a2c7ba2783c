"""Create the schema in an empty database: extensions, then ``create_all`` of the models.

The tables come from the same ``models.py`` that ``build`` writes (rendered in
memory, not read from disk), so what prove measures is what the project
ships; the migration tests prove that ``create_all`` equals the migrations.
"""

from __future__ import annotations

import sys
import types
from typing import Any

import psycopg
import sqlalchemy as sa

from ..config import Project
from ..errors import SchemagenError
from ..model.schema import Schema
from ..render.build import render_models
from ..seed.values import ident


class NotEmpty(SchemagenError):
    """prove was pointed at a database that holds tables (exit 2)."""


def require_empty(conn: psycopg.Connection[Any], pg_schemas: tuple[str, ...] = ()) -> None:
    """Refuse a database whose current schema, or one of ``pg_schemas`` (the other
    PostgreSQL schemas the project's tables live in), holds any table, view or sequence."""
    rows = conn.execute(
        "SELECT c.oid::regclass::text FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE (n.oid = current_schema()::regnamespace OR n.nspname = ANY(%s)) "
        "AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') ORDER BY 1 LIMIT 6",
        (list(pg_schemas),),
    ).fetchall()
    conn.rollback()
    if rows:
        names = ", ".join(r[0] for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
        raise NotEmpty(
            f"prove needs an empty database and this one holds {names}; prove never "
            "touches a user's data: create an empty database for it"
        )


def create_schema(conn: psycopg.Connection[Any], project: Project, schema: Schema) -> None:
    """Create the extensions and every table, index and constraint; commit."""
    for ext in schema.database.extensions:
        conn.execute(f'CREATE EXTENSION IF NOT EXISTS "{ext}"')  # type: ignore[arg-type]
    for name in schema.pg_schemas:  # create_all makes tables and types in them, not them
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {ident(name)}")  # type: ignore[arg-type]
    conn.commit()
    metadata = _metadata(render_models(project, schema))
    # SQLAlchemy drives the connection we hold (one pool slot, never closed by it).
    engine = sa.create_engine(
        "postgresql+psycopg://", creator=lambda: conn, poolclass=sa.pool.StaticPool
    )
    try:
        with engine.begin() as sa_conn:
            metadata.create_all(sa_conn)
    except sa.exc.DBAPIError as exc:
        # SQLAlchemy wraps the driver's error (its text the statement and a link):
        # the driver's own goes to the connection's edge, worded as any other there
        if isinstance(exc.orig, psycopg.Error):
            raise exc.orig from None
        raise
    conn.commit()


def _metadata(source: str) -> sa.MetaData:
    """Execute a rendered models.py and return its metadata. The module is in
    sys.modules while it runs: SQLAlchemy resolves ``Mapped[...]`` strings there."""
    name = "_schemagen_prove_models"
    module = types.ModuleType(name)
    sys.modules[name] = module
    try:
        exec(compile(source, "<models.py>", "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module.Base.metadata  # type: ignore[no-any-return]
