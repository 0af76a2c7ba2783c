"""Where ``DATABASE_URL`` comes from: the environment, else a ``.env`` file.

The rules are those of the generated ``database.py`` (and so of the Alembic
``env.py`` that uses it), so ``schemagen check --database`` finds the same
database as ``alembic upgrade head``: the environment variable first, then a
``.env`` in the current folder, then one in the project root. The parser is the
generated one, line for line (``tests/util/test_dotenv.py`` holds them equal).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "DATABASE_URL"


def read_env_file(path: Path) -> dict[str, str]:
    """Parse the ``KEY=value`` lines of a .env file (comments, ``export``, quotes)."""
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return values
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def database_url(project_root: Path) -> tuple[str, str]:
    """``DATABASE_URL`` and where it was found ("" for neither set nor in a .env)."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if raw:
        return raw, "the environment"
    for folder in dict.fromkeys((Path.cwd(), project_root)):
        raw = (read_env_file(folder / ".env").get(ENV_VAR) or "").strip()
        if raw:
            return raw, str(folder / ".env")
    return "", ""
