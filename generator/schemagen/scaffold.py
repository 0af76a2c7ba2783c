"""``schemagen init``: the ``[tool.schemagen]`` settings and a small example schema.

An existing ``pyproject.toml`` is never rewritten: the section is appended
after its last line, so comments and formatting stay as they were. An existing
schema folder with YAML in it is left alone.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

from .config import load_project, read_pyproject
from .errors import ConfigError
from .render.build import json_schema_file

SETTINGS = '[tool.schemagen]\nschema = "schema"\noutput = "generated"\n'

EXAMPLE = """\
# yaml-language-server: $schema={schema_ref}
# The schema of this project: edit it, then run `schemagen validate` and `schemagen build`.
database:
  name: {name}
  description: |
    What this database is for (Markdown, shown at the top of the docs).

types:
  money: {{type: numeric, precision: 12, scale: 2}}

mixins:
  timestamps:
    columns:
      created_at: {{type: timestamptz, default: now, description: When the row was created.}}
      updated_at: {{type: timestamptz, default: now, on_update: now,
                   description: When the row last changed.}}

enums:
  OrderStatus:
    description: Where an order is in its life.
    values: [pending, paid, shipped, cancelled]

entities:
  Customer:
    description: Someone who buys.
    mixins: [timestamps]
    columns:
      id: {{type: bigint, primary_key: true}}
      email: {{type: string, length: 320, unique: true, description: Login and contact.}}
      name: {{type: text}}
    relationships:
      orders: {{cascade: "all, delete-orphan", order_by: created_at}}

  Order:
    description: One purchase by a customer.
    mixins: [timestamps]
    columns:
      id: {{type: bigint, primary_key: true}}
      customer_id: {{references: Customer, on_delete: cascade, back_populates: orders}}
      status: {{type: enum, enum: OrderStatus, default: pending}}
      total: {{type: money, default: 0}}
    checks:
      ck_orders_total_not_negative: "total >= 0"
    indexes:
      idx_orders_customer_status: [customer_id, status]
"""


def init_project(directory: Path) -> list[str]:
    """Scaffold a project in ``directory``; return the lines to print."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = [_settings(directory / "pyproject.toml")]
    project = load_project(directory)
    schema_dir = project.schema_dir
    shown = project.relative(schema_dir)
    if schema_dir.is_dir() and any(p.suffix in (".yaml", ".yml") for p in schema_dir.rglob("*")):
        lines.append(f"{shown}/ already holds YAML files; left unchanged")
    else:
        schema_dir.mkdir(parents=True, exist_ok=True)
        json_path = project.output_dir / "schemagen.schema.json"
        ref = Path(_relpath(json_path, schema_dir)).as_posix()
        example = schema_dir / "example.yaml"
        example.write_text(
            EXAMPLE.format(schema_ref=ref, name=_database_name(project.root.name)),
            encoding="utf-8",
        )
        lines.append(f"created {project.relative(example)}")
        if not json_path.exists():
            json_path.parent.mkdir(parents=True, exist_ok=True)
            json_path.write_text(json_schema_file(), encoding="utf-8")
            lines.append(f"created {project.relative(json_path)} (for editors)")
    return lines + next_steps(project.root)


def next_steps(root: Path) -> list[str]:
    """What to run after ``init``, as the README says: build, then migrate."""
    steps = ["next steps:"]
    try:
        inside = Path.cwd().resolve() == root
    except OSError:
        inside = False
    if not inside:
        below = root.is_relative_to(Path.cwd().resolve())
        steps.append(f"  cd {shlex.quote(_relpath(root, Path.cwd()) if below else str(root))}")
    steps += [
        "  schemagen build                        # models.py, database.py, Alembic files, docs",
        '  schemagen migrate -m "initial schema"  # the first revision of the migrations',
    ]
    return steps


def _settings(pyproject: Path) -> str:
    if not pyproject.exists():
        pyproject.write_text(SETTINGS, encoding="utf-8")
        return "created pyproject.toml with [tool.schemagen]"
    text = read_pyproject(pyproject)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"pyproject.toml: invalid TOML, not touched: {exc}") from None
    tool = data.get("tool")
    if isinstance(tool, dict) and "schemagen" in tool:
        return "pyproject.toml already has [tool.schemagen]; left unchanged"
    separator = (
        "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    )
    updated = text + separator + SETTINGS
    try:
        # A `tool = {...}` inline table cannot be extended by a [tool.schemagen] header.
        tomllib.loads(updated)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"pyproject.toml: appending [tool.schemagen] would make it invalid TOML ({exc}); "
            'not touched. Add schema = "schema" and output = "generated" under '
            "tool.schemagen by hand"
        ) from None
    pyproject.write_text(updated, encoding="utf-8")
    return "added [tool.schemagen] to pyproject.toml"


def _relpath(target: Path, start: Path) -> str:
    import os

    return os.path.relpath(target, start)


def _database_name(folder: str) -> str:
    name = re.sub(r"[^0-9a-z]+", "_", folder.lower()).strip("_")
    return name or "app"
