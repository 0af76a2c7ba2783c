"""Compare a live PostgreSQL database with the schema: one finding per difference.

Both sides are reduced to the same :class:`~schemagen.live.shapes.DatabaseShape`:
the actual side read from pg_catalog (:mod:`schemagen.live.introspect`), the
expected side built from the normalized Schema and normalized by the server
itself (:mod:`schemagen.live.expected`). The comparison is set algebra over
names, then one line per differing aspect.

This module imports psycopg; only ``schemagen check --database`` loads it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from ..errors import DatabaseError
from ..findings import UPGRADE_HINT, VALIDATED_BY_HAND, Finding
from ..model.inlists import key_in_lists
from ..model.naming import partition_table, split_qualified
from ..model.replication import replica_identity_statement, replica_identity_words
from ..model.schema import ReplicaIdentity, Schema, quote_name
from ..model.security import row_security_statements, row_security_words
from ..model.sqltext import printed_sql_text, quote_in, quote_qualified
from ..util.urls import parse, redact
from .aspects import aspect, describe_index, or_none, show
from .clustering import cluster_findings
from .comments import compare_comment
from .domains import compare_domains
from .expected import expected_shape, loose, normalize_expected
from .introspect import introspect
from .partition_checks import partition_check_findings
from .partition_indexes import partition_index_findings, without_copies
from .routines import routine_findings
from .sequences import compare_sequences
from .settings import ColumnSettings, implied, partition_findings, settings_findings
from .shapes import (
    AttachedTo,
    CatalogName,
    ColumnShape,
    DatabaseShape,
    ForeignKeyShape,
    InvalidIndex,
    PolicyShape,
    TableShape,
    UniqueShape,
)
from .undeclarable import undeclarable

# --- connecting ---------------------------------------------------------------


@contextmanager
def connect(url: str) -> Iterator[psycopg.Connection[Any]]:
    """Open a connection; every failure becomes a one-line DatabaseError without the password."""
    parsed = parse(url)
    try:
        conn = psycopg.connect(make_conninfo("", **parsed.params))
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        reason = reason.removeprefix("connection failed: ")
        # redacted apart: a URL pattern run over "URL: reason" would take the colon
        raise DatabaseError(
            f"cannot connect to {parsed.masked()}: {redact(reason, parsed.password)}"
        ) from None
    try:
        yield conn
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())
        raise DatabaseError(
            redact(f"query failed on {parsed.describe()}: {reason}", parsed.password)
        ) from None
    finally:
        conn.close()


def check_database(
    schema: Schema, url: str, *, history: tuple[str, ...] = (), head: str | None = None
) -> list[Finding]:
    """Compare the database at ``url`` with ``schema``; ``history``: revision ids in order."""
    with LiveCheck(url, schema.pg_schemas) as live:
        return live.finish(schema, history=history, head=head)


class LiveCheck:
    """A comparison whose database side is read while the caller builds the schema.

    Reading the catalog is mostly waiting on the server (about a second at 2,000
    tables), so a thread connects and introspects as soon as the PostgreSQL
    schemas to read are known, while the caller loads the schema and
    :meth:`finish` builds the expected side; then :meth:`finish` goes on alone
    on the same connection. Failures surface in :meth:`finish` exactly as
    :func:`check_database` raised them: every psycopg error becomes the same
    one-line :class:`DatabaseError`.
    """

    def __init__(self, url: str, pg_schemas: tuple[str, ...]) -> None:
        """Start connecting to ``url`` and reading the current schema and ``pg_schemas``."""
        self._session = ExitStack()
        self._conn: psycopg.Connection[Any] | None = None
        self._actual: DatabaseShape | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._read, args=(url, pg_schemas), name="schemagen-introspect", daemon=True
        )
        self._thread.start()

    def _read(self, url: str, pg_schemas: tuple[str, ...]) -> None:
        try:
            self._conn = self._session.enter_context(connect(url))
            self._actual = introspect(self._conn, pg_schemas)
        except BaseException as exc:  # noqa: BLE001 - handed to finish(), raised there
            self._error = exc

    def finish(
        self, schema: Schema, *, history: tuple[str, ...] = (), head: str | None = None
    ) -> list[Finding]:
        """The findings for ``schema`` (whose ``pg_schemas`` were the ones given)."""
        expected = expected_shape(schema)
        self._thread.join()
        with self._session:  # closes the connection; turns a psycopg error into DatabaseError
            if self._error is not None:
                raise self._error
            conn, actual = self._conn, self._actual
            assert conn is not None and actual is not None
            unknown = unknown_types(conn, schema)
            bound = bound_schemas(conn, set(expected.extensions) - actual.extensions)
            expected = normalize_expected(conn, expected, actual)
            routines = (
                routine_findings(conn, schema, actual.opclasses, actual.home)
                if actual.tables or not expected.tables else []
            )
            conn.rollback()
        findings = compare_revision(actual.revisions, history, head)
        pending = bool(findings)  # not at head: a revision to run may take what it built
        findings.extend(unknown)
        findings.extend(compare(expected, actual, bound, pending=pending))
        return findings + routines

    def __enter__(self) -> LiveCheck:
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the connection if :meth:`finish` was not reached (the caller failed)."""
        self._thread.join()
        self._session.close()


