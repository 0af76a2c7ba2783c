"""Bad functions, triggers and views: located errors, exit 2, nothing written.

Each case is a schema with one mistake PostgreSQL would reject later (or that
schemagen cannot order), and the exact located messages it gets.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fixtures.language.helpers import issues_of, schema_of, write_project
from schemagen.cli import main

TABLES = """
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text}
  Product:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store, on_delete: cascade}
      title: {type: text}
"""

TOUCH = """
functions:
  touch:
    returns: trigger
    body: "BEGIN RETURN NEW; END;"
"""

CASES: dict[str, tuple[str, list[str]]] = {
    "view_missing_table": (
        TABLES
        + """
views:
  Listing:
    sql: SELECT p.id FROM products p JOIN shops s ON s.id = p.store_id
    columns: {id: {type: bigint}}
""",
        [
            "schema/s.yaml:14:5: views.Listing.sql: reads table 'shops', which the schema "
            "does not have"
        ],
    ),
    # a table in another PostgreSQL schema is read by its qualified name, as
    # PostgreSQL resolves it; its columns are checked like any table's
    "view_table_in_another_schema": (
        TABLES.replace("  Product:\n", "  Product:\n    schema: sales\n")
        + """
views:
  Listing:
    sql: SELECT p.id, p.price FROM products p JOIN sales.stores s ON s.id = p.store_id
    columns: {id: {type: bigint}, price: {type: numeric}}
""",
        [
            "schema/s.yaml:15:5: views.Listing.sql: reads table 'products', which the schema "
            "does not have (did you mean 'sales.products'?)",
            "schema/s.yaml:15:5: views.Listing.sql: reads table 'sales.stores', which the "
            "schema does not have (did you mean 'stores'?)",
        ],
    ),
    "view_column_of_a_table_in_another_schema": (
        TABLES.replace("  Product:\n", "  Product:\n    schema: sales\n")
        + """
views:
  Listing:
    sql: SELECT p.id, p.price FROM sales.products p
    columns: {id: {type: bigint}, price: {type: numeric}}
""",
        [
            "schema/s.yaml:15:5: views.Listing.sql: reads p.price, but sales.products has no "
            "column 'price'"
        ],
    ),
    "view_missing_column": (
        TABLES
        + """
views:
  Listing:
    sql: SELECT p.id, s.title FROM products p JOIN stores s ON s.id = p.store_id
    columns: {id: {type: bigint}, title: {type: text}}
""",
        ["schema/s.yaml:14:5: views.Listing.sql: reads s.title, but stores has no column 'title'"],
    ),
    "view_missing_unqualified_column": (
        TABLES
        + """
views:
  Listing:
    sql: SELECT id, price FROM products
    columns: {id: {type: bigint}, price: {type: numeric}}
""",
        [
            "schema/s.yaml:14:5: views.Listing.sql: reads column 'price', which no table "
            "it reads has"
        ],
    ),
    "view_columns_differ": (
        TABLES
        + """
views:
  Listing:
    sql: SELECT id, title FROM products
    columns: {id: {type: bigint}, name: {type: text}}
""",
        [
            "schema/s.yaml:15:5: views.Listing.columns: declares columns id, name but the "
            "SQL selects id, title (same names, same order)"
        ],
    ),
    "view_sql_does_not_parse": (
        TABLES
        + """
views:
  Listing:
    sql: SELEC id FROM products
    columns: {id: {type: bigint}}
""",
        [
            "schema/s.yaml:14:5: views.Listing.sql: the SQL does not parse: syntax error "
            'at or near "SELEC", at index 0'
        ],
    ),
    "view_cycle": (
        TABLES
        + """
views:
  A:
    sql: SELECT id FROM b
    columns: {id: {type: bigint}}
  B:
    sql: SELECT id FROM a
    columns: {id: {type: bigint}}
""",
        ["schema/s.yaml:14:5: views.A.sql: views read each other in a cycle: a -> b -> a"],
    ),
    "matview_index_unknown_column": (
        TABLES
        + """
views:
  Totals:
    materialized: true
    sql: SELECT store_id, count(*) AS n FROM products GROUP BY store_id
    columns: {store_id: {type: bigint}, n: {type: bigint}}
    indexes:
      ux_totals: {columns: [store], unique: true}
