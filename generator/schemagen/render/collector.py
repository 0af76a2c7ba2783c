"""The cycle collector paused while a large models.py maps its classes.

Defining and mapping thousands of classes makes millions of objects that live as
long as the program. Python's cycle collector walks them again on each full
collection while they are made, and SQLAlchemy's configuration of the mappers
makes as many again: at 2,000 tables that was a third of the CPU time of
``import models`` plus ``configure_mappers()``, and it grew faster than the
tables. A models.py of :data:`PAUSE_FROM` entities or more pauses the collector
while its classes are defined and while SQLAlchemy configures mappers, then
leaves it as it was. What exists then is frozen (``gc.freeze``, as pre-forking
servers do after their imports): it lives as long as the program, and unfrozen it
would be walked again by every later full collection (3 s each at 2,000 tables)
and by the last one when the program exits (13 s of a 26 s ``import`` plus
configure process). The price: the few cycles the mapping left as garbage
(80,000 of 3.3 million objects at 2,000 tables) are never freed. Smaller files
stay plain SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Callable

from ..util.pycode import INDENT

#: From this many entities, models.py pauses the collector (200 tables: 15% of
#: the import and configuration; 2,000 tables: a third).
PAUSE_FROM = 200

Namer = Callable[[str, str], str]


def pause_lines(name: Namer, module: Callable[[str], str]) -> list[str]:
    """The helpers, their event listeners and the pause itself, for the top of the
    module (after the declarative base)."""
    gc = module("gc")
    listens_for = f"{name('sqlalchemy', 'event')}.listens_for"
    mapper = name("sqlalchemy.orm", "Mapper")
    return [
        "# Mapping thousands of classes makes millions of objects that live as long",
        "# as the program; the cycle collector would walk them all again and again",
        "# while they are made (a third of the import and of the mappers'",
        "# configuration). It is paused while this module defines its classes and",
        "# while SQLAlchemy configures mappers, then left as it was. What they made is",
        "# frozen (gc.freeze): later full collections, and the last one when the",
        "# program exits, skip it (at 2,000 tables: 3 s each, 13 s at exit).",
        "_COLLECTOR_STATES: list[bool] = []",
        "",
        "",
        f'@{listens_for}({mapper}, "before_configured")',
        "def _pause_collector() -> None:",
        f'{INDENT}"""Pause the cycle collector, remembering whether it ran."""',
        f"{INDENT}_COLLECTOR_STATES.append({gc}.isenabled())",
        f"{INDENT}{gc}.disable()",
        "",
        "",
        f'@{listens_for}({mapper}, "after_configured")',
        "def _resume_collector() -> None:",
        f'{INDENT}"""Freeze what the mapping made, and let the cycle collector run again if',
        f'{INDENT}it ran before the pause."""',
        f"{INDENT}{gc}.freeze()",
        f"{INDENT}if _COLLECTOR_STATES.pop():",
        f"{INDENT}{INDENT}{gc}.enable()",
        "",
        "",
        "_pause_collector()",
    ]


def resume_lines() -> list[str]:
    """The end of the pause, for the end of the module."""
    return ["_resume_collector()"]
