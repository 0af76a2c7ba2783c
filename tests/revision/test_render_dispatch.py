"""Every operation has a revision renderer once :mod:`schemagen.revision.script` is loaded.

The renderers live in one module per operation family and register themselves
on ``revision.render``'s dispatcher when imported; ``script`` imports every
family. A family left out of that list, or an operation given no renderer,
would fail only when a plan first holds such an operation ("no revision
renderer for ..."): this finds it for every operation class at once.
"""

from __future__ import annotations

import importlib
import pkgutil

import schemagen.operations
from schemagen.operations.base import Operation
from schemagen.revision import script  # noqa: F401  (loads every renderer family)
from schemagen.revision.render import render_operation


def _operation_classes() -> list[type[Operation]]:
    """Every concrete operation: the classes under Operation with no subclass of their own
    (a base such as MoveToSchema is rendered through its subclasses)."""
    for module in pkgutil.iter_modules(schemagen.operations.__path__):
        importlib.import_module(f"schemagen.operations.{module.name}")
    found: set[type[Operation]] = set()
    todo = [Operation]
    while todo:
        cls = todo.pop()
        subclasses = cls.__subclasses__()
        if not subclasses and cls is not Operation:
            found.add(cls)
        todo.extend(subclasses)
    return sorted(found, key=lambda cls: cls.__name__)


def test_every_operation_has_a_revision_renderer() -> None:
    classes = _operation_classes()
    assert len(classes) > 50  # the operations package was read, not an empty list
    fallback = render_operation.dispatch(Operation)
    missing = [cls.__name__ for cls in classes if render_operation.dispatch(cls) is fallback]
    assert not missing, f"no revision renderer registered for: {missing}"
