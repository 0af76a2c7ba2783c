"""All-or-nothing writes of a whole output, repaired by the next run after a kill.

``build`` and ``migrate`` change many files at once. Written one by one, a
process killed half way leaves new files next to old ones, or a revision
without its checksum. So every change is first written into a staging folder
(``<output>/.schemagen-staging/``); then a small journal listing the moves is
written and renamed into place (the commit point); then the files are moved
over their targets and the journal and staging folder are removed.

:func:`recover` runs first in every writing command. A journal means the
commit point was passed: the moves are finished (rolled forward). A staging
folder without a journal means it was not: the staged files are dropped
(rolled back), and the output is what it was before the killed command.

:func:`project_lock` serializes the commands that write (an OS advisory lock,
``flock``, on the project folder itself, so no lock file is left behind).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SchemagenError
from .writer import current_file, new_file_mode

STAGING = ".schemagen-staging"
JOURNAL = ".schemagen-journal"
#: In the staging folder: the command line that staged it, for the messages.
COMMAND_FILE = "COMMAND"
#: Temporary files of file-by-file writes (``util.writer``, older versions of build and
#: migrate): ``.<name>.<8 characters of tempfile.mkstemp>.tmp``.
OLD_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


class ProjectBusy(SchemagenError):
    """Another schemagen command holds the project's lock (exit 1)."""

    exit_code = 1


@dataclass
class Changes:
    """Files to write (relative POSIX path -> bytes) and to delete, below ``root``."""

    root: Path
    writes: dict[str, bytes] = field(default_factory=dict)
    deletes: list[str] = field(default_factory=list)
    #: Paths that are the only copy of their content: flushed to disk before the commit.
    durable: set[str] = field(default_factory=set)
    #: Permission bits of each file to write as it is now (None: new); absent: looked up.
    modes: dict[str, int | None] = field(default_factory=dict)
    #: Files already written into the staging folder (:func:`stage_file`): path ->
    #: name in the staging folder. Their modes are set already.
    staged: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.writes and not self.deletes and not self.staged


@contextlib.contextmanager
def project_lock(root: Path, *, wait: float = 600.0) -> Iterator[None]:
    """Hold the project's advisory lock; wait up to ``wait`` seconds for another holder.

    The lock is on the project folder's own file descriptor: the OS drops it
    when the process ends, killed or not, and no lock file stays behind.
    """
    fd = os.open(root, os.O_RDONLY)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ProjectBusy(
                        f"another schemagen command has been writing to {root} for over "
                        f"{wait:.0f} s; nothing was written. Run this command again when it "
                        "has finished."
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def writing(root: Path, output_dir: Path) -> Iterator[list[str]]:
    """Lock the project, repair what a killed command left, and yield what was repaired."""
    with project_lock(root):
        yield recover(root, output_dir)


@contextlib.contextmanager
def staging_area(output_dir: Path, command: str) -> Iterator[Path]:
    """A fresh staging folder for :func:`stage_file`, before :func:`commit`.

    A command that stages files while it still renders (``build``) opens it
    first; if the command fails before its commit, the folder goes, and the
    output is as it was. Call under the project lock (:func:`writing`).
    """
    missing = _first_missing(output_dir)  # made here: removed again if nothing lands
    staging = _open_staging(output_dir, command)
    try:
        yield staging
    finally:
        # Committed: already gone. Not committed (an error, nothing to write): dropped.
        if not (output_dir / JOURNAL).exists():
            shutil.rmtree(staging, ignore_errors=True)
            if missing is not None:
                _remove_empty(output_dir, missing)


def _first_missing(folder: Path) -> Path | None:
    """The outermost of ``folder`` and its parents that does not exist yet."""
    missing = None
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return missing
        missing = candidate
    return missing


def _remove_empty(folder: Path, top: Path) -> None:
    """Remove ``folder`` and its parents up to ``top`` while they are empty."""
    for candidate in (folder, *folder.parents):
        try:
            candidate.rmdir()
        except OSError:
            return
        if candidate == top:
            return


def stage_file(staging: Path, name: str, target: Path, data: bytes, new_mode: int) -> bool:
    """Write ``data`` into the staging folder as ``name`` if ``target`` holds other
    bytes; return whether it did. The staged copy keeps an existing file's
    permission bits; ``new_mode`` is what ``open`` gives a new file
    (:func:`~.writer.new_file_mode`, asked once by the caller, not per file)."""
    current, mode = current_file(target)
    if current == data:
        return False
    staged = staging / name
    with open(staged, "wb") as handle:
        handle.write(data)
    if mode is not None and mode != new_mode:
        os.chmod(staged, mode)
    return True


def _open_staging(output_dir: Path, command: str) -> Path:
    staging = output_dir / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / COMMAND_FILE).write_text(command, encoding="utf-8")
    return staging


