"""Stage 1 for a whole folder: every schema file parsed and checked against the
JSON Schema, the last files by a forked child while this process parses the first.

Kept apart from :mod:`~schemagen.validate.pipeline` and light on imports (the
parser and the structure check only): a command can start the child
(:class:`FolderRead`) before it imports the rest of the front end, and do that
and other work that needs no schema while the child parses (``check``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..config import Limits, Project
from ..errors import Issue
from ..language.messages import check_structure
from ..source.loader import RawFile, read_file, schema_files, too_large_message
from ..util.background import Job

#: Work of the caller's that needs no schema, done while a child parses files
#: (:meth:`FolderRead.finish`).
Meanwhile = Callable[[], object] | None

#: What a folder read gives: each file's raw data, and the parse and structure issues.
Read = tuple[list[RawFile], list[Issue]]

#: From this many bytes of YAML on, the last files are parsed in a forked child
#: while the caller parses the first ones (two cores; see background). Below, the
#: fork and sending the parsed data back cost more than they save.
PARALLEL_READ_BYTES = 256 * 1024

#: The share of the bytes that the caller parses itself: the child also has to
#: pickle what it parsed (about a quarter of the parsing time), and measured at
#: 2,000 tables (plan, validate) it still finished last at 0.55 and at 0.5.
CALLER_SHARE = 0.6


class FolderRead:
    """The schema files of a project being parsed: created, it starts the child that
    parses the last files (a large folder only); :meth:`finish` parses the first
    ones here and takes the child's.

    Between the two the caller may do work of its own; it then parses a smaller
    share itself (``caller_share``), so that both sides end together.
    """

    def __init__(
        self, project: Project, *, marks: bool = True, caller_share: float = CALLER_SHARE
    ) -> None:
        """Start reading ``project``'s schema folder; ``marks`` is
        :func:`~schemagen.source.loader.read_file`'s."""
        self.project = project
        self.marks = marks
        paths, self._failed = _schema_paths(project)
        split = _split(paths, caller_share)
        self._first = paths[:split]
        rest = paths[split:]
        self._rest: Job[Read] = Job(
            lambda: _read_files(project, rest, marks), fork=split < len(paths)
        )

    def finish(self, meanwhile: Meanwhile = None) -> Read:
        """Every file's data and issues, in path order (once).

        ``meanwhile``, if given, is called once this process has parsed its share of
        the files, while the child parses the rest and sends them: time this process
        would wait otherwise (``plan`` imports its own modules then). Without files
        it is not called."""
        if self._failed is not None:
            return self._failed
        try:
            raws, issues = _read_files(self.project, self._first, self.marks)
            if meanwhile is not None:
                meanwhile()
        except BaseException:
            self.cancel()
            raise
        more_raws, more_issues = self._rest.result()
        raws, issues = raws + more_raws, issues + more_issues
        return raws, issues + _over_limits(raws, self.project.limits)

    def cancel(self) -> None:
        """Stop the child (the caller gives up)."""
        self._rest.cancel()


def read_folder(project: Project, meanwhile: Meanwhile = None, *, marks: bool = True) -> Read:
    """Parse every schema file and check its structure against the JSON Schema
    (:class:`FolderRead`, started and finished at once)."""
    return FolderRead(project, marks=marks).finish(meanwhile)


def _schema_paths(project: Project) -> tuple[list[Path], Read | None]:
    """The schema files, or the whole result of a folder that is missing or holds
    none (its one issue)."""
    folder = project.relative(project.schema_dir)
    if not project.schema_dir.is_dir():
        return [], ([], [Issue(folder, 0, 0, "", f"schema folder {folder}/ does not exist")])
    paths = schema_files(project.schema_dir)
    if not paths:
        return [], ([], [Issue(folder, 0, 0, "", f"no *.yaml or *.yml files in {folder}/")])
    return paths, None


def _over_limits(raws: list[RawFile], limits: Limits) -> list[Issue]:
    """The folder's files together past a limit: located at the file that passes it."""
    totals = [0, 0, 0]
    keys = (
        ("max_nodes", limits.max_nodes, "YAML nodes"),
        ("max_alias_nodes", limits.max_alias_nodes, "YAML nodes copied by aliases"),
        ("max_scalar_bytes", limits.max_scalar_bytes, "bytes of text"),
    )
    for raw in raws:
        for index, (key, limit, what) in enumerate(keys):
            totals[index] += raw.size[index]
            if totals[index] > limit:
                raw.data = None
                return [Issue(raw.path, 1, 1, "", too_large_message(key, limit, what))]
    return []


def _split(paths: list[Path], caller_share: float) -> int:
    """How many of ``paths`` (from the start) the caller reads; the child reads the rest."""
    sizes = [_size(path) for path in paths]
    total = sum(sizes)
    if total < PARALLEL_READ_BYTES or len(paths) < 2:
        return len(paths)
    done = 0
    for count, size in enumerate(sizes, 1):
        done += size
        if done >= total * caller_share:
            return min(count, len(paths) - 1)
    return len(paths) - 1


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # read_file reports it


def _read_files(project: Project, paths: list[Path], marks: bool) -> Read:
    raws: list[RawFile] = []
    issues: list[Issue] = []
    for path in paths:
        raw, found = read_file(path, project.relative(path), project.limits, marks=marks)
        raws.append(raw)
        issues.extend(found)
        issues.extend(check_structure(raw))
    return raws, issues
