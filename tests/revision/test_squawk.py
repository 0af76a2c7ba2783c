"""The flagship's offline SQL (``alembic upgrade head --sql``) passes the squawk linter.

squawk (PyPI ``squawk-cli``) checks PostgreSQL migrations for statements that
lock tables for long or fail on live data. Rules that cannot apply to what
schemagen writes are excluded below, each with its reason. require-lock-timeout
is not among them: env.py sets ``lock_timeout`` ([tool.schemagen]) before the
first statement, in the offline SQL too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from migration_harness import Case, generate, revisions, schemagen
from migration_harness import offline_sql as offline_sql_of
from write_load import AFTER, BEFORE

#: Rules excluded for the flagship history, each with a one-line reason.
EXCLUDED_RULES: dict[str, str] = {
    "prefer-bigint-over-int": "the flagship keeps the int4 keys (and counts) its live database has",
    "prefer-text-field": "varchar(n) is what `type: string, length: n` declares, on purpose",
    "prefer-robust-stmts": (
        "fires on 000's CREATE TABLEs, which run in one transaction that rolls back whole"
    ),
    "require-statement-timeout": "a statement timeout would abort long concurrent index builds",
}


def offline_sql(project: Path) -> str:
    """``python -m alembic upgrade head --sql`` in ``project`` (no database is contacted)."""
    env = dict(
        os.environ,
        # Offline mode only needs the dialect; this server does not exist.
        DATABASE_URL="postgresql+psycopg://user@127.0.0.1:9/offline",
        PYTHONDONTWRITEBYTECODE="1",
    )
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head", "--sql"],
        cwd=project, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def flagship_sql(flagship_copy: Path, tmp_path: Path) -> Path:
    assert revisions(flagship_copy), "the flagship has no committed revisions"
    schemagen(flagship_copy, "build")  # only fills in what is not committed
    sql = offline_sql(flagship_copy)
    assert "CREATE TABLE" in sql
    path = tmp_path / "flagship_upgrade.sql"
    path.write_text(sql, encoding="utf-8")
    return path


def test_offline_sql_passes_squawk(flagship_sql: Path) -> None:
    squawk = shutil.which("squawk")
    assert squawk is not None, "squawk is not installed (pip install squawk-cli)"
    argv = [squawk, "--pg-version=15", "--reporter=gcc"]
    argv += [f"--exclude={rule}" for rule in EXCLUDED_RULES]
    result = subprocess.run(
        [*argv, str(flagship_sql)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"squawk found violations:\n{result.stdout}{result.stderr}"


def test_offline_sql_builds_concurrent_indexes_outside_a_transaction(flagship_sql: Path) -> None:
    """Every CREATE INDEX CONCURRENTLY follows a COMMIT (Alembic's autocommit_block)."""
    lines = flagship_sql.read_text(encoding="utf-8").splitlines()
    text = "\n".join(ln for ln in lines if not ln.lstrip().startswith("--"))
    statements = [s.strip() for s in text.split(";") if s.strip()]
    concurrent = [i for i, s in enumerate(statements) if "CONCURRENTLY" in s.upper()]
    for i in concurrent:
        opener = next(
            (s.upper() for s in reversed(statements[:i]) if s.upper() in ("BEGIN", "COMMIT")),
            None,
        )
        assert opener == "COMMIT", f"{statements[i]!r} runs inside a transaction"


def _squawk_findings(sql_file: Path) -> list[dict[str, object]]:
    """Every squawk violation of ``sql_file``, no rule excluded (JSON, 0-based lines)."""
    squawk = shutil.which("squawk")
    assert squawk is not None, "squawk is not installed (pip install squawk-cli)"
    result = subprocess.run(
        [squawk, "--pg-version=15", "--reporter=json", str(sql_file)],
        capture_output=True, text=True, timeout=120,
    )
    findings: list[dict[str, object]] = json.loads(result.stdout or "[]")
    return findings


def _lines_in_a_transaction(sql: str) -> set[int]:
    inside, found = False, set()
    for number, line in enumerate(sql.splitlines()):
        word = line.strip().upper()
        if word in ("BEGIN;", "COMMIT;"):
            inside = word == "BEGIN;"
        elif inside:
            found.add(number)
    return found


def test_each_excluded_rule_still_fires_and_robust_stmts_only_in_a_transaction(
    flagship_sql: Path,
) -> None:
    """An exclusion that no longer fires is stale (it would hide a future violation);
    prefer-robust-stmts, the one whose reason is about where it fires, is checked."""
    findings = _squawk_findings(flagship_sql)
    fired = {str(f["rule_name"]) for f in findings}
    assert fired <= set(EXCLUDED_RULES), fired - set(EXCLUDED_RULES)
    assert set(EXCLUDED_RULES) <= fired, f"stale exclusions: {set(EXCLUDED_RULES) - fired}"
    in_transaction = _lines_in_a_transaction(flagship_sql.read_text(encoding="utf-8"))
    robust = [f for f in findings if f["rule_name"] == "prefer-robust-stmts"]
    outside = [f for f in robust if f["line"] not in in_transaction]
    assert not outside, f"prefer-robust-stmts outside a transaction: {outside}"


def test_downgrade_adding_dropped_constraints_back_passes_squawk(tmp_path: Path) -> None:
    """The downgrade of a revision that drops a foreign key, a unique constraint, a
    check, NOT NULL and an index adds them back the lock-safe way: squawk finds no
    lock rule (written plainly it fires constraint-missing-not-valid,
    adding-foreign-key-constraint, disallowed-unique-constraint and
    adding-not-nullable-field), only the drop of the recipe's own temporary check."""
    root = tmp_path / "project"
    generate(Case("drops", {"schema.yaml": AFTER}, {"schema.yaml": BEFORE}, False), root)
    path = tmp_path / "downgrade.sql"
    path.write_text(offline_sql_of(root, "head:000", "downgrade"), encoding="utf-8")
    findings = _squawk_findings(path)
    fired = [str(f["rule_name"]) for f in findings if f["rule_name"] not in EXCLUDED_RULES]
    assert fired == ["ban-drop-constraint"], findings  # DROP ... schemagen_not_null_sku
