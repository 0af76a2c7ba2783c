"""Let PostgreSQL print expressions its own way, in a fixed number of statements.

A default, check or partial-index predicate reads differently once the server
stored it: ``'active'`` on an enum column becomes ``'active'::product_status``,
``price >= 0`` becomes ``price >= 0::numeric``. Rather than re-implement those
rules, the check asks the server: it attaches each expected expression to a
temporary table whose columns have the real table's types, and reads it back
with ``pg_get_expr``.

How that stays cheap at thousands of tables:

- Probes are deduplicated. A default prints the same for the same
  (type, expression); a check or predicate for the same expression over the
  same referenced columns with the same types. Two thousand tables that share
  ``amount >= 0`` on ``numeric(12,2)`` need one probe, not two thousand.
- Probes are packed into a few wide temporary tables (one per set of
  column names whose types agree, at most :data:`MAX_COLUMNS` columns each).
  A check whose column's name a table already holds with another type (the
  same ``state = 'active'`` over 200 enum types) joins it with that column
  renamed (:func:`renamed`), and the server gives the name back as it prints
  names (``quote_ident``): one probe table, not 200.
- One PL/pgSQL function, created in ``pg_temp``, runs every probe in the
  server and returns what it printed: two statements, however many tables.
  Each probe runs in its own subtransaction that is always rolled back, so no
  temporary table or lock outlives it; a wide table the server refuses (one
  expression that does not parse) is retried one expression at a time, and an
  expression still refused keeps its text, so it shows up as a difference.

Nothing here touches the real tables: no lock is taken on them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import psycopg

from ..model.naming import SQL_KEYWORDS
from ..model.schema import quote_name
from . import policy_names
from .policy_names import TOKEN

#: Columns per probe table; PostgreSQL's limit is 1,600.
MAX_COLUMNS = 1000

#: A probe table takes a check with renamed columns (:meth:`_Table.add_renamed`) while
#: it is narrower than this. At 2,000 tables, the 200 checks ``state = 'active'`` (200
#: enum types) put in the table of the 400 defaults cost the server more than 200
#: tables of their own (0.13 against 0.11 s of CPU); in tables of 32 to 128 columns,
#: 0.07 s (cold sessions, medians of 10).
RENAMED_INTO = 64

_PROBE = "schemagen_probe"
#: How the server names the probe table in what it prints (a sub-select's outer column).
PROBE_TABLE = _PROBE


def as_on(printed: str, table: str) -> str:
    """A policy expression printed on the probe table as it prints on ``table`` (its
    bare name, quoted where PostgreSQL quotes it): a sub-select qualifies the
    columns of the policy's own table with the table's name."""
    return printed.replace(f"{_PROBE}.", f"{quote_name(table.rpartition('.')[2])}.")


def on_probe(expression: str, table: str) -> str:
    """A policy expression of ``table`` as it reads on the probe table (see
    :mod:`.policy_names`): a column it qualifies with the table's own name
    (``accounts.owner_id``, as users write them, and as :func:`as_on` gives back)
    qualified by the probe's instead, a sub-select's table that PostgreSQL renames
    when it prints the policy (``FROM accounts accounts_1``) so named."""
    return policy_names.on_probe(expression, table, _PROBE)


# Rolled back by the RAISE whether or not the DDL worked; the variable keeps the result.
_FUNCTIONS = """
CREATE FUNCTION pg_temp.schemagen_try(ddl jsonb) RETURNS jsonb LANGUAGE plpgsql AS $f$
DECLARE
  found jsonb;
  statement text;
BEGIN
  BEGIN
    FOR statement IN SELECT value FROM jsonb_array_elements_text(ddl) LOOP
      EXECUTE statement;
    END LOOP;
    -- static SQL: planned once per session, not once per probe table as EXECUTE was
    SELECT coalesce(jsonb_object_agg(n, e), '{}') INTO found FROM (
      SELECT a.attname::text AS n, pg_get_expr(d.adbin, d.adrelid) AS e
      FROM pg_attrdef d
      JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
      WHERE d.adrelid = to_regclass('pg_temp.schemagen_probe')
      UNION ALL
      SELECT conname::text, pg_get_expr(conbin, conrelid, true) FROM pg_constraint
      WHERE conrelid = to_regclass('pg_temp.schemagen_probe') AND contype = 'c'
      UNION ALL
      SELECT conname::text, pg_get_constraintdef(oid, true) FROM pg_constraint
      WHERE conrelid = to_regclass('pg_temp.schemagen_probe') AND contype = 'x'
      UNION ALL
      SELECT polname::text, pg_get_expr(polqual, polrelid) FROM pg_policy
      WHERE polrelid = to_regclass('pg_temp.schemagen_probe')
      UNION ALL
      SELECT c.relname::text, pg_get_indexdef(i.indexrelid, 1, true) FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = to_regclass('pg_temp.schemagen_probe')
        -- an exclusion constraint's own index has its name: the constraint prints
        AND NOT EXISTS (SELECT 1 FROM pg_constraint x WHERE x.conindid = i.indexrelid)) s;
    RAISE EXCEPTION 'schemagen probe done';
  EXCEPTION WHEN OTHERS THEN
    NULL;
  END;
  RETURN found;
