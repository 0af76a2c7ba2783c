"""Row-level security, a policy, a comment or a column comment a partition holds of its
own (PostgreSQL copies none of its table's onto a partition; the language declares each
on a table alone) is drift: each reported on the partition as an extra, with the
statement that removes it, schema-qualified so that it runs as printed. Before, check
read none of them on a partition and passed, so a policy or RLS made by hand on one
partition (a security drift) went unseen."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from live_check import hint_statement, run_as_printed
from migration_harness import by_hand, json_findings, migrated_database
from pgcluster import PgCluster
from schemagen.cli import main as schemagen_main

SCHEMA = """
database: {name: partown}
entities:
  Ledger:
    description: every posting
    primary_key: [id, day, kind]
    columns:
      id: {type: bigint, primary_key: true}
      day: {type: date, primary_key: true}
      kind: {type: string, length: 8, primary_key: true}
      note: {type: text, nullable: true, description: free text}
    row_level_security: true
    policies:
      ledger_read: {command: select, using: "id >= 0"}
    partition_by: {range: [day]}
    partitions:
      ledger_2025:
        from: 2025-01-01
        to: 2026-01-01
        partition_by: {list: [kind]}
        partitions:
          ledger_2025_a: {in: [a]}
          ledger_2025_rest: {default: true}
      Ledger 2026: {from: 2026-01-01, to: 2027-01-01}
"""
#: skewed kinds (most a), NULL and repeated notes, ids repeated across days and kinds
ROWS = (
    "INSERT INTO ledgers SELECT g % 700, date '2025-01-01' + g % 500, "
    "(ARRAY['a', 'a', 'a', 'c', 'x'])[g % 5 + 1], CASE WHEN g % 4 = 0 THEN NULL ELSE "
    "'n' || g % 3 END FROM generate_series(1, 3000) g"
)
COUNTS = "SELECT count(*), count(note), count(DISTINCT id) FROM ledgers"
EXTRA = "in the database but not in the schema: "


def test_a_partition_s_own_security_and_comments_are_drift(pg: PgCluster, tmp_path: Path) -> None:
    """At head (the table's RLS, policy and comments declared): clean. A policy on a
    sub-partition, RLS enabled and forced on another partition, a comment on a third
    and a column comment on it: exactly those four reported, exit 1; their hints run as
    printed: clean again, the rows untouched."""
    root, name = migrated_database(pg, tmp_path, "partown", SCHEMA, ROWS)
    url = pg.url(name)
    assert json_findings(root, url) == []
    counts = pg.sql(COUNTS, name).strip()
    by_hand(
        pg,
        name,
        [
            "CREATE POLICY \"Mid Read\" ON ledger_2025_a FOR SELECT USING (kind = 'a')",
            'ALTER TABLE "Ledger 2026" ENABLE ROW LEVEL SECURITY',
            'ALTER TABLE "Ledger 2026" FORCE ROW LEVEL SECURITY',
            "COMMENT ON TABLE ledger_2025_rest IS 'the rest''s'",
            "COMMENT ON COLUMN ledger_2025_rest.note IS 'local note'",
        ],
    )
    findings = {f["object"]: f for f in json_findings(root, url)}
    assert sorted(findings) == [
        "comment on column ledger_2025_rest.note",
        "comment on partition ledger_2025_rest",
        "policy Mid Read on ledger_2025_a",
        "row-level security of Ledger 2026",
    ], findings
    assert {o: (f["message"], f["hint"]) for o, f in findings.items()} == {
        "policy Mid Read on ledger_2025_a": (
            EXTRA + "made on partition ledger_2025_a of ledgers alone: "
            "FOR SELECT TO PUBLIC USING (((kind)::text = 'a'::text))",
            "the schema declares policies on a table alone: "
            '`DROP POLICY "Mid Read" ON public.ledger_2025_a`',
        ),
        "row-level security of Ledger 2026": (
            EXTRA + "enabled and forced, made on partition Ledger 2026 of ledgers alone",
            "the schema declares row-level security on a table alone: "
            '`ALTER TABLE public."Ledger 2026" DISABLE ROW LEVEL SECURITY; '
            'ALTER TABLE public."Ledger 2026" NO FORCE ROW LEVEL SECURITY`',
        ),
        "comment on partition ledger_2025_rest": (
            EXTRA + "made on partition ledger_2025_rest of ledgers alone: 'the rest''s'",
            "the schema describes a table alone: "
            "`COMMENT ON TABLE public.ledger_2025_rest IS NULL`",
        ),
        "comment on column ledger_2025_rest.note": (
            EXTRA + "made on partition ledger_2025_rest of ledgers alone: 'local note'",
            "the schema describes a table's columns alone: "
            "`COMMENT ON COLUMN public.ledger_2025_rest.note IS NULL`",
        ),
    }
    result = CliRunner().invoke(
        schemagen_main, ["check", "--project", str(root), "--database", url]
    )
    assert result.exit_code == 1, result.output
    for finding in findings.values():  # the text report prints each, and it runs as printed
        assert f"  -> {finding['hint']}" in result.output.splitlines(), result.output
        for statement in hint_statement(finding["hint"]).split("; "):
            run_as_printed(pg, name, statement)
    assert json_findings(root, url) == []
    assert pg.sql(COUNTS, name).strip() == counts


#: the name of the copy, on partition {}, of the table's primary key index
COPY_NAME = (
    "SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
    "WHERE x.indrelid = '{}'::regclass AND x.indisprimary"
)


def test_a_comment_on_a_partition_s_index_is_drift(pg: PgCluster, tmp_path: Path) -> None:
    """A comment on a partition's copy of its table's primary key index (the language
    describes no index; PostgreSQL copies no comment onto a copy): exactly it reported,
    with `COMMENT ON INDEX ... IS NULL`, which runs as printed: clean again, the rows
    untouched. Before, check read no index comment of a partition (clean)."""
    root, name = migrated_database(pg, tmp_path, "partidx", SCHEMA, ROWS)
    url = pg.url(name)
    copy = pg.sql(COPY_NAME.format('"Ledger 2026"'), name).strip()
    counts = pg.sql(COUNTS, name).strip()
    by_hand(pg, name, [f"COMMENT ON INDEX \"{copy}\" IS 'kept by hand'"])
    findings = json_findings(root, url)
    assert [(f["object"], f["message"], f["hint"]) for f in findings] == [
        (
            f"comment on index {copy} on Ledger 2026",
            EXTRA + "made on partition Ledger 2026 of ledgers alone: 'kept by hand'",
            f'the schema describes no index: `COMMENT ON INDEX public."{copy}" IS NULL`',
        )
    ], findings
    run_as_printed(pg, name, hint_statement(findings[0]["hint"]))
    assert json_findings(root, url) == []
    assert pg.sql(COUNTS, name).strip() == counts