def unknown_types(conn: psycopg.Connection[Any], schema: Schema) -> list[Finding]:
    """Types the schema names by their PostgreSQL name that this database does not have
    (a typo, or an extension that is not installed): ``validate`` cannot know them."""
    users: dict[str, list[str]] = {}
    for ent in schema.entities:
        for col in ent.columns:
            ctype = col.type.of if col.type.kind == "array" and col.type.of else col.type
            if ctype.pgtype is not None:
                users.setdefault(ctype.pgtype, []).append(f"{ent.table}.{col.name}")
    if not users:
        return []
    names = sorted(users)
    with conn.cursor() as cur:
        cur.execute(
            "SELECT n FROM unnest(%s::text[]) AS n WHERE to_regtype(n) IS NULL", (names,)
        )
        missing = sorted(row[0] for row in cur.fetchall())
    return [
        _finding(
            f"type {name}",
            f"does not exist in the database (used by {', '.join(users[name])})",
            "install the extension that brings it and list it in database.extensions, "
            "or correct the type name",
        )
        for name in missing
    ]


def bound_schemas(conn: psycopg.Connection[Any], missing: set[str]) -> dict[str, str]:
    """The schema the control file of each of the ``missing`` extensions binds it to
    (``postgis_topology``: topology; ``adminpack``: pg_catalog): PostgreSQL makes it
    there alone, refusing ``CREATE EXTENSION ... SCHEMA`` another. Read only when an
    extension is missing (none at head: no statement)."""
    if not missing:
        return {}
    with conn.cursor() as cur:
        cur.execute(
            "SELECT e.name, v.schema FROM pg_available_extensions e "
            "JOIN pg_available_extension_versions v "
            "ON v.name = e.name AND v.version = e.default_version "
            "WHERE e.name = ANY(%s) AND v.schema IS NOT NULL",
            (sorted(missing),),
        )
        return {str(name): str(schema) for name, schema in cur.fetchall()}


# --- comparing ----------------------------------------------------------------


