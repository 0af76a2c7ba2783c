"""A many-to-many's ``secondary:`` names its association table by its name alone
(in whatever PostgreSQL schema it lives) or with its schema before a dot
(``billing.product_tags``), and models.py hands SQLAlchemy the table as its
MetaData keys it: before, ``secondary="product_tags"`` for a table of schema billing,
or of ``database.schema`` app, failed the mappers' configuration ("expression
'product_tags' failed to locate a name"), and ``billing.product_tags`` was an unknown
table. A name used in two schemas says which, located, exit 2."""

from __future__ import annotations

import warnings
from pathlib import Path

from driver_round_trip import generated_modules
from migration_harness import alembic, schemagen, scratch_database, write_schema
from pgcluster import PgCluster

SHOP = """\
database: {name: shop, schema: app}
entities:
  Product:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: text, nullable: true}
    relationships:
      tags: {entity: Tag, secondary: billing.product_tags, back_populates: products}
      pickers: {entity: Tag, secondary: SECONDARY}
  Tag:
    columns:
      id: {type: integer, primary_key: true}
      label: {type: text}
  ProductTag:
    schema: billing
    table: product_tags
    columns:
      product_id: {references: Product, primary_key: true}
      tag_id: {references: Tag, primary_key: true}
  Pick:
    columns:
      product_id: {references: Product, primary_key: true}
      tag_id: {references: Tag, primary_key: true}
"""


def test_an_association_table_of_another_schema_maps_and_holds_rows(
    pg: PgCluster, tmp_path: Path
) -> None:
    """billing.product_tags by its schema, app's picks by its name alone (each was
    broken), then the other spelling of each: both build the same models.py; the
    mappers configure without a warning, rows written through both relationships
    are read back, and check --database is clean."""
    from sqlalchemy import select
    from sqlalchemy.exc import SAWarning
    from sqlalchemy.orm import configure_mappers

    root = tmp_path / "p"
    write_schema(root, {"shop.yaml": SHOP.replace("SECONDARY", "picks")})
    schemagen(root, "build")
    models = (root / "generated" / "models.py").read_text()
    assert 'secondary="billing.product_tags"' in models and 'secondary="app.picks"' in models
    respelled = SHOP.replace("SECONDARY", "app.picks").replace(
        "secondary: billing.product_tags", "secondary: product_tags"
    )
    write_schema(root, {"shop.yaml": respelled})
    schemagen(root, "build")
    assert (root / "generated" / "models.py").read_text() == models
    schemagen(root, "migrate", "-m", "initial")
    db = scratch_database(pg, "m2m")
    url = pg.url(db)
    alembic(root, url, "upgrade", "head")

    with generated_modules(root, url) as (m, database):
        with warnings.catch_warnings():
            warnings.simplefilter("error", SAWarning)
            configure_mappers()
        with database.get_sessionmaker()() as session:
            tags = [m.Tag(id=i, label=f"t{i % 2}") for i in range(1, 4)]
            session.add_all(
                [
                    m.Product(id=1, name=None, tags=tags[:2], pickers=[tags[0]]),
                    m.Product(id=2, name="b", tags=[tags[1]], pickers=tags),
                    m.Product(id=3, name="b", tags=[], pickers=[]),
                ]
            )
            session.commit()
        with database.get_sessionmaker()() as session:
            products = session.scalars(select(m.Product).order_by(m.Product.id)).all()
            assert [sorted(t.id for t in p.tags) for p in products] == [[1, 2], [2], []]
            assert [sorted(t.id for t in p.pickers) for p in products] == [[1], [1, 2, 3], []]
            tag = session.get(m.Tag, 2)
            assert tag is not None and sorted(p.id for p in tag.products) == [1, 2]
    assert pg.sql("SELECT count(*) FROM billing.product_tags", db) == "3\n"
    assert pg.sql("SELECT count(*), count(DISTINCT tag_id) FROM app.picks", db) == "4|3\n"
    schemagen(root, "check", "--no-cache", "--database", url)


def test_a_table_name_used_in_two_schemas_is_said_with_its_schema(tmp_path: Path) -> None:
    """product_tags in billing and in app: the name alone is a located error that says
    which spellings there are; an unknown table's hint names a table with its schema."""
    two = SHOP.replace("SECONDARY", "picks") + (
        "  AppProductTag:\n    table: product_tags\n    columns:\n"
        "      product_id: {references: Product, primary_key: true, back_populates: app_links}\n"
        "      tag_id: {references: Tag, primary_key: true, back_populates: app_links}\n"
    )
    root = tmp_path / "p"
    write_schema(root, {"shop.yaml": two.replace("billing.product_tags", "product_tags")})
    out = schemagen(root, "build", expect_exit=2)
    assert out.strip().splitlines()[0] == (
        "schema/shop.yaml:8:27: entities.Product.relationships.tags.secondary: table name "
        "'product_tags' is used in more than one PostgreSQL schema (app.product_tags, "
        "billing.product_tags): say which, as secondary: app.product_tags"
    )
    assert not (root / "generated").exists()
    write_schema(root, {"shop.yaml": two})
    schemagen(root, "build")
    write_schema(root, {"shop.yaml": two.replace("billing.product_tags", "billing.product_tag")})
    out = schemagen(root, "validate", expect_exit=2)
    assert "unknown table 'billing.product_tag' (did you mean 'billing.product_tags'?)" in out
