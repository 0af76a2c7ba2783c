"""seed fills a foreign key's column narrower than the integer key it references
(``{type: smallint, references: Location}``, as AdventureWorks' ports have): such a
column takes only the parent's keys that fit in it, and a seed whose parent holds
none refuses, naming the key, exit 2, writing nothing (the seed's one transaction is
rolled back, the parent rows it had made with it). A wider column (bigint
referencing an integer key) takes every key, as before."""

from __future__ import annotations

from pathlib import Path

from migration_harness import alembic, schemagen, write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: depot}
entities:
  Location:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: text, nullable: true}
  Stock:
    columns:
      id: {type: bigint, primary_key: true}
      location_id: {type: smallint, references: Location}
      spare_id: {type: smallint, references: Location, nullable: true, back_populates: spares}
      wide_id: {type: bigint, references: Location, nullable: true, back_populates: wides}
      qty: {type: integer, nullable: true}
"""

#: Locations holding rows: three keys fit in smallint (one of them its greatest),
#: a thousand do not (a key just past it among them); names NULL and repeated.
LOCATIONS = (
    "INSERT INTO locations (id, name) VALUES (1, 'dock'), (2, NULL), (32767, 'dock'), "
    "(32768, NULL); INSERT INTO locations (id, name) "
    "SELECT g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'yard' END FROM generate_series(40000, 40998) g"
)
STOCKS = (
    "INSERT INTO stocks (id, location_id, spare_id, wide_id, qty) VALUES "
    "(1, 1, NULL, 40000, NULL), (2, 1, 1, NULL, 5), (3, 32767, NULL, 32768, 5)"
)


def test_a_narrow_key_takes_only_the_keys_that_fit(pg: PgCluster, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    db = pg.create_database()
    try:
        with created(pg, db, tmp_path) as conn:
            conn.execute(LOCATIONS)
            conn.execute(STOCKS)
            conn.commit()
            schema = project_schema(tmp_path)
            seed_connection(
                conn, schema, rows_per={"stocks": 600, "locations": 0}, seed=3, append=True
            )
            row = conn.execute(
                "SELECT count(*), count(DISTINCT location_id), max(location_id), "
                "max(spare_id), count(spare_id), max(wide_id), count(DISTINCT wide_id) "
                "FROM stocks WHERE id > 3"
            ).fetchone()
            assert row is not None
            count, distinct, most, spare_most, spares, wide_most, wide_distinct = row
            assert count == 600
            # only 1, 2 and 32767 fit in smallint: each is taken, none other
            assert distinct == 3 and most == 32767 and spare_most <= 32767 and spares > 0
            # the bigint column takes any key, past smallint and integer's halfway alike
            assert wide_most > 32768 and wide_distinct > 100
            assert violations(conn, schema) == []
            kept = conn.execute(
                "SELECT count(*) FROM stocks WHERE id <= 3 AND location_id IN (1, 32767)"
            ).fetchone()
            assert kept == (3,)
    finally:
        pg.drop_database(db)


def test_a_narrow_key_with_no_key_that_fits_is_refused(pg: PgCluster, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schemagen(tmp_path, "migrate", "-m", "initial")
    db = pg.create_database()
    try:
        url = pg.url(db)
        alembic(tmp_path, url, "upgrade", "head")
        pg.sql(
            "INSERT INTO locations (id, name) SELECT g, CASE WHEN g % 2 = 0 THEN 'yard' END "
            "FROM generate_series(40000, 40099) g",
            db,
        )
        # the new locations are numbered past the rows there (40100 on): none fits either
        out = schemagen(
            tmp_path, "seed", "--database", url, "--rows-per", "stocks=50",
            "--rows-per", "locations=30", "--append", expect_exit=2,
        )  # fmt: skip
        assert (
            "cannot seed stocks: locations has no rows holding id within smallint "
            "(-32768 to 32767) to reference by fk_stocks_location_id_locations, and the 30 "
            "it would seed are numbered 40100 to 40129 by locations_id_seq: refused before "
            "any row is written"
        ) in out, out
        assert "Traceback" not in out
        assert pg.sql("SELECT count(*) FROM stocks", db).strip() == "0"
        # the seed's one transaction rolled back: not even the new locations are written
        assert pg.sql("SELECT count(*) FROM locations", db).strip() == "100"
        # known from the sequence before any insert: no new location was numbered (a
        # nextval survives a rollback), nor the sequence moved past the rows there (nor
        # does a setval: --append moves it only once the refusals up front are past)
        seq = "SELECT last_value, is_called FROM locations_id_seq"
        assert pg.sql(seq, db).strip() == "1|f"
    finally:
        pg.drop_database(db)


TREE = """
database: {name: depot}
entities:
  Node:
    columns:
      id: {type: integer, primary_key: true}
      parent_id: {type: smallint, references: Node, nullable: true}
      label: {type: text, nullable: true}
