"""Migration operations: small dataclasses that know their own reverse.

Owns: the ``Operation`` base (``base``), operations on tables and columns
(``table``), on indexes and constraints (``constraint``), on enums, extensions
and comments (``schema``), on standalone sequences (``sequence``), on domains (``domain``),
on the partitions of a partitioned table (``partition``), on row-level security
and policies (``security``), on a table's REPLICA IDENTITY (``replication``) and CLUSTER ON mark
(``clustering``), the
``Plan`` and ``apply``
(``plan``), the split of a plan into
revisions that are each atomic or resumable (``stages``), and the SQL
helpers operations need (``sqlutil``, ``typechange``). Each operation has
``reverse()``, ``describe()`` and ``apply(schema)``. A new operation starts here,
then gets a comparator in ``diff`` and a renderer in ``revision`` (on the
dispatcher of ``revision.render``, in the module of its family).

May import: ``model``, ``util``, the foundation, and ``validate.sql`` (SQL fragments
read by PostgreSQL's parser).
"""
