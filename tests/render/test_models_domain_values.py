"""Columns of domains over a type whose SQLAlchemy class converts values (jsonb and
json serialize and parse, a range is a Range, a uuid a UUID), and arrays of such
domains, through the generated models: the values of a column of the base type
itself, written and read with psycopg 3 (sync) and asyncpg (async), NULLs, JSON null
members, NULL elements and empty arrays included. SQLAlchemy's DOMAIN handed values
to the driver as they were: a dict could not be written by either driver."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from driver_round_trip import both_drivers, generated_modules
from migration_harness import assert_matches_models, migrated_project
from pgcluster import PgCluster

SCHEMA = """\
database: {name: docs, extensions: [citext]}
domains:
  email: {type: citext}
  document: {type: jsonb, checks: {document_not_long: "length(VALUE::text) < 1000"}}
  payload: {type: json}
  period: {type: daterange}
  ref: {type: uuid}
  amount: {type: numeric, precision: 8, scale: 2}
entities:
  Record:
    columns:
      id: {type: bigint, primary_key: true}
      doc: {type: document, nullable: true}
      plain: {type: jsonb, nullable: true}
      raw: {type: payload, nullable: true}
      span: {type: period, nullable: true}
      ref: {type: ref, nullable: true}
      total: {type: amount, nullable: true}
      docs: {type: array, of: document, nullable: true}
      email: {type: email, nullable: true}
"""
REF = uuid.UUID("12345678-1234-5678-1234-567812345678")


def _rows() -> list[tuple[Any, ...]]:
    from sqlalchemy.dialects.postgresql import Range

    span = Range(datetime.date(2026, 1, 1), datetime.date(2026, 2, 1))
    return [
        # id, doc, raw, span, ref, total, docs
        (1, {"a": [1, "x"], "n": None}, [1, {"b": True}], span, REF, Decimal("1.50"),
         [{"a": 1}, {"b": [2]}]),
        (2, None, None, None, None, None, None),
        (3, {}, {"s": "it's"}, Range(empty=True), REF, Decimal("0.00"), []),
        (4, {"k": "v"}, "text", span, None, None, [None, {"k": "v"}]),
    ]


def _records(m: ModuleType, ids: set[int]) -> list[Any]:
    return [
        m.Record(id=i, doc=d, plain=d, raw=r, span=s, ref=u, total=t, docs=ds,
                 email=f"Ann{i}@X.io" if i % 2 else None)
        for i, d, r, s, u, t, ds in _rows()
        if i in ids
    ]


def _queries(m: ModuleType) -> dict[str, Any]:
    from sqlalchemy import select

    r = m.Record
    ids = select(r.id).order_by(r.id)
    return {
        "rows": select(r).order_by(r.id),
        "doc_equal": ids.where(r.doc == {"k": "v"}),
        "ref": ids.where(r.ref == REF),
        # compared as citext (case-insensitive), not as the varchar a str would bind as
        "email": ids.where(r.email == "ann3@x.IO"),
        "email_in": ids.where(r.email.in_(["ANN1@X.IO", "nobody@x.io"])),
        "total": ids.where(r.total > Decimal("1")),
        "first_doc": select(r.docs[1]).order_by(r.id),
    }


def _shape(result: dict[str, Any]) -> dict[str, Any]:
    rows = [(r.id, r.doc, r.raw, r.span, r.ref, r.total, r.docs) for r in result.pop("rows")]
    return {"rows": rows, **result}


def test_domains_over_converting_types_hold_their_values_with_both_drivers(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", SCHEMA, url)
    with generated_modules(root, url) as (m, database):
        # rows 1 and 2 through psycopg, 3 and 4 through asyncpg
        read = both_drivers(database, _records(m, {1, 2}), _records(m, {3, 4}), _queries(m))
        read_sync, read_async = map(_shape, read)
    expected = {
        "rows": _rows(),
        "doc_equal": [4],
        "ref": [1, 3],
        "email": [3],
        "email_in": [1],
        "total": [1],
        "first_doc": [{"a": 1}, None, None, None],
    }
    assert read_sync == expected
    assert read_async == expected
    # As a column of the base type (plain): None is JSON null in a JSON column and
    # in an array of one (SQLAlchemy's JSON.none_as_null is False), SQL NULL in the
    # others.
    assert pg.sql(
        "SELECT id, doc, doc IS NOT DISTINCT FROM plain, raw, span, docs "
        "FROM records ORDER BY id", pg_db
    ) == (
        '1|{"a": [1, "x"], "n": null}|t|[1, {"b": true}]|[2026-01-01,2026-02-01)'
        '|{"{\\"a\\": 1}","{\\"b\\": [2]}"}\n'
        "2|null|t|null||\n"
        '3|{}|t|{"s": "it\'s"}|empty|{}\n'
        '4|{"k": "v"}|t|"text"|[2026-01-01,2026-02-01)|{"null","{\\"k\\": \\"v\\"}"}\n'
    )
    # The types that convert leave the DDL as it was: create_all equals the migration.
    assert_matches_models(pg, pg_db, root / "generated" / "models.py", ["citext"], "domain values")
