"""``import`` reads a name holding a dot as one name: a table of the current schema
made by hand as ``public."sales.x"`` is no table ``x`` of a schema ``sales``.

The catalog keys it ``"sales.x"`` (quoted as PostgreSQL quotes it), apart from
``sales.x``; before, both were keyed ``sales.x``, and import wrote the table as an
entity of schema ``sales`` (``schema: sales``, ``table: x``), which validated, and
whose migration made a table that was not there."""

from __future__ import annotations

from pathlib import Path

import yaml
from adopt_harness import new_project
from migration_harness import schemagen
from pgcluster import PgCluster

TABLES_SQL = """
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
CREATE TABLE public."sales.x" (id bigint PRIMARY KEY, amount integer NOT NULL);
INSERT INTO notes SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' || g % 3 END
FROM generate_series(1, 30) g;
INSERT INTO public."sales.x" SELECT g, g % 7 FROM generate_series(1, 20) g;
"""

NO_DOTTED_VIEW = "the language names no view holding a dot or a double quote"
NO_DOTTED_FUNCTION = "the language names no function holding a dot or a double quote"


def _listed(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if "not expressible" in line]


def _documents(root: Path) -> dict[str, dict[str, object]]:
    merged: dict[str, dict[str, object]] = {}
    for path in sorted((root / "schema").rglob("*.yaml")):
        for key, value in (yaml.safe_load(path.read_text()) or {}).items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
    return merged


