"""Tables without a primary key through the generated models: a ``Table`` each
(SQLAlchemy's ORM maps no class without a key) that holds repeated rows through
Core inserts and selects, an ORM many-to-many whose secondary is such a table,
and a migrated database equal to create_all of the models."""

from __future__ import annotations

from pathlib import Path

from driver_round_trip import generated_modules
from migration_harness import assert_matches_models, migrated_project
from pgcluster import PgCluster

SCHEMA = """\
database: {name: blog}
entities:
  Post:
    columns:
      id: {type: bigint, primary_key: true}
      title: {type: text}
    relationships:
      tags: {entity: Tag, secondary: post_tags, back_populates: posts}
  Tag:
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text}
  PostTag:
    primary_key: false
    columns:
      post_id: {references: Post, on_delete: cascade}
      tag_id: {references: Tag, on_delete: cascade}
  View:
    table: post_views
    schema: stats
    primary_key: false
    description: One row per page view; the same reader may view a post twice.
    columns:
      post_id: {references: Post}
      reader: {type: text, nullable: true}
"""


def test_keyless_tables_hold_repeated_rows_and_serve_a_many_to_many(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    from sqlalchemy import func, insert, select

    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", SCHEMA, url)
    text = (root / "generated" / "models.py").read_text()
    assert "t_post_tags = Table(" in text and "t_stats_post_views = Table(" in text
    assert "class PostTag" not in text and "class View" not in text
    with generated_modules(root, url) as (m, database):
        assert not m.t_post_tags.primary_key and m.t_stats_post_views.schema == "stats"
        with database.get_sessionmaker()() as session:
            rust, sql = m.Tag(id=1, name="rust"), m.Tag(id=2, name="sql")
            session.add(m.Post(id=1, title="a", tags=[rust, sql]))
            session.commit()
            session.execute(insert(m.t_post_tags).values(post_id=1, tag_id=1))  # again
            session.execute(
                insert(m.t_stats_post_views),
                [
                    {"post_id": 1, "reader": "ann"},
                    {"post_id": 1, "reader": "ann"},
                    {"post_id": 1, "reader": None},
                ],
            )
            session.commit()
            views = session.execute(
                select(m.t_stats_post_views.c.reader, func.count())
                .group_by(m.t_stats_post_views.c.reader)
                .order_by(m.t_stats_post_views.c.reader)
            ).all()
            assert [tuple(v) for v in views] == [("ann", 2), (None, 1)]
            post = session.get(m.Post, 1)
            assert post is not None
            # the repeated link row is there, and the collection still loads
            assert sorted(t.name for t in post.tags) == ["rust", "sql"]
            assert [p.id for p in rust.posts] == [1]
    assert pg.sql("SELECT count(*) FROM post_tags", pg_db).strip() == "3"
    assert_matches_models(pg, pg_db, root / "generated" / "models.py", [], "keyless models")