def compare_revision(
    revisions: tuple[str, ...] | None, history: tuple[str, ...], head: str | None
) -> list[Finding]:
    """Is the database at the head revision of the project's history?"""
    if head is None:
        return []
    if revisions is None:
        return [
            Finding(
                "revision",
                "database revision",
                f"the database has no alembic_version table; head is {head}",
                UPGRADE_HINT + " (or `alembic stamp head` if it was built another way)",
            )
        ]
    if not revisions:
        return [
            Finding(
                "revision",
                "database revision",
                f"alembic_version is empty (the database is at base); head is {head}",
                UPGRADE_HINT,
            )
        ]
    findings = []
    for rev in revisions:
        if rev == head:
            continue
        if rev in history:
            behind = len(history) - 1 - history.index(rev)
            plural = "s" if behind != 1 else ""
            message = (
                f"the database is at revision {rev}, {behind} revision{plural} behind head {head}"
            )
            findings.append(Finding("revision", "database revision", message, UPGRADE_HINT))
        else:
            message = (
                f"the database is at revision {rev}, which is not in this project's "
                f"migration history (head is {head})"
            )
            findings.append(
                Finding(
                    "revision",
                    "database revision",
                    message,
                    "was it migrated from another branch? check out that branch "
                    "and downgrade, or `alembic stamp` the right revision",
                )
            )
    return findings


def compare(
    expected: DatabaseShape,
    actual: DatabaseShape,
    bound: dict[str, str] | None = None,
    *,
    pending: bool = False,
) -> list[Finding]:
    """Every structural difference, tables first, then enums and extensions.

    A database without any table gets one line, not one per missing object.
    ``bound``: the schema each missing extension's control file binds it to
    (:func:`bound_schemas`), which its hint's ``CREATE EXTENSION`` names. ``pending``:
    the database is not at head, so a revision still to run may take an index a
    partition holds alone (one built ahead of its transaction).
    """
    if expected.tables and not actual.tables:
        count = len(expected.tables)
        return [_finding("database", f"has no tables; the schema has {count}", UPGRADE_HINT)]
    home = actual.home
    findings = [_invalid_index(found, home) for found in actual.invalid_indexes]
    findings += _compare_not_valid(expected, actual)
    findings += _missing_extra("table", set(expected.tables), set(actual.tables))
    for name in sorted(set(expected.tables) & set(actual.tables)):
        findings += compare_table(
            name, expected.tables[name], actual.tables[name], home, pending=pending
        )
    findings += _missing_extra("enum", set(expected.enums), set(actual.enums))
    for name in sorted(set(expected.enums) & set(actual.enums)):
        findings += _compare_enum(name, expected.enums[name], actual.enums[name])
    findings += _missing_extra(
        "extension",
        set(expected.extensions),
        set(actual.extensions),
        schemas={**dict.fromkeys(expected.extensions, home), **(bound or {})},
    )
    findings += compare_sequences(expected, actual, _finding, _missing_extra)
    findings += compare_domains(expected.domains, actual.domains, _finding, _missing_extra)
    findings += [
        _finding(f"domain check {name}", "is NOT VALID: rows written before it were never checked")
        for name in actual.not_valid_domain_checks
    ]
    return findings


def _invalid_index(found: InvalidIndex, home: str | None) -> Finding:
    """``home``: the current schema, which qualifies the hint's DROP of an index of
    one of its tables (keyed bare), so the DROP runs whatever the search_path."""
    table, index, partitioned, top = found[:4]
    # the index's name whole (one made by hand may hold a dot), in its table's schema,
    # read apart (the table's key does not split back where its name holds a dot)
    where = quote_in(found.schema or split_qualified(table)[0] or home, index)
    if partitioned or top is not None:
        # PostgreSQL refuses DROP INDEX CONCURRENTLY of a partitioned index, and the
        # rerun finishes the build rather than starting it again
        named, finish = without_copies(found, where)
        return _finding(
            f"index {index} on {table}",
            "is INVALID: its build partition by partition failed or was cancelled "
            "before every partition's index was attached, so a partition without one "
            f"is neither indexed nor, for a unique index, checked{named}",
            f"index {index}: {_part_of(top)}fix what made the build fail (e.g. duplicate "
            "rows), then rerun `alembic upgrade head`: it builds and attaches the "
            "partitions' missing indexes, and the index is valid once the last is "
            f"attached (by hand: {_drop_by_hand(where, index, top, home)}it holds ACCESS "
            f"EXCLUSIVE on {top.table if top else table} and each of its partitions until "
            f"it commits; the rerun then builds it again){finish}",
        )
    return _finding(
        f"index {index} on {table}",
        "is INVALID: a CREATE INDEX CONCURRENTLY failed or was cancelled, so it "
        "enforces nothing and serves no query",
        f"index {index}: fix what made the build fail (e.g. duplicate rows), then rerun "
        "the alembic upgrade or downgrade that failed: it drops the INVALID index and "
        f"builds it again (by hand: DROP INDEX CONCURRENTLY {where})",
    )


