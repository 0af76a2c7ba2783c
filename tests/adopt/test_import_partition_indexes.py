"""``schemagen import`` of a partitioned table whose partition holds an index of its
own (made by hand on it: a copy of no index of its parent). The language declares a
partition's indexes on its table alone, so it is listed as not expressible, with its
partition and definition; the copies PostgreSQL gives every partition of the table's
own indexes are not. Before, import wrote nothing of it and listed nothing, and
``check --database`` then reported it on the adopted project (live.partition_indexes,
16f1e76). Import and check now agree: the one index import lists is the one finding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from adopt_harness import new_project, not_expressible, source_database, stamp, written_schema
from migration_harness import json_findings, schemagen
from pgcluster import PgCluster

#: events by year, events_2025 again by kind; the table's index on note (a copy on
#: every partition, attached), an index of its own on events_2026; events_2025_a and
#: events_2025_rest hold only the copies. Skewed kinds, NULL and repeated notes, ids
#: repeated across days and kinds.
SOURCE = """
CREATE TABLE events (
    id bigint NOT NULL,
    day date NOT NULL,
    kind varchar(8) NOT NULL,
    note text,
    CONSTRAINT pk_events PRIMARY KEY (id, day, kind)
) PARTITION BY RANGE (day);
CREATE TABLE events_2025 PARTITION OF events
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') PARTITION BY LIST (kind);
CREATE TABLE events_2025_a PARTITION OF events_2025 FOR VALUES IN ('a');
CREATE TABLE events_2025_rest PARTITION OF events_2025 DEFAULT;
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE INDEX ix_events_note ON events (note);
CREATE INDEX "Note Kind" ON events_2026 (note, kind) WHERE note IS NOT NULL;
INSERT INTO events SELECT g % 700, date '2025-01-01' + g % 500,
    (ARRAY['a', 'a', 'a', 'c', 'x'])[g % 5 + 1],
    CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' || g % 3 END
FROM generate_series(1, 3000) g;
"""
NOTE_KIND = (
    "made on partition events_2026 of events alone (the language declares a "
    "partition's indexes on its table): CREATE INDEX \"Note Kind\" ON public.events_2026 "
    "USING btree (note, kind) WHERE (note IS NOT NULL)"
)


def test_a_partition_s_own_index_is_listed_and_check_reports_it_alone(
    pg: PgCluster, tmp_path: Path
) -> None:
    """import lists the own index (name, partition, definition) and not the table's
    copies, writing nothing; --allow-partial writes the table with its index alone,
    which validates; check --database on the source at head reports exactly it."""
    with source_database(pg, "partindexes", SOURCE) as source:
        url = pg.url(source)
        counts = pg.sql("SELECT count(*), count(note) FROM events", source).strip()
        root = new_project(tmp_path / "p")
        out = schemagen(root, "import", "--database", url, expect_exit=1)
        assert not_expressible(out) == [
            f"not expressible: index Note Kind on events_2026: {NOTE_KIND}",
        ], out
        assert not list((root / "schema").rglob("*.yaml"))
        schemagen(root, "import", "--allow-partial", "--database", url)
        schemagen(root, "validate")
        entities: dict[str, dict[str, Any]] = {}
        for path in sorted((root / "schema").glob("*.yaml")):
            entities.update(yaml.safe_load(path.read_text()).get("entities", {}))
        event = entities["Event"]
        assert event["columns"]["note"]["index"] is True  # ix_events_note, the table's
        assert "indexes" not in event, event
        assert event["partitions"]["events_2026"] == {"from": "2026-01-01", "to": "2027-01-01"}
        assert "Note Kind" not in written_schema(root)
        schemagen(root, "build")
        schemagen(root, "migrate", "-m", "initial")
        stamp(root, url)
        findings = json_findings(root, url)
        assert [(f["object"], f["message"]) for f in findings] == [
            (
                "index Note Kind on events_2026",
                "in the database but not in the schema: made on partition events_2026 "
                "of events alone, a copy of no index of its parent",
            ),
        ], findings
        assert pg.sql("SELECT count(*), count(note) FROM events", source).strip() == counts
