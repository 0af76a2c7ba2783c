"""Values worked out once per object, told apart by identity rather than equality.

The normalized model is frozen and shares one object for each distinct column
type (about 200 for the 32,000 columns of a 2,000-table schema), and a DDL view
shares one object per unchanged table between the parts of one change. A text
derived from such an object is the same every time it is asked for, so it is
worked out once per object. Identity rather than equality: equality would hash
the whole object, which at 32,000 lookups cost about as much as the work saved.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")

#: ``id(obj) -> (obj, value)``. The object is kept beside its value: while the memo
#: lives, the object does too, so its id cannot be reused by another object.
Memo = dict[int, tuple[K, V]]


def by_identity(memo: Memo[K, V], obj: K, compute: Callable[[K], V]) -> V:
    """``compute(obj)``, worked out once per object in ``memo``."""
    known = memo.get(id(obj))
    if known is not None and known[0] is obj:
        return known[1]
    value = compute(obj)
    memo[id(obj)] = (obj, value)
    return value
