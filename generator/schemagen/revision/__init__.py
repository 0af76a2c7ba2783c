"""Revision rendering and the migration history on disk.

Owns: rendering operations as Alembic code by dispatch (``render``; one module
per operation family: ``schemas``, ``sequences``, ``enums``, ``domains``,
``tables``, ``columns``, ``constraints``, ``swaps``, ``indexes``,
``partition_indexes``, ``partition_uniques``, ``partitions``, ``routines``, ``security``,
``replication``), the revision file
(``script``), reading and checking the history with its snapshots and
checksums (``history``) and the ``plan``/``migrate``/``rehash`` commands
(``commands``).

May import: ``diff``, ``operations``, ``render``, ``docs``, ``model``, ``util``
and the foundation.
"""
