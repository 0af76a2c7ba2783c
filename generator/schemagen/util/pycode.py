"""Python source text exactly as ``ruff format`` writes it.

Generated code must pass ``ruff format --check`` without running ruff, so the
renderers build small expression trees and this module lays them out the way
ruff does: an expression that fits on its line stays on one line; otherwise its
brackets open, one item per line, each followed by a comma. That trailing comma
is "magic" to ruff (it keeps the split), so the output is stable for any line
length from :data:`LINE_LIMIT` up. String literals pick their quotes as ruff
does, and every user string reaches the code through :func:`py_str`, so no
description can ever become code.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import re
import textwrap
import unicodedata
from typing import NamedTuple, TypeAlias

#: ruff's default line length; the layout is stable for any larger limit too.
LINE_LIMIT = 88

#: A string literal is split into implicitly concatenated parts only when it would
#: not fit in this many columns even on a line of its own inside the parentheses:
#: ruff joins the parts again whenever the whole fits there, so splitting strings
#: that fit 100 columns would make the layout unstable for line lengths up to 100.
STRING_SPLIT_LIMIT = 100

INDENT = "    "


# The expression nodes are named tuples, immutable as frozen dataclasses would be
# but built at half the cost: a 2,000-table models.py makes 200,000 of them, and a
# frozen dataclass's __init__ sets each field through object.__setattr__.


class Call(NamedTuple):
    """``func(arg, ..., name=value)``."""

    func: str
    args: tuple[Expr, ...] = ()


class Kw(NamedTuple):
    """A keyword argument ``name=value`` (or a dict item ``name: value`` with ``sep``)."""

    name: str
    value: Expr
    sep: str = "="


class Str(NamedTuple):
    """A string literal of ``value``; split into parts when it is very long."""

    value: str


class Seq(NamedTuple):
    """A bracketed sequence: list, tuple or dict (items are :class:`Kw` with ``": "``)."""

    open: str
    close: str
    items: tuple[Expr, ...]


Expr: TypeAlias = "str | Str | Call | Kw | Seq"


def call(func: str, *args: Expr, **kwargs: Expr | None) -> Call:
    """A call; keyword arguments that are ``None`` are left out (in the given order)."""
    return Call(func, (*args, *[Kw(k, v) for k, v in kwargs.items() if v is not None]))


def pylist(items: tuple[Expr, ...] | list[Expr]) -> Seq:
    return Seq("[", "]", tuple(items))


def pytuple(items: tuple[Expr, ...] | list[Expr]) -> Seq:
    return Seq("(", ")", tuple(items))


def pydict(items: dict[str, Expr]) -> Seq:
    """A dict with string keys (rendered as string literals), in the given order."""
    return Seq("{", "}", tuple(Kw(py_str(k), v, ": ") for k, v in items.items()))


def flat(expr: Expr) -> str:
    """``expr`` on one line."""
    # Most parts are plain text or calls: tested first. (Lists, not generators, for
    # join: 120,000 parts at 2,000 tables.)
    if isinstance(expr, str):
        return expr
    if isinstance(expr, Call):
        return f"{expr.func}({', '.join([flat(a) for a in expr.args])})"
    if isinstance(expr, Kw):
        return f"{expr.name}{expr.sep}{flat(expr.value)}"
    if isinstance(expr, Str):
        return py_str(expr.value)
    inner = ", ".join([flat(i) for i in expr.items])
    if expr.open == "(" and len(expr.items) == 1:
        inner += ","  # a one-element tuple
    return f"{expr.open}{inner}{expr.close}"


def layout(expr: Expr, indent: str = "", prefix: str = "", suffix: str = "") -> list[str]:
    """Lines of ``indent + prefix + expr + suffix``, split as ruff format would."""
    one = f"{indent}{prefix}{flat(expr)}{suffix}"
    if width(one) <= LINE_LIMIT or isinstance(expr, str):
        return [one]
    if isinstance(expr, Str):
        return _layout_str(expr.value, indent, prefix, suffix)
    if isinstance(expr, Kw):
        return layout(expr.value, indent, f"{prefix}{expr.name}{expr.sep}", suffix)
    if isinstance(expr, Call):
        opener, closer, items = f"{expr.func}(", ")", expr.args
    else:
        opener, closer, items = expr.open, expr.close, expr.items
    if not items:
        return [one]
    lines = [f"{indent}{prefix}{opener}"]
    for item in items:
        lines.extend(layout(item, indent + INDENT, "", ","))
    lines.append(f"{indent}{closer}{suffix}")
    return lines


def _layout_str(value: str, indent: str, prefix: str, suffix: str) -> list[str]:
    """A long string as parenthesized parts that each fit, or as one line."""
    one = f"{indent}{prefix}{py_str(value)}{suffix}"
    inner = indent + INDENT
    if width(one) <= STRING_SPLIT_LIMIT:
        return [one]  # ruff leaves a lone long string alone
    if width(inner + py_str(value)) <= STRING_SPLIT_LIMIT:
        return [f"{indent}{prefix}(", inner + py_str(value), f"{indent}){suffix}"]
    parts: list[str] = []
    for line in _LINE.findall(value):
        # A line break ends a part, so lines are split on their own; a line that
        # fits is one part (each of its prefixes fits too), without trying it
        # word by word (the SQL of a 2,000-table first revision: 500,000 words).
        if width(inner + py_str(line)) <= LINE_LIMIT:
            parts.append(line)
            continue
        start = len(parts)
        for token in _TOKEN.findall(line):
            fits = len(parts) > start and width(inner + py_str(parts[-1] + token)) <= LINE_LIMIT
            if fits and not parts[-1].endswith("\n"):
                parts[-1] += token
            else:
                parts.extend(_cut(token, inner))
    if "".join(parts) != value or len(parts) < 2:
        return [one]
    return [f"{indent}{prefix}(", *(inner + py_str(p) for p in parts), f"{indent}){suffix}"]


def _cut(token: str, inner: str) -> list[str]:
    """``token`` as parts whose literals each fit a line at ``inner``: a word longer
    than a line (a URL or an XML namespace in a view's query, with no blank to split
    at) is cut between characters, each part's literal escaped on its own, so no part
    passes ruff's line length (E501); ruff leaves parts that cannot be joined alone."""
    if width(inner + py_str(token)) <= LINE_LIMIT:
        return [token]
    parts = [""]
    for ch in token:
        if parts[-1] and width(inner + py_str(parts[-1] + ch)) > LINE_LIMIT:
            parts.append("")
        parts[-1] += ch
    return parts