"""


def test_a_narrow_self_reference_filled_after_the_insert_takes_keys_that_fit(
    pg: PgCluster, tmp_path: Path
) -> None:
    """A self reference is filled by an UPDATE after every insert (seed.deferred): it
    too picks among the keys that fit, counted once the table holds its new rows."""
    write_schema(tmp_path, {"schema.yaml": TREE})
    db = pg.create_database()
    try:
        with created(pg, db, tmp_path) as conn:
            conn.execute(
                "INSERT INTO nodes (id, parent_id, label) SELECT g, NULL, CASE WHEN g % 2 = 0 "
                "THEN 'x' END FROM generate_series(40000, 40499) g;"
                "INSERT INTO nodes (id, parent_id, label) VALUES (32767, NULL, 'x'), "
                "(32766, 32767, NULL)"
            )
            conn.commit()
            schema = project_schema(tmp_path)
            seed_connection(conn, schema, rows_per={"nodes": 300}, seed=4, append=True)
            # the new rows are numbered past the rows there (40500 on): of all the keys,
            # only 32766 and 32767 fit in smallint, and their parents are those two
            row = conn.execute(
                "SELECT min(id), count(*), count(parent_id), min(parent_id), max(parent_id) "
                "FROM nodes WHERE id >= 40500"
            ).fetchone()
            assert row is not None
            first, count, parents, least, most = row
            assert (first, count, least, most) == (40500, 300, 32766, 32767)
            assert parents > 150
            assert violations(conn, schema) == []
    finally:
        pg.drop_database(db)


def test_a_domain_over_smallint_takes_only_the_keys_that_fit(
    pg: PgCluster, tmp_path: Path
) -> None:
    """A column of a domain over smallint (with a check) referencing the integer key is
    narrow as a smallint column is: it takes 1, 2 and 32767 only, NULL where nullable."""
    domain = SCHEMA.replace(
        "entities:",
        'domains:\n  small_id: {type: smallint, checks: {small_id_positive: "VALUE > 0"}}\n'
        "entities:",
    ).replace("spare_id: {type: smallint,", "spare_id: {type: small_id,")
    write_schema(tmp_path, {"schema.yaml": domain})
    db = pg.create_database()
    try:
        with created(pg, db, tmp_path) as conn:
            conn.execute(LOCATIONS)
            conn.execute(STOCKS)
            conn.commit()
            schema = project_schema(tmp_path)
            seed_connection(
                conn, schema, rows_per={"stocks": 600, "locations": 0}, seed=3, append=True
            )
            row = conn.execute(
                "SELECT count(*), count(spare_id), count(DISTINCT spare_id), max(spare_id), "
                "pg_typeof(max(spare_id))::text FROM stocks WHERE id > 3"
            ).fetchone()
            assert row is not None
            count, spares, distinct, most, of = row
            assert (count, distinct, most, of) == (600, 3, 32767, "smallint")
            assert 0 < spares < 600
            assert violations(conn, schema) == []
    finally:
        pg.drop_database(db)
