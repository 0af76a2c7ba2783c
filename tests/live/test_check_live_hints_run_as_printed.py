"""Every statement ``check --database`` prints as a hint runs as printed in a session
whose search_path finds none of the project's objects (``SET search_path =
pg_catalog``), and repairs what it names: each names its table, view, function,
index or statistics object with its PostgreSQL schema, the current schema's too
(``public.notes``), quoted where PostgreSQL needs quotes (``sales."order"``).
Before, the hints of a table of the current schema named it bare (``COMMENT ON
TABLE "Notes"``, ``ALTER TABLE "Notes" REPLICA IDENTITY FULL``, ``DROP RULE ... ON
"Notes"``...), which such a session refuses (relation does not exist) or, with
another schema first on its path, applies to another table of the same name.

And a description holding a character Python's ``splitlines`` breaks at (NEL,
U+2028, U+2029, a carriage return) is printed in an ``E''`` literal that spells it
as an escape: the text report printed such a hint split across its ``->`` lines,
a statement no one could run, nor set the exact text with. So is one holding a
backtick, which ended the hint's statement early; and a description longer than 120
characters, or holding a newline, is set whole: its hint was ``IS '...'``, which runs,
and sets the comment to three dots.

The text report shows each of those statements as the JSON report has it: it used to
show a database finding's own hint only for a list of kinds (findings.UNDECLARABLE's
prefixes and a few messages), and left out, among others, the replica identity, row
security, column settings, trigger, extension and view index statements.

A partition made partitioned by hand gets the DETACH and ATTACH PARTITION that make it
plain again, with its bound as the database prints it: a text value holding a newline,
a line separator or a backtick is written in an ``E''`` literal, so that the text
report no longer splits the ATTACH across its lines (nor leaves out the lines of a
second hint that a first one printed already) and it runs as printed.

An object made by hand whose name holds a dot is named whole: extended statistics
``public."sales.orders_stats"`` was named ``sales.orders_stats``, another schema's object,
which its hint then dropped; an INVALID index ``"x.notes_code"``, ``x.notes_code``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from live_check import run_as_printed
from migration_harness import by_hand, create_roles, json_findings, migrated_database
from pgcluster import PgCluster
from schemagen.cli import main as schemagen_main
from schemagen.model.sqltext import sql_string

SCHEMA = """
database: {name: hintrun, extensions: [uuid-ossp, adminpack]}
entities:
  Note:
    table: Notes
    description: Notes kept.
    row_level_security: true
    replica_identity: full
    columns:
      id: {type: bigint, primary_key: true}
      user: {type: text, nullable: true, description: Who wrote it., statistics: 400}
      code: {type: text, nullable: true, storage: external}
      kind: {type: text, nullable: true}
    indexes:
      ix_notes_code: {columns: [code]}
    policies:
      Readers: {command: select, roles: [hint_reader], using: "true", description: Read all.}
    triggers:
      trg_notes_code:
        function: tidy_code
        events: [insert, update]
        description: Trims the code.
  Entry:
    table: Entries
    primary_key: [id, kind]
    columns:
      id: {type: bigint, primary_key: true}
      kind: {type: text, primary_key: true}
      memo: {type: text, nullable: true}
    partition_by: {list: [kind]}
    partitions:
      Entries_a: {in: [a]}
      Entries_b: {in: [b]}
      Entries_rest: {default: true}
  Order:
    schema: sales
    table: order
    description: Orders taken.
    row_level_security: force
    primary_key: [id, kind]
    columns:
      id: {type: bigint, primary_key: true}
      kind: {type: text, primary_key: true}
      user: {type: text, nullable: true, description: Who ordered.}
      code: {type: text, nullable: true}
    indexes:
      ix_order_code: {columns: [code]}
    policies:
      Buyers: {command: select, roles: [hint_reader], using: "true", description: Buy.}
    partition_by: {list: [kind]}
    partitions:
      order_a: {in: [a]}
      order_b: {in: [b]}
      order_rest: {default: true}
  Buyer:
    schema: sales
    table: Buyers
    columns:
      id: {type: bigint, primary_key: true}
      code: {type: text, nullable: true}
    triggers:
      trg_buyers_code:
        function: sales.tidy_order_code
        events: [insert]
        description: Trims the buyer's code.
functions:
  tidy_code:
    returns: trigger
    description: Trims a code.
    body: |
      BEGIN
        NEW.code := btrim(NEW.code);
        RETURN NEW;
      END;
  sales.tidy_order_code:
    returns: trigger
    description: Trims an order's code.
    body: |
      BEGIN
        NEW.code := btrim(NEW.code);
        RETURN NEW;
      END;