def commit(output_dir: Path, changes: Changes, command: str) -> None:
    """Write ``changes`` all or nothing (see the module docstring).

    Files staged ahead (``changes.staged``) must be in the open staging folder
    (:func:`staging_area`); without any, the folder is made here.
    """
    if changes.empty:
        return
    staging = output_dir / STAGING
    if not changes.staged:
        _open_staging(output_dir, command)
    moves: list[list[str]] = [[name, rel] for rel, name in sorted(changes.staged.items())]
    new_mode = new_file_mode()  # what open() gives a new file: no chmod for those
    for index, rel in enumerate(sorted(changes.writes)):
        staged = staging / str(index)
        with open(staged, "wb") as handle:
            handle.write(changes.writes[rel])
            if rel in changes.durable:
                handle.flush()
                os.fsync(handle.fileno())
        mode = changes.modes.get(rel)
        if mode is None and rel not in changes.modes:
            mode = _mode_of(changes.root / rel, new_mode)
        if mode is not None and mode != new_mode:
            os.chmod(staged, mode)
        moves.append([str(index), rel])
    journal = {"command": command, "moves": moves, "deletes": sorted(changes.deletes)}
    tmp = staging / JOURNAL
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(journal, handle)
        if changes.durable:
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(tmp, output_dir / JOURNAL)  # the commit point
    _roll_forward(changes.root, output_dir, journal)


def recover(root: Path, output_dir: Path) -> list[str]:
    """Finish or undo a killed command's commit; remove leftover temporary files.

    Returns what was done, as lines for the user (none when there was nothing).
    """
    lines: list[str] = []
    staging = output_dir / STAGING
    journal_path = output_dir / JOURNAL
    if journal_path.is_file():
        journal = json.loads(journal_path.read_text(encoding="utf-8"))
        command = journal["command"]
        _roll_forward(root, output_dir, journal)
        lines.append(
            f"recovered: `{command}` was interrupted while it moved its files into place; "
            f"it is now finished ({len(journal['moves'])} file(s) written)."
        )
    elif staging.exists():
        command = _command(staging)
        shutil.rmtree(staging)
        lines.append(
            f"recovered: `{command}` was interrupted before it wrote anything; its "
            "staged files were dropped and the output is as before it ran."
            + (f" Run `{command}` again." if command.startswith("schemagen migrate") else "")
        )
    old = old_temp_files(output_dir)
    for path in old:
        path.unlink(missing_ok=True)
    if old:
        lines.append(f"removed {len(old)} temporary file(s) left by an interrupted command.")
    return lines


def leftovers(output_dir: Path) -> list[Path]:
    """What a killed command left: journal, staging folder, temporary files."""
    found = [p for p in (output_dir / JOURNAL, output_dir / STAGING) if p.exists()]
    return found + old_temp_files(output_dir)


def old_temp_files(output_dir: Path) -> list[Path]:
    """Hidden ``.<name>.<random>.tmp`` files (file-by-file writes of older versions)."""
    if not output_dir.is_dir():
        return []
    found: list[Path] = []
    for folder, dirs, files in os.walk(output_dir):
        dirs[:] = [d for d in dirs if d != STAGING]
        found += [Path(folder) / name for name in _hidden_temps(files)]
    return sorted(found)


def _hidden_temps(names: list[str]) -> list[str]:
    return [name for name in names if OLD_TEMP.match(name)]


def _roll_forward(root: Path, output_dir: Path, journal: dict[str, Any]) -> None:
    staging = output_dir / STAGING
    folders: set[Path] = set()
    for index, rel in journal["moves"]:
        staged = staging / index
        if not staged.exists():
            continue  # moved before the kill
        target = root / rel
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        os.replace(staged, target)
    for rel in journal["deletes"]:
        (root / rel).unlink(missing_ok=True)
    # Staging first: a kill between the two leaves the journal, and rolling forward
    # again (every move done, deletes repeated) says the truth: it was finished.
    shutil.rmtree(staging, ignore_errors=True)
    (output_dir / JOURNAL).unlink(missing_ok=True)


def _command(staging: Path) -> str:
    try:
        return (staging / COMMAND_FILE).read_text(encoding="utf-8").strip() or "schemagen"
    except OSError:
        return "a schemagen command"


def _mode_of(target: Path, new_mode: int) -> int:
    """Keep an existing file's permissions; new files get 0o666 minus the umask."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        return new_mode
