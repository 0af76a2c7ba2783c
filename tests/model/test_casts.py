"""The cast table is PostgreSQL's own: pg_cast captured from the real server.

``--update-golden`` writes the capture into the package data file; without it
the file must equal what the server says now.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from pgcluster import PgCluster
from schema_fixtures import string
from schemagen.model import casts
from schemagen.model.casts import TYPNAMES, cast_context, is_safe_change
from schemagen.model.schema import ColumnType

DATA = Path(casts.__file__).with_name(casts.CAST_FILE)

QUERY = """
SELECT s.typname || ' ' || t.typname || ' ' || c.castcontext::text
FROM pg_cast c
JOIN pg_type s ON s.oid = c.castsource
JOIN pg_type t ON t.oid = c.casttarget
WHERE s.typname IN ({names}) AND t.typname IN ({names})
ORDER BY 1
"""


def capture(pg: PgCluster) -> dict[str, object]:
    """The pg_cast rows between the language's types, as the data file holds them."""
    names = ", ".join(f"'{name}'" for name in sorted(TYPNAMES.values()))
    rows = [line.split() for line in pg.sql(QUERY.format(names=names)).splitlines() if line]
    version = pg.sql("SHOW server_version").strip().split()[0]
    return {
        "comment": "pg_cast rows between the types of the schema language, captured by "
        "tests/model/test_casts.py from a real server; context i/a/e = implicit, "
        "assignment, explicit",
        "postgresql": version,
        "casts": rows,
    }


def test_the_cast_table_is_pg_cast_of_the_server(pg: PgCluster, update_golden: bool) -> None:
    captured = capture(pg)
    if update_golden:
        DATA.write_text(_dump(captured), encoding="utf-8")
    stored = json.loads(DATA.read_text(encoding="utf-8"))
    assert stored["casts"] == captured["casts"]


def _dump(data: dict[str, object]) -> str:
    """JSON with one cast per line: a new server's capture diffs line by line."""
    rows = ",\n".join(f"  {json.dumps(row)}" for row in data["casts"])  # type: ignore[attr-defined]
    head = {k: v for k, v in data.items() if k != "casts"}
    return json.dumps(head, indent=1)[:-2] + ',\n "casts": [\n' + rows + "\n ]\n}\n"


def _t(kind: str, **kw: object) -> ColumnType:
    return ColumnType(kind, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("old", "new", "context"),
    [
        (_t("timestamptz"), _t("integer"), None),  # the example
        (_t("integer"), _t("bigint"), "implicit"),
        (_t("bigint"), _t("integer"), "assignment"),
        (_t("text"), _t("integer"), "explicit"),
        (_t("integer"), _t("text"), "assignment"),
        (string(10), string(20), "implicit"),
        (_t("json"), _t("jsonb"), "assignment"),
        (_t("enum", enum="a"), _t("text"), "assignment"),
        (_t("text"), _t("enum", enum="a"), "explicit"),
        (_t("enum", enum="a"), _t("enum", enum="b"), None),
        (_t("uuid"), _t("bytes"), None),
        (_t("array", of=_t("integer")), _t("array", of=_t("bigint")), "implicit"),
        (_t("array", of=_t("text")), _t("array", of=_t("integer")), "explicit"),
        (_t("array", of=_t("integer")), _t("integer"), None),
    ],
)
def test_cast_context(old: ColumnType, new: ColumnType, context: str | None) -> None:
    assert cast_context(old, new) == context
    assert is_safe_change(old, new) == (context in ("implicit", "assignment"))


def test_what_the_table_says_safe_alter_type_does_without_using(
    pg: PgCluster, pg_db: str
) -> None:
    """Every pair the table calls safe converts with a plain ALTER ... TYPE on a row
    of data; every pair it calls unsafe is refused by PostgreSQL without USING."""
    samples = {
        "int2": "1", "int4": "1", "int8": "1", "varchar": "'1'", "text": "'1'",
        "bool": "true", "numeric": "1", "float4": "1", "float8": "1",
        "date": "'2024-01-02'", "time": "'10:00'", "timestamp": "'2024-01-02'",
        "timestamptz": "'2024-01-02'", "interval": "'1 day'", "uuid": "gen_random_uuid()",
        "json": "'1'", "jsonb": "'1'", "bytea": "'\\x01'",
    }  # fmt: skip
    kinds = {typname: kind for kind, typname in TYPNAMES.items()}
    statements, expected = [], []
    for source, value in samples.items():
        for target in samples:
            if source == target:
                continue
            safe = is_safe_change(_t(kinds[source]), _t(kinds[target]))
            table = f"c_{source}_{target}"
            statements.append(
                f"CREATE TABLE {table} (c {source}); INSERT INTO {table} VALUES ({value});"
                f"DO $$ BEGIN ALTER TABLE {table} ALTER COLUMN c TYPE {target}; "
                f"RAISE NOTICE 'ok {table}'; EXCEPTION WHEN others THEN "
                f"RAISE NOTICE 'no {table}'; END $$;"
            )
            expected.append(("ok" if safe else "no", table))
    out = subprocess.run(
        [pg.bin("psql"), "-X", "-q", "-d", pg_db, "-c", "\n".join(statements)],
        env=pg.env(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    seen = [tuple(line.split("NOTICE:  ")[1].split()) for line in out.stderr.splitlines()]
    pairs = zip(expected, seen, strict=True)
    wrong = [(table, want) for (want, table), got in pairs if got[0] != want]
    assert wrong == []
