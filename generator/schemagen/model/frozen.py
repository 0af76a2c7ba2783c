"""Faster ``__init__`` and copies for the model's frozen dataclasses.

``@dataclass(frozen=True)`` writes an ``__init__`` that stores each field with
``object.__setattr__`` fetched anew for every field (the class's own
``__setattr__`` refuses), and a 2,000-table schema builds more than 100,000
model objects, each of up to 16 fields, when it is normalized. :func:`fast_init`
gives such a class an ``__init__`` with the same signature that calls
``object.__setattr__`` held once: the same instance, 1.7 times faster.
Everything else the dataclass wrote (equality, hashing, the refusal to assign)
stays. Filling ``self.__dict__`` at once would be faster still, but it gives
every instance a dictionary of its own (a 2,000-table plan: 26 MB more), and
reading fields from it is slower.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

_T = TypeVar("_T")


def fast_init(cls: type[_T]) -> type[_T]:
    """Replace the ``__init__`` of frozen dataclass ``cls`` by a faster one that
    stores the same fields. A class whose ``__init__`` does more than store its fields
    (``__post_init__``, fields left out of it, no ``__dict__``) is left as it is.

    The new ``__init__`` is written when the first instance is made, not at import:
    ``schemagen check`` with a remembered result imports the model and builds
    none of it."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if (
        hasattr(cls, "__post_init__")
        or "__slots__" in cls.__dict__
        or any(not f.init or f.kw_only for f in fields)
    ):
        return cls

    def first_init(self: Any, *args: Any, **kwargs: Any) -> None:
        init = _written_init(cls)
        cls.__init__ = init  # type: ignore[method-assign]
        init(self, *args, **kwargs)

    cls.__init__ = first_init  # type: ignore[method-assign]
    return cls


def _written_init(cls: type) -> Any:
    """``cls.__init__`` as dataclasses writes it, with ``object.__setattr__`` held once."""
    scope: dict[str, Any] = {"_factory": _FACTORY, "_set": object.__setattr__}
    params, body = [], []
    for number, f in enumerate(dataclasses.fields(cls)):
        if f.default is not dataclasses.MISSING:
            scope[f"_d{number}"] = f.default
            params.append(f"{f.name}=_d{number}")
            body.append(f"    _set(self, {f.name!r}, {f.name})")
        elif f.default_factory is not dataclasses.MISSING:
            scope[f"_f{number}"] = f.default_factory
            params.append(f"{f.name}=_factory")
            value = f"_f{number}() if {f.name} is _factory else {f.name}"
            body.append(f"    _set(self, {f.name!r}, {value})")
        else:
            params.append(f.name)
            body.append(f"    _set(self, {f.name!r}, {f.name})")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body) + "\n"
    exec(source, scope)  # noqa: S102 - our own field names, as dataclasses does
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    return init


#: The default of a parameter whose field has a ``default_factory``: called per
#: instance, as the dataclass's own ``__init__`` does.
_FACTORY = object()


def copier(kind: type) -> Callable[[Any, dict[str, Any]], Any]:
    """The function behind :func:`copy_with` for instances of ``kind``:
    ``copy(obj, changes)`` is a new instance holding ``obj``'s fields, then
    ``changes``, without calling ``__init__``; cached properties are not copied.

    Written once per class with the field names spelled out, as ``dataclasses``
    writes ``__init__``: the DDL view of a 2,000-table schema copies 50,000 objects,
    and looking the names up per copy took a third of the copying."""
    known = _COPIERS.get(kind)
    if known is not None:
        return known
    fields = dataclasses.fields(kind)
    if hasattr(kind, "__post_init__") or not all(f.init for f in fields):
        raise TypeError(f"copy_with: {kind.__name__} needs dataclasses.replace")
    values = ", ".join(f"{f.name!r}: state[{f.name!r}]" for f in fields)
    source = (
        "def copy(obj, changes):\n"
        "    state = obj.__dict__\n"
        "    new = _new(kind)\n"
        f"    new.__dict__.update({{{values}}}, **changes)\n"
        "    return new\n"
    )
    scope: dict[str, Any] = {"_new": object.__new__, "kind": kind}
    exec(source, scope)  # noqa: S102 - our own field names, as dataclasses does
    made: Callable[[Any, dict[str, Any]], Any] = scope["copy"]
    _COPIERS[kind] = made
    return made


_COPIERS: dict[type, Callable[[Any, dict[str, Any]], Any]] = {}


_M = TypeVar("_M")


def copy_with(obj: _M, **changes: Any) -> _M:
    """``dataclasses.replace(obj, **changes)`` for a model object, without calling
    ``__init__`` (the model classes have no ``__post_init__``; checked once per
    class): the DDL view copies 80,000 objects of a 2,000-table schema, and
    ``replace`` was half its time. Cached properties are not copied."""
    copied: _M = copier(type(obj))(obj, changes)
    return copied
