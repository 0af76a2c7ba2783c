"""Read the schema folder: YAML files into plain data with a line mark for every key.

PyYAML's ``safe_load`` loses positions and silently keeps the last of two equal
keys, so this module composes each file into nodes and walks them itself:
every mapping key and list item gets a 1-based (line, column) mark under its
path, a repeated key is an error, and malformed YAML becomes a located
:class:`~schemagen.errors.Issue` instead of an exception.

The files are then merged (:func:`merge`) into one :class:`Sources`: the
sections of every file side by side, each name kept from the first file that
defines it, with the locations of the whole folder (:class:`Locations`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..config import DEFAULT_LIMITS, Limits
from ..errors import Issue
from ..model.schema import Place, SourceLocation
from .locations import Locations
from .plain import LaterMarks, load_plain

YamlPath = tuple[str, ...]


def mapping(value: Any) -> dict[str, Any]:
    """A loaded YAML value as a mapping, or an empty one when it is not a mapping
    (the structure check reports that; the later checks just read past it)."""
    return value if isinstance(value, dict) else {}


def unique_columns(entry: Any) -> list[Any]:
    """The columns of an entity's ``unique:`` entry: the list itself (the short
    form) or the ``columns:`` of its mapping form; empty when it is neither."""
    if isinstance(entry, dict):
        entry = entry.get("columns")
    return entry if isinstance(entry, list) else []


#: Top-level keys that hold named definitions, in the order the language lists them.
SECTIONS: tuple[str, ...] = (
    "types",
    "mixins",
    "enums",
    "entities",
    "functions",
    "views",
    "sequences",
    "domains",
)
TOP_LEVEL_KEYS: tuple[str, ...] = ("database", *SECTIONS)
SECTION_KINDS: dict[str, str] = {
    "types": "type",
    "mixins": "mixin",
    "enums": "enum",
    "entities": "entity",
    "functions": "function",
    "views": "view",
    "sequences": "sequence",
    "domains": "domain",
}

_MAX_DEPTH = 64
_STRING_TAGS = frozenset({"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"})
_MERGE_TAG = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


@dataclass
class RawFile:
    """One YAML file as plain data, with the (line, column) of every key and item."""

    path: str  # as shown to the user: relative to the project root
    data: Any
    #: A dict, or :class:`~schemagen.source.plain.LaterMarks` (``read_file``'s ``marks``).
    marks: Mapping[YamlPath, tuple[int, int]] = field(default_factory=dict)
    #: Paths with a problem found while loading or by the JSON Schema.
    broken: set[YamlPath] = field(default_factory=set)
    #: Expanded size: YAML nodes, alias uses, UTF-8 bytes of scalars (see Limits).
    size: tuple[int, int, int] = (0, 0, 0)


@dataclass
class Sources:
    """Every file of the schema folder merged: each named definition once."""

    database: dict[str, Any] | None = None
    types: dict[str, Any] = field(default_factory=dict)
    mixins: dict[str, Any] = field(default_factory=dict)
    enums: dict[str, Any] = field(default_factory=dict)
    entities: dict[str, Any] = field(default_factory=dict)
    functions: dict[str, Any] = field(default_factory=dict)
    views: dict[str, Any] = field(default_factory=dict)
    sequences: dict[str, Any] = field(default_factory=dict)
    domains: dict[str, Any] = field(default_factory=dict)
    locations: Locations = field(default_factory=Locations)
    files: tuple[str, ...] = ()
    #: Definitions left out because they already have errors: (section, name) or
    #: ("database",). Names that refer to them are not reported again.
    broken: set[YamlPath] = field(default_factory=set)

    def is_broken(self, section: str, name: object) -> bool:
        """Whether ``section.name`` was defined but left out for its own errors."""
        return (section, str(name)) in self.broken

    def section(self, name: str) -> dict[str, Any]:
        """Return the merged definitions of ``types``, ``mixins``, ``enums`` or ``entities``."""
        value: dict[str, Any] = getattr(self, name)
        return value


class _Walker:
    """Turn a composed node tree into dicts, lists and scalars, recording marks."""

    def __init__(self, file: str, limits: Limits) -> None:
        self.file = file
        self.limits = limits
        self.aliases = 0
        self.scalar_bytes = 0
        self.visited: set[int] = set()
        self.marks: dict[YamlPath, tuple[int, int]] = {}
        self.issues: list[Issue] = []
        self.broken: set[YamlPath] = set()
        self.constructor = yaml.SafeLoader("")
        self.count = 0
        self.active: set[int] = set()

    def issue(self, node: Node, path: YamlPath, message: str) -> None:
        self.broken.add(path)
        mark = node.start_mark
        self.issues.append(
            Issue(self.file, mark.line + 1, mark.column + 1, ".".join(path), message)
        )

    def mark(self, path: YamlPath, node: Node) -> None:
        self.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))

    def walk(self, node: Node, path: YamlPath) -> Any:
        self.count += 1
        if self.count > self.limits.max_nodes:
            raise _TooLarge(node, "max_nodes", self.limits.max_nodes, "YAML nodes")
        if id(node) in self.visited:  # a copy an alias makes (*name)
            self.aliases += 1
            if self.aliases > self.limits.max_alias_nodes:
                limit = self.limits.max_alias_nodes
                raise _TooLarge(node, "max_alias_nodes", limit, "YAML nodes copied by aliases")
        else:
            self.visited.add(id(node))
        if len(path) > _MAX_DEPTH:
            raise _TooDeep(node)
        if id(node) in self.active:
            self.issue(node, path, "an alias refers to a node that contains it (a cycle)")
            return None
        if not isinstance(node, ScalarNode) and node.tag not in _COLLECTION_TAGS:
            self.issue(node, path, f"unsupported YAML tag {node.tag}")
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self.walk_mapping(node, path)
            if isinstance(node, SequenceNode):
                return self.walk_sequence(node, path)
            return self.checked_scalar(node, path)
        finally:
            self.active.discard(id(node))

    def scalar(self, node: Node) -> Any:
        if node.tag in _STRING_TAGS:
            # A date such as 2024-01-15 stays text: defaults and names are strings.
            return str(node.value)
        return self.constructor.construct_object(node, deep=True)

    def checked_scalar(self, node: Node, path: YamlPath) -> Any:
        """A scalar's value, counted against the limits; text holding NUL is an error."""
        value = self.scalar(node)
        if isinstance(value, str):
            self.scalar_bytes += len(value.encode("utf-8", "surrogatepass"))
            if self.scalar_bytes > self.limits.max_scalar_bytes:
                limit = self.limits.max_scalar_bytes
                raise _TooLarge(node, "max_scalar_bytes", limit, "bytes of text")
            if "\x00" in value:
                self.issue(node, path, NUL_MESSAGE)  # the definition is left out
        return value

    def walk_sequence(self, node: SequenceNode, path: YamlPath) -> list[Any]:
        items = []
        for index, item in enumerate(node.value):
            item_path = (*path, str(index))
            self.mark(item_path, item)
            items.append(self.walk(item, item_path))
        return items

    def walk_mapping(self, node: MappingNode, path: YamlPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: list[Any] = []
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.append(self.walk(value_node, path))
                continue
            key = self.key(key_node, path)
            if key is None:
                continue
            if key in first_seen:
                self.issue(
                    key_node,
                    (*path, key),
                    f"key '{key}' appears twice in this mapping (first on line "
                    f"{first_seen[key]}); YAML would silently keep the last one",
                )
                continue
            first_seen[key] = key_node.start_mark.line + 1
            self.marks[(*path, key)] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            result[key] = self.walk(value_node, (*path, key))
        self.apply_merges(result, merged)
        return result

    @staticmethod
    def apply_merges(result: dict[str, Any], merged: list[Any]) -> None:
        """Apply ``<<: *anchor`` merges: keys written in the mapping itself win."""
        sources: list[Any] = []
        for item in merged:
            sources.extend(item if isinstance(item, list) else [item])
        for source in sources:
            if isinstance(source, dict):
                for key, value in source.items():
                    result.setdefault(key, value)

    def key(self, node: Node, path: YamlPath) -> str | None:
        if not isinstance(node, ScalarNode):
            self.issue(node, path, "a key must be a plain name, not a list or mapping")
            return None
        value = self.scalar(node)
        if isinstance(value, str) and "\x00" in value:
            self.issue(node, path, "a key holds a NUL character (\\0); names cannot hold it")
            return None
        if isinstance(value, str):
            return value
        kind = {bool: "a boolean", int: "a number", float: "a number"}.get(
            type(value), "not a string"
        )
        self.issue(
            node,
            (*path, str(node.value)),
            f"key {node.value!r} is read by YAML as {kind}; quote it: '{node.value}'",
        )
        return None


class _TooDeep(Exception):
    def __init__(self, node: Node) -> None:
        super().__init__("too deep")
        self.node = node


class _TooLarge(Exception):
    def __init__(self, node: Node, key: str, limit: int, what: str) -> None:
        super().__init__("too large")
        self.node = node
        self.message = too_large_message(key, limit, what)


NUL_MESSAGE = "text holds a NUL character (\\0), which PostgreSQL text cannot hold"


def too_large_message(key: str, limit: int, what: str) -> str:
    """The message for a schema past one of its :class:`Limits`."""
    return (
        f"the schema expands to more than {limit:,} {what} (an alias bomb?); "
        f"the limit is [tool.schemagen.limits] {key} in pyproject.toml"
    )


def read_file(
    path: Path, display: str, limits: Limits = DEFAULT_LIMITS, *, marks: bool = True
) -> tuple[RawFile, list[Issue]]:
    """Read one YAML file; return its data (``None`` when unusable) and any issues.

    Without ``marks`` (a caller that expects no issue on most schemas) a plain
    file's marks are found only when first asked for (:class:`LaterMarks`)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return RawFile(display, None), [
            Issue(display, 1, 1, "", f"file is not UTF-8 text (byte {exc.start})")
        ]
    except OSError as exc:
        return RawFile(display, None), [Issue(display, 0, 0, "", f"cannot read file: {exc}")]
    return parse_text(text, display, limits, marks=marks)


def parse_text(
    text: str, display: str, limits: Limits = DEFAULT_LIMITS, *, marks: bool = True
) -> tuple[RawFile, list[Issue]]:
    """Parse YAML text as one schema file (see :func:`read_file`)."""
    # Without aliases, scalars hold at most the bytes of the file: a file within
    # the limit can take the fast path, which counts no bytes.
    size = len(text.encode("utf-8", "surrogatepass"))
    plain = None
    if size <= limits.max_scalar_bytes:
        plain = load_plain(text, limits.max_nodes, _MAX_DEPTH, marks=marks)
    if plain is not None:
        data, found, count = plain
        later = found if found is not None else LaterMarks(text, limits.max_nodes, _MAX_DEPTH)
        return RawFile(display, data, later, size=(count, 0, size)), []
    deep = _too_deep(text)
    if deep is not None:
        return RawFile(display, None), [
            Issue(
                display,
                deep.line + 1,
                deep.column + 1,
                "",
                f"YAML nested more than {_MAX_DEPTH} levels deep; a schema needs far fewer",
            )
        ]
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as exc:
        return RawFile(display, None), [_syntax_issue(exc, display)]
    except yaml.reader.ReaderError as exc:
        return RawFile(display, None), [_reader_issue(exc, text, display)]
    except yaml.YAMLError as exc:
        return RawFile(display, None), [Issue(display, 1, 1, "", f"invalid YAML: {exc}")]
    if root is None:
        return RawFile(display, None), [
            Issue(
                display,
                1,
                1,
                "",
                "file is empty; a schema file holds a mapping with any of: "
                + ", ".join(TOP_LEVEL_KEYS),
            )
        ]
    walker = _Walker(display, limits)
    try:
        data = walker.walk(root, ())
    except _TooLarge as exc:
        walker.issue(exc.node, (), exc.message)
        return RawFile(display, None), walker.issues
    except (_TooDeep, RecursionError) as exc:
        # Aliases can nest deeper than the text does; the event check cannot see that.
        node = exc.node if isinstance(exc, _TooDeep) else root
        walker.issue(node, (), f"YAML aliases nest more than {_MAX_DEPTH} levels deep")
        return RawFile(display, None), walker.issues
    except yaml.YAMLError as exc:
        return RawFile(display, None), [_syntax_issue(exc, display)]
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        walker.issue(
            root,
            (),
            f"file holds {kind}; a schema file holds a mapping with any of: "
            + ", ".join(TOP_LEVEL_KEYS),
        )
        return RawFile(display, None, walker.marks), walker.issues
    counted = (walker.count, walker.aliases, walker.scalar_bytes)
    return RawFile(display, data, walker.marks, walker.broken, counted), walker.issues


def _too_deep(text: str) -> yaml.Mark | None:
    """Where nesting passes :data:`_MAX_DEPTH`, found from the flat event stream.

    Composing is recursive (in PyYAML and in libyaml), so a file nested
    thousands deep would crash it; the event parser is not recursive.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return _first_too_deep(yaml.parse(text, Loader=fast))
        except yaml.YAMLError:
            # Newer libyaml (PyPI's PyYAML 6.0.4 wheels) stops at its own nesting
            # limit with an error; the pure-Python parser says where ours is passed.
            pass
    try:
        return _first_too_deep(yaml.parse(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return None  # composing reports it, in PyYAML's words


def _first_too_deep(events: Iterator[yaml.Event]) -> yaml.Mark | None:
    depth = 0
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > _MAX_DEPTH:
                mark: yaml.Mark = event.start_mark
                return mark
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _compose(text: str) -> Node | None:
    """Compose with libyaml when present (10x faster); errors always come from PyYAML.

    libyaml words its errors differently, so a failing file is parsed again by
    the pure-Python parser: the message is the same on every machine.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            node: Node | None = yaml.compose(text, Loader=fast)
            return node
        except yaml.YAMLError:
            pass
    slow: Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
    return slow


#: Contexts of a YAML error that mean "opened here and never closed": their
#: context mark (the opening ``{``, ``[`` or quote) is where the fix goes, while the
#: problem mark is wherever the parser gave up, often a line or more later.
_UNCLOSED_CONTEXTS = ("flow mapping", "flow sequence", "quoted scalar")


def _syntax_issue(exc: yaml.YAMLError, display: str) -> Issue:
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    mark = problem_mark or context_mark
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"invalid YAML: {context}, {problem}" if context else f"invalid YAML: {problem}"
    if (
        context
        and context_mark is not None
        and problem_mark is not None
        and any(word in context for word in _UNCLOSED_CONTEXTS)
        and (context_mark.line, context_mark.column) < (problem_mark.line, problem_mark.column)
    ):
        mark = context_mark
        message = (
            f"invalid YAML: {context} started here, {problem} "
            f"(at line {problem_mark.line + 1}, column {problem_mark.column + 1})"
        )
    if mark is None:
        return Issue(display, 1, 1, "", message)
    return Issue(display, mark.line + 1, mark.column + 1, "", message)


def _reader_issue(exc: yaml.reader.ReaderError, text: str, display: str) -> Issue:
    """A character YAML does not allow (a control character, NUL): located, one line.

    ``str(exc)`` ends in a second line about ``"<unicode string>"``; the
    position is an index into ``text``.
    """
    start = text.rfind("\n", 0, exc.position) + 1
    line = text.count("\n", 0, exc.position) + 1
    char = exc.character if isinstance(exc.character, int) else 0
    return Issue(
        display,
        line,
        exc.position - start + 1,
        "",
        f"invalid YAML: unacceptable character #x{char:04x}: {exc.reason}",
    )


def schema_files(schema_dir: Path) -> list[Path]:
    """Every ``*.yaml`` / ``*.yml`` file under ``schema_dir``, recursively, sorted by path."""
    found = [p for p in schema_dir.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]
    return sorted(found, key=lambda p: p.relative_to(schema_dir).as_posix())


def merge(files: Iterable[RawFile]) -> tuple[Sources, list[Issue]]:
    """Merge parsed files: each name defined once, ``database`` in one file only."""
    sources = Sources()
    issues: list[Issue] = []
    owner: dict[YamlPath, str] = {}  # (section, name) or ("database",) -> file that won
    merged: dict[str, RawFile] = {}
    sources.locations = Locations(merged, owner)
    names: list[str] = []
    for raw in files:
        names.append(raw.path)
        if not isinstance(raw.data, dict):
            continue
        merged[raw.path] = raw
        for key, value in raw.data.items():
            if key == "database":
                _merge_database(sources, raw, value, owner, issues)
            elif key in SECTIONS and isinstance(value, dict):
                _merge_section(sources, raw, key, value, owner, issues)
    sources.files = tuple(names)
    return sources, issues


def _where(raw: RawFile, path: YamlPath) -> SourceLocation:
    line, column = raw.marks.get(path, (1, 1))
    return SourceLocation(raw.path, line, column)


def _merge_database(
    sources: Sources,
    raw: RawFile,
    value: Any,
    owner: dict[YamlPath, str],
    issues: list[Issue],
) -> None:
    if ("database",) in owner:
        here = _where(raw, ("database",))
        first = sources.locations.get(("database",), (here.file, here.line, here.column))
        issues.append(
            Issue(
                here.file,
                here.line,
                here.column,
                "database",
                f"a second `database` block; the first is at {_fmt(first)} "
                "(exactly one file holds it)",
            )
        )
        return
    owner[("database",)] = raw.path
    sources.database = value if isinstance(value, dict) else None


def _merge_section(
    sources: Sources,
    raw: RawFile,
    section: str,
    value: dict[str, Any],
    owner: dict[YamlPath, str],
    issues: list[Issue],
) -> None:
    target = sources.section(section)
    for name, definition in value.items():
        if (section, name) in owner:
            here = _where(raw, (section, name))
            first = sources.locations.get((section, name), (here.file, here.line, here.column))
            issues.append(
                Issue(
                    here.file,
                    here.line,
                    here.column,
                    f"{section}.{name}",
                    f"{SECTION_KINDS[section]} '{name}' is defined twice: "
                    f"here and at {_fmt(first)}",
                )
            )
            continue
        owner[(section, name)] = raw.path
        target[name] = definition


def _fmt(place: Place) -> str:
    file, line, column = place
    return f"{file}:{line}:{column}"
