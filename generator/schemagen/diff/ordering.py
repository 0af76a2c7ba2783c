"""Dependency order of a plan, decided once, here.

Phases, in upgrade order (the downgrade runs the reversed operations backwards):

0. PostgreSQL schemas created (dropped last of all, once empty);
1. extensions, then enum values added, enum types, domains and standalone
   sequences moved to another PostgreSQL schema, and enum types created (types
   exist before any table);
2. renames of tables and columns;
3. indexes dropped (concurrently, outside the transaction), foreign keys
   dropped, tables dropped (referencing tables first), then the unique and
   check constraints and primary keys that a dropped foreign key may have
   referenced; then the constraint and index names that followed a rename;
   then columns;
4. columns added and altered, table comments, primary keys over new columns,
   unique and check constraints (a new foreign key may reference them);
5. tables created (referenced tables first), then foreign keys added (those
   that close a reference cycle among new tables come here, after both exist);
6. indexes added in the transaction (``concurrently: false``), then those added
   ``CONCURRENTLY`` to tables that existed (they run in the plan's online stage,
   a revision of their own after the transaction: :mod:`schemagen.operations.stages`);
7. enums rebuilt (every column, partial index and check that uses them exists
   now), enums dropped, sequences dropped, extensions dropped.

Row-level security: policies are dropped with the triggers and created after
them (an altered one there too); a table's RLS is turned off right after those
drops and turned on (or forced) right after the triggers are created.

Functions, views and triggers: their drops come before the renames (they name
the tables as they were), triggers first, then views (each before the views it
reads), then functions; their creates come after the foreign keys and before
the indexes, in the transaction: functions, views (each after the views it
reads), triggers (after their functions). So a view over a column whose type
changes is dropped and created again around the change, in one transaction.
A function that a column's default or generated expression, a check, an index
key or predicate, an exclusion constraint or a partition key calls (a timeline's
``timestamp_id('statuses')`` as ids, ``util.slugify(title)`` as an index key) is
created before the tables and columns instead, right after the domains
(PostgreSQL refuses such a default naming a function that does not exist yet), and
dropped after the tables, columns, checks and indexes that called it, with the
domains (PostgreSQL refuses to drop it while they do): see
:func:`schemagen.model.routines.called_first`.

Sequences are created (and their options changed) right after the enums, before
the domains (a domain's default may call one: the downgrade then drops the domain
first). A function that a new domain's default or check calls is created among the
domains, before the domain, and a function whose signature uses a new domain after
it; dropped domains and the functions they called go the other way round
(:func:`schemagen.model.routines.domain_function_order`). Domains are created
next (before the tables and columns that use them) and dropped after every
column that used them, before the enums; a domain's dropped checks come early, its
added checks, default and NOT NULL late (after the columns changed to it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ..model.routines import (
    called_first,
    check_calls,
    column_calls,
    domain_calls,
    domain_function_order,
    exclude_calls,
    index_calls,
    table_calls,
    view_order,
)
from ..model.schema import CheckConstraint, Domain, Entity, ExcludeConstraint, ForeignKey
from ..operations.base import Operation
from ..operations.clustering import SetClusterOn
from ..operations.constraint import (
    AddConstraint,
    AlterForeignKeyDeferral,
    AlterUniqueDeferral,
    CreateIndex,
    DropConstraint,
    DropIndex,
    RenameConstraint,
    ReplaceCheck,
    ReplaceForeignKey,
    ReplaceUnique,
)
from ..operations.domain import (
    AddDomainCheck,
    AlterDomain,
    CreateDomain,
    DropDomain,
    DropDomainCheck,
    MoveDomain,
    RenameDomain,
)
from ..operations.partition import (
    AddBoundCheck,
    AttachPartition,
    CreatePartition,
    DetachPartition,
    DropBoundCheck,
    DropPartition,
)
from ..operations.replication import SetReplicaIdentity
from ..operations.routines import (
    CreateFunction,
    CreateTrigger,
    CreateView,
    DropFunction,
    DropTrigger,
    DropView,
    ReplaceFunction,
)
from ..operations.schema import (
    AddEnumValue,
    CreateEnum,
    CreateExtension,
    CreateSchema,
    DropEnum,
    DropEnumValue,
    DropExtension,
    DropSchema,
    MoveEnum,
    ReplaceEnum,
)
from ..operations.security import AlterPolicy, CreatePolicy, DropPolicy, SetRowSecurity
from ..operations.sequence import (
    AlterSequence,
    CreateSequence,
    DropSequence,
    MoveSequence,
    RenameSequence,
)
from ..operations.storage import SetColumnSettings
from ..operations.table import (
    AddColumn,
    AddPrimaryKey,
    AlterColumn,
    AlterTableComment,
    CreateTable,
    DropColumn,
    DropPrimaryKey,
    DropTable,
    RenameColumn,
    RenameTable,
)

# Foreign keys have their own slots: a foreign key needs the primary key or
# unique constraint it references, so it is dropped before and added after them.
DROP_FOREIGN_KEY = "drop foreign key"
# Row-level security turned off comes early (before a rename or drop of its table),
# turned on or changed late (after the table exists under its new name).
DISABLE_ROW_SECURITY = "disable row level security"
ADD_FOREIGN_KEY = "add foreign key"
# REPLICA IDENTITY back to DEFAULT comes as early (diff.replication), the new one
# after the indexes it may name are built and their columns made NOT NULL.
RESET_REPLICA_IDENTITY = "reset replica identity"
# A CLUSTER ON mark is cleared as early, and set after the index it names is built.
CLEAR_CLUSTER_ON = "clear cluster on"
# Functions that a default, generated column, check, index or exclusion calls: made before the
# tables and columns, dropped after them (model.routines.called_first).
CREATE_CALLED_FUNCTION = "create function called by a table"
DROP_CALLED_FUNCTION = "drop function called by a table"

_PHASES: tuple[type[Operation] | str, ...] = (
    CreateSchema,  # before everything that lives in it
    CreateExtension,
    AddEnumValue,  # a revision of its own, before the main one (operations.stages)
    MoveEnum,  # to a schema created above; after its new values, before it is rebuilt
    MoveDomain,
    RenameDomain,  # before a new domain may take its old name
    MoveSequence,  # before its options change (AlterSequence names it where it now is)
    CreateEnum,
    CreateSequence,  # before the domains and columns whose defaults call nextval
    CreateDomain,  # after the enums and extensions its type may be; before its columns
    CREATE_CALLED_FUNCTION,  # after the types its arguments may be; before the tables
    DropDomainCheck,  # before columns move to the domain (they need not pass it)
    DropTrigger,  # before the renames: they name the tables as they were
    DropPolicy,  # as triggers: before the renames and the column changes under them
    DISABLE_ROW_SECURITY,  # RLS off, or a table's state before its rename or drop
    RESET_REPLICA_IDENTITY,  # before the renames, the drops and the NOT NULLs lifted
    CLEAR_CLUSTER_ON,  # before the renames and the drop of the index it names
    DropView,
    DropFunction,  # after the triggers and views that call it
    RenameTable,
    RenameColumn,
    RenameSequence,  # a serial's, after its table's rename (which may have renamed it)
    AlterSequence,  # names a serial's sequence as the renames above leave it
    DropIndex,  # names the renamed table
    DROP_FOREIGN_KEY,
    AddBoundCheck,  # a move's, in the drops stage (diff.drops puts it first)
    DetachPartition,  # a move's: before its old parent is dropped, its bound taken again
    DropPartition,  # before a partition of the same bound is created again
    DropTable,  # its foreign keys go with it
    DropConstraint,  # uniques and checks, after the foreign keys that need them
    DropPrimaryKey,  # after the foreign keys that reference it
    RenameConstraint,  # after the drops: a name may be free only then
    DropColumn,
    AddColumn,
    AlterColumn,
    SetColumnSettings,  # after a type change, which gives the column its type's storage
    AlterTableComment,
    AddPrimaryKey,  # before the foreign keys that reference it
    AddConstraint,  # uniques and checks, before the foreign keys (and tables) that need them
    AlterUniqueDeferral,  # no foreign key may reference a deferrable unique (validate)
    CreateTable,
    CreatePartition,  # of a kept table (a new table creates its own)
    AttachPartition,  # a move's: once its new parent exists and nothing holds its bound
    DropBoundCheck,  # a move's, in the online stage
    ADD_FOREIGN_KEY,
    CreateFunction,
    ReplaceFunction,
    CreateView,  # after the tables, columns and functions they read
    CreateTrigger,  # after its table and its function
    SetRowSecurity,  # RLS on (or changed), after the table is created or renamed
    AlterPolicy,  # after the columns its new expressions name are added
    CreatePolicy,  # after its table and the functions, views and tables it names
    CreateIndex,  # in the transaction; the concurrent ones come right after
    SetReplicaIdentity,  # after the index it names (a concurrent one's: online stage)
    SetClusterOn,  # as SetReplicaIdentity
    AlterDomain,  # default and NOT NULL, once the columns use the domain
    AddDomainCheck,  # checks the domain's columns as they are now
    DropDomain,  # after the columns and tables that used it; before the enum it is of
    DROP_CALLED_FUNCTION,  # after the tables, columns and checks that called it
    ReplaceEnum,
    DropEnumValue,
    DropEnum,
    DropSequence,  # after the columns and tables that used it
    DropExtension,
    DropSchema,  # once nothing lives in it
)
_CONCURRENT_INDEXES = _PHASES.index(CreateIndex) + 0.5


def phase(op: Operation) -> float:
    """The phase number of ``op`` (see the module docstring)."""
    if isinstance(op, CreateIndex) and op.concurrently:
        return _CONCURRENT_INDEXES
    if isinstance(op, CreatePartition | DropPartition) and op.after_move:
        # under a partition that moves with its rows: once it is attached where it goes
        return _PHASES.index(AttachPartition) + (0.5 if isinstance(op, CreatePartition) else 0.25)
    if isinstance(op, SetRowSecurity) and op.new is None:
        return _PHASES.index(DISABLE_ROW_SECURITY)
    if isinstance(op, SetReplicaIdentity) and op.first:
        return _PHASES.index(RESET_REPLICA_IDENTITY)
    if isinstance(op, SetClusterOn) and op.first:
        return _PHASES.index(CLEAR_CLUSTER_ON)
    if isinstance(op, AddConstraint | DropConstraint) and isinstance(op.constraint, ForeignKey):
        return _PHASES.index(ADD_FOREIGN_KEY if isinstance(op, AddConstraint) else DROP_FOREIGN_KEY)
    if isinstance(op, ReplaceForeignKey | AlterForeignKeyDeferral):  # as a new key's
        return _PHASES.index(ADD_FOREIGN_KEY)
    if isinstance(op, ReplaceUnique) and op.early:  # before a column of the old goes
        return _PHASES.index(DropColumn) - 0.5
    if isinstance(op, ReplaceCheck | ReplaceUnique):  # as a new check's or unique's
        return _PHASES.index(AddConstraint)
    return _PHASES.index(type(op))


def order(ops: Sequence[Operation]) -> list[Operation]:
    """Sort ``ops`` by phase (stable) after ordering created and dropped tables."""
    creates = [op.entity for op in ops if isinstance(op, CreateTable)]
    drops = [op.entity for op in ops if isinstance(op, DropTable)]
    rest = [op for op in ops if not isinstance(op, CreateTable | DropTable)]
    created, deferred = creation_order(creates)
    rest += [CreateTable(ent) for ent in created]
    rest += [AddConstraint(table, fk) for table, fk in deferred]
    dropped, undone = creation_order(drops)
    rest += [DropConstraint(table, fk) for table, fk in reversed(undone)]
    rest += [DropTable(ent) for ent in reversed(dropped)]
    rest = [op for op in rest if not isinstance(op, CreateView | DropView)]
    created_views = view_order([op.view for op in ops if isinstance(op, CreateView)])
    dropped_views = view_order([op.view for op in ops if isinstance(op, DropView)])
    rest += [CreateView(view) for view in created_views]
    rest += [DropView(view) for view in reversed(dropped_views)]
    early, late = _called_functions(ops)
    # a unique swapped in the transaction that trades a dropped column for added
    # ones: the ADD COLUMNs first, then the swap, then the DROP COLUMN
    traded = {
        (op.table, col)
        for op in ops
        if isinstance(op, ReplaceUnique) and op.early and not op.lock_safe
        for col in op.new.columns
    }

    made, gone = _domains_and_functions(ops, early, late)

    def placed(op: Operation) -> float:
        if isinstance(op, AddColumn) and (op.table, op.column.name) in traded:
            return _PHASES.index(DropColumn) - 0.75
        if isinstance(op, CreateDomain | CreateFunction) and id(op) in made:
            return made[id(op)]
        if isinstance(op, DropDomain | DropFunction) and id(op) in gone:
            return gone[id(op)]
        if isinstance(op, CreateFunction) and op.function.identity in early:
            return _PHASES.index(CREATE_CALLED_FUNCTION)
        if isinstance(op, DropFunction) and op.function.identity in late:
            return _PHASES.index(DROP_CALLED_FUNCTION)
        return phase(op)

    return sorted(rest, key=placed)


def _called_functions(ops: Sequence[Operation]) -> tuple[set[str], set[str]]:
    """The identities of the functions created that the plan's new tables, columns
    and checks call, and of those dropped that its dropped ones called. A function
    dropped and created again (a new result type) keeps its usual places: it cannot
    be both before and after the tables."""
    made = [op.function for op in ops if isinstance(op, CreateFunction)]
    gone = [op.function for op in ops if isinstance(op, DropFunction)]
    if not made and not gone:
        return set(), set()
    names = {fn.name for fn in (*made, *gone)}
    new_calls: set[str] = set()
    old_calls: set[str] = set()
    for op in ops:
        new, old = _calls(op, names)
        new_calls |= new
        old_calls |= old
    both = {fn.identity for fn in made} & {fn.identity for fn in gone}
    early = {fn.identity for fn in called_first(made, frozenset(new_calls))} - both
    late = {fn.identity for fn in called_first(gone, frozenset(old_calls))} - both
    return early, late


def _domains_and_functions(
    ops: Sequence[Operation], early: set[str], late: set[str]
) -> tuple[dict[int, float], dict[int, float]]:
    """Where the domains created and the functions made before the tables go (by the
    operation's id), and where the domains dropped and the functions dropped after
    the tables go: in the two slots from the domains' to the called functions', a
    domain after the functions its default and checks call and a function after the
    domains its signature uses (model.routines.domain_function_order); the drops in
    the reverse order of the same rule."""
    slots: list[dict[int, float]] = []
    for domain_op, function_op, functions, start in (
        (CreateDomain, CreateFunction, early, _PHASES.index(CreateDomain)),
        (DropDomain, DropFunction, late, _PHASES.index(DropDomain)),
    ):
        doms = {op.domain.name: op for op in ops if isinstance(op, domain_op)}
        fns = {
            op.function.identity: op
            for op in ops
            if isinstance(op, function_op) and op.function.identity in functions
        }
        if not doms or not fns:  # nothing to interleave: the phases' order holds
            slots.append({})
            continue
        made = domain_function_order(
            [op.domain for op in doms.values()], [op.function for op in fns.values()]
        )
        if domain_op is DropDomain:
            made.reverse()
        step = 1 / (len(made) + 1)
        slots.append({
            id(doms[obj.name] if isinstance(obj, Domain) else fns[obj.identity]): start + i * step
            for i, obj in enumerate(made)
        })
    return slots[0], slots[1]


def _calls(op: Operation, names: set[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The functions (of ``names``) that what ``op`` makes calls, and those that what
    it removes called."""
    none: frozenset[str] = frozenset()
    if isinstance(op, CreateTable | DropTable):
        calls = table_calls(op.entity, names)
        return (calls, none) if isinstance(op, CreateTable) else (none, calls)
    if isinstance(op, AddColumn | DropColumn):
        calls = column_calls(op.column, names)
        return (calls, none) if isinstance(op, AddColumn) else (none, calls)
    if isinstance(op, AlterColumn):
        return column_calls(op.new, names), column_calls(op.old, names)
    if isinstance(op, ReplaceCheck):
        return check_calls(op.new, names), check_calls(op.old, names)
    if isinstance(op, CreateDomain):
        return domain_calls(op.domain, names), none
    if isinstance(op, DropDomain):
        return none, domain_calls(op.domain, names)
    if isinstance(op, AlterDomain):
        return domain_calls(op.new, names), domain_calls(op.old, names)
    if isinstance(op, AddDomainCheck | DropDomainCheck):
        calls = check_calls(op.check, names)
        return (calls, none) if isinstance(op, AddDomainCheck) else (none, calls)
    if isinstance(op, AddConstraint | DropConstraint):
        calls = _constraint_calls(op.constraint, names)
        return (calls, none) if isinstance(op, AddConstraint) else (none, calls)
    if isinstance(op, DropIndex):
        # an index created comes after the functions anyway; one dropped holds its
        # functions until it is gone (PostgreSQL refuses to drop them before)
        return none, index_calls(op.index, names)
    return none, none


def _constraint_calls(constraint: object, names: set[str]) -> frozenset[str]:
    if isinstance(constraint, CheckConstraint):
        return check_calls(constraint, names)
    if isinstance(constraint, ExcludeConstraint):
        return exclude_calls(constraint, names)
    return frozenset()  # keys name columns only


def creation_order(
    entities: Sequence[Entity],
) -> tuple[list[Entity], list[tuple[str, ForeignKey]]]:
    """Order tables so that each comes after the tables it references.

    Always the smallest ready table name next, so the order is deterministic.
    When a reference cycle leaves no table ready, the smallest remaining table
    loses its foreign keys to the remaining tables; they are returned apart,
    to be added once every table exists.
    """
    remaining = {ent.table: ent for ent in entities}
    # Kahn's algorithm in rounds: a round takes every table that waits on no
    # remaining one, in name order. Counting the keys each table still waits on
    # (instead of scanning every table each round) keeps a long chain of
    # references linear.
    waiting: dict[str, int] = {}
    dependents: dict[str, list[str]] = {}
    for table, ent in remaining.items():
        blockers = [fk.ref_table for fk in ent.foreign_keys if _blocks(fk, table, remaining)]
        waiting[table] = len(blockers)
        for ref in blockers:
            dependents.setdefault(ref, []).append(table)
    ready = sorted(t for t, count in waiting.items() if count == 0)
    done: list[Entity] = []
    deferred: list[tuple[str, ForeignKey]] = []
    while remaining:
        if not ready:
            table = min(remaining)
            ent = remaining[table]
            cut = [fk for fk in ent.foreign_keys if _blocks(fk, table, remaining)]
            deferred += [(table, fk) for fk in cut]
            remaining[table] = dataclasses.replace(
                ent, foreign_keys=tuple(fk for fk in ent.foreign_keys if fk not in cut)
            )
            waiting[table] = 0
            ready = [table]
            continue
        for table in ready:
            done.append(remaining.pop(table))
        unblocked = []
        for table in ready:
            for dependent in dependents.get(table, ()):
                if dependent in remaining and waiting[dependent] > 0:
                    waiting[dependent] -= 1
                    if waiting[dependent] == 0:
                        unblocked.append(dependent)
        ready = sorted(unblocked)
    return done, deferred


def _blocks(fk: ForeignKey, table: str, remaining: dict[str, Entity]) -> bool:
    return fk.ref_table != table and fk.ref_table in remaining
