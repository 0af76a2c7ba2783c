"""The round trip of ``schemagen import``, as the README tells users to adopt a database.

1. (the caller made) a source database;
2. ``schemagen import`` it into a new project;
3. ``build``, then ``migrate -m initial``;
4. ``alembic stamp head`` on the source;
5. ``schemagen check --database SOURCE`` exits 0;
6. a fresh database upgraded to head dumps exactly like the source.

The dump comparison is stricter than the migration corpus's: ``COMMENT ON``
statements (table and column descriptions) are kept, and so is the order of
the columns inside each ``CREATE TABLE``.
"""

from __future__ import annotations

import contextlib
import difflib
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from migration_harness import (
    PYPROJECT,
    alembic,
    alembic_config,
    project_env,
    schemagen,
    scratch_database,
)
from pgcluster import PgCluster


def exact_dump(cluster: PgCluster, dbname: str) -> list[str]:
    """``pg_dump --schema-only`` as sorted statements, comments and column order kept."""
    out = subprocess.run(
        [cluster.bin("pg_dump"), "--schema-only", "--no-owner", "--no-privileges", "-d", dbname],
        env=cluster.env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    lines = [ln for ln in out.splitlines() if ln.strip() and not ln.startswith(("--", "\\"))]
    statements = [s.strip() for s in re.split(r";\n", "\n".join(lines) + "\n") if s.strip()]
    return sorted(
        s
        for s in statements
        if not s.startswith(("SET ", "SELECT pg_catalog.set_config")) and "alembic_version" not in s
    )


def new_project(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    return root


def assert_same(actual: list[str], expected: list[str], label: str) -> None:
    if actual != expected:
        diff = "\n".join(difflib.unified_diff(expected, actual, "source", "migrated", lineterm=""))
        raise AssertionError(f"{label}: the migrated copy differs from the source:\n{diff}")


def stamp(root: Path, url: str) -> None:
    """``alembic stamp --purge head``: ``--purge`` drops the revision ids of the
    database's old Alembic history, which the new project does not know."""
    with project_env(root, url):
        command.stamp(alembic_config(root), "head", purge=True)


def round_trip(
    pg: PgCluster, source: str, root: Path, label: str, schemas: tuple[str, ...] = ()
) -> Path:
    """Steps 2-6 on the database ``source`` (``import --schema`` each of ``schemas``);
    return the project folder."""
    new_project(root)
    url = pg.url(source)
    source_dump = exact_dump(pg, source)
    schemagen(root, "import", *(f"--schema={name}" for name in schemas), "--database", url)
    schemagen(root, "build")
    schemagen(root, "migrate", "-m", "initial")
    stamp(root, url)
    schemagen(root, "check", "--no-cache", "--database", url)
    fresh = scratch_database(pg, "fresh")
    alembic(root, pg.url(fresh), "upgrade", "head")
    assert_same(exact_dump(pg, fresh), source_dump, label)
    return root


@contextlib.contextmanager
def source_database(pg: PgCluster, prefix: str, sql: str) -> Iterator[str]:
    """A fresh database (its name starting with ``prefix``) made by ``sql``: the
    database to adopt. Dropped on leaving."""
    source = pg.create_database(prefix)
    try:
        pg.sql(sql, source)
        yield source
    finally:
        pg.drop_database(source)


def written_schema(root: Path) -> str:
    """The YAML files ``import`` wrote in ``root/schema``, in name order, joined."""
    return "".join(p.read_text() for p in sorted((root / "schema").glob("*.yaml")))


def not_expressible(out: str) -> list[str]:
    """The lines of ``import``'s output that name what the language cannot hold, in
    the order it gives them."""
    return [line for line in out.splitlines() if line.startswith("not expressible")]
