"""Read a live PostgreSQL database's structure from pg_catalog with psycopg 3.

Why pg_catalog and not SQLAlchemy's inspector: the catalog gives exactly what a
drift check must compare (operator classes and whether they are the type's
default, partial-index predicates and check expressions as PostgreSQL prints
them, ``confdeltype``, enum labels by ``enumsortorder``), in a handful of
queries, without importing SQLAlchemy.

The connection's current schema (normally ``public``) is read, and the other
PostgreSQL schemas the caller names, in the same queries: their tables, types
and sequences are keyed ``schema.name`` (as ``regclass`` prints them, and as the
model keys them), those of the current schema by their bare names. Alembic's
``alembic_version`` table is not part of the structure but gives the revision.
A search_path that puts one of the named schemas first (the project's
``database.schema``) is read past: see :func:`_home`.

This module owns the catalog queries and :func:`introspect`, which runs them;
the shapes it fills are ``shapes``', and the readers of their rows
``catalog_rows``'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model.naming import catalog_key_sql, current_schema_key_sql, partition_table
from ..model.storage import STORAGE_CODES
from ..revision.partition_indexes import index_definition_sql
from .catalog_rows import (
    add_constraint_row,
    add_index_row,
    expression_collations,
    identity_facts,
    key_collations,
    key_names,
    read_policies,
    replica_identity,
)
from .domains import DOMAINS_SQL, read_domains
from .partition_own import POLICY_DEFINITION_SQL
from .settings import (
    NO_SETTINGS,
    PARTITION_SETTINGS_SQL,
    PartitionSettings,
    read_partition_settings,
)
from .shapes import (
    AttachedTo,
    CatalogName,
    ColumnShape,
    DatabaseShape,
    InvalidIndex,
    ObjectComment,
    PartitionCheck,
    PartitionIndex,
    PartitionOwn,
    TableShape,
    Uncovered,
)

if TYPE_CHECKING:
    import psycopg

VERSION_TABLE = "alembic_version"

#: ``pg_constraint.contype`` -> the words findings use.
_KIND_WORDS = {
    "p": "primary key",
    "u": "unique constraint",
    "c": "check constraint",
    "f": "foreign key",
}


#: The owner of a sequence owned by a column of a table not read (another schema).
NOT_READ = "(a table not read)"

#: The key of an object named {name} in the namespace {ns}: bare in the current schema,
#: ``schema.name`` in another (``adopt.catalog`` keys its facts the same way).
QUALIFIED_KEY = current_schema_key_sql("{ns}", "{name}::text")
#: The namespaces read: the current schema and those the caller names (%(schemas)s).
SCHEMAS_READ = (
    "(SELECT n.oid FROM pg_namespace n "
    "WHERE n.nspname = current_schema() OR n.nspname = ANY(%(schemas)s))"
)

#: An extended statistics object's key (a namespace's object, like a table).
STATISTICS_KEY = QUALIFIED_KEY.format(ns="s.stxnamespace", name="s.stxname")
#: An extended statistics object s as a :class:`.shapes.CatalogName` reads it: its key,
#: schema and name.
STATISTICS_NAME = (
    f"{STATISTICS_KEY}, (SELECT nspname::text FROM pg_namespace WHERE oid = s.stxnamespace), "
    "s.stxname::text"
)

#: The key of the partition {rel} in a finding: as a table's (not as its parent names it).
_PARTITION_KEY = "(SELECT {key} FROM pg_class p WHERE p.oid = {{rel}})".format(
    key=QUALIFIED_KEY.format(ns="p.relnamespace", name="p.relname")
)
#: The partition {rel} as a :class:`.shapes.CatalogName` reads it: its key (as
#: _PARTITION_KEY), its schema and its name, a text array.
_PARTITION_NAME = (
    "(SELECT ARRAY[{key}, (SELECT nspname::text FROM pg_namespace WHERE oid = p.relnamespace), "
    "p.relname::text] FROM pg_class p WHERE p.oid = {{rel}})"
).format(key=QUALIFIED_KEY.format(ns="p.relnamespace", name="p.relname"))
#: The name of the partition {rel} (a pg_class row) in its tree rooted at the table c: bare
#: in c's PostgreSQL schema, else schema.name, each part quoted as a key's is
#: (model.naming.catalog_key_sql: public."archive.p" is "archive.p", archive.p is
#: archive.p; model.naming.partition_table).
_TREE_NAME = catalog_key_sql(
    "{rel}.relnamespace = c.relnamespace", "{rel}.relnamespace", "{rel}.relname::text"
)
#: The schema and name of the partition p, apart, last in its row (after the settings).
_OWN_NAME = (
    "(SELECT n.nspname::text FROM pg_namespace n WHERE n.oid = p.relnamespace), p.relname::text"
)
#: {rel} is not a partition (its root is itself, or it is in no partition tree: t.root).
_OWN = "coalesce(t.root = {rel}, true)"

#: The definition (from USING on) of the index whose oid is {ix}, as the build
#: partition by partition compares a partition's index with its table's ('%' doubled:
#: the queries take parameters). Its subquery names pg_index i, pg_class c and t:
#: {ix} must name none of them.
_DEFINITION = index_definition_sql("{ix}").replace("%", "%%")
#: The INVALID index of the parent of x's table that x has the definition of and no
#: copy of x's table is attached to, which ATTACH would make x a copy of: [its table
#: keyed as a table is, its PostgreSQL schema, its name]; NULL for none.
_COPY_OF = f"""(SELECT json_build_array(
         {QUALIFIED_KEY.format(ns="pt.relnamespace", name="pt.relname")},
         (SELECT n.nspname FROM pg_namespace n WHERE n.oid = pc.relnamespace), pc.relname)
       FROM pg_inherits h JOIN pg_index px ON px.indrelid = h.inhparent
       JOIN pg_class pc ON pc.oid = px.indexrelid JOIN pg_class pt ON pt.oid = px.indrelid
       WHERE h.inhrelid = x.indrelid AND NOT px.indisvalid
       AND px.indisunique = x.indisunique
       AND {_DEFINITION.format(ix="px.indexrelid")} = {_DEFINITION.format(ix="x.indexrelid")}
       AND NOT EXISTS (SELECT FROM pg_inherits a JOIN pg_index ax ON ax.indexrelid = a.inhrelid
                       WHERE a.inhparent = px.indexrelid AND ax.indrelid = x.indrelid)
       ORDER BY pc.relname LIMIT 1)"""

# One query per kind of object; each selects only the tables of the schemas read.
# Partitions are not tables of their own here: their parent lists them with their
# bounds, each named bare when it is in its parent's PostgreSQL schema (the
# language's partitions are), else schema.name.
_TABLES_SQL = f"""
SELECT c.oid, {QUALIFIED_KEY.format(ns="c.relnamespace", name="c.relname")},
       obj_description(c.oid, 'pg_class'),
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
       -- each partition's name, bound, CLUSTER ON index (NULL for none: a lookup
       -- per partition, the table's own mark is read with its indexes), for one
       -- partitioned in turn its partition key, and the settings it holds of its own
       -- (live.settings)
       ARRAY(SELECT ARRAY[{_TREE_NAME.format(rel="p")},
                          pg_get_expr(p.relpartbound, p.oid),
                          (SELECT x.relname::text FROM pg_index m JOIN pg_class x
                             ON x.oid = m.indexrelid
                           WHERE m.indrelid = p.oid AND m.indisclustered),
                          CASE WHEN p.relkind = 'p' THEN pg_get_partkeydef(p.oid) END,
                          {PARTITION_SETTINGS_SQL},
                          {_OWN_NAME}]
             FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid
             WHERE i.inhparent = c.oid AND p.relispartition ORDER BY 1),
       CASE WHEN c.relrowsecurity THEN
         CASE WHEN c.relforcerowsecurity THEN 'force' ELSE 'enable' END END,
       -- policies of the table, in the same query (no query per table)
       (SELECT json_agg(json_build_array(
                 p.polname, p.polcmd, p.polpermissive,
                 ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_get_userbyid(r)::text END
                       FROM unnest(p.polroles) r),
                 pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),
                 obj_description(p.oid, 'pg_policy')))
        FROM pg_policy p WHERE p.polrelid = c.oid),
       -- its rules and extended statistics, which the language cannot declare (so
       -- each is drift), then its partitions' as (partition, name) pairs; NULL for
       -- none, as most tables have
       r.rules, st.statistics, r.partition_rules, st.partition_statistics,
       -- its sub-partitions (a partition's partitions, at any depth; the partitions
       -- above list direct ones only), each as (sub-partition, its parent, bound,
       -- partition key of one partitioned in turn, CLUSTER ON index, and the settings
       -- it holds of its own), named as those are; NULL for none, as most partitioned
       -- tables have
       -- (lookups, not joins: the planner expects 1,000 rows of pg_partition_tree and
       -- hashed all of pg_index and pg_class for each partitioned table, six times the
       -- query's time)
       CASE WHEN c.relkind = 'p' THEN
         (SELECT array_agg((SELECT ARRAY[
                              {_TREE_NAME.format(rel="p")}, {_TREE_NAME.format(rel="q")},
                              pg_get_expr(p.relpartbound, p.oid),
                              CASE WHEN p.relkind = 'p' THEN pg_get_partkeydef(p.oid) END,
                              (SELECT x.relname::text FROM pg_index m JOIN pg_class x
                                 ON x.oid = m.indexrelid
                               WHERE m.indrelid = p.oid AND m.indisclustered),
                              {PARTITION_SETTINGS_SQL},
                              {_OWN_NAME}]
                            FROM pg_class p, pg_class q
                            WHERE p.oid = t.relid AND q.oid = t.parentrelid))
          FROM pg_partition_tree(c.oid) t WHERE t.level > 1) END,
       -- REPLICA IDENTITY, and the index of USING INDEX (a lookup for such tables alone)
       c.relreplident,
       CASE WHEN c.relreplident = 'i' THEN
         (SELECT x.relname::text FROM pg_index m JOIN pg_class x ON x.oid = m.indexrelid
          WHERE m.indrelid = c.oid AND m.indisreplident) END,
       -- the unique constraints of its partitions (any depth) that no constraint of
       -- the table holds (conparentid 0), as [partition, pg_get_constraintdef] pairs:
       -- a build partition by partition cut short before the table's own
       -- (revision.partition_uniques); NULL for none, as nearly every table has
       pu.uniques,
       -- the CHECK constraints its partitions (any depth) hold of their own, none
       -- inherited (coninhcount 0: not the table's), each [partition keyed as a table,
       -- its schema, its name, the check's name, pg_get_constraintdef] (live.
       -- partition_checks); NULL for none, as nearly every table has
       pu.checks,
       -- the indexes made on one of its partitions (any depth) that are copies of no
       -- index of their parent (attached to none), valid and no constraint's (live.
       -- partition_indexes); NULL for none, as nearly every table has
       pi.indexes,
       -- the row-level security, policies, comments, column comments, index and
       -- constraint comments its partitions (any depth) hold of their own (PostgreSQL
       -- copies none of the table's), each [partition keyed as a table, its schema,
       -- its name, kind, name, detail] (live.partition_own); NULL for none, as nearly
       -- every table has
       po.own
