"""The operators of a column of a domain are its base type's, through the generated
models with psycopg 3 (sync) and asyncpg (async), on rows holding NULLs: a domain
over jsonb or json has JSON's (``doc["k"]``, ``.astext``, ``.has_key()``,
``.contains()``), one over an array ARRAY's (``.contains()``, ``.overlap()``,
``any_()``, indexing), one over a range a range's (``.contains()``, ``.overlaps()``),
one over citext or text a string's (``ilike``, ``+`` as ``||``), one over numeric
keeps numeric's result type in arithmetic. SQLAlchemy's DOMAIN compared as a type
of no kind: ``doc["k"]`` and ``.has_key`` failed, ``.contains()`` was LIKE."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from driver_round_trip import both_drivers, generated_modules
from migration_harness import migrated_project
from pgcluster import PgCluster

SCHEMA = """\
database: {name: ops, extensions: [citext]}
domains:
  document: {type: jsonb}
  payload: {type: json}
  scores: {type: array, of: integer}
  period: {type: daterange}
  email: {type: citext}
  label: {type: text}
  amount: {type: numeric, precision: 8, scale: 2}
  quantity: {type: integer}
  names: {type: array, of: citext}
entities:
  Record:
    columns:
      id: {type: bigint, primary_key: true}
      doc: {type: document, nullable: true}
      raw: {type: payload, nullable: true}
      scores: {type: scores, nullable: true}
      span: {type: period, nullable: true}
      email: {type: email, nullable: true}
      label: {type: label, nullable: true}
      total: {type: amount, nullable: true}
      qty: {type: quantity, nullable: true}
      names: {type: names, nullable: true}
