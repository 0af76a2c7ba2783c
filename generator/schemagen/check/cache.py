"""Remember clean checks, so a pre-commit hook on an unchanged project is instant.

A clean ``schemagen check`` is a pure function of files: schemagen's own code
and templates, the versions of the libraries it uses, the project's
``pyproject.toml``, its schema folder, its user templates, its migration
history, and the generated files on disk. After a clean run, a digest of all
the inputs and the sha256 of every generated file are stored in the user's
cache folder. The next run hashes the same files (milliseconds) and, when
nothing changed, reports clean without loading YAML, validating or rendering a
template. Any difference, any error reading the
cache, or ``--no-cache`` / ``SCHEMAGEN_NO_CACHE=1`` means the full check runs.
Only clean results are remembered; findings are always recomputed. With
``--database`` a remembered result stands for the files and the history only:
the database itself is compared every time.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path

from ..config import Project
from ..util.cache import cache_dir, enabled

CACHE_VERSION = 1

#: Libraries whose version can change what a check finds: YAML parsing,
#: validation, rendering, and the type rendering of the diff.
LIBRARIES = ("yaml", "jsonschema", "jinja2", "sqlalchemy")


def _entry_path(project: Project) -> Path:
    key = hashlib.sha256(str(project.root).encode("utf-8")).hexdigest()[:24]
    return cache_dir() / f"check-{key}.json"


def code_roots() -> list[Path]:
    """schemagen's package folder and its templates, wherever they are installed."""
    package = Path(__file__).resolve().parent.parent
    roots = [package]
    templates = package / "templates"
    if not templates.is_dir():  # editable install: templates/ beside generator/
        templates = package.parent.parent / "templates"
    if templates.is_dir():
        roots.append(templates)
    return roots


def _tree_files(root: Path, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and (suffixes is None or p.suffix in suffixes)
    )


def installed_libraries() -> list[str]:
    """Where :data:`LIBRARIES` are installed, and every distribution installed beside them.

    The names of ``*.dist-info`` folders hold the versions, so upgrading any
    library there changes the digest. Found without importing the libraries
    (which is what a remembered result saves); a folder listing costs well
    under a millisecond.
    """
    folders: set[Path] = set()
    lines = []
    for name in LIBRARIES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        lines.append(f"{name}={origin}")
        if origin and os.path.isabs(origin):  # package/__init__.py in a site folder
            folders.add(Path(origin).parent.parent)
    for folder in sorted(folders):
        try:
            entries = os.listdir(folder)
        except OSError:
            continue
        lines += sorted(e for e in entries if e.endswith((".dist-info", ".egg-info")))
    return lines


def input_digest(project: Project) -> str:
    """sha256 over every file a clean result depends on, except the generated outputs."""
    digest = hashlib.sha256(f"{CACHE_VERSION}|{sys.version}".encode())
    digest.update("\n".join(installed_libraries()).encode("utf-8") + b"\0")
    files: list[Path] = []
    for root in code_roots():
        files += _tree_files(root, (".py", ".j2", ".mako", ".json", ".md"))
    files.append(project.root / "pyproject.toml")
    files += _tree_files(project.schema_dir)
    if project.templates_dir is not None:
        files += _tree_files(project.templates_dir)
    files += _tree_files(project.migrations_dir / "versions")
    files += _tree_files(project.migrations_dir / "snapshots")
    files.append(project.migrations_dir / "schemagen.sum")
    for path in files:
        digest.update(str(path).encode("utf-8") + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"<missing>")
    # the stale-docs check depends on which pages exist, not only on their content
    for path in _tree_files(project.output_dir / "docs"):
        digest.update(b"docs:" + str(path).encode("utf-8"))
    return digest.hexdigest()


def _file_sha(path: Path) -> str | None:
    """sha256 of a generated file as text with LF line ends (CRLF checkouts are not drift)."""
    try:
        return hashlib.sha256(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()
    except OSError:
        return None


def lookup(project: Project, inputs: str) -> dict[str, object] | None:
    """The summary of the last clean check if nothing it depends on changed, else None.

    ``inputs`` is :func:`input_digest` of the project, taken now.
    """
    if not enabled():
        return None
    try:
        entry = json.loads(_entry_path(project).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("inputs") != inputs:
        return None
    outputs = entry.get("outputs")
    if not isinstance(outputs, dict):
        return None
    for rel, sha in outputs.items():
        if _file_sha(project.root / rel) != sha:
            return None
    summary = entry.get("summary")
    return summary if isinstance(summary, dict) else None


def remember(
    project: Project, inputs: str, outputs: dict[str, str], summary: dict[str, object]
) -> None:
    """Store a clean result; ``inputs`` is the digest taken before the check ran,
    ``outputs`` the sha256 of each generated file's text as build renders it.

    Taking the digest before the check means a file edited while the check ran
    makes the entry stale rather than wrong.
    """
    if not enabled():
        return
    entry = {"inputs": inputs, "outputs": outputs, "summary": summary}
    path = _entry_path(project)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".check-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(entry, handle)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home folder only costs speed
