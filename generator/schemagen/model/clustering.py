"""A table's ``CLUSTER ON`` mark as SQL and as words.

One text for models.py (``create_all``), revisions and the live check, as
:mod:`.replication` is for REPLICA IDENTITY: the databases they make must be
the same. The mark is metadata only (``pg_index.indisclustered``): it names the
index a bare ``CLUSTER`` of the table sorts by; setting it rewrites nothing.
PostgreSQL's rules for the index (the table's own, of an access method that can
cluster, not partial; the table not partitioned) are checked by
:mod:`schemagen.validate.clustering`.
"""

from __future__ import annotations

from .schema import quote_name as ident
from .sqltext import quote_qualified

#: Index access methods PostgreSQL can cluster on (``pg_am``'s ``amclusterable``).
CLUSTERABLE_METHODS = ("btree", "gist")


def cluster_statement(table: str, index: str | None, home: str | None = None) -> str:
    """``ALTER TABLE table CLUSTER ON index`` (``None``: ``SET WITHOUT CLUSTER``);
    ``home``: the current schema, which names a bare table's."""
    where = quote_qualified(table, home)
    if index is None:
        return f"ALTER TABLE {where} SET WITHOUT CLUSTER"
    return f"ALTER TABLE {where} CLUSTER ON {ident(index)}"


def cluster_words(index: str | None) -> str:
    """``on index`` or ``none``: plans, findings, docs."""
    return "none" if index is None else f"on {index}"
