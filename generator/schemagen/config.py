"""Project settings from ``[tool.schemagen]`` in ``pyproject.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

KNOWN_KEYS = ("schema", "output", "templates", "lock_timeout", "limits", "max_locks_per_revision")

#: How long a migration statement waits for a lock before it fails: long enough
#: for a short query to finish, short enough that writes queued behind a blocked
#: ALTER do not pile up (strong_migrations and squawk suggest a few seconds).
DEFAULT_LOCK_TIMEOUT = "5s"
#: Locks one revision's transaction may take: a quarter of a stock server's lock
#: table (max_locks_per_transaction 64 x about 122 server processes).
DEFAULT_MAX_LOCKS = 2000

# A PostgreSQL time setting: a number and one of its units (no unit: milliseconds).
_DURATION = re.compile(r"^\d+(\.\d+)?\s*(us|ms|s|min|h|d)?$")


@dataclass(frozen=True)
class Limits:
    """How large the loaded schema may grow once YAML aliases are expanded.

    A small file can alias one big node thousands of times ("billion laughs");
    every later stage then works on the expanded data. The defaults are far
    above any real schema (the 2,000-table benchmark loads about 200,000 nodes
    and 3 MB of text) and are set in ``[tool.schemagen.limits]``.
    """

    #: YAML nodes (mappings, lists, scalars) in all files, aliases expanded.
    max_nodes: int = 2_000_000
    #: Nodes that aliases add: each ``*name`` copies its anchor's whole tree.
    max_alias_nodes: int = 200_000
    #: UTF-8 bytes of all scalar values (names, descriptions, SQL), aliases expanded.
    max_scalar_bytes: int = 64 * 1024 * 1024


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Project:
    """Resolved, absolute paths of one schemagen project."""

    root: Path
    schema_dir: Path
    output_dir: Path
    templates_dir: Path | None = None
    lock_timeout: str = DEFAULT_LOCK_TIMEOUT  # SET lock_timeout for every migration step
    limits: Limits = DEFAULT_LIMITS
    # Locks one revision's transaction may take; a larger change is split (operations.stages).
    max_locks_per_revision: int = DEFAULT_MAX_LOCKS

    def relative(self, path: Path) -> str:
        """Show ``path`` relative to the project root when it is inside it."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    @property
    def migrations_dir(self) -> Path:
        return self.output_dir / "migrations"

    @property
    def versions_dir(self) -> Path:
        return self.migrations_dir / "versions"


NO_PROJECT = (
    "no schemagen project here: neither {start} nor a folder above it has a "
    "pyproject.toml with [tool.schemagen]. Run `schemagen init` to make one here, "
    "or pass --project DIR"
)


def find_project(start: str | Path = ".") -> Path:
    """The nearest folder, ``start`` or above, whose pyproject.toml has [tool.schemagen].

    Found as ruff and pytest find their settings, so every command works from any
    subfolder of the project (``schema/``, ``generated/``).
    """
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_section(pyproject):
            return folder
    raise ConfigError(NO_PROJECT.format(start=here))


def _has_section(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(read_pyproject(pyproject))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{pyproject}: invalid TOML: {exc}") from None
    tool = data.get("tool")
    return isinstance(tool, dict) and "schemagen" in tool


def load_project(root: str | Path | None = None) -> Project:
    """Read ``[tool.schemagen]`` from ``root/pyproject.toml`` (all keys optional).

    Without ``root``, the project is found upward from the current folder
    (:func:`find_project`).
    """
    root_path = find_project() if root is None else Path(root).resolve()
    if not root_path.is_dir():
        raise ConfigError(f"project folder {root} does not exist")
    settings: dict[str, object] = {}
    pyproject = root_path / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(read_pyproject(pyproject))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{pyproject.name}: invalid TOML: {exc}") from None
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError("pyproject.toml: `tool` must be a table (it holds [tool.schemagen])")
        section = tool.get("schemagen", {})
        if not isinstance(section, dict):
            raise ConfigError("pyproject.toml: [tool.schemagen] must be a table")
        settings = section
    for key, value in settings.items():
        if key == "limits":
            continue
        _check_setting(pyproject, key, value)
    templates = settings.get("templates")
    lock_timeout = str(settings.get("lock_timeout", DEFAULT_LOCK_TIMEOUT)).strip()
    if not _DURATION.match(lock_timeout):
        raise ConfigError(
            f"{_located(pyproject, 'lock_timeout')}: [tool.schemagen] lock_timeout: "
            f'{lock_timeout!r} is not a PostgreSQL duration (e.g. "5s", "500ms", '
            '"1min"; "0" waits forever)'
        )
    max_locks = settings.get("max_locks_per_revision")  # checked by _check_setting
    return Project(
        root=root_path,
        schema_dir=root_path / str(settings.get("schema", "schema")),
        output_dir=root_path / str(settings.get("output", "generated")),
        templates_dir=root_path / str(templates) if templates else None,
        lock_timeout=lock_timeout,
        limits=read_limits(settings.get("limits", {})),
        max_locks_per_revision=max_locks if isinstance(max_locks, int) else DEFAULT_MAX_LOCKS,
    )


def _check_setting(pyproject: Path, key: str, value: object) -> None:
    if key not in KNOWN_KEYS:
        raise ConfigError(
            f"pyproject.toml: [tool.schemagen] has unknown key {key!r} "
            f"(known: {', '.join(KNOWN_KEYS)})"
        )
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if key == "lock_timeout" and is_int:
        return  # milliseconds, as PostgreSQL reads a bare number
    if key == "max_locks_per_revision":
        if not (isinstance(value, int) and is_int and value > 0):
            raise ConfigError(
                f"{_located(pyproject, key)}: [tool.schemagen] {key} must be a positive "
                f"integer, not {value!r}"
            )
        return
    if not isinstance(value, str):
        raise ConfigError(f"pyproject.toml: [tool.schemagen] {key} must be a string")


def _located(pyproject: Path, key: str) -> str:
    """``pyproject.toml:LINE`` of ``key`` in ``[tool.schemagen]`` (tomllib gives no lines)."""
    section = ""
    text = read_pyproject(pyproject)
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped
        elif section == "[tool.schemagen]" and re.match(rf"{key}\s*=", stripped):
            return f"{pyproject.name}:{number}"
    return pyproject.name


def read_limits(table: object) -> Limits:
    """``[tool.schemagen.limits]``: positive whole numbers, each optional."""
    if not isinstance(table, dict):
        raise ConfigError("pyproject.toml: [tool.schemagen.limits] must be a table")
    known = tuple(Limits.__dataclass_fields__)
    values: dict[str, int] = {}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(
                f"pyproject.toml: [tool.schemagen.limits] has unknown key {key!r} "
                f"(known: {', '.join(known)})"
            )
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(
                f"pyproject.toml: [tool.schemagen.limits] {key} must be a positive whole number"
            )
        values[key] = value
    return Limits(**values)


def read_pyproject(path: Path) -> str:
    """The text of ``pyproject.toml``; TOML is UTF-8 by definition."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path.name}: not UTF-8 text (byte {exc.start})") from None
