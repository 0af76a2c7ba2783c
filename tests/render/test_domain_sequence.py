"""A domain whose DEFAULT calls a standalone sequence, through the generated models:
``create_all`` makes the sequence before the domains (SQLAlchemy makes the
metadata's domains before its sequences, so the domains' DDL events do it), rows
inserted by the ORM take consecutive numbers from it, and ``drop_all`` removes the
domains before the sequence. The migration side is corpus case 98."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from migration_harness import imported_models, load_case, schemagen, write_schema
from pgcluster import PgCluster
from sqlalchemy.orm import Session

CASE = Path(__file__).resolve().parents[1] / "corpus" / "98_domain_default_calls_a_sequence"
# the domains and the standalone sequences (not those of identity columns)
OBJECTS = (
    "SELECT string_agg(name, ',' ORDER BY name) FROM ("
    "SELECT relname AS name FROM pg_class c WHERE relkind = 'S' AND NOT EXISTS "
    "(SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'i') "
    "UNION ALL SELECT typname FROM pg_type WHERE typtype = 'd' "
    "AND typnamespace = 'public'::regnamespace) o"
)


def test_rows_through_the_models_count_on_from_the_sequence(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    root = tmp_path / "p"
    write_schema(root, load_case(CASE).after)
    schemagen(root, "build")
    engine = sa.create_engine(pg.url(pg_db))
    try:
        with imported_models(root / "generated" / "models.py") as models:
            metadata = models.Base.metadata
            metadata.create_all(engine)
            assert pg.sql(OBJECTS, pg_db).strip() == "ticket_no,ticket_ref,ticket_seq"
            with Session(engine) as session:
                tickets = [models.Ticket(title=t) for t in ("a", "b", "c")]
                session.add_all(tickets)
                session.flush()
                session.add(models.Reply())
                session.commit()
                assert [t.number for t in tickets] == [100, 101, 102]
                assert session.scalars(sa.select(models.Reply.ref)).all() == [103]
            # a second create_all (checkfirst) and a table's own create are no-ops
            metadata.create_all(engine)
            metadata.drop_all(engine)
            assert pg.sql(OBJECTS, pg_db).strip() == ""
            # one table alone: its domain makes the sequence it calls first
            models.Reply.__table__.create(engine)
            assert pg.sql(OBJECTS, pg_db).strip() == "ticket_ref,ticket_seq"
            assert pg.sql("INSERT INTO replies DEFAULT VALUES RETURNING ref", pg_db).strip() == (
                "100"
            )
    finally:
        engine.dispose()
