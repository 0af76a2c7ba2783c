"""``OR`` checks whose branches say whether a foreign key is NULL, as AdventureWorks
for PostgreSQL writes its bill of materials: ``(ProductAssemblyID IS NULL AND
BOMLevel = 0 AND PerAssemblyQty = 1.00) OR (ProductAssemblyID IS NOT NULL AND
BOMLevel >= 1)``, the assembly a key to products (and kept apart from the component,
another key to products, by ``ProductAssemblyID <> ComponentID``). Seed refused the
table ("no branch of the OR is left by the other checks and keys"): a key's column
took no branch. A branch that asks of a (one-column, not unique) key only NULL or
NOT NULL now goes with the key: the row's branch makes it NULL, or a parent row's."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: plant}
entities:
  Product:
    columns:
      productid: {type: serial, primary_key: true}
      name: {type: text}
  Billofmaterial:
    table: billofmaterials
    columns:
      billofmaterialsid: {type: serial, primary_key: true}
      productassemblyid: {type: integer, nullable: true}
      componentid: {type: integer}
      bomlevel: {type: smallint}
      perassemblyqty: {type: numeric, precision: 8, scale: 2, default: {sql: '1.00'}}
    foreign_keys:
      FK_BillOfMaterials_Product_ProductAssemblyID:
        {columns: [productassemblyid], references: Product}
      FK_BillOfMaterials_Product_ComponentID: {columns: [componentid], references: Product}
    checks:
      CK_BillOfMaterials_BOMLevel: >-
        productassemblyid IS NULL AND bomlevel = 0 AND perassemblyqty = 1.00
        OR productassemblyid IS NOT NULL AND bomlevel >= 1
      CK_BillOfMaterials_PerAssemblyQty: perassemblyqty >= 1.00
      CK_BillOfMaterials_ProductAssemblyID: productassemblyid <> componentid
"""


def test_a_branch_asking_a_key_for_null_or_a_value_is_kept(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # rows there already: a NULL assembly, a line twice
            "INSERT INTO products (name) VALUES ('Adjustable Race'), ('Mountain-100'),"
            " ('Mountain-100'), ('HL Road Handlebars');"
            "INSERT INTO billofmaterials (productassemblyid, componentid, bomlevel,"
            " perassemblyqty) VALUES (NULL, 2, 0, 1.00), (2, 4, 1, 1.00), (2, 4, 1, 1.00)"
        )
        conn.commit()
        seed_connection(conn, schema, rows=900, seed=5, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE productassemblyid IS NULL),"
            " count(*) FILTER (WHERE bomlevel = 0), count(DISTINCT productassemblyid),"
            " count(*) FILTER (WHERE productassemblyid = componentid)"
            " FROM billofmaterials"
        ).fetchone()
    assert row is not None
    count, roots, level_zero, assemblies, selfish = row
    assert count == 903 and selfish == 0
    assert 200 < roots < 700 and level_zero == roots  # each row keeps its branch
    assert assemblies > 10  # parents of many rows, not one