FROM pg_class c
-- each catalog grouped once and joined (a subquery per table cost 2,000 index
-- lookups at 2,000 tables, a tenth more time; these scan two small catalogs once),
-- a partition's under the root of its tree (partitions are not rows of their own)
-- (the root's own: pg_partition_root is NULL outside a partition tree, the relation
-- itself at its root; a partition is named only then, by a lookup for it alone)
LEFT JOIN (SELECT coalesce(t.root, w.ev_class) AS relid,
                  array_agg(w.rulename::text) FILTER (WHERE {_OWN.format(rel="w.ev_class")})
                    AS rules,
                  array_agg({_PARTITION_NAME.format(rel="w.ev_class")} || w.rulename::text)
                    FILTER (WHERE NOT {_OWN.format(rel="w.ev_class")}) AS partition_rules
           FROM pg_rewrite w, LATERAL (SELECT pg_partition_root(w.ev_class)::oid AS root) t
           WHERE w.rulename <> '_RETURN' GROUP BY 1) r ON r.relid = c.oid
LEFT JOIN (SELECT coalesce(t.root, s.stxrelid) AS relid,
                  array_agg(ARRAY[{STATISTICS_NAME}])
                    FILTER (WHERE {_OWN.format(rel="s.stxrelid")})
                    AS statistics,
                  array_agg({_PARTITION_NAME.format(rel="s.stxrelid")}
                            || ARRAY[{STATISTICS_NAME}])
                    FILTER (WHERE NOT {_OWN.format(rel="s.stxrelid")}) AS partition_statistics
           FROM pg_statistic_ext s, LATERAL (SELECT pg_partition_root(s.stxrelid)::oid AS root) t
           GROUP BY 1) st ON st.relid = c.oid