def _part_of(top: AttachedTo | None) -> str:
    if top is None:
        return ""
    return f"it is attached to index {top.name} on {top.table}, whose build it is part of: "


def _drop_by_hand(where: str, index: str, top: AttachedTo | None, home: str | None) -> str:
    """The DROP INDEX that PostgreSQL takes: an index attached to another is
    dropped only with the one at the top of its tree ("index ... requires it");
    ``where``: the index qualified."""
    if top is None:
        return (
            f"DROP INDEX {where}, not CONCURRENTLY, which PostgreSQL refuses for "
            "a partitioned index: "
        )
    name = quote_in(top.schema or home, top.name)
    return (
        f"DROP INDEX {name}, which drops it with every index attached below it; not "
        f"{index} alone, which PostgreSQL refuses while it is attached, nor CONCURRENTLY, "
        "which it refuses for a partitioned index: "
    )


def _compare_not_valid(expected: DatabaseShape, actual: DatabaseShape) -> list[Finding]:
    """Constraints NOT VALID in the database that the schema does not declare so
    (a failed revision), and checks and foreign keys declared ``validated: false``
    that the database holds validated (by hand); one missing on either side is
    reported as missing or extra alone."""
    declared = set(expected.not_valid_constraints)
    findings = [
        _not_valid(*found, actual.home, actual.not_valid_tables.get(found[0]))
        for found in actual.not_valid_constraints
        if found not in declared
    ]
    for table, kind, name in expected.not_valid_constraints:
        exp, act = expected.tables.get(table), actual.tables.get(table)
        held = "checks" if kind == "check constraint" else "foreign_keys"
        if exp is None or act is None:
            continue
        if name not in getattr(exp, held) or name not in getattr(act, held):
            continue
        if (table, kind, name) not in actual.not_valid_constraints:
            findings.append(
                _finding(
                    f"{kind} {name} on {table}",
                    f"{VALIDATED_BY_HAND}, NOT VALID in the schema (validated: false)",
                    f"{kind} {name}: it was validated by hand, so the rows hold it: "
                    "declare it validated (leave out validated: false) and run schemagen "
                    "migrate (its VALIDATE CONSTRAINT finds it valid and reads no row)",
                )
            )
    return findings


def _not_valid(
    table: str, kind: str, name: str, home: str | None, named: CatalogName | None
) -> Finding:
    """``named``: the table's schema and name apart, as the catalog has them (its key
    does not split back where its name holds a dot: public."x.notes" is x.notes)."""
    where = quote_in(named.schema, named.name) if named else quote_qualified(table, home)
    return _finding(
        f"{kind} {name} on {table}",
        "is NOT VALID: it was added NOT VALID and never validated (a revision failed "
        "between ADD CONSTRAINT ... NOT VALID and VALIDATE CONSTRAINT), so the rows "
        "that were there before are unchecked and may break it",
        f"{kind} {name}: fix the rows that break it, then rerun the alembic upgrade or "
        "downgrade that failed: it validates the constraint (by hand: ALTER TABLE "
        f"{where} VALIDATE CONSTRAINT {quote_name(name)})",
    )


