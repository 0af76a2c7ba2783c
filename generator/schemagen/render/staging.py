"""Docs pages rendered and staged by two processes at once (``schemagen build``).

At 2,000 tables the docs are 2,000 pages, and creating 2,000 files costs about
as much as rendering them (more on a file system that scans recently freed
inodes for each new one). So ``build`` does not send the pages' text back from
its child to be written by the caller alone: the pages are cut into chunks that
both processes claim (:class:`~schemagen.util.background.Claims`), render,
compare with the disk and write into the staging folder. The child starts as
soon as the schema is normalized; the caller joins once models.py is rendered,
so neither waits for a half fixed in advance. Only the staged files' names
travel back, and the commit moves them into place with the rest
(:func:`schemagen.util.commit.commit`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..util.background import Claims, Job
from ..util.commit import stage_file
from ..util.writer import new_file_mode

#: Pages per chunk: small enough that the two processes end close together,
#: large enough that claiming costs nothing next to rendering.
CHUNK = 16


@dataclass
class StagedPages:
    """What the pages of some chunks came to: staged (path relative to the project
    -> name in the staging folder) or unchanged on disk."""

    staged: dict[str, str] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    chunks: set[int] = field(default_factory=set)

    def add(self, other: StagedPages) -> None:
        """Take over ``other``'s pages (the other process's share)."""
        self.staged.update(other.staged)
        self.unchanged += other.unchanged
        self.chunks |= other.chunks

    @property
    def paths(self) -> set[str]:
        """Every page rendered, staged or not."""
        return {*self.staged, *self.unchanged}


class PageStager:
    """The docs pages of one build, staged by a child and the caller together."""

    def __init__(
        self,
        root: Path,
        staging: Path,
        output: str,
        renderers: dict[str, Callable[[], str]],
        *,
        fork: bool = True,
    ) -> None:
        """Start the child (with ``fork``) on ``renderers`` (docs path -> its page's
        text), staging into ``staging`` the pages that differ from ``root/output/<path>``.
        Without ``fork``, :meth:`finish` does all the work."""
        self.root, self.staging, self.output = root, staging, output
        self.renderers = renderers
        self.new_mode = new_file_mode()
        paths = list(renderers)  # in render order: a broken template fails as before
        size = max(CHUNK, -(-len(paths) // Claims.MAX_CHUNKS))
        self.chunks = [paths[start : start + size] for start in range(0, len(paths), size)]
        self.claims = Claims(len(self.chunks))
        self.job = Job(self._work, fork=fork)

    def finish(self) -> StagedPages:
        """Stage the chunks left, take the child's share, and stage any chunk the
        child claimed but did not deliver (it failed or was killed): then every
        page is accounted for, and a page that fails to render fails here."""
        try:
            done = self._work()
            done.add(self.job.result())
            for number in range(len(self.chunks)):
                if number not in done.chunks:
                    self._stage_chunk(number, done)
        finally:
            self.claims.close()
        return done

    def cancel(self) -> None:
        """Stop the child (the build failed; the staging folder is dropped)."""
        self.job.cancel()
        self.claims.close()

    def _work(self) -> StagedPages:
        done = StagedPages()
        while (number := self.claims.claim()) is not None:
            self._stage_chunk(number, done)
        return done

    def _stage_chunk(self, number: int, done: StagedPages) -> None:
        for index, path in enumerate(self.chunks[number]):
            rel = f"{self.output}/{path}"
            data = self.renderers[path]().encode("utf-8")
            name = f"docs-{number}-{index}"
            if stage_file(self.staging, name, self.root / rel, data, self.new_mode):
                done.staged[rel] = name
            else:
                done.unchanged.append(rel)
        done.chunks.add(number)

