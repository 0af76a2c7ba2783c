"""``schemagen seed`` on an adopted database whose checks have negative bounds
(``quantity BETWEEN -40 AND 240``, ``chill >= -32.5 AND chill <= -10``). PostgreSQL
prints a negative constant back as a string cast to the column's type
(``quantity >= '-40'::integer``, ``chill >= '-32.5'::numeric``), which is how
``schemagen import`` writes it, and seed read it as text: "a range over a non-number
('-40')", exit 2 (AdventureWorks for PostgreSQL's employee vacation hours). A string
cast to a number is that number."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import psycopg
from migration_harness import alembic, schemagen
from pgcluster import PgCluster
from schemagen.validate.sql import constant
from seed_checks import project_schema, violations

WORKSHOP = Path(__file__).resolve().parents[1] / "fixtures" / "workshop" / "workshop.sql"


def test_negative_bounds_as_postgresql_prints_them(pg: PgCluster, tmp_path: Path) -> None:
    source, fresh = pg.create_database("workshop"), pg.create_database("workshop_seeded")
    root = tmp_path / "adopted"
    root.mkdir()
    (root / "pyproject.toml").write_text('[tool.schemagen]\nschema = "schema"\n')
    try:
        subprocess.run(
            [pg.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", source,
             "-f", str(WORKSHOP)],
            env=pg.env(), check=True, capture_output=True, text=True,
        )  # fmt: skip
        # (--allow-partial: the twin's smallint keys to integer keys are not expressible)
        schemagen(root, "import", "--schema=staff", "--schema=plant", "--allow-partial",
                  "--database", pg.url(source))  # fmt: skip
        text = "".join(p.read_text() for p in sorted((root / "schema").glob("*.yaml")))
        for printed in ("quantity >= ''-40''::integer", "chill >= ''-32.5''::numeric"):
            assert printed in text, printed
        schemagen(root, "build")
        schemagen(root, "migrate", "-m", "initial")
        alembic(root, pg.url(fresh), "upgrade", "head")
        out = schemagen(
            root, "seed", "--database", pg.url(fresh), "--rows", "300",
            "--rows-per", "plant.station=300", "--seed", "5",
        )  # fmt: skip
        assert "seeded" in out, out
        schema = project_schema(root)
        with psycopg.connect(pg.libpq_url(source)) as conn:
            assert violations(conn, schema) == []  # the source's rows, a negative one
        with psycopg.connect(pg.libpq_url(fresh)) as conn:
            assert violations(conn, schema) == []
            quantities = conn.execute(
                "SELECT min(quantity), max(quantity), count(*) FROM plant.stock"
            ).fetchone()
            chills = conn.execute(
                "SELECT min(chill), max(chill), count(*) - count(chill) FROM plant.station"
            ).fetchone()
    finally:
        pg.drop_database(source)
        pg.drop_database(fresh)
    # (seed draws a quantity column's realistic counts, kept inside the check's range)
    assert quantities is not None and -40 <= quantities[0] <= quantities[1] <= 240
    assert quantities[2] == 300
    assert chills is not None and Decimal("-32.5") <= chills[0] <= chills[1] <= -10
    assert chills[2] > 0  # and NULLs


def test_a_string_cast_to_a_number_is_that_number() -> None:
    from pglast.parser import parse_sql

    def value(sql: str) -> object:
        return constant(parse_sql(f"SELECT {sql}")[0].stmt.targetList[0].val)  # type: ignore[union-attr,index]

    assert value("'-40'::integer") == Decimal(-40)
    assert value("'-12.5'::numeric") == Decimal("-12.5")
    assert value("'-1e3'::double precision") == Decimal(-1000)
    assert value("'-40'::text") == "-40"  # text stays text
    assert value("'abc'::integer") == "abc"  # not a number: left for PostgreSQL to refuse
