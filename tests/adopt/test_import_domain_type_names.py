"""``schemagen import`` of domains named like PostgreSQL's types, in lower case
(``CREATE DOMAIN app.inet AS text``, ``app.money``), as hand-written schemas have
them. ``type: inet`` is PostgreSQL's type in the language, so import wrote
``domains: {inet: ...}``, which build refused ('domain name 'inet' is a type name
already'). In a schema of their own their qualified names tell them apart: import
keys them ``inet_domain`` with ``db_name: inet``, and the adopted project makes the
same domains. In the default schema an unqualified ``inet`` is PostgreSQL's type
(pg_catalog is searched first), so such a domain is listed as not expressible."""

from __future__ import annotations

from pathlib import Path

from adopt_harness import new_project, not_expressible, round_trip, written_schema
from migration_harness import alembic, assert_matches_models, schemagen, scratch_database
from pgcluster import PgCluster

DOMAINS_SQL = """
CREATE SCHEMA app;
CREATE DOMAIN app.inet AS text CONSTRAINT inet_dotted CHECK (VALUE ~ '^[0-9.]+$');
CREATE DOMAIN app.money AS numeric(12,2);
CREATE DOMAIN app.email AS text;
CREATE TABLE app.hosts (
  id integer PRIMARY KEY,
  addr app.inet,
  price app.money NOT NULL DEFAULT 0,
  contact app.email,
  real_addr inet
);
CREATE INDEX hosts_addr ON app.hosts (addr);
INSERT INTO app.hosts VALUES
  (1, '10.0.0.1', 1.5, 'a@b', '10.0.0.1'), (2, NULL, 1.5, NULL, NULL),
  (3, '10.0.0.1', 0, 'a@b', '10.0.0.2');
"""


def test_domains_named_like_types_in_a_schema_of_their_own(
    pg: PgCluster, tmp_path: Path
) -> None:
    source = pg.create_database("type_named")
    try:
        pg.sql(DOMAINS_SQL, source)
        root = round_trip(pg, source, tmp_path / "adopted", "domains named like types", ("app",))
        text = written_schema(root)
        assert "  inet_domain:\n    db_name: inet\n    type: text\n" in text, text
        assert "  money_domain:\n    db_name: money\n    type: numeric\n" in text, text
        assert "  email:\n    type: text\n" in text, text
        assert "addr: {type: inet_domain, nullable: true}" in text, text
        assert "real_addr: {type: inet, nullable: true}" in text, text
        # create_all of the models makes what the migration makes
        migrated = scratch_database(pg, "mig")
        alembic(root, pg.url(migrated), "upgrade", "head")
        models = root / "generated" / "models.py"
        code = models.read_text()
        assert 'APP_MONEY_DOMAIN = Domain("money", Numeric(12, 2), schema="app",' in code, code
        assert "addr: Mapped[str | None] = mapped_column(APP_INET_DOMAIN)" in code, code
        assert "real_addr: Mapped[Any | None] = mapped_column(INET())" in code, code
        assert_matches_models(pg, migrated, models, [], "domains named like types")
    finally:
        pg.drop_database(source)


def test_a_domain_named_like_a_type_in_the_default_schema_is_listed(
    pg: PgCluster, tmp_path: Path
) -> None:
    source = pg.create_database("type_named_public")
    try:
        pg.sql("CREATE DOMAIN public.inet AS text; CREATE TABLE hosts (addr public.inet)", source)
        root = new_project(tmp_path / "adopted")
        out = schemagen(root, "import", "--database", pg.url(source), expect_exit=1)
        listed = sorted(not_expressible(out))
        assert listed == [
            "not expressible: domain inet: named like the type inet, in the default schema "
            "(put it in a schema of its own: there its qualified name tells them apart)",
            "not expressible: type public.inet: of column hosts.addr",
        ], out
    finally:
        pg.drop_database(source)
