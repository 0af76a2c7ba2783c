"""``schemagen import`` of tables and views named ``i``, ``o`` or ``l``: AdventureWorks
for PostgreSQL's convenience view ``pr.i`` (``SELECT illustrationid AS id, * FROM
production.illustration``). The class named after such a name was ``I`` (or ``O``),
which ruff flags (E742, ambiguous class name: I, O and l read like 1 and 0), so the
generated models failed lint; so did the attribute of a column or a relationship named
``l`` (E741: table ``l``'s rows on ``O`` were ``O.l``). Such a name takes the suffix a
Python keyword's takes: ``IType``, ``OType`` for a class (``l``'s is ``L``, not
ambiguous), ``l_`` for an attribute (``attribute:`` / ``back_populates:``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from adopt_harness import round_trip, source_database
from pgcluster import PgCluster
from schemagen.adopt.names import class_names

SOURCE = """
CREATE TABLE o (id serial PRIMARY KEY, note text, l smallint);
INSERT INTO o (note, l) VALUES ('a', 1), (NULL, NULL), ('a', 1), ('b', 7);
CREATE TABLE l (id int PRIMARY KEY REFERENCES o, qty int);
INSERT INTO l VALUES (1, 5), (2, NULL), (3, 5);
CREATE VIEW i AS SELECT id AS ident, * FROM o;
"""


def test_tables_and_views_named_i_o_l_give_lint_clean_models(
    pg: PgCluster, tmp_path: Path
) -> None:
    with source_database(pg, "ambiguous", SOURCE) as source:
        # import, build, migrate, check --database clean, a fresh copy dumps the same
        root = round_trip(pg, source, tmp_path / "p", "ambiguous names")
        assert pg.sql("SELECT count(*), count(note) FROM i", source).split() == ["4|3"]
    docs = [yaml.safe_load(p.read_text()) for p in sorted((root / "schema").glob("*.yaml"))]
    entities = {n for d in docs for n in d.get("entities") or {}}
    views = {n for d in docs for n in d.get("views") or {}}
    assert entities == {"OType", "L"} and views == {"IType"}
    spec = next(d["entities"]["OType"] for d in docs if "OType" in (d.get("entities") or {}))
    assert spec["columns"]["l"]["attribute"] == "l_"
    models = root / "generated" / "models.py"
    lint = subprocess.run(
        ["ruff", "check", "--isolated", "--select", "E,F,W,I,B,UP", "--line-length", "100",
         str(models)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_ambiguous_class_names_take_a_suffix() -> None:
    taken: set[str] = set()
    names = class_names(["i", "O", "l", "ls", "os", "public.ii"], taken, singularize=True)
    assert names == {
        "i": "IType", "O": "OType", "l": "L", "ls": "L2", "os": "OType2", "public.ii": "Ii"
    }  # fmt: skip
