"""``schemagen prove``: show that each index serves the queries it declares.

Owns: creating the schema in an empty database, seeding it (through ``seed``),
running every declared query with ``EXPLAIN (ANALYZE, BUFFERS)`` with and
without its index (``explain``), the report and its summary of redundant and
unused indexes and unindexed foreign keys (``report``), and the run
(``run``).

May import: ``seed``, ``live``, ``render``, ``docs``, ``model``, ``util`` and the
foundation (and psycopg).
"""