def compare_table(
    table: str, exp: TableShape, act: TableShape, home: str | None = None, *, pending: bool = False
) -> list[Finding]:
    """Columns, primary key, unique/check/foreign-key constraints and indexes of one table;
    ``home``: the current schema, which the hints' statements name a bare table's by;
    ``pending``: as :func:`compare`'s."""
    if exp == act:  # a table at head: nothing to describe, and most tables are
        return []
    findings = _missing_extra("column", set(exp.columns), set(act.columns), prefix=f"{table}.")
    for name in sorted(set(exp.columns) & set(act.columns)):
        findings += _compare_column(table, name, exp.columns[name], act.columns[name], home)
        findings += compare_comment(
            f"column {table}.{name}",
            f"COLUMN {quote_qualified(table, home)}.{quote_name(name)}",
            exp.columns[name].comment,
            act.columns[name].comment,
        )
    findings += compare_comment(
        f"table {table}", f"TABLE {quote_qualified(table, home)}", exp.comment, act.comment
    )
    findings += _compare_primary_key(table, exp.primary_key, act.primary_key)
    findings += _compare_uniques(table, exp, act)
    findings += _compare_named(table, "check constraint", exp.checks, act.checks, _describe_check)
    findings += _compare_named(
        table, "exclusion constraint", exp.excludes, act.excludes, _describe_exclude
    )
    findings += _compare_named(
        table, "foreign key", exp.foreign_keys, act.foreign_keys, _describe_fk
    )
    findings += _compare_named(table, "index", exp.indexes, act.indexes, describe_index)
    findings += _compare_partitions(table, exp, act, home)
    findings += _compare_security(table, exp, act, home)
    findings += _compare_replica_identity(table, exp.replica_identity, act.replica_identity, home)
    quoted = {key: quote_in(n.schema, n.name) for key, n in act.partition_names.items()}
    if exp.partition_settings != act.partition_settings:
        findings += partition_findings(
            table,
            # every level's: a sub-partition holds settings of its own too
            [*act.partitions, *(p for parts in act.sub_partitions.values() for p in parts)],
            set(exp.columns) & set(act.columns),
            implied({n: ColumnSettings(None, c.storage) for n, c in exp.columns.items()}),
            act.partition_settings,
            home,
            quoted,
        )
    findings += partition_index_findings(table, act.partition_indexes, pending)
    findings += partition_check_findings(table, act.partition_checks, pending)
    findings += undeclarable(table, act.rules, act.statistics, home)
    for partition, (rules, statistics) in sorted(act.partition_extras.items()):
        findings += undeclarable(partition, rules, statistics, home)
    return findings + cluster_findings(
        table, exp.cluster_on, act.clustered, home, act.partition_names
    )


def _compare_replica_identity(
    table: str, exp: ReplicaIdentity | None, act: ReplicaIdentity | None, home: str | None
) -> list[Finding]:
    """REPLICA IDENTITY as declared (what logical replication and CDC rely on)."""
    if exp == act:
        return []
    if act is not None and act.kind == "index" and act.index is None:
        state = "using an index dropped since (nothing is sent)"
    else:
        state = replica_identity_words(act)
    restore = replica_identity_statement(table, exp, home)
    return [
        _finding(
            f"table {table}",
            f"replica identity is {state} in the database, "
            f"{replica_identity_words(exp)} in the schema",
            f"run `{restore}` (or `alembic upgrade head`), or write the database's "
            "identity into schema/ (replica_identity:)",
        )
    ]