-- (pg_constraint scanned once, partitions found in pg_inherits: a lookup per
-- partition cost a seventh more time at 800 partitions, a join with pg_class a tenth)
LEFT JOIN (SELECT pg_partition_root(k.conrelid) AS relid,
                  json_agg(json_build_array(k.conrelid::regclass::text,
                                            pg_get_constraintdef(k.oid)))
                    FILTER (WHERE k.contype = 'u') AS uniques,
                  json_agg(json_build_array({_PARTITION_NAME.format(rel="k.conrelid")},
                                            k.conname, pg_get_constraintdef(k.oid)))
                    FILTER (WHERE k.contype = 'c') AS checks
           FROM pg_constraint k
           WHERE (k.contype = 'u' AND k.conparentid = 0
                  OR k.contype = 'c' AND k.coninhcount = 0)
           AND k.conrelid IN (SELECT inhrelid FROM pg_inherits)
           GROUP BY 1) pu ON pu.relid = c.oid
-- (pg_index scanned once, its partitions' and attached indexes found in pg_inherits
-- (hashed), a constraint's by a lookup for the few left, and each left index's name
-- and parent index of the same definition looked up for those alone: a join with
-- pg_class, or an anti join with pg_constraint, cost half the query's time again)
LEFT JOIN (SELECT pg_partition_root(x.indrelid) AS relid,
                  json_agg(json_build_array(
                    {_PARTITION_KEY.format(rel="x.indrelid")},
                    (SELECT n.nspname FROM pg_class r JOIN pg_namespace n
                       ON n.oid = r.relnamespace WHERE r.oid = x.indexrelid),
                    (SELECT r.relname FROM pg_class r WHERE r.oid = x.indexrelid),
                    (SELECT r.relkind = 'I' FROM pg_class r WHERE r.oid = x.indexrelid),
                    {_COPY_OF}, pg_get_indexdef(x.indexrelid))) AS indexes
           FROM pg_index x
           WHERE x.indisvalid
           AND x.indrelid IN (SELECT inhrelid FROM pg_inherits)
           AND x.indexrelid NOT IN (SELECT inhrelid FROM pg_inherits)
           AND (SELECT count(*) FROM pg_constraint k WHERE k.conrelid = x.indrelid
                AND k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x')) = 0
           GROUP BY 1) pi ON pi.relid = c.oid
-- (pg_class, pg_policy, pg_description and pg_index scanned once each, partitions found
-- in pg_inherits as for checks; a column's or index's name looked up for its comment alone)
LEFT JOIN (SELECT pg_partition_root(o.rel) AS relid,
                  json_agg(json_build_array({_PARTITION_NAME.format(rel="o.rel")},
                                            o.kind, o.name, o.detail)) AS own
           FROM (SELECT p.oid AS rel, 'row security' AS kind, '' AS name,
                        concat_ws(' ', CASE WHEN p.relrowsecurity THEN 'enable' END,
                                  CASE WHEN p.relforcerowsecurity THEN 'force' END) AS detail
                 FROM pg_class p
                 WHERE p.relispartition AND (p.relrowsecurity OR p.relforcerowsecurity)
                 UNION ALL
                 SELECT y.polrelid, 'policy', y.polname::text,
                        {POLICY_DEFINITION_SQL.format(p="y")}
                 FROM pg_policy y WHERE y.polrelid IN (SELECT inhrelid FROM pg_inherits)
                 UNION ALL
                 -- an index's comment (on a partition's copy of its table's index, or
                 -- on its own) kept on the partition the index is of
                 SELECT coalesce(x.indrelid, d.objoid),
                        CASE WHEN x.indrelid IS NOT NULL THEN 'index comment'
                             WHEN d.objsubid = 0 THEN 'comment' ELSE 'column comment' END,
                        CASE WHEN x.indrelid IS NOT NULL THEN
                          (SELECT i.relname::text FROM pg_class i WHERE i.oid = d.objoid)
                          WHEN d.objsubid = 0 THEN '' ELSE
                          (SELECT a.attname::text FROM pg_attribute a
                           WHERE a.attrelid = d.objoid AND a.attnum = d.objsubid) END,
                        d.description
                 FROM pg_description d LEFT JOIN pg_index x ON x.indexrelid = d.objoid
                 WHERE d.classoid = 'pg_class'::regclass
                 AND coalesce(x.indrelid, d.objoid) IN (SELECT inhrelid FROM pg_inherits)
                 UNION ALL
                 -- a constraint's comment (on a partition's copy of its table's key,
                 -- unique or foreign key, or on a check of its own): the constraints
                 -- query reads tables' alone
                 SELECT k.conrelid, 'constraint comment', k.conname::text, d.description
                 FROM pg_description d JOIN pg_constraint k ON k.oid = d.objoid
                 WHERE d.classoid = 'pg_constraint'::regclass
                 AND k.conrelid IN (SELECT inhrelid FROM pg_inherits)) o
           GROUP BY 1) po ON po.relid = c.oid
