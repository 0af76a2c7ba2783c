"""``schemagen check --database`` reads DATABASE_URL as the generated database.py does."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from schemagen.util import dotenv

REPO = Path(__file__).resolve().parents[2]


def test_the_parser_is_the_generated_one_line_for_line() -> None:
    generated = (REPO / "generated" / "database.py").read_text(encoding="utf-8")
    tree = ast.parse(generated)
    (node,) = [n for n in tree.body if getattr(n, "name", "") == "read_env_file"]
    assert ast.get_source_segment(generated, node) == inspect.getsource(
        dotenv.read_env_file
    ).rstrip("\n")


def test_environment_then_current_folder_then_project_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, here = tmp_path / "root", tmp_path / "here"
    root.mkdir()
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert dotenv.database_url(root) == ("", "")
    (root / ".env").write_text('export DATABASE_URL="postgresql://r/db"  \n')
    assert dotenv.database_url(root) == ("postgresql://r/db", str(root / ".env"))
    (here / ".env").write_text("# mine\nDATABASE_URL=postgresql://h/db\n")
    assert dotenv.database_url(root) == ("postgresql://h/db", str(here / ".env"))
    monkeypatch.setenv("DATABASE_URL", "postgresql://e/db")
    assert dotenv.database_url(root) == ("postgresql://e/db", "the environment")
