"""``schemagen import`` of a partitioned table whose partitions hold, of their own, a
comment, a column comment, row-level security or a policy. The language says those of
a table alone (a partition's entry says its bound and sub-partitions), and PostgreSQL
copies none of the table's onto its partitions; before, import wrote none of them and
listed none (exit 0), so the adopted project's migrations made a database without them.
Each is now listed, with its partition and what it holds; the table's own are
imported, and what import lists is exactly what a database migrated from the partial
import lacks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from adopt_harness import exact_dump, new_project, not_expressible, source_database
from migration_harness import alembic, schemagen, scratch_database
from pgcluster import PgCluster

#: ledger by range of id, ledger_high again by list of kind, 3,000 rows (skewed kinds,
#: NULL and repeated notes); the table's comment, column comment, row-level security
#: and policy, and of their own: ledger_mid's comment and column comment, ledger_low's
#: row-level security (forced) and policy, the sub-partition ledger_high_a's
#: restrictive policy.
SOURCE = """
CREATE TABLE ledger (
    id bigint NOT NULL,
    kind varchar(8) NOT NULL,
    note text,
    CONSTRAINT pk_ledger PRIMARY KEY (id, kind)
) PARTITION BY RANGE (id);
CREATE TABLE ledger_low PARTITION OF ledger FOR VALUES FROM (MINVALUE) TO (1000);
CREATE TABLE ledger_mid PARTITION OF ledger FOR VALUES FROM (1000) TO (2000);
CREATE TABLE ledger_high PARTITION OF ledger FOR VALUES FROM (2000) TO (MAXVALUE)
    PARTITION BY LIST (kind);
CREATE TABLE ledger_high_a PARTITION OF ledger_high FOR VALUES IN ('a');
CREATE TABLE ledger_high_rest PARTITION OF ledger_high DEFAULT;
COMMENT ON TABLE ledger IS 'Every entry';
COMMENT ON COLUMN ledger.note IS 'Free text';
ALTER TABLE ledger ENABLE ROW LEVEL SECURITY;
CREATE POLICY ledger_read ON ledger FOR SELECT USING (kind <> 'x');
COMMENT ON TABLE ledger_mid IS 'Entries of the middle range';
COMMENT ON COLUMN ledger_mid.note IS 'Checked by hand';
ALTER TABLE ledger_low ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_low FORCE ROW LEVEL SECURITY;
CREATE POLICY low_read ON ledger_low FOR SELECT USING (kind <> 'c');
CREATE POLICY "A Only" ON ledger_high_a AS RESTRICTIVE FOR INSERT WITH CHECK (note IS NULL);
INSERT INTO ledger SELECT g, (ARRAY['a', 'a', 'a', 'c', 'x'])[g % 5 + 1],
    CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' || g % 3 END
FROM generate_series(1, 3000) g;
"""

ALONE = "made on partition {} of ledger alone (the language {}): {}"
LISTED = [
    "not expressible: comment on column ledger_mid.note: "
    + ALONE.format("ledger_mid", "describes a table's columns", "Checked by hand"),
    "not expressible: comment on partition ledger_mid: "
    + ALONE.format("ledger_mid", "describes a table", "Entries of the middle range"),
    "not expressible: policy A Only on ledger_high_a: "
    + ALONE.format(
        "ledger_high_a",
        "declares policies on a table",
        "AS RESTRICTIVE FOR INSERT TO PUBLIC WITH CHECK ((note IS NULL))",
    ),
    "not expressible: policy low_read on ledger_low: "
    + ALONE.format(
        "ledger_low",
        "declares policies on a table",
        "FOR SELECT TO PUBLIC USING (((kind)::text <> 'c'::text))",
    ),
    "not expressible: row-level security of partition ledger_low: "
    + ALONE.format(
        "ledger_low",
        "declares it on a table",
        "ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY",
    ),
]

#: The statements of pg_dump that make what import listed, and nothing else.
OWN_STATEMENTS = [
    'CREATE POLICY "A Only" ON public.ledger_high_a AS RESTRICTIVE FOR INSERT '
    "WITH CHECK ((note IS NULL))",
    "ALTER TABLE public.ledger_low ENABLE ROW LEVEL SECURITY",
    "ALTER TABLE ONLY public.ledger_low FORCE ROW LEVEL SECURITY",
    "COMMENT ON COLUMN public.ledger_mid.note IS 'Checked by hand'",
    "COMMENT ON TABLE public.ledger_mid IS 'Entries of the middle range'",
    "CREATE POLICY low_read ON public.ledger_low FOR SELECT USING (((kind)::text <> 'c'::text))",
]


def test_a_partition_s_own_comments_and_security_are_listed(pg: PgCluster, tmp_path: Path) -> None:
    """import lists the five and nothing else, writing nothing; --allow-partial writes
    the table with its own comment, column comment, row-level security and policy; a
    database migrated from it dumps as the source less exactly what was listed."""
    with source_database(pg, "partown", SOURCE) as source:
        url = pg.url(source)
        root = new_project(tmp_path / "p")
        out = schemagen(root, "import", "--database", url, expect_exit=1)
        assert not_expressible(out) == LISTED, out
        assert not list((root / "schema").rglob("*.yaml"))
        schemagen(root, "import", "--allow-partial", "--database", url)
        schemagen(root, "validate")
        entities: dict[str, dict[str, Any]] = {}
        for path in sorted((root / "schema").glob("*.yaml")):
            entities.update(yaml.safe_load(path.read_text()).get("entities", {}))
        ledger = entities["Ledger"]
        assert ledger["description"] == "Every entry"
        assert ledger["columns"]["note"]["description"] == "Free text"
        assert ledger["row_level_security"] is True
        assert sorted(ledger["policies"]) == ["ledger_read"]
        schemagen(root, "build")
        schemagen(root, "migrate", "-m", "initial")
        fresh = scratch_database(pg, "fresh")
        alembic(root, pg.url(fresh), "upgrade", "head")
        source_dump, fresh_dump = exact_dump(pg, source), exact_dump(pg, fresh)
        assert [s for s in fresh_dump if s not in source_dump] == []
        missing = [s for s in source_dump if s not in fresh_dump]
        assert sorted(missing) == sorted(OWN_STATEMENTS), missing


#: a comment on ledger_mid's copy of pk_ledger (the language describes no index)
INDEX_COMMENT = "COMMENT ON INDEX ledger_mid_pkey IS 'Mid key, kept by hand';\n"


def test_a_comment_on_a_partition_s_index_is_listed(pg: PgCluster, tmp_path: Path) -> None:
    """A comment on a partition's copy of its table's index is listed with the five, on
    the index and its partition (before, import read it as nothing: the copy is no
    partition), and import writes nothing."""
    with source_database(pg, "partidx", SOURCE + INDEX_COMMENT) as source:
        root = new_project(tmp_path / "p")
        out = schemagen(root, "import", "--database", pg.url(source), expect_exit=1)
        listed = "not expressible: comment on index ledger_mid_pkey on ledger_mid: " + ALONE.format(
            "ledger_mid", "describes no index", "Mid key, kept by hand"
        )
        assert sorted(not_expressible(out)) == sorted([*LISTED, listed]), out
        assert not list((root / "schema").rglob("*.yaml"))
