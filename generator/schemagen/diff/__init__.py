"""The pure diff: two Schemas in, an ordered Plan of operations out.

Owns: ``compare.diff(old, new)`` and its per-level comparators (``tables``, a
table's partition tree in ``partitions``, ``sequences``, ``domains``, row-level
security in ``security``), the one
dependency ordering of a plan (``ordering``), what may run in its online stage
(``online``) and the snapshot form of a schema that the diff compares
(``snapshot``). Nothing here touches a file or a
database.

May import: ``operations``, ``model``, ``util`` and the foundation.
"""
