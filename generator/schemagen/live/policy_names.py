"""A policy expression rewritten to print on a stand-in table as it prints on its own.

``check --database`` lets PostgreSQL print a declared policy by creating it on a
temporary table (:mod:`.printing`), whose name is not the policy's table's. Two
things read differently there, and both are settled here, with PostgreSQL's own
parser (``pglast``) and its scoping rules rather than by matching words:

- A column the expression qualifies with its own table's name (``accounts.owner_id``,
  ``billing.invoices.total``) is qualified with the stand-in's name instead, which
  it would otherwise refuse; but not where a sub-select's ``FROM accounts`` hides
  the own table (there ``accounts.id`` is the sub-select's).
- When PostgreSQL prints a policy, every table a sub-select reads gets a name that
  no enclosing level uses (``ruleutils.c``, ``set_rtable_names``): a sub-select over
  the own table without an alias prints as ``FROM accounts accounts_1``, the
  enclosing table being ``accounts``. On the stand-in nothing collides, so such a
  table is given that name as an alias here, with the columns that name it.

The rest of the text is kept as written. An expression that does not parse is
returned as it is: the server refuses it, and it shows as a difference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: Put before an expression to parse it as PostgreSQL parses a policy's.
_PREFIX = "SELECT "

#: An expression's tokens: a string (plain, E'', dollar-quoted), a quoted or bare
#: name, a run of blanks, any other character.
TOKEN = re.compile(
    r"[eE]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'|\$(\w*)\$.*?\$\1\$"
    r'|"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*|\s+|.',
    re.DOTALL,
)


@dataclass
class _Level:
    """One query level: the names its FROM items print with, and what binds there."""

    names: list[str] = field(default_factory=list)
    binds: dict[str, str] = field(default_factory=dict)  # refname -> name it prints with
    relations: set[tuple[str | None, str]] = field(default_factory=set)  # unaliased


def on_probe(expression: str, table: str, probe: str) -> str:
    """``expression``, a policy's on ``table`` (``name`` or ``schema.name``), as it
    must read on the stand-in table ``probe`` to print as on ``table``."""
    from pglast import parse_sql
    from pglast.parser import ParseError

    try:
        statements = parse_sql(_PREFIX + expression)
    except ParseError:
        return expression
    schema, _, own = table.rpartition(".")
    outer = _Level(names=[own], binds={own: probe}, relations={(schema or None, own)})
    edits: list[tuple[int, int, str]] = []
    select: Any = statements[0].stmt
    _Walk(expression, edits, probe).visit(select.targetList, [outer])
    text = expression
    for start, end, replacement in sorted(set(edits), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


class _Walk:
    """Collect the edits of one expression: ``(start, end, replacement)`` in characters."""

    def __init__(self, expression: str, edits: list[tuple[int, int, str]], probe: str) -> None:
        self._text = expression
        self._bytes = (_PREFIX + expression).encode()
        self._edits = edits
        self._probe = probe

    def visit(self, node: Any, levels: list[_Level]) -> None:
        if isinstance(node, list | tuple):
            for item in node:
                self.visit(item, levels)
            return
        kind = type(node).__name__
        if kind == "SelectStmt" and node.op.name == "SETOP_NONE":
            self._select(node, levels)
        elif kind == "ColumnRef":
            self._column(node, levels)
        elif hasattr(node, "__slots__") and kind != "RangeVar":
            for slot in node.__slots__:
                child = getattr(node, slot, None)
                if child is not None and not isinstance(child, str | int | float | bool):
                    self.visit(child, levels)

    def _select(self, node: Any, levels: list[_Level]) -> None:
        level = _Level()
        taken = {name: 0 for parent in levels for name in parent.names}
        for item in _from_items(node.fromClause or ()):
            self._name(item, level, taken)
        inner = [*levels, level]
        for slot in node.__slots__:
            child = getattr(node, slot, None)
            if child is not None and not isinstance(child, str | int | float | bool):
                self.visit(child, inner)

    def _name(self, item: Any, level: _Level, taken: dict[str, int]) -> None:
        """Name a FROM item as ``set_rtable_names`` does: its alias, else the
        relation's name, with ``_1``, ``_2``... if an enclosing level or an earlier
        item uses that name; alias a relation whose name so changed."""
        alias = item.alias.aliasname if getattr(item, "alias", None) is not None else None
        refname = alias or getattr(item, "relname", None)
        if refname is None:
            return
        name = refname
        if refname in taken:
            while name in taken:
                taken[refname] += 1
                name = f"{refname}_{taken[refname]}"
        taken[name] = 0
        level.names.append(name)
        level.binds[refname] = name
        if type(item).__name__ != "RangeVar":
            return
        if alias is None:
            level.relations.add((item.schemaname, item.relname))
        if name != refname:
            self._alias(item, alias is not None, name)

    def _alias(self, item: Any, aliased: bool, name: str) -> None:
        tokens = self._tokens(item.location)
        start, end = tokens[2 if item.schemaname else 0][:2]
        if not aliased:
            self._edits.append((end, end, f" {_quoted(name)}"))
            return
        rest = self._tokens_at(end)
        alias = rest[1] if rest[0][2].lower() == "as" else rest[0]
        self._edits.append((alias[0], alias[1], _quoted(name)))

    def _column(self, node: Any, levels: list[_Level]) -> None:
        names = [getattr(f, "sval", None) for f in node.fields]
        if len(names) not in (2, 3) or None in names:
            return  # a bare column, or ``t.*``
        words = [str(name) for name in names]
        tokens = self._tokens(node.location)
        qualifier = tokens[2 * (len(words) - 2)]
        start, end = tokens[0][0], qualifier[1]
        for number, level in reversed(list(enumerate(levels))):
            if len(words) == 2 and words[0] in level.binds:
                name = level.binds[words[0]]
            elif len(words) == 3 and _has_relation(level, words[0], words[1], outer=number == 0):
                name = level.binds[words[1]]
            else:
                continue
            if number == 0:
                self._edits.append((start, end, self._probe))
            elif name != words[-2]:  # the sub-select's table, renamed
                self._edits.append((start, end, _quoted(name)))
            return

    def _tokens(self, location: int) -> list[tuple[int, int, str]]:
        """The first tokens, but blanks, from byte ``location`` of the parsed text on
        (the parser counts bytes)."""
        return self._tokens_at(len(self._bytes[:location].decode()) - len(_PREFIX))

    def _tokens_at(self, start: int) -> list[tuple[int, int, str]]:
        """The first tokens, but blanks, from character ``start`` of the expression on."""
        return [
            (m.start(), m.end(), m.group(0))
            for m in TOKEN.finditer(self._text, max(start, 0))
            if not m.group(0).isspace()
        ][:5]


def _from_items(items: Any) -> list[Any]:
    """A FROM list's items in the order PostgreSQL adds them to the range table."""
    found: list[Any] = []
    for item in items:
        if type(item).__name__ == "JoinExpr":
            found += _from_items((item.larg, item.rarg))
        found.append(item)
    return found


def _has_relation(level: _Level, schema: str, relation: str, outer: bool) -> bool:
    """A ``schema.relation.column`` reference binds at ``level``: it reads that
    relation without an alias (the own table's in a bare name's default schema,
    which the search path decides: any schema is taken for it here)."""
    if outer:
        return any(s in (schema, None) and r == relation for s, r in level.relations)
    return (schema, relation) in level.relations


def _quoted(name: str) -> str:
    from ..model.schema import quote_name

    return quote_name(name)