"""


def _rows() -> list[dict[str, Any]]:
    from sqlalchemy.dialects.postgresql import Range

    jan = Range(datetime.date(2026, 1, 1), datetime.date(2026, 2, 1))
    mar = Range(datetime.date(2026, 3, 1), datetime.date(2026, 4, 1))
    return [
        {"id": 1, "doc": {"k": "v", "n": [1, 2]}, "raw": {"s": "x", "t": 1},
         "scores": [1, 2, 3], "span": jan, "email": "Ann@X.io", "label": "red",
         "total": Decimal("1.50"), "qty": 3, "names": ["Ann", "bob"]},
        {"id": 2, "doc": None, "raw": None, "scores": None, "span": None, "email": None,
         "label": None, "total": None, "qty": None, "names": None},
        {"id": 3, "doc": {"k": "w"}, "raw": {"s": "y"}, "scores": [], "span": mar,
         "email": "bob@y.io", "label": "green", "total": Decimal("0.25"), "qty": 0, "names": []},
        {"id": 4, "doc": {"n": None}, "raw": [1], "scores": [2, None], "span": Range(empty=True),
         "email": "ANN@x.IO", "label": "red", "total": Decimal("10.00"), "qty": 3,
         "names": [None, "ANN"]},
        # a duplicate of row 1 but for its key
        {"id": 5, "doc": {"k": "v", "n": [1, 2]}, "raw": {"s": "x", "t": 1},
         "scores": [1, 2, 3], "span": jan, "email": "Ann@X.io", "label": "red",
         "total": Decimal("1.50"), "qty": 3, "names": ["Ann", "bob"]},
    ]


def _queries(m: ModuleType) -> dict[str, Any]:
    from sqlalchemy import any_, select
    from sqlalchemy.dialects.postgresql import Range

    r = m.Record
    ids = select(r.id).order_by(r.id)
    feb = Range(datetime.date(2026, 1, 20), datetime.date(2026, 2, 20))
    return {
        # jsonb
        "doc_key": select(r.doc["k"]).order_by(r.id),
        "doc_astext": ids.where(r.doc["k"].astext == "v"),
        "doc_path": select(r.doc[("n", 1)]).order_by(r.id),
        "doc_has_key": ids.where(r.doc.has_key("n")),
        "doc_contains": ids.where(r.doc.contains({"k": "v"})),
        # json
        "raw_astext": select(r.raw["s"].astext).order_by(r.id),
        # an array
        "scores_contain": ids.where(r.scores.contains([2])),
        "scores_overlap": ids.where(r.scores.overlap([3, 4])),
        "scores_any": ids.where(any_(r.scores) == 2),
        "scores_value_any": ids.where(r.scores.any_() == 1),
        "scores_first": select(r.scores[1]).order_by(r.id),
        # a range
        "span_contains": ids.where(r.span.contains(datetime.date(2026, 3, 15))),
        "span_overlaps": ids.where(r.span.overlaps(feb)),
        # citext and text
        "email_ilike": ids.where(r.email.ilike("ann@%")),
        "email_equal": ids.where(r.email == "ANN@X.IO"),
        "label_concat": select(r.label + "!").order_by(r.id),
        "label_startswith": ids.where(r.label.startswith("gr")),
        # numeric
        "total_times": select(r.total * 2).order_by(r.id),
        "total_plus": ids.where(r.total + Decimal("0.5") > 2),
        # integer: / is true division, as on an integer column
        "qty_half": select(r.qty / 2).order_by(r.id),
        # an array of citext (models.py's NamedTypeArray): citext's case-insensitive =
        "names": select(r.names).order_by(r.id),
        "names_contain": ids.where(r.names.contains(["ann"])),
        "names_first": select(r.names[1]).order_by(r.id),
    }


def _result_types(m: ModuleType) -> dict[str, str]:
    r = m.Record
    expressions = {
        "total * 2": r.total * 2, "qty / 2": r.qty / 2, "qty * qty": r.qty * r.qty,
        "doc['k']": r.doc["k"], "doc['k'].astext": r.doc["k"].astext,
        "scores[1]": r.scores[1], "span @> date": r.span.contains(datetime.date.today()),
    }
    return {name: repr(e.type) for name, e in expressions.items()}


# The base type's result types, as on a column of that type (DOMAIN's were the
# domain's own: total * 2 and qty / 2 were read as the domain, doc['k'] failed).
RESULT_TYPES = {
    "total * 2": "Numeric(precision=8, scale=2)", "qty / 2": "Numeric()",
    "qty * qty": "Integer()", "doc['k']": "JSONB(astext_type=Text())",
    "doc['k'].astext": "Text()", "scores[1]": "Integer()", "span @> date": "Boolean()",
}

EXPECTED = {
    "doc_key": ["v", None, "w", None, "v"],
    "doc_astext": [1, 5],
    "doc_path": [2, None, None, None, 2],
    "doc_has_key": [1, 4, 5],
    "doc_contains": [1, 5],
    "raw_astext": ["x", None, "y", None, "x"],
    "scores_contain": [1, 4, 5],
    "scores_overlap": [1, 5],
    "scores_any": [1, 4, 5],
    "scores_value_any": [1, 5],
    "scores_first": [1, None, None, 2, 1],
    "span_contains": [3],
    "span_overlaps": [1, 5],
    "email_ilike": [1, 4, 5],
    "email_equal": [1, 4, 5],
    "label_concat": ["red!", None, "green!", "red!", "red!"],
    "label_startswith": [3],
    "total_times": [Decimal("3.00"), None, Decimal("0.50"), Decimal("20.00"), Decimal("3.00")],
    "total_plus": [4],
    "qty_half": [Decimal("1.5"), None, Decimal("0"), Decimal("1.5"), Decimal("1.5")],
    "names": [["Ann", "bob"], None, [], [None, "ANN"], ["Ann", "bob"]],
    "names_contain": [1, 4, 5],
    "names_first": ["Ann", None, None, None, "Ann"],
}


def test_domain_columns_have_their_base_types_operators_with_both_drivers(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", SCHEMA, url)
    with generated_modules(root, url) as (m, database):
        assert _result_types(m) == RESULT_TYPES
        # rows 1, 3 and 5 through psycopg, 2 and 4 through asyncpg
        odd = [m.Record(**row) for row in _rows() if row["id"] % 2]
        even = [m.Record(**row) for row in _rows() if not row["id"] % 2]
        read_sync, read_async = both_drivers(database, odd, even, _queries(m))
    assert read_sync == EXPECTED
    assert read_async == EXPECTED
