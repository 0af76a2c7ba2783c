"""A deferrable unique constraint through the generated models and against a live
database: positions swapped in one transaction pass at commit; a second session
that makes the constraint immediate is a finding (and the swap fails again)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from migration_harness import imported_models, live_findings, migrated_project, schemagen
from pgcluster import PgCluster
from sqlalchemy.orm import Session

TRACKS = """
database: {name: t}
entities:
  Playlist:
    columns:
      id: {type: bigint, primary_key: true}
  Track:
    columns:
      id: {type: bigint, primary_key: true}
      playlist_id: {references: Playlist}
      pos: {type: integer}
    unique:
      tracks_pos_uq: {columns: [playlist_id, pos], initially_deferred: true}
"""


def _swap(engine: sa.Engine, models: object, a: int, b: int) -> dict[int, int]:
    """Swap the positions of tracks ``a`` and ``b`` through the ORM (two UPDATEs,
    one transaction); return every track's position afterwards."""
    track = models.Track  # type: ignore[attr-defined]
    with Session(engine) as session, session.begin():
        first, second = session.get(track, a), session.get(track, b)
        first.pos, second.pos = second.pos, first.pos
        session.flush()  # each UPDATE runs now; the key is checked at commit
    with Session(engine) as session:
        return {t.id: t.pos for t in session.scalars(sa.select(track))}


def test_positions_swap_in_one_transaction_and_drift_is_found(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", TRACKS, url)
    pg.sql(
        "INSERT INTO playlists VALUES (1), (2);"
        "INSERT INTO tracks SELECT n, 1 + n % 2, n FROM generate_series(1, 40) n",
        pg_db,
    )
    assert live_findings(root, url) == []
    engine = sa.create_engine(url)
    try:
        with imported_models(root / "generated" / "models.py") as models:
            assert _swap(engine, models, 2, 4)[2] == 4
            # a second session makes the key immediate, as it was before the change
            pg.sql(
                "ALTER TABLE tracks DROP CONSTRAINT tracks_pos_uq;"
                "ALTER TABLE tracks ADD CONSTRAINT tracks_pos_uq UNIQUE (playlist_id, pos)",
                pg_db,
            )
            with pytest.raises(sa.exc.IntegrityError, match="tracks_pos_uq"):
                _swap(engine, models, 2, 4)
    finally:
        engine.dispose()
    out = schemagen(root, "check", "--no-cache", "--database", url, expect_exit=1)
    assert [line.strip() for line in out.splitlines() if "tracks_pos_uq" in line] == [
        "unique constraint tracks_pos_uq on tracks: DEFERRABLE: no in the database, yes in "
        "the schema",
        "unique constraint tracks_pos_uq on tracks: INITIALLY DEFERRED: no in the database, "
        "yes in the schema",
    ]
    pg.sql(
        "ALTER TABLE tracks DROP CONSTRAINT tracks_pos_uq;"
        "ALTER TABLE tracks ADD CONSTRAINT tracks_pos_uq UNIQUE (playlist_id, pos) "
        "DEFERRABLE INITIALLY DEFERRED",
        pg_db,
    )
    assert live_findings(root, url) == []
