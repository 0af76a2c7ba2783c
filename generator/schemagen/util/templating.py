"""The Jinja environment shared by every renderer, and escaping filters.

Templates place text; Python decides. Every user string reaches a template
through one of these filters, chosen for the target it lands in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, MutableMapping
from pathlib import Path
from typing import Any

import jinja2

from . import cache


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache of compiled templates; a cache it cannot write is no error."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


class _Environment(jinja2.Environment):
    """Jinja's environment, with each template's globals as a plain dict."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """The environment's globals overlaid by ``d``, copied into one dict.

        Jinja returns a ChainMap of the two, and every render copies it into the new
        context key by key in Python (15 microseconds a render: 2,000 entity pages).
        A copy keeps the environment's globals unchanged as well; none is added after
        a template is loaded (Jinja's documentation asks that of every user anyway).
        """
        return {**self.globals, **(d or {})}


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates in the user's cache folder: compiling the templates took
    tens of milliseconds of every cold ``schemagen check``. Jinja keys each entry by the
    template's name and checks its source and Jinja's version before using it.
    Off with ``SCHEMAGEN_NO_CACHE=1``."""
    if not cache.enabled():
        return None
    folder = cache.cache_dir() / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _QuietBytecodeCache(str(folder))


def make_environment(user_templates: Path | None = None) -> jinja2.Environment:
    """Built-in templates (package ``schemagen.templates``), overridden by file name
    from ``user_templates`` when the project sets ``[tool.schemagen] templates``."""
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(user_templates)))
    # The top-level templates/ folder is installed as the data package
    # schemagen.templates (see pyproject.toml), in a wheel and in editable mode.
    loaders.append(jinja2.PackageLoader("schemagen.templates", "."))
    env = _Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["pyrepr"] = py_literal
    env.filters["md_cell"] = md_cell
    env.filters["md_code"] = md_code
    env.filters["sql_literal"] = sql_literal
    env.filters["json"] = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)
    env.filters["lines"] = lines
    return env


def lines(value: Iterable[str]) -> str:
    """Lines of text joined by line breaks, in one call: Jinja's ``join`` filter
    calls a Python function on each item (180,000 lines of a 2,000-table models.py)."""
    return "\n".join(value)


def py_literal(value: object) -> str:
    """A Python literal for a str/int/float/bool/None value.

    ``repr`` escapes quotes, backslashes and newlines, so a description can never
    become code. Strings always use double quotes when they hold no double quote,
    as ruff format would write them.
    """
    if isinstance(value, str):
        text = repr(value)
        if text.startswith("'") and '"' not in value:
            text = '"' + text[1:-1].replace("\\'", "'") + '"'
        return text
    return repr(value)


def md_cell(value: object) -> str:
    """Text safe inside a Markdown table cell: pipes escaped, newlines as <br>,
    HTML special characters as entities (so user HTML shows as written)."""
    if value is None:
        return ""
    text = str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    text = text.replace("\r\n", "\n").replace("\n", "<br>")
    return text


def md_code(value: object) -> str:
    """Inline Markdown code span that survives backticks inside ``value``."""
    text = str(value)
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def sql_literal(value: str) -> str:
    """A standard SQL string literal: single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"
