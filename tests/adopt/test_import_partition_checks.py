"""``schemagen import`` of a partitioned table whose partition holds a CHECK constraint
of its own (made by hand on it: not its table's, which PostgreSQL gives every
partition). The language declares checks on a table alone, so it is listed as not
expressible, with its partition and expression; before, import wrote nothing of it and
listed nothing, and ``check --database`` then reported it on the adopted project
(live.partition_checks, 38eb733). Import and check now agree: the one check import
lists is the one finding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from adopt_harness import new_project, not_expressible, source_database, stamp, written_schema
from migration_harness import json_findings, schemagen
from pgcluster import PgCluster

#: events by year, events_2025 again by kind; the table's check (inherited by every
#: partition), a check of its own on "Events 2026" and one on the sub-partition
#: events_2025_a; events_2025_rest inherits only. Skewed kinds, NULL and repeated
#: notes, ids repeated across days and kinds.
SOURCE = """
CREATE TABLE events (
    id bigint NOT NULL,
    day date NOT NULL,
    kind varchar(8) NOT NULL,
    note text,
    CONSTRAINT pk_events PRIMARY KEY (id, day, kind),
    CONSTRAINT ck_events_id CHECK (id >= 0)
) PARTITION BY RANGE (day);
CREATE TABLE events_2025 PARTITION OF events
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') PARTITION BY LIST (kind);
CREATE TABLE events_2025_a PARTITION OF events_2025 FOR VALUES IN ('a');
CREATE TABLE events_2025_rest PARTITION OF events_2025 DEFAULT;
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE events_2026 ADD CONSTRAINT "Note Set" CHECK (note IS NOT NULL OR id >= 0);
ALTER TABLE events_2025_a ADD CONSTRAINT ck_a_note CHECK (note <> '') NOT VALID;
INSERT INTO events SELECT g % 700, date '2025-01-01' + g % 500,
    (ARRAY['a', 'a', 'a', 'c', 'x'])[g % 5 + 1],
    CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' || g % 3 END
FROM generate_series(1, 3000) g;
"""
NOTE_SET = (
    "made on partition events_2026 of events alone (the language declares checks on a "
    "table): CHECK (((note IS NOT NULL) OR (id >= 0)))"
)
A_NOTE = (
    "made on partition events_2025_a of events alone (the language declares checks on a "
    "table): CHECK ((note <> ''::text)) NOT VALID"
)


def test_a_partition_s_own_checks_are_listed_and_check_reports_them_alone(
    pg: PgCluster, tmp_path: Path
) -> None:
    """import lists the two own checks (name, partition, expression) and nothing else,
    writing nothing; --allow-partial writes the table with its own check, which
    validates; check --database on the source at head reports exactly those two."""
    with source_database(pg, "partchecks", SOURCE) as source:
        url = pg.url(source)
        counts = pg.sql("SELECT count(*), count(note) FROM events", source).strip()
        root = new_project(tmp_path / "p")
        out = schemagen(root, "import", "--database", url, expect_exit=1)
        assert not_expressible(out) == [
            f"not expressible: check constraint Note Set on events_2026: {NOTE_SET}",
            f"not expressible: check constraint ck_a_note on events_2025_a: {A_NOTE}",
        ], out
        assert not list((root / "schema").rglob("*.yaml"))
        schemagen(root, "import", "--allow-partial", "--database", url)
        schemagen(root, "validate")
        entities: dict[str, dict[str, Any]] = {}
        for path in sorted((root / "schema").glob("*.yaml")):
            entities.update(yaml.safe_load(path.read_text()).get("entities", {}))
        event = entities["Event"]
        assert event["checks"] == {"ck_events_id": "id >= 0"}
        assert event["partitions"]["events_2026"] == {"from": "2026-01-01", "to": "2027-01-01"}
        assert "Note Set" not in written_schema(root)
        schemagen(root, "build")
        schemagen(root, "migrate", "-m", "initial")
        stamp(root, url)
        findings = json_findings(root, url)
        assert [(f["object"], f["message"]) for f in findings] == [
            (
                "check ck_a_note on events_2025_a",
                "in the database but not in the schema: made on partition events_2025_a "
                "of events alone: CHECK ((note <> ''::text)) NOT VALID",
            ),
            (
                "check Note Set on events_2026",
                "in the database but not in the schema: made on partition events_2026 "
                "of events alone: CHECK (((note IS NOT NULL) OR (id >= 0)))",
            ),
        ], findings
        assert pg.sql("SELECT count(*), count(note) FROM events", source).strip() == counts
