"""A domain change PostgreSQL refuses while a column is an array of the domain.

``ALTER DOMAIN ... ADD CONSTRAINT`` (and ``SET NOT NULL``) fails outright while any
column is an array of the domain, rows or none (``cannot alter type "sku" because
column "items.tags" uses it``). ``validate`` says so, located, before ``migrate``
would write a revision whose upgrade fails (exit 2 for both, nothing written);
the hint's way (the column an array of the base type while the check goes in, an
array of the domain again in the next revision) migrates, up and down. A dropped
check whose downgrade would add it back under such a column is a warning."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from migration_harness import alembic, revisions, schemagen, write_schema
from pgcluster import PgCluster

BEFORE = """\
database: {name: t}
domains:
  sku:
    type: text
    checks: {sku_short: "length(VALUE) <= 12"}
entities:
  Item:
    columns:
      id: {type: bigint, primary_key: true}
      sku: {type: sku, nullable: true}
      tags: {type: array, of: sku, nullable: true}
"""
CHECKED = BEFORE.replace(
    'checks: {sku_short: "length(VALUE) <= 12"}',
    'checks:\n      sku_short: "length(VALUE) <= 12"\n      sku_upper: "VALUE = upper(VALUE)"',
)
ROWS = """
INSERT INTO items (sku, tags) VALUES ('AB-1', ARRAY['X', 'Y']), (NULL, NULL), ('AB-2', '{}'),
  ('AB-3', ARRAY[NULL, 'Z']);
"""


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_check_added_under_an_array_column_is_an_error_then_migrates_by_the_hint(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    root, url = tmp_path / "p", pg.url(pg_db)
    write_schema(root, {"s.yaml": BEFORE})
    schemagen(root, "migrate", "-m", "initial")
    alembic(root, url, "upgrade", "head")
    pg.sql(ROWS, pg_db)
    # the premise, on PostgreSQL 15 itself: rows or none, the array column blocks it
    with pytest.raises(subprocess.CalledProcessError) as refused:
        pg.sql("ALTER DOMAIN sku ADD CONSTRAINT sku_upper CHECK (VALUE = upper(VALUE))", pg_db)
    assert 'cannot alter type "sku" because column "items.tags" uses it' in refused.value.stderr

    write_schema(root, {"s.yaml": CHECKED})
    out = schemagen(root, "validate", expect_exit=2)
    line = _line_of(CHECKED, "sku_upper")
    assert f"s.yaml:{line}" in out and "domains.sku.checks.sku_upper" in out
    assert "refuses adding check sku_upper" in out and "(items.tags)" in out
    assert "upgrade would fail" in out and "hint: make those columns arrays" in out
    assert "schema invalid: 1 error" in out
    out = schemagen(root, "migrate", "-m", "upper skus", expect_exit=2)
    assert "domains.sku.checks.sku_upper" in out
    assert len(revisions(root)) == 1  # nothing written

    # the hint: an array of the base type while the check goes in ...
    write_schema(root, {"s.yaml": CHECKED.replace("of: sku", "of: text")})
    assert "sku_upper" not in schemagen(root, "validate")
    schemagen(root, "migrate", "-m", "upper skus")
    alembic(root, url, "upgrade", "head")
    # ... and an array of the domain again in the next revision (each element checked)
    write_schema(root, {"s.yaml": CHECKED})
    assert "sku_upper" not in schemagen(root, "validate")
    schemagen(root, "migrate", "-m", "tags are skus again")
    alembic(root, url, "upgrade", "head")
    tags_type = "SELECT format_type(atttypid, NULL) FROM pg_attribute "
    tags_type += "WHERE attrelid = 'items'::regclass AND attname = 'tags'"
    assert pg.sql(tags_type, pg_db).strip() == "sku[]"
    assert pg.sql("SELECT count(*) FROM items", pg_db).strip() == "4"
    alembic(root, url, "downgrade", "000")
    upper = "SELECT count(*) FROM pg_constraint WHERE conname = 'sku_upper'"
    assert (pg.sql(upper, pg_db).strip(), pg.sql(tags_type, pg_db).strip()) == ("0", "sku[]")


def test_a_check_dropped_under_an_array_column_warns_of_the_downgrade(tmp_path: Path) -> None:
    root = tmp_path / "p"
    write_schema(root, {"s.yaml": CHECKED})
    schemagen(root, "migrate", "-m", "initial")
    write_schema(root, {"s.yaml": BEFORE})  # sku_upper dropped: its downgrade adds it back
    out = schemagen(root, "validate")
    assert "warning" in out and "domains.sku" in out
    assert "refuses adding check sku_upper back" in out and "downgrade would fail" in out
    schemagen(root, "validate", "--strict", expect_exit=2)
    schemagen(root, "migrate", "-m", "no upper")  # the upgrade itself runs: written
    assert len(revisions(root)) == 2
