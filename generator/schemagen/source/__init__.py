"""Stage 1, the YAML source: read schema files keeping line marks, and merge them.

Owns: reading ``schema/*.yaml`` with a location for every YAML path
(``loader``; ``plain`` is its fast path for files without anchors or tags),
the raw ``Sources`` that later stages read, the merge of many files into
one document with duplicate-definition errors, and where each YAML path of
the merged folder was written (``locations``, looked up when an issue asks).

May import: ``model``, ``util`` and the top-level foundation modules.
"""