views:
  NoteCodes:
    view: NoteCodes
    description: Codes of notes.
    sql: 'SELECT id, code FROM "Notes" WHERE code IS NOT NULL'
    columns: {id: {type: bigint}, code: {type: text}}
  OrderCodes:
    schema: sales
    view: OrderCodes
    materialized: true
    description: Codes ordered.
    sql: 'SELECT code, count(*) AS orders FROM sales."order" GROUP BY code'
    columns: {code: {type: text}, orders: {type: bigint}}
    indexes:
      ix_order_codes: {columns: [code]}
      ix_order_codes_orders: {columns: [orders]}
"""

ROWS = (
    # NULLs and duplicates in every column the drift touches
    'INSERT INTO "Notes" SELECT n, CASE WHEN n % 4 = 0 THEN NULL ELSE \'u\' || n % 3 END, '
    "CASE WHEN n % 5 = 0 THEN NULL ELSE ' c' || n % 7 END, NULLIF(n % 2, 0)::text "
    "FROM generate_series(1, 80) n;"
    'INSERT INTO "Entries" SELECT n, CASE WHEN n % 2 = 0 THEN \'a\' ELSE \'b\' END, '
    "CASE WHEN n % 3 = 0 THEN NULL ELSE 'm' END FROM generate_series(1, 40) n;"
    'INSERT INTO sales."order" SELECT n, CASE WHEN n % 2 = 0 THEN \'a\' ELSE \'b\' END, '
    "NULLIF('u' || n % 3, 'u0'), CASE WHEN n % 6 = 0 THEN NULL ELSE 'c' || n % 4 END "
    "FROM generate_series(1, 60) n;"
    'INSERT INTO sales."Buyers" SELECT n, NULLIF(n % 3, 0)::text FROM generate_series(1, 20) n;'
    'REFRESH MATERIALIZED VIEW sales."OrderCodes"'
)

# A second session's changes behind schemagen's back, in the current schema and in
# Sales, each of a kind whose hint is a statement
BEHIND = (
    'COMMENT ON TABLE "Notes" IS \'Changed.\'',
    'COMMENT ON TABLE sales."order" IS NULL',
    'COMMENT ON COLUMN "Notes"."user" IS NULL',
    'COMMENT ON COLUMN sales."order"."user" IS \'Changed.\'',
    'COMMENT ON POLICY "Readers" ON "Notes" IS NULL',
    'COMMENT ON POLICY "Buyers" ON sales."order" IS \'Changed.\'',
    'COMMENT ON VIEW "NoteCodes" IS NULL',
    'COMMENT ON MATERIALIZED VIEW sales."OrderCodes" IS \'Changed.\'',
    "COMMENT ON FUNCTION tidy_code() IS NULL",
    'COMMENT ON FUNCTION sales.tidy_order_code() IS \'Changed.\'',
    'COMMENT ON TRIGGER trg_notes_code ON "Notes" IS NULL',
    'COMMENT ON TRIGGER trg_buyers_code ON sales."Buyers" IS \'Changed.\'',
    'COMMENT ON COLUMN "NoteCodes".code IS \'By hand.\'',
    'COMMENT ON COLUMN sales."OrderCodes".orders IS \'By hand.\'',
    'ALTER TABLE "Notes" DISABLE TRIGGER trg_notes_code',
    'ALTER TABLE sales."Buyers" DISABLE TRIGGER trg_buyers_code',
    'ALTER TABLE "Notes" REPLICA IDENTITY DEFAULT',
    'ALTER TABLE sales."order" REPLICA IDENTITY FULL',
    'ALTER TABLE "Entries_a" REPLICA IDENTITY FULL',
    'ALTER TABLE sales.order_a REPLICA IDENTITY FULL',
    'ALTER TABLE "Notes" DISABLE ROW LEVEL SECURITY',
    'ALTER TABLE sales."order" NO FORCE ROW LEVEL SECURITY',
    'ALTER TABLE "Notes" ALTER COLUMN "user" SET STATISTICS 50',
    'ALTER TABLE "Notes" ALTER COLUMN code SET STORAGE MAIN',
    'ALTER TABLE sales."order" ALTER COLUMN code SET STATISTICS 700',
    'ALTER TABLE "Entries_a" ALTER COLUMN memo SET STORAGE MAIN',
    'ALTER TABLE sales.order_a ALTER COLUMN "user" SET STATISTICS 900',
    'ALTER TABLE "Notes" CLUSTER ON ix_notes_code',
    'ALTER TABLE sales.order_a CLUSTER ON order_a_code_idx',
    'ALTER MATERIALIZED VIEW sales."OrderCodes" CLUSTER ON ix_order_codes',
    'CREATE RULE "Skip" AS ON DELETE TO "Notes" DO INSTEAD NOTHING',
    'CREATE RULE skip_orders AS ON DELETE TO sales.order_rest DO INSTEAD NOTHING',
    'CREATE RULE "Refuse" AS ON INSERT TO "NoteCodes" DO INSTEAD NOTHING',
    'CREATE STATISTICS "Notes_stats" ON "user", code FROM "Notes"',
    'CREATE STATISTICS sales.order_stats ON "user", code FROM sales."order"',
    'CREATE STATISTICS sales."Codes_stats" ON code, orders FROM sales."OrderCodes"',
    'DROP INDEX sales.ix_order_codes_orders',
    'CREATE INDEX ix_order_codes_orders ON sales."OrderCodes" (orders DESC)',
    'DROP EXTENSION "uuid-ossp"',
    "DROP EXTENSION adminpack",
)

#: Each kind of statement the drift asks, as a pattern, in the current schema and in
#: sales ({s}: the schema's name and dot).
KINDS = tuple(
    kind.format(s=schema)
    for kind in (
        r"COMMENT ON TABLE {s}",
        r"COMMENT ON COLUMN {s}",
        r"COMMENT ON POLICY \S+ ON {s}",
        r"COMMENT ON FUNCTION {s}",
        r"COMMENT ON TRIGGER \S+ ON {s}",
        r"DROP RULE \S+ ON {s}",
        r"DROP STATISTICS {s}",
        r"ALTER TABLE {s}\S+ DETACH PARTITION {s}",
        r"ALTER TABLE {s}\S+ ATTACH PARTITION {s}",
        r"ALTER TABLE {s}\S+ ENABLE TRIGGER ",
        r"ALTER TABLE {s}\S+ REPLICA IDENTITY ",
        r"ALTER TABLE {s}\S+ ALTER COLUMN ",
        r"ALTER TABLE {s}\S+ SET WITHOUT CLUSTER",
        r"ALTER TABLE {s}\S+ (?:ENABLE|FORCE) ROW LEVEL SECURITY",
    )
    for schema in (r"public\.", r"sales\.")
) + (
    r"COMMENT ON VIEW public\.",
    r"COMMENT ON MATERIALIZED VIEW sales\.",
    r"ALTER MATERIALIZED VIEW sales\.\S+ SET WITHOUT CLUSTER",
    r"DROP INDEX sales\.",
    # where migrations make it: the current schema, not the session's first (pg_catalog)
    r'CREATE EXTENSION "uuid-ossp" SCHEMA public$',
    # one whose control file binds it to a schema: that one (another, PostgreSQL refuses)
    r"CREATE EXTENSION adminpack SCHEMA pg_catalog$",
)

# partitions made partitioned by hand: what a hint's DETACH then ATTACH undo
REPARTITIONED = (
    ('"Entries_b"', '"Entries"', "kind", "FOR VALUES IN ('b')"),
    ('sales.order_b', 'sales."order"', "kind", "FOR VALUES IN ('b')"),
)

#: A statement in a hint: between backticks (a trigger's ENABLE is the whole hint).
STATEMENT = re.compile(r"`([^`]+)`")
#: What a statement names after its keyword, and a name qualified by its schema.
NAMED = re.compile(
    r"\b(?:TABLE|VIEW|INDEX|(?<!SET )STATISTICS|FUNCTION|PARTITION|(?<!ALTER )COLUMN"
    r"|(?:RULE|POLICY|TRIGGER) \S+ ON) (\S+)"
)
QUALIFIED = re.compile(r'(?:"[^"]+"|[a-z_]+)\.(?:"[^"]+"|[a-z_]+)')


def _statements(hint: str) -> list[str]:
    if hint.startswith("ALTER TABLE "):
        return [hint]
    return [s for s in STATEMENT.findall(hint) if not s.startswith("alembic ")]


def _repartition(pg: PgCluster, name: str) -> None:
    """Make each partition of REPARTITIONED a partitioned table of one default partition,
    holding its rows."""
    steps = []
    for part, parent, key, bound in REPARTITIONED:
        plain = part.replace('"Entries_b"', '"Entries_b_old"').replace("order_b", "order_b_old")
        steps += [
            f"ALTER TABLE {parent} DETACH PARTITION {part}",
            f"ALTER TABLE {part} RENAME TO {plain.rpartition('.')[2]}",
            f"CREATE TABLE {part} (LIKE {plain} INCLUDING ALL) PARTITION BY LIST ({key})",
            f"ALTER TABLE {part} ATTACH PARTITION {plain} DEFAULT",
            f"ALTER TABLE {parent} ATTACH PARTITION {part} {bound}",
        ]
    by_hand(pg, name, steps)


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    create_roles(pg, ["hint_reader"])
    return migrated_database(pg, tmp_path, "hintrun", SCHEMA, ROWS)


def _text_statements(root: Path, url: str) -> set[str]:
    """The statements of the hints of ``check --database``'s text report."""
    text = CliRunner().invoke(
        schemagen_main, ["check", "--project", str(root), "--database", url]
    ).output
    lines = [line.removeprefix("  -> ") for line in text.splitlines() if line.startswith("  -> ")]
    return {s for line in lines for s in _statements(line)}


