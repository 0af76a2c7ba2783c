"""Checks on column options of issue 11 that need the resolved type: identity
options (``identity:``) and serial types."""

from __future__ import annotations

from ..model.schema import INTEGER_TYPES
from ..model.sequences import option_problem
from ..normalize.normalizer import RawColumn, Resolver, Unresolved, identity_options
from .reporter import Reporter


def check_identity(report: Reporter, resolver: Resolver, columns: list[RawColumn]) -> None:
    """``identity:`` on an integer column that has no default, no expression and
    is not nullable (PostgreSQL makes an identity NOT NULL), with options
    PostgreSQL accepts for the column's type."""
    for col in columns:
        spec = col.spec.get("identity")
        if spec is None:
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
        options = identity_options(spec)
        if options is not None:
            problem = option_problem(options.sequence("", ctype.kind))
            if problem:
                report.error(path, problem)
