"""The generated database.py: URLs derived with SQLAlchemy's URL API, lazy engines,
.env support, clear errors without passwords, and real sync and async queries."""

from __future__ import annotations

import asyncio
import importlib.util
import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fixtures.build.cases import built
from pgcluster import PASSWORD, PgCluster

_counter = itertools.count()


def import_database(path: Path) -> ModuleType:
    """A fresh import of a generated database.py under a unique module name."""
    name = f"schemagen_built_database_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[ModuleType]:
    """A fresh import of the shop's generated database.py, with no DATABASE_URL
    in the environment and an empty current folder (no .env)."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    module = import_database(built("shop") / "generated" / "database.py")
    yield module
    for factory in ("get_engine", "get_async_engine"):
        getattr(module, factory).cache_clear()


@pytest.mark.parametrize(
    "given",
    [
        "postgres://u:pw@db.example.com:5433/shop",
        "postgresql://u:pw@db.example.com:5433/shop",
        "postgresql+psycopg2://u:pw@db.example.com:5433/shop",
        "postgresql+asyncpg://u:pw@db.example.com:5433/shop",
        "postgresql+psycopg://u:pw@db.example.com:5433/shop",
    ],
)
def test_every_postgres_spelling_gives_psycopg_and_asyncpg(
    database: ModuleType, given: str
) -> None:
    sync = database.sync_url(given)
    async_ = database.async_url(given)
    assert sync.drivername == "postgresql+psycopg"
    assert async_.drivername == "postgresql+asyncpg"
    for url in (sync, async_):
        assert (url.username, url.password, url.host, url.port, url.database) == (
            "u", "pw", "db.example.com", 5433, "shop"
        )


def test_special_characters_in_the_password_survive(database: ModuleType) -> None:
    url = database.sync_url("postgres://u:p%40ss%2Fw%3Ard@localhost/shop")
    assert url.password == "p@ss/w:rd"
    assert database.async_url("postgres://u:p%40ss@localhost/shop").password == "p@ss"


def test_url_parameters_are_translated_between_drivers(database: ModuleType) -> None:
    """asyncpg takes only its own keywords from the URL (any other is a TypeError),
    and libpq rejects asyncpg's: each side gets the parameters it understands."""
    given = "postgresql://u@h/db?sslmode=require&application_name=x&connect_timeout=7"
    assert dict(database.async_url(given).query) == {"ssl": "require"}
    assert database.async_connect_args(given) == {
        "timeout": 7.0, "dsn": "postgresql://?application_name=x"}
    assert dict(database.sync_url(given).query) == {
        "sslmode": "require", "application_name": "x", "connect_timeout": "7"}
    written_for_asyncpg = (
        "postgresql+asyncpg://u@h/db?ssl=true&prepared_statement_cache_size=0&timeout=3")
    assert dict(database.sync_url(written_for_asyncpg).query) == {
        "sslmode": "require", "connect_timeout": "3"}
    assert dict(database.async_url(written_for_asyncpg).query) == {
        "ssl": "require", "prepared_statement_cache_size": "0"}
    assert database.async_connect_args(written_for_asyncpg) == {"timeout": 3.0}
    with pytest.raises(database.DatabaseNotConfigured, match="connect_timeout must be"):
        database.async_connect_args("postgresql://u@h/db?connect_timeout=soon")


def test_import_without_database_url_works_and_use_raises_clearly(database: ModuleType) -> None:
    with pytest.raises(database.DatabaseNotConfigured) as info:
        database.db_engine  # noqa: B018 - the attribute access is the use
    message = str(info.value)
    assert "DATABASE_URL is not set" in message
    assert "postgresql://user:password@localhost:5432/shop" in message
    assert isinstance(info.value, RuntimeError)
    with pytest.raises(database.DatabaseNotConfigured):
        database.async_db_engine  # noqa: B018
    with pytest.raises(AttributeError):
        database.no_such_name  # noqa: B018


def test_module_imports_in_a_fresh_interpreter_without_database_url(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import generated.database as d\n"
        "try:\n"
        "    d.db_engine\n"
        "except RuntimeError as exc:\n"
        "    print('error:', exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(built("shop"))],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True,
    ).stdout
    assert out.startswith("error: DATABASE_URL is not set")


