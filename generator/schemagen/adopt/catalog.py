"""Read everything ``import`` needs from pg_catalog, in a fixed number of queries.

The tables, columns, keys, indexes, enums and extensions come from
:func:`schemagen.live.introspect.introspect` (the same reader that ``check
--database`` uses, so the two can never disagree about what a database holds).
This module adds what only an import needs, each kind of fact in one query
over the whole schema: identity and sequence details, generated columns and
collations, index options a plain column list hides, constraint flags, comments
the drift check does not read, and every object the language cannot express
(views, functions, triggers, range types, ...). The number of queries does not
depend on the number of tables.

Everything runs in one ``REPEATABLE READ``, ``READ ONLY`` transaction, so the
facts come from one snapshot and nothing can be written.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..live.catalog_rows import key_names
from ..live.domains import DOMAINS_SQL, read_domains
from ..live.introspect import QUALIFIED_KEY, SCHEMAS_READ, STATISTICS_KEY, introspect
from ..live.partition_own import POLICY_DEFINITION_SQL
from ..live.shapes import DatabaseShape
from .routines import Routines, read_routines

if TYPE_CHECKING:
    import psycopg

# Tables, types and sequences are keyed as live.introspect keys them: bare in the
# current schema, schema.name in the other schemas read (%(schemas)s).
_REL = QUALIFIED_KEY.format(ns="c.relnamespace", name="c.relname")
_TABLE = QUALIFIED_KEY.format(ns="t.relnamespace", name="t.relname")
_DOMAIN = QUALIFIED_KEY.format(ns="y.typnamespace", name="y.typname")

# The types of the columns of the relations read (tables, views, materialized views).
_USED_TYPES = f"""(SELECT a.atttypid FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
  WHERE c.relnamespace IN {SCHEMAS_READ} AND a.attnum > 0 AND NOT a.attisdropped)"""
# The domains of schemas not read that those columns are of (or arrays of): a port
# keeps its domains in public and its tables in schemas of their own (AdventureWorks),
# and a column of such a domain is the language's as any other. The rest of that
# schema's domains is not the user's to import.
_DOMAINS_ELSEWHERE_SQL = DOMAINS_SQL.format(
    key=QUALIFIED_KEY.format(ns="t.typnamespace", name="t.typname"),
    which=f"t.typnamespace NOT IN {SCHEMAS_READ}"
    f" AND (t.oid IN {_USED_TYPES} OR t.typarray IN {_USED_TYPES})",
)

# The enum types of schemas not read that those columns are of (or arrays of), or a
# domain read is over (a domain of the schemas read, or one of those above): as the
# domains, a port's shared types may live apart from its tables.
_ENUMS_ELSEWHERE_SQL = f"""
SELECT {QUALIFIED_KEY.format(ns="t.typnamespace", name="t.typname")},
       array_agg(e.enumlabel ORDER BY e.enumsortorder)
FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typnamespace NOT IN {SCHEMAS_READ}
  AND (t.oid IN {_USED_TYPES} OR t.typarray IN {_USED_TYPES}
       OR t.oid IN (SELECT d.typbasetype FROM pg_type d WHERE d.typtype = 'd'
                    AND (d.typnamespace IN {SCHEMAS_READ} OR d.oid IN {_USED_TYPES}
                         OR d.typarray IN {_USED_TYPES})))
