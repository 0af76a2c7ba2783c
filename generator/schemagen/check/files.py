"""The generated files, rendered and compared by two processes at once.

At 2,000 tables ``build`` owns 2,011 files (20 MB: models.py, 2,000 entity
pages, the overview), and rendering them is all Python, so one process renders
for seconds while the other core idles. Here the work is cut into parts
(:func:`~schemagen.render.build.render_parts`) that the caller and a forked
child claim as each comes free (:func:`~schemagen.util.background.run_shared`). Each process
compares the files it rendered with the disk itself and sends back only the
findings and each file's sha256 (for the check cache), never the 20 MB of text.

``check`` hands the same two processes the schema's model checks (``rules``,
the first task) and its comparison of the schema with the head snapshot
(``pending``, the next). Run by the caller between the fork of the database
comparison's child and the fork of the files' child, the comparison read the
whole schema in between, so each page of the schema it touched was copied on
write once after each fork; as a task it runs after both forks, in whichever
process is free (at 2,000 tables about 11,000 fewer page copies of 153,000, and
0.1 s less CPU). The model checks had a child of their own, forked just before
the database's: one more fork of the whole heap, whose every page they read was
copied once more. So had the comparison with the database (``database``): it is
now the first task of the files' child, which then takes render tasks as the
caller does (at 2,000 tables 16,000 fewer page faults of 131,000). The child is
forked for it whatever the schema's size, as its own child was, so it still
waits on the server while the caller renders.

What is found is what one process finds: the same findings in the same order
(files sorted by path, then the stale docs pages), and when parts fail, the
error of the first failing part in order, raised by the caller with its own
type (``tests/check/test_check_files.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from ..config import Project
from ..errors import Issue
from ..findings import Finding
from ..model.schema import Schema
from ..render.build import PARALLEL_DOCS, Part, render_parts
from ..util.background import run_shared
from .drift import compare_file, stale_docs

#: From this many entities on the parts are shared with a child; below, the fork
#: costs more than it saves: the threshold of build's docs child.
PARALLEL_FROM = PARALLEL_DOCS


@dataclass
class FilesChecked:
    """The file findings (sorted by path, stale docs pages last), and what the
    check cache and the summary need."""

    findings: list[Finding] = field(default_factory=list)
    #: sha256 of each rendered file's text (empty unless asked for), by path
    #: relative to the project: every rendered file is a key
    digests: dict[str, str] = field(default_factory=dict)
    #: what the ``pending`` task returned (nothing pending without one)
    pending: Pending = field(default_factory=lambda: ([], False))
    #: what the ``rules`` task returned (None without one)
    rules: list[Issue] | None = None
    #: what the ``database`` task returned (None without one)
    database: object = None


#: What one part sends back: per rendered file, its finding (None: as on disk) and
#: the sha256 of the rendered text (or "").
Compared = dict[str, tuple[Finding | None, str]]

#: :func:`~schemagen.check.drift.pending_findings`'s result: the operations that
#: the next revision would hold, and whether the head snapshot is exactly the schema.
Pending = tuple[list[Finding], bool]


def check_files(
    project: Project,
    schema: Schema,
    *,
    show_diff: bool = False,
    digests: bool = True,
    pending: Callable[[], Pending] | None = None,
    rules: Callable[[], list[Issue]] | None = None,
    database: Callable[[], object] | None = None,
) -> FilesChecked:
    """Every file that build writes for ``schema``, compared with the disk; with
    ``digests``, the sha256 of each (20 MB hashed at 2,000 tables, for the cache).
    ``rules`` then ``pending``: pure tasks run first of all, by either process (see
    the module docstring); ``database``: one the child runs before any other, its
    error raised after those of the files. Their results are
    :attr:`FilesChecked.rules`, :attr:`FilesChecked.pending` and
    :attr:`FilesChecked.database`."""
    parts = render_parts(project, schema)
    first: list[Callable[[], object]] = [task for task in (rules, pending) if task is not None]
    tasks = [*first, *(_compared(project, part, show_diff, digests) for part in parts)]
    child_task = None
    if database is not None:
        child_task = len(tasks)
        tasks.append(database)
    done = FilesChecked()
    compared: Compared = {}
    fork = len(schema.entities) >= PARALLEL_FROM or database is not None
    results = run_shared(tasks, fork=fork, child_task=child_task)
    if database is not None:
        done.database = results.pop()
    if rules is not None:
        done.rules = cast("list[Issue]", results.pop(0))
    if pending is not None:
        done.pending = cast(Pending, results.pop(0))
    for result in results:
        compared.update(cast(Compared, result))
    for rel in sorted(compared):
        finding, done.digests[rel] = compared[rel]
        if finding is not None:
            done.findings.append(finding)
    done.findings += stale_docs(project, compared)
    return done


def _compared(
    project: Project, part: Part, show_diff: bool, digests: bool
) -> Callable[[], Compared]:
    """``part`` rendered and compared with the disk, in whichever process runs it."""

    def run() -> Compared:
        return {
            rel: (
                compare_file(project.root / rel, rel, text, show_diff=show_diff),
                hashlib.sha256(text.encode("utf-8")).hexdigest() if digests else "",
            )
            for rel, text in part().items()
        }

    return run
