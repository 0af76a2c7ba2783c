"""The check of comments changed by hand, behind the migrations' back, shared by the
tests of each kind of object's comment: every finding in text and in json, on a
read-only database too, and each finding's hint a statement that puts the declared
comment back."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from live_check import drift_json
from migration_harness import assert_text_findings, by_hand, live_findings
from pgcluster import PgCluster

#: a finding expected: its object, its message, the statement its hint gives
Expected = tuple[str, str, str]


def assert_comment_drift(
    pg: PgCluster, root: Path, name: str, behind: Iterable[str], expected: list[Expected]
) -> None:
    """Database ``name`` at head has no finding; ``behind`` run by hand, ``check
    --database`` finds ``expected`` (object, message, the hint's statement), in that
    order, in text and in json, each hint giving its statement in backticks, and the
    same json once the database is read-only (no temporary objects); each statement
    run, no finding is left."""
    url = pg.url(name)
    assert live_findings(root, url) == []
    by_hand(pg, name, behind)
    assert live_findings(root, url) == [f"{obj}: {msg}" for obj, msg, _ in expected]

    assert_text_findings(root, url, [(obj, msg, f"`{fix}`") for obj, msg, fix in expected])

    findings = drift_json(root, url)
    assert [(f["object"], f["message"]) for f in findings] == [(o, m) for o, m, _ in expected]
    assert all(f"`{fix}`" in f["hint"] for (_, _, fix), f in zip(expected, findings, strict=True))

    # read-only (no temporary objects): the same findings and hints
    pg.sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    assert drift_json(root, url) == findings
    pg.sql(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')

    # the hints' statements put the declared comments back: the database is at the schema
    for _, _, fix in expected:
        pg.sql(fix, name)
    assert live_findings(root, url) == []
