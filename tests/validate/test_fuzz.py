"""Fuzzing: mutants of the flagship YAML never crash, every error is located, and a
sample of the mutants that validate really runs on PostgreSQL.

Issue 15 found fragments that validate passed and PostgreSQL rejected (a check
of ``id > 0)``, a ``where:`` of ``🚀``, a NUL in a default). The property
here is the one those defects broke: valid for schemagen means valid for
PostgreSQL. The mutations are seeded, so a failure names a reproducible mutant.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from migration_harness import (
    alembic,
    declared_extensions,
    imported_models,
    metadata_of,
    schemagen,
    scratch_database,
    write_schema,
)
from pgcluster import PgCluster
from schemagen.api import validate_project
from schemagen.config import load_project
from schemagen.errors import SchemaInvalid
from schemagen.validate import pipeline
from schemagen.validate.pipeline import load_and_validate

REPO = Path(__file__).resolve().parents[2]
FLAGSHIP = {p.name: p.read_text(encoding="utf-8") for p in sorted((REPO / "schema").glob("*.yaml"))}
#: Mutants per run: a few seconds of validation on CI's two cores.
MUTANTS = 120
#: Mutants that validate and go on to create_all and alembic upgrade head.
ON_POSTGRES = 3

NASTY = [
    "id > 0)", "(((", "id >", "🚀", "a\0b", "x" * 5000, "'; DROP TABLE stores; --",
    "price >= 0 -- c", "1; SELECT 1", "[x](javascript:alert(1))", "now", "", " ",
    "Robert'); DROP TABLE x;--", "\\", '"', "%(table_name)s", "{sql: 1}", "$$", "\u202e",
    0, -1, 2**63, 1.5e308, True, None, [], {}, ["a", "a"], {"sql": "(("}, {"sql": "now()"},
]  # fmt: skip


def _scalars(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every value (scalar or not) in a loaded YAML document."""
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _scalars(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _scalars(value, (*path, index))
    return found


def _set(node: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def _loads(text: str) -> bool:
    """Whether a file still loads: one that the first round broke as text gets a
    second text mutation instead of a value mutation."""
    try:
        yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return True


def mutate(rng: random.Random) -> dict[str, str]:
    """The flagship files with one or two mutations, on values or on the text."""
    files = dict(FLAGSHIP)
    for _ in range(rng.choice((1, 1, 2))):
        name = rng.choice(sorted(files))
        if rng.random() < 0.7 and _loads(files[name]):
            data = yaml.safe_load(files[name])
            paths = _scalars(data)
            if paths:
                _set(data, rng.choice(paths), rng.choice(NASTY))
            files[name] = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        else:
            lines = files[name].splitlines(keepends=True)
            at = rng.randrange(len(lines))
            operation = rng.choice(("drop", "double", "cut", "insert"))
            if operation == "drop":
                del lines[at]
            elif operation == "double":
                lines.insert(at, lines[at])
            elif operation == "cut":
                lines[at] = lines[at][: rng.randrange(len(lines[at]) + 1)]
            else:
                text = lines[at]
                pos = rng.randrange(len(text) + 1)
                lines[at] = (
                    text[:pos]
                    + rng.choice(["(", ")", "'", '"', ":", "&a", "*a", "\t"])
                    + text[pos:]
                )
            files[name] = "".join(lines)
    return files


def test_mutants_never_crash_and_every_error_is_located(
    tmp_path: Path, pg: PgCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(1515)
    valid: list[tuple[int, dict[str, str]]] = []
    for number in range(MUTANTS):
        files = mutate(rng)
        root = tmp_path / f"m{number}"
        write_schema(root, files)
        # every check in this process: any exception but SchemagenError fails here
        monkeypatch.setattr(pipeline, "PARALLEL_CHECKS", 10**9)
        result = validate_project(root)
        # build normalizes before the reference checks (to start its docs child
        # early): that must never crash, nor change a single issue or the schema.
        early = load_and_validate(load_project(root), normalized=lambda schema: None)
        assert early.issues == result.issues and early.schema == result.schema, number
        # build's way shows no warnings: the same errors and schema without them
        _same_built(root, result, number)
        # every mutant checked in children, as a large schema is: the reference
        # checks while it is normalized, and for plan and migrate the model checks too
        monkeypatch.setattr(pipeline, "PARALLEL_CHECKS", 0)
        assert validate_project(root) == result, number
        early = load_and_validate(load_project(root), normalized=lambda schema: None)
        assert early == result, number
        _same_built(root, result, number)
        _same_apart(load_project(root), result, number)
        for issue in result.errors:
            where = f"mutant {number}: {issue.format()}"
            assert issue.file.startswith("schema"), where
            assert issue.line >= 1 or issue.file == "schema", where
        if result.schema is not None and files != FLAGSHIP:
            valid.append((number, files))
    assert 10 < len(valid) < MUTANTS - 10  # both outcomes are exercised
    for number, files in rng.sample(valid, ON_POSTGRES):
        _runs_on_postgres(pg, tmp_path / f"m{number}", files)


def _same_built(root: Path, result: Any, number: int) -> None:
    """build's way (it shows no warnings: no lint, marks only if asked) gives the same
    errors and schema."""
    built = load_and_validate(load_project(root), normalized=lambda s: None, warnings=False)
    assert (built.errors, built.schema) == (result.errors, result.schema), number


def _same_apart(project: Any, result: Any, number: int) -> None:
    """``load_schema_apart`` gives ``result`` (the checks in one process): the same
    result, warnings included, or the same errors; with the reference checks in a
    child of their own (plan) or not (check, migrate). Without warnings (plan, migrate,
    build and check show none: no lint, marks only if asked): the same errors and schema,
    and no other warning."""
    for names_early, warnings in ((False, True), (True, True), (True, False), (False, False)):
        pending = pipeline.load_schema_apart(project, names_early=names_early, warnings=warnings)
        if result.schema is not None:
            finished = pending.finish()
            if warnings:
                assert finished == result, number
            else:
                assert (finished.schema, finished.errors) == (result.schema, []), number
                assert all(w in result.warnings for w in finished.warnings), number
            continue
        with pytest.raises(SchemaInvalid) as raised:
            pending.finish()
        assert raised.value.issues == result.errors, number


def _runs_on_postgres(pg: PgCluster, root: Path, files: dict[str, str]) -> None:
    """``create_all`` of the models, and the migration from nothing, succeed."""
    schemagen(root, "migrate", "-m", "fuzz")
    alembic(root, pg.url(scratch_database(pg, "fuzz")), "upgrade", "head")
    other = scratch_database(pg, "fuzzc")
    for extension in declared_extensions(files):
        pg.sql(f'CREATE EXTENSION IF NOT EXISTS "{extension}"', other)
    with imported_models(root / "generated" / "models.py") as module:
        engine = sa.create_engine(pg.url(other))
        try:
            metadata_of(module).create_all(engine)
        finally:
            engine.dispose()