def _counts(pg: PgCluster, name: str) -> list[str]:
    return pg.sql(
        'SELECT count(*) FROM "Notes" UNION ALL SELECT count(*) FROM "Entries" '
        'UNION ALL SELECT count(*) FROM sales."order"',
        name,
    ).split()


def test_every_hint_runs_as_printed_outside_the_search_path(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    url = pg.url(name)
    assert json_findings(root, url) == []
    counts = _counts(pg, name)
    assert counts == ["80", "40", "60"]
    by_hand(pg, name, BEHIND)
    _repartition(pg, name)
    findings = json_findings(root, url)
    statements = [(f["object"], s) for f in findings for s in _statements(f["hint"])]
    # the text report shows each of them, whole on one of its lines, as the JSON has it
    shown = _text_statements(root, url)
    assert [s for _, s in statements if s not in shown] == [], "\n".join(
        s for _, s in statements if s not in shown
    )
    # every finding's hint says a statement that repairs it
    assert {f["object"] for f in findings} == {o for o, _ in statements}, findings
    for kind in KINDS:  # every kind of hint, for each schema
        assert any(re.match(kind, s) for _, s in statements), kind
    # each names its schema: the current one's objects by public
    for _, statement in statements:
        for named in NAMED.finditer(statement):
            assert QUALIFIED.match(named.group(1)), statement
    assert ("table Notes", "COMMENT ON TABLE public.\"Notes\" IS 'Notes kept.'") in statements
    assert (
        "index ix_order_codes_orders on sales.OrderCodes",
        'DROP INDEX sales.ix_order_codes_orders',
    ) in statements
    # a partition made plain again last: the others' hints name its partitions
    for statement in sorted((s for _, s in statements), key=lambda s: " PARTITION " in s):
        if statement.startswith("DROP INDEX "):
            run_as_printed(pg, name, statement)
            by_hand(pg, name, ['CREATE INDEX ix_order_codes_orders ON sales."OrderCodes" (orders)'])
        elif " DETACH PARTITION " in statement:
            run_as_printed(pg, name, statement)
            part = statement.rpartition(" ")[2]
            old = '"Entries_b_old"' if "Entries" in part else "sales.order_b_old"
            # the plain table holding its rows the hint asks for
            by_hand(
                pg,
                name,
                [
                    f"ALTER TABLE {part} DETACH PARTITION {old}",
                    f"DROP TABLE {part}",
                    f"ALTER TABLE {old} RENAME TO {part.rpartition('.')[2]}",
                ],
            )
        else:
            run_as_printed(pg, name, statement)
    assert json_findings(root, url) == []
    assert _counts(pg, name) == counts
    made = (
        "SELECT extname, extnamespace::regnamespace FROM pg_extension "
        "WHERE extname IN ('uuid-ossp', 'adminpack') ORDER BY 1"
    )
    assert pg.sql(made, name).split() == ["adminpack|pg_catalog", "uuid-ossp|public"]


BREAKS = "Line\x85next\u2028line\u2029para\rreturn \\ it's"

LINE_BREAK_SCHEMA = f"""
database: {{name: hintnel}}
entities:
  Note:
    description: "{BREAKS.encode('unicode_escape').decode()}"
    columns:
      id: {{type: bigint, primary_key: true}}
      body: {{type: text, nullable: true}}
"""


def test_a_comment_with_line_breaks_of_unicode_is_one_hint_that_sets_it(
    pg: PgCluster, tmp_path: Path
) -> None:
    root, name = migrated_database(
        pg, tmp_path, "hintnel", LINE_BREAK_SCHEMA,
        "INSERT INTO notes SELECT n, NULLIF(n % 3, 0)::text FROM generate_series(1, 30) n",
    )
    url = pg.url(name)
    assert _table_comment(pg, name) == BREAKS  # the migration wrote the exact text
    assert json_findings(root, url) == []
    by_hand(pg, name, ["COMMENT ON TABLE notes IS 'Changed.'"])
    text = CliRunner().invoke(
        schemagen_main, ["check", "--project", str(root), "--database", url]
    ).output
    hint = [line for line in text.splitlines() if "COMMENT ON TABLE" in line]
    assert len(hint) == 1, text
    statement = STATEMENT.findall(hint[0])[0]
    assert statement == (
        "COMMENT ON TABLE public.notes IS "
        "E'Line\\u0085next\\u2028line\\u2029para\\rreturn \\\\ it''s'"
    )
    run_as_printed(pg, name, statement)
    assert _table_comment(pg, name) == BREAKS
    assert json_findings(root, url) == []
    assert pg.sql("SELECT count(*), count(body) FROM notes", name).split() == ["30|20"]


def _table_comment(pg: PgCluster, name: str) -> str | None:
    with psycopg.connect(pg.libpq_url(name)) as conn:
        row = conn.execute("SELECT obj_description('notes'::regclass, 'pg_class')").fetchone()
    assert row is not None
    return None if row[0] is None else str(row[0])


#: Longer than any placeholder cut (the hint once said ``IS '...'`` past 120
#: characters, or with a newline), holding quotes, a backslash and a line break.
LONG = (
    "Ledger entries as the bank sends them: one row per movement, never edited; "
    "a correction is a new row that points at the one it corrects (it's the "
    "auditors' rule, see C:\\audit\\rules.md)."
)
MARKDOWN = "First paragraph.\n\n- a list item\n- another, with `code` and 'quotes'"

LONG_SCHEMA = f"""
database: {{name: hintlong}}
entities:
  Entry:
    description: "{LONG.encode('unicode_escape').decode()}"
    columns:
      id: {{type: bigint, primary_key: true}}
      memo:
        type: text
        nullable: true
        description: "{MARKDOWN.encode('unicode_escape').decode()}"
"""


def test_a_long_or_markdown_comment_is_a_hint_that_sets_it_exactly(
    pg: PgCluster, tmp_path: Path
) -> None:
    root, name = migrated_database(
        pg, tmp_path, "hintlong", LONG_SCHEMA,
        "INSERT INTO entries SELECT n, CASE WHEN n % 4 = 0 THEN NULL ELSE 'm' || n % 3 END "
        "FROM generate_series(1, 40) n",
    )
    url = pg.url(name)
    assert len(LONG) > 120
    assert _comments(pg, name) == (LONG, MARKDOWN)  # the migration wrote the exact texts
    assert json_findings(root, url) == []
    by_hand(
        pg,
        name,
        ["COMMENT ON TABLE entries IS 'Changed.'", "COMMENT ON COLUMN entries.memo IS NULL"],
    )
    text = CliRunner().invoke(
        schemagen_main, ["check", "--project", str(root), "--database", url]
    ).output
    hints = [line for line in text.splitlines() if "COMMENT ON" in line]
    assert len(hints) == 2, text
    statements = [STATEMENT.findall(hint)[0] for hint in hints]
    json_statements = [STATEMENT.findall(f["hint"])[0] for f in json_findings(root, url)]
    assert sorted(statements) == sorted(json_statements)
    for statement in statements:
        run_as_printed(pg, name, statement)
    assert _comments(pg, name) == (LONG, MARKDOWN)
    assert json_findings(root, url) == []
    assert pg.sql("SELECT count(*), count(memo) FROM entries", name).split() == ["40|30"]


def _comments(pg: PgCluster, name: str) -> tuple[str | None, str | None]:
    with psycopg.connect(pg.libpq_url(name)) as conn:
        row = conn.execute(
            "SELECT obj_description('entries'::regclass, 'pg_class'), "
            "col_description('entries'::regclass, 2)"
        ).fetchone()
    assert row is not None
    return row[0], row[1]


#: Text bounds PostgreSQL prints as written: a quote, a newline, a line separator, a
#: backtick (which ends a hint's statement), and enough values to make a long line.
ODD = ["it's", "line\nbreak", "a\u2028b", "x`y", *(f"v{n:03}" for n in range(40))]
CUT = "o'\nx"

BOUNDS_SCHEMA = """
database: {{name: hintbound}}
entities:
  Tag:
    primary_key: [id, label]
    columns:
      id: {{type: bigint, primary_key: true}}
      label: {{type: text, primary_key: true}}
      note: {{type: text, nullable: true}}
    partition_by: {{list: [label]}}
    partitions:
      tags_odd: {{in: {odd}}}
      tags_rest: {{default: true}}
  Reading:
    primary_key: [id, taken_on, site]
    columns:
      id: {{type: bigint, primary_key: true}}
      taken_on: {{type: date, primary_key: true}}
      site: {{type: text, primary_key: true}}
    partition_by: {{range: [taken_on, site]}}
    partitions:
      readings_old: {{from: [MINVALUE, MINVALUE], to: [2026-01-01, {cut}]}}
      readings_new:
        from: [2026-01-01, {cut}]
        to: [MAXVALUE, MAXVALUE]
        partition_by: {{list: [site]}}
        partitions:
          readings_new_odd: {{in: {odd}}}
          readings_new_rest: {{default: true}}
""".format(odd=json.dumps(ODD), cut=json.dumps(CUT))

BOUNDS_ROWS = (
    "INSERT INTO tags SELECT n, ({odd})[1 + n % 44], NULLIF(n % 3, 0)::text "
    "FROM generate_series(1, 200) n;"
    "INSERT INTO tags SELECT n, 'other' || n % 5, NULL FROM generate_series(1, 50) n;"
    "INSERT INTO readings SELECT n, date '2025-12-30' + n % 5, ({odd})[1 + n % 44] "
    "FROM generate_series(1, 300) n"
).format(odd="ARRAY[" + ", ".join(sql_string(v) for v in ODD) + "]")

#: Partitions made partitioned by hand, holding their rows: (the partition, its parent).
BOUND_PARTS = (
    ("tags_odd", "tags"),
    ("readings_old", "readings"),
    ("readings_new_odd", "readings_new"),
)


def test_a_partition_bound_of_any_text_runs_as_printed(pg: PgCluster, tmp_path: Path) -> None:
    root, name = migrated_database(pg, tmp_path, "hintbound", BOUNDS_SCHEMA, BOUNDS_ROWS)
    url = pg.url(name)
    assert json_findings(root, url) == []
    counts = _bound_counts(pg, name)
    assert counts[:3] == ["250", "200", "300"] and int(counts[3]) > 0
    steps = []
    for part, parent in BOUND_PARTS:
        bound = pg.sql(
            f"SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = '{part}'", name
        )
        key = {"tags_odd": "label", "readings_old": "taken_on"}.get(part, "site")
        steps += [
            f"ALTER TABLE {parent} DETACH PARTITION {part}",
            f"ALTER TABLE {part} RENAME TO {part}_old",
            f"CREATE TABLE {part} (LIKE {part}_old INCLUDING ALL) PARTITION BY LIST ({key})",
            f"ALTER TABLE {part} ATTACH PARTITION {part}_old DEFAULT",
            f"ALTER TABLE {parent} ATTACH PARTITION {part} {bound}",
        ]
    by_hand(pg, name, steps)
    assert _bound_counts(pg, name) == counts
    text = CliRunner().invoke(
        schemagen_main, ["check", "--project", str(root), "--database", url]
    ).output
    # each statement whole on one line of the text report, run as printed there
    shown = _text_statements(root, url)
    for part, parent in BOUND_PARTS:
        detach = f"ALTER TABLE public.{parent} DETACH PARTITION public.{part}"
        assert detach in shown, text
        head = f"ALTER TABLE public.{parent} ATTACH PARTITION public.{part} FOR VALUES "
        attach = [s for s in shown if s.startswith(head)]
        assert len(attach) == 1, text
        run_as_printed(pg, name, detach)
        by_hand(
            pg,
            name,
            [
                f"ALTER TABLE {part} DETACH PARTITION {part}_old",
                f"DROP TABLE {part}",
                f"ALTER TABLE {part}_old RENAME TO {part}",
            ],
        )
        run_as_printed(pg, name, attach[0])
    assert json_findings(root, url) == []
    assert _bound_counts(pg, name) == counts


def _bound_counts(pg: PgCluster, name: str) -> list[str]:
    return pg.sql(
        "SELECT count(*) FROM tags UNION ALL SELECT count(*) FROM tags_odd "
        "UNION ALL SELECT count(*) FROM readings "
        "UNION ALL SELECT count(*) FROM readings_new_odd",
        name,
    ).split()


DOTTED_SCHEMA = """
database: {name: hintdot}
entities:
  Note:
    table: notes
    columns:
      id: {type: bigint, primary_key: true}
      code: {type: text, nullable: true}
      kind: {type: text, nullable: true}
  Order:
    schema: sales
    table: orders
    columns:
      id: {type: bigint, primary_key: true}
      code: {type: text, nullable: true}
      kind: {type: text, nullable: true}
  Entry:
    table: entries
    primary_key: [id, kind]
    columns:
      id: {type: bigint, primary_key: true}
      kind: {type: text, primary_key: true}
      memo: {type: text, nullable: true}
    partition_by: {list: [kind]}
    partitions:
      entries_a: {in: [a]}
"""

DOTTED_ROWS = (
    "INSERT INTO notes SELECT n, CASE WHEN n % 5 = 0 THEN NULL ELSE 'c' || n % 7 END, "
    "NULLIF(n % 3, 0)::text FROM generate_series(1, 70) n;"
    "INSERT INTO sales.orders SELECT n, NULLIF('c' || n % 4, 'c0'), NULLIF(n % 2, 0)::text "
    "FROM generate_series(1, 50) n;"
    "INSERT INTO entries SELECT n, 'a', NULLIF(n % 3, 0)::text FROM generate_series(1, 30) n"
)


def test_a_name_holding_a_dot_is_named_whole(pg: PgCluster, tmp_path: Path) -> None:
    """Objects made by hand in public with names that hold a dot, one of them the name
    of another schema's object: each hint names the object it is about, and no other."""
    root, name = migrated_database(pg, tmp_path, "hintdot", DOTTED_SCHEMA, DOTTED_ROWS)
    url = pg.url(name)
    assert json_findings(root, url) == []
    by_hand(
        pg,
        name,
        [
            'CREATE STATISTICS public."sales.orders_stats" ON code, kind FROM notes',
            "CREATE STATISTICS sales.orders_stats ON code, kind FROM sales.orders",
            'CREATE STATISTICS public."x.notes_stats" ON code, kind FROM notes',
        ],
    )
    with psycopg.connect(pg.libpq_url(name), autocommit=True) as conn:
        # the rows repeat codes: the unique build fails and leaves the index INVALID
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute('CREATE UNIQUE INDEX CONCURRENTLY "x.notes_code" ON notes (code)')
    shown = _text_statements(root, url)
    assert {s for f in json_findings(root, url) for s in _statements(f["hint"])} <= shown
    drops = sorted(s for s in shown if s.startswith("DROP STATISTICS"))
    assert drops == [
        'DROP STATISTICS public."sales.orders_stats"',
        'DROP STATISTICS public."x.notes_stats"',
        "DROP STATISTICS sales.orders_stats",
    ]
    for statement in drops:
        run_as_printed(pg, name, statement)
    hint = next(f["hint"] for f in json_findings(root, url) if "x.notes_code" in f["object"])
    drop = re.search(r"by hand: (DROP INDEX CONCURRENTLY \S+)\)", hint)
    assert drop is not None and drop.group(1) == 'DROP INDEX CONCURRENTLY public."x.notes_code"'
    run_as_printed(pg, name, drop.group(1))
    assert json_findings(root, url) == []
    counts = "SELECT (SELECT count(*) FROM notes), (SELECT count(*) FROM sales.orders)"
    assert pg.sql(counts, name).split() == ["70|50"]


def test_a_partition_named_with_a_dot_is_named_whole(pg: PgCluster, tmp_path: Path) -> None:
    """A partition made by hand whose name holds a dot, with a rule, statistics, a
    CLUSTER ON mark, a replica identity and a column's statistics target of its own:
    their hints name it whole (they named notes.archive: a table archive of a schema
    notes)."""
    root, name = migrated_database(pg, tmp_path, "hintdotpart", DOTTED_SCHEMA, DOTTED_ROWS)
    url = pg.url(name)
    assert json_findings(root, url) == []
    by_hand(
        pg,
        name,
        [
            'CREATE TABLE "notes.archive" PARTITION OF entries FOR VALUES IN (\'z\')',
            "INSERT INTO entries SELECT n, 'z', CASE WHEN n % 2 = 0 THEN NULL ELSE 'old' END "
            "FROM generate_series(1, 20) n",
            'CREATE RULE keep AS ON DELETE TO "notes.archive" DO INSTEAD NOTHING',
            'CREATE STATISTICS archive_stats ON id, memo FROM "notes.archive"',
            'ALTER TABLE "notes.archive" CLUSTER ON "notes.archive_pkey"',
            'ALTER TABLE "notes.archive" REPLICA IDENTITY FULL',
            'ALTER TABLE "notes.archive" ALTER COLUMN memo SET STATISTICS 300',
        ],
    )
    findings = json_findings(root, url)
    statements = sorted(s for f in findings for s in _statements(f["hint"]))
    assert set(statements) <= _text_statements(root, url)
    assert statements == [
        'ALTER TABLE public."notes.archive" ALTER COLUMN memo SET STATISTICS -1',
        'ALTER TABLE public."notes.archive" REPLICA IDENTITY DEFAULT',
        'ALTER TABLE public."notes.archive" SET WITHOUT CLUSTER',
        'DROP RULE keep ON public."notes.archive"',
        "DROP STATISTICS public.archive_stats",
    ], findings
    for statement in statements:
        run_as_printed(pg, name, statement)
    # what is left: the partition itself, which the schema does not declare
    left = [f["object"] for f in json_findings(root, url)]
    assert left == ['partition "notes.archive" on entries']
    assert pg.sql("SELECT count(*), count(memo) FROM entries", name).split() == ["50|30"]


def test_an_invalid_partial_index_is_finished_as_printed(pg: PgCluster, tmp_path: Path) -> None:
    """A partitioned index made ON ONLY its table by hand, whose predicate holds a
    newline and a backtick in a literal, is INVALID until each partition's copy is
    attached: the hint's CREATE INDEX of each copy is one line of the text report
    (it was split at the newline) and, run as printed with the ATTACH, makes it valid."""
    root, name = migrated_database(pg, tmp_path, "hintdotix", DOTTED_SCHEMA, DOTTED_ROWS)
    url = pg.url(name)
    by_hand(
        pg, name, ["CREATE INDEX entries_memo_idx ON ONLY entries (memo) WHERE memo <> E'x\\n`y'"]
    )
    findings = json_findings(root, url)
    hint = next(f["hint"] for f in findings if f["message"].startswith("is INVALID"))
    steps = [s for s in STATEMENT.findall(hint) if not s.startswith("alembic ")]
    assert [s.split(" ON ")[0] for s in steps] == [
        "CREATE INDEX CONCURRENTLY entries_a_entries_memo_idx",
        "ALTER INDEX public.entries_memo_idx ATTACH PARTITION public.entries_a_entries_memo_idx",
    ], hint
    assert set(steps) <= _text_statements(root, url)
    for statement in steps:
        run_as_printed(pg, name, statement)
    valid = "SELECT indisvalid FROM pg_index WHERE indexrelid = 'entries_memo_idx'::regclass"
    assert pg.sql(valid, name).strip() == "t"
    assert not any(f["message"].startswith("is INVALID") for f in json_findings(root, url))
    assert pg.sql("SELECT count(*), count(memo) FROM entries", name).split() == ["30|20"]


def test_a_table_named_with_a_dot_or_in_another_schema_is_named_whole(
    pg: PgCluster, tmp_path: Path
) -> None:
    """An INVALID index and a NOT VALID check on a table made by hand whose name holds a
    dot (public."x.notes", keyed x.notes), and on a table of another schema
    (sales.orders): their hints' DROP INDEX CONCURRENTLY and VALIDATE CONSTRAINT name
    that table's schema, not the text before the dot of its key. A schema x holding a
    table notes with an index and a NOT VALID check of the same names is there for a
    wrong hint to act on: the hints named x.notes_code_u and ALTER TABLE x.notes."""
    root, name = migrated_database(pg, tmp_path, "hintdottable", DOTTED_SCHEMA, DOTTED_ROWS)
    url = pg.url(name)
    by_hand(
        pg,
        name,
        [
            "CREATE SCHEMA x",
            "CREATE TABLE x.notes (id bigint PRIMARY KEY, code text)",
            "CREATE UNIQUE INDEX notes_code_u ON x.notes (code)",
            "ALTER TABLE x.notes ADD CONSTRAINT code_set CHECK (code IS NOT NULL) NOT VALID",
            'CREATE TABLE public."x.notes" (id bigint PRIMARY KEY, code text)',
            'INSERT INTO public."x.notes" SELECT n, CASE WHEN n % 6 = 0 THEN NULL '
            "ELSE 'c' || n % 9 END FROM generate_series(1, 40) n",
            'ALTER TABLE public."x.notes" ADD CONSTRAINT code_set CHECK (code IS NOT NULL) '
            "NOT VALID",
            "ALTER TABLE sales.orders ADD CONSTRAINT kind_set CHECK (kind IS NOT NULL) NOT VALID",
        ],
    )
    with psycopg.connect(pg.libpq_url(name), autocommit=True) as conn:
        # both tables' rows repeat codes: each build fails and leaves its index INVALID
        builds = (('public."x.notes"', "notes_code_u"), ("sales.orders", "orders_code_u"))
        for table, index in builds:
            with pytest.raises(psycopg.errors.UniqueViolation):
                conn.execute(f"CREATE UNIQUE INDEX CONCURRENTLY {index} ON {table} (code)")
    findings = json_findings(root, url)
    hints = " ".join(f["hint"] for f in findings)
    printed = re.findall(
        r"(DROP INDEX CONCURRENTLY \S+|ALTER TABLE \S+ VALIDATE CONSTRAINT \w+)\)", hints
    )
    assert sorted(printed) == [
        'ALTER TABLE public."x.notes" VALIDATE CONSTRAINT code_set',
        "ALTER TABLE sales.orders VALIDATE CONSTRAINT kind_set",
        "DROP INDEX CONCURRENTLY public.notes_code_u",
        "DROP INDEX CONCURRENTLY sales.orders_code_u",
    ], findings
    text = CliRunner().invoke(
        schemagen_main, ["check", "--project", str(root), "--database", url]
    ).output
    assert all(statement in text for statement in printed), text
    # the rows fixed as the hints say, then each statement run as printed
    by_hand(
        pg,
        name,
        [
            'UPDATE public."x.notes" SET code = \'none\' WHERE code IS NULL',
            "UPDATE sales.orders SET kind = 'k' WHERE kind IS NULL",
        ],
    )
    for statement in printed:
        run_as_printed(pg, name, statement)
    left = [f["message"] for f in json_findings(root, url)]
    assert not [m for m in left if m.startswith(("is INVALID", "is NOT VALID"))], left
    # x.notes, which the wrong hints named, is as it was
    untouched = (
        "SELECT (SELECT count(*) FROM pg_indexes WHERE schemaname = 'x' "
        "AND indexname = 'notes_code_u'), (SELECT convalidated FROM pg_constraint "
        "WHERE conrelid = 'x.notes'::regclass AND conname = 'code_set')"
    )
    assert pg.sql(untouched, name).split() == ["1|f"]
    counts = (
        'SELECT (SELECT count(*) FROM public."x.notes"), (SELECT count(*) FROM sales.orders), '
        "(SELECT count(*) FROM notes)"
    )
    assert pg.sql(counts, name).split() == ["40|50|70"]
