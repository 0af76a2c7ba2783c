"""The loader's fast path: plain YAML straight from libyaml's events to data and marks.

Composing a node tree and then walking it (:mod:`schemagen.source.loader`) costs a
Python object per node twice over, and a nesting check parses the text a
second time. Almost every schema file is plain: mappings, lists and scalars,
no anchors, aliases, merge keys or explicit tags, no repeated or non-text key.
For such a file, :func:`load_plain` builds the very same data and marks from
one pass over the event stream. At the first sign of anything else (or any
YAML error) it answers None and the full loader reads the file, so every
message about an unusual file comes from one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import yaml
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import ScalarNode

YamlPath = tuple[str, ...]
Marks = dict[YamlPath, tuple[int, int]]

_STR = "tag:yaml.org,2002:str"
#: Tags whose value stays text (dates are strings in a schema), as the loader does.
_AS_TEXT = frozenset({_STR, "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"})
#: Tags the safe constructor turns into an immutable value (memoized below).
_CONSTRUCTED = frozenset(
    {
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:null",
    }
)

_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
# Scalars repeat (true, integer, column names): resolve and construct each once.
# Text maps to the first string read with it, so that every `columns` or `type`
# of a schema is one object: the paths of the marks share them, and sending a
# child's files back pickles each text once instead of at every use.
_UNKNOWN = object()
_SCALARS: dict[tuple[str, tuple[bool, bool]], Any] = {}


class _NotPlain(Exception):
    """The file needs the full loader."""


def load_plain(
    text: str, max_nodes: int, max_depth: int, *, marks: bool = True
) -> tuple[dict[str, Any], Marks | None, int] | None:
    """The data, marks and node count of a plain one-document file whose root is a
    mapping, or None.

    ``max_nodes`` and ``max_depth`` are the full loader's limits; a file that
    comes near them is left to it, so it reports them in its own words. Without
    ``marks`` none are recorded (None): :class:`LaterMarks` finds them if asked.
    """
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is None:
        return None
    loader = fast(text)
    try:
        return _Builder(loader.get_event, max_nodes, max_depth, marks).document()
    except (_NotPlain, yaml.YAMLError):
        return None
    finally:
        loader.dispose()


class LaterMarks(Mapping[YamlPath, tuple[int, int]]):
    """The marks of a file that :func:`load_plain` read without them, found on first use
    by reading it again with them: the same marks, as its own reading would have
    recorded. Only an issue asks for a mark, and a clean schema has none when its
    caller shows no warnings (``plan``): then no file is read twice."""

    def __init__(self, text: str, max_nodes: int, max_depth: int) -> None:
        self._text: str | None = text
        self._limits = (max_nodes, max_depth)
        self._marks: Marks = {}

    def _found(self) -> Marks:
        if self._text is not None:
            loaded = load_plain(self._text, *self._limits)
            assert loaded is not None and loaded[1] is not None  # it was read once already
            self._marks, self._text = loaded[1], None
        return self._marks

    def __getitem__(self, path: YamlPath) -> tuple[int, int]:
        return self._found()[path]

    def __iter__(self) -> Iterator[YamlPath]:
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())


class _Builder:
    def __init__(
        self, get_event: Callable[[], Event], max_nodes: int, max_depth: int, marks: bool
    ) -> None:
        self.get = get_event
        self.marks: Marks | None = {} if marks else None
        self.count = 0
        self.max_nodes = max_nodes
        self.max_depth = max_depth

    def document(self) -> tuple[dict[str, Any], Marks | None, int]:
        self.expect(StreamStartEvent)
        self.expect(DocumentStartEvent)
        data = self.node(self.get(), ())
        if not isinstance(data, dict):
            raise _NotPlain
        self.expect(DocumentEndEvent)
        self.expect(StreamEndEvent)  # a second document is an error the loader words
        return data, self.marks, self.count

    def expect(self, kind: type[Event]) -> None:
        if type(self.get()) is not kind:
            raise _NotPlain

    def node(self, event: Event, path: YamlPath) -> Any:
        self.count += 1
        # Stop short of the limits (the nesting check counts the root as level 1).
        if self.count >= self.max_nodes or len(path) >= self.max_depth - 1:
            raise _NotPlain
        kind = type(event)
        if kind is ScalarEvent:
            return scalar(event)
        if kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:  # type: ignore[attr-defined]
                raise _NotPlain
            if kind is MappingStartEvent:
                return self.mapping(path)
            return self.sequence(path)
        raise _NotPlain  # an alias

    def mapping(self, path: YamlPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        get, marks = self.get, self.marks  # per key and value: looked up once
        while True:
            event = get()
            if type(event) is MappingEndEvent:
                return result
            if type(event) is not ScalarEvent:
                raise _NotPlain  # a list or mapping as a key
            key = scalar(event)
            if not isinstance(key, str) or key in result:
                raise _NotPlain  # the loader reports both
            key_path = (*path, key)
            if marks is not None:
                mark = event.start_mark
                marks[key_path] = (mark.line + 1, mark.column + 1)
            result[key] = self.node(get(), key_path)

    def sequence(self, path: YamlPath) -> list[Any]:
        items: list[Any] = []
        marks = self.marks
        while True:
            event = self.get()
            if type(event) is SequenceEndEvent:
                return items
            item_path = (*path, str(len(items)))
            if marks is not None:
                mark = event.start_mark
                marks.setdefault(item_path, (mark.line + 1, mark.column + 1))
            items.append(self.node(event, item_path))


def scalar(event: Any) -> Any:
    """The value of a scalar event, as the loader's safe constructor makes it."""
    if event.anchor is not None or event.tag is not None:
        raise _NotPlain
    value: str = event.value
    key = (value, event.implicit)
    known = _SCALARS.get(key, _UNKNOWN)
    if known is _UNKNOWN:
        if "\x00" in value:
            raise _NotPlain  # the loader reports it, located
        known = _SCALARS[key] = _construct(event)
    return known


def _construct(event: Any) -> Any:
    """The value of a scalar: its text, or what the safe constructor makes of it."""
    tag = _RESOLVER.resolve(ScalarNode, event.value, event.implicit)
    if tag in _AS_TEXT:
        return event.value
    if tag not in _CONSTRUCTED:
        raise _NotPlain  # a merge key (<<) or the value tag (=)
    node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    return _CONSTRUCTOR.construct_object(node, deep=True)
