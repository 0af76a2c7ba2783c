"""A foreign key's VALIDATE that fails on the rows says which key, what is wrong
with the rows, and a query that lists them.

Only the database knows whether rows hold half-NULL keys (refused by MATCH
FULL) or orphans: the upgrade finds out at VALIDATE, in the online revision,
after the key is in place NOT VALID. PostgreSQL's own error names the
constraint but says nothing of which rows, nor what to do; the revision's
error does, and the user fixes the rows and runs the same command again.
"""

from __future__ import annotations

import re
from pathlib import Path

from migration_harness import (
    Case,
    alembic,
    assert_matches_models,
    generate,
    schemagen,
    scratch_database,
    write_schema,
)
from pgcluster import PgCluster
from revision_steps import at_first_revision, failed_migration, listed_ids

_SCHEMA = """\
database:
  name: validate
entities:
  Unit:
    primary_key: [property_id, unit_no]
    columns:
      property_id: {{type: bigint, primary_key: true}}
      unit_no: {{type: integer, primary_key: true}}
  Booking:
    columns:
      id: {{type: bigint, primary_key: true}}
      property_id: {{type: bigint, nullable: true}}
      unit_no: {{type: integer, nullable: true}}
{key}"""

KEY = """\
    foreign_keys:
      fk_bookings_unit:
        columns: [property_id, unit_no]
        references: Unit{match}
"""


def _schema(key: str) -> dict[str, str]:
    return {"schema.yaml": _SCHEMA.format(key=key)}


def test_upgrade_to_match_full_over_half_null_keys_names_the_key_the_rows_and_a_query(
    pg: PgCluster, tmp_path: Path
) -> None:
    case = Case(
        "match_full_half_null",
        _schema(KEY.format(match="")),
        _schema(KEY.format(match="\n        match: full")),
        destructive=False,
    )
    rows = (
        "INSERT INTO units VALUES (1, 1), (1, 2);"
        "INSERT INTO bookings VALUES (1, 1, 1), (2, 1, 1), (3, NULL, NULL), (4, 1, NULL),"
        " (5, NULL, 2), (6, 1, NULL)"
    )
    first = at_first_revision(pg, case, tmp_path, rows)
    root, db, url = first.root, first.db, first.url
    error = str(failed_migration(root, url))
    assert re.search(
        r"cannot validate foreign key fk_bookings_unit on bookings: rows hold "
        r"\(property_id, unit_no\) partly NULL, which MATCH FULL refuses", error
    ), error
    assert "MATCH FULL does not allow mixing of null and nonnull key values" in error, error
    assert "set each such key all NULL or give it every column" in error, error
    assert listed_ids(pg, db, error) == "4,5,6"
    out = schemagen(root, "check", "--database", url, expect_exit=1)
    assert "foreign key fk_bookings_unit on bookings: is NOT VALID" in out, out

    pg.sql("UPDATE bookings SET property_id = NULL, unit_no = NULL WHERE id IN (4, 5, 6)", db)
    alembic(root, url, "upgrade", "head")
    assert_matches_models(pg, db, first.models_after, [], "upgrade")
    assert pg.sql("SELECT count(*) FROM bookings", db).strip() == "6"


def test_plan_and_migrate_say_before_the_deploy_how_to_find_keys_partly_null(
    tmp_path: Path,
) -> None:
    """What can be known without the database: the key's columns may be NULL."""
    root = tmp_path / "project"
    write_schema(root, _schema(KEY.format(match="")))
    schemagen(root, "migrate", "-m", "before")
    write_schema(root, _schema(KEY.format(match="\n        match: full")))
    note = (
        "note: fk_bookings_unit on bookings becomes MATCH FULL: its VALIDATE fails if rows "
        "hold (property_id, unit_no) partly NULL; before deploying, list them with: "
        "SELECT * FROM bookings WHERE num_nulls(property_id, unit_no) = 1"
    )
    assert note in schemagen(root, "plan").splitlines()
    assert note in schemagen(root, "migrate", "-m", "full").splitlines()