def test_a_table_named_with_a_dot_is_listed(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    pg.sql(TABLES_SQL, pg_db)
    root = new_project(tmp_path / "p")
    url = pg.url(pg_db)
    out = schemagen(root, "import", "--database", url, expect_exit=1)
    assert _listed(out) == [
        'not expressible: table "sales.x": the language needs letters, digits and _'
    ]
    assert not list((root / "schema").rglob("*.yaml"))
    schemagen(root, "import", "--allow-partial", "--database", url)
    schemagen(root, "validate")
    assert list(_documents(root)["entities"]) == ["Note"]


TYPES_SQL = """
CREATE SCHEMA "my.schema";
CREATE DOMAIN public."a.b" AS smallint;
CREATE TYPE public."c.d" AS ENUM ('x', 'y');
CREATE DOMAIN "my.schema"."my.type" AS smallint;
CREATE DOMAIN "my.schema".code AS smallint CHECK (VALUE > 0);
CREATE TYPE "my.schema".mood AS ENUM ('ok', 'bad');
CREATE DOMAIN small AS smallint;
CREATE TABLE items (id integer PRIMARY KEY);
CREATE TABLE holders (
  id integer PRIMARY KEY,
  ab "a.b",
  cd "c.d",
  mt "my.schema"."my.type",
  code "my.schema".code,
  mood "my.schema".mood,
  item small REFERENCES items
);
INSERT INTO items SELECT g FROM generate_series(1, 10) g;
INSERT INTO holders SELECT g, g % 3, CASE WHEN g % 2 = 0 THEN 'x' END::"c.d", NULLIF(g % 4, 0),
  g % 5 + 1, (ARRAY['ok', 'bad', NULL])[g % 3 + 1]::"my.schema".mood, g % 10 + 1
FROM generate_series(1, 40) g;
"""

NAME = "the language needs a name of letters, digits and _"
SCHEMA_NAME = "its schema my.schema: the language needs a schema name of letters, digits and _"


def test_a_type_named_with_a_dot_is_read_whole(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """Types whose name or schema holds a dot (``public."a.b"``, ``"my.schema"."my.type"``,
    ``"my.schema".code``, as ``format_type`` prints them) are read as one name each:
    the language can name none, so each is listed with its columns, and nothing is
    written for them. Before, the type text and the catalog's keys were split at every
    dot: ``public."a.b"`` was written as a domain ``b`` of a schema ``a`` that does not
    exist, ``"c.d"`` as an enum of a schema ``c``, ``"my.schema".mood`` as an enum
    ``schema.mood`` of a schema ``my``. The domain ``small`` (over smallint) is written,
    and so is the key its column holds to an integer key."""
    pg.sql(TYPES_SQL, pg_db)
    root = new_project(tmp_path / "p")
    url = pg.url(pg_db)
    out = schemagen(root, "import", "--database", url, expect_exit=1)
    assert _listed(out) == [
        f'not expressible: domain "a.b": {NAME}',
        f'not expressible: domain "my.schema"."my.type": {NAME}',
        f'not expressible: domain "my.schema".code: {SCHEMA_NAME}',
        f'not expressible: enum "c.d": {NAME}',
        f'not expressible: enum "my.schema".mood: {SCHEMA_NAME}',
        'not expressible: type "a.b": of column holders.ab',
        'not expressible: type "c.d": of column holders.cd',
        'not expressible: type "my.schema"."my.type": of column holders.mt',
        'not expressible: type "my.schema".code: of column holders.code',
        'not expressible: type "my.schema".mood: of column holders.mood',
    ]
    schemagen(root, "import", "--allow-partial", "--database", url)
    schemagen(root, "validate")
    docs = _documents(root)
    assert docs["domains"] == {"small": {"type": "smallint"}}
    assert "enums" not in docs or not docs["enums"]
    holder = docs["entities"]["Holder"]
    assert isinstance(holder, dict)
    assert holder["columns"] == {
        "id": {"type": "integer", "primary_key": True, "identity": False},
        "item": {"type": "small", "nullable": True, "references": "Item"},
    }


PARTITIONS_SQL = """
CREATE SCHEMA archive;
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
CREATE TABLE events (id integer, kind text, PRIMARY KEY (id, kind)) PARTITION BY RANGE (id);
CREATE TABLE events_new PARTITION OF events FOR VALUES FROM (0) TO (1000);
CREATE TABLE public."events.old" PARTITION OF events FOR VALUES FROM (-1000) TO (0);
CREATE TABLE logs (id integer PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE logs_new PARTITION OF logs FOR VALUES FROM (0) TO (1000);
CREATE TABLE archive.logs_old PARTITION OF logs FOR VALUES FROM (-1000) TO (0);
INSERT INTO notes SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' || g % 3 END
FROM generate_series(1, 30) g;
INSERT INTO events SELECT g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END
FROM generate_series(-999, 999, 3) g;
INSERT INTO logs SELECT g FROM generate_series(-999, 999, 4) g;
"""


def test_a_partition_named_with_a_dot_is_of_its_table_s_schema(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """A partition of its table's schema whose name holds a dot (``public."events.old"``)
    is listed for its name, not as one in another schema: the tree names it
    ``"events.old"`` (quoted as a key's part), apart from ``archive.logs_old``, a
    partition in another schema than its table. Before, both were named with a bare
    dot, and ``events.old`` was said to be in another PostgreSQL schema."""
    pg.sql(PARTITIONS_SQL, pg_db)
    root = new_project(tmp_path / "p")
    url = pg.url(pg_db)
    out = schemagen(root, "import", "--database", url, expect_exit=1)
    assert _listed(out) == [
        'not expressible: partitioned table events: partition "events.old": the language '
        "needs letters, digits and _",
        "not expressible: partitioned table logs: partition archive.logs_old is in another "
        "PostgreSQL schema than its table",
    ]
    assert not list((root / "schema").rglob("*.yaml"))
    schemagen(root, "import", "--allow-partial", "--database", url)
    schemagen(root, "validate")
    assert list(_documents(root)["entities"]) == ["Note"]
    assert pg.sql('SELECT count(*) FROM public."events.old"', pg_db).strip() == "333"


VIEWS_SQL = """
CREATE SCHEMA sales;
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
CREATE TABLE sales.orders (id bigint PRIMARY KEY, amount integer);
CREATE VIEW sales.v AS SELECT id, amount FROM sales.orders;
CREATE VIEW public."sales.v" AS SELECT id, body FROM notes;
CREATE MATERIALIZED VIEW public."sales.m" AS SELECT count(body) AS bodies FROM notes;
CREATE VIEW bodies AS SELECT id, body FROM notes WHERE body IS NOT NULL;
INSERT INTO notes SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' || g % 3 END
FROM generate_series(1, 30) g;
INSERT INTO sales.orders SELECT g, NULLIF(g % 5, 0) FROM generate_series(1, 25) g;
"""


def test_a_view_named_with_a_dot_is_listed(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    """A view (or materialized view) of the current schema made as ``public."sales.v"``
    is keyed ``"sales.v"`` and listed: the language cannot name it. Before, import
    wrote it as a view ``view: sales.v``, which validated and whose migration made a
    view ``v`` of schema ``sales`` over public's notes, a view that was not there (and
    one schema sales has of that name)."""
    pg.sql(VIEWS_SQL, pg_db)
    root = new_project(tmp_path / "p")
    url = pg.url(pg_db)
    out = schemagen(root, "import", "--database", url, expect_exit=1)
    assert _listed(out) == [
        'not expressible: materialized view "sales.m": ' + NO_DOTTED_VIEW,
        'not expressible: view "sales.v": ' + NO_DOTTED_VIEW,
    ]
    assert not list((root / "schema").rglob("*.yaml"))
    schemagen(root, "import", "--allow-partial", "--database", url)
    schemagen(root, "validate")
    docs = _documents(root)
    assert list(docs["entities"]) == ["Note"]
    assert list(docs["views"]) == ["Bodies"]
    assert pg.sql('SELECT count(*) FROM public."sales.v"', pg_db).strip() == "30"


FUNCTIONS_SQL = """
CREATE TABLE notes (id bigint PRIMARY KEY, body text);
CREATE FUNCTION public."audit.touch"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.body := upper(NEW.body);
  RETURN NEW;
END;
$$;
CREATE FUNCTION public."a""b"() RETURNS integer LANGUAGE sql AS $$SELECT 1$$;
CREATE FUNCTION twice(integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$SELECT $1 * 2$$;
CREATE TRIGGER trg_notes_touch BEFORE INSERT ON notes
  FOR EACH ROW EXECUTE FUNCTION public."audit.touch"();
INSERT INTO notes SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' || g % 3 END
FROM generate_series(1, 30) g;
"""


def test_a_function_named_with_a_dot_is_listed(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    """A function of the default schema made as ``public."audit.touch"()`` (or
    ``"a""b"()``) is listed, with the trigger that calls it: a key ``audit.touch`` is
    touch of schema audit (docs/schema-language.md), and ``a"b`` no name the language
    takes. Before, import wrote both as keys: the first validated and its migration
    made audit.touch(), a function that was not there, in a schema that was not."""
    pg.sql(FUNCTIONS_SQL, pg_db)
    root = new_project(tmp_path / "p")
    url = pg.url(pg_db)
    out = schemagen(root, "import", "--database", url, expect_exit=1)
    assert _listed(out) == [
        'not expressible: function "a""b"(): ' + NO_DOTTED_FUNCTION,
        'not expressible: function "audit.touch"(): ' + NO_DOTTED_FUNCTION,
        "not expressible: trigger trg_notes_touch on notes: arguments, UPDATE OF, "
        "constraint, INSTEAD OF or a function not imported",
    ]
    schemagen(root, "import", "--allow-partial", "--database", url)
    schemagen(root, "validate")
    docs = _documents(root)
    assert list(docs["functions"]) == ["twice"]
    assert pg.sql("SELECT count(*), count(DISTINCT body) FROM notes", pg_db) == "30|3\n"
