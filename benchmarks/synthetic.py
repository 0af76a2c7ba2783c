"""Write a synthetic schemagen project of N tables, for the benchmarks.

Every table mixes the column kinds a real application uses (integers, strings,
text, numeric money, booleans, timestamps, jsonb with a default, enums, text
arrays), references up to two earlier tables (so foreign keys form a deep
graph, never a cycle), and declares a composite unique constraint, a check, a
composite btree index, a GIN index on its jsonb column, a trigram GIN index and
a partial index. One enum exists per ten tables. Output is deterministic: the
same N always gives the same files.

    python benchmarks/synthetic.py 500 /tmp/synthetic-500
"""

from __future__ import annotations

import sys
from pathlib import Path

TABLES_PER_FILE = 50
TABLES_PER_ENUM = 10

PYPROJECT = """\
[project]
name = "synthetic"
version = "0"

[tool.schemagen]
schema = "schema"
output = "generated"
"""


def entity_name(i: int) -> str:
    return f"Thing{i:04d}"


def enum_name(i: int) -> str:
    return f"State{i:03d}"


def database_yaml(tables: int) -> str:
    lines = [
        "database:",
        f"  name: synthetic_{tables}",
        "  description: Synthetic schema for benchmarks.",
        "  dialect: postgresql",
        "  extensions: [pg_trgm]",
        "types:",
        "  money: {type: numeric, precision: 12, scale: 2}",
        "  label: {type: string, length: 120}",
        "mixins:",
        "  timestamps:",
        "    columns:",
        "      created_at: {type: timestamptz, default: now}",
        "      updated_at: {type: timestamptz, default: now, on_update: now}",
        "enums:",
    ]
    for e in range(max(1, tables // TABLES_PER_ENUM)):
        lines.append(f"  {enum_name(e)}:")
        lines.append(f"    description: States of group {e}.")
        lines.append("    values: [new, active, paused, done, archived]")
    return "\n".join(lines) + "\n"


def entity_yaml(i: int, tables: int) -> list[str]:
    """One entity: about twelve columns, two foreign keys, five indexes/constraints."""
    table = f"thing_{i:04d}s"
    enum = enum_name(i // TABLES_PER_ENUM % max(1, tables // TABLES_PER_ENUM))
    lines = [
        f"  {entity_name(i)}:",
        f"    table: {table}",
        f"    description: Synthetic entity number {i}.",
        "    mixins: [timestamps]",
        "    columns:",
        "      id: {type: integer, primary_key: true}",
    ]
    refs = [j for j in (i - 1, i // 2) if 0 <= j < i]
    for n, j in enumerate(dict.fromkeys(refs)):
        action = "cascade" if n == 0 else "set null"
        nullable = ", nullable: true" if n else ""
        lines.append(
            f"      ref{n}_id: {{references: {entity_name(j)}, on_delete: {action}{nullable},"
            f" back_populates: children{n}_of_{i:04d}}}"
        )
    lines += [
        "      code: {type: label}",
        "      title: {type: string, length: 255, description: Searchable title.}",
        "      notes: {type: text, nullable: true}",
        "      amount: {type: money, default: 0}",
        "      quantity: {type: integer, default: 0}",
        "      ratio: {type: double, nullable: true}",
        "      is_enabled: {type: boolean, default: true}",
        f"      state: {{type: enum, enum: {enum}, default: new}}",
        "      tags: {type: array, of: text, nullable: true}",
        "      seen_on: {type: date, nullable: true}",
        "      custom_data: {type: jsonb, default: {}}",
        "    unique:",
        f"      uq_{table}_code_title: [code, title]",
        "    checks:",
        f'      ck_{table}_amount: "amount >= 0"',
        "    indexes:",
        f"      ix_{table}_state_code: [state, code]",
        f"      ix_{table}_custom_data: {{columns: [custom_data], using: gin}}",
        f"      ix_{table}_title_trgm:"
        " {columns: [title], using: gin, ops: {title: gin_trgm_ops}}",
        f"      ix_{table}_active: {{columns: [code], where: \"state = 'active'\"}}",
    ]
    return lines


def write_project(dest: Path, tables: int) -> Path:
    """Write ``pyproject.toml`` and ``schema/*.yaml`` for ``tables`` tables into ``dest``."""
    schema_dir = dest / "schema"
    schema_dir.mkdir(parents=True, exist_ok=True)
    (dest / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (schema_dir / "database.yaml").write_text(database_yaml(tables), encoding="utf-8")
    for start in range(0, tables, TABLES_PER_FILE):
        lines = ["entities:"]
        for i in range(start, min(tables, start + TABLES_PER_FILE)):
            lines += entity_yaml(i, tables)
        path = schema_dir / f"part_{start // TABLES_PER_FILE:03d}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dest


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[0].isdigit():
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    write_project(Path(argv[1]), int(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
