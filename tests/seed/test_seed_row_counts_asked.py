"""The rows asked are the rows written, or the output says why not. A unique key
that combines foreign keys (a follow table's pair, a one-to-one profile keyed by its
user) holds as many rows as its parents make combinations; seed capped the table
there with a note even where ``--rows-per follows=500`` asked for the rows by name.
That count now refuses, exit 2, nothing written, naming the key, what it holds and
the ways out; a count ``--rows`` shares out is still capped, and said. A nullable
unique column seed cannot make (its range holds fewer values than the rows) was
left NULL on every row without a word: the output now says so."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.cli import main
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: social}
entities:
  User:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: text, nullable: true}
  Profile:
    columns:
      id: {type: integer, primary_key: true}
      user_id: {references: User, unique: true, back_populates: profile}
      score: {type: numeric, precision: 3, scale: 1, unique: true, nullable: true}
      bio: {type: text, nullable: true}
    checks:
      score_ok: "score BETWEEN 0 AND 1"
  Follow:
    primary_key: [follower_id, followee_id]
    columns:
      follower_id: {references: User, back_populates: following}
      followee_id: {references: User, back_populates: followers}
"""

#: Rows there: NULL names, a name twice, two profiles (a NULL bio, a NULL score), a follow.
THERE = (
    "INSERT INTO users (name) VALUES (NULL), ('ann'), ('ann'), (NULL);"
    "INSERT INTO profiles (user_id, score, bio) VALUES (1, 0.3, NULL), (2, NULL, 'x');"
    "INSERT INTO follows VALUES (1, 2)"
)


def _counts(url: str, pg: PgCluster, db: str) -> tuple[int, ...]:
    import psycopg

    with psycopg.connect(pg.libpq_url(db)) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM profiles),"
            " (SELECT count(*) FROM follows)"
        ).fetchone()
    assert row is not None
    return tuple(row)


def test_a_count_asked_by_name_past_its_key_is_refused(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(THERE)
        conn.commit()
    url = pg.url(pg_db)
    args = ["seed", "--project", str(tmp_path), "--database", url, "--append", "--seed", "3"]
    # 4 users there + 2: 6 x 6 pairs, the follow there holds one of them
    result = CliRunner().invoke(
        main, [*args, "--rows-per", "users=2", "--rows-per", "follows=40"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert (
        "cannot seed follows: its primary key (follower_id, followee_id) "
        "combines foreign keys and holds at most 36 rows (follower_id takes 6 (rows of "
        "users), followee_id takes 6 (rows of users)); rows there hold 1 of them, room "
        "for 35 more, and 40 are asked (--rows-per follows=40); ask for fewer "
        "(--rows-per follows=35) or for more parent rows (--rows-per users=N)"
    ) in result.output
    assert "Traceback" not in result.output
    assert _counts(url, pg, pg_db) == (4, 2, 1)  # nothing written, users' 2 neither
    # a one-to-one key asked by name: 4 users, 2 profiles there, room for 2
    result = CliRunner().invoke(
        main, [*args, "--rows-per", "users=0", "--rows-per", "profiles=3"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "cannot seed profiles: its unique key" in result.output
    assert "holds at most 4 rows (user_id takes 4 (rows of users))" in result.output
    assert "(--rows-per profiles=2)" in result.output
    assert _counts(url, pg, pg_db) == (4, 2, 1)
    # what the key holds, asked by name, is seeded
    result = CliRunner().invoke(
        main, [*args, "--rows-per", "users=2", "--rows-per", "follows=35",
               "--rows-per", "profiles=4"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "capped" not in result.output
    assert _counts(url, pg, pg_db) == (6, 6, 36)


def test_a_count_rows_shares_out_is_capped_and_nulls_are_said(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(THERE)
        conn.commit()
        # --rows 1000: users 10, profiles and follows 1000 each, more than their keys hold
        result = seed_connection(conn, schema, rows=1000, seed=3, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(score), count(*) FILTER (WHERE id > 2 AND score IS NULL),"
            " (SELECT count(*) FROM follows) FROM profiles"
        ).fetchone()
    notes = {t.table: (t.rows, t.note) for t in result.tables}
    assert notes["users"] == (10, None)
    # 14 users, 2 profiles there; made for 14 rows, the scores do not fit 0.0..1.0
    # (they were made for the 1,002 asked before: '1002 distinct values')
    assert notes["profiles"] == (
        12,
        "capped at 12: its unique key combines foreign keys; score NULL on every row, "
        "seed cannot make it: 14 distinct values do not fit its range (0.0 to 1 by 0.1: "
        "11 values)",
    )
    # 14 x 14 pairs, one there
    assert notes["follows"] == (195, "capped at 195: its unique key combines foreign keys")
    assert row == (14, 1, 12, 196)


def _next_ids(url: str, pg: PgCluster, db: str) -> tuple[int, ...]:
    """The id each table's sequence gives next (read, not taken): a rolled-back
    insert spends sequence numbers for good, so this sees work a refusal wasted."""
    import psycopg

    with psycopg.connect(pg.libpq_url(db)) as conn:
        found = []
        for table in ("users", "profiles"):
            named = conn.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,)).fetchone()
            assert named is not None
            row = conn.execute(  # type: ignore[arg-type]
                "SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END "
                f"FROM {named[0]}"
            ).fetchone()
            assert row is not None
            found.append(int(row[0]))
    return tuple(found)


def test_a_count_asked_by_name_past_its_key_is_refused_before_any_row_is_written(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """The refusal comes before the parents' rows are made: their sequences keep
    their numbers (a rollback would not give them back) and a later table's
    refusal does not wait for the earlier tables' inserts."""
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(THERE)
        conn.commit()
    url = pg.url(pg_db)
    assert _next_ids(url, pg, pg_db) == (5, 3)
    args = ["seed", "--project", str(tmp_path), "--database", url, "--append", "--seed", "3"]
    # 4 users there + 500 asked: 504 x 504 pairs, one there; profiles are made first
    result = CliRunner().invoke(
        main, [*args, "--rows-per", "users=500", "--rows-per", "profiles=0",
               "--rows-per", "follows=254016"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert (
        "cannot seed follows: its primary key (follower_id, followee_id) combines foreign "
        "keys and holds at most 254016 rows (follower_id takes 504 (rows of users), "
        "followee_id takes 504 (rows of users)); rows there hold 1 of them, room for "
        "254015 more, and 254016 are asked (--rows-per follows=254016); ask for fewer "
        "(--rows-per follows=254015) or for more parent rows (--rows-per users=N)"
    ) in result.output
    assert _counts(url, pg, pg_db) == (4, 2, 1)
    # no user was made and rolled back: its sequence still gives 5
    assert _next_ids(url, pg, pg_db) == (5, 3)
    # a one-to-one key: profiles come after users; 6 users, room for 4 profiles
    result = CliRunner().invoke(
        main, [*args, "--rows-per", "users=2", "--rows-per", "follows=0",
               "--rows-per", "profiles=5"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "cannot seed profiles: its unique key" in result.output
    assert "holds at most 6 rows (user_id takes 6 (rows of users))" in result.output
    assert "(--rows-per profiles=4)" in result.output
    assert _counts(url, pg, pg_db) == (4, 2, 1)
    assert _next_ids(url, pg, pg_db) == (5, 3)
    # --rows 200 shares out 2 users and 200 profiles and follows: capped, not refused
    result = CliRunner().invoke(main, [*args, "--rows", "200"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "capped at 4" in result.output and "capped at 35" in result.output
    assert _counts(url, pg, pg_db) == (6, 6, 36)
    assert _next_ids(url, pg, pg_db) == (7, 7)
