"""``schemagen prove`` on tables with ``row_level_security: force``, run as their
owner (no superuser, no BYPASSRLS), as a team's database role would. Seed lifts
FORCE for its own transaction; prove then measured every declared query with FORCE
back on, so the owner's queries ran under the policies: a policy reading the
application's session setting (``current_setting('app.user_id')::int``, unset in
prove's session) failed the whole run ("unrecognized configuration parameter"), and
one bound to the application's role alone hid every row (``Filter: false``), so the
query measured was not the one declared. Prove now measures the declared queries
as written, FORCE lifted in a transaction it rolls back."""

from __future__ import annotations

import json
from pathlib import Path

from migration_harness import create_roles, write_schema
from pgcluster import PASSWORD, PgCluster
from seed_checks import prove_cli

SCHEMA = """
database: {name: rlsprove}
entities:
  Account:
    row_level_security: force
    columns:
      id: {type: bigint, primary_key: true}
      owner_id: {type: integer, nullable: true}
      plan: {type: string, length: 10, nullable: true}
    policies:
      own:
        using: "owner_id = current_setting('app.user_id')::int"
    indexes:
      ix_accounts_owner:
        columns: [owner_id]
        serves: ["SELECT id FROM accounts WHERE owner_id = 42"]
  Note:
    row_level_security: force
    columns:
      id: {type: bigint, primary_key: true}
      account_id: {references: Account, index: true}
      body: {type: text, nullable: true}
    policies:
      app_only:
        roles: [rlsprove_app]
        using: "true"
    indexes:
      ix_notes_body:
        columns: [body]
        serves: ["SELECT id FROM notes WHERE body = 'x'"]
"""

OWNER = "rlsprove_owner"


def test_prove_measures_forced_tables_as_declared(pg: PgCluster, tmp_path: Path) -> None:
    create_roles(pg, ["rlsprove_app"])
    pg.sql(
        f"DO $$BEGIN CREATE ROLE {OWNER} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'pw'; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END$$"
    )
    name = pg.create_database("rlsprove")
    try:
        pg.sql(f'ALTER DATABASE "{name}" OWNER TO {OWNER}')
        pg.sql(f"GRANT CREATE ON SCHEMA public TO {OWNER}", name)
        write_schema(tmp_path, {"schema.yaml": SCHEMA})
        url = pg.url(name).replace(f"postgres:{PASSWORD}@", f"{OWNER}:pw@")
        code, out = prove_cli(
            tmp_path, url, "--rows", "20000", "--rows-per", "accounts=2000", "--format", "json"
        )
        assert code == 0, out
        report = json.loads(out[: out.rindex("}") + 1])
        assert [(q["index"], q["with_index"]["uses_index"]) for q in report["queries"]] == [
            ("ix_accounts_owner", True),
            ("ix_notes_body", True),
        ]
        assert report["rows"] == {"accounts": 2000, "notes": 20000}
        # FORCE is back, and the rows are there (seen as the superuser)
        assert pg.sql(
            "SELECT string_agg(relname || ':' || relforcerowsecurity, ',' ORDER BY relname)"
            " || ' ' || (SELECT count(*) FROM notes) FROM pg_class"
            " WHERE relname IN ('accounts', 'notes')",
            name,
        ).strip() == "accounts:true,notes:true 20000"
    finally:
        pg.drop_database(name)
