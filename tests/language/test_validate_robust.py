"""No input gives a traceback: generated schemas, mostly well-formed but wrong in every way."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rough_documents import DOCUMENT
from schemagen.api import validate_project
from schemagen.cli import main


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_generated_schemas_never_raise(document: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "schema").mkdir()
        (root / "schema" / "a.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
        result = validate_project(root)
        assert (result.schema is None) == bool(result.errors)
        for issue in result.issues:
            assert issue.file == "schema/a.yaml" or issue.file == "schema"
            assert issue.message


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab:- {}[]\n\t'\"&*!#%|>,?", max_size=40))
def test_arbitrary_text_never_gives_a_traceback(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "schema").mkdir()
        (root / "schema" / "a.yaml").write_text(text, encoding="utf-8")
        result = CliRunner().invoke(main, ["validate", "--project", tmp])
        assert result.exit_code in (0, 2), result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
