"""Renderer: the Markdown documentation with its Mermaid ER diagrams.

Owns: the docs view-models (``view``), Markdown escaping (``text``), the ER
diagrams (``mermaid``), the pages (``pages``; the domains table in ``domains``,
an entity's row-level security section in ``security``) and the entry point
that renders them all (``render``).

May import: ``model``, ``util`` and the foundation (it reads only the Schema).
"""
