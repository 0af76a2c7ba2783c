"""The user cache folder that the check cache and the template bytecode cache share."""

from __future__ import annotations

import os
from pathlib import Path

DISABLE_ENV = "SCHEMAGEN_NO_CACHE"


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/schemagen``, else ``~/.cache/schemagen``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "schemagen"


def enabled() -> bool:
    """Whether caches may be used (``SCHEMAGEN_NO_CACHE`` unset, empty or ``0``)."""
    return os.environ.get(DISABLE_ENV, "") in ("", "0")
