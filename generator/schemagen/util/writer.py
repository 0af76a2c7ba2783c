"""Write generated files atomically, and only the ones whose content changed."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_files(root: Path, files: dict[str, str]) -> tuple[list[str], list[str]]:
    """Write ``files`` (POSIX paths relative to ``root`` -> text) below ``root``.

    A file whose bytes are already equal is not touched (its mtime stays, so
    tools that watch files see no change). Every other file is written to a
    temporary file in its own folder and renamed over the target, so a reader
    never sees half a file. Returns ``(changed, unchanged)``, both sorted.
    """
    changed: list[str] = []
    unchanged: list[str] = []
    folders: set[Path] = set()  # known to exist: one mkdir per folder, not per file
    new_mode: int | None = None
    for rel in sorted(files):
        data = files[rel].encode("utf-8")
        target = root / rel
        current, mode = current_file(target)
        if current == data:
            unchanged.append(rel)
            continue
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        if mode is None:
            new_mode = new_file_mode() if new_mode is None else new_mode
            mode = new_mode
        _replace(target, data, mode)
        changed.append(rel)
    return changed, unchanged


def pending_writes(
    root: Path, files: dict[str, str], modes: dict[str, int | None] | None = None
) -> tuple[dict[str, bytes], list[str], list[str]]:
    """The files of ``files`` whose bytes differ from the disk, encoded, and the
    lists ``(changed, unchanged)``, both sorted: what :func:`write_files` would
    write, for a caller that commits them together (``util.commit``). ``modes``
    receives the permission bits of each file to write (None: a new file)."""
    writes: dict[str, bytes] = {}
    unchanged: list[str] = []
    for rel in sorted(files):
        data = files[rel].encode("utf-8")
        current, mode = current_file(root / rel)
        if current == data:
            unchanged.append(rel)
        else:
            writes[rel] = data
            if modes is not None:
                modes[rel] = mode
    return writes, list(writes), unchanged


def current_file(target: Path) -> tuple[bytes | None, int | None]:
    """The bytes and permission bits of the file ``target``; ``(None, None)`` if
    there is none (one open instead of a stat, a read and another stat)."""
    try:
        with open(target, "rb") as handle:
            return handle.read(), os.fstat(handle.fileno()).st_mode & 0o7777
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None, None


def write_atomic(target: Path, data: bytes, *, durable: bool = False) -> None:
    """Replace ``target`` with ``data`` through a temporary file and ``os.replace``.

    Generated files are not flushed to disk: each is reproducible (``schemagen
    build`` writes it again, ``schemagen check`` notices a damaged one), and a
    flush per file took longer than rendering a 2,000-table schema. Pass
    ``durable=True`` for a file that is the only copy of its content (a new
    migration revision, its snapshot, the checksum file).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    _replace(target, data, _mode_for(target), durable=durable)


def _replace(target: Path, data: bytes, mode: int, *, durable: bool = False) -> None:
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; new files get 0o666 minus the umask
    (mkstemp would leave them readable by the owner only)."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        return new_file_mode()


def new_file_mode() -> int:
    """The permission bits ``open`` gives a new file: 0o666 minus the umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
