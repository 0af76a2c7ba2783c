"""Find column names in the small SQL snippets of a schema (checks, partial indexes).

This is no SQL parser: it drops string literals and quoted identifiers, then
looks at the bare words that are not SQL keywords, type names, function calls
(followed by ``(``), qualified names or casts. It errs on the side of silence,
so a word it does not understand is never reported.
"""

from __future__ import annotations

import re

_STRING = re.compile(r"[EeBbXxUu]?'(?:[^']|'')*'|\$\$.*?\$\$", re.DOTALL)
_QUOTED = re.compile(r'"((?:[^"]|"")+)"')
_WORD = re.compile(r"(?<![\w.$:])([A-Za-z_][A-Za-z0-9_$]*)(?![\w$]*\s*[.(])")
_CAST = re.compile(r"::\s*[A-Za-z_][\w ]*(\[\])?(\([\d, ]*\))?")

SQL_WORDS = frozenset(
    """
    all and any array as asc at between both by case cast collate current_date current_time
    current_timestamp current_user desc distinct else end escape exists false from ilike in
    interval is isnull leading like localtime localtimestamp not notnull null nulls first last
    of on or overlaps placing row session_user similar some symmetric then to trailing true
    unknown user when with without zone year month day hour minute second epoch
    bigint bool boolean char character date decimal double float int int2 int4 int8 integer
    json jsonb numeric precision real smallint text time timestamp timestamptz uuid varchar
    varying bytea
    """.split()
)


def unknown_columns(sql: str, columns: list[str]) -> list[str]:
    """Bare words in ``sql`` that look like column names but are not in ``columns``."""
    known = {c.lower() for c in columns}
    text = _STRING.sub(" ", sql)
    found: list[str] = []
    for quoted in _QUOTED.findall(text):
        name = quoted.replace('""', '"')
        if name not in columns and name not in found:
            found.append(name)
    text = _QUOTED.sub(" ", text)
    text = _CAST.sub(" ", text)
    for word in _WORD.findall(text):
        lower = word.lower()
        if lower in known or lower in SQL_WORDS or word in found:
            continue
        found.append(word)
    return found


def unknown_order_by(order_by: str, columns: list[str]) -> list[str]:
    """Problems with a relationship ``order_by`` (``position``, ``created_at desc, id``)."""
    problems = []
    for part in order_by.split(","):
        words = part.split()
        if not words:
            problems.append("empty column in order_by")
            continue
        name = words[0].rsplit(".", 1)[-1]
        extra = [w for w in words[1:] if w.lower() not in ("asc", "desc", "nulls", "first", "last")]
        if name not in columns or extra:
            problems.append(f"order_by names '{part.strip()}', which is not a column")
    return problems
