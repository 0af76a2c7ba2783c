"""``schemagen seed`` on an adopted database whose checks compare ``upper()`` or
``lower()`` of a column with a list (``UPPER(kind) IN ('EM', 'SC')``), as schemas
ported from databases whose comparisons ignore case have them (AdventureWorks for
PostgreSQL: person types, marital status, product lines). PostgreSQL prints them back
as ``upper((kind)::text) = ANY (ARRAY['EM'::text, ...])``, and seed refused them ("an
expression where a column was expected"), so an adopted database could not be seeded.
Seed now writes the listed values that the function leaves as they are."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest
from migration_harness import alembic, schemagen, write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

WORKSHOP = Path(__file__).resolve().parents[1] / "fixtures" / "workshop" / "workshop.sql"


def test_seed_writes_the_listed_values_a_case_fold_keeps(pg: PgCluster, tmp_path: Path) -> None:
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
        url = pg.url(source)
        # (--allow-partial: the twin's smallint keys to integer keys are not expressible)
        schemagen(root, "import", "--schema=staff", "--schema=plant", "--allow-partial",
                  "--database", url)  # fmt: skip
        text = "".join(p.read_text() for p in sorted((root / "schema").glob("*.yaml")))
        assert "upper(kind::text) = ANY (ARRAY[''EM''::text" in text, text
        schemagen(root, "build")
        schemagen(root, "migrate", "-m", "initial")
        alembic(root, pg.url(fresh), "upgrade", "head")
        out = schemagen(
            root, "seed", "--database", pg.url(fresh), "--rows", "200",
            "--rows-per", "staff.worker=300", "--seed", "3",
        )  # fmt: skip
        assert "seeded" in out, out
        schema = project_schema(root)
        with psycopg.connect(pg.libpq_url(source)) as conn:
            assert violations(conn, schema) == []  # the source's own rows, mixed case
        with psycopg.connect(pg.libpq_url(fresh)) as conn:
            assert violations(conn, schema) == []
            kinds, grades, nulls, statuses = conn.execute(
                "SELECT array_agg(DISTINCT kind ORDER BY kind),"
                " array_agg(DISTINCT grade ORDER BY grade) FILTER (WHERE grade IS NOT NULL),"
                " count(*) FILTER (WHERE grade IS NULL),"
                " array_agg(DISTINCT status ORDER BY status) FROM staff.worker"
            ).fetchone()  # type: ignore[misc]
    finally:
        pg.drop_database(source)
        pg.drop_database(fresh)
    assert kinds == ["EM", "SC"]  # not 'in': upper() never gives it
    # grade IS NULL OR upper(grade) IN (...): the listed values and NULLs, not only
    # NULLs where random text misses the list (before: B alone, from words starting B)
    assert grades == ["A", "B"] and 0 < nulls < 150
    assert statuses == ["active", "left"]  # not 'Away': lower() never gives it


GUARDED = """
database: {name: shop}
entities:
  Badge:
    columns:
      id: {type: integer, primary_key: true}
      kind: {type: string, length: 2}
    checks:
      badge_kind_not_staff: "kind IS NULL OR upper(kind) <> 'ST'"
"""


def test_a_guard_seed_cannot_read_names_its_check(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """``col IS NULL OR ...`` on a NOT NULL column is read without the guard; when the
    rest is a shape seed cannot satisfy, the error names the check (it said "check a
    check")."""
    write_schema(tmp_path, {"schema.yaml": GUARDED})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        with pytest.raises(SeedError) as info:
            seed_connection(conn, schema, rows=20)
    message = str(info.value)
    assert message.startswith(
        "cannot seed badges: check badge_kind_not_staff ((upper(kind) <> 'ST')) has a shape "
        "seed cannot satisfy (upper(column) other than = or IN)."
    ), message
    assert "entities.Badge.columns.kind: seed: {sql:" in message, message