# Words with the blanks after them, a line break ending a part.
_TOKEN = re.compile(r"[^ \n]+ *\n?| +\n?|\n")
# Lines with their line break (only "\n" ends a part).
_LINE = re.compile(r"[^\n]*\n|[^\n]+")


def _isort_key(name: str) -> tuple[int, str]:
    """ruff's ``order-by-type``: CONSTANTS, then Classes, then functions."""
    bare = name.split(" as ")[0]
    if bare.isupper() and len(bare) > 1:
        return (0, bare)
    if bare[:1].isupper():
        return (1, bare)
    return (2, bare)


def from_import_lines(module: str, names: list[str]) -> list[str]:
    """One ``from`` statement for plain names (sorted and wrapped as ruff does), then
    one per aliased name (isort's default keeps ``as`` imports apart)."""
    ordered = sorted({n for n in names if " as " not in n}, key=_isort_key)
    lines = []
    if ordered:
        line = f"from {module} import {', '.join(ordered)}"
        if len(line) <= LINE_LIMIT:
            lines.append(line)
        else:
            lines.extend([f"from {module} import (", *(f"{INDENT}{n}," for n in ordered), ")"])
    aliased = sorted({n for n in names if " as " in n}, key=_isort_key)
    lines.extend(f"from {module} import {n}" for n in aliased)
    return lines


def width(text: str) -> int:
    """Display width as ruff measures it: East Asian wide characters count two."""
    if text.isascii():
        return len(text)
    total = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        total += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return total


@functools.lru_cache(maxsize=65536)
def py_str(value: str) -> str:
    """A string literal as ruff format writes it.

    The quote is the one that needs fewer escapes (double quotes on a tie);
    backslashes, the chosen quote, and every non-printable character are
    escaped, so the literal always evaluates to ``value`` exactly.
    """
    quote = "'" if value.count('"') > value.count("'") else '"'
    if value.isprintable() and "\\" not in value:
        return quote + value.replace(quote, "\\" + quote) + quote
    if value.translate(_LINE_BREAKS).isprintable():
        # Only the usual escapes (SQL text of a revision): at C speed, the very
        # text escape_char writes character by character.
        return quote + value.translate(_ESCAPES[quote]) + quote
    return quote + "".join(escape_char(ch, quote) for ch in value) + quote


