"""Stage 4, reference and semantic checks, and the whole front end.

Owns: the schema folder parsed by two processes (``reading``, light on imports
so that a command can start it first), the located issue reporter
(``reporter``), reference checks on the merged sources (``references``), the
SQL-fragment checks (``sql``), row-level security policies (``security``), the
model checks on the normalized Schema (``semantic.check_model`` runs them: names in ``names``,
relation and type namespaces in ``namespaces``, a column's type and default in
``column_rules`` and ``defaults``, index methods and operator classes in ``indexes``,
relationship names in ``relationships``, standalone sequences and nextval defaults in
``sequences``, composite foreign keys in ``foreign_keys``, identity options in
``columns``), lint warnings (``lint``), and
``pipeline.load_and_validate``, which runs stages 1 to 4 and returns every
problem at once with the Schema when there is no error (for a large schema the
reference checks in a forked child while it normalizes), and
``pipeline.load_schema_apart``, which runs the same checks of a large schema in
two forked children (the reference checks while it normalizes, the model checks
and lint while ``plan`` and ``migrate`` work on it).

May import: ``normalize``, ``language``, ``source``, ``model``, ``util`` and the foundation.
"""
