"""``schemagen import`` writes the bounds of a partition whose key column is an
integer type as YAML integers: PostgreSQL prints a bigint or smallint constant (and
a negative integer) quoted (``FOR VALUES FROM ('0') TO ('1000')``), which import
wrote as text (``from: '0'``). A text key's value that looks like a number stays
text. The round trip (import, build, migrate, check --database clean, a fresh
database upgraded to head dumps like the source) holds, sub-partitions included."""

from __future__ import annotations

from pathlib import Path

import yaml
from adopt_harness import round_trip, source_database, written_schema
from pgcluster import PgCluster

SOURCE = """
CREATE TABLE ledger (id bigint NOT NULL, amount integer, note text) PARTITION BY RANGE (id);
CREATE TABLE ledger_low PARTITION OF ledger FOR VALUES FROM (MINVALUE) TO (0);
CREATE TABLE ledger_mid PARTITION OF ledger FOR VALUES FROM (0) TO (1000)
    PARTITION BY LIST (amount);
CREATE TABLE ledger_mid_neg PARTITION OF ledger_mid FOR VALUES IN (-5, -1, NULL);
CREATE TABLE ledger_mid_rest PARTITION OF ledger_mid DEFAULT;
CREATE TABLE ledger_high PARTITION OF ledger
    FOR VALUES FROM (1000) TO (9223372036854775807);
CREATE TABLE shards (
    shard smallint NOT NULL,
    seq bigint NOT NULL,
    CONSTRAINT pk_shards PRIMARY KEY (shard, seq)
) PARTITION BY RANGE (shard, seq);
CREATE TABLE shards_a PARTITION OF shards FOR VALUES FROM (-1, MINVALUE) TO (5, 0);
CREATE TABLE shards_b PARTITION OF shards FOR VALUES FROM (5, 0) TO (MAXVALUE, MAXVALUE);
CREATE TABLE tags (code text NOT NULL, n bigint) PARTITION BY LIST (code);
CREATE TABLE tags_five PARTITION OF tags FOR VALUES IN ('5', '-1');
CREATE TABLE tags_rest PARTITION OF tags DEFAULT;
-- rows in every partition, ids repeated, NULL amounts, skewed towards ledger_mid
INSERT INTO ledger SELECT g % 1300 - 40, CASE WHEN g % 7 = 0 THEN NULL
    WHEN g % 5 = 0 THEN -5 WHEN g % 3 = 0 THEN -1 ELSE g % 11 END,
    CASE WHEN g % 2 = 0 THEN 'n' END FROM generate_series(1, 4000) g;
INSERT INTO shards SELECT g % 9 - 1, g - 20 FROM generate_series(1, 500) g;
INSERT INTO tags SELECT (ARRAY['5', '-1', 'x', '5'])[1 + g % 4], NULLIF(g % 3, 0)
    FROM generate_series(1, 200) g;
"""


def test_integer_partition_bounds_are_written_as_integers(pg: PgCluster, tmp_path: Path) -> None:
    with source_database(pg, "bounds", SOURCE) as source:
        counts = pg.sql(
            "SELECT string_agg(format('%s %s', tableoid::regclass, n), ', ' ORDER BY 1) "
            "FROM (SELECT tableoid, count(*) AS n FROM ledger GROUP BY 1) c",
            source,
        ).strip()
        assert counts.count(",") == 3, counts  # each of the four leaves holds rows
        root = round_trip(pg, source, tmp_path / "adopted", "integer bounds")
    text = written_schema(root)
    assert "'0'" not in text and "'-1'" not in text.replace("in: ['5', '-1']", ""), text
    entities: dict = {}
    for path in sorted((root / "schema").glob("*.yaml")):
        entities.update(yaml.safe_load(path.read_text()).get("entities", {}))
    ledger = entities["Ledger"]["partitions"]
    assert ledger["ledger_low"] == {"from": "MINVALUE", "to": 0}
    assert ledger["ledger_high"] == {"from": 1000, "to": 9223372036854775807}
    assert {k: v for k, v in ledger["ledger_mid"].items() if k != "partitions"} == {
        "from": 0,
        "to": 1000,
        "partition_by": {"list": ["amount"]},
    }
    assert ledger["ledger_mid"]["partitions"] == {
        "ledger_mid_neg": {"in": [-5, -1, None]},
        "ledger_mid_rest": {"default": True},
    }
    assert entities["Shard"]["partitions"] == {
        "shards_a": {"from": [-1, "MINVALUE"], "to": [5, 0]},
        "shards_b": {"from": [5, 0], "to": ["MAXVALUE", "MAXVALUE"]},
    }
    assert entities["Tag"]["partitions"]["tags_five"] == {"in": ["5", "-1"]}
