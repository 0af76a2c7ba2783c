"""``schemagen seed``: synthetic rows that satisfy every constraint, made on the server.

Owns: reading check constraints into what values they allow (``checks``),
deterministic SQL randomness (``random``), realistic words (``words``), each
column's value generator (``values``), the insert order and statements
(``plan``) and running them safely in one transaction (``run``).

May import: ``live`` (connecting), ``model``, ``util`` and the foundation (and
psycopg, pglast).
"""
