"""Arrays of domains that are not over an enum, through the generated models: lists
in, the same lists out (not the array's text, not a list of characters), with
psycopg 3 (sync) and asyncpg (async), empty lists, NULL arrays and NULL elements
included, and filters on those columns (``any_``, ``contains``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from driver_round_trip import both_drivers, generated_modules
from migration_harness import assert_matches_models, migrated_project
from pgcluster import PgCluster

# A text domain with a check, an integer domain in another PostgreSQL schema, a
# numeric one (a type psycopg loads as Decimal) and a string domain with a length and
# a collation: PostgreSQL sends each array as the array type of its domain
# (_email_address, ...), whose oid psycopg does not know.
SCHEMA = """\
database: {name: mail}
domains:
  email_address:
    type: text
    checks: {email_has_at: "VALUE LIKE '%@%'"}
  score: {type: integer, schema: ops, checks: {score_positive: "VALUE > 0"}}
  price: {type: numeric, precision: 8, scale: 2}
  code: {type: string, length: 4, collation: C}
entities:
  Contact:
    columns:
      id: {type: bigint, primary_key: true}
      email: {type: email_address, nullable: true}
      emails: {type: array, of: email_address, nullable: true}
      scores: {type: array, of: score, nullable: true}
      prices: {type: array, of: price, nullable: true}
      codes: {type: array, of: code}
"""

ROWS: list[tuple[Any, ...]] = [
    # id, email, emails, scores, prices, codes
    (1, "a@x.io", ["a@x.io", "b@y.io"], [3, 1, 3], [Decimal("1.50")], ["ab", "{c,}"]),
    (2, None, None, None, None, []),
    (3, "b@y.io", [], [], [], ["ab"]),
    (4, None, [None, "b@y.io"], [None], [None, Decimal("0.10")], [None]),
]


def _contacts(m: ModuleType, ids: set[int]) -> list[Any]:
    return [
        m.Contact(id=i, email=e, emails=es, scores=s, prices=p, codes=c)
        for i, e, es, s, p, c in ROWS
        if i in ids
    ]


def _queries(m: ModuleType) -> dict[str, Any]:
    from sqlalchemy import any_, select

    c = m.Contact
    ids = select(c.id).order_by(c.id)
    return {
        "rows": select(c).order_by(c.id),
        "any_email": ids.where(any_(c.emails) == "b@y.io"),
        "any_own_email": ids.where(c.email == any_(c.emails)),
        "any_score": ids.where(any_(c.scores) == 3),
        "emails_contain": ids.where(c.emails.contains(["b@y.io"])),
        "scores_contain": ids.where(c.scores.contains([1, 3])),
        "codes_contained": ids.where(c.codes.contained_by(["ab", "{c,}"])),
        "emails_equal": ids.where(c.emails == []),
        "no_emails": ids.where(c.emails.is_(None)),
        "first_score": select(c.scores[1]).order_by(c.id),
    }


def _shape(result: dict[str, Any]) -> dict[str, Any]:
    rows = [(c.id, c.email, c.emails, c.scores, c.prices, c.codes) for c in result.pop("rows")]
    return {"rows": rows, **result}


EXPECTED = {
    "rows": ROWS,
    "any_email": [1, 4],
    "any_own_email": [1],
    "any_score": [1],
    "emails_contain": [1, 4],
    "scores_contain": [1],
    "codes_contained": [1, 2, 3],
    "emails_equal": [3],
    "no_emails": [2],
    "first_score": [3, None, None, None],
}


def test_arrays_of_domains_hold_lists_with_both_drivers(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", SCHEMA, url)
    with generated_modules(root, url) as (m, database):
        # rows 1 and 2 through psycopg, 3 and 4 through asyncpg
        read = both_drivers(database, _contacts(m, {1, 2}), _contacts(m, {3, 4}), _queries(m))
        read_sync, read_async = map(_shape, read)
    assert read_async == EXPECTED
    assert read_sync == EXPECTED
    assert pg.sql(
        "SELECT id, emails, scores, prices, codes, pg_typeof(emails), pg_typeof(scores) "
        "FROM contacts ORDER BY id", pg_db
    ) == (
        '1|{a@x.io,b@y.io}|{3,1,3}|{1.50}|{ab,"{c,}"}|email_address[]|ops.score[]\n'
        "2||||{}|email_address[]|ops.score[]\n"
        "3|{}|{}|{}|{ab}|email_address[]|ops.score[]\n"
        "4|{NULL,b@y.io}|{NULL}|{NULL,0.10}|{NULL}|email_address[]|ops.score[]\n"
    )
    # The type that converts leaves the DDL as it was: create_all equals the migration.
    assert_matches_models(pg, pg_db, root / "generated" / "models.py", [], "domain arrays")