def test_a_new_key_over_orphans_names_the_key_the_rows_and_a_query(
    pg: PgCluster, tmp_path: Path
) -> None:
    """The same for a key added to a table holding rows (a MATCH FULL one whose rows
    hold no half-NULL key: the orphans are what is wrong)."""
    case = Case("orphans", _schema(""), _schema(KEY.format(match="\n        match: full")),
                destructive=False)
    rows = (
        "INSERT INTO units VALUES (1, 1);"
        "INSERT INTO bookings VALUES (1, 1, 1), (2, 1, 7), (3, NULL, NULL), (4, 9, 9)"
    )
    first = at_first_revision(pg, case, tmp_path, rows)
    root, db, url = first.root, first.db, first.url
    error = str(failed_migration(root, url))
    assert re.search(
        r"cannot validate foreign key fk_bookings_unit on bookings: rows hold "
        r"\(property_id, unit_no\) values that units does not have", error
    ), error
    assert re.search(r"Key \(property_id, unit_no\)=\(\d, \d\) is not present", error), error
    assert "delete those rows, or set their key NULL or to a row of units" in error, error
    assert listed_ids(pg, db, error) == "2,4"
    pg.sql("DELETE FROM bookings WHERE id IN (2, 4)", db)
    alembic(root, url, "upgrade", "head")
    assert_matches_models(pg, db, first.models_after, [], "upgrade")


def test_a_downgrade_adding_a_dropped_key_back_over_orphans_says_the_same(
    pg: PgCluster, tmp_path: Path
) -> None:
    """A MATCH SIMPLE key dropped by the upgrade: rows written meanwhile may break it,
    and its downgrade (the drops revision's, adding it back NOT VALID, then VALIDATE)
    fails naming them; a half-NULL key is no problem for it."""
    case = Case("dropped", _schema(KEY.format(match="")), _schema(""), destructive=False)
    root = tmp_path / "project"
    models_before, _ = generate(case, root)
    db = scratch_database(pg, "mig")
    url = pg.url(db)
    alembic(root, url, "upgrade", "head")
    pg.sql(
        "INSERT INTO units VALUES (1, 1);"
        "INSERT INTO bookings VALUES (1, 1, 1), (2, 1, NULL), (3, 5, 5)",
        db,
    )
    error = str(failed_migration(root, url, "downgrade", "000"))
    assert "rows hold (property_id, unit_no) values that units does not have" in error, error
    assert "then run the same alembic command again" in error, error
    assert listed_ids(pg, db, error) == "3"
    pg.sql("DELETE FROM bookings WHERE id = 3", db)
    alembic(root, url, "downgrade", "000")
    assert_matches_models(pg, db, models_before, [], "downgrade")


def test_a_key_left_not_valid_validated_over_orphans_says_the_same(
    pg: PgCluster, tmp_path: Path
) -> None:
    """validated: false -> true is VALIDATE CONSTRAINT alone: over the old orphans a
    key left NOT VALID kept, it fails naming them; its downgrade (back to NOT VALID,
    the swap without VALIDATE) reads no row, so orphans do not stop it."""
    left = KEY.format(match="") + "        validated: false\n"
    case = Case("validated", _schema(left), _schema(KEY.format(match="")), destructive=False)
    rows = (
        "ALTER TABLE bookings DROP CONSTRAINT fk_bookings_unit;"
        "INSERT INTO units VALUES (1, 1);"
        "INSERT INTO bookings VALUES (1, 1, 1), (2, 1, 7), (3, NULL, NULL), (4, 9, 9),"
        " (5, 9, 9);"
        "ALTER TABLE bookings ADD CONSTRAINT fk_bookings_unit FOREIGN KEY (property_id,"
        " unit_no) REFERENCES units NOT VALID"
    )
    first = at_first_revision(pg, case, tmp_path, rows)
    root, db, url = first.root, first.db, first.url
    error = str(failed_migration(root, url))
    assert re.search(
        r"cannot validate foreign key fk_bookings_unit on bookings: rows hold "
        r"\(property_id, unit_no\) values that units does not have", error
    ), error
    assert listed_ids(pg, db, error) == "2,4,5"
    pg.sql("DELETE FROM bookings WHERE id IN (2, 4, 5)", db)
    alembic(root, url, "upgrade", "head")
    assert_matches_models(pg, db, first.models_after, [], "upgrade")
    valid = "SELECT convalidated FROM pg_constraint WHERE conname = 'fk_bookings_unit'"
    assert pg.sql(valid, db).strip() == "t"
    # back to NOT VALID: no scan, so rows written meanwhile are no matter
    pg.sql("INSERT INTO bookings VALUES (6, 1, 1), (7, NULL, 3)", db)
    alembic(root, url, "downgrade", "000")
    assert_matches_models(pg, db, first.models_before, [], "downgrade")
    assert pg.sql(valid, db).strip() == "f"
    assert pg.sql("SELECT count(*) FROM bookings", db).strip() == "4"
