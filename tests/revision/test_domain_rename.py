"""A domain whose only change is its PostgreSQL name (``db_name:``) is renamed in
place, ``ALTER DOMAIN ... RENAME TO``, and renamed back by the downgrade.

Measured first: the revision created the new domain, changed every column of the
old one to it (ALTER COLUMN ... TYPE under ACCESS EXCLUSIVE, the array of it by a
USING cast) and dropped the old one. The rename keeps the domain (its OID), its
checks, and every column and index on it untouched.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from migration_harness import (
    Case,
    alembic,
    assert_matches_models,
    generate,
    revisions,
    schemagen,
    scratch_database,
)
from pgcluster import PgCluster

SCHEMA = """\
database: {name: renamed}
domains:
  name_domain:
    db_name: NAME
    type: string
    length: 50
    checks:
      CK_Name_NotBlank: "VALUE <> ''"
  flag:
    db_name: FLAG
    type: boolean
    not_null: true
    default: false
    schema: hr
entities:
  Person:
    table: person
    columns:
      id: {type: bigint, primary_key: true}
      first_name: {type: name_domain, nullable: true}
    indexes:
      ix_person_first_name: {columns: [first_name]}
  Store:
    table: store
    columns:
      id: {type: bigint, primary_key: true}
      store_name: {type: name_domain}
      online: {type: flag}
      aliases: {type: array, of: name_domain, nullable: true}
"""
BEFORE = SCHEMA.replace("NAME", "Name").replace("FLAG", "Flag")
AFTER = SCHEMA.replace("NAME", "PersonName").replace("FLAG", "is_open")


def _blank_accepted(url: str) -> bool:
    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        try:
            conn.execute("INSERT INTO person VALUES (100, '')")
        except psycopg.errors.CheckViolation:
            return False
        finally:
            conn.rollback()
    return True


def _oids(pg: PgCluster, db: str, name: str, flag: str) -> str:
    return pg.sql(f"SELECT '\"{name}\"'::regtype::oid || ',' || 'hr.\"{flag}\"'::regtype::oid", db)


def test_a_domain_whose_db_name_changes_is_renamed_in_place(
    pg: PgCluster, tmp_path: Path
) -> None:
    case = Case("renamed", {"s.yaml": BEFORE}, {"s.yaml": AFTER}, destructive=False)
    root = tmp_path / "project"
    models_before, models_after = generate(case, root)
    paths = revisions(root)
    assert [p.name.split("_", 1)[0] for p in paths] == ["000", "001"]
    body = paths[1].read_text(encoding="utf-8")
    assert 'ALTER DOMAIN "Name" RENAME TO "PersonName"' in body
    assert 'ALTER DOMAIN hr."Flag" RENAME TO is_open' in body
    assert "CREATE DOMAIN" not in body and "DROP DOMAIN" not in body
    assert "alter_column" not in body
    db = scratch_database(pg, "mig")
    url = pg.url(db)
    alembic(root, url, "upgrade", "000")
    pg.sql("INSERT INTO person VALUES (1, 'Ann'), (2, NULL), (3, 'Ann'); "
           "INSERT INTO store VALUES (1, 'North', true, ARRAY['n', NULL]), "
           "(2, 'North', false, NULL)", db)
    oids = _oids(pg, db, "Name", "Flag")
    alembic(root, url, "upgrade", "head")
    assert _oids(pg, db, "PersonName", "is_open") == oids
    assert not _blank_accepted(url)
    assert_matches_models(pg, db, models_after, [], "upgrade")
    out = schemagen(root, "check", "--database", url)
    assert out.startswith("check OK"), out
    alembic(root, url, "downgrade", "000")
    assert _oids(pg, db, "Name", "Flag") == oids
    assert not _blank_accepted(url)
    assert_matches_models(pg, db, models_before, [], "downgrade")
    assert pg.sql("SELECT count(*) || ',' || count(first_name) FROM person", db).strip() == "3,2"
    assert pg.sql("SELECT string_agg(array_length(aliases, 1)::text, ',') FROM store", db) \
        .strip() == "2"
