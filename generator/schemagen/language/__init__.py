"""Stage 2, the structure check: the schema language's JSON Schema.

Owns: the JSON Schema of the language (``structure``: the document editors and
``schemagen json-schema`` see), the located structure errors of one file and
the "did you mean" helper (``messages``), and the schema's compiled fast path
(``quickcheck``).
A new key of the language starts here.

May import: ``source``, ``model``, ``util`` and the top-level foundation modules.
"""