END
$f$;
-- A column renamed on a probe table (new -> old) printed with its own name, quoted as
-- ruleutils quotes a column's name (quote_identifier, which quote_ident calls).
CREATE FUNCTION pg_temp.schemagen_named(printed text, names jsonb)
RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
  pair record;
BEGIN
  FOR pair IN SELECT key, value FROM jsonb_each_text(names) LOOP
    printed := replace(printed, quote_ident(pair.key), quote_ident(pair.value));
  END LOOP;
  RETURN printed;
END
$f$;
CREATE FUNCTION pg_temp.schemagen_print(probes jsonb)
RETURNS TABLE (name text, printed text) LANGUAGE plpgsql AS $f$
DECLARE
  probe jsonb;
  ddl jsonb;
  found jsonb;
BEGIN
  FOR probe IN SELECT value FROM jsonb_array_elements(probes) LOOP
    found := pg_temp.schemagen_try(probe -> 0);
    IF found IS NOT NULL THEN
      RETURN QUERY SELECT key, CASE WHEN probe -> 2 ? key
                                    THEN pg_temp.schemagen_named(value, probe -> 2 -> key)
                                    ELSE value END
                   FROM jsonb_each_text(found);
      CONTINUE;
    END IF;
    FOR ddl IN SELECT value FROM jsonb_array_elements(probe -> 1) LOOP
      found := pg_temp.schemagen_try(ddl);
      IF found IS NOT NULL THEN
        RETURN QUERY SELECT key, value FROM jsonb_each_text(found);
      END IF;
    END LOOP;
  END LOOP;
