"""Run one pure function in a forked child while the caller works on: two cores, one render.

Rendering a large schema is CPU-bound Python, so threads would not help; a
forked child shares the already-built model for free (copy-on-write) and sends
back only its result. Nothing here can change what is computed: the child
runs the very function the caller would run, and whenever the child cannot
deliver (no ``os.fork`` on this platform, an exception in the child, a killed
child), :meth:`Job.result` runs the function in the caller, so errors surface
there with their own type and traceback.
"""

from __future__ import annotations

import os
import pickle
import signal
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Job(Generic[T]):
    """A function started in a child process (or, where that is impossible, deferred)."""

    def __init__(self, func: Callable[[], T], *, fork: bool = True) -> None:
        """Start ``func`` in a child; with ``fork=False`` (or no ``os.fork``), only
        remember it: :meth:`result` then runs it."""
        self.func = func
        self.pid = 0
        self.fd = -1
        if fork and hasattr(os, "fork"):
            self._start()

    def _start(self) -> None:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, and leave without cleanup handlers
            os.close(read_fd)
            code = 1
            try:
                data = pickle.dumps(self.func(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_fd, "wb") as out:
                    out.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write_fd)
        self.pid, self.fd = pid, read_fd

    def result(self) -> T:
        """The child's result; the function's own result (computed here) if it failed."""
        if self.pid:
            with os.fdopen(self.fd, "rb") as source:
                # the file closes the pipe, even when a Ctrl-C stops the read, and a
                # cancel() must not close its number again (by then maybe another file's)
                self.fd = -1
                data = source.read()
            _, status = os.waitpid(self.pid, 0)
            self.pid = 0
            if status == 0:
                value: T = pickle.loads(data)
                return value
        return self.func()

    def cancel(self) -> None:
        """Stop the child (the caller failed and will not ask for the result)."""
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            if self.fd >= 0:
                os.close(self.fd)
                self.fd = -1
            os.waitpid(self.pid, 0)
            self.pid = 0


class Claims:
    """Numbered chunks of work that two processes share: each :meth:`claim` hands
    out a chunk no other process gets, until none is left.

    The chunk numbers wait in a pipe created before the fork: a read of one
    4-byte number is atomic between processes (Linux pipes serialize readers),
    so whichever process is free takes the next chunk, and neither waits for a
    static half that turned out larger. Without ``os.fork`` the caller alone
    claims every chunk.
    """

    SIZE = 4

    def __init__(self, count: int, *, held: int | None = None) -> None:
        """Offer chunks ``0 .. count - 1``, in order, but ``held`` (offered to no one)."""
        self.read_fd, write_fd = os.pipe()
        offered = b"".join(n.to_bytes(self.SIZE, "little") for n in range(count) if n != held)
        try:
            # Written whole before anyone reads: the pipe holds 16,384 numbers at least.
            os.write(write_fd, offered)
        finally:
            os.close(write_fd)  # an empty pipe then reads as end of file, not a wait

    def claim(self) -> int | None:
        """The next chunk's number, or None when every chunk is taken."""
        if self.read_fd < 0:
            return None
        data = os.read(self.read_fd, self.SIZE)
        return int.from_bytes(data, "little") if data else None

    def close(self) -> None:
        """Release the pipe (each process closes its own copy); again: nothing."""
        if self.read_fd >= 0:
            os.close(self.read_fd)
            self.read_fd = -1

    #: At most this many chunks (the pipe's capacity, 64 KiB, over SIZE).
    MAX_CHUNKS = 16_384


def run_shared(
    tasks: Sequence[Callable[[], T]], *, fork: bool = True, child_task: int | None = None
) -> list[T]:
    """Every task's result, in order, computed by the caller and a forked child
    together: each takes the next task not yet taken (:class:`Claims`), so
    neither waits for a half fixed in advance. Only the child's results travel
    back. A task that failed, in either process, is only passed over; the tasks
    not delivered (failed, or taken by a child that was killed) are then run
    here in order, so the error is the one of the first failing task, with its
    own type, whichever process met which first: as when one process runs them
    all (the tasks must be pure, as renders are).

    ``child_task``: the number of a task that the child runs before it takes any
    other, and the caller never takes (a long one that mostly waits, whose memory
    should not add to the caller's); with it, the child is forked even for one
    task. Its error, too, is raised in order."""
    claims = Claims(len(tasks), held=child_task)

    def work(first: int | None = None) -> dict[int, T]:
        done: dict[int, T] = {}
        number = first if first is not None else claims.claim()
        while number is not None:
            try:
                done[number] = tasks[number]()
            except Exception:  # noqa: S110 - run again below, in order, where it raises
                pass
            number = claims.claim()
        return done

    job = Job(lambda: work(child_task), fork=fork and (len(tasks) > 1 or child_task is not None))
    try:
        results = work()
        results.update(job.result())
    except BaseException:
        job.cancel()
        raise
    finally:
        claims.close()
    return [results[n] if n in results else tasks[n]() for n in range(len(tasks))]
