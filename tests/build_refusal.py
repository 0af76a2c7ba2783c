"""``schemagen build`` of a schema that validate refuses: a located error, exit 2,
no traceback, nothing written (the rule for bad input)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from schemagen.cli import main


def assert_build_refuses(root: Path, entities: str, where: str) -> None:
    """``build`` of a project at ``root`` whose one file ``schema/s.yaml`` is database
    ``shop`` and ``entities`` exits 2 with ``where`` (the error's place) in its
    output, no traceback, and no ``generated/`` written."""
    (root / "schema").mkdir(parents=True)
    (root / "schema" / "s.yaml").write_text("database:\n  name: shop\n" + entities)
    result = CliRunner().invoke(main, ["build", "--project", str(root)])
    assert result.exit_code == 2, result.output
    assert where in result.output, result.output
    assert "Traceback" not in result.output
    assert not (root / "generated").exists()
