"""A policy expression reduced to what PostgreSQL's printing of it does not change.

Where the server cannot print the declared policy for ``check --database`` (a
read-only standby refuses the stand-in table), the declared text is compared with
the live one as printed back. Both are parsed with PostgreSQL's parser
(``pglast``) and reduced to a form in which the differences printing makes are
gone, and no other:

- every column is known by the FROM item it binds to (how many query levels
  out, which item there) and its name, not by how it is qualified:
  ``id`` in ``(SELECT id FROM stores WHERE owner = current_user)`` prints as
  ``stores.id``, the policy's own table in a sub-select as ``products.store_id``,
  a sub-select over the own table as ``FROM accounts accounts_1``. An unqualified
  column binds as PostgreSQL binds it, to the innermost level whose FROM items
  have it (the tables' columns as read from the catalog, a CTE's or a sub-select's
  from its target list), so ``a.id < id`` (``a.id < a.id``) stays unlike
  ``a.id < accounts.id``;
- aliases, output column names (``SELECT CURRENT_USER AS "current_user"``), casts
  and parentheses are dropped (the loose comparison dropped casts too);
- ``x = ANY (SELECT ...)`` is ``x IN (SELECT ...)``, ``x IN (a, b)`` is
  ``x = ANY (ARRAY[a, b])`` (``NOT IN``: ``<> ALL``), ``LIKE`` is ``~~``,
  ``BETWEEN`` is ``>= AND <=``, nested ``AND`` / ``OR`` are one list.

- a relation named with the current schema (``FROM public.stores``) is named bare,
  as PostgreSQL prints it (``FROM stores``: the name the search_path finds it by);
  one of any other schema keeps its schema, so ``billing.stores`` and an
  ``archive.stores`` the model does not know still differ from it; likewise a
  function of ``pg_catalog`` or of the current schema (``public.store_open(id)``)
  is named bare, one of any other schema (``archive.store_open(id)``) is not, nor
  one of the current schema that pg_catalog has a function of the name of
  (``public.lower(x)``: the search path finds pg_catalog's first, so PostgreSQL
  prints it qualified).

Constants (strings with their case), operators, functions and relations are kept,
so a policy changed by hand still differs. An expression that does not parse has
no form (None), nor one whose tree is of a shape not foreseen here: the caller
falls back to comparing texts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: The columns of a relation named ``(schema or None, name)``, or None when unknown.
Columns = Callable[[str | None, str], frozenset[str] | None]

_IGNORED = {"location", "rexpr_list_start", "rexpr_list_end"}
#: A_Expr kinds PostgreSQL prints as another A_Expr kind.
_LIKE = {"AEXPR_LIKE", "AEXPR_ILIKE"}


class _Item:
    """A FROM item of a query level: the name columns are qualified with, its columns."""

    def __init__(self, refname: str | None, columns: frozenset[str] | None,
                 relation: tuple[str | None, str] | None) -> None:
        self.refname = refname
        self.columns = columns
        self.relation = relation  # (schema, name) of an unaliased relation


def policy_form(
    expression: str,
    table: str,
    own_columns: frozenset[str],
    columns: Columns,
    home: str | None = None,
    shadowed: frozenset[str] = frozenset(),
) -> object | None:
    """The form of ``expression``, a policy's on ``table`` (``name`` or
    ``schema.name``) whose columns are ``own_columns``; None if it does not parse.
    ``home``: the current schema, whose relations PostgreSQL prints bare, and its
    functions but the ``shadowed`` ones (whose names pg_catalog has too)."""
    from pglast import parse_sql
    from pglast.parser import ParseError

    try:
        statements = parse_sql("SELECT " + expression)
    except ParseError:
        return None
    stmt = statements[0].stmt if len(statements) == 1 else None
    target: Any = getattr(stmt, "targetList", None) or ()
    if len(target) != 1:
        return None
    schema, _, own = table.rpartition(".")
    outer = [_Item(own, own_columns, (schema or None, own))]
    try:
        return _Reducer(columns, home, shadowed).reduce(target[0].val, [outer], {})
    except (AttributeError, TypeError, ValueError):  # a tree of a shape not foreseen here
        return None


class _Reducer:
    def __init__(self, columns: Columns, home: str | None, shadowed: frozenset[str]) -> None:
        self._columns = columns
        self._home = home
        self._shadowed = shadowed

    def reduce(
        self, node: Any, levels: list[list[_Item]], ctes: dict[str, frozenset[str] | None]
    ) -> object:
        if isinstance(node, list | tuple):
            return tuple(self.reduce(n, levels, ctes) for n in node)
        if node is None or isinstance(node, str | int | float | bool):
            return node
        kind = type(node).__name__
        if kind == "TypeCast":
            return self.reduce(node.arg, levels, ctes)
        if kind == "ResTarget":  # its name aside (SELECT CURRENT_USER AS "current_user")
            return ("target", self.reduce(node.val, levels, ctes))
        if kind == "A_Const":
            return ("const", None if node.isnull else str(_value(node.val)))
        if kind == "ColumnRef":
            return self._column(node, levels)
        special = _SPECIAL.get(kind)
        if special is not None:
            return special(self, node, levels, ctes)
        return (kind, *(
            (slot, self.reduce(getattr(node, slot), levels, ctes))
            for slot in node.__slots__ if slot not in _IGNORED
        ))

    def _bool(
        self, node: Any, levels: list[list[_Item]], ctes: dict[str, frozenset[str] | None]
    ) -> object:
        op = _enum(node.boolop)
        args: list[object] = []
        for arg in node.args:
            reduced = self.reduce(arg, levels, ctes)
            same = isinstance(reduced, tuple) and reduced[:2] == ("bool", op)
            args += list(reduced[2]) if same else [reduced]  # type: ignore[index]
        return ("bool", op, tuple(args))

    def _sublink(
        self, node: Any, levels: list[list[_Item]], ctes: dict[str, frozenset[str] | None]
    ) -> object:
        link = _enum(node.subLinkType)
        operator = _names(node.operName) or (("=",) if link == "ANY_SUBLINK" else ())
        return (
            "sublink",
            link,
            operator,
            self.reduce(node.testexpr, levels, ctes),
            self.reduce(node.subselect, levels, ctes),
        )

    def _array(
        self, node: Any, levels: list[list[_Item]], ctes: dict[str, frozenset[str] | None]
    ) -> object:
        return ("array", self.reduce(node.elements or (), levels, ctes))

    def _func(
        self, node: Any, levels: list[list[_Item]], ctes: dict[str, frozenset[str] | None]
    ) -> object:
        name = _names(node.funcname)
        # printed bare where the search_path finds it: pg_catalog's, and the current
        # schema's (public.f(): the functions the model declares) unless pg_catalog,
        # first on the path, has one of its name (public.lower() prints so; lower()
        # is the built-in); another schema's keeps its name, so archive.f() in place
        # of f() still differs
        if len(name) == 2 and (
            name[0] == "pg_catalog" or (name[0] == self._home and name[1] not in self._shadowed)
        ):
            name = name[1:]
        # funcformat says how it was written (EXTRACT(...) or a call): printing's own
        return ("func", name, *(
            self.reduce(getattr(node, slot), levels, ctes)
            for slot in node.__slots__ if slot not in _IGNORED | {"funcname", "funcformat"}
        ))

    def _expr(
        self, node: Any, levels: list[list[_Item]], ctes: dict[str, frozenset[str] | None]
    ) -> object:
        kind = _enum(node.kind)
        name = _names(node.name)
        left = self.reduce(node.lexpr, levels, ctes)
        if kind == "AEXPR_IN":  # x IN (a, b): x = ANY (ARRAY[a, b]); NOT IN: <> ALL
            elements = ("array", self.reduce(node.rexpr, levels, ctes))
            return ("op", "AEXPR_OP_ANY" if name == ("=",) else "AEXPR_OP_ALL", name, left,
                    elements)
        if kind in ("AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN"):
            low, high = (self.reduce(bound, levels, ctes) for bound in node.rexpr)
            if kind == "AEXPR_BETWEEN":
                return ("bool", "AND_EXPR", (("op", "AEXPR_OP", (">=",), left, low),
                                            ("op", "AEXPR_OP", ("<=",), left, high)))
            return ("bool", "OR_EXPR", (("op", "AEXPR_OP", ("<",), left, low),
                                       ("op", "AEXPR_OP", (">",), left, high)))
        if kind in _LIKE:
            kind = "AEXPR_OP"
        return ("op", kind, name, left, self.reduce(node.rexpr, levels, ctes))

    def _column(self, node: Any, levels: list[list[_Item]]) -> object:
        names = tuple(getattr(f, "sval", None) for f in node.fields)
        if None in names:  # t.*, *
            return ("columns", names)
        column = str(names[-1])
        for up, level in enumerate(reversed(levels)):
            for index, item in enumerate(level):
                if self._binds(item, names[:-1], column):
                    return ("column", up, index, column)
            if len(names) == 1 and any(item.columns is None for item in level):
                # a column of an item whose columns are unknown, if one alone may hold it
                unknown = [i for i, item in enumerate(level) if item.columns is None]
                if len(unknown) == 1:
                    return ("column", up, unknown[0], column)
                break
        return ("column?", names)

    @staticmethod
    def _binds(item: _Item, qualifier: tuple[str | None, ...], column: str) -> bool:
        if not qualifier:
            return item.columns is not None and column in item.columns
        if len(qualifier) == 1:
            return item.refname == qualifier[0]
        # schema.table.column: a relation named bare is where the search path found it,
        # which any schema may be taken for here (as policy_names does)
        return item.relation is not None and item.relation[1] == qualifier[-1] and (
            item.relation[0] in (None, qualifier[-2])
        )

    def _select(
        self, node: Any, levels: list[list[_Item]], ctes: dict[str, frozenset[str] | None]
    ) -> object:
        if _enum(node.op) != "SETOP_NONE":
            return ("setop", _enum(node.op), bool(node.all),
                    self.reduce(node.larg, levels, ctes), self.reduce(node.rarg, levels, ctes))
        ctes = dict(ctes)
        withs: list[object] = []
        if node.withClause is not None:
            for cte in node.withClause.ctes:
                withs.append((cte.ctename, self.reduce(cte.ctequery, levels, ctes)))
                ctes[cte.ctename] = _outputs(cte.ctequery)
        level: list[_Item] = []
        inner = [*levels, level]
        sources = tuple(self._from(item, levels, level, ctes) for item in node.fromClause or ())
        rest = tuple(
            (slot, self.reduce(getattr(node, slot), inner, ctes))
            for slot in node.__slots__
            if slot not in _IGNORED | {"fromClause", "withClause", "op", "larg", "rarg"}
        )
        return ("select", tuple(withs), sources, rest)

    def _from(
        self, item: Any, levels: list[list[_Item]], level: list[_Item],
        ctes: dict[str, frozenset[str] | None],
    ) -> object:
        """Add ``item``'s FROM items to ``level`` (in range-table order) and reduce it."""
        kind = type(item).__name__
        alias = item.alias.aliasname if getattr(item, "alias", None) is not None else None
        if kind == "RangeVar":
            # a relation of the current schema as PostgreSQL prints it: bare (never a
            # CTE: a qualified name is a relation's)
            schema = None if item.schemaname == self._home else item.schemaname
            if item.schemaname is None and item.relname in ctes:
                columns = ctes[item.relname]
            else:
                columns = self._columns(schema, item.relname)
            relation = None if alias else (schema, item.relname)
            level.append(_Item(alias or item.relname, columns, relation))
            return ("relation", schema, item.relname, bool(item.inh))
        if kind == "JoinExpr":
            left = self._from(item.larg, levels, level, ctes)
            right = self._from(item.rarg, levels, level, ctes)
            # an aliased join's columns are its sides' (bound to them by name)
            level.append(_Item(alias, frozenset(), None))
            return ("join", _enum(item.jointype), bool(item.isNatural), left, right,
                    self.reduce(item.usingClause, [*levels, level], ctes),
                    self.reduce(item.quals, [*levels, level], ctes))
        if kind == "RangeSubselect":
            reduced = self.reduce(item.subquery, levels, ctes)
            level.append(_Item(alias, _outputs(item.subquery), None))
            return ("subselect", bool(item.lateral), reduced)
        level.append(_Item(alias, None, None))
        return (kind, self.reduce(
            tuple(getattr(item, s) for s in item.__slots__ if s not in _IGNORED), levels, ctes
        ))


