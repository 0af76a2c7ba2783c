"""``schemagen import`` of text holding a line break other than ``\\n``: NEL (U+0085),
LINE and PARAGRAPH SEPARATOR (U+2028, U+2029). PyYAML wrote them raw between
single quotes, and a YAML reader folds NEL into a space: an adopted comment, CHECK
literal, default or enum label came back changed ('a\\x85b' -> 'a b'), so the
rebuilt database differed from the one adopted and check --database reported drift
that was not there. They are written double-quoted, escaped (``\\N``, ``\\L``, ``\\P``)."""

from __future__ import annotations

from pathlib import Path

import yaml
from adopt_harness import round_trip, source_database
from pgcluster import PgCluster

SOURCE = r"""
CREATE TYPE mood AS ENUM ('calm', E'tense\u0085now', E'up\u2028down');
CREATE TABLE notes (
    id bigint PRIMARY KEY,
    body text NOT NULL DEFAULT E'first\u0085second',
    mark text CHECK (mark <> E'no\u0085pe' AND mark <> E'x\u2029y'),
    feeling mood
);
COMMENT ON TABLE notes IS E'Notes\u0085kept apart\u2028and\u2029there.';
COMMENT ON COLUMN notes.mark IS E'\u0085leading break, trailing one\u0085';
INSERT INTO notes VALUES
    (1, DEFAULT, NULL, NULL), (2, DEFAULT, 'a', E'tense\u0085now'),
    (3, 'b', 'a', E'up\u2028down'), (4, 'b', NULL, 'calm');
"""


def test_text_with_nel_and_separators_imports_exactly(pg: PgCluster, tmp_path: Path) -> None:
    with source_database(pg, "breaks", SOURCE) as source:
        # import, build, migrate, check --database clean, a fresh copy dumps the same
        root = round_trip(pg, source, tmp_path / "p", "line breaks")
        files = {p.name: p.read_text() for p in (root / "schema").glob("*.yaml")}
        loaded = [yaml.safe_load(text) for text in files.values()]
        entity = next(d["entities"]["Note"] for d in loaded if "entities" in d)
        assert entity["description"] == "Notes\x85kept apart\u2028and\u2029there."
        columns = entity["columns"]
        assert columns["mark"]["description"] == "\x85leading break, trailing one\x85"
        assert columns["body"]["default"] == "first\x85second"
        enums = next(d["enums"] for d in loaded if "enums" in d)
        labels = [e.get("values") for e in enums.values()]
        assert labels == [["calm", "tense\x85now", "up\u2028down"]], enums
        text = "".join(files.values())
        assert '"Notes\\Nkept apart\\Land\\Pthere."' in text, text
        assert "no\\Npe" in text and "x\\Py" in text, text