WHERE c.relnamespace IN {SCHEMAS_READ}
  AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND c.oid <> %(version)s  -- Alembic's version table (0: none)
  -- a table an extension owns (PostGIS's spatial_ref_sys) is not the schema's
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
"""

_COLUMNS_SQL = """
SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
       -- a default names no column (PostgreSQL refuses one), so it is printed without
       -- its table: given the table, pg_get_expr opens it and names all its columns,
       -- for each of 14,000 defaults at 2,000 tables (half of this query). A stored
       -- generated column's expression names columns: printed with its table.
       CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, 0)
            ELSE pg_get_expr(d.adbin, d.adrelid) END,
       a.attidentity <> '', ds.description,
       a.attgenerated = 's',
       CASE WHEN a.attcollation <> t.typcollation
            THEN (SELECT l.collname FROM pg_collation l WHERE l.oid = a.attcollation) END,
       a.attidentity,
       -- an identity's options, and its sequence's name (last: a table renamed keeps it)
       CASE WHEN a.attidentity <> '' THEN
         (SELECT ARRAY[s.seqstart::text, s.seqincrement::text, s.seqmin::text, s.seqmax::text,
                       s.seqcycle::int::text, s.seqcache::text, q.relname::text]
          FROM pg_depend p JOIN pg_sequence s ON s.seqrelid = p.objid
          JOIN pg_class q ON q.oid = s.seqrelid
          WHERE p.classid = 'pg_class'::regclass AND p.refclassid = 'pg_class'::regclass
            AND p.refobjid = a.attrelid AND p.refobjsubid = a.attnum AND p.deptype = 'i') END,
       a.attnum, a.attcollation,
       -- SET STATISTICS (attstattarget: -1 before PostgreSQL 17, NULL since, when not
       -- set) and SET STORAGE where it is not the type's own
       CASE WHEN a.attstattarget >= 0 THEN a.attstattarget END,
       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage END,
       -- and the type's own, which a hint names and a partition's column is compared with
       t.typstorage
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
-- a join, not col_description() per column (a function call each: a third of the query)
LEFT JOIN pg_description ds
  ON ds.objoid = a.attrelid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum
WHERE a.attrelid = ANY(%s) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
"""

#: The referenced table of a foreign key (asked of foreign keys only: of any other
#: constraint its namespace, NULL, was looked up in pg_namespace in vain).
_REF_TABLE_KEY = QUALIFIED_KEY.format(ns="r.relnamespace", name="r.relname")

_CONSTRAINTS_SQL = f"""
SELECT c.conrelid, c.conname, c.contype,
       c.conkey,  -- named by the caller from the columns it read (a lookup each here)
       CASE WHEN c.contype = 'f' THEN {_REF_TABLE_KEY} END,
       -- the referenced columns' numbers, named by the caller where it read that
       -- table's columns (a lookup each here was a third of the query); named here
       -- only for a key to a table it did not read (another PostgreSQL schema)
       c.confrelid, c.confkey,
       CASE WHEN c.contype = 'f' AND c.confrelid <> ALL(%(oids)s) THEN
         ARRAY(SELECT (SELECT a.attname FROM pg_attribute a
                       WHERE a.attrelid = c.confrelid AND a.attnum = k.n)
               FROM unnest(c.confkey) WITH ORDINALITY k(n, i) ORDER BY k.i) END,
       c.confdeltype, c.confupdtype,
       CASE WHEN c.contype = 'c' THEN pg_get_expr(c.conbin, c.conrelid, true)
            WHEN c.contype = 'x' THEN pg_get_constraintdef(c.oid, true) END,
       c.condeferrable, c.condeferred, c.confmatchtype,
       -- one of the keys PostgreSQL adds for a foreign key to a partitioned table,
       -- one per partition it references (conparentid names the declared key):
       -- skipped by the caller (a filter here changed the plan, and cost more)
       c.conparentid <> 0 AND r.relispartition,
       c.convalidated,
       -- a NOT VALID or commented one's table, its schema and name apart (a lookup for
       -- those alone): the hint names it by them, as its name may hold a dot
       CASE WHEN NOT c.convalidated OR cd.description IS NOT NULL
                 OR xd.description IS NOT NULL THEN
         (SELECT ARRAY[n.nspname::text, k.relname::text] FROM pg_class k
          JOIN pg_namespace n ON n.oid = k.relnamespace WHERE k.oid = c.conrelid) END,
       -- its comment, and its index's (a key's, unique's or exclusion's: a comment
       -- apart), with that index's name (a lookup for those alone), which the language
       -- cannot declare (live.object_comments)
       cd.description, xd.description,
       CASE WHEN xd.description IS NOT NULL THEN
         (SELECT x.relname::text FROM pg_class x WHERE x.oid = c.conindid) END
FROM pg_constraint c
LEFT JOIN pg_class r ON r.oid = c.confrelid
LEFT JOIN pg_description cd ON cd.objoid = c.oid AND cd.classoid = 'pg_constraint'::regclass
-- (a foreign key's conindid is the referenced key's index: not its own)
LEFT JOIN pg_description xd ON xd.objoid = c.conindid AND c.contype IN ('p', 'u', 'x')
     AND xd.classoid = 'pg_class'::regclass AND xd.objsubid = 0
WHERE c.conrelid = ANY(%(oids)s) AND c.contype IN ('p', 'u', 'c', 'f', 'x')
"""

#: Each key's order of the index i, from ``indoption``: ASC, DESC, NULLS FIRST or DESC
#: NULLS LAST (what :class:`IndexShape` ``orders`` holds).
KEY_ORDERS = """ARRAY(SELECT CASE WHEN o & 1 = 1
                         THEN CASE WHEN o & 2 = 2 THEN 'DESC' ELSE 'DESC NULLS LAST' END
                         ELSE CASE WHEN o & 2 = 2 THEN 'NULLS FIRST' ELSE 'ASC' END END
             FROM unnest(i.indoption::int2[]) WITH ORDINALITY u(o, n) ORDER BY u.n)"""

#: The constraint (a key, unique or exclusion constraint) that owns the index i.
_OWNED = """SELECT 1 FROM pg_constraint c
WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x')"""

