"""Stage 1, the YAML source: read schema files keeping line marks, and merge them.

Owns: reading ``schema/*.yaml`` with a location for every YAML path
(``loader``; ``plain`` is its fast path for files without anchors or tags),
the raw ``Sources`` that later stages read, and the merge of many files into
one document with duplicate-definition errors.

May import: ``model``, ``util`` and the top-level foundation modules.
"""
