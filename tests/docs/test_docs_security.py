"""The entity page's row-level security section: the state, each policy, the roles."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import schema_of
from schemagen.docs.render import render_docs
from schemagen.util.templating import make_environment

TEXT = """
entities:
  Account:
    row_level_security: force
    columns:
      id: {type: bigint, primary_key: true}
      owner_id: {type: bigint}
    policies:
      own:
        command: update
        roles: [app_user]
        using: "owner_id = current_setting('app.user_id')::bigint"
        with_check: "owner_id | 1 > 0"
        description: Each user *their own* rows.
      no_zero: {permissive: false, using: "owner_id <> 0"}
  Plain:
    columns:
      id: {type: bigint, primary_key: true}
"""


def test_entity_page_shows_rls_and_each_policy(tmp_path: Path) -> None:
    pages = render_docs(schema_of(tmp_path, {"s.yaml": TEXT}), make_environment())
    page = pages["docs/entities/accounts.md"]
    section = page.split("## Row-level security\n", 1)[1].split("\n## ", 1)[0]
    assert section == (
        "\nRow-level security is **enabled** on `accounts` for every role but superusers and "
        "roles with BYPASSRLS, the table's owner too (FORCE): a row is visible or writable "
        "when a permissive policy allows it and every restrictive one does.\n\n"
        "| Policy | Command | Roles | Kind | Using | With check | Description |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n"
        "| `no_zero` | ALL | `public` | restrictive | `owner_id <> 0` |  |  |\n"
        "| `own` | UPDATE | `app_user` | permissive | "
        "`owner_id = current_setting('app.user_id')::bigint` | `owner_id \\| 1 > 0` | "
        "Each user *their own* rows. |\n\n"
        "The role `app_user` must exist in the cluster before the migration that creates a "
        "policy naming them: roles are not part of a database, and schemagen does not "
        "create them.\n"
    )
    assert "Row-level security" not in pages["docs/entities/plains.md"]
