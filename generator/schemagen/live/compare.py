"""Compare a live PostgreSQL database with the schema: one finding per difference.

Both sides are reduced to the same :class:`~schemagen.live.shapes.DatabaseShape`:
the actual side read from pg_catalog (:mod:`schemagen.live.introspect`), the
expected side built from the normalized Schema and normalized by the server
itself (:mod:`schemagen.live.expected`). The comparison is set algebra over
names, then one line per differing aspect: this module holds the run and the
order of its phases (the revision, the tables, enums, extensions, sequences and
domains); one table is compared by :mod:`.tables`, its columns by :mod:`.columns`,
its constraints by :mod:`.constraints`, its partition tree by
:mod:`.partition_trees`; an INVALID index is worded by :mod:`.invalid_indexes`,
and every finding by :mod:`.drift`. The connection is :mod:`.connection`'s.

This module imports psycopg; only ``schemagen check --database`` loads it.
"""

from __future__ import annotations

import threading
from contextlib import ExitStack
from typing import Any

import psycopg

from ..config import DEFAULT_LOCK_TIMEOUT
from ..findings import UPGRADE_HINT, Finding
from ..model.schema import Schema
from .connection import connect
from .constraints import compare_not_valid
from .domains import compare_domains
from .drift import finding, missing_extra
from .expected import expected_shape, normalize_expected
from .introspect import introspect
from .invalid_indexes import invalid_index
from .routines import routine_findings
from .sequences import compare_sequences
from .shapes import DatabaseShape
from .tables import compare_table


def check_database(
    schema: Schema,
    url: str,
    *,
    history: tuple[str, ...] = (),
    head: str | None = None,
    lock_timeout: str = DEFAULT_LOCK_TIMEOUT,
) -> list[Finding]:
    """Compare the database at ``url`` with ``schema``; ``history``: revision ids in
    order; a wait for a table lock ends after ``lock_timeout``."""
    with LiveCheck(url, schema.pg_schemas, lock_timeout=lock_timeout) as live:
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

    def __init__(
        self, url: str, pg_schemas: tuple[str, ...], *, lock_timeout: str = DEFAULT_LOCK_TIMEOUT
    ) -> None:
        """Start connecting to ``url`` and reading the current schema and ``pg_schemas``;
        a wait for a table lock ends after ``lock_timeout``."""
        self._lock_timeout = lock_timeout
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
            self._conn = self._session.enter_context(connect(url, lock_timeout=self._lock_timeout))
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
                if actual.tables or not expected.tables
                else []
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
        cur.execute("SELECT n FROM unnest(%s::text[]) AS n WHERE to_regtype(n) IS NULL", (names,))
        missing = sorted(row[0] for row in cur.fetchall())
    return [
        finding(
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
        return [finding("database", f"has no tables; the schema has {count}", UPGRADE_HINT)]
    home = actual.home
    findings = [invalid_index(found, home) for found in actual.invalid_indexes]
    findings += compare_not_valid(expected, actual)
    findings += missing_extra("table", set(expected.tables), set(actual.tables))
    for name in sorted(set(expected.tables) & set(actual.tables)):
        findings += compare_table(
            name, expected.tables[name], actual.tables[name], home, pending=pending
        )
    findings += missing_extra("enum", set(expected.enums), set(actual.enums))
    for name in sorted(set(expected.enums) & set(actual.enums)):
        findings += _compare_enum(name, expected.enums[name], actual.enums[name])
    findings += missing_extra(
        "extension",
        set(expected.extensions),
        set(actual.extensions),
        schemas={**dict.fromkeys(expected.extensions, home), **(bound or {})},
    )
    findings += compare_sequences(expected, actual, finding, missing_extra)
    findings += compare_domains(expected.domains, actual.domains, finding, missing_extra)
    findings += [
        finding(f"domain check {name}", "is NOT VALID: rows written before it were never checked")
        for name in actual.not_valid_domain_checks
    ]
    return findings


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
    return [finding(f"enum {name}", detail)]
