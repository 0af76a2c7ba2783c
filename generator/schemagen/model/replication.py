"""A table's REPLICA IDENTITY as SQL and as words.

One text for models.py (``create_all``), revisions and the live check, as
:mod:`.security` is for row-level security: the databases they make must be the
same. PostgreSQL's rules for ``USING INDEX`` (unique, not partial, not
deferrable, no expression key, key columns NOT NULL) are checked by
:mod:`schemagen.validate.replication`.
"""

from __future__ import annotations

from .schema import ReplicaIdentity
from .schema import quote_name as ident
from .sqltext import quote_qualified


def replica_identity_clause(identity: ReplicaIdentity | None) -> str:
    """``DEFAULT``, ``FULL``, ``NOTHING`` or ``USING INDEX name``."""
    if identity is None:
        return "DEFAULT"
    if identity.kind == "index":
        assert identity.index is not None
        return f"USING INDEX {ident(identity.index)}"
    return identity.kind.upper()


def replica_identity_statement(
    table: str, identity: ReplicaIdentity | None, home: str | None = None
) -> str:
    """``ALTER TABLE table REPLICA IDENTITY ...`` (``None``: ``DEFAULT``); ``home``: the
    schema that names a bare ``table``'s (:func:`.sqltext.quote_qualified`)."""
    clause = replica_identity_clause(identity)
    return f"ALTER TABLE {quote_qualified(table, home)} REPLICA IDENTITY {clause}"


def replica_identity_words(identity: ReplicaIdentity | None) -> str:
    """``default``, ``full``, ``nothing`` or ``using index name``: plans, findings, docs."""
    if identity is None:
        return "default"
    return f"using index {identity.index}" if identity.kind == "index" else identity.kind


def replica_identity_spec(identity: ReplicaIdentity | None) -> str | dict[str, str]:
    """``identity`` as the language writes it: ``full``, ``nothing``, ``{index: name}``."""
    if identity is None:
        return "default"
    if identity.kind == "index":
        assert identity.index is not None
        return {"index": identity.index}
    return identity.kind