GROUP BY t.typnamespace, t.typname
"""

# Columns: position, identity kind, generated, non-default collation.
_COLUMNS_SQL = f"""
SELECT {_REL}, a.attname, a.attnum, a.attidentity, a.attgenerated,
       CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation
            THEN co.collname END,
       -- the ALTER COLUMN options the language has no word for, as the DDL says them
       -- (attstattarget: -1 before PostgreSQL 17, NULL since, when not set): statistics:
       -- and storage: say a table's (live.introspect reads them), not a partition's
       -- (nor a partitioned table's statistics target, which its new partitions lack)
       concat_ws(', ',
         CASE WHEN a.attstattarget >= 0 AND (c.relispartition OR c.relkind = 'p')
              THEN 'SET STATISTICS ' || a.attstattarget END,
         -- a partition's storage compared with its root table's, which the schema
         -- declares and every partition, at any depth, is made with (not its parent's:
         -- a sub-partition takes its partition's ALTER ... SET STORAGE, and is made
         -- otherwise all the same)
         CASE WHEN c.relispartition AND a.attstorage <> (
                SELECT pa.attstorage FROM pg_attribute pa
                WHERE pa.attrelid = pg_partition_root(c.oid) AND pa.attname = a.attname)
              THEN 'SET STORAGE ' || CASE a.attstorage
              WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN'
              ELSE 'EXTENDED' END END,
         CASE WHEN a.attcompression <> '' THEN 'SET COMPRESSION ' || CASE a.attcompression
              WHEN 'p' THEN 'pglz' ELSE 'lz4' END END,
         CASE WHEN a.attoptions IS NOT NULL
              THEN 'SET (' || array_to_string(a.attoptions, ', ') || ')' END),
       -- a partition's table, at the top of its tree (the one the schema declares)
       CASE WHEN c.relispartition THEN (
           SELECT {QUALIFIED_KEY.format(ns="r.relnamespace", name="r.relname")}
           FROM pg_class r WHERE r.oid = pg_partition_root(c.oid)) END
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_collation co ON co.oid = a.attcollation
WHERE c.relnamespace IN {SCHEMAS_READ}
  AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, a.attnum
"""

# Sequences with the column that owns them ('a': serial / OWNED BY, 'i': identity).
_SEQUENCES_SQL = f"""
SELECT {QUALIFIED_KEY.format(ns="s.relnamespace", name="s.relname")}, d.deptype, {_TABLE},
       a.attname,
       q.seqstart, q.seqincrement, q.seqmin, q.seqmax, q.seqcache, q.seqcycle,
       format_type(q.seqtypid, NULL)
FROM pg_class s
JOIN pg_sequence q ON q.seqrelid = s.oid
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class t ON t.oid = d.refobjid
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE s.relnamespace IN {SCHEMAS_READ} AND s.relkind = 'S'
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = s.oid AND e.deptype = 'e')
ORDER BY 1
"""

# Indexes (constraint-owned ones too): what a column list cannot say. Which keys
# are expressions (column number 0) the client reads from indkey.
_INDEXES_SQL = f"""
SELECT ic.relname, {_TABLE}, i.indnkeyatts, i.indkey::int2[],
       i.indnullsnotdistinct, NOT i.indisvalid,
       obj_description(i.indexrelid, 'pg_class'),
       ic.reloptions IS NOT NULL
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relnamespace IN {SCHEMAS_READ} AND t.relkind IN ('r', 'p')
"""

_CONSTRAINTS_SQL = f"""
SELECT c.conname, {_TABLE}, c.contype, c.condeferrable, c.convalidated,
       c.connoinherit, obj_description(c.oid, 'pg_constraint'),
       r.relnamespace IS NOT NULL AND r.relnamespace NOT IN {SCHEMAS_READ},
       c.conkey  -- named by the client from the columns read
FROM pg_constraint c
JOIN pg_class t ON t.oid = c.conrelid
LEFT JOIN pg_class r ON r.oid = c.confrelid
WHERE t.relnamespace IN {SCHEMAS_READ} AND t.relkind IN ('r', 'p')
"""

# Relations of every kind, with the table options the language has no word for.
_RELATIONS_SQL = f"""
SELECT {_REL}, c.relkind, c.relpersistence, c.relispartition, c.relrowsecurity,
       c.reloptions IS NOT NULL,
       EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = c.oid),
       c.reltablespace <> 0,
       -- REPLICA IDENTITY other than a table's default (its primary key), as DDL says it
       CASE WHEN c.relkind IN ('r', 'p') AND c.relreplident <> 'd' THEN
         CASE c.relreplident WHEN 'f' THEN 'FULL' WHEN 'n' THEN 'NOTHING'
              ELSE 'USING INDEX ' || coalesce((SELECT ic.relname FROM pg_index i
                                      JOIN pg_class ic ON ic.oid = i.indexrelid
                                      WHERE i.indrelid = c.oid AND i.indisreplident),
                                      '(an index dropped since)') END
       END