_INDEXES_SQL = f"""
SELECT i.indrelid, ic.relname, i.indisunique, am.amname, i.indnkeyatts,
       -- the key columns' numbers, named by the caller from the columns it read (a
       -- lookup each here); an expression key (number 0) as pg_get_indexdef prints it
       i.indkey::int2[],
       CASE WHEN 0 = ANY(i.indkey::int2[]) THEN
         ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
               FROM generate_series(1, i.indnatts) k ORDER BY k) END,
       -- named from _OPCLASSES_SQL by the caller: a lookup per key here was a
       -- sequential scan of pg_opclass each, half of the query's time
       i.indclass::oid[],
       pg_get_expr(i.indpred, i.indrelid, true),
       {KEY_ORDERS},
       i.indnullsnotdistinct,
       -- per key: its collation, by oid and name; the caller compares it with its
       -- column's (a pg_attribute join per key here made the query eight times slower)
       i.indcollation::oid[],
       ARRAY(SELECT CASE u.coll WHEN 0 THEN NULL WHEN 100 THEN 'default'
                    ELSE (SELECT co.collname::text FROM pg_collation co WHERE co.oid = u.coll)
                    END
             FROM unnest(i.indcollation::oid[]) WITH ORDINALITY u(coll, n) ORDER BY u.n),
       -- an expression key's collation of its own: the whole definition says COLLATE
       -- after a key only where its collation is not the expression's (as a column
       -- key's is told from its column's); printed for indexes with one only
       CASE WHEN 0 = ANY(i.indkey::int2[]) THEN pg_get_indexdef(i.indexrelid, 0, true) END,
       -- CLUSTER ON it, and then whether a constraint owns it (asked of marked ones only)
       i.indisclustered,
       CASE WHEN i.indisclustered THEN EXISTS ({_OWNED}) END,
       -- its comment, which the language cannot declare (live.object_comments), and
       -- its table's schema and name apart for the hint (a lookup for those alone)
       d.description,
       CASE WHEN d.description IS NOT NULL THEN
         (SELECT ARRAY[n.nspname::text, t.relname::text] FROM pg_class t
          JOIN pg_namespace n ON n.oid = t.relnamespace WHERE t.oid = i.indrelid) END
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
LEFT JOIN pg_description d ON d.objoid = i.indexrelid AND d.classoid = 'pg_class'::regclass
     AND d.objsubid = 0
WHERE i.indrelid = ANY(%s)
  -- a constraint's index is read with its constraint, here only for its CLUSTER ON mark
  -- (a join filter of the same hash anti join: an OR with the join outside it made the
  -- planner expect one row and loop over pg_class, twice the time)
  AND NOT EXISTS ({_OWNED} AND NOT i.indisclustered)
"""

#: The indexes of the relation {rel} (a materialized view, or the temporary copy of a
#: declared one) as JSON, one array each: name, unique, method, number of keys, each
#: column (key, then INCLUDE) as pg_get_indexdef prints it, each key's operator class
#: (named by the caller from _OPCLASSES_SQL: a lookup per key here was a sixth of the
#: views query), predicate, key orders, NULLS NOT DISTINCT, CLUSTER ON it, each
#: key's collation (NULL where it is its column's; an expression key's, whatever it
#: is), and, for an index with an expression key, its key numbers and its whole
#: definition (:func:`expression_collations` keeps an expression key's collation
#: only where the definition says COLLATE after it), and its comment; NULL for none.
VIEW_INDEXES = f"""(SELECT json_agg(json_build_array(
         ic.relname, i.indisunique, am.amname, i.indnkeyatts,
         ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
               FROM generate_series(1, i.indnatts) k ORDER BY k),
         i.indclass::oid[],
         pg_get_expr(i.indpred, i.indrelid, true), {KEY_ORDERS}, i.indnullsnotdistinct,
         i.indisclustered,
         -- the column's collation is looked up for a column key with one only (a text key)
         ARRAY(SELECT CASE WHEN u.coll = 0 OR u.col <> 0 AND u.coll = (
                             SELECT a.attcollation FROM pg_attribute a
                             WHERE a.attrelid = i.indrelid AND a.attnum = u.col) THEN NULL
                           WHEN u.coll = 100 THEN 'default'
                           ELSE (SELECT co.collname::text FROM pg_collation co
                                 WHERE co.oid = u.coll) END
               FROM unnest(i.indcollation::oid[], i.indkey::int2[]) WITH ORDINALITY u(coll, col, n)
               ORDER BY u.n),
         -- an expression key's collation of its own: as _INDEXES_SQL reads a table's
         CASE WHEN 0 = ANY(i.indkey::int2[]) THEN i.indkey::int2[] END,
         CASE WHEN 0 = ANY(i.indkey::int2[]) THEN pg_get_indexdef(i.indexrelid, 0, true) END,
         -- its comment, which the language cannot declare (live.undeclarable)
         obj_description(i.indexrelid, 'pg_class')))
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_am am ON am.oid = ic.relam
       WHERE i.indrelid = {{rel}})"""

# The operator classes an index key can name; a default one is left unnamed.
_OPCLASSES_SQL = "SELECT oid, opcname FROM pg_opclass WHERE NOT opcdefault"

# Sequences, but an identity's (its options are read with the columns): standalone
# ones and those a column owns (serial's, OWNED BY: the column by table oid and
# number, named by the client from what the columns' read gave).
_SEQUENCES_SQL = f"""
SELECT {QUALIFIED_KEY.format(ns="c.relnamespace", name="c.relname")},
       s.seqtypid::regtype::text, s.seqstart, s.seqincrement, s.seqmin,
       s.seqmax, s.seqcycle, s.seqcache, o.refobjid, o.refobjsubid
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
-- by oid: pg_sequences has only names, and a regclass cast of each cost a name
-- lookup; one probe finds the owner ('a') and an identity's column ('i') alike
LEFT JOIN pg_depend o ON o.classid = 'pg_class'::regclass AND o.objid = c.oid
     AND o.deptype IN ('a', 'i')
WHERE c.relnamespace IN {SCHEMAS_READ} AND o.deptype IS DISTINCT FROM 'i'
"""

_ENUMS_SQL = f"""
SELECT {QUALIFIED_KEY.format(ns="t.typnamespace", name="t.typname")},
       array_agg(e.enumlabel ORDER BY e.enumsortorder)
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typnamespace IN {SCHEMAS_READ}
GROUP BY t.typnamespace, t.typname
"""

