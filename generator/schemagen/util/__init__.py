"""Plumbing every stage may use: nothing here knows the schema language.

Owns: atomic file writes (``writer``), forked background jobs (``background``),
Python source text for generated code (``pycode``), the Jinja environment
(``templating``), database URL parsing and password masking (``urls``), ``DATABASE_URL`` from
the environment or a ``.env`` file (``dotenv``), counted nouns (``words``), the user cache
folder (``cache``) and values remembered per object (``identity``).

May import: the top-level ``config``, ``errors`` and ``findings`` modules only.
"""
