"""``schemagen import`` of the workshop twin (``tests/fixtures/workshop/workshop.sql``),
a schema ported from another database as AdventureWorks for PostgreSQL is: two
PostgreSQL schemas holding rows, and foreign keys from smallint columns to integer
keys. Such a key is written with its column's own width (``{type: smallint,
references: Station}``, or an entity-level key over the smallint column), builds,
migrates and checks clean, and a fresh database made from it has the three keys over
smallint columns (before the language took keys across integer widths, each was
listed as not expressible and was drift; earlier still, import wrote it and ``build``
refused the YAML it had written: "type smallint differs from the referenced
Station.station_id").
The comment on each schema is listed too: the language has no word for it, and
import dropped it without a word (it listed the comment of the connection's current
schema only). The tables' CLUSTER ON marks are written as ``cluster_on:`` (listed
before the language had the word). Its domains are named as
AdventureWorks names them ("Name", "Flag"): they import with ``db_name:`` (before,
they were listed as not expressible, and with them every column, index and view
over them), build, migrate and check clean, as does crew's key "PK_Crew_CrewID"
(``primary_key_name:``)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from adopt_harness import new_project, stamp
from migration_harness import alembic, schemagen, scratch_database
from pgcluster import PgCluster

WORKSHOP = Path(__file__).resolve().parents[1] / "fixtures" / "workshop" / "workshop.sql"
SCHEMAS = ("--schema=staff", "--schema=plant")


@pytest.fixture
def workshop(pg: PgCluster) -> Iterator[str]:
    source = pg.create_database("workshop")
    try:
        subprocess.run(
            [pg.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", source,
             "-f", str(WORKSHOP)],
            env=pg.env(), check=True, capture_output=True, text=True,
        )  # fmt: skip
        yield source
    finally:
        pg.drop_database(source)


def listed(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if line.startswith("not expressible")]


def test_keys_between_integer_types_of_other_widths_are_written(
    pg: PgCluster, workshop: str, tmp_path: Path
) -> None:
    root = new_project(tmp_path / "p")
    url = pg.url(workshop)
    out = schemagen(root, "import", *SCHEMAS, "--database", url, expect_exit=1)
    assert listed(out) == [
        "not expressible: comment on schema plant",
        "not expressible: comment on schema staff",
    ]
    assert not list((root / "schema").rglob("*.yaml"))

    # The rest is written and is a schema the project accepts: it builds, migrates,
    # and the drift check finds nothing (the schemas' comments are not drift).
    schemagen(root, "import", *SCHEMAS, "--allow-partial", "--database", url)
    written = "".join(p.read_text() for p in sorted((root / "schema").rglob("*.yaml")))
    assert "  flag:\n    db_name: Flag\n" in written
    assert "  name_domain:\n    db_name: Name\n" in written
    assert "title: {type: name_domain}" in written
    assert "    table: crew\n    primary_key_name: PK_Crew_CrewID\n" in written
    assert written.count("    cluster_on: stock_pkey\n") == 1
    assert written.count("    cluster_on: worker_pkey\n") == 1
    schemagen(root, "build")
    models = (root / "generated" / "models.py").read_text()
    assert 'STAFF_NAME_DOMAIN = Domain(\n    "Name",' in models
    schemagen(root, "migrate", "-m", "initial")
    stamp(root, url)
    schemagen(root, "check", "--no-cache", "--database", url)
    fresh = scratch_database(pg, "fresh")
    alembic(root, pg.url(fresh), "upgrade", "head")
    narrow_keys = (
        "SELECT string_agg(c.conname || ' ' || format_type(a.atttypid, a.atttypmod) || ' -> '"
        " || format_type(r.atttypid, r.atttypmod), ', ' ORDER BY c.conname) FROM pg_constraint c"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = c.confkey[1]"
        " WHERE c.contype = 'f' AND a.atttypid <> r.atttypid"
    )
    expected = (
        "FK_Assignment_Crew_CrewID smallint -> integer, assignment_shift_id_fkey smallint -> "
        "integer, stock_station_id_fkey smallint -> integer"
    )
    assert pg.sql(narrow_keys, workshop).strip() == expected
    assert pg.sql(narrow_keys, fresh).strip() == expected
    copied = "SELECT count(*) FROM staff.assignment WHERE shift_id IS NULL"
    assert pg.sql(copied, workshop).strip() == "1"
    assert pg.sql("SELECT count(*) FROM staff.assignment", fresh).strip() == "0"