def _compare_security(
    table: str, exp: TableShape, act: TableShape, home: str | None
) -> list[Finding]:
    """Row-level security on, off or forced, then the policies by name."""
    findings = []
    if exp.row_security != act.row_security:
        restore = "; ".join(
            row_security_statements(table, act.row_security, exp.row_security, home)
        )
        findings.append(
            _finding(
                f"table {table}",
                f"row-level security is {row_security_words(act.row_security)} in the "
                f"database, {row_security_words(exp.row_security)} in the schema",
                f"run `{restore}` (or `alembic upgrade head`), or write the database's "
                "state into schema/",
            )
        )
    findings += _missing_extra(
        "policy", set(exp.policies), set(act.policies), suffix=f" on {table}"
    )
    for name in sorted(set(exp.policies) & set(act.policies)):
        obj = f"policy {name} on {table}"
        findings += [
            _finding(obj, message)
            for message in _describe_policy(exp.policies[name], act.policies[name])
        ]
        # its comment last, with the statement that sets it as hint (at head a
        # migration changes no comment)
        findings += compare_comment(
            obj,
            f"POLICY {quote_name(name)} ON {quote_qualified(table, home)}",
            exp.policies[name].comment,
            act.policies[name].comment,
        )
    return findings


def _describe_policy(exp: PolicyShape, act: PolicyShape) -> list[str]:
    return (
        aspect("command is", exp.command, act.command)
        + aspect("permissive:", exp.permissive, act.permissive)
        + aspect("roles", exp.roles, act.roles)
        + aspect("USING is", exp.using, act.using)
        + aspect("WITH CHECK is", exp.with_check, act.with_check)
    )