#: Nodes whose printing differs from their writing, by type.
_SPECIAL: dict[str, Callable[..., object]] = {
    "SelectStmt": _Reducer._select,
    "A_Expr": _Reducer._expr,
    "BoolExpr": _Reducer._bool,
    "SubLink": _Reducer._sublink,
    "A_ArrayExpr": _Reducer._array,
    "FuncCall": _Reducer._func,
}


def _outputs(select: Any) -> frozenset[str] | None:
    """The output column names of a SELECT, or None when one is not known."""
    while type(select).__name__ == "SelectStmt" and _enum(select.op) != "SETOP_NONE":
        select = select.larg
    names = set()
    for target in getattr(select, "targetList", None) or ():
        if target.name:
            names.add(target.name)
        elif type(target.val).__name__ == "ColumnRef" and getattr(
            target.val.fields[-1], "sval", None
        ):
            names.add(target.val.fields[-1].sval)
        else:
            return None
    return frozenset(names)


def _enum(value: Any) -> str:
    """An enum member's name (pglast gives IntEnums, which str() prints as numbers)."""
    return str(getattr(value, "name", value))


def _names(nodes: Any) -> tuple[str, ...]:
    return tuple(str(getattr(n, "sval", n)) for n in nodes or ())


def _value(val: Any) -> object:
    for slot in ("ival", "fval", "sval", "boolval", "bsval"):
        if hasattr(val, slot):
            return getattr(val, slot)
    return val
