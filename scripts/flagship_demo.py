"""Prove the flagship migrations on a throwaway PostgreSQL server.

Starts a temporary cluster (the same harness the test suite uses), then from the
repository root: ``alembic upgrade head``, a live ``schemagen check --database``
of the migrated database, ``alembic downgrade base``, and a count of what is
left. Stops the server and removes its temp folder at the end, whatever happened.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from pgcluster import start_cluster  # noqa: E402

#: The schemagen of this interpreter's environment (the venv quickstart made).
_BESIDE = Path(sys.executable).parent / "schemagen"
SCHEMAGEN = str(_BESIDE) if _BESIDE.exists() else "schemagen"


def run(argv: list[str], env: dict[str, str]) -> None:
    print("$ " + " ".join(argv), flush=True)
    subprocess.run(argv, cwd=REPO, env=env, check=True)


def main() -> int:
    cluster = start_cluster()
    try:
        db = cluster.create_database("inventorysync")
        env = dict(os.environ, DATABASE_URL=cluster.libpq_url(db))
        print(f"throwaway PostgreSQL on 127.0.0.1:{cluster.port}, database {db}")
        run([sys.executable, "-m", "alembic", "upgrade", "head"], env)
        tables = cluster.sql(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'", db).strip()
        indexes = cluster.sql(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'", db).strip()
        print(f"after upgrade head: {tables} tables, {indexes} indexes")
        run([SCHEMAGEN, "check", "--database"], env)
        run([sys.executable, "-m", "alembic", "downgrade", "base"], env)
        left = cluster.sql(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'", db).strip()
        print(f"after downgrade base: {left} tables")
        return 0 if left == "0" else 1
    finally:
        cluster.destroy()


if __name__ == "__main__":
    sys.exit(main())
