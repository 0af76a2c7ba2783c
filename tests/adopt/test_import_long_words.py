"""``schemagen import`` of a view whose query holds a word longer than a line: the
XML namespaces AdventureWorks for PostgreSQL passes to ``xpath`` in its views
(``'{{n,http://schemas.microsoft.com/sqlserver/2004/07/adventure-works/Resume}}'``,
printed by PostgreSQL with ``::text[]))[1])::character`` glued to it). models.py
carries the view's SQL as a string split into parts at blanks, and a word with no
blank in it stayed one part of 110 to 130 columns: ruff's line length (E501 at 100)
failed on the generated models. Such a word is now cut between characters."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from adopt_harness import round_trip, source_database
from pgcluster import PgCluster

NS = "http://schemas.microsoft.com/sqlserver/2004/07/adventure-works/Resume"
RESUME = f'<ns:Resume xmlns:ns="{NS}"><ns:Name.First>Shai</ns:Name.First></ns:Resume>'
SOURCE = f"""
CREATE TABLE jobcandidate (
    jobcandidateid serial PRIMARY KEY,
    resume xml
);
INSERT INTO jobcandidate (resume) VALUES
    ('{RESUME}'), (NULL), (NULL), ('{RESUME}');
CREATE VIEW vjobcandidate AS
SELECT jobcandidateid,
    (xpath('/n:Resume/n:Name.First/text()', resume, '{{{{n,{NS}}}}}'))[1]::varchar(30)
        AS "Name.First"
FROM jobcandidate;
"""


def test_a_view_holding_a_word_longer_than_a_line_gives_lint_clean_models(
    pg: PgCluster, tmp_path: Path
) -> None:
    with source_database(pg, "long_words", SOURCE) as source:
        # import, build, migrate, check --database clean, a fresh copy dumps the same
        root = round_trip(pg, source, tmp_path / "p", "long words")
        names = 'SELECT "Name.First" FROM vjobcandidate WHERE "Name.First" IS NOT NULL'
        assert pg.sql(names, source).split() == ["Shai", "Shai"]
    models = root / "generated" / "models.py"
    assert NS not in models.read_text()  # the word is cut, so not on one line
    lint = subprocess.run(
        ["ruff", "check", "--isolated", "--select", "E,F,W,I,B,UP", "--line-length", "100",
         str(models)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout + lint.stderr
    for line_length in ("88", "100"):
        formatted = subprocess.run(
            ["ruff", "format", "--isolated", "--check", "--line-length", line_length,
             str(models)],
            capture_output=True, text=True,
        )  # fmt: skip
        assert formatted.returncode == 0, formatted.stdout + formatted.stderr


@pytest.mark.parametrize("indent", ["", "        "])
def test_every_part_of_a_long_word_fits_and_joins_back(indent: str) -> None:
    from schemagen.util.pycode import LINE_LIMIT, Str, layout, width

    value = f"'{{{{n,{NS}}}}}'::text[]))[1])::character varying(30) " + 'é\\"' * 60
    lines = layout(Str(value), indent=indent, prefix="x = ")
    assert len(lines) > 4
    assert all(width(line) <= LINE_LIMIT for line in lines), lines
    assert eval("".join(line.strip() for line in lines[1:-1])) == value  # noqa: S307
