"""``schemagen seed``: synthetic rows that satisfy every constraint, made on the server.

Owns: reading check constraints into what values they allow (``checks``, into a
``domain`` per column; a CASE as the OR it is: ``cases``; simple anchored patterns:
``patterns``), deterministic SQL randomness (``random``), realistic words
(``words``) and a product catalog's text that agrees row by row (``catalog``,
``catalog_words``), each column's value generator (``values``; a date's or time's
bounds by constants: ``times``; another value than a row's own: ``beside``), the
insert order (``order``), each table's statement (``plan``, over ``context``,
``rules``, ``uniques``, ``branches``, ``apart``, ``select`` and ``deferred``) and
the refusals (``refusals``; a count asked by name that a key cannot hold, or a
foreign key with no parent key to take, before any insert: ``room``; an exclusion's
ranges kept apart from the rows there: ``excludes``), big loads as pg_restore does
them, streamed from a second session (``bulk``), and running them safely in one
transaction (``run``).

May import: ``live`` (connecting), ``model``, ``util`` and the foundation (and
psycopg, pglast).
"""
