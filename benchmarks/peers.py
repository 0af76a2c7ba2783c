"""The benchmarks' own virtual environment for the peer tools (made on first use).

schemagen is measured next to migra, sqlacodegen and Alembic's autogenerate.
The first two are never dependencies of schemagen: they live in
``~/.cache/schemagen/bench-peers`` (``$XDG_CACHE_HOME`` if set), created with
``venv`` and filled with pip the first time a benchmark needs them. Alembic
is schemagen's own dependency and runs from schemagen's environment.
"""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

PEERS = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "schemagen" / "bench-peers"

#: Console script -> the requirement that installs it. migra reads the catalog with
#: psycopg2 (its URLs take ``+psycopg2``); sqlacodegen reflects with psycopg 3.
PEER_TOOLS = {
    "sqlacodegen": "sqlacodegen==4.0.4",
    "migra": "migra==3.0.1663481299",
}
_DRIVERS = ("psycopg[binary]", "psycopg2-binary")


def peer_env(folder: Path = PEERS) -> Path:
    """The peers' virtual environment, with every tool of :data:`PEER_TOOLS` installed."""
    missing = [req for tool, req in PEER_TOOLS.items() if not (folder / "bin" / tool).exists()]
    if missing:
        if not (folder / "bin" / "python").exists():
            venv.create(folder, with_pip=True)
        python = str(folder / "bin" / "python")
        subprocess.run([python, "-m", "pip", "install", "-q", *missing, *_DRIVERS], check=True)
    return folder
