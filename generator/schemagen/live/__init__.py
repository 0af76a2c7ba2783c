"""The live database: introspect the catalog and compare it with the Schema.

Owns: catalog queries (``introspect``; the shapes both sides fill in ``shapes``,
the readers of the queries' rows in ``catalog_rows``), the expected shape of the Schema as
PostgreSQL would store it (``expected``, with the server printing its
expressions in a fixed number of statements: ``printing``; partition bounds:
``partitions``) and the comparison that yields drift findings: ``compare`` runs
it and orders its phases, over one table (``tables``), its columns (``columns``),
constraints (``constraints``) and partition tree (``partition_trees``), INVALID
indexes (``invalid_indexes``), each worded by ``drift``; the connection is
``connection``'s (who holds a lock it gave up waiting for: ``locks``). Domains,
all three, in ``domains``. A new drift check goes in the comparator of its kind
of object, called from ``compare`` or ``tables``.

May import: ``model``, ``util`` and the foundation (and psycopg).
"""
