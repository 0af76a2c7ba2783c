"""Shared steps of the ``check --database`` tests: a corpus case's schema migrated
into a database that holds rows, the command's exit code and output, its findings
in json, sessions made read-only (as on a hot standby: no temporary table for the
check), and the statements a check sends (libpq's trace)."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from migration_harness import live_findings, migrated_database
from pgcluster import PgCluster
from schemagen.api import load_project
from schemagen.cli import main
from schemagen.live.compare import check_database
from schemagen.validate.pipeline import load_schema

CORPUS = Path(__file__).resolve().parent / "corpus"


def corpus_database(
    pg: PgCluster, tmp_path: Path, case: str, name: str, rows: str
) -> tuple[Path, str]:
    """Corpus case ``case``'s ``after`` schema migrated to head into a fresh database
    ``name``, then ``rows`` run in it: (the project's root, the database's name)."""
    schema = (CORPUS / case / "after" / "schema.yaml").read_text()
    return migrated_database(pg, tmp_path, name, schema, rows)


def check_command(root: Path, url: str) -> tuple[int, str]:
    """``check --database`` of the project at ``root`` against ``url``: its exit code
    (0 clean, 1 drift) and its output."""
    result = CliRunner().invoke(main, ["check", "--project", str(root), "--database", url])
    return result.exit_code, result.output


def drift_json(root: Path, url: str) -> list[dict[str, Any]]:
    """``check --database --format json``, which must exit 1 (drift): its findings."""
    out = CliRunner().invoke(
        main, ["check", "--project", str(root), "--format", "json", "--database", url]
    )
    assert out.exit_code == 1, out.output
    findings: list[dict[str, Any]] = json.loads(out.output)["findings"]
    return findings


@contextmanager
def read_only_sessions(pg: PgCluster, name: str) -> Iterator[None]:
    """Every session of database ``name`` begun inside is read-only; after, they are
    writable again."""
    pg.sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    try:
        yield
    finally:
        pg.sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')


def assert_clean(pg: PgCluster, root: Path, name: str) -> None:
    """``check --database`` finds nothing in database ``name`` and exits 0; nor does
    it find anything once the database's sessions are read-only."""
    url = pg.url(name)
    assert live_findings(root, url) == []
    code, output = check_command(root, url)
    assert code == 0, output
    with read_only_sessions(pg, name):
        assert live_findings(root, url) == []


#: A statement as libpq's trace shows it leaving the client: simple or extended protocol.
_SENT = re.compile(r"^F\t\d+\t(?:Query|Parse)\t", re.MULTILINE)


def traced_check(pg: PgCluster, root: Path, dbname: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run the live comparison with libpq tracing on; the statements it sent."""
    schema = load_schema(load_project(root)).schema
    assert schema is not None
    real_connect = psycopg.connect
    with tempfile.TemporaryFile("w+") as trace:

        def connect(*args: Any, **kwargs: Any) -> psycopg.Connection[Any]:
            conn = real_connect(*args, **kwargs)
            conn.pgconn.trace(trace.fileno())
            conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)
            return conn

        monkeypatch.setattr(psycopg, "connect", connect)
        findings = check_database(schema, pg.url(dbname))
        monkeypatch.setattr(psycopg, "connect", real_connect)
        trace.seek(0)
        sent = len(_SENT.findall(trace.read()))
    assert [f.message for f in findings] == []
    return sent


def run_as_printed(pg: PgCluster, name: str, statement: str) -> None:
    """Run a hint's statement as a user pastes it: on its own, autocommitted, with
    only pg_catalog on the search path (so a hint that does not qualify its
    objects fails here)."""
    with psycopg.connect(pg.libpq_url(name), autocommit=True) as conn:
        conn.execute("SET search_path = pg_catalog")
        conn.execute(statement)  # type: ignore[arg-type]


def hint_statement(hint: str) -> str:
    """The last statement quoted in backticks in a finding's hint."""
    return hint.rpartition("`")[0].rpartition("`")[2]
