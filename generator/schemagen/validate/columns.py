"""Checks on column options of issue 11 that need the resolved type: identity
options (``identity:``) and serial types."""

from __future__ import annotations

from typing import Any

from ..model.schema import INTEGER_TYPES, DbSequence
from ..model.sequences import SERIAL_TYPES, option_problem, serial_sequence
from ..normalize.columns import identity_options
from ..normalize.resolver import RawColumn, Resolver, Unresolved
from ..source.loader import Sources, YamlPath
from .names import check_unqualified
from .reporter import Reporter

#: Where a column's own sequence lives, said for a name holding a dot or a double quote.
_COLUMN_SEQUENCE_HOME = "a column's sequence lives in its table's PostgreSQL schema"


def check_identity(report: Reporter, resolver: Resolver, columns: list[RawColumn]) -> None:
    """``identity:`` on an integer column that has no default, no expression and
    is not nullable (PostgreSQL makes an identity NOT NULL), with options
    PostgreSQL accepts for the column's type."""
    for col in columns:
        spec = col.spec.get("identity")
        if spec is None or spec is False:  # false: no identity, on any column
            continue
        path = (*col.path, "identity")
        try:
            ctype = resolver.column_type(col)
        except Unresolved:
            continue  # reported at the type
        if ctype.kind not in INTEGER_TYPES:
            report.error(
                path, f"an identity column is smallint, integer or bigint, not {ctype.kind}"
            )
            continue
        for key in ("default", "generated"):
            if key in col.spec:
                report.error((*col.path, key), f"an identity column cannot have `{key}`")
        if col.spec.get("nullable") is True:
            report.error(
                (*col.path, "nullable"), "an identity column is NOT NULL (PostgreSQL makes it so)"
            )
        named = spec.get("name") if isinstance(spec, dict) else None
        if named is not None:
            check_unqualified(
                report, (*path, "name"), named, "sequence", home=_COLUMN_SEQUENCE_HOME
            )
        if named is not None and len(str(named).encode()) > 63:
            report.error(
                (*path, "name"),
                f"the sequence name {named} is longer than 63 bytes (PostgreSQL would "
                "shorten it)",
            )
        options = identity_options(spec)
        if options is not None:
            problem = option_problem(options.sequence("", ctype.kind))
            if problem:
                report.error(path, problem)


def check_serial(report: Reporter, src: Sources, table: str, columns: list[RawColumn]) -> None:
    """``type: serial`` makes its own default and sequence: no ``default``,
    ``identity``, ``generated`` or ``nullable: true`` with it, and no declared
    sequence of its name. Any column may be serial (a key, part of one, or none).
    ``sequence:`` says a serial column's own sequence, so it needs one."""
    named: dict[str, str] = {}  # sequence name -> the serial column it is made for
    for col in columns:
        if col.spec.get("type") not in SERIAL_TYPES:
            if "sequence" in col.spec:
                report.error(
                    (*col.path, "sequence"),
                    "`sequence:` says a serial column's own sequence; this column is no "
                    "serial (a sequence of its own: `sequences:` and a nextval default)",
                )
            continue
        for word in ("default", "identity", "generated"):
            if word in col.spec and not (word == "identity" and col.spec[word] is False):
                report.error(
                    (*col.path, word),
                    f"a {col.spec['type']} column cannot have `{word}` (its default is "
                    "nextval of its own sequence)",
                )
        if col.spec.get("nullable") is True:
            report.error(
                (*col.path, "nullable"),
                f"a {col.spec['type']} column is NOT NULL (PostgreSQL's serial makes it so)",
            )
        said = col.spec.get("sequence")
        if isinstance(said, dict):
            problem = option_problem(_serial_options(col.spec["type"], said))
            if problem:
                report.error((*col.path, "sequence"), problem)
        custom = said.get("name") if isinstance(said, dict) else None
        name = serial_sequence(table, col.name) if custom is None else str(custom)
        where = (*col.path, "type") if custom is None else (*col.path, "sequence", "name")
        if custom is not None:
            _check_serial_name(report, where, name, named.get(name))
        named.setdefault(name, col.name)
        if name in src.sequences:
            report.error(
                where,
                f"{col.spec['type']} makes sequence {name}, which `sequences:` declares too",
            )
        if len(name.encode()) > 63:
            report.error(
                where,
                f"the sequence name {name} is longer than 63 bytes (PostgreSQL would "
                "shorten it); use a sequence and a nextval default",
            )


def _check_serial_name(report: Reporter, where: YamlPath, name: str, other: str | None) -> None:
    """A serial's ``sequence: {name: ...}``: the name alone, and not ``other``'s (the
    serial column of its table already named so, if any)."""
    check_unqualified(report, where, name, "sequence", home=_COLUMN_SEQUENCE_HOME)
    if other is not None:
        report.error(where, f"sequence {name} is {other}'s too: each serial has its own")


def _serial_options(kind: str, said: dict[str, Any]) -> DbSequence:
    """A serial column's ``sequence:`` mapping as the sequence it makes (for its rules)."""
    return DbSequence(
        "",
        str(said.get("type") or SERIAL_TYPES[kind]),
        said.get("start"),
        said.get("increment"),
        said.get("min"),
        said.get("max"),
        bool(said.get("cycle", False)),
        said.get("cache"),
    )
