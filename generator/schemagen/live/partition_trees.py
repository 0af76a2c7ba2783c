"""Compare a partitioned table's tree with the schema's: its partition key,
then its partitions by name and bound, level by level.
"""

from __future__ import annotations

import re

from ..findings import Finding
from ..model.inlists import key_in_lists
from ..model.naming import partition_table
from ..model.sqltext import printed_sql_text, quote_qualified
from .aspects import aspect
from .drift import compare_named, finding
from .expected import loose
from .shapes import TableShape


def compare_partitions(
    table: str, exp: TableShape, act: TableShape, home: str | None
) -> list[Finding]:
    """The partition key, then partitions by name: missing, extra, another bound; then
    the key and the partitions of each partition partitioned in turn, level by level."""
    if not _same_key(exp.partition_key, act.partition_key):
        return [
            finding(
                f"table {table}",
                f"partitioned by {act.partition_key or 'nothing'} in the database, "
                f"by {exp.partition_key or 'nothing'} in the schema",
                "PostgreSQL cannot change a partition key: make the table again",
            )
        ]
    return _compare_partition_level(
        table, table, exp, act, exp.partitions, act.partitions, home
    )


def _compare_partition_level(
    table: str,
    parent: str,
    exp: TableShape,
    act: TableShape,
    exp_parts: dict[str, str],
    act_parts: dict[str, str],
    home: str | None,
) -> list[Finding]:
    """The partitions of ``parent`` (``table`` or one of its partitions, keyed as a table
    is); a partition both sides have compares its own partition key and partitions."""
    findings = compare_named(parent, "partition", exp_parts, act_parts, _describe_bound)
    for name in sorted(set(exp_parts) & set(act_parts)):
        expected, actual = exp.partition_keys.get(name), act.partition_keys.get(name)
        own = partition_table(table, name)
        if not _same_key(expected, actual):
            findings.append(
                _partition_key_finding(parent, own, expected, actual, act_parts[name], home)
            )
        elif expected is not None:
            findings += _compare_partition_level(
                table,
                own,
                exp,
                act,
                exp.sub_partitions.get(name, {}),
                act.sub_partitions.get(name, {}),
                home,
            )
    return findings


def _partition_key_finding(
    parent: str,
    partition: str,
    expected: str | None,
    actual: str | None,
    bound: str,
    home: str | None,
) -> Finding:
    """A partition partitioned in turn on one side only, or by another key; ``home``: the
    current schema, which the hint's statements name a bare table's by."""
    if expected is None:  # partitioned again by hand
        table, part = quote_qualified(parent, home), quote_qualified(partition, home)
        hint = (
            "declare its partition_by: and partitions: in schema/, or make it a plain "
            f"partition again (`ALTER TABLE {table} DETACH PARTITION {part}`, then a plain "
            f"table holding its rows, `ALTER TABLE {table} ATTACH PARTITION {part} "
            f"{printed_sql_text(bound)}`)"
        )
    else:
        hint = (
            "PostgreSQL cannot change a partition key: make the partition again, or write "
            "the database's key into schema/ (its partition_by:)"
        )
    return finding(
        f"partition {partition}",
        f"partitioned by {actual or 'nothing'} in the database, "
        f"by {expected or 'nothing'} in the schema",
        hint,
    )


def _same_key(expected: str | None, actual: str | None) -> bool:
    """The same partition key, up to what the server prints its own way."""
    # the database's key is also read with its IN lists as ``x IN (...)``, as import
    # writes them (model.inlists: a key made so reads back as the database prints it)
    printed = actual or ""
    read = key_in_lists(printed)
    same = _loose_key(expected) in (_loose_key(printed), _loose_key(read))
    return same or same_partition_keys(expected, read)


def _loose_key(key: str | None) -> str | None:
    """A partition key up to parentheses, quotes and case (an expression key prints its
    own way; the server quotes a column named like a keyword that needs none: "time").
    A string constant keeps its case and parentheses: 'A' is not 'a'."""
    if not key:
        return None
    parts, at = [], 0
    for string in _STRING.finditer(key):
        parts += [_loose_words(key[at : string.start()]), string.group(0)]
        at = string.end()
    return " ".join(" ".join([*parts, _loose_words(key[at:])]).split())


#: A string constant as PostgreSQL prints it ('it''s', E'\\n').
_STRING = re.compile(r"[eE]?'(?:[^']|'')*'")


def _loose_words(text: str) -> str:
    return " ".join(re.sub(r'[()"]', " ", text).lower().split())


def same_partition_keys(expected: str | None, printed: str) -> bool:
    """Two keys with the same method and elements, each a column or an expression as
    in the other, equal up to casts, parentheses and case, strings keeping theirs
    (:func:`.expected.loose`): no statement prints our key as the server would, and it
    adds casts to one written by hand (``status IN ('held', 'paid')`` over a varchar
    column is ``(status)::text IN ('held'::character varying, ...)`` once its IN
    lists are read back) and an ELSE NULL to a CASE without ELSE. An element's kind
    counts: ``(paid_at::date)`` is not the column ``paid_at``."""
    if expected is None or not printed:
        return False
    return _key_elements(expected) == _key_elements(printed)


def _key_elements(key: str) -> tuple[str, tuple[tuple[bool, str], ...]]:
    """``LIST ((expr), col)`` as its method and, for each element, whether it is an
    expression (``pg_get_partkeydef`` and the model both parenthesize one) and its
    loose text."""
    method, _, rest = key.strip().partition(" ")
    rest = rest.strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    return method.upper(), tuple(
        (element.startswith("("), loose(element)) for element in _top_level(rest)
    )


def _top_level(text: str) -> list[str]:
    """``text`` split at its commas outside parentheses, brackets and quotes."""
    elements, depth, start, quote = [], 0, 0, ""
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote  # a doubled quote reopens at once
        elif char in "'\"":
            quote = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            elements.append(text[start:i].strip())
            start = i + 1
    return [*elements, text[start:].strip()]


def _describe_bound(exp: str, act: str) -> list[str]:
    return aspect("bound is", exp, act)
