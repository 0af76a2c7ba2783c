"""Type changes need a cast PostgreSQL has: without one, migrate asks for `using:`.

Issue 15: timestamptz to integer was planned as safe, then failed even on an
empty database ("cannot cast type timestamp with time zone to integer").
"""

from __future__ import annotations

from pathlib import Path

from migration_harness import alembic, revisions, schemagen, write_schema
from pgcluster import PgCluster

BEFORE = """
database: {name: casts}
entities:
  Event:
    columns:
      id: {type: bigint, primary_key: true}
      seen_at: {type: timestamptz}
      code: {type: string, length: 10}
"""


def test_no_cast_is_refused_with_the_using_hint_and_following_it_works(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    root = tmp_path / "p"
    write_schema(root, {"s.yaml": BEFORE})
    schemagen(root, "migrate", "-m", "initial")
    url = pg.url(pg_db)
    alembic(root, url, "upgrade", "head")
    pg.sql("INSERT INTO events (seen_at, code) VALUES ('2024-01-02 03:04:05+00', '42')", pg_db)
    after = BEFORE.replace("{type: timestamptz}", "{type: integer}")
    write_schema(root, {"s.yaml": after})
    out = schemagen(root, "migrate", "-m", "epoch", expect_exit=1)
    assert out.strip() == (
        "refused: revision 001 changes a type that PostgreSQL cannot convert by itself:\n"
        "  ! events.seen_at: timestamp with time zone -> integer: PostgreSQL has no cast. "
        "Say how to convert the values with `using:` on the column, e.g. using: "
        '"seen_at::text::integer"\n'
        "Nothing was written."
    )
    assert len(revisions(root)) == 1
    assert "Needs `using:` (1): migrate refuses it until then" in schemagen(root, "plan")
    # text -> integer: an explicit cast only, which ALTER ... TYPE does not apply.
    after = after.replace("{type: string, length: 10}", "{type: integer}")
    write_schema(root, {"s.yaml": after})
    out = schemagen(root, "migrate", "-m", "epoch", expect_exit=1)
    assert (
        "  ! events.code: character varying(10) -> integer: PostgreSQL has only an explicit "
        "cast, which ALTER ... TYPE does not apply by itself. Say how to convert the values "
        'with `using:` on the column, e.g. using: "code::integer"'
    ) in out
    fixed = after.replace(
        "seen_at: {type: integer}",
        'seen_at: {type: integer, using: "extract(epoch from seen_at)::integer"}',
    ).replace("code: {type: integer}", 'code: {type: integer, using: "code::integer"}')
    write_schema(root, {"s.yaml": fixed})
    schemagen(root, "migrate", "-m", "epoch")
    alembic(root, url, "upgrade", "head")
    assert pg.sql("SELECT seen_at, code + 1 FROM events", pg_db).strip() == "1704164645|43"
    # The hint stays harmless: with no type change pending it steers nothing.
    assert schemagen(root, "plan").startswith("No changes")


def test_using_is_checked_as_sql_of_the_table(tmp_path: Path) -> None:
    root = tmp_path / "p"
    bad = BEFORE.replace("{type: timestamptz}", '{type: integer, using: "extract(epoch from x"}')
    write_schema(root, {"s.yaml": bad})
    out = schemagen(root, "validate", expect_exit=2)
    assert "entities.Event.columns.seen_at.using: SQL 'extract(epoch from x' syntax error" in out
    bad = BEFORE.replace("{type: timestamptz}", '{type: integer, using: "seen + 1"}')
    write_schema(root, {"s.yaml": bad})
    out = schemagen(root, "validate", expect_exit=2)
    assert "entities.Event.columns.seen_at.using: unknown column 'seen'" in out