END
$f$
"""

_WORD = re.compile(r'"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_$]*)')


def referenced_words(expression: str) -> set[str]:
    """Every identifier the expression could name (a superset: words in strings too)."""
    words = set()
    for quoted, bare in _WORD.findall(expression):
        words.add(quoted.replace('""', '"') if quoted else bare.lower())
    return words


@dataclass(frozen=True)
class _Probe:
    """One expression to print: a default of ``type_``, a check over ``columns``,
    a generated column of ``type_`` over ``columns``, or an index key over them."""

    expression: str
    type_: str | None = None  # a default's or generated column's type
    columns: tuple[tuple[str, str], ...] = ()  # (name, type) the expression refers to
    # d: default, x: check, g: generated column, k: index key, e: exclusion, p: policy
    kind: str = "x"


@dataclass
class _Table:
    """A probe table under construction: consistent column types, some probes."""

    columns: dict[str, str] = field(default_factory=dict)
    probes: list[tuple[str, _Probe]] = field(default_factory=list)
    #: a check's text on this table where its columns were renamed (by alias), and
    #: the names the server gives back (alias -> new name -> old name)
    written: dict[str, str] = field(default_factory=dict)
    names: dict[str, dict[str, str]] = field(default_factory=dict)

    def width(self) -> int:
        """Its columns so far, about: the ones probes read, one per probe."""
        return len(self.columns) + len(self.probes)

    def has_room(self, probe: _Probe) -> bool:
        return self.width() + len(probe.columns) < MAX_COLUMNS

    def fits(self, probe: _Probe) -> bool:
        if not self.has_room(probe):
            return False
        return all(self.columns.get(name, type_) == type_ for name, type_ in probe.columns)

    def add(self, alias: str, probe: _Probe) -> None:
        self.columns.update(probe.columns)
        self.probes.append((alias, probe))

    def add_renamed(self, alias: str, probe: _Probe) -> bool:
        """Add the check ``probe`` (kind ``x``, no sub-select possible) with each of
        its columns that this table holds with another type under a new name; False,
        nothing added, where the text cannot surely be rewritten (:func:`renamed`)."""
        if probe.kind != "x" or self.width() >= RENAMED_INTO or not self.has_room(probe):
            return False
        clashing = {n for n, t in probe.columns if self.columns.get(n, t) != t}
        new: dict[str, str] = {}
        for name in sorted(clashing):
            number = len(self.columns) + len(new)
            while f"schemagen_c{number}_" in self.columns:
                number += 1
            new[name] = f"schemagen_c{number}_"
        text = renamed(probe.expression, new)
        if text is None or any("schemagen" in t.lower() for _, t in probe.columns):
            return False
        self.columns.update((new.get(n, n), t) for n, t in probe.columns)
        self.probes.append((alias, probe))
        self.written[alias] = text
        self.names[alias] = {to: name for name, to in new.items()}
        return True


class Printer:
    """Collect expressions, then have the server print them all at once."""

    def __init__(self) -> None:
        self._aliases: dict[_Probe, str] = {}
        # The 14,000 defaults of 2,000 tables are about 400 distinct (type, expression)
        # pairs, and their checks and predicates a few expressions: each default's key
        # and each expression's words are worked out once.
        self._defaults: dict[tuple[str, str], str] = {}
        self._words: dict[str, set[str]] = {}

    def default(self, type_: str, expression: str) -> str:
        """Register a column default; return the key its printed form will have."""
        key = self._defaults.get((type_, expression))
        if key is None:
            key = self._defaults[type_, expression] = self._alias(_Probe(expression, type_=type_))
        return key

    def check(self, expression: str, columns: dict[str, str]) -> str:
        """Register a check expression over a table with ``columns`` (name -> type)."""
        words = self._words.get(expression)
        if words is None:
            words = self._words[expression] = referenced_words(expression)
        used = tuple(sorted((name, columns[name]) for name in words & columns.keys()))
        return self._alias(_Probe(expression, columns=used))

    def generated(self, type_: str, expression: str, columns: dict[str, str]) -> str:
        """Register the expression of a ``GENERATED ALWAYS AS (...) STORED`` column."""
        used = _used(expression, columns)
        return self._alias(_Probe(expression, type_=type_, columns=used, kind="g"))

    def exclude(self, definition: str, columns: dict[str, str]) -> str:
        """Register an exclusion constraint (``EXCLUDE USING ...``); it prints as
        ``pg_get_constraintdef`` shows it."""
        return self._alias(_Probe(definition, columns=_used(definition, columns), kind="e"))

    def index_key(self, expression: str, columns: dict[str, str]) -> str:
        """Register an index's expression key; it prints as ``pg_get_indexdef`` shows it."""
        return self._alias(_Probe(expression, columns=_used(expression, columns), kind="k"))

    def policy(self, expression: str, columns: dict[str, str], table: str) -> str:
        """Register a policy's ``USING`` or ``WITH CHECK`` expression on ``table``; it
        prints as ``pg_get_expr`` of ``pg_policy`` shows it, a column of the table that
        a sub-select names qualified by :data:`PROBE_TABLE` (see :func:`as_on`)."""
        probed = on_probe(expression, table)
        return self._alias(_Probe(probed, columns=_used(probed, columns), kind="p"))

    def _alias(self, probe: _Probe) -> str:
        if probe not in self._aliases:
            kind = "d" if probe.type_ is not None and probe.kind == "x" else probe.kind
            self._aliases[probe] = f"schemagen_{kind}{len(self._aliases)}"
        return self._aliases[probe]

    def run(self, conn: psycopg.Connection[Any]) -> dict[str, str] | None:
        """Key -> printed text of every expression the server accepted and prints
        otherwise than written (the others read as written: ``0``, ``now()``, most
        defaults; so the caller copies only what changed); None when the server
        refuses to create the function (a read-only standby) or accepted nothing."""
        if not self._aliases:
            return {}
        probes = [
            [_ddl(table), [_ddl(_single(a, p)) for a, p in table.probes], table.names]
            for table in self._pack()
        ]
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute(_FUNCTIONS)
        except psycopg.errors.QueryCanceled:
            raise
        except psycopg.DatabaseError:
            return None
        with conn.cursor() as cur:
            cur.execute(
                "SELECT name, printed FROM pg_temp.schemagen_print(%s::jsonb)",
                (json.dumps(probes),),
            )
            printed = dict(cur.fetchall())
        if not printed:
            return None
        written = {alias: probe.expression for probe, alias in self._aliases.items()}
        return {alias: text for alias, text in printed.items() if text != written.get(alias)}

    def _pack(self) -> list[_Table]:
        tables: list[_Table] = []
        for probe, alias in sorted(self._aliases.items(), key=lambda item: item[1]):
            target = next((t for t in tables if t.fits(probe)), None)
            if target is None and any(t.add_renamed(alias, probe) for t in tables):
                continue
            if target is None:
                target = _Table()
                tables.append(target)
            target.add(alias, probe)
        return tables


