"""Names: the SQLAlchemy-style naming convention, table names, identifiers."""

from __future__ import annotations

import keyword
import re

#: Used when ``database.naming_convention`` does not override a key.
DEFAULT_NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Attribute names that SQLAlchemy's declarative base reserves.
RESERVED_ATTRIBUTES = frozenset({"metadata", "registry"})

#: Names that read like 1 and 0, which linters refuse for a class, attribute or
#: variable (pycodestyle's E741, E742, in ruff's default set): models.py must pass
#: ruff, so no class, attribute or enum member takes one.
AMBIGUOUS_NAMES = frozenset({"I", "O", "l"})

# PostgreSQL's reserved and type/function-name keywords (its
# kwlist.h): as identifiers they need quotes. Kept here as data so that
# rendering never imports SQLAlchemy or the parser.
SQL_KEYWORDS = frozenset(
    (
        "all analyse analyze and any array as asc asymmetric authorization binary both case cast "
        "check collate collation column concurrently constraint create cross current_catalog "
        "current_date current_role current_schema current_time current_timestamp current_user "
        "default deferrable desc distinct do else end except false fetch for foreign freeze from "
        "full grant group having ilike in initially inner intersect into is isnull join lateral "
        "leading left like limit localtime localtimestamp natural not notnull null offset on only "
        "or order outer overlaps placing primary references returning right select session_user "
        "similar some symmetric system_user table tablesample then to trailing true union unique "
        "user using variadic verbose when where window with "
    ).split()
)

#: PostgreSQL's column-name keywords (``pg_get_keywords()``, category C). Its
#: ``quote_identifier`` quotes them as well as the reserved and type or function
#: name keywords (:data:`SQL_KEYWORDS`); ``tests/live/test_introspect.py``
#: compares both with the server's list.
COL_NAME_KEYWORDS = frozenset(
    (
        "between bigint bit boolean char character coalesce dec decimal exists extract float "
        "greatest grouping inout int integer interval least national nchar none normalize "
        "nullif numeric out overlay position precision real row setof smallint substring time "
        "timestamp treat trim values varchar xmlattributes xmlconcat xmlelement xmlexists "
        "xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable"
    ).split()
)

_PLAIN_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def format_name(name: str) -> str:
    """A type name as ``format_type`` prints it: each part of ``billing.mood``
    quoted where PostgreSQL's ``quote_identifier`` quotes (capitals, a ``$``, a
    keyword other than an unreserved one), without asking the server."""
    return ".".join(
        part
        if _PLAIN_NAME.match(part) and part not in SQL_KEYWORDS and part not in COL_NAME_KEYWORDS
        else '"' + part.replace('"', '""') + '"'
        for part in name.split(".")
    )


def type_needs_quotes(name: str) -> bool:
    """Whether PostgreSQL needs ``name`` (one part) quoted where it names a type.

    SQLAlchemy quotes reserved words and capitals, but not the keywords that may
    name a column yet not a type (``position``, ``over``, ``new``): a column of
    an enum named ``position`` must be ``place "position"``, or the statement is a
    syntax error. models.py and revisions then pass ``quote=True``."""
    return format_name(name) != name


MAX_IDENTIFIER_BYTES = 63
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SQL_NAME = re.compile(r"^[A-Za-z0-9_]+$")


def apply_convention(
    template: str,
    *,
    table_name: str,
    columns: tuple[str, ...] = (),
    referred_table_name: str = "",
    constraint_name: str = "",
) -> str:
    """Expand a naming-convention template the way SQLAlchemy does."""
    tokens = {
        "table_name": table_name,
        "referred_table_name": referred_table_name,
        "constraint_name": constraint_name,
        "column_0_name": columns[0] if columns else "",
        "column_0_label": f"{table_name}_{columns[0]}" if columns else table_name,
        "column_0N_name": "".join(columns),
        "column_0_N_name": "_".join(columns),
        "column_0_N_label": "_".join(f"{table_name}_{c}" for c in columns),
    }
    try:
        return template % tokens
    except (KeyError, ValueError, TypeError) as exc:
        raise ValueError(f"bad naming-convention template {template!r}: {exc}") from None


def qualify(schema: str | None, name: str) -> str:
    """A name as ``regclass`` prints it: ``billing.invoices`` for an object in a
    PostgreSQL schema other than the database's default one, else the bare name.

    Tables, enum types and sequences are keyed by this text throughout (names
    in the language hold no ``.``, so it splits back without doubt).
    """
    return f"{schema}.{name}" if schema else name


def catalog_key(schema: str | None, name: str) -> str:
    """The key of the catalog's object ``name`` in ``schema`` (None: the current one),
    as ``live.introspect.QUALIFIED_KEY`` makes it: :func:`qualify`'s text, a part that
    holds a dot or a double quote quoted as PostgreSQL quotes it (``"sales.x"``,
    ``"my.schema".codes``), so that :func:`split_qualified` splits it back. The
    language's names hold neither: their keys are :func:`qualify`'s."""
    return qualify(None if schema is None else _key_part(schema), _key_part(name))


def _key_part(name: str) -> str:
    if "." in name or '"' in name:
        return '"' + name.replace('"', '""') + '"'
    return name


#: A part of a key ({part}, SQL giving text) quoted as PostgreSQL quotes it where it
#: holds a dot or a double quote, so that no key reads as another: public."sales.x" is
#: "sales.x", sales.x is sales.x (:func:`catalog_key`'s ``_key_part`` in SQL).
_KEY_PART_SQL = (
    "CASE WHEN strpos({part}, '.') + strpos({part}, '\"') > 0 THEN quote_ident({part}) "
    "ELSE {part} END"
)