#: Backslash, line break, tab and carriage return, and each quote: their escapes.
_ESCAPES = {
    quote: str.maketrans({"\\": "\\\\", quote: "\\" + quote, "\n": "\\n", "\t": "\\t", "\r": "\\r"})
    for quote in ("'", '"')
}
_LINE_BREAKS = str.maketrans("", "", "\n\t\r")


def escape_char(ch: str, quote: str) -> str:
    """``ch`` as it stands inside a string literal quoted with ``quote``: a backslash
    and that quote escaped, a non-printable character as its escape, others as they are."""
    if ch == "\\":
        return "\\\\"
    if ch == quote:
        return "\\" + ch
    if ch in ("'", '"') or ch.isprintable():
        return ch
    return repr(ch)[1:-1]  # \n, \t, \x00, \u2028 ...


def docstring(text: str, indent: str) -> list[str]:
    """A triple-quoted docstring for ``text``, laid out as ruff format leaves it.

    Lines are stripped of trailing blanks (ruff would strip them), long lines
    are wrapped, and backslashes, non-printable characters and any ``\"\"\"``
    are escaped, so the text can never end the docstring early.
    """
    lines = []
    for raw in text.strip().splitlines():
        body = raw.rstrip()
        if not body.isprintable() or "\\" in body:  # else every character stays itself
            body = "".join(_doc_char(ch) for ch in body)
        limit = max(LINE_LIMIT - len(indent), 40)
        if len(body) <= limit:
            # textwrap would keep it whole (no tab is left, its end is stripped):
            # not split into words to be joined again, for every entity's docstring
            lines.append(body)
            continue
        # A continuation keeps its line's indentation: an indented line (a plan
        # operation's cost) still reads, and parses, as part of the line above it.
        wrapped = textwrap.wrap(
            body,
            width=limit,
            subsequent_indent=body[: len(body) - len(body.lstrip())],
            break_long_words=False,
            break_on_hyphens=False,
            replace_whitespace=False,
            drop_whitespace=True,
        )
        lines.extend(wrapped or [""])
    if len(lines) > 1:  # ruff re-indents the body by its common indentation
        lines[1:] = textwrap.dedent("\n".join(lines[1:])).split("\n")
    # No quote is escaped yet (every backslash of the text is doubled): break up
    # runs of three, then make sure the text does not end with a bare quote.
    lines = [line.replace('"""', '""\\"') for line in lines] or [""]
    last = lines[-1]
    before = len(last[:-1]) - len(last[:-1].rstrip("\\"))
    if last.endswith('"') and before % 2 == 0:
        lines[-1] = last[:-1] + '\\"'
    if lines[0].startswith(" "):
        lines[0] = lines[0].lstrip()  # ruff strips the first line's indentation
    if lines[0].startswith('"'):
        lines[0] = " " + lines[0]  # as ruff writes it: four quotes in a row read badly
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    out = [f'{indent}"""{lines[0]}']
    out.extend(f"{indent}{line}" if line else "" for line in lines[1:])
    out.append(f'{indent}"""')
    return out


def _doc_char(ch: str) -> str:
    if ch == "\\":
        return "\\\\"
    if ch == "\t":
        return "\\t"
    if ch in ("'", '"') or ch.isprintable():
        return ch
    return repr(ch)[1:-1]


def comment_text(text: str) -> str:
    """``text`` safe inside a ``#`` comment: one line, no control characters."""
    return "".join(ch if ch.isprintable() else " " for ch in " ".join(text.split()))


def parse_header(text: str) -> ast.Module:
    """Parse the part of a module before its first top-level ``def``: the docstring,
    imports and assignments that a revision's history and docs read.

    A 2,000-table first revision is megabytes of ``op.create_table`` calls that
    ``ast`` took seconds to parse, for the few lines above them. When that part
    alone is not valid Python (a ``def`` at the start of a line inside the
    docstring), the whole text is parsed. Raises :class:`SyntaxError`.
    """
    end = text.find("\ndef ")
    if end >= 0:
        with contextlib.suppress(SyntaxError):
            return ast.parse(text[: end + 1])
    return ast.parse(text)
