"""Shared pieces of the semantic checks: the located issue reporter and type wording.

The checks themselves live in :mod:`validate_refs` (names that must resolve,
run on the raw merged sources before normalization) and
:mod:`validate_model` (rules on the normalized :class:`Schema`); lint warnings
live in :mod:`lint`.
"""

from __future__ import annotations

from ..errors import Issue, Severity
from ..model.schema import INTEGER_TYPES, Column, ColumnType, Entity, SourceMap
from ..model.temporal import TEMPORAL_KINDS, format_temporal, is_plain
from ..source.loader import Sources, YamlPath, mapping


class Reporter:
    """Collect located issues; the same (path, message) is reported once."""

    def __init__(self, source_map: SourceMap, fallback_file: str) -> None:
        self.source_map = source_map
        self.fallback_file = fallback_file
        self.issues: list[Issue] = []
        self._seen: set[tuple[str, str]] = set()

    def error(self, path: YamlPath, message: str, cause: YamlPath | None = None) -> None:
        """Report an error at ``path`` (or its nearest located ancestor); "" reports nothing.

        ``cause``: where the error this one follows from was reported; the
        consequence is listed right after it.
        """
        self.add(path, message, "error", cause)

    def warning(self, path: YamlPath, message: str) -> None:
        """Report a warning at ``path`` (or its nearest located ancestor)."""
        self.add(path, message, "warning")

    def add(
        self, path: YamlPath, message: str, severity: Severity, cause: YamlPath | None = None
    ) -> None:
        dotted = ".".join(path)
        if not message or (dotted, message) in self._seen:
            return
        self._seen.add((dotted, message))
        loc = self.source_map.find(path)
        found = self.source_map.find(cause) if cause is not None else None
        after = (found.file, found.line, found.column) if found is not None else None
        if loc is None:
            issue = Issue(self.fallback_file, 0, 0, dotted, message, severity, after)
        else:
            issue = Issue(loc.file, loc.line, loc.column, dotted, message, severity, after)
        self.issues.append(issue)

    def copy(self) -> Reporter:
        """An independent reporter that holds (and has seen) the same issues."""
        twin = Reporter(self.source_map, self.fallback_file)
        twin.issues = list(self.issues)
        twin._seen = set(self._seen)
        return twin

    @property
    def has_errors(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


def type_text(ctype: ColumnType) -> str:
    """Describe a type for a message: ``string(64)``, ``numeric(12,2)``, ``array of text``."""
    if ctype.kind == "string" and ctype.length is not None:
        return f"string({ctype.length})"
    if ctype.kind == "numeric" and ctype.precision is not None:
        return f"numeric({ctype.precision},{ctype.scale or 0})"
    if ctype.kind in TEMPORAL_KINDS and not is_plain(ctype):
        return format_temporal(ctype)
    if ctype.kind == "enum":
        return f"enum {ctype.enum}"
    if ctype.kind == "array" and ctype.of is not None:
        return f"array of {type_text(ctype.of)}"
    if ctype.pgtype is not None:
        return ctype.pgtype + (f"({','.join(ctype.args)})" if ctype.args else "")
    return ctype.kind


def plain_type(ctype: ColumnType) -> ColumnType:
    """The type without alias names, for comparing two types."""
    of = plain_type(ctype.of) if ctype.of is not None else None
    return ColumnType(
        ctype.kind,
        ctype.length,
        ctype.precision,
        ctype.scale,
        ctype.enum,
        of,
        pgtype=ctype.pgtype,
        args=ctype.args,
        fields=ctype.fields,
    )


def key_types_fit(mine: ColumnType, theirs: ColumnType) -> bool:
    """Whether a foreign-key column of type ``mine`` may reference one of ``theirs``:
    the same type, or two of smallint, integer and bigint (one btree operator family,
    so PostgreSQL compares them without a cast: a smallint column referencing an
    integer key, an integer one a key widened to bigint)."""
    a, b = plain_type(mine), plain_type(theirs)
    if a == b:
        return True
    return a.kind in INTEGER_TYPES and b.kind in INTEGER_TYPES and a.pgtype is b.pgtype is None


def column_path(src: Sources, entity: Entity, column: str) -> YamlPath:
    """Where a column of a normalized entity was written (the entity or its mixin)."""
    if entity.has_column(column):
        return own_column_path(entity, entity.column(column))
    return ("entities", entity.name, "columns", column)


def own_column_path(entity: Entity, column: Column) -> YamlPath:
    """:func:`column_path` of one of ``entity``'s columns, from the column itself (the
    checks ask it of every column: finding the column again by name was a third of
    the model checks' time)."""
    if column.mixin is not None:
        return ("mixins", column.mixin, "columns", column.name)
    return ("entities", entity.name, "columns", column.name)


def unique_path(src: Sources, entity: Entity, name: str, columns: tuple[str, ...]) -> YamlPath:
    """Where a unique constraint was written: its ``unique:`` entry or its column."""
    if name in mapping(mapping(src.entities[entity.name]).get("unique")):
        return ("entities", entity.name, "unique", name)
    return (*column_path(src, entity, columns[0]), "unique")


def index_path(src: Sources, entity: Entity, name: str, columns: tuple[str, ...]) -> YamlPath:
    """Where an index was written: its ``indexes:`` entry or its column's ``index: true``."""
    if name in mapping(mapping(src.entities[entity.name]).get("indexes")):
        return ("entities", entity.name, "indexes", name)
    return (*column_path(src, entity, columns[0]), "index")
