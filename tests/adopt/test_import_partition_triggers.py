"""``schemagen import`` of a partitioned table with triggers: the table's own (a row
trigger PostgreSQL clones onto every partition, a statement trigger it does not) are
imported, and a trigger made on one partition alone is listed as not expressible, with
its partition and definition. The language declares triggers on an entity, and a
partition is no entity; before, import skipped every trigger of a table it did not
import ("the table itself is reported"), and a partition is never reported as a table,
so the partition's trigger was lost silently and ``check --database`` then reported it
on the adopted project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from adopt_harness import (
    new_project,
    not_expressible,
    round_trip,
    source_database,
    stamp,
    written_schema,
)
from migration_harness import json_findings, schemagen
from pgcluster import PgCluster

#: ledger by range of id, ledger_high again by list of kind; the table's row trigger
#: (cloned onto every partition, sub-partitions too) and statement trigger; 3,000 rows,
#: skewed kinds, NULL and repeated notes, amounts the row trigger rounded.
TABLE = """
CREATE FUNCTION round_amount() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    NEW.amount := round(NEW.amount, 2);
    RETURN NEW;
END;
$body$;
CREATE FUNCTION note_batch() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    RETURN NULL;
END;
$body$;
CREATE TABLE ledger (
    id bigint NOT NULL,
    kind varchar(8) NOT NULL,
    amount numeric(12, 2) NOT NULL,
    note text,
    CONSTRAINT pk_ledger PRIMARY KEY (id, kind)
) PARTITION BY RANGE (id);
CREATE TABLE ledger_low PARTITION OF ledger FOR VALUES FROM (MINVALUE) TO (1000);
CREATE TABLE ledger_mid PARTITION OF ledger FOR VALUES FROM (1000) TO (2000);
CREATE TABLE ledger_high PARTITION OF ledger FOR VALUES FROM (2000) TO (MAXVALUE)
    PARTITION BY LIST (kind);
CREATE TABLE ledger_high_a PARTITION OF ledger_high FOR VALUES IN ('a');
CREATE TABLE ledger_high_rest PARTITION OF ledger_high DEFAULT;
CREATE TRIGGER trg_ledger_round BEFORE INSERT OR UPDATE ON ledger
    FOR EACH ROW WHEN (NEW.amount IS NOT NULL) EXECUTE FUNCTION round_amount();
CREATE TRIGGER trg_ledger_batch AFTER INSERT ON ledger
    FOR EACH STATEMENT EXECUTE FUNCTION note_batch();
INSERT INTO ledger SELECT g, (ARRAY['a', 'a', 'a', 'c', 'x'])[g % 5 + 1], g * 1.005,
    CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' || g % 3 END
FROM generate_series(1, 3000) g;
"""

#: a trigger of ledger_mid's own (of another function, as by-hand repairs make one)
#: and one of the sub-partition ledger_high_a's, both firing on the rows there; the
#: table's row trigger disabled on ledger_low alone (its clone there never fires).
OWN = """
CREATE FUNCTION mid_guard() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    RETURN NEW;
END;
$body$;
CREATE TRIGGER trg_mid_guard BEFORE UPDATE ON ledger_mid
    FOR EACH ROW EXECUTE FUNCTION mid_guard();
CREATE TRIGGER "Round A" AFTER DELETE ON ledger_high_a
    FOR EACH ROW EXECUTE FUNCTION round_amount();
ALTER TABLE ledger_low DISABLE TRIGGER trg_ledger_round;
"""
LOW_ROUND = (
    "the clone of ledger's trigger on partition ledger_low, disabled (DISABLE TRIGGER): it "
    "never fires, unlike ledger's (the language declares a table's triggers, which its "
    "partitions share)"
)
MID_GUARD = (
    "made on partition ledger_mid of ledger alone (the language declares triggers on a "
    "table): CREATE TRIGGER trg_mid_guard BEFORE UPDATE ON public.ledger_mid FOR EACH ROW "
    "EXECUTE FUNCTION mid_guard()"
)
ROUND_A = (
    "made on partition ledger_high_a of ledger alone (the language declares triggers on a "
    'table): CREATE TRIGGER "Round A" AFTER DELETE ON public.ledger_high_a FOR EACH ROW '
    "EXECUTE FUNCTION round_amount()"
)


def test_a_partitioned_table_s_triggers_round_trip_without_their_clones(
    pg: PgCluster, tmp_path: Path
) -> None:
    """The table's two triggers are written on its entity, none of the clones PostgreSQL
    made on its partitions is listed, and the import migrates to the same database
    (check --database clean, dumps equal)."""
    with source_database(pg, "parttrig", TABLE) as source:
        clones = pg.sql("SELECT count(*) FROM pg_trigger WHERE tgparentid <> 0", source)
        # the row trigger on each of the five partitions, at both levels
        assert clones.strip() == "5"
        root = round_trip(pg, source, tmp_path / "p", "partition triggers")
        entities: dict[str, dict[str, Any]] = {}
        for path in sorted((root / "schema").glob("*.yaml")):
            entities.update(yaml.safe_load(path.read_text()).get("entities", {}))
        triggers = entities["Ledger"]["triggers"]
        assert sorted(triggers) == ["trg_ledger_batch", "trg_ledger_round"]
        assert triggers["trg_ledger_round"]["when"] == "(new.amount IS NOT NULL)"
        assert triggers["trg_ledger_batch"]["for_each"] == "statement"


def test_a_partition_s_own_triggers_are_listed_and_check_reports_them_alone(
    pg: PgCluster, tmp_path: Path
) -> None:
    """import lists the two own triggers (name, partition, definition) and the disabled
    clone, nothing else, writing nothing; --allow-partial writes the table with its own
    triggers, which validates; check --database on the source at head reports exactly
    those three."""
    with source_database(pg, "partowntrig", TABLE + OWN) as source:
        url = pg.url(source)
        counts = pg.sql("SELECT count(*), sum(amount) FROM ledger", source).strip()
        root = new_project(tmp_path / "p")
        out = schemagen(root, "import", "--database", url, expect_exit=1)
        assert not_expressible(out) == [
            f"not expressible: trigger Round A on ledger_high_a: {ROUND_A}",
            f"not expressible: trigger trg_ledger_round on ledger_low: {LOW_ROUND}",
            f"not expressible: trigger trg_mid_guard on ledger_mid: {MID_GUARD}",
        ], out
        assert not list((root / "schema").rglob("*.yaml"))
        schemagen(root, "import", "--allow-partial", "--database", url)
        schemagen(root, "validate")
        assert "trg_mid_guard" not in written_schema(root)
        assert "Round A" not in written_schema(root)
        schemagen(root, "build")
        schemagen(root, "migrate", "-m", "initial")
        stamp(root, url)
        findings = json_findings(root, url)
        assert sorted(f["object"] for f in findings) == [
            "trigger ledger_high_a.Round A",
            "trigger ledger_low.trg_ledger_round",
            "trigger ledger_mid.trg_mid_guard",
        ], findings
        assert pg.sql("SELECT count(*), sum(amount) FROM ledger", source).strip() == counts
