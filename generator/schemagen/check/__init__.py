"""``schemagen check``: every kind of drift, reported as findings.

Owns: the check run (``run``): generated files against a fresh build, the
migration history and pending changes (``drift``), a live database (through
``live``); and the cache of clean results (``cache``).

May import: every earlier stage and the foundation; never ``api`` or ``cli``.
"""
