"""``import`` reads a name holding a dot as one name: a table of the current schema
made by hand as ``public."sales.x"`` is no table ``x`` of a schema ``sales``.

The catalog keys it ``"sales.x"`` (quoted as PostgreSQL quotes it), apart from
``sales.x``; before, both were keyed ``sales.x``, and import wrote the table as an
entity of schema ``sales`` (``schema: sales``, ``table: x``), which validated, and
whose migration made a table that was not there."""

from __future__ import annotations

from pathlib import Path

import yaml
from adopt_harness import new_project
from migration_harness import schemagen
from pgcluster import PgCluster

TABLES_SQL = """
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
CREATE TABLE public."sales.x" (id bigint PRIMARY KEY, amount integer NOT NULL);
INSERT INTO notes SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' || g % 3 END
FROM generate_series(1, 30) g;
INSERT INTO public."sales.x" SELECT g, g % 7 FROM generate_series(1, 20) g;
"""


def _listed(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if "not expressible" in line]


def _documents(root: Path) -> dict[str, dict[str, object]]:
    merged: dict[str, dict[str, object]] = {}
    for path in sorted((root / "schema").rglob("*.yaml")):
        for key, value in (yaml.safe_load(path.read_text()) or {}).items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
    return merged


def test_a_table_named_with_a_dot_is_listed(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    pg.sql(TABLES_SQL, pg_db)
    root = new_project(tmp_path / "p")
    url = pg.url(pg_db)
    out = schemagen(root, "import", "--database", url, expect_exit=1)
    assert _listed(out) == [
        'not expressible: table "sales.x": the language needs letters, digits and _'
    ]
    assert not list((root / "schema").rglob("*.yaml"))
    schemagen(root, "import", "--allow-partial", "--database", url)
    schemagen(root, "validate")
    assert list(_documents(root)["entities"]) == ["Note"]
