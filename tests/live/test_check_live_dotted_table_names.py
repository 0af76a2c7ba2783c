"""``check --database`` tells a table of the current schema whose name holds a dot
(``public."sales.x"``, made by hand) from the table ``x`` of schema ``sales``: the
comparison keys a table by its schema and name, a name holding a dot (or a double
quote) quoted as PostgreSQL quotes it (``"sales.x"``), so no key reads as another.

Before, both were keyed ``sales.x``: the catalog read folded the two tables into
one, so the hand-made table was never reported, its columns and key showed up as
drift of ``sales.x``, and ``sales.x`` dropped went unseen while the other stood."""

from __future__ import annotations

from pathlib import Path

from migration_harness import by_hand, live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: dotted}
entities:
  Sale:
    schema: sales
    table: x
    columns:
      id: {type: bigint, primary_key: true}
      amount: {type: integer}
  Note:
    columns:
      id: {type: bigint, primary_key: true}
      body: {type: text, nullable: true}
"""

ROWS = """
INSERT INTO sales.x (id, amount) SELECT g, g * 10 FROM generate_series(1, 30) g;
INSERT INTO notes (id, body) SELECT g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' END
FROM generate_series(1, 20) g;
"""

#: The table made by hand: public."sales.x", other columns, a key of its own, rows.
BY_HAND = [
    'CREATE TABLE public."sales.x" (id bigint PRIMARY KEY, note text, amount bigint)',
    "INSERT INTO public.\"sales.x\" SELECT g, NULLIF('n' || g % 4, 'n0'), g "
    "FROM generate_series(1, 25) g",
]


def test_a_table_named_with_a_dot_is_another_table(pg: PgCluster, tmp_path: Path) -> None:
    root, db = migrated_database(pg, tmp_path, "dotted", SCHEMA, ROWS)
    url = pg.url(db)
    assert live_findings(root, url) == []
    by_hand(pg, db, BY_HAND)
    # the hand-made table alone, named whole; sales.x is at head
    assert live_findings(root, url) == [
        'table "sales.x": in the database but not in the schema'
    ]
    # sales.x dropped: missing, whatever public."sales.x" holds
    by_hand(pg, db, ["DROP TABLE sales.x"])
    assert sorted(live_findings(root, url)) == [
        'table "sales.x": in the database but not in the schema',
        "table sales.x: missing from the database",
    ]
    # both tables kept their rows
    assert pg.sql('SELECT count(*) FROM public."sales.x"', db).strip() == "25"
