"""``check --database`` on a column's statistics target and storage (``statistics:``,
``storage:``): a DBA's ``SET STATISTICS 1000`` for a skewed column and ``SET STORAGE
EXTERNAL`` for large values that substring() reads, which a rebuilt database lost
silently before the language could say them. Each is compared with its declaration,
with the statement that restores it as hint; the columns query reads them (no query
more)."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_check import check_command, corpus_database, read_only_sessions
from migration_harness import json_findings, live_findings
from pgcluster import PgCluster


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    rows = (
        "INSERT INTO notes (id, body, note, n, payload, code, price) VALUES"
        " (1, NULL, 'a', 1, '{}', 'c1', 1.5), (2, repeat('x', 3000), 'a', NULL, NULL, 'c2', NULL),"
        " (3, 'b', NULL, 1, '[1]', 'c1', 1.5)"
    )
    return corpus_database(pg, tmp_path, "142_column_statistics_and_storage", "colsettings", rows)


def test_declared_settings_are_clean_and_drift_of_each_is_found(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    assert live_findings(root, pg.url(name)) == []
    code, output = check_command(root, pg.url(name))
    assert code == 0, output
    pg.sql(
        "ALTER TABLE notes ALTER COLUMN body SET STATISTICS 100,"  # declared 1000
        " ALTER COLUMN note SET STATISTICS 10,"  # declared the default
        " ALTER COLUMN payload SET STORAGE MAIN,"  # declared jsonb's own
        " ALTER COLUMN code SET STORAGE EXTENDED",  # declared external
        name,
    )
    assert live_findings(root, pg.url(name)) == [
        "column notes.body: statistics target is 100 in the database, 1000 in the schema",
        "column notes.code: storage is the type's own in the database, external in the schema",
        "column notes.note: statistics target is 10 in the database, the default in the schema",
        "column notes.payload: storage is main in the database, the type's own in the schema",
    ]
    hints = {f["message"]: f["hint"] for f in json_findings(root, pg.url(name))}
    assert sorted(hints.values())[0].startswith(
        "run `ALTER TABLE public.notes ALTER COLUMN body SET STATISTICS 1000`"
    )
    code, _ = check_command(root, pg.url(name))
    assert code == 1
    with read_only_sessions(pg, name):
        assert len(live_findings(root, pg.url(name))) == 4
    # the hints run as written (the type's own storage of jsonb, EXTENDED, named)
    statements = [h.split("`")[1] for h in hints.values()]
    assert "ALTER TABLE public.notes ALTER COLUMN payload SET STORAGE EXTENDED" in statements
    pg.sql(";".join(statements), name)
    assert live_findings(root, pg.url(name)) == []
    assert pg.sql("SELECT max(length(body)) FROM notes", name).strip() == "3000"
