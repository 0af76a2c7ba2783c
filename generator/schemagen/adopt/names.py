"""Names for imported objects: entities, enums, attributes and the naming convention.

Table and type names are kept exactly (``table:``, ``db_name:``); what is
derived here are the names the language and Python need: singular CamelCase
entity names, enum class names, attribute names for columns Python cannot use
as they are, and the ``naming_convention`` that spells most constraint and index
names so that the YAML need not repeat them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..model import naming

#: Class names the generated models module defines itself.
_TAKEN_CLASS_NAMES = frozenset({"Base"})


def singular(word: str) -> str:
    """``categories`` -> ``category``, ``boxes`` -> ``box``, ``status`` stays."""
    lower = word.lower()
    if re.search(r"[^aeiou]ies$", lower):
        return word[:-3] + ("Y" if word[-3].isupper() else "y")
    if re.search(r"(ss|us|is|ch|sh|x|z)es$", lower) and not lower.endswith("sses"):
        return word[:-2]
    if lower.endswith("sses"):
        return word[:-2]
    if lower.endswith("s") and not re.search(r"(ss|us|is)$", lower) and len(word) > 1:
        return word[:-1]
    return word


def _words(name: str) -> list[str]:
    """The words of a table or type name: ``OrderLines`` / ``order_lines`` -> order, lines."""
    return [w for w in re.split(r"[^0-9A-Za-z]+", naming.snake_case(name)) if w]


def class_name(name: str, *, singularize: bool) -> str:
    """A CamelCase Python class name for a table (singular) or an enum type."""
    words = _words(name)
    if singularize and words:
        words[-1] = singular(words[-1])
    result = "".join(w[:1].upper() + w[1:] for w in words) or "Unnamed"
    if result[0].isdigit():
        result = "T" + result
    if naming.is_python_keyword(result) or result in naming.AMBIGUOUS_NAMES:
        result += "Type"
    return result


def unique_name(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted2``, ``wanted3``... the first whose lower case is not in
    ``taken`` (lower-case names; names that differ only in case would clash in file
    names of the docs). The name's lower case is then taken."""
    name, number = wanted, 1
    while name.lower() in taken:
        number += 1
        name = f"{wanted}{number}"
    taken.add(name.lower())
    return name


def type_name_problem(key: str) -> str:
    """Why the language cannot name the type (an enum or a domain) the catalog keys
    ``key``, or "": its name and its schema must be identifiers (a name holding a
    dot, ``"a.b"``, or in a schema whose name holds one, ``"my.schema".code``, is
    neither)."""
    pg_schema, bare = naming.split_qualified(key)
    if not naming.is_identifier(bare) or naming.too_long(bare):
        return "the language needs a name of letters, digits and _"
    if pg_schema is not None and (
        not naming.is_identifier(pg_schema) or naming.too_long(pg_schema)
    ):
        return (
            f"its schema {pg_schema}: the language needs a schema name of letters, "
            "digits and _"
        )
    return ""


def class_names(names: Iterable[str], taken: set[str], *, singularize: bool) -> dict[str, str]:
    """A distinct class name for each table or type name, in sorted order. A name
    in another PostgreSQL schema (``billing.invoices``) is named after its bare
    name, after those of the default schema (which keep the plain class name)."""
    taken |= {n.lower() for n in _TAKEN_CLASS_NAMES}
    return {
        n: unique_name(class_name(naming.split_qualified(n)[1], singularize=singularize), taken)
        for n in sorted(names, key=lambda n: ("." in n, n))
    }


def python_name(name: str) -> str:
    """``name`` as a usable Python attribute: ``class`` -> ``class_``, ``2fa`` -> ``c_2fa``."""
    text = re.sub(r"[^0-9A-Za-z_]+", "_", name).strip("_") or "column"
    if text[0].isdigit():
        text = "c_" + text
    if (
        naming.is_python_keyword(text)
        or text in naming.RESERVED_ATTRIBUTES
        or text in naming.AMBIGUOUS_NAMES
    ):
        text += "_"
    return text


def usable_as_is(name: str) -> bool:
    """A column name the generated model can use as its attribute name."""
    return (
        naming.is_identifier(name)
        and not naming.is_python_keyword(name)
        and name not in naming.RESERVED_ATTRIBUTES
        and name not in naming.AMBIGUOUS_NAMES
    )


# --- the naming convention --------------------------------------------------------


@dataclass(frozen=True)
class Named:
    """A constraint or index name with what a convention template can use."""

    name: str
    table: str
    columns: tuple[str, ...]
    referred_table: str = ""

    def expand(self, template: str) -> str | None:
        try:
            return naming.apply_convention(
                template,
                table_name=self.table,
                columns=self.columns,
                referred_table_name=self.referred_table,
            )
        except ValueError:
            return None

    def follows(self, template: str) -> bool:
        return self.expand(template) == self.name


#: Templates seen in the wild, by key, most common first (PostgreSQL's own first).
KNOWN_TEMPLATES: dict[str, tuple[str, ...]] = {
    "pk": ("%(table_name)s_pkey", "pk_%(table_name)s"),
    "fk": (
        "%(table_name)s_%(column_0_N_name)s_fkey",
        "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "fk_%(table_name)s_%(column_0_N_name)s",
    ),
    "uq": (
        "%(table_name)s_%(column_0_N_name)s_key",
        "uq_%(table_name)s_%(column_0_N_name)s",
        "uq_%(table_name)s_%(column_0_name)s",
    ),
    "ix": (
        "ix_%(table_name)s_%(column_0_N_name)s",
        "ix_%(column_0_label)s",
        "%(table_name)s_%(column_0_N_name)s_idx",
        "idx_%(table_name)s_%(column_0_N_name)s",
    ),
}


def _derived(item: Named) -> str | None:
    """A template that spells ``item.name``, found by putting tokens in for its parts."""
    if "%" in item.name or not item.columns:
        return None
    text = item.name
    parts = [
        ("_".join(item.columns), "%(column_0_N_name)s"),
        (item.referred_table, "%(referred_table_name)s"),
        (item.table, "%(table_name)s"),
    ]
    for value, token in sorted(parts, key=lambda p: -len(p[0])):
        if value and value in text:
            text = text.replace(value, token, 1)
    return text if "%(table_name)s" in text else None


def choose_template(key: str, items: list[Named]) -> str:
    """The template that most ``items`` follow (the language's default on a tie or none).

    A column's primary or foreign key is named by the convention alone, so a
    known pattern that a single one follows is taken; unique constraints and
    indexes can be named one by one, so a pattern needs two followers to be worth
    a key. A pattern read off one name (``_derived``) needs two followers too,
    unless that name is the only one: among others it is that name's spelling,
    not a convention (Django puts a hash of its own in each key's name:
    ``ticket_user_id_123a4bd1_fk_auth_user_id`` would name every key added later
    with ``123a4bd1``).
    """
    default = naming.DEFAULT_NAMING_CONVENTION[key]
    candidates = [default, *KNOWN_TEMPLATES[key]]
    known = len(candidates)
    candidates += sorted({t for t in map(_derived, items) if t and t not in candidates})
    best, best_score = default, sum(item.follows(default) for item in items)
    least = 1 if key in ("pk", "fk") else 2
    for number, template in enumerate(candidates):
        score = sum(item.follows(template) for item in items)
        needed = least if number < known or len(items) == 1 else 2
        if score > best_score and score >= needed:
            best, best_score = template, score
    return best
