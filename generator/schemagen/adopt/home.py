"""The project's default PostgreSQL schema of an import (``database.schema``).

A database whose tables live in one schema other than public (``app``) is
written as the language says it once: ``database: {schema: app}``, with no
``schema:`` on what lives there, ``schema: public`` on what lives in public and
``schema: <name>`` on the rest. The default schema is the one that holds most of
the imported tables; between schemas holding as many, the one holding more
functions (a function there is keyed by its name alone, elsewhere ``schema.name``),
then public, then the first by name: the choice depends on the catalog alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from ..model import naming

PUBLIC = "public"


def choose_home(tables: Iterable[str], function_schemas: Iterable[str]) -> str:
    """The default schema for ``tables`` (keyed bare in public, else qualified) and
    functions living in ``function_schemas`` (one entry per function)."""
    counts = Counter(naming.split_qualified(t)[0] or PUBLIC for t in tables)
    functions = Counter(function_schemas)
    candidates = set(counts) | set(functions) | {PUBLIC}
    return min(candidates, key=lambda s: (-counts[s], -functions[s], s != PUBLIC, s))


def rehome(documents: dict[str, dict[str, Any]], home: str) -> dict[str, dict[str, Any]]:
    """``documents`` (``database``, and ``enums``, ``entities``, ``sequences``,
    ``domains`` and ``views`` by name, with ``schema:`` written outside public) with ``home`` as
    the project's default schema: said once in ``database``, and by ``schema:``
    where it is not."""
    if home == PUBLIC:
        return documents
    database: dict[str, Any] = {}
    for key, value in documents["database"].items():
        database[key] = value
        if key == "dialect":
            database["schema"] = home
    moved = {
        kind: {name: _moved(spec, home) for name, spec in specs.items()}
        for kind, specs in documents.items()
        if kind != "database"
    }
    return {"database": database, **moved}


def _moved(spec: dict[str, Any], home: str) -> dict[str, Any]:
    # ``schema:`` is the first key of every spec that has one (adopt.mapping).
    if spec.get("schema") == home:
        return {key: value for key, value in spec.items() if key != "schema"}
    if "schema" in spec:
        return spec
    return {"schema": PUBLIC, **spec}
