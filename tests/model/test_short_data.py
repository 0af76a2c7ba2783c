"""``model.data.to_short_data``, the data of every stored snapshot, is its
definition: each field of a model object that does not hold its default,
converted the same way; tuples and lists as lists; anything else as it is."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from fixtures.build.cases import copy_case
from schemagen.api import validate_project
from schemagen.diff.snapshot import ddl_view
from schemagen.model.data import to_short_data

REPO = Path(__file__).resolve().parents[2]


def _reference(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        found = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if f.default is not dataclasses.MISSING:
                if value == f.default:
                    continue
            elif f.default_factory is not dataclasses.MISSING and value == f.default_factory():
                continue
            found[f.name] = _reference(value)
        return found
    if isinstance(obj, tuple | list):
        return [_reference(item) for item in obj]
    return obj


def test_the_flagship_and_shop_schemas_and_their_ddl_views(tmp_path: Path) -> None:
    for root in (REPO, copy_case("shop", tmp_path / "shop")):
        schema = validate_project(root).schema
        assert schema is not None
        for obj in (schema, ddl_view(schema)):
            data = to_short_data(obj)
            assert data == _reference(obj)
            # the same types too: == would take True for 1
            assert repr(data) == repr(_reference(obj))