def catalog_key_sql(home: str, ns: str, name: str) -> str:
    """SQL naming an object ``name`` (SQL giving text) of the namespace ``ns`` (its
    oid) as :func:`catalog_key` does: bare where ``home`` (SQL giving a boolean)
    holds, else schema.name, each part quoted where it holds a dot or a double
    quote. Not ``regclass``'s text, which is bare wherever the search_path finds the
    object first and quotes every name PostgreSQL would (``"Archive"``)."""
    bare = _KEY_PART_SQL.format(part=name)
    schema = _KEY_PART_SQL.format(part="nspname::text")
    return (
        f"CASE WHEN {home} THEN {bare} ELSE (SELECT {schema} FROM pg_namespace "
        f"WHERE oid = {ns}) || '.' || {bare} END"
    )


def current_schema_key_sql(ns: str, name: str) -> str:
    """SQL giving the key of ``name`` (SQL giving text) in the namespace ``ns``: bare
    in the connection's current schema (the model's home), else qualified
    (:func:`catalog_key_sql`)."""
    return catalog_key_sql(f"{ns} = to_regnamespace(current_schema())", ns, name)


def split_qualified(name: str) -> tuple[str | None, str]:
    """``billing.invoices`` -> ``("billing", "invoices")``; ``invoices`` -> ``(None, ...)``.

    A part in double quotes is one name, its dots its own: the catalog keys an object
    whose schema or name holds a dot so (``"sales.x"``, public's table ``sales.x``, is
    ``(None, "sales.x")``; ``"my.schema".codes`` is ``("my.schema", "codes")``), and
    ``format_type`` prints a type so. The language's names hold no dot nor quote.
    """
    if name.startswith('"'):
        first, rest = _quoted_part(name)
        if first is not None and not rest:
            return None, first
        if first is not None and rest.startswith("."):
            return first, _unquoted(rest[1:])
    schema, dot, bare = name.partition(".")
    return (schema, _unquoted(bare)) if dot else (None, name)


def _quoted_part(text: str) -> tuple[str | None, str]:
    """The identifier in double quotes that ``text`` starts with (``""`` is one quote
    in it) and the text after it; (None, text) when its quote is never closed."""
    at = 1
    while (end := text.find('"', at)) != -1:
        if text.startswith('""', end):
            at = end + 2
            continue
        return text[1:end].replace('""', '"'), text[end + 1 :]
    return None, text


def _unquoted(part: str) -> str:
    """``part`` without its double quotes where it is one quoted identifier whole."""
    if part.startswith('"'):
        inner, rest = _quoted_part(part)
        if inner is not None and not rest:
            return inner
    return part


def in_schema_of(table: str, name: str) -> str:
    """``name`` keyed in the PostgreSQL schema of ``table`` (where its indexes,
    constraints and partitions live): ``billing.invoices``, ``ix`` -> ``billing.ix``."""
    return qualify(split_qualified(table)[0], name)


def partition_table(parent: str, partition: str) -> str:
    """The key of a partition's own table: a partition lives in its parent's
    PostgreSQL schema (``billing.payout_events`` -> ``billing.payout_events_2026_01``).

    The catalog names a partition in its tree as a key's part (``"archive.p"``, a name
    holding a dot, lives in the parent's schema too: ``billing."archive.p"``), and one
    in another schema by its key (``archive.p``), which is its table's key already."""
    if split_qualified(partition)[0] is not None:
        return partition
    return in_schema_of(parent, partition)


def snake_case(name: str) -> str:
    """``SubscriptionStatus`` -> ``subscription_status``; ``HTTPLog`` -> ``http_log``."""
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


def pluralize(word: str) -> str:
    """Simple English plural for default table names (``category`` -> ``categories``)."""
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def default_table_name(entity_name: str) -> str:
    """``ProductVariant`` -> ``product_variants``."""
    return pluralize(snake_case(entity_name))


def is_identifier(name: str) -> bool:
    """A plain (unquoted-safe) SQL/Python identifier: letters, digits, underscores."""
    return bool(_IDENTIFIER.match(name))


def is_sql_name(name: str) -> bool:
    """A table or column name the language takes: letters, digits, underscores, in any
    order (one that starts with a digit is quoted in SQL, and needs ``attribute:``)."""
    return bool(_SQL_NAME.match(name))


def too_long(name: str) -> bool:
    return len(name.encode("utf-8")) > MAX_IDENTIFIER_BYTES


def is_python_keyword(name: str) -> bool:
    """A name Python cannot use as an identifier.

    Soft keywords (``match``, ``case``, ``_``, and ``type`` since 3.12) are
    valid attribute and class names, and their list grows with the Python
    version: counting them would make a column named ``type`` valid on 3.11
    and invalid on 3.12.
    """
    return keyword.iskeyword(name)


def enum_member_name(value: str) -> str:
    """A valid upper-case member name for an enum value: ``in-progress`` -> ``IN_PROGRESS``;
    ``i`` and ``o`` -> ``I_``, ``O_``, as a keyword (:data:`AMBIGUOUS_NAMES`)."""
    name = re.sub(r"[^0-9A-Za-z_]+", "_", value).strip("_").upper()
    if not name:
        name = "VALUE"
    if name[0].isdigit():
        name = "V_" + name
    if keyword.iskeyword(name) or name in AMBIGUOUS_NAMES:
        name += "_"
    return name