def _used(expression: str, columns: dict[str, str]) -> tuple[tuple[str, str], ...]:
    words = referenced_words(expression)
    return tuple(sorted((n, t) for n, t in columns.items() if n in words))


def _single(alias: str, probe: _Probe) -> _Table:
    table = _Table()
    table.add(alias, probe)
    return table


#: Where a check's text is not rewritten: a dollar quote or parameter, a backslash
#: (an escape in a string), a Unicode-escaped name or string, a comment, a name of
#: this module's own.
_UNSURE = re.compile(r"[$\\&]|--|/\*|schemagen", re.IGNORECASE)
_NAME = re.compile(r'"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*')


def renamed(expression: str, names: dict[str, str]) -> str | None:
    """``expression`` with each column of ``names`` (old -> new) written with its new
    name, or None where that is not sure to mean the same but for the name.

    A name is renamed where it stands bare (any case) or quoted exactly, outside
    strings; not where it may be something else than a column of the table: a
    keyword standing bare (``user``, ``true``: PostgreSQL's reserved words and
    those that name a type or function, the ones :func:`quote_name` quotes), after
    ``.`` or ``::``, before ``.``, ``(``, ``=>`` or ``:=`` (None then). And where the
    old name is still among the text's words afterwards (:func:`referenced_words`:
    in a string, glued to a number), None too: a same-named column of another type
    on the probe table must never be what the text names. A name the text uses
    otherwise (a type, an ``EXTRACT`` field) then either fails, and each probe of the
    table is tried alone, or prints as the name given back: ``quote_ident``, which is
    how ruleutils prints a column's name and an XML element's."""
    if _UNSURE.search(expression):
        return None
    parts: list[str] = []
    for match in TOKEN.finditer(expression):
        token = match.group(0)
        if _NAME.fullmatch(token):
            bare = token[0] != '"'
            name = token.lower() if bare else token[1:-1].replace('""', '"')
            if name in names:
                if bare and name in SQL_KEYWORDS:
                    return None  # ``user``, ``true``: the keyword, not the column "user"
                before = expression[: match.start()].rstrip()
                after = expression[match.end() :].lstrip()
                if before.endswith((".", "::")) or after.startswith((".", "(", "=>", ":=")):
                    return None
                token = names[name]
        parts.append(token)
    text = "".join(parts)
    return None if referenced_words(text) & names.keys() else text


#: Probes made after the probe table, on it: a policy's USING, an index key.
_ON_PROBE = {"p": "CREATE POLICY {} ON {} USING ({})", "k": "CREATE INDEX {} ON {} (({}))"}


def _ddl(table: _Table) -> list[str]:
    """``CREATE TEMP TABLE schemagen_probe (...)`` holding the table's probes, then
    one ``CREATE INDEX`` per index-key probe.

    Written as text: each name quoted as libpq's ``PQescapeIdentifier`` quotes it
    (``psycopg.sql.Identifier``: always in double quotes, a double quote doubled),
    the expressions and types as they are. Composing ``psycopg.sql`` objects for
    the 400 probes and their one-probe retries took longer than the rest of it.
    """
    parts = [f"{_quoted(name)} {type_}" for name, type_ in sorted(table.columns.items())]
    indexes = []
    for alias, probe in table.probes:
        if probe.kind in _ON_PROBE:
            indexes.append(
                _ON_PROBE[probe.kind].format(_quoted(alias), _quoted(_PROBE), probe.expression)
            )
        elif probe.kind == "g":
            parts.append(
                f"{_quoted(alias)} {probe.type_ or 'text'} "
                f"GENERATED ALWAYS AS ({probe.expression}) STORED"
            )
        elif probe.kind == "e":
            parts.append(f"CONSTRAINT {_quoted(alias)} {probe.expression}")
        elif probe.type_ is not None:
            parts.append(f"{_quoted(alias)} {probe.type_} DEFAULT {probe.expression}")
        else:
            check = table.written.get(alias, probe.expression)
            parts.append(f"CONSTRAINT {_quoted(alias)} CHECK ({check})")
    return [f"CREATE TEMP TABLE {_quoted(_PROBE)} ({', '.join(parts)})", *indexes]


def _quoted(name: str) -> str:
    """``name`` as ``psycopg.sql.Identifier`` writes it."""
    return '"' + name.replace('"', '""') + '"'

