"""``a <> b`` between two columns, the shape of a follow table (``follower_id <>
followee_id``, both foreign keys to users) and of a message's sender and recipient.
Seed refused it ("`<>` between two columns") and asked for a value generator on one
of the keys, which cannot name the other column, so such a table could not be seeded.
Seed now picks the two keys from different parent rows: by construction where the
pair is the table's key (it counts through the pairs, leaving out those of one row
twice), and by moving one key to the next parent row where they met otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
entities:
  User:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: text}
  Follow:
    primary_key: [follower_id, followee_id]
    columns:
      follower_id: {references: User, back_populates: following}
      followee_id: {references: User, back_populates: followers}
    checks:
      ck_follows_not_self: "follower_id <> followee_id"
  Message:
    columns:
      id: {type: integer, primary_key: true}
      sender_id: {references: User, back_populates: sent, seed: {skew: 8}}
      recipient_id: {references: User, back_populates: received, nullable: true, seed: {skew: 8}}
    checks:
      ck_messages_apart: "(recipient_id <> sender_id)"
"""


def test_two_keys_to_one_table_are_kept_apart(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there already: a NULL recipient, a pair twice
            "INSERT INTO users (name) SELECT 'u' || i FROM generate_series(1, 3) AS i;"
            "INSERT INTO messages (sender_id, recipient_id) VALUES (1, NULL), (1, 2), (1, 2)"
        )
        conn.commit()
        result = seed_connection(
            conn, schema, rows=500, rows_per={"users": 12, "messages": 3000},
            seed=3, append=True,
        )  # fmt: skip (follows' 500 shared out by --rows: capped at the pairs)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT (SELECT count(*) FROM follows),"
            " (SELECT count(DISTINCT follower_id) FROM follows),"
            " (SELECT count(*) FROM messages), (SELECT count(recipient_id) FROM messages),"
            " (SELECT count(DISTINCT (sender_id, recipient_id)) FROM messages)"
        ).fetchone()
    assert row is not None
    follows, followers, messages, recipients, pairs = row
    # 15 users, 15 * 14 pairs of two users: every one of them, none of one user twice
    assert follows == 15 * 14 and followers == 15
    assert "capped at 210" in str(result.tables)
    assert messages == 3003 and 2000 < recipients < 3003 and pairs > 30


def test_one_parent_row_cannot_keep_them_apart(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        with pytest.raises(SeedError) as info:
            seed_connection(conn, schema, rows_per={"users": 1, "follows": 0}, rows=10)
    assert str(info.value).startswith(
        "cannot seed messages: check ck_messages_apart asks recipient_id <> sender_id, "
        "and users will hold 1 row"
    ), info.value
