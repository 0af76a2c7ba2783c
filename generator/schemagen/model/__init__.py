"""The frozen normalized model: the vocabulary every later stage speaks.

Owns: the dataclasses between parsing and everything else (``schema``: Schema,
Entity, Column, Index, ...), their JSON form for snapshots (``data``), the naming
conventions (``naming``), the SQL text of defaults (``sqltext``), the mapping
of language types to PostgreSQL and SQLAlchemy types (``typemap``; PostgreSQL
types by name in ``pgtypes``), PostgreSQL's cast table between them (``casts``,
from ``pg_casts.json``), the volatility of its built-in functions (``volatility``,
from ``pg_volatility.json``) and the options and DDL words of standalone sequences
(``sequences``) and of domains (``domains``), and the fast ``__init__`` and
copies (``copy_with``) of the frozen dataclasses (``frozen``). Nothing here
parses YAML or renders a file; nothing here mutates a Schema.

May import: ``util`` and the top-level foundation modules.
"""