#: Every INVALID index, and where it is attached to another (a partition's index
#: in a build partition by partition) the index at the top of its tree, which is
#: the one PostgreSQL drops: (its table, its schema unless the current one, its name).
_INVALID_INDEXES_SQL = f"""
SELECT {QUALIFIED_KEY.format(ns="t.relnamespace", name="t.relname")}, ic.relname,
       ic.relkind = 'I', {QUALIFIED_KEY.format(ns="rt.relnamespace", name="rt.relname")},
       CASE WHEN ri.relnamespace <> to_regnamespace(current_schema())
       THEN (SELECT nspname FROM pg_namespace WHERE oid = ri.relnamespace) END, ri.relname,
       -- a partitioned index's: UNIQUE, its definition from USING on, and the
       -- partitions of its table without their copy of it, each [keyed as a table is,
       -- its schema, its name, partitioned in turn, an index on it of the same
       -- definition that ATTACH takes (valid, attached to none)]
       i.indisunique,
       CASE WHEN ic.relkind = 'I' THEN {_DEFINITION.format(ix="ic.oid")} END,
       CASE WHEN ic.relkind = 'I' THEN
         (SELECT json_agg(json_build_array(
                   {QUALIFIED_KEY.format(ns="p.relnamespace", name="p.relname")},
                   (SELECT n.nspname FROM pg_namespace n WHERE n.oid = p.relnamespace),
                   p.relname, p.relkind = 'p',
                   (SELECT xc.relname FROM pg_index x JOIN pg_class xc ON xc.oid = x.indexrelid
                    WHERE x.indrelid = p.oid AND x.indisvalid AND NOT xc.relispartition
                    AND x.indisunique = i.indisunique
                    AND {_DEFINITION.format(ix="x.indexrelid")}
                        = {_DEFINITION.format(ix="ic.oid")}
                    ORDER BY xc.relname LIMIT 1)))
          FROM pg_inherits h JOIN pg_class p ON p.oid = h.inhrelid
          WHERE h.inhparent = t.oid AND NOT h.inhdetachpending AND p.relkind IN ('r', 'p')
          AND NOT EXISTS (SELECT FROM pg_inherits a JOIN pg_index ax ON ax.indexrelid = a.inhrelid
                          WHERE a.inhparent = ic.oid AND ax.indrelid = p.oid)) END,
       -- its table's schema (the index's), apart from the key: a name may hold a dot
       (SELECT nspname::text FROM pg_namespace WHERE oid = t.relnamespace)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
LEFT JOIN pg_class ri ON ri.oid = CASE WHEN ic.relispartition THEN pg_partition_root(ic.oid) END
LEFT JOIN pg_index r ON r.indexrelid = ri.oid
LEFT JOIN pg_class rt ON rt.oid = r.indrelid
WHERE t.relnamespace IN {SCHEMAS_READ} AND NOT i.indisvalid
ORDER BY 1, 2
"""

_DOMAINS_SQL = DOMAINS_SQL.format(
    key=QUALIFIED_KEY.format(ns="t.typnamespace", name="t.typname"),
    which=f"t.typnamespace IN {SCHEMAS_READ}",
)

_EXTENSIONS_SQL = "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'"


def introspect(conn: psycopg.Connection[Any], schemas: tuple[str, ...] = ()) -> DatabaseShape:
    """Read tables, columns, constraints, indexes, enums, extensions and the revision,
    of the current schema and of the PostgreSQL ``schemas`` named (in as many queries)."""
    read = {"schemas": list(schemas)}
    with conn.cursor() as cur:
        # JIT compiling costs these catalog reads more than it saves (tens of ms each)
        cur.execute("SET LOCAL jit = off")
        # the columns query sorts 30,000 rows at 2,000 tables: on disk at the default 4MB
        cur.execute("SET LOCAL work_mem = '64MB'")
        version, revisions, home, shadowed = _home(cur, schemas)
        cur.execute(_TABLES_SQL, {**read, "version": version})
        rows = cur.fetchall()
        names: dict[int, str] = {row[0]: row[1] for row in rows}
        tables = {
            name: TableShape(
                comment=comment,
                partition_key=key,
                partitions={p: bound for p, bound, *_ in parts or ()},
                # each partition's row and each sub-partition's holds its key fourth
                partition_keys={
                    row[0]: row[3] for row in [*(parts or ()), *(deeper or ())] if row[3]
                },
                sub_partitions=_sub_partitions(deeper),
                row_security=security,
                policies=read_policies(policies),
                rules=tuple(sorted(rules or ())),
                statistics=tuple(sorted(CatalogName(*row) for row in statistics or ())),
                partition_extras=_partition_extras(part_rules, part_statistics),
                # a partition keyed as a table is (partitions names it bare in its schema)
                clustered=tuple(
                    (partition_table(name, p), mark)
                    for p, mark in sorted(
                        [(p, m) for p, _, m, *_ in parts or () if m]
                        + [(p, m) for p, _, _, _, m, *_ in deeper or () if m]
                    )
                ),
                replica_identity=replica_identity(ident, ident_index),
                partition_names=_partition_names(name, [*(parts or ()), *(deeper or ())]),
                partition_uniques=tuple(sorted((p, d) for p, d in unattached or ())),
                partition_checks=tuple(
                    sorted(PartitionCheck(k, s, t, n, d) for (k, s, t), n, d in own_checks or ())
                ),
                partition_indexes=tuple(
                    sorted(
                        PartitionIndex(
                            p, schema, index, partitioned, tuple(of) if of else None, definition
                        )
                        for p, schema, index, partitioned, of, definition in own_indexes or ()
                    )
                ),
                partition_own=tuple(
                    sorted(PartitionOwn(k, s, t, *rest) for (k, s, t), *rest in own or ())
                ),
            )
            for (
                _,
                name,
                comment,
                key,
                parts,
                security,
                policies,
                rules,
                statistics,
                part_rules,
                part_statistics,
                deeper,
                ident,
                ident_index,
                unattached,
                own_checks,
                own_indexes,
                own,
            ) in rows
        }
        # each partitioned table's partitions at every level, (name, the settings it
        # holds of its own), compared with its columns' read below
        partition_rows = {
            row[1]: [(p[0], *p[4:7]) for p in row[4]] + [(p[0], *p[5:8]) for p in row[11] or ()]
            for row in rows
            if row[4]
        }
        oids = list(names)
        cur.execute(_COLUMNS_SQL, (oids,))
        # by table oid: each column's name by its number, for the keys read below
        attnames: dict[int, dict[int, str]] = {oid: {} for oid in oids}
        attcolls: dict[int, dict[int, int]] = {oid: {} for oid in oids}
        by_oid = {oid: tables[name] for oid, name in names.items()}
        _add_columns(cur.fetchall(), by_oid, attnames, attcolls)
        for name, parts in partition_rows.items():
            tables[name].partition_settings = _partition_settings(name, parts, tables[name])
        cur.execute(_CONSTRAINTS_SQL, {"oids": oids})
        not_valid, not_valid_tables, comments = _add_constraints(
            cur.fetchall(), tables, names, attnames
        )
        cur.execute(_OPCLASSES_SQL)
        opclasses = dict(cur.fetchall())
        cur.execute(_INDEXES_SQL, (oids,))
        for row in cur.fetchall():
            if row[14]:  # CLUSTER ON it: before the table's partitions' marks
                table = tables[names[row[0]]]
                table.clustered = ((names[row[0]], row[1]), *table.clustered)
            if row[15]:  # a constraint's index (its comment read with its constraint)
                continue
            if row[16] is not None:
                comments.setdefault(names[row[0]], []).append(
                    ObjectComment("index", row[1], row[17][0], row[17][1], row[16])
                )
            key_colls = key_collations(row[5], row[4], row[11], row[12], attcolls[row[0]])
            if row[13] is not None:
                key_colls = expression_collations(key_colls, row[5], row[6], row[13])
            add_index_row(
                tables[names[row[0]]], (*row[:11], key_colls), attnames[row[0]], opclasses
            )
        for table_key, found in comments.items():
            tables[table_key].object_comments = tuple(sorted(found))
        cur.execute(_ENUMS_SQL, read)
        enums = {name: tuple(labels) for name, labels in cur.fetchall()}
        cur.execute(_SEQUENCES_SQL, read)
        sequences: dict[str, tuple[object, ...]] = {}
        owners: dict[str, str] = {}
        for row in cur.fetchall():
            sequences[row[0]] = tuple(row[1:8])
            if row[8] is not None:
                owner, column = names.get(row[8]), attnames.get(row[8], {}).get(row[9])
                owners[row[0]] = f"{owner}.{column}" if owner and column else NOT_READ
        cur.execute(_EXTENSIONS_SQL)
        extensions = frozenset(name for (name,) in cur.fetchall())
        cur.execute(_INVALID_INDEXES_SQL, read)
        invalid = tuple(
            InvalidIndex(
                table,
                index,
                partitioned,
                AttachedTo(*top) if top[2] else None,
                unique,
                definition,
                tuple(sorted(Uncovered(*part) for part in uncovered or ())),
                schema,
            )
            for (
                table,
                index,
                partitioned,
                *top,
                unique,
                definition,
                uncovered,
                schema,
            ) in cur.fetchall()
        )
        cur.execute(_DOMAINS_SQL, read)
        domains, not_valid_checks = read_domains(cur.fetchall())
    return DatabaseShape(
        tables=tables,
        enums=enums,
        extensions=extensions,
        sequences=sequences,
        sequence_owners=owners,
        revisions=revisions,
        invalid_indexes=invalid,
        not_valid_constraints=tuple(sorted(not_valid)),
        not_valid_tables=not_valid_tables,
        domains=domains,
        not_valid_domain_checks=tuple(sorted(not_valid_checks)),
        opclasses=opclasses,
        home=home,
        shadowed=shadowed,
    )