FROM pg_class c
WHERE c.relnamespace IN {SCHEMAS_READ}
  AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
  -- (an extension's composite type is a member through its row type)
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid IN (c.oid, c.reltype)
                  AND e.deptype = 'e')
ORDER BY 1
"""

# Everything else that lives in the schema, as (kind, name) pairs; extension members left out.
_OBJECTS_SQL = f"""
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'
            WHEN 'w' THEN 'window function' ELSE 'function' END,
       p.oid::regprocedure::text
FROM pg_proc p
WHERE p.pronamespace IN {SCHEMAS_READ}
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = p.oid AND e.deptype = 'e')
UNION ALL
SELECT 'trigger', tg.tgname || ' on ' || {_REL}
FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
WHERE c.relnamespace IN {SCHEMAS_READ} AND NOT tg.tgisinternal
UNION ALL
SELECT CASE t.typtype WHEN 'r' THEN 'range type'
            WHEN 'm' THEN 'multirange type' WHEN 'b' THEN 'base type' ELSE 'type' END,
       {QUALIFIED_KEY.format(ns="t.typnamespace", name="t.typname")}
FROM pg_type t
-- (domains are read by live.introspect and imported: adopt.domains)
WHERE t.typnamespace IN {SCHEMAS_READ} AND t.typtype IN ('r', 'b')
  AND t.typelem = 0 AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = t.oid
                                    AND e.deptype IN ('e', 'i'))
UNION ALL
SELECT 'rule', r.rulename || ' on ' || {_REL}
FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
WHERE c.relnamespace IN {SCHEMAS_READ} AND r.rulename <> '_RETURN'
  -- an extension's own views keep their rules (PostGIS's geometry_columns)
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')
UNION ALL
SELECT 'statistics', {STATISTICS_KEY} || ' on ' || {_REL}
FROM pg_statistic_ext s JOIN pg_class c ON c.oid = s.stxrelid
WHERE c.relnamespace IN {SCHEMAS_READ}
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = s.oid AND e.deptype = 'e')
-- (row-level security and policies are read by live.introspect and imported)
UNION ALL
SELECT 'comment on type', {QUALIFIED_KEY.format(ns="t.typnamespace", name="t.typname")}
FROM pg_type t
WHERE t.typnamespace IN {SCHEMAS_READ} AND t.typtype = 'e'
  AND obj_description(t.oid, 'pg_type') IS NOT NULL
UNION ALL
-- a view's columns take descriptions for the docs only: no COMMENT ON COLUMN is made
SELECT 'comment on view column', {_REL} || '.' || a.attname
FROM pg_description d
JOIN pg_class c ON c.oid = d.objoid
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
WHERE d.classoid = 'pg_class'::regclass AND d.objsubid > 0
  AND c.relnamespace IN {SCHEMAS_READ} AND c.relkind IN ('v', 'm')
  AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.deptype = 'e')
UNION ALL
-- every schema read, not only the current one (public's is initdb's own)
SELECT 'comment on schema', n.nspname
FROM pg_namespace n
WHERE n.oid IN {SCHEMAS_READ} AND n.nspname <> 'public'
  AND obj_description(n.oid, 'pg_namespace') IS NOT NULL
