"""The README's "Adopt an existing database" blocks, run as written with bash.

The only change made to the text is the example ``DATABASE_URL``, pointed at a
database that ``create_all`` built from hand-written SQLAlchemy 1.x-style models
(the InventorySync original's kind). The libpq environment (``PGHOST``...)
stands for the user's, so ``createdb scratch`` and ``postgresql:///scratch``
reach the test cluster.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from pgcluster import PgCluster

REPO = Path(__file__).resolve().parents[2]

#: myapp/models.py: plain Column(String), Float, JSON, index=True, unique=True,
#: Python-side defaults and one server default.
MODELS = """
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Store(Base):
    __tablename__ = "stores"
    id = sa.Column(sa.Integer, primary_key=True, index=True)
    shopify_domain = sa.Column(sa.String, unique=True, index=True, nullable=False)
    access_token = sa.Column(sa.String)
    plan_price = sa.Column(sa.Float, default=0.0)
    settings = sa.Column(sa.JSON, default=dict)
    created_at = sa.Column(sa.DateTime(timezone=True), server_default=sa.func.now())


class Product(Base):
    __tablename__ = "products"
    id = sa.Column(sa.Integer, primary_key=True, index=True)
    store_id = sa.Column(sa.Integer, sa.ForeignKey("stores.id"), nullable=False)
    sku = sa.Column(sa.String, unique=True)
    title = sa.Column(sa.String(255), nullable=False)
"""

_CREATE_ALL = (
    "from sqlalchemy import create_engine\n"
    "from myapp.models import Base\n"
    "Base.metadata.create_all(create_engine('postgresql+psycopg:///{db}'))\n"
)


def _blocks() -> tuple[str, str]:
    """The section's first bash block and the one under "Teams that only have ..."."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Adopt an existing database", 1)[1].split("\n## ", 1)[0]
    main, models = section.split("### Teams that only have SQLAlchemy models", 1)
    block = re.compile(r"```bash\n(.*?)```", re.S)
    first, second = block.search(main), block.search(models)
    assert first is not None and second is not None, "README: a bash block is missing"
    return first.group(1), second.group(1)


def _env(pg: PgCluster, app: Path) -> dict[str, str]:
    env = pg.env()
    env.pop("DATABASE_URL", None)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), str(pg.bindir), env["PATH"]])
    env["PYTHONPATH"] = str(app)
    env["PGDATABASE"] = "postgres"
    return env


def _bash(script: str, cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, f"README block failed:\n{script}\n{result.stdout}{result.stderr}"
    return result.stdout + result.stderr


def _yaml(root: Path, dbname: str) -> dict[str, str]:
    return {
        p.name: p.read_text().replace(f"name: {dbname}", "name: DB")
        for p in sorted((root / "schema").glob("*.yaml"))
    }


def test_readme_adopt_blocks_work_as_written(pg: PgCluster, tmp_path: Path) -> None:
    first, second = _blocks()
    app = tmp_path / "app"
    (app / "myapp").mkdir(parents=True)
    (app / "myapp" / "__init__.py").write_text("")
    (app / "myapp" / "models.py").write_text(MODELS)
    env = _env(pg, app)
    existing = pg.create_database("prod")
    try:
        _bash(f'python -c "{_CREATE_ALL.format(db=existing)}"', app, env)
        url = f"postgresql:///{existing}"
        # The main path, on the existing database.
        script, count = re.subn(r"(export DATABASE_URL=)\S+", rf"\g<1>{url}", first)
        assert count == 1, "README: the block no longer sets DATABASE_URL"
        (tmp_path / "adopted").mkdir()
        out = _bash(script, tmp_path / "adopted", env)
        assert "check OK: nothing drifted" in out and "database" in out, out
        stores = (tmp_path / "adopted" / "schema" / "stores.yaml").read_text()
        assert "shopify_domain: {type: varchar" in stores
        # The models path: import a scratch create_all, then steps 4 and 5 on
        # the existing database, as the block's last comment says.
        (tmp_path / "from_models").mkdir()
        _bash(second, tmp_path / "from_models", env)
        assert "scratch" not in pg.sql("SELECT datname FROM pg_database")
        steps = [
            ln for ln in first.splitlines() if ln.startswith(("alembic stamp", "schemagen check"))
        ]
        assert len(steps) == 2, steps
        env["DATABASE_URL"] = url
        _bash("\n".join(steps), tmp_path / "from_models", env)
        # Both imports describe the same models: the same YAML but the database name.
        assert _yaml(tmp_path / "from_models", "scratch") == _yaml(tmp_path / "adopted", existing)
    finally:
        pg.drop_database(existing)
        pg.drop_database("scratch")