def test_dotenv_file_in_the_current_folder_is_read(
    database: ModuleType, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        "# local settings\nexport DATABASE_URL='postgres://u:pw@envhost/shop'\nOTHER=1\n",
        encoding="utf-8",
    )
    assert database.sync_url().host == "envhost"


def test_dotenv_file_in_the_project_root_is_read_from_any_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An app started from a subfolder still finds the .env next to pyproject.toml."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    project = tmp_path / "project"
    (project / "generated").mkdir(parents=True)
    (project / "generated" / "database.py").write_bytes(
        (built("shop") / "generated" / "database.py").read_bytes()
    )
    (project / ".env").write_text("DATABASE_URL=postgres://u:pw@roothost/shop\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    module = import_database(project / "generated" / "database.py")
    assert module.PROJECT_ROOT == project.resolve()
    assert module.sync_url().host == "roothost"
    (elsewhere / ".env").write_text("DATABASE_URL=postgres://u@cwdhost/shop\n", encoding="utf-8")
    assert module.sync_url().host == "cwdhost"  # the current folder's .env comes first


def test_blanks_around_the_url_are_ignored(
    database: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "  postgres://u@envhost/shop\n")
    assert database.sync_url().host == "envhost"
    monkeypatch.setenv("DATABASE_URL", "   ")
    with pytest.raises(database.DatabaseNotConfigured, match="DATABASE_URL is not set"):
        database.sync_url()


def test_environment_wins_over_dotenv(
    database: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("DATABASE_URL=postgres://u@envhost/shop\n", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@realhost/shop")
    assert database.sync_url().host == "realhost"


def test_messages_never_show_the_password(database: ModuleType) -> None:
    with pytest.raises(database.DatabaseNotConfigured) as info:
        database.sync_url("mysql://u:topsecret@h/db")
    assert "topsecret" not in str(info.value)
    assert "***" in str(info.value)
    for broken in ("not a url with topsecret", "postgresql://u:topsecret@h:54x2/db",
                   "postgresql://u:topsecret@[::1/db"):
        with pytest.raises(database.DatabaseNotConfigured) as info:
            database.sync_url(broken)
        assert str(info.value) == "DATABASE_URL is not a valid database URL"
        assert info.value.__cause__ is None and info.value.__suppress_context__


def test_engines_work_against_postgres_without_leaking_the_password(
    database: ModuleType, pg: PgCluster, pg_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import text

    monkeypatch.setenv("DATABASE_URL", pg.libpq_url(pg_db))  # plain postgresql://
    engine = database.db_engine
    assert engine is database.get_engine()  # created once
    assert PASSWORD not in repr(engine) and PASSWORD not in str(engine.url)
    with database.SessionLocal() as session:
        assert session.execute(text("SELECT current_database()")).scalar() == pg_db

    async def query() -> str:
        async_engine = database.async_db_engine
        assert PASSWORD not in repr(async_engine)
        try:
            async with database.AsyncSessionLocal() as session:
                result = await session.execute(text("SELECT current_database()"))
                return str(result.scalar())
        finally:
            await async_engine.dispose()

    assert asyncio.run(query()) == pg_db
    engine.dispose()


def test_libpq_parameters_reach_the_server_through_both_engines(
    database: ModuleType, pg: PgCluster, pg_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import text

    monkeypatch.setenv("DATABASE_URL", pg.libpq_url(pg_db) + (
        "?application_name=my%20app&connect_timeout=5&options=-c%20search_path%3Dpg_catalog"
        "&sslmode=disable"
    ))
    query = text("SELECT current_setting('application_name'), current_setting('search_path')")
    with database.db_engine.connect() as conn:
        assert tuple(conn.execute(query).one()) == ("my app", "pg_catalog")
    database.db_engine.dispose()

    async def run() -> tuple[str, str]:
        engine = database.async_db_engine
        try:
            async with engine.connect() as conn:
                row = (await conn.execute(query)).one()
                return str(row[0]), str(row[1])
        finally:
            await engine.dispose()

    assert asyncio.run(run()) == ("my app", "pg_catalog")


def test_get_db_yields_a_closed_after_use_session(
    database: ModuleType, pg: PgCluster, pg_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import text

    monkeypatch.setenv("DATABASE_URL", pg.url(pg_db, driver="psycopg2"))
    gen = database.get_db()
    session = next(gen)
    assert session.execute(text("SELECT 1")).scalar() == 1
    with pytest.raises(StopIteration):
        next(gen)
    database.get_engine().dispose()
