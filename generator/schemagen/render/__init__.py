"""Renderer: models.py and the support files, and ``build``, which writes them all.

Owns: the view-model of ``models.py`` (``models``, which assembles it from
``imports``, ``columns``, ``column_types``, ``table_args``, ``relationships``,
``keyless_tables``, ``domains``, ``sequences``, ``routines`` and the rest),
``database.py``, Alembic's ``env.py`` and the other support files
(``support``), and ``build``, which renders every output (with ``docs``) and
writes only what changed, atomically.
A new column type's Python and SQLAlchemy side starts in ``model.typemap``;
its rendering lands here.

May import: ``docs``, ``model``, ``util`` and the foundation.
"""