""",
        [
            "schema/s.yaml:18:29: views.Totals.indexes.ux_totals.columns.0: unknown column "
            "'store' (did you mean 'store_id'?)"
        ],
    ),
    "trigger_missing_function": (
        TABLES.replace(
            "      title: {type: text}\n",
            "      title: {type: text}\n    triggers:\n"
            "      trg_touch: {function: tuch, events: [update]}\n",
        )
        + TOUCH,
        [
            "schema/s.yaml:12:19: entities.Product.triggers.trg_touch.function: unknown "
            "function 'tuch' (did you mean 'touch'?)"
        ],
    ),
    "trigger_function_not_trigger": (
        TABLES.replace(
            "      title: {type: text}\n",
            "      title: {type: text}\n    triggers:\n"
            "      trg_touch: {function: touch, events: [truncate]}\n",
        )
        + TOUCH.replace("returns: trigger", "returns: integer"),
        [
            "schema/s.yaml:12:19: entities.Product.triggers.trg_touch.function: function "
            "'touch' does not return trigger",
            "schema/s.yaml:12:36: entities.Product.triggers.trg_touch.events: TRUNCATE "
            "triggers must be for_each: statement",
        ],
    ),
    # PostgreSQL's rules for REFERENCING OLD/NEW TABLE, refused before a revision
    "trigger_transition_tables": (
        TABLES.replace(
            "      title: {type: text}\n",
            "      title: {type: text}\n    triggers:\n"
            "      trg_a: {function: touch, events: [delete], old_table: gone}\n"
            "      trg_b: {function: touch, timing: after, events: [insert, delete],"
            " for_each: statement, old_table: gone}\n"
            "      trg_c: {function: touch, timing: after, events: [insert], new_table: made,"
            " old_table: gone}\n"
            "      trg_d: {function: touch, timing: after, events: [update], new_table: rows,"
            " old_table: rows}\n",
        )
        + TOUCH,
        [
            "schema/s.yaml:12:50: entities.Product.triggers.trg_a.old_table: a transition "
            "table needs timing: after",
            "schema/s.yaml:13:94: entities.Product.triggers.trg_b.old_table: a transition "
            "table needs exactly one event",
            "schema/s.yaml:14:82: entities.Product.triggers.trg_c.old_table: old_table holds "
            "rows after update or delete only",
            "schema/s.yaml:15:65: entities.Product.triggers.trg_d.new_table: old_table and "
            "new_table must differ",
        ],
    ),
    "function_body_does_not_parse": (
        TABLES
        + """
functions:
  broken:
    returns: integer
    body: "BEGIN RETURN 1 END"
  twice:
    name: broken
    language: sql
    returns: integer
    body: SELECT 1
""",
        [
            "schema/s.yaml:15:5: functions.broken.body: the plpgsql body does not parse: "
            "syntax error at end of input",
            "schema/s.yaml:16:3: functions.twice: function broken() is declared twice: as "
            "broken and twice",
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_routine(tmp_path: Path, case: str) -> None:
    text, expected = CASES[case]
    assert issues_of(tmp_path, {"s.yaml": text}) == expected


def test_on_update_trigger_name_must_fit(tmp_path: Path) -> None:
    long_table = "t" * 50
    text = f"""
database: {{name: t, on_update_now: trigger}}
entities:
  Log:
    table: {long_table}
    columns:
      id: {{type: bigint, primary_key: true}}
      updated_at: {{type: timestamptz, default: now, on_update: now}}
"""
    assert issues_of(tmp_path, {"s.yaml": text}, database=False) == [
        f"schema/s.yaml:7:53: entities.Log.columns.updated_at.on_update: the trigger that keeps "
        f"it, trg_{long_table}_set_updated_at, is longer than 63 bytes"
    ]


def test_cli_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    write_project(tmp_path, {"s.yaml": CASES["view_missing_table"][0]})
    (tmp_path / "pyproject.toml").write_text("[tool.schemagen]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--project", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "views.Listing.sql: reads table 'shops'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "generated").exists()


def test_normalized_routines(tmp_path: Path) -> None:
    """Reads come from the SQL; overloads stay apart; on_update_now: trigger makes
    one function and one trigger per table with an ``on_update: now`` column."""
    schema = schema_of(
        tmp_path,
        {
            "s.yaml": """
database: {name: t, on_update_now: trigger}
mixins:
  ts: {columns: {updated_at: {type: timestamptz, default: now, on_update: now}}}
"""
            + TABLES.replace(
                "    columns:\n      id: {type: bigint, primary_key: true}\n      name",
                "    mixins: [ts]\n    columns:\n"
                "      id: {type: bigint, primary_key: true}\n      name",
            )
            + """
functions:
  f1: {name: f, language: sql, arguments: [integer], returns: integer, body: SELECT $1}
  f2: {name: f, language: sql, arguments: [text], returns: text, body: SELECT $1}
views:
  Zed:
    sql: SELECT l.id FROM listing l
    columns: {id: {type: bigint}}
  Listing:
    sql: SELECT p.id, s.name FROM products p JOIN stores s ON s.id = p.store_id
    columns: {id: {type: bigint}, name: {type: text}}
""",
        },
    )
    assert [fn.identity for fn in schema.functions] == [
        "f(integer)",
        "f(text)",
        "schemagen_set_updated_at()",
    ]
    assert [(t.table, t.name, t.function) for t in schema.triggers] == [
        ("stores", "trg_stores_set_updated_at", "schemagen_set_updated_at()")
    ]
    assert {v.view: v.reads for v in schema.views} == {
        "listing": ("products", "stores"),
        "zed": ("listing",),
    }
