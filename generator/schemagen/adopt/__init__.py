"""``schemagen import``: adopt an existing PostgreSQL database as YAML.

Owns: reading what the language can and cannot say about a live database
(``catalog``: a fixed number of catalog queries in one read-only transaction,
on top of ``live.introspect``), turning it into the language's documents with
one line for every object it cannot express (``mapping``, which runs the
phases: a table's columns in ``columns``, keys and constraints in
``constraints``, indexes in ``indexes``, partition trees in ``partition_trees``,
security in ``security``, the objects beyond tables in ``objects``, what they
share in ``drafts``; types and defaults in ``values``, entity, enum, attribute
and convention names in ``names``, relationship names in ``relations``, domains
in ``domains``, the project's default PostgreSQL schema in ``home``), laying
the documents out as YAML files (``emit``) and the run that checks and writes
them (``run``).

May import: ``live``, ``validate`` and every earlier stage, and the foundation
(and psycopg); never ``check``, ``api`` or ``cli``.
"""
