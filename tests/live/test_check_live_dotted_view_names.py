"""``check --database`` tells a view (or materialized view) of the current schema whose
name holds a dot (``public."sales.v"``, made by hand) from the view ``v`` of schema
``sales``, a trigger of a table so named from one of ``sales.x``, and a function
``public."sales.touch"()`` from ``sales.touch()``: views, functions and the tables of
triggers are keyed as tables are (live.introspect.QUALIFIED_KEY), a part
holding a dot (or a double quote) quoted as PostgreSQL quotes it.

Before, each pair was keyed alike (``sales.v``, ``sales.x.trg_x_touch``): the read
folded the two into one, so the hand-made view was compared as the declared one (its
definition reported as drift of ``sales.v``) or hid it, and the declared view dropped,
or its trigger disabled, went unseen while the other stood."""

from __future__ import annotations

from pathlib import Path

from migration_harness import assert_text_findings, by_hand, live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: dottedviews}
functions:
  touch:
    returns: trigger
    body: |
      BEGIN
        NEW.amount := coalesce(NEW.amount, 0);
        RETURN NEW;
      END;
entities:
  Sale:
    schema: sales
    table: x
    columns:
      id: {type: bigint, primary_key: true}
      amount: {type: integer, nullable: true}
    triggers:
      trg_x_touch: {function: touch, timing: before, events: [insert]}
  Note:
    columns:
      id: {type: bigint, primary_key: true}
      body: {type: text, nullable: true}
views:
  SaleView:
    schema: sales
    view: v
    sql: SELECT id, amount FROM sales.x WHERE amount > 10
    columns:
      id: {type: bigint}
      amount: {type: integer}
  SaleTotal:
    schema: sales
    view: m
    materialized: true
    sql: SELECT count(*) AS sales FROM sales.x
    columns:
      sales: {type: bigint}
"""

ROWS = """
INSERT INTO sales.x (id, amount) SELECT g, NULLIF(g * 10 % 70, 0) FROM generate_series(1, 30) g;
INSERT INTO notes (id, body) SELECT g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' END
FROM generate_series(1, 20) g;
REFRESH MATERIALIZED VIEW sales.m;
"""

#: Made by hand in public: a table, a view and a materialized view named as the
#: declared ones are keyed in sales, each over other columns, and the table's trigger
#: named as the declared one; rows.
BY_HAND = [
    'CREATE TABLE public."sales.x" (id bigint PRIMARY KEY, note text, amount bigint)',
    'CREATE TRIGGER trg_x_touch BEFORE INSERT ON public."sales.x" '
    "FOR EACH ROW EXECUTE FUNCTION touch()",
    "INSERT INTO public.\"sales.x\" SELECT g, NULLIF('n' || g % 4, 'n0'), g "
    "FROM generate_series(1, 25) g",
    'CREATE VIEW public."sales.v" AS SELECT id, body FROM notes',
    'CREATE MATERIALIZED VIEW public."sales.m" AS SELECT count(body) AS sales FROM notes',
    # a function of sales named as the declared one, and one of public named as that
    "CREATE FUNCTION sales.touch() RETURNS integer LANGUAGE sql AS 'SELECT 1'",
    'CREATE FUNCTION public."sales.touch"() RETURNS integer LANGUAGE sql AS \'SELECT 2\'',
]

EXTRA = "in the database but not in the schema"


def test_a_view_named_with_a_dot_is_another_view(pg: PgCluster, tmp_path: Path) -> None:
    root, db = migrated_database(pg, tmp_path, "dottedviews", SCHEMA, ROWS)
    url = pg.url(db)
    assert live_findings(root, url) == []
    by_hand(pg, db, BY_HAND)
    # the hand-made objects alone, each named whole; sales' are at head
    made = [
        f'function "sales.touch"(): {EXTRA}',
        f'materialized view "sales.m": {EXTRA}',
        f'table "sales.x": {EXTRA}',
        f'trigger "sales.x".trg_x_touch: {EXTRA}',
        f'view "sales.v": {EXTRA}',
        f"function sales.touch(): {EXTRA}",
    ]
    assert sorted(live_findings(root, url)) == sorted(made)
    assert_text_findings(
        root,
        url,
        [('view "sales.v"', EXTRA, "undo that change")],
    )
    # the declared ones dropped or disabled: reported, whatever public's hold
    by_hand(
        pg,
        db,
        [
            "DROP VIEW sales.v",
            "DROP MATERIALIZED VIEW sales.m",
            "ALTER TABLE sales.x DISABLE TRIGGER trg_x_touch",
        ],
    )
    assert sorted(live_findings(root, url)) == sorted(
        [
            *made,
            "materialized view sales.m: missing from the database",
            "trigger sales.x.trg_x_touch: on sales.x is disabled (DISABLE TRIGGER): it "
            "never fires; the schema declares it enabled",
            "view sales.v: missing from the database",
        ]
    )
    # rows kept on both sides
    assert pg.sql('SELECT count(*) FROM public."sales.v"', db).strip() == "20"
    assert pg.sql('SELECT sales FROM public."sales.m"', db).strip() == "14"
    assert pg.sql("SELECT count(*) FROM sales.x", db).strip() == "30"
