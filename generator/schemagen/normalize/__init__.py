"""Stage 3, the normalized model built from merged sources.

Owns: resolving mixins, types and references (``resolver.Resolver``, which the
reference checks of ``validate`` walk too), building the frozen ``Schema`` in its
canonical order (``normalizer``, from ``tables`` and ``columns``), naming
relationships (``relationships``) and building domains (``domains``).

May import: ``language``, ``source``, ``model``, ``util`` and the foundation.
"""
