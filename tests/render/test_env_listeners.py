"""The generated env.py registers its column_reflect listeners once per process,
however many times Alembic runs it in-process (a test suite, a tool)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from alembic import command
from migration_harness import (
    alembic,
    alembic_config,
    load_case,
    project_env,
    schemagen,
    write_schema,
)
from pgcluster import PgCluster
from sqlalchemy import MetaData, Table

REPO = Path(__file__).resolve().parents[2]
LISTENERS = ("_domain_default", "_nextval_default")

# A table of another PostgreSQL schema with a default calling nextval of a public
# sequence: env.py's _nextval_default; corpus 92's defaulted domains: _domain_default.
TICKETS = (
    "sequences:\n  ticket_codes: {}\n"
    "entities:\n  Ticket:\n    schema: billing\n    columns:\n"
    "      id: {type: bigint, primary_key: true}\n"
    "      code: {type: bigint, default: {sql: \"nextval('ticket_codes')\"}}\n"
)


def _registered() -> Counter[str]:
    """The Table class's column_reflect listeners of env.py, by name."""
    found = Table("probe", MetaData()).dispatch.column_reflect
    return Counter(fn.__name__ for fn in found if fn.__name__ in LISTENERS)


def test_env_py_run_twice_registers_each_listener_once(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    root = tmp_path / "p"
    files = dict(load_case(REPO / "tests" / "corpus" / "92_domain_over_enum").after)
    files["tickets.yaml"] = TICKETS
    write_schema(root, files)
    schemagen(root, "migrate", "-m", "initial")
    env = (root / "generated" / "migrations" / "env.py").read_text(encoding="utf-8")
    assert "_listen_once(_domain_default)" in env and "_listen_once(_nextval_default)" in env
    url = pg.url(pg_db)
    alembic(root, url, "upgrade", "head")  # runs env.py: both listeners registered
    assert _registered() == Counter(LISTENERS)
    for _ in range(2):  # autogenerate reflects: the listeners do their work, no drift
        with project_env(root, url):
            command.check(alembic_config(root))
        assert _registered() == Counter(LISTENERS)
