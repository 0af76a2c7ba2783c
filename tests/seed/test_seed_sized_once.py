"""A seed sizes each table once and, with ``--append``, reads the keys the rows there
hold once: the up-front pass that refuses a count no key can hold (seed.room) sized
every table it could, then the seed sized each again as it planned it and read the
rows there's keys again (one query per table holding rows). The seed now plans each
table from the sizing made up front; the rows are the same."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pgcluster import PgCluster
from schemagen.model.schema import Entity
from schemagen.seed import collisions, plan, room, run
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

REPO = Path(__file__).resolve().parents[2]


def test_each_table_is_sized_once_and_its_held_keys_read_once(
    pg: PgCluster, pg_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "flagship"
    root.mkdir()
    shutil.copytree(REPO / "schema", root / "schema")
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    schema = project_schema(root)
    sized: Counter[str] = Counter()
    held: Counter[str] = Counter()
    size_table, held_keys = plan.size_table, collisions.held_keys

    def sizing(ctx: Any, ent: Entity, *rest: Any) -> Any:
        sized[ent.table] += 1
        return size_table(ctx, ent, *rest)

    def holding(conn: Any, ent: Entity) -> Any:
        held[ent.table] += 1
        return held_keys(conn, ent)

    for module in (plan, room):
        monkeypatch.setattr(module, "size_table", sizing)
    for module in (room, run):
        monkeypatch.setattr(module, "held_keys", holding)
    with created(pg, pg_db, root) as conn:
        seed_connection(conn, schema, rows=300, seed=7)
        # rows there, some thinned out: a key combining foreign keys leaves theirs out
        conn.execute("DELETE FROM custom_field_definitions WHERE id % 3 = 0")
        conn.commit()
        sized.clear()
        seed_connection(conn, schema, rows=100, seed=9, append=True)
        assert violations(conn, schema) == []
    tables = {e.table for e in schema.entities}
    assert sized == Counter(tables) and held == Counter(tables)
