"""A column changed to a domain whose PostgreSQL name needs quotes (``db_name:``)
casts its values to that name quoted: the USING cast of ALTER COLUMN ... TYPE
wrote it bare (``aliases::PersonName[]``, ``online::hr.IsOpen``), which PostgreSQL
folds to lower case and does not find, so the revision failed: a domain whose
``db_name`` changes with its definition is another domain, and its columns are
changed to it with such a cast."""

from __future__ import annotations

from pathlib import Path

from migration_harness import (
    Case,
    alembic,
    assert_matches_models,
    generate,
    schemagen,
    scratch_database,
)
from pgcluster import PgCluster

BEFORE = """\
database: {name: quoted}
domains:
  name_domain:
    db_name: Name
    type: string
    length: 50
  flag:
    db_name: Flag
    type: boolean
    schema: hr
entities:
  Store:
    table: store
    columns:
      id: {type: bigint, primary_key: true}
      online: {type: flag, nullable: true}
      aliases: {type: array, of: name_domain, nullable: true}
"""
#: each domain under a new name that needs quotes, and changed: another domain
AFTER = """\
database: {name: quoted}
domains:
  name_domain:
    db_name: PersonName
    type: string
    length: 50
    checks:
      CK_Name_NotBlank: "VALUE <> ''"
  flag:
    db_name: IsOpen
    type: boolean
    default: false
    schema: hr
entities:
  Store:
    table: store
    columns:
      id: {type: bigint, primary_key: true}
      online: {type: flag, nullable: true}
      aliases: {type: array, of: name_domain, nullable: true}
"""


def test_a_column_changed_to_a_quoted_domain_is_cast_to_its_quoted_name(
    pg: PgCluster, tmp_path: Path
) -> None:
    case = Case("quoted", {"s.yaml": BEFORE}, {"s.yaml": AFTER}, destructive=False)
    root = tmp_path / "project"
    models_before, models_after = generate(case, root)
    db = scratch_database(pg, "mig")
    url = pg.url(db)
    alembic(root, url, "upgrade", "000")
    pg.sql("INSERT INTO store VALUES (1, true, ARRAY['a', NULL]), (2, NULL, NULL), "
           "(3, false, ARRAY['a', 'a'])", db)
    alembic(root, url, "upgrade", "head")
    assert_matches_models(pg, db, models_after, [], "upgrade")
    assert pg.sql("SELECT string_agg(id || ':' || coalesce(online::text, '-') || ':' || "
                  "coalesce(aliases::text, '-'), ',' ORDER BY id) FROM store", db).strip() \
        == "1:true:{a,NULL},2:-:-,3:false:{a,a}"
    out = schemagen(root, "check", "--database", url)
    assert out.startswith("check OK"), out
    alembic(root, url, "downgrade", "000")
    assert_matches_models(pg, db, models_before, [], "downgrade")