def _add_constraints(
    rows: list[tuple[Any, ...]],
    tables: dict[str, TableShape],
    names: dict[int, str],
    attnames: dict[int, dict[int, str]],
) -> tuple[list[tuple[str, str, str]], dict[str, CatalogName], dict[str, list[ObjectComment]]]:
    """Each row of the constraints query as its table's constraint; returned: the NOT
    VALID ones as (table, kind, name), their tables by key, and by table the comments
    on its constraints and their indexes (live.object_comments)."""
    not_valid: list[tuple[str, str, str]] = []
    not_valid_tables: dict[str, CatalogName] = {}
    comments: dict[str, list[ObjectComment]] = {}
    for row in rows:
        own_key, valid, table_name, comment, index_comment, index = row[14:]
        if own_key:  # PostgreSQL's own key for one partition a foreign key references
            continue
        table = names[row[0]]
        keys = key_names(row[3], attnames[row[0]])
        refs = row[7] if row[7] is not None else key_names(row[6], attnames.get(row[5], {}))
        add_constraint_row(tables[table], (*row[:3], keys, row[4], refs, *row[8:14]))
        if not valid:
            not_valid.append((table, _KIND_WORDS[row[2]], row[1]))
            not_valid_tables[table] = CatalogName(table, *table_name)
        for kind, name, text in (("constraint", row[1], comment), ("index", index, index_comment)):
            if text is not None:
                schema, bare = table_name
                comments.setdefault(table, []).append(ObjectComment(kind, name, schema, bare, text))
    return not_valid, not_valid_tables, comments


def _add_columns(
    rows: list[tuple[Any, ...]],
    tables: dict[int, TableShape],
    attnames: dict[int, dict[int, str]],
    attcolls: dict[int, dict[int, int]],
) -> None:
    """Each row of the columns query as its table's column, and its name and collation
    by its number (for the keys read after). Equal columns share one shape, as the
    expected side's do: most of 32,000 are a few dozen, and a frozen shape of eleven
    fields took 2.6 microseconds to make."""
    shapes: dict[tuple[object, ...], ColumnShape] = {}
    for row in rows:
        attnames[row[0]][row[11]] = row[1]
        attcolls[row[0]][row[11]] = row[12]
        # all but the table, name, number and collation's oid; an identity's options
        # are a list (unhashable): its shape is its own
        key = (*row[2:10], *row[13:]) if row[10] is None else None
        shape = shapes.get(key) if key is not None else None
        if shape is None:
            shape = _column_shape(row)
            if key is not None:
                shapes[key] = shape
        tables[row[0]].columns[row[1]] = shape


def _column_shape(row: tuple[Any, ...]) -> ColumnShape:
    """A row of the columns query as the column's shape."""
    type_, nullable, default, identity, comment, gen, collation = row[2:9]
    # pg_attrdef holds a generated column's expression where others hold a default
    return ColumnShape(
        type_,
        nullable,
        None if gen else default,
        identity,
        comment,
        default if gen else None,
        collation,
        identity_facts(type_, row[9], [int(n) for n in row[10][:6]] if row[10] else None),
        row[13],
        STORAGE_CODES.get(row[14]) if row[14] else None,
        STORAGE_CODES.get(row[15]),
        row[10][6] if row[10] else None,
    )


