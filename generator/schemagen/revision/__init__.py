"""Revision rendering and the migration history on disk.

Owns: rendering operations as Alembic code by dispatch (``render``; per kind in
``tables``, ``domains``, ``partitions``, ``routines``, ``security``), the
revision file (``script``), reading and checking the history with its
snapshots and checksums (``history``) and the ``plan``/``migrate``/``rehash``
commands (``commands``).

May import: ``diff``, ``operations``, ``render``, ``docs``, ``model``, ``util``
and the foundation.
"""
