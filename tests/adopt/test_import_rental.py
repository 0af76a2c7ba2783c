"""``schemagen import`` of the rental twin's DDL (``tests/fixtures/rental/rental.sql``,
loaded with ``psql``): every feature of issue 11 that the DDL uses imports exactly.
Import, build, migrate, stamp, check, and a fresh database upgraded to head dumps
like the DDL's, comments and column order included (see :mod:`adopt_harness`).

Both PostgreSQL schemas are imported (``--schema public --schema billing``): the
billing tables, enum type and sequence come back with ``schema: billing``, the
partitioned ``billing.payout_events`` with its key and its partitions' bounds."""

from __future__ import annotations

import subprocess
from pathlib import Path

from adopt_harness import round_trip
from pgcluster import PgCluster

RENTAL = Path(__file__).resolve().parents[1] / "fixtures" / "rental"


def test_rental_ddl_imports_exactly(pg: PgCluster, tmp_path: Path) -> None:
    source = pg.create_database("rental_ddl")
    try:
        subprocess.run(
            [pg.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", source,
             "-f", str(RENTAL / "rental.sql")],
            env=pg.env(), check=True, capture_output=True, text=True,
        )  # fmt: skip
        root = round_trip(pg, source, tmp_path / "adopted", "rental.sql", ("public", "billing"))
    finally:
        pg.drop_database(source)
    text = "".join(p.read_text() for p in sorted((root / "schema").glob("*.yaml")))
    words = ("sequences:", "generated:", "foreign_keys:", "expression:", "order: desc")
    partitioned = (
        "partition_by:\n      range: [happened_on]\n    partitions:\n"
        "      payout_events_2026_01: {from: '2026-01-01', to: '2026-02-01'}\n"
    )
    for word in (*words, "schema: billing", partitioned, "payout_events_other: {default: true}"):
        assert word in text, word
