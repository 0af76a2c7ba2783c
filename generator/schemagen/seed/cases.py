"""``CASE`` in a check, read as the ``OR`` it is: ``CASE WHEN status = 'shipped'
THEN shipped_at IS NOT NULL ELSE true END`` holds on exactly the rows where
``(status = 'shipped' AND shipped_at IS NOT NULL) OR (status <> 'shipped' AND
true)`` would, but for a NULL status, which the second branch leaves out (seed
needs one sufficient branch a row, not all of them).

Each ``WHEN`` is a branch: its condition, the negations of the conditions before
it, and its result; the ``ELSE`` (``true`` where there is none: a check passes on
NULL) is the negations of them all and its result. A result ``false`` is no
branch; ``true`` or NULL adds nothing. A condition seed cannot negate (a LIKE, a
function) ends the branches after it. :mod:`.checks` reads the OR like any other.
"""

from __future__ import annotations

from typing import Any

from pglast import ast
from pglast.enums import A_Expr_Kind, BoolExprType, NullTestType

#: An operator and the one that holds where it is false (on values, not NULLs).
_NEGATED = {"=": "<>", "<>": "=", "!=": "=", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def case_as_or(node: ast.CaseExpr) -> ast.BoolExpr | None:
    """The OR of the branches a row can keep, else None (none can be built)."""
    branches: list[list[Any]] = []
    before: list[Any] = []  # negations of the conditions so far
    for when in node.args or ():
        condition = when.expr
        if node.arg is not None:  # CASE x WHEN v: x = v
            condition = _op("=", node.arg, condition)
        if _holds(when.result) is not False:
            branches.append([*before, condition, *_kept(when.result)])
        negated = _negation(condition)
        if negated is None:
            break
        before.append(negated)
    else:
        if _holds(node.defresult) is not False:
            branches.append([*before, *_kept(node.defresult)])
    if not branches:
        return None
    args = [parts[0] if len(parts) == 1 else _and(parts) for parts in branches]
    return ast.BoolExpr(boolop=BoolExprType.OR_EXPR, args=args)


def _holds(result: Any) -> bool | None:
    """True for ``true`` or NULL (a check passes on both), False for ``false``, None
    for an expression."""
    if result is None:  # no ELSE: NULL
        return True
    if isinstance(result, ast.A_Const):
        if result.isnull:
            return True
        if isinstance(result.val, ast.Boolean):
            return bool(result.val.boolval)
    return None


def _kept(result: Any) -> list[Any]:
    """What a branch's result asks: nothing for ``true`` or NULL, else itself."""
    return [] if _holds(result) else [result]


def _negation(node: Any) -> Any | None:
    """A condition that holds where ``node`` is false, in a shape seed reads, else None."""
    if isinstance(node, ast.NullTest):
        flipped = (
            NullTestType.IS_NOT_NULL
            if node.nulltesttype == NullTestType.IS_NULL
            else NullTestType.IS_NULL
        )
        return ast.NullTest(arg=node.arg, nulltesttype=flipped, argisrow=False)
    if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.NOT_EXPR:
        return (node.args or (None,))[0]
    if not isinstance(node, ast.A_Expr) or not node.name:
        return None
    op = str(node.name[-1].sval)
    if node.kind == A_Expr_Kind.AEXPR_OP and op in _NEGATED:
        return _op(_NEGATED[op], node.lexpr, node.rexpr)
    if node.kind == A_Expr_Kind.AEXPR_IN and op in ("=", "<>"):
        return _op("<>" if op == "=" else "=", node.lexpr, node.rexpr, A_Expr_Kind.AEXPR_IN)
    if node.kind == A_Expr_Kind.AEXPR_OP_ANY and op == "=":
        return _op("<>", node.lexpr, node.rexpr, A_Expr_Kind.AEXPR_OP_ALL)
    if node.kind == A_Expr_Kind.AEXPR_OP_ALL and op == "<>":
        return _op("=", node.lexpr, node.rexpr, A_Expr_Kind.AEXPR_OP_ANY)
    return None


def _op(op: str, left: Any, right: Any, kind: A_Expr_Kind = A_Expr_Kind.AEXPR_OP) -> ast.A_Expr:
    return ast.A_Expr(kind=kind, name=(ast.String(sval=op),), lexpr=left, rexpr=right)


def _and(parts: list[Any]) -> ast.BoolExpr:
    return ast.BoolExpr(boolop=BoolExprType.AND_EXPR, args=parts)
