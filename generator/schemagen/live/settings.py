"""A column's statistics target and storage, and what a partition holds of its own of
the settings the language declares on its table, compared with the schema.

``statistics:`` and ``storage:`` are declared on a table's columns, and
``replica_identity:`` on a table that is not partitioned; a partition takes its
table's storage when it is made and has no declaration of its own. A DBA's
``ALTER TABLE payments_2024 REPLICA IDENTITY FULL`` or ``SET STORAGE MAIN`` on one
partition is drift all the same: logical replication sends that partition's rows
(CDC then reads other columns for some rows than for others), and the planner and
TOAST read the partition's own settings. The tables query reads them with each
partition (no query of their own); each is a finding naming the partition, with
the ``ALTER TABLE`` of the partition that restores it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..findings import Finding
from ..model.frozen import fast_init
from ..model.naming import partition_table
from ..model.replication import (
    replica_identity_clause,
    replica_identity_statement,
    replica_identity_words,
)
from ..model.schema import ReplicaIdentity, quote_name
from ..model.sqltext import quote_qualified
from ..model.storage import STORAGE_CODES


@fast_init
@dataclass(frozen=True)
class ColumnSettings:
    """A column's ``SET STATISTICS`` (None: not set) and ``SET STORAGE`` where it is not
    its type's own (None: the type's); ``type_storage``, the type's own where the storage
    is another, is named in hints and is not compared (the schema's side lacks it)."""

    statistics: int | None = None
    storage: str | None = None
    type_storage: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PartitionSettings:
    """A partition's REPLICA IDENTITY (None: DEFAULT) and its columns' settings, by name
    (only columns having one)."""

    replica_identity: ReplicaIdentity | None = None
    columns: tuple[tuple[str, ColumnSettings], ...] = ()


NO_SETTINGS = PartitionSettings()

#: The settings of the partition ``p`` (a row of pg_class), three more elements of the
#: tables query's text array per partition: its REPLICA IDENTITY code other than DEFAULT,
#: the index of USING INDEX (a lookup for such partitions alone), and as JSON text its
#: columns' storage codes, one letter each in the order of their names, then
#: (name, target) of each statistics target set. The caller compares each storage with
#: its type's own, which the columns query reads for the partition's table: a pg_type
#: lookup per column here was six in seven of what this read cost (at 800 partitions of
#: eight columns, 19,200 of 22,191 buffer hits).
PARTITION_SETTINGS_SQL = """CASE WHEN p.relreplident <> 'd' THEN p.relreplident::text END,
                          CASE WHEN p.relreplident = 'i' THEN
                            (SELECT x.relname::text FROM pg_index m JOIN pg_class x
                               ON x.oid = m.indexrelid
                             WHERE m.indrelid = p.oid AND m.indisreplident) END,
                          (SELECT json_build_array(
                                    string_agg(a.attstorage::text, '' ORDER BY a.attname),
                                    json_agg(json_build_array(a.attname, a.attstattarget))
                                      FILTER (WHERE a.attstattarget >= 0))::text
                           FROM pg_attribute a
                           WHERE a.attrelid = p.oid AND a.attnum > 0 AND NOT a.attisdropped)"""


def read_partition_settings(
    identity: ReplicaIdentity | None, columns: str | None, own: dict[str, str | None]
) -> PartitionSettings:
    """One partition's settings: its identity and its columns' from the JSON text
    :data:`PARTITION_SETTINGS_SQL` gives, each storage compared with ``own``, its
    column's type's own storage by name (a partition's columns are its table's, by
    name and type; ``name`` sorts as Python sorts text)."""
    storages, targets = json.loads(columns) if columns else ("", None)
    statistics = dict(targets or ())
    settings = []
    for name, code in zip(sorted(own), storages or "", strict=False):
        storage = STORAGE_CODES.get(code)
        theirs = own[name]
        setting = ColumnSettings(
            statistics.get(name),
            storage if storage != theirs else None,
            theirs if storage != theirs else None,
        )
        if setting != ColumnSettings():
            settings.append((name, setting))
    return PartitionSettings(identity, tuple(settings))


def implied(columns: dict[str, ColumnSettings]) -> PartitionSettings:
    """What the schema implies for every partition of a table whose columns declare
    ``columns`` (by name): no identity, no statistics target (the language declares
    none on a partitioned table), each declared storage (a partition takes it)."""
    return PartitionSettings(
        None,
        tuple(
            (name, ColumnSettings(None, s.storage))
            for name, s in sorted(columns.items())
            if s.storage is not None
        ),
    )


def settings_findings(
    obj: str,
    want: ColumnSettings,
    have: ColumnSettings,
    partition_of: str | None = None,
    home: str | None = None,
    where: str | None = None,
) -> list[Finding]:
    """The statistics target and storage of the column ``obj`` (``table.column``) a DBA
    tunes (``statistics:``, ``storage:``), each that differs; ``partition_of``: the
    declared table of a partition's column, whose own ALTER restores it; ``home``: the
    current schema, which the ALTER names a bare table's by; ``where``: the table as SQL
    names it, where the caller has its schema and name apart (a partition's)."""
    findings = []
    table, _, column = obj.rpartition(".")
    note = f" (partition of {partition_of})" if partition_of else ""
    for what, wanted, had, statement in (
        ("statistics target", want.statistics, have.statistics, "SET STATISTICS"),
        ("storage", want.storage, have.storage, "SET STORAGE"),
    ):
        if wanted == had:
            continue
        value = "-1" if wanted is None else str(wanted).upper()
        if what == "storage" and wanted is None:  # the type's own, read with the column
            value = str(have.type_storage).upper()
        named = where or quote_qualified(table, home)
        restore = f"ALTER TABLE {named} ALTER COLUMN {quote_name(column)}"
        unset = "the type's own" if what == "storage" else "the default"
        run = f"run `{restore} {statement} {value}`"
        findings.append(
            Finding(
                "database",
                f"column {obj}",
                f"{what} is {unset if had is None else had} in the database, "
                f"{unset if wanted is None else wanted} in the schema{note}",
                f"{run}: the schema declares a partition's columns on its table, "
                f"{partition_of}"
                if partition_of
                else f"{run} (or `alembic upgrade head`), or write the database's into "
                f"schema/ ({what.split()[0]}:)",
            )
        )
    return findings


def partition_findings(
    table: str,
    partitions: list[str],
    columns: set[str],
    want: PartitionSettings,
    have: dict[str, PartitionSettings],
    home: str | None = None,
    quoted: Mapping[str, str] | None = None,
) -> list[Finding]:
    """What each of ``partitions`` of ``table`` (as pg_get_expr names them: bare in
    the table's PostgreSQL schema) holds otherwise than the schema implies (``want``),
    for the ``columns`` both sides have; ``home``: the current schema, which the hints'
    ALTER TABLE names a bare partition's by; ``quoted``: each partition (keyed as a table
    is) as SQL names it, by its schema and name (a name made by hand may hold a dot)."""
    findings = []
    wanted = dict(want.columns)
    for bare in sorted(partitions):
        part = partition_table(table, bare)
        act = have.get(part, NO_SETTINGS)
        if act == want:
            continue
        where = (quoted or {}).get(part)
        if act.replica_identity != want.replica_identity:
            findings.append(_identity_finding(table, part, act.replica_identity, home, where))
        had = dict(act.columns)
        for name in sorted((set(wanted) | set(had)) & columns):
            findings += settings_findings(
                f"{part}.{name}",
                wanted.get(name, ColumnSettings()),
                had.get(name, ColumnSettings()),
                table,
                home,
                where,
            )
    return findings


def _identity_finding(
    table: str, part: str, act: ReplicaIdentity | None, home: str | None, where: str | None
) -> Finding:
    if act is not None and act.kind == "index" and act.index is None:
        state = "using an index dropped since (nothing is sent)"
    else:
        state = replica_identity_words(act)
    statement = replica_identity_statement(part, None, home)
    if where is not None:  # the partition by its schema and name
        statement = f"ALTER TABLE {where} REPLICA IDENTITY {replica_identity_clause(None)}"
    return Finding(
        "database",
        f"partition {part}",
        f"replica identity is {state} in the database, default in the schema "
        f"(partition of {table})",
        f"run `{statement}`: the schema declares no partition's "
        "(nor a partitioned table's: PostgreSQL keeps it on the table alone)",
    )
