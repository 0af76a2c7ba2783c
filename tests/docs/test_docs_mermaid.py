"""The ER diagrams, parsed by the real Mermaid when it is installed.

Mermaid is a JavaScript package: this test never downloads it. To run it, install
it once outside the repository and point ``SCHEMAGEN_MERMAID_DIR`` at that folder::

    mkdir -p ~/.cache/schemagen-mermaid && cd ~/.cache/schemagen-mermaid
    npm install mermaid@11 jsdom dompurify
    export SCHEMAGEN_MERMAID_DIR=~/.cache/schemagen-mermaid

Without it, ``test_docs.py`` still checks every diagram against the grammar
subset (``docs_checks.check_er_diagram``) that was verified with this test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from docs_checks import check_er_diagram
from docs_fixtures import shop_schema, tricky_schema
from schemagen.docs.mermaid import er_diagram, neighborhood_diagram

PARSE = """
import { JSDOM } from 'jsdom';
import { readFileSync } from 'fs';
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMPurify = (await import('dompurify')).default(dom.window);
const mermaid = (await import('mermaid')).default;
mermaid.initialize({ startOnLoad: false });
const results = [];
for (const text of JSON.parse(readFileSync(0, 'utf8'))) {
  try { await mermaid.parse(text); results.push('ok'); }
  catch (e) { results.push(String(e.message || e)); }
}
console.log(JSON.stringify(results));
"""


def _mermaid_dir() -> Path:
    folder = os.environ.get("SCHEMAGEN_MERMAID_DIR")
    if not folder:
        pytest.skip("SCHEMAGEN_MERMAID_DIR is not set (a folder with npm-installed mermaid)")
    path = Path(folder).expanduser()
    if not (path / "node_modules" / "mermaid").is_dir():
        pytest.skip(f"no node_modules/mermaid in {path}")
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    return path


def _diagrams() -> list[str]:
    from schemagen.api import load_schema
    from schemagen.config import load_project

    flagship = load_schema(load_project(Path(__file__).resolve().parents[2])).schema
    assert flagship is not None
    diagrams = []
    for schema in (shop_schema(), tricky_schema(), flagship):
        diagrams.append(er_diagram(schema))
        diagrams += [neighborhood_diagram(e, schema) for e in schema.entities]
    for text in diagrams:
        check_er_diagram(text)
    return diagrams


def test_mermaid_parses_the_diagrams() -> None:
    folder = _mermaid_dir()
    diagrams = _diagrams()
    broken = diagrams[0].replace(" PK\n", " PK FOO\n", 1)
    # The timeout only guards against a hang: node loading mermaid and jsdom for the
    # first time on a fresh machine took over 120 s once while the suite's other
    # workers and four other processes kept both cores busy (8 s when warm).
    result = subprocess.run(
        ["node", "--input-type=module", "-e", PARSE], cwd=folder,
        input=json.dumps([*diagrams, broken]), capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr
    verdicts = json.loads(result.stdout.strip().splitlines()[-1])
    assert verdicts[:-1] == ["ok"] * len(diagrams)
    assert verdicts[-1] != "ok"  # the check can fail
