"""``import --allow-partial`` writes a table's ``cluster_on:`` only where it writes the
index the mark is on. A mark on an index or constraint it leaves out as not expressible
(an index with storage options, one whose key has a collation and an order of its own,
a NULLS NOT DISTINCT unique constraint) is listed as not expressible with it, and left
out: written, it named an index the schema does not have, so the schema ``import``
wrote failed ``validate`` (exit 2) and nothing could be built from it."""

from __future__ import annotations

from pathlib import Path

import yaml
from adopt_harness import new_project, not_expressible, source_database
from migration_harness import schemagen
from pgcluster import PgCluster

SOURCE = """
CREATE TABLE orders (id bigint PRIMARY KEY, code text, placed date);
CREATE INDEX orders_placed_idx ON orders (placed) WITH (fillfactor = 70);
ALTER TABLE orders CLUSTER ON orders_placed_idx;
CREATE TABLE books (id bigint PRIMARY KEY, title text);
CREATE INDEX books_title_c_desc ON books ((title COLLATE "C") DESC);
ALTER TABLE books CLUSTER ON books_title_c_desc;
CREATE TABLE tags (id bigint PRIMARY KEY, label text,
                   CONSTRAINT tags_label_key UNIQUE NULLS NOT DISTINCT (label));
ALTER TABLE tags CLUSTER ON tags_label_key;
CREATE TABLE accounts (id bigint PRIMARY KEY, email text);
CREATE INDEX accounts_email_idx ON accounts (email);
ALTER TABLE accounts CLUSTER ON accounts_email_idx;
-- rows with NULLs and repeats in every marked key
INSERT INTO orders SELECT n, NULLIF(n % 4, 0)::text, CASE WHEN n % 5 = 0 THEN NULL
  ELSE date '2026-01-01' + n % 7 END FROM generate_series(1, 200) n;
INSERT INTO books SELECT n, CASE WHEN n % 6 = 0 THEN NULL ELSE 'T' || n % 9 END
  FROM generate_series(1, 120) n;
INSERT INTO tags SELECT n, 'tag' || n FROM generate_series(1, 50) n;
INSERT INTO tags VALUES (51, NULL);
INSERT INTO accounts SELECT n, CASE WHEN n % 3 = 0 THEN NULL ELSE 'a' || n % 10 END
  FROM generate_series(1, 90) n;
"""

#: The marks on an index left out, as import lists each.
LEFT_OUT = [
    "not expressible: cluster on books_title_c_desc on books: its index is not written "
    "(index books_title_c_desc on books)",
    "not expressible: cluster on orders_placed_idx on orders: its index is not written "
    "(index orders_placed_idx on orders)",
    "not expressible: cluster on tags_label_key on tags: its index is not written "
    "(unique constraint tags_label_key on tags)",
]


def test_a_mark_on_an_index_left_out_is_listed_and_left_out(
    pg: PgCluster, tmp_path: Path
) -> None:
    with source_database(pg, "cluster_left_out", SOURCE) as source:
        url = pg.url(source)
        root = new_project(tmp_path / "p")
        out = schemagen(root, "import", "--database", url, expect_exit=1)
        listed = [line.strip() for line in not_expressible(out)]
        assert [line for line in listed if line.startswith("not expressible: cluster")] == (
            LEFT_OUT
        ), out
        assert not list((root / "schema").rglob("*.yaml"))
        out = schemagen(root, "import", "--allow-partial", "--database", url)
        schemagen(root, "validate")
        schemagen(root, "build")
        counts = pg.sql(
            "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM books), "
            "(SELECT count(*) FROM tags), (SELECT count(*) FROM accounts)",
            source,
        )
        assert counts.split() == ["200|120|51|90"]
    docs = [yaml.safe_load(p.read_text()) for p in sorted((root / "schema").rglob("*.yaml"))]
    entities = {k: v for d in docs for k, v in (d.get("entities") or {}).items()}
    assert {name: e.get("cluster_on") for name, e in entities.items()} == {
        "Order": None,
        "Book": None,
        "Tag": None,
        "Account": "accounts_email_idx",
    }
