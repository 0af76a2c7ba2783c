"""A foreign key's column may be of another integer type than the key it references
(``{type: smallint, references: Location}``; in an entity's ``foreign_keys:`` each
column has its own ``type:`` anyway): PostgreSQL compares smallint, integer and bigint
within one btree operator family, so it accepts any pair of them, and refuses a key
between types it cannot compare (measured below on tables holding rows). Anything
else is still a located error, exit 2, nothing written. (The migrations are corpus
147, check --database tests/live/test_check_live_fk_integer_widths.py, seed
tests/seed/test_seed_narrow_foreign_keys.py.)"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from build_refusal import assert_build_refuses
from fixtures.language.helpers import issues_of, schema_of
from pgcluster import PgCluster

KEYS = """
  Location:
    columns:
      id: {type: integer, primary_key: true}
  Ledger:
    columns:
      id: {type: bigint, primary_key: true}
  Unit:
    columns:
      site: {type: integer, primary_key: true}
      unit_no: {type: smallint, primary_key: true}
"""

#: (column spec, SQL type) that PostgreSQL accepts beside the integer key
#: locations.id, bigint ledgers.id and the key (site integer, unit_no smallint) of units.
ACCEPTED = """
  Stock:
    columns:
      id: {type: bigint, primary_key: true}
      location_id: {type: smallint, references: Location}
      wide_location_id: {type: bigint, references: Location, nullable: true, back_populates: wide}
      ledger_id: {type: integer, references: Ledger, nullable: true}
      small_ledger_id: {type: smallint, references: Ledger, nullable: true, back_populates: small}
      copied_id: {references: Location, nullable: true, back_populates: copied}
      site: {type: bigint, nullable: true}
      unit_no: {type: integer, nullable: true}
    foreign_keys:
      fk_stocks_unit: {columns: [site, unit_no], references: Unit}
"""

REFUSED = """
  Bin:
    columns:
      id: {type: bigint, primary_key: true}
      location_id: {type: text, references: Location}
      ledger_id: {type: numeric, references: Ledger}
      site: {type: uuid}
      unit_no: {type: integer}
    foreign_keys:
      fk_bins_unit: {columns: [site, unit_no], references: Unit}
  Code:
    columns:
      code: {type: text, primary_key: true}
  Tag:
    columns:
      id: {type: bigint, primary_key: true}
      code: {type: integer, references: Code}
"""


def test_every_integer_pair_keeps_its_own_width(tmp_path: Path) -> None:
    schema = schema_of(tmp_path, {"s.yaml": "entities:" + KEYS + ACCEPTED})
    stock = schema.entity("Stock")
    assert {c.name: c.type.kind for c in stock.columns} == {
        "id": "bigint",
        "location_id": "smallint",
        "wide_location_id": "bigint",
        "ledger_id": "integer",
        "small_ledger_id": "smallint",
        "copied_id": "integer",  # no type: the referenced key's, as ever
        "site": "bigint",
        "unit_no": "integer",
    }
    assert {fk.columns: (fk.ref_table, fk.ref_columns) for fk in stock.foreign_keys} == {
        ("location_id",): ("locations", ("id",)),
        ("wide_location_id",): ("locations", ("id",)),
        ("ledger_id",): ("ledgers", ("id",)),
        ("small_ledger_id",): ("ledgers", ("id",)),
        ("copied_id",): ("locations", ("id",)),
        ("site", "unit_no"): ("units", ("site", "unit_no")),
    }


def test_any_other_type_is_a_located_error(tmp_path: Path) -> None:
    assert issues_of(tmp_path, {"s.yaml": "entities:" + KEYS + REFUSED}) == [
        "schema/s.yaml:16:21: entities.Bin.columns.location_id.type: type text differs from "
        "the referenced Location.id (integer); leave `type` out to copy it, or give it "
        "another integer type (smallint, integer, bigint)",
        "schema/s.yaml:17:19: entities.Bin.columns.ledger_id.type: type numeric differs from "
        "the referenced Ledger.id (bigint); leave `type` out to copy it, or give it "
        "another integer type (smallint, integer, bigint)",
        "schema/s.yaml:21:22: entities.Bin.foreign_keys.fk_bins_unit.columns: column site is "
        "uuid but Unit.site is integer; the types must be the same or another integer type "
        "(smallint, integer, bigint)",
        "schema/s.yaml:28:14: entities.Tag.columns.code.type: type integer differs from the "
        "referenced Code.code (text); leave `type` out to copy it",
    ]


def test_build_refuses_them_exit_2_nothing_written(tmp_path: Path) -> None:
    assert_build_refuses(
        tmp_path / "p",
        "entities:" + KEYS + REFUSED,
        "schema/s.yaml:18:21: entities.Bin.columns.location_id.type: type text differs",
    )


def test_postgresql_accepts_and_refuses_the_same(pg: PgCluster) -> None:
    name = pg.create_database("fk_widths")
    pg.sql(
        "CREATE TABLE locations (id integer PRIMARY KEY);"
        "CREATE TABLE ledgers (id bigint PRIMARY KEY);"
        "CREATE TABLE codes (code text PRIMARY KEY);"
        "INSERT INTO locations VALUES (1), (2), (32767), (40000);"
        "INSERT INTO ledgers VALUES (1), (5000000000);"
        "INSERT INTO codes VALUES ('1'), ('a');",
        name,
    )
    for column, target, rows in (
        ("smallint", "locations", "(1), (1), (32767), (NULL)"),
        ("bigint", "locations", "(40000), (40000), (NULL)"),
        ("integer", "ledgers", "(1), (1), (NULL)"),
        ("smallint", "ledgers", "(1), (NULL)"),
    ):
        table = f"k_{column}_{target}"
        pg.sql(
            f"CREATE TABLE {table} (ref {column}); INSERT INTO {table} VALUES {rows};"
            f"ALTER TABLE {table} ADD FOREIGN KEY (ref) REFERENCES {target}",
            name,
        )
    for column, target in (("text", "locations"), ("numeric", "ledgers"), ("integer", "codes")):
        table = f"r_{column}_{target}"
        with pytest.raises(subprocess.CalledProcessError) as refused:
            pg.sql(f"CREATE TABLE {table} (ref {column} REFERENCES {target})", name)
        assert "cannot be implemented" in refused.value.stderr, refused.value.stderr
