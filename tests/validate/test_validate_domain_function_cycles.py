"""A domain whose check calls a function that takes the domain: ``CREATE DOMAIN``
needs the function and ``CREATE FUNCTION`` the domain, so no migration makes
either. A database may hold one (the check added by ALTER DOMAIN once the function
was there); validate refuses it, located at the check, with the cycle."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from fixtures.language.helpers import issues_of
from pgcluster import PgCluster


def test_postgresql_makes_neither_first(pg: PgCluster, pg_db: str) -> None:
    with psycopg.connect(pg.libpq_url(pg_db), autocommit=True) as conn:
        conn.execute("CREATE TABLE t (n integer); INSERT INTO t VALUES (1), (1), (NULL)")
        with pytest.raises(psycopg.errors.UndefinedFunction):
            conn.execute("CREATE DOMAIN slug AS text CHECK (short_slug(VALUE))")
        with pytest.raises(psycopg.errors.UndefinedObject, match="type slug does not exist"):
            conn.execute(
                "CREATE FUNCTION short_slug(s slug) RETURNS boolean LANGUAGE plpgsql "
                "AS $$ BEGIN RETURN length(s) < 20; END $$"
            )


CYCLE = """
domains:
  slug:
    type: text
    checks: {slug_short: "short_slug(VALUE)"}
  tag:
    type: text
    default: {sql: "first_tag()"}
functions:
  short_slug:
    arguments: [{name: s, type: slug}]
    returns: boolean
    body: BEGIN RETURN length(s) < 20; END;
  first_tag:
    returns: tag
    body: BEGIN RETURN 'a'; END;
"""


def test_a_domain_calling_a_function_of_its_own_type_is_refused(tmp_path: Path) -> None:
    assert issues_of(tmp_path, {"s.yaml": CYCLE}) == [
        "schema/s.yaml:4:14: domains.slug.checks.slug_short: domain slug calls "
        "short_slug(slug), which needs the domain in turn (domain slug -> function "
        "short_slug(slug) -> domain slug): PostgreSQL creates neither first; let the "
        "function take the domain's base type",
        "schema/s.yaml:7:5: domains.tag.default: domain tag calls first_tag(), which needs "
        "the domain in turn (domain tag -> function first_tag() -> domain tag): PostgreSQL "
        "creates neither first; let the function take the domain's base type",
    ]
    # the function over the base type: no cycle
    fixed = CYCLE.replace("type: slug}", "type: text}").replace("returns: tag", "returns: text")
    assert "slug" not in " ".join(issues_of(tmp_path / "fixed", {"s.yaml": fixed}))
