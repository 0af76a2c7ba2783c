"""The domains table of the docs' overview: each domain, its base type, what it
forbids (NOT NULL, its checks), its default, and how many columns use it."""

from __future__ import annotations

from dataclasses import dataclass

from ..model.domains import base_sql, default_sql
from ..model.schema import Schema
from .text import md_cell_text, md_code_cell


@dataclass(frozen=True)
class DomainRow:
    domain: str
    type: str
    rules: str  # NOT NULL and the checks, one per line of the cell
    default: str
    used_by: int
    description: str


def domain_rows(schema: Schema) -> tuple[DomainRow, ...]:
    """One row per domain, by name."""
    rows = []
    for dom in schema.domains:
        rules = ["NOT NULL"] if dom.not_null else []
        rules += [f"{md_code_cell(ck.name)}: {md_code_cell(ck.expression)}" for ck in dom.checks]
        collate = f" COLLATE {dom.type.collation}" if dom.type.collation else ""
        default = default_sql(dom)
        rows.append(
            DomainRow(
                domain=md_code_cell(dom.name),
                type=md_code_cell(base_sql(dom, schema) + collate),
                rules="<br>".join(rules) or "none",
                default=md_code_cell(default) if default is not None else "none",
                used_by=len(schema.domain_columns(dom.name)),
                description=md_cell_text(dom.description) or "",
            )
        )
    return tuple(rows)