UNION ALL
-- CLUSTER ON of a partition or a materialized view: the index is imported, the mark
-- is not (a table's own is written as cluster_on:)
SELECT 'cluster on', ic.relname || ' on ' || {_TABLE}
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relnamespace IN {SCHEMAS_READ} AND i.indisclustered
  AND (t.relispartition OR t.relkind <> 'r')
ORDER BY 1, 2
"""

# What a partition holds of its own that the language says of its table alone (a
# partition's entry says its bound and sub-partitions), as (partition, kind, name,
# definition): its comment and its columns', its row-level security and its policies;
# and a comment on one of its indexes or constraints (a copy of its table's or its
# own), which the language cannot say. PostgreSQL copies none of its table's onto a
# partition, so each is the partition's. (A partition's copy of an index is itself
# relispartition, hence the relkind: its comment is listed with the partition it
# indexes.)
_PARTITION_OWN_SQL = f"""
SELECT {_REL}, CASE WHEN d.objsubid = 0 THEN 'comment' ELSE 'column comment' END,
       coalesce(a.attname, ''), d.description
FROM pg_class c
JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
WHERE c.relnamespace IN {SCHEMAS_READ} AND c.relispartition AND c.relkind NOT IN ('i', 'I')
UNION ALL
SELECT {_REL}, 'index comment', i.relname, d.description
FROM pg_class c
JOIN pg_index x ON x.indrelid = c.oid
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_description d ON d.objoid = i.oid AND d.classoid = 'pg_class'::regclass
  AND d.objsubid = 0
WHERE c.relnamespace IN {SCHEMAS_READ} AND c.relispartition
UNION ALL
SELECT {_REL}, 'constraint comment', k.conname, d.description
FROM pg_class c
JOIN pg_constraint k ON k.conrelid = c.oid
JOIN pg_description d ON d.objoid = k.oid AND d.classoid = 'pg_constraint'::regclass
WHERE c.relnamespace IN {SCHEMAS_READ} AND c.relispartition
UNION ALL
SELECT {_REL}, 'row-level security', '',
       concat_ws(', ', CASE WHEN c.relrowsecurity THEN 'ENABLE ROW LEVEL SECURITY' END,
                 CASE WHEN c.relforcerowsecurity THEN 'FORCE ROW LEVEL SECURITY' END)
FROM pg_class c
WHERE c.relnamespace IN {SCHEMAS_READ} AND c.relispartition
  AND (c.relrowsecurity OR c.relforcerowsecurity)
UNION ALL
SELECT {_REL}, 'policy', p.polname, {POLICY_DEFINITION_SQL.format(p="p")}
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
WHERE c.relnamespace IN {SCHEMAS_READ} AND c.relispartition
ORDER BY 1, 2, 3
"""

# What calls a function (or uses a sequence) of a schema not read, or a function of an
# extension made in another schema than public (the language makes an extension in the
# default schema, and no revision makes that schema): the project does not make it, so
# a fresh upgrade would fail at that index, default, check, view, ... PostgreSQL records
# each call in pg_depend (an exclusion constraint's on its index); a partition's copies and
# an extension's own objects are left out, and a trigger's own function is
# adopt.routines' (its WHEN's calls are here).
_FOREIGN_CALLS_SQL = f"""
SELECT DISTINCT o.kind, o.name, d.what, o.rel, o.part
FROM (
    SELECT d.classid, d.objid, p.oid AS fn,
           'calls ' || p.oid::regprocedure::text || CASE WHEN x.extname IS NULL
               THEN ' of schema ' || pn.nspname || ', not read (import with --schema '
                    || pn.nspname || ')'
               ELSE ' of extension ' || x.extname || ', made in schema ' || pn.nspname
                    || ' (the language makes an extension in the default schema)' END
           AS what
    FROM pg_depend d
    JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid
    JOIN pg_namespace pn ON pn.oid = p.pronamespace
    LEFT JOIN pg_depend xd ON xd.classid = 'pg_proc'::regclass AND xd.objid = p.oid
                          AND xd.deptype = 'e'
    LEFT JOIN pg_extension x ON x.oid = xd.refobjid
    WHERE d.deptype = 'n' AND pn.nspname NOT IN ('pg_catalog', 'information_schema')
      -- an extension's function, read or not, where CREATE EXTENSION does not make it
      -- (the migration's current schema, public)
      AND (x.extname IS NULL AND p.pronamespace NOT IN {SCHEMAS_READ}
           OR x.extname IS NOT NULL AND pn.nspname <> 'public')
    UNION ALL
    -- nextval('ref.ids') of a sequence of a schema not read (which no revision makes)
    SELECT d.classid, d.objid, 0,
           'uses sequence ' || quote_ident(sn.nspname) || '.' || quote_ident(s.relname)
           || ' of schema ' || sn.nspname || ', not read (import with --schema '
           || sn.nspname || ')'
    FROM pg_depend d
    JOIN pg_class s ON d.refclassid = 'pg_class'::regclass AND s.oid = d.refobjid
    JOIN pg_namespace sn ON sn.oid = s.relnamespace
    WHERE d.deptype = 'n' AND s.relkind = 'S' AND s.relnamespace NOT IN {SCHEMAS_READ}
) d
CROSS JOIN LATERAL (
    SELECT CASE WHEN c.relkind NOT IN ('i', 'I') THEN 'partition key of table'
                WHEN EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid
                             AND k.conrelid = t.oid AND k.contype = 'x')
                THEN 'exclusion constraint' ELSE 'index' END,
           CASE WHEN c.relkind IN ('i', 'I') THEN c.relname || ' on ' ELSE '' END
           || {_TABLE}, t.oid, {_TABLE},
           CASE WHEN c.relkind IN ('i', 'I') THEN c.relname ELSE '' END
    FROM pg_class c LEFT JOIN pg_index i ON i.indexrelid = c.oid
    JOIN pg_class t ON t.oid = coalesce(i.indrelid, c.oid)
    WHERE d.classid = 'pg_class'::regclass AND c.oid = d.objid
    UNION ALL
    SELECT CASE WHEN a.attgenerated <> '' THEN 'generated column'
                ELSE 'default of column' END, {_TABLE} || '.' || a.attname, t.oid,
           {_TABLE}, a.attname
    FROM pg_attrdef ad JOIN pg_class t ON t.oid = ad.adrelid
    JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
    WHERE d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
    UNION ALL
    SELECT 'check', k.conname || ' on ' || {_TABLE}, t.oid, {_TABLE}, k.conname
    FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
    WHERE d.classid = 'pg_constraint'::regclass AND k.oid = d.objid
    UNION ALL
    SELECT CASE t.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END, {_TABLE}, t.oid,
           {_TABLE}, ''
    FROM pg_rewrite r JOIN pg_class t ON t.oid = r.ev_class
    WHERE d.classid = 'pg_rewrite'::regclass AND r.oid = d.objid
    UNION ALL
    SELECT 'trigger', g.tgname || ' on ' || {_TABLE}, t.oid, {_TABLE}, g.tgname
    FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid
    WHERE d.classid = 'pg_trigger'::regclass AND g.oid = d.objid AND g.tgfoid <> d.fn
    UNION ALL
    SELECT 'policy', po.polname || ' on ' || {_TABLE}, t.oid, {_TABLE}, po.polname
    FROM pg_policy po JOIN pg_class t ON t.oid = po.polrelid
    WHERE d.classid = 'pg_policy'::regclass AND po.oid = d.objid
    UNION ALL
    SELECT 'domain', {_DOMAIN}, y.oid, {_DOMAIN}, ''
    FROM pg_constraint k JOIN pg_type y ON y.oid = k.contypid
    WHERE d.classid = 'pg_constraint'::regclass AND k.oid = d.objid
    UNION ALL
    SELECT 'domain', {_DOMAIN}, y.oid, {_DOMAIN}, ''
    FROM pg_type y
    WHERE d.classid = 'pg_type'::regclass AND y.oid = d.objid
) o(kind, name, owner, rel, part)
WHERE o.owner NOT IN (SELECT e.objid FROM pg_depend e WHERE e.deptype = 'e')
  AND (o.owner IN (SELECT c.oid FROM pg_class c WHERE c.relnamespace IN {SCHEMAS_READ}
                   AND NOT c.relispartition)
       OR o.owner IN (SELECT y.oid FROM pg_type y WHERE y.typnamespace IN {SCHEMAS_READ}))
ORDER BY 1, 2, 3
"""

_DATABASE_SQL = """
SELECT current_database(), current_schema(),
       ARRAY(SELECT nspname FROM pg_namespace
             WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
             ORDER BY nspname),
       -- how many tables each schema holds (an extension's own left out): import names
       -- those it was not asked to read
       ARRAY(SELECT n.nspname || ':' || count(*) FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
               AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
               AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid
                               AND e.deptype = 'e')
             GROUP BY n.nspname ORDER BY n.nspname),
       -- the extensions made in another schema than public, which the language's
       -- CREATE EXTENSION makes them in (the migration's current schema)
       ARRAY(SELECT ARRAY[x.extname::text, n.nspname::text] FROM pg_extension x
             JOIN pg_namespace n ON n.oid = x.extnamespace
             WHERE x.extname <> 'plpgsql' AND n.nspname <> 'public' ORDER BY 1)
"""


@dataclass(frozen=True)
class ColumnFacts:
    """What ``live.introspect`` does not say about a column."""

    number: int
    identity: str = ""  # "a" always, "d" by default, "" none
    generated: bool = False
    collation: str | None = None
    #: ALTER COLUMN options the language has no word for (``SET STATISTICS 1000``)
    options: str = ""
    #: the table at the top of a partition's tree; None: not a partition
    partition_of: str | None = None


@dataclass(frozen=True)
class SequenceFacts:
    """A sequence, and the column that owns it, if any."""

    name: str
    owner: tuple[str, str] | None  # (table, column)
    owned_as: str | None  # "a": serial / OWNED BY; "i": identity
    data_type: str = ""  # format_type of the sequence's type: smallint, integer, bigint
    # (start, increment, min, max, cache, cycle) as pg_sequence holds them
    options: tuple[int, int, int, int, int, bool] = (1, 1, 1, 0, 1, False)


@dataclass(frozen=True)
class IndexFacts:
    """Index options that ``live.introspect`` leaves out, true when present."""

    table: str
    expressions: tuple[bool, ...] = ()  # per key: an expression, not a column
    nulls_not_distinct: bool = False
    invalid: bool = False
    comment: str | None = None
    storage: bool = False


@dataclass(frozen=True)
class ConstraintFacts:
    table: str
    kind: str  # pg_constraint.contype
    deferrable: bool = False
    validated: bool = True
    no_inherit: bool = False
    comment: str | None = None
    other_schema: bool = False
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class RelationFacts:
    kind: str  # pg_class.relkind
    unlogged: bool = False
    partition: bool = False
    row_security: bool = False
    options: bool = False
    inherits: bool = False
    tablespace: bool = False
    replica_identity: str | None = None  # FULL, NOTHING, USING INDEX x; None: the default


@dataclass(frozen=True)
class ForeignCall:
    """An object that calls a function (or uses a sequence) the project will not make:
    listed, and left out of what ``--allow-partial`` writes where it can be."""

    kind: str  # index, check, default of column, view, ..., as listed
    name: str  # as listed: "idx_film_slug on film"
    what: str  # what it calls, and why the project will not make it
    table: str  # the table (or view, or domain) keyed as the catalog keys it
    part: str  # the index, constraint, column, trigger or policy on it ('' for itself)


@dataclass
class Catalog:
    """One schema of a live database: the drift check's shape plus the import's facts."""

    database: str
    schema: str
    schemas: tuple[str, ...]
    shape: DatabaseShape
    #: (schema, number of tables) of every schema that holds tables, read or not
    tables_per_schema: tuple[tuple[str, int], ...] = ()
    #: (extension, schema) of the extensions made in another schema than public
    extensions_elsewhere: tuple[tuple[str, str], ...] = ()
    columns: dict[tuple[str, str], ColumnFacts] = field(default_factory=dict)
    sequences: list[SequenceFacts] = field(default_factory=list)
    indexes: dict[tuple[str, str], IndexFacts] = field(default_factory=dict)  # (table, name)
    constraints: dict[tuple[str, str], ConstraintFacts] = field(default_factory=dict)
    relations: dict[str, RelationFacts] = field(default_factory=dict)
    objects: list[tuple[str, str]] = field(default_factory=list)
    #: (partition, kind, name, definition) of what a partition holds of its own that
    #: the language says of its table alone (_PARTITION_OWN_SQL)
    partition_own: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: what calls a function (or uses a sequence) the project will not make
    #: (_FOREIGN_CALLS_SQL)
    foreign_calls: list[ForeignCall] = field(default_factory=list)
    routines: Routines = field(default_factory=Routines)

    @cached_property
    def calls_missing(self) -> frozenset[tuple[str, str, str]]:
        """(kind, table, part) of each of :attr:`foreign_calls` (read whole before any
        mapping asks): what the mapping leaves out, asked once per index, check,
        default, view, trigger and policy."""
        return frozenset((c.kind, c.table, c.part) for c in self.foreign_calls)


def read_catalog(conn: psycopg.Connection[Any], schemas: tuple[str, ...] = ()) -> Catalog:
    """Read the current schema of ``conn`` and the PostgreSQL ``schemas`` named (keyed
    ``schema.name``); the caller owns the (read-only) transaction."""
    shape = introspect(conn, schemas)
    read = {"schemas": list(schemas)}
    with conn.cursor() as cur:
        cur.execute(_DOMAINS_ELSEWHERE_SQL, read)
        elsewhere, not_valid = read_domains(cur.fetchall())
        if elsewhere:
            shape = replace(
                shape,
                domains={**shape.domains, **elsewhere},
                not_valid_domain_checks=tuple(sorted((*shape.not_valid_domain_checks, *not_valid))),
            )
        cur.execute(_ENUMS_ELSEWHERE_SQL, read)
        enums = {name: tuple(labels) for name, labels in cur.fetchall()}
        if enums:
            shape = replace(shape, enums={**shape.enums, **enums})
        cur.execute(_DATABASE_SQL)
        row = cur.fetchone()
        assert row is not None
        counts = tuple((name, int(n)) for name, _, n in (s.rpartition(":") for s in row[3]))
        catalog = Catalog(
            database=row[0],
            schema=row[1],
            schemas=tuple(row[2]),
            shape=shape,
            tables_per_schema=counts,
            extensions_elsewhere=tuple((name, nsp) for name, nsp in row[4]),
        )
        cur.execute(_COLUMNS_SQL, read)
        numbered: dict[str, dict[int, str]] = {}  # by table: column names by number
        for table, column, number, identity, generated, collation, *more in cur.fetchall():
            catalog.columns[(table, column)] = ColumnFacts(
                number, identity, generated != "", collation, *more
            )
            numbered.setdefault(table, {})[number] = column
        cur.execute(_SEQUENCES_SQL, read)
        catalog.sequences = [_sequence(r) for r in cur.fetchall()]
        cur.execute(_INDEXES_SQL, read)
        for name, table, nkey, keys, *flags in cur.fetchall():
            catalog.indexes[(table, name)] = IndexFacts(
                table, tuple(n == 0 for n in keys[:nkey]), *flags
            )
        cur.execute(_CONSTRAINTS_SQL, read)
        for row in cur.fetchall():
            name, table, kind, deferrable, valid, no_inherit, comment, other, keys = row
            cols = key_names(keys, numbered.get(table, {}))
            catalog.constraints[(table, name)] = ConstraintFacts(
                table, kind, deferrable, valid, no_inherit, comment, other, cols
            )
        cur.execute(_RELATIONS_SQL, read)
        for name, *flags in cur.fetchall():
            kind, persistence, *others = flags
            catalog.relations[name] = RelationFacts(kind, persistence == "u", *others)
        cur.execute(_OBJECTS_SQL, read)
        # Every trigger, and the functions of the project's default schema, are read
        # (and reported if need be) by adopt.routines; functions of the other schemas
        # are not expressible (adopt.objects tells them apart once the mapping chose that schema).
        catalog.objects = [(kind, name) for kind, name in cur.fetchall() if kind != "trigger"]
        cur.execute(_PARTITION_OWN_SQL, read)
        catalog.partition_own = [tuple(row) for row in cur.fetchall()]
        cur.execute(_FOREIGN_CALLS_SQL, read)
        catalog.foreign_calls = [ForeignCall(*row) for row in cur.fetchall()]
    catalog.routines = read_routines(conn, schemas)
    return catalog


def _sequence(row: tuple[Any, ...]) -> SequenceFacts:
    name, deptype, table, column, start, inc, low, high, cache, cycle, type_ = row
    owner = (table, column) if table and column else None
    return SequenceFacts(name, owner, deptype, type_, (start, inc, low, high, cache, cycle))