def _compare_partitions(
    table: str, exp: TableShape, act: TableShape, home: str | None
) -> list[Finding]:
    """The partition key, then partitions by name: missing, extra, another bound; then
    the key and the partitions of each partition partitioned in turn, level by level."""
    if not _same_key(exp.partition_key, act.partition_key):
        return [
            _finding(
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
    findings = _compare_named(parent, "partition", exp_parts, act_parts, _describe_bound)
    for name in sorted(set(exp_parts) & set(act_parts)):
        expected, actual = exp.partition_keys.get(name), act.partition_keys.get(name)
        own = name if "." in name else partition_table(table, name)
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
    return _finding(
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


def _finding(obj: str, message: str, hint: str = "") -> Finding:
    return Finding("database", obj, _one_line(message), hint)


def _one_line(text: str) -> str:
    """PostgreSQL pretty-prints a CASE in a check or predicate over several indented
    lines; a finding is one line, so each line break and its indent become a space."""
    return re.sub(r"\s*\n\s*", " ", text)


def _missing_extra(
    what: str,
    expected: set[str],
    actual: set[str],
    prefix: str = "",
    suffix: str = "",
    schemas: dict[str, str | None] | None = None,
) -> list[Finding]:
    """``schemas``: the schema a missing extension's hint makes it in."""
    findings = [
        _finding(
            f"{what} {prefix}{n}{suffix}",
            "missing from the database",
            UPGRADE_HINT if what != "extension" else _create_extension(n, (schemas or {}).get(n)),
        )
        for n in sorted(expected - actual)
    ]
    findings += [
        _finding(
            f"{what} {prefix}{n}{suffix}",
            "in the database but not in the schema",
            "add it to schema/ or drop it from the database",
        )
        for n in sorted(actual - expected)
    ]
    return findings


def _create_extension(name: str, schema: str | None) -> str:
    """The statement that makes a missing extension where migrations make it: in the
    schema its control file binds it to, else the current schema (a session's first
    schema, pg_catalog say, would take it otherwise)."""
    where = "" if schema is None else f" SCHEMA {quote_name(schema)}"
    return f"run `CREATE EXTENSION {quote_name(name)}{where}` or `alembic upgrade head`"


def _compare_column(
    table: str, column: str, exp: ColumnShape, act: ColumnShape, home: str | None
) -> list[Finding]:
    obj = f"{table}.{column}"
    messages = []
    findings = []
    if exp.type != act.type and {exp.type, act.type} <= _INTEGERS:
        findings.append(_integer_width(table, column, (exp.type, act.type), home))
    elif exp.type != act.type:
        messages.append(f"type is {act.type} in the database, {exp.type} in the schema")
    if exp.collation != act.collation:
        messages.append(
            f"collation is {or_none(act.collation)} in the database, "
            f"{or_none(exp.collation)} in the schema"
        )
    if exp.nullable != act.nullable:
        messages.append(
            f"{_null(act.nullable)} in the database, {_null(exp.nullable)} in the schema"
        )
    if exp.identity != act.identity:
        where = "the schema" if exp.identity else "the database"
        messages.append(f"an identity column in {where} only (GENERATED BY DEFAULT AS IDENTITY)")
    elif exp.identity and exp.identity_options != act.identity_options:
        messages.append(
            f"identity is {_identity_words(act.identity_options)} in the database, "
            f"{_identity_words(exp.identity_options)} in the schema"
        )
    if exp.identity and act.identity and exp.identity_sequence != act.identity_sequence:
        messages.append(
            f"identity sequence is {act.identity_sequence} in the database, "
            f"{exp.identity_sequence} in the schema (identity: {{name: ...}})"
        )
    if exp.default != act.default:
        messages.append(
            f"default is {or_none(act.default)} in the database, "
            f"{or_none(exp.default)} in the schema"
        )
    if exp.generated != act.generated:
        messages.append(
            f"generated as {or_none(act.generated)} in the database, "
            f"{or_none(exp.generated)} in the schema"
        )
    findings += [_finding(f"column {obj}", message) for message in messages]
    return findings + settings_findings(
        obj,
        ColumnSettings(exp.statistics, exp.storage),
        ColumnSettings(act.statistics, act.storage, act.type_storage),
        home=home,
    )


#: The integer types (format_type's words) one btree operator family holds: a foreign
#: key may pair any two, so a column's width is declared apart from what it references.
_INTEGERS = frozenset({"smallint", "integer", "bigint"})


def _integer_width(
    table: str, column: str, types: tuple[str, str], home: str | None
) -> Finding:
    """A column of another integer width than declared (``types``: the schema's, the
    database's), with the ALTER that gives it the declared one (PostgreSQL makes a
    foreign key over the column, or referencing it, again and checks its rows under
    the same lock)."""
    want, have = types
    alter = (
        f"ALTER TABLE {quote_qualified(table, home)} ALTER COLUMN {quote_name(column)} "
        f"TYPE {want}"
    )
    return _finding(
        f"column {table}.{column}",
        f"type is {have} in the database, {want} in the schema",
        f"run `{alter}` (it rewrites the table under ACCESS EXCLUSIVE; a value that does "
        f"not fit in {want} stops it), or write the database's into schema/ (type: {have})",
    )


def _identity_words(facts: tuple[object, ...] | None) -> str:
    """``ALWAYS, start 100, increment 10, min 100, max 2147483647, cache 1``."""
    if facts is None:
        return "BY DEFAULT with the type's options"
    always, start, increment, minimum, maximum, cycle, cache = facts
    when = "ALWAYS" if always else "BY DEFAULT"
    cycles = ", cycle" if cycle else ""
    return (
        f"{when}, start {start}, increment {increment}, min {minimum}, max {maximum}, "
        f"cache {cache}{cycles}"
    )


def _null(nullable: bool) -> str:
    return "nullable" if nullable else "NOT NULL"


def _compare_primary_key(
    table: str,
    exp: tuple[str, tuple[str, ...]] | None,
    act: tuple[str, tuple[str, ...]] | None,
) -> list[Finding]:
    if exp == act:
        return []
    if act is None:
        return [_finding(f"primary key of {table}", "missing from the database", UPGRADE_HINT)]
    if exp is None:
        return [
            _finding(
                f"primary key {act[0]}",
                "in the database but not in the schema (which says primary_key: false)",
            )
        ]
    return [
        _finding(
            f"primary key of {table}",
            f"is {act[0]} ({', '.join(act[1])}) in the database, "
            f"{exp[0]} ({', '.join(exp[1])}) in the schema",
        )
    ]


def _compare_named(
    table: str, what: str, exp: dict[str, Any], act: dict[str, Any], describe: Any
) -> list[Finding]:
    """Set algebra over constraint or index names, then one line per differing aspect."""
    suffix = f" on {table}"
    findings = _missing_extra(what, set(exp), set(act), suffix=suffix)
    for name in sorted(set(exp) & set(act)):
        findings += [
            _finding(f"{what} {name}{suffix}", message)
            for message in describe(exp[name], act[name])
        ]
    return findings


def _compare_uniques(table: str, exp: TableShape, act: TableShape) -> list[Finding]:
    """The unique constraints; one the table lacks that partitions hold over its
    columns, with no constraint of the table holding theirs, is half built (a build
    partition by partition, revision.partition_uniques, cut short before the
    table's ADD CONSTRAINT), which the rerun finishes."""
    findings = _compare_named(
        table, "unique constraint", exp.uniques, act.uniques, _describe_unique
    )
    for name in sorted(set(exp.uniques) - set(act.uniques)):
        columns = ", ".join(quote_name(c) for c in exp.uniques[name].columns)
        held = sorted(
            {p for p, definition in act.partition_uniques
             if re.fullmatch(rf"UNIQUE \({re.escape(columns)}\)( .*)?", definition)}
        )
        if not held:
            continue
        obj = f"unique constraint {name} on {table}"
        half = _finding(
            obj,
            "half built: a build partition by partition was cut short before the table's "
            f"constraint; {_holding(held)} over ({columns}), the table none",
            "rerun `alembic upgrade head` (or the downgrade that failed): it finishes the "
            "build, the remaining partitions' then the table's constraint, which takes "
            "the partitions' without building them again",
        )
        findings = [half if f.object == obj else f for f in findings]
    return findings


def _holding(partitions: list[str]) -> str:
    if len(partitions) == 1:
        return f"partition {partitions[0]} holds a unique constraint of its own"
    return f"partitions {', '.join(partitions)} hold unique constraints of their own"


def _describe_unique(exp: UniqueShape, act: UniqueShape) -> list[str]:
    return (
        aspect("columns", exp.columns, act.columns)
        + aspect("DEFERRABLE:", exp.deferrable, act.deferrable)
        + aspect("INITIALLY DEFERRED:", exp.initially_deferred, act.initially_deferred)
    )


def _describe_check(exp: str, act: str) -> list[str]:
    return aspect("expression is", exp, act)


def _describe_exclude(exp: str, act: str) -> list[str]:
    return aspect("definition is", exp, act)


def _describe_fk(exp: ForeignKeyShape, act: ForeignKeyShape) -> list[str]:
    return (
        aspect("columns", exp.columns, act.columns)
        + aspect(
            "references",
            f"{exp.ref_table}{show(exp.ref_columns)}",
            f"{act.ref_table}{show(act.ref_columns)}",
        )
        + aspect("ON DELETE", exp.on_delete, act.on_delete)
        + aspect("ON UPDATE", exp.on_update, act.on_update)
        + aspect("MATCH", exp.match, act.match)
        + aspect("DEFERRABLE:", exp.deferrable, act.deferrable)
        + aspect("INITIALLY DEFERRED:", exp.initially_deferred, act.initially_deferred)
    )


def _compare_enum(name: str, exp: tuple[str, ...], act: tuple[str, ...]) -> list[Finding]:
    if exp == act:
        return []
    added = [v for v in act if v not in exp]
    missing = [v for v in exp if v not in act]
    parts = []
    if added:
        parts.append("value(s) " + ", ".join(repr(v) for v in added) + " only in the database")
    if missing:
        parts.append(
            "value(s) " + ", ".join(repr(v) for v in missing) + " missing from the database"
        )
    if not parts:
        parts.append("values are in a different order")
    detail = (
        f"{'; '.join(parts)}: ({', '.join(act)}) in the database, ({', '.join(exp)}) in the schema"
    )
    return [_finding(f"enum {name}", detail)]
