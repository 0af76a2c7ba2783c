"""The JSON data of the model's frozen dataclasses, and the model rebuilt from it.

:func:`to_data` is the full form (``Schema.to_json``); :func:`to_short_data`
leaves out the fields that hold their default (a stored snapshot), and
:func:`from_data` reads either back. Generic over dataclasses: what a field
holds is read from its annotation; the converters and readers are written
once per class, for speed at 2,000 tables.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any, Literal


def to_data(obj: Any) -> Any:
    """Turn a model object into plain JSON data (dicts, lists, str, int, bool, None)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {
            f.name: to_data(getattr(obj, f.name))
            for f in dataclasses.fields(obj)
            if not (f.metadata.get("omit_default") and getattr(obj, f.name) == f.default)
        }
    if isinstance(obj, tuple | list):
        return [to_data(item) for item in obj]
    return obj


def to_short_data(obj: Any) -> Any:
    """:func:`to_data` without the fields that hold their default value.

    :func:`from_data` fills them in again, so the data is as complete; a
    stored snapshot is a third of the size and as quick to compare.
    """
    kind = type(obj)
    try:
        convert = _SHORT[kind]
    except KeyError:
        convert = _SHORT[kind] = _short_converter(kind)
    return convert(obj)


def _same(obj: Any) -> Any:
    return obj


def _short_items(obj: Any) -> list[Any]:
    return [to_short_data(item) for item in obj]


#: The converter of each type :func:`to_short_data` met: plain values stay, tuples
#: and lists become lists, a dataclass gets a function of its own (below).
_PLAIN: frozenset[type] = frozenset((str, int, bool, float, type(None)))
_SHORT: dict[type, typing.Callable[[Any], Any]] = {
    **dict.fromkeys(_PLAIN, _same),
    tuple: _short_items,
    list: _short_items,
}


def _short_converter(kind: type) -> typing.Callable[[Any], Any]:
    """:func:`to_short_data` for objects of ``kind``.

    A dataclass gets a function written for its fields, as ``dataclasses``
    writes ``__init__``: a snapshot of 2,000 tables converts 330,000 objects,
    and the generic loop over fields took most of ``plan``'s comparison.
    """
    if not dataclasses.is_dataclass(kind):
        return _short_items if issubclass(kind, tuple | list) else _same
    lines = ["def convert(obj):", "    data = {}"]
    # A plain value (most fields) is stored as it is, without a call of to_short_data.
    scope: dict[str, Any] = {"short": to_short_data, "plain": _PLAIN}
    store = "value if value.__class__ in plain else short(value)"
    for number, (name, default) in enumerate(_defaults(kind)):
        lines.append(f"    value = obj.{name}")
        if default is _REQUIRED:
            lines.append(f"    data[{name!r}] = {store}")
            continue
        scope[f"default{number}"] = default
        differs = "is not None" if default is None else f"!= default{number}"
        lines += [f"    if value {differs}:", f"        data[{name!r}] = {store}"]
    exec("\n".join([*lines, "    return data"]), scope)  # noqa: S102 - our own field names
    return typing.cast(typing.Callable[[Any], Any], scope["convert"])


def short_fields(obj: Any) -> dict[str, Any]:
    """The fields of a model object that do not hold their default, by name."""
    found = {}
    kind: type = type(obj)
    for name, default in _defaults(kind):
        value = getattr(obj, name)
        if default is _REQUIRED or value != default:
            found[name] = value
    return found


_REQUIRED = object()


@functools.cache
def _defaults(tp: type) -> tuple[tuple[str, Any], ...]:
    """(name, default value or _REQUIRED) of each field of a dataclass."""
    found = []
    for f in dataclasses.fields(tp):
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = _REQUIRED
        found.append((f.name, default))
    return tuple(found)


def from_data(tp: Any, data: Any) -> Any:
    """Rebuild a model object of type ``tp`` from :func:`to_data` output.

    Each type is read by a function built once per type (:func:`_reader`): a
    2,000-table snapshot holds 365,000 values, and asking ``typing`` about
    each one's annotation took most of a second.
    """
    read = _reader(tp)
    return data if read is None else read(data)


#: A function that rebuilds a value from its data; None where the data is the value.
_Read = typing.Callable[[Any], Any] | None

_READERS: dict[Any, _Read] = {}


def _reader(tp: Any) -> _Read:
    """The reader of ``tp``, built on first use. A dataclass registers itself before
    its fields' readers are built, so a recursive type (``ColumnType.of``) ends."""
    try:
        return _READERS[tp]
    except KeyError:
        pass
    if dataclasses.is_dataclass(tp):
        return _dataclass_reader(typing.cast(type, tp))
    read = _plain_reader(tp)
    _READERS[tp] = read
    return read


def _plain_reader(tp: Any) -> _Read:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(tp) if a is not type(None)]
        item = _reader(inner)
        return None if item is None else lambda data: None if data is None else item(data)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            each = _reader(args[0])
            if each is None:
                return tuple
            return lambda data: tuple([each(item) for item in data])
        readers = [_reader(a) for a in args]
        return lambda data: tuple(
            item if read is None else read(item)
            for read, item in zip(readers, data, strict=True)
        )
    if origin is Literal or tp in (str, int, bool, float) or tp is Any:
        return None

    def refuse(data: Any) -> Any:
        raise TypeError(f"cannot rebuild {tp!r}")

    return refuse


def _dataclass_reader(tp: type) -> typing.Callable[[Any], Any]:
    fields: dict[str, _Read] = {}
    make = _maker(tp)

    def read(data: Any) -> Any:
        if not isinstance(data, dict):
            raise TypeError(f"{tp.__name__}: expected an object, got {type(data).__name__}")
        kwargs = {}
        for name, value in data.items():
            if name in fields:
                field_read = fields[name]
                kwargs[name] = value if field_read is None else field_read(value)
        return make(kwargs)

    _READERS[tp] = read
    fields.update((name, _reader(hint)) for name, hint in _init_fields(tp))
    return read


def _maker(tp: type) -> typing.Callable[[dict[str, Any]], Any]:
    """``tp(**kwargs)``, five times faster: the model's frozen dataclasses have no
    ``__post_init__``, so their ``__init__`` only stores each field, one
    ``object.__setattr__`` at a time; this fills the instance's ``__dict__`` at
    once (defaults first, as ``__init__`` would). Any other class uses its
    ``__init__``."""
    params = dataclasses.fields(tp)
    if hasattr(tp, "__post_init__") or not hasattr(tp, "__dict__") or any(
        not f.init for f in params
    ):
        return lambda kwargs: tp(**kwargs)
    static = {f.name: f.default for f in params if f.default is not dataclasses.MISSING}
    made = [
        (f.name, f.default_factory)
        for f in params
        if f.default_factory is not dataclasses.MISSING
    ]
    required = frozenset(f.name for f in params) - static.keys() - {n for n, _ in made}
    new = object.__new__

    def make(kwargs: dict[str, Any]) -> Any:
        if not required <= kwargs.keys():
            return tp(**kwargs)  # raises the TypeError __init__ raises
        obj: Any = new(tp)
        values = obj.__dict__
        values.update(static)
        for name, factory in made:
            if name not in kwargs:
                values[name] = factory()
        values.update(kwargs)
        return obj

    return make


@functools.cache
def _init_fields(tp: type) -> tuple[tuple[str, Any], ...]:
    """(name, resolved type) of each init field of a dataclass. Resolving the
    string annotations is slow: once per class, not once per object."""
    hints = typing.get_type_hints(tp)
    return tuple((f.name, hints[f.name]) for f in dataclasses.fields(tp) if f.init)