def _partition_names(table: str, rows: list[list[str]]) -> dict[str, CatalogName]:
    """Each partition of ``table``'s rows (its own and its sub-partitions'), keyed as a
    table is, with its schema and name: the last two elements of its row."""
    found = {}
    for row in rows:
        key = partition_table(table, row[0])
        found[key] = CatalogName(key, row[-2], row[-1])
    return found


def _sub_partitions(deeper: list[list[str]] | None) -> dict[str, dict[str, str]]:
    """Partition partitioned in turn -> its partitions' bounds, from the rows of its
    table's sub-partitions: (sub-partition, parent, bound, key, mark)."""
    found: dict[str, dict[str, str]] = {}
    for part, parent, bound, *_ in deeper or ():
        found.setdefault(parent, {})[part] = bound
    return found


def _partition_extras(
    rules: list[list[str]] | None, statistics: list[list[str]] | None
) -> dict[CatalogName, tuple[tuple[str, ...], tuple[CatalogName, ...]]]:
    """Partition -> (its rules, its statistics), each sorted, from (partition key,
    schema, name, rule) and (partition key, schema, name, statistics key, schema, name)
    rows."""
    found: dict[CatalogName, tuple[list[str], list[CatalogName]]] = {}
    for *partition, name in rules or ():
        found.setdefault(CatalogName(*partition), ([], []))[0].append(name)
    for row in statistics or ():
        found.setdefault(CatalogName(*row[:3]), ([], []))[1].append(CatalogName(*row[3:]))
    return {partition: (tuple(sorted(r)), tuple(sorted(s))) for partition, (r, s) in found.items()}


def _partition_settings(
    table: str, parts: list[tuple[str | None, ...]], shape: TableShape
) -> dict[str, PartitionSettings]:
    """Partition or sub-partition (keyed as a table is) -> the settings it holds of its
    own, for those holding some, from (name, and the three elements of
    :data:`PARTITION_SETTINGS_SQL`); its columns' storage compared with their types'
    own, read with ``shape``'s columns (a sub-partition's are its table's too)."""
    own = {name: column.type_storage for name, column in shape.columns.items()}
    found = {}
    for name, ident, ident_index, columns in parts:
        key = str(name)
        identity = replica_identity(ident or "d", ident_index)
        settings = read_partition_settings(identity, columns, own)
        if settings != NO_SETTINGS:
            found[partition_table(table, key)] = settings
    return found


#: Alembic's version table (its oid and name, or NULLs) in the connection's current
#: schema, where Alembic makes and reads it, else, when that schema is one of those
#: named, in public, where env.py keeps it for such a URL; whether it is named; the
#: current schema (NULL when the search_path names none that exists); and the names
#: of the home schema's functions that pg_catalog has too.
_HOME_SQL = """
SELECT v::oid, v::text, named, current_schema(),
       -- the names of the home schema's functions that pg_catalog has too (printed
       -- qualified, pg_catalog being first on the path): each probed by name alone
       -- (a hash of all pg_catalog's functions costs ten times more)
       ARRAY(SELECT DISTINCT u.proname::text FROM pg_proc u
             WHERE u.pronamespace = h.home
               AND (SELECT true FROM pg_proc c WHERE c.proname = u.proname
                      AND c.pronamespace = 'pg_catalog'::regnamespace LIMIT 1)),
       -- the other schemas named taken off the path for the rest of the transaction
       -- (the current one stays first): format_type prints their types qualified, as
       -- the model and the catalog's keys name them (sales.mood, where the path
       -- public, sales printed mood); the path's other schemas keep naming theirs
       CASE WHEN NOT named AND EXISTS (SELECT FROM unnest(current_schemas(false)) p(s)
                                       WHERE s = ANY(%(schemas)s) AND s <> current_schema())
       THEN set_config('search_path', array_to_string(ARRAY(
              SELECT quote_ident(s) FROM unnest(current_schemas(false)) WITH ORDINALITY p(s, n)
              WHERE s <> ALL(%(schemas)s) OR s = current_schema() ORDER BY n), ', '), true) END
FROM (
  -- OFFSET 0: the home schema's oid computed once, not for each function
  SELECT named, to_regnamespace(CASE WHEN named THEN 'public' ELSE current_schema() END) AS home
  FROM (SELECT coalesce(current_schema() = ANY(%(schemas)s), false) AS named) AS n
  OFFSET 0) AS h,
LATERAL (SELECT coalesce(to_regclass(quote_ident(current_schema()) || '.' || %(version)s),
                         CASE WHEN named THEN to_regclass('public.' || %(version)s) END) AS v) AS t
"""


def _home(
    cur: psycopg.Cursor[Any], schemas: tuple[str, ...]
) -> tuple[int, tuple[str, ...] | None, str | None, frozenset[str]]:
    """The oid of Alembic's version table (0 for none), its revisions (None for no
    such table), the schema a bare name is found in for the rest of the session's
    transaction (see :attr:`DatabaseShape.home`) and the names of its functions that
    pg_catalog has too (:attr:`DatabaseShape.shadowed`), read where the connection's
    search_path puts them (or in public, where env.py keeps them when that path names
    a schema of the model); then, when that path names one of the PostgreSQL
    ``schemas`` first (a URL with
    ``options=-csearch_path=app`` for a project whose ``database.schema`` is app),
    the path the schema's names assume for the rest of the session's transaction:
    public, where its bare names live, and every named schema only by its name, so
    that their objects are keyed ``app.name`` as the model keys them and
    ``format_type`` prints ``app.plan`` as the model does (one statement more, in that
    case only). A path that names one of them after the current schema loses it, in
    the first statement (``public, sales``: ``sales.mood``, not ``mood``)."""
    cur.execute(_HOME_SQL, {"version": VERSION_TABLE, "schemas": list(schemas)})
    row = cur.fetchone()
    assert row is not None
    version, table, named, home, shadowed, _ = row
    revisions = None
    if version is not None:
        # regclass's text: qualified where the search_path would not find it
        cur.execute(f"SELECT version_num FROM {table} ORDER BY version_num")
        revisions = tuple(r[0] for r in cur.fetchall())
    if named:
        cur.execute("SELECT set_config('search_path', 'public', true)")
        home = "public"
    return version or 0, revisions, home, frozenset(shadowed)
