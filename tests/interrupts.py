"""Starting a command that a test interrupts with SIGINT, as a user's Ctrl-C does."""

from __future__ import annotations

import signal


def sigint_default() -> None:
    """``preexec_fn`` of such a command: SIGINT back to its default action.

    A shell without job control starts a background job with SIGINT ignored
    (``bash -c 'cmd &'``, a CI script's ``&``, ``nohup``), the pytest workers
    inherit that and so would the command; Python installs its KeyboardInterrupt
    handler only where SIGINT is not ignored at start, so the command would not
    see the test's Ctrl-C at all (seen: the build waited on its lock until the
    test gave up, the check until its lock_timeout)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
