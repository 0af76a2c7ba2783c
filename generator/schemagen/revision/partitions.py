"""Revision code for partitions (registered on the dispatcher).

A partition added to a kept table is ``CREATE TABLE ... PARTITION OF``; a dropped
one, where PostgreSQL allows it, ``DETACH PARTITION ... CONCURRENTLY`` then
``DROP TABLE`` in the drops stage (no ACCESS EXCLUSIVE lock on the parent while
other sessions write to it), else ``DROP TABLE`` in the main transaction.

The concurrent detach is resumable, as every step outside a transaction is: a
detach interrupted after its first transaction (lock_timeout while it waits for
the parent's readers, a cancel, a lost connection) leaves the partition "detach
pending", which the rerun finishes with ``DETACH PARTITION ... FINALIZE``; a
partition no longer attached (detached, or dropped) is not detached again.

A partition that moves between levels with its rows is detached (plainly: a
concurrent detach would commit, its rows out of the table until the attach) and
attached again in the main transaction. The attach reads its rows; one outside the
new place (its bound, or that of a partition above it) fails it, and the message
names the partition and those bounds: the transaction rolls back whole, nothing is
lost, and the revision runs again once the rows are moved or the bound changed.
Ahead of it, outside the transaction, a CHECK holding the partition's constraint
where it is (``pg_get_partition_constraintdef``) is added ``NOT VALID`` and
validated (SHARE UPDATE EXCLUSIVE: writes go on); where it implies the new bound,
PostgreSQL attaches without reading a row under the lock. The attach drops it.

A partition whose bound changes keeps its rows the same way, detached and attached
again with its new bound. Its check holds its constraint and the new bound's
condition (:func:`~schemagen.model.bounds.bound_condition`); before it is made, the
rows of a DEFAULT partition beside it that the new bound holds are counted, and where
its VALIDATE fails, its rows outside the new bound are: either stops the upgrade with
the count, the check dropped again (the failed step commits that), so the database is
as it was and the revision runs again once the rows are dealt with. The DEFAULT
partition holds a check of the same name meanwhile, excluding the new bound (validated
too, after the count), which spares the attach its read of the DEFAULT's rows under
lock; the attach drops it. An attach whose
bound no check says (hash, DEFAULT) counts the same rows where it fails.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.bounds import bound_condition
from ..model.naming import partition_table
from ..model.schema import Schema, partition_tree, quote_name
from ..model.sqltext import do_block, partition_sql, partition_tree_sql
from ..operations.partition import (
    MOVE_BOUND,
    AddBoundCheck,
    AttachPartition,
    CreatePartition,
    DetachPartition,
    DropBoundCheck,
    DropPartition,
    bound_check_name,
    bound_provable,
)
from ..operations.sqlutil import quote_table, sql_literal
from .render import Guarded, Stmt, execute, render_operation

#: Put first in a block whose queries read a user's table by conditions naming its
#: columns unqualified (a bound's): a column named as one of the block's variables
#: (a partition key n) is read as the column, where PL/pgSQL would refuse the query
#: ('column reference "n" is ambiguous'; measured on PostgreSQL 15). The block's own
#: variables are read by no such query but as INTO targets, which are variables anyway.
_USE_COLUMN = " #variable_conflict use_column"


@render_operation.register(CreatePartition)
def _(operation: CreatePartition, state: Schema) -> list[Stmt | Guarded]:
    # a partition partitioned in turn, then its own partitions (partition_tree_sql)
    parent = operation.parent
    stmts = [partition_sql(parent, operation.partition)]
    own = partition_table(parent, operation.partition.name)
    stmts += partition_tree_sql(own, operation.partition.partitions)
    if operation.concurrently:  # outside a transaction: a rerun finds them made
        stmts = [s.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS", 1) for s in stmts]
    # the DEFAULT partition's check, which spared it the read of its rows; one partitioned
    # in turn has it dropped by the online revision (DropBoundCheck.after_create)
    if operation.spared and not operation.check_after:
        default = quote_table(partition_table(operation.table, operation.beside))
        check = quote_name(bound_check_name(operation.partition.name))
        stmts.append(f"ALTER TABLE {default} DROP CONSTRAINT IF EXISTS {check}")
    return [execute(sql) for sql in stmts]


@render_operation.register(DropPartition)
def _(operation: DropPartition, state: Schema) -> list[Stmt | Guarded]:
    # DROP TABLE of a partition partitioned in turn drops its own partitions too
    parent = operation.parent
    table = partition_table(parent, operation.partition.name)
    name = quote_table(table)
    detach = f"ALTER TABLE {quote_table(parent)} DETACH PARTITION {name}"
    referenced = _still_referenced(state, operation.table, operation.partition.name, table)
    if not operation.concurrently:
        if referenced:
            # PostgreSQL drops no partition of a table a foreign key references (the
            # key's copy for it depends on it): detached first, in the transaction, where
            # the key refuses it if a row references one of its rows
            return [*referenced, execute(detach), execute(f"DROP TABLE {name}")]
        return [execute(f"DROP TABLE {name}")]
    found = (
        f"FROM pg_inherits WHERE inhrelid = to_regclass({sql_literal(name)}) "
        f"AND inhparent = to_regclass({sql_literal(quote_table(parent))})"
    )
    return [
        *referenced,
        # FINALIZE, unlike CONCURRENTLY, runs in a transaction: in a DO block
        execute(
            do_block(
                f" BEGIN IF EXISTS (SELECT {found} AND inhdetachpending) "
                f"THEN {detach} FINALIZE; END IF; END "
            )
        ),
        Guarded(
            f"SELECT EXISTS (SELECT {found} AND NOT inhdetachpending)",
            (execute(f"{detach} CONCURRENTLY"),),
        ),
        execute(f"DROP TABLE IF EXISTS {name}"),
    ]


def _still_referenced(state: Schema, top: str, name: str, table: str) -> list[Stmt]:
    """For each foreign key that references the partitioned table ``top``, a DO block
    that stops the drop of its partition ``name`` (``table``: its own, keyed) before the
    detach where a row references one of its rows, naming the declared key: PostgreSQL
    refuses such a detach naming the key's copy for the partition, which the schema
    never declared (refunds_payment_id_paid_on_fkey for fk_refunds_payment). A partition
    no longer there (a rerun after the drop) is not looked at."""
    found = []
    quoted = quote_table(table)
    for ent in state.entities:
        for fk in (fk for fk in ent.foreign_keys if fk.ref_table == top):
            ref_columns = fk.ref_columns or state.entity_by_table(top).primary_key.columns
            on = " AND ".join(
                f"k.{quote_name(c)} = p.{quote_name(r)}"
                for c, r in zip(fk.columns, ref_columns, strict=True)
            )
            said = (
                f"partition {name} of {top} cannot be dropped: foreign key {fk.name} of "
                f"{ent.table} references rows of it ("
            )
            block = (
                f" DECLARE n bigint; BEGIN IF to_regclass({sql_literal(quoted)}) IS NOT NULL "
                f"THEN SELECT count(*) INTO n FROM {quote_table(ent.table)} k JOIN {quoted} p "
                f"ON {on}; IF n > 0 THEN RAISE EXCEPTION USING ERRCODE = "
                f"'foreign_key_violation', MESSAGE = {sql_literal(said)} || n || "
                f"{sql_literal(_STILL_REFERENCED)}; END IF; END IF; END "
            )
            found.append(execute(do_block(block)))
    return found


#: What a dropped partition's check says after the rows of the key's table that
#: reference it.
_STILL_REFERENCED = (
    " of them), and PostgreSQL detaches no partition whose rows a foreign key "
    "references; it is still attached, its rows kept: delete those rows or point them "
    "elsewhere (or drop the foreign key from the schema in a revision before this one), "
    "then run the migration again"
)


@render_operation.register(DetachPartition)
def _(operation: DetachPartition, state: Schema) -> list[Stmt | Guarded]:
    # in a block that catches a foreign key's refusal to say which key, of which table,
    # and what to do (see _REFERENCED)
    parent = operation.parent
    name = operation.partition.name
    table = quote_table(partition_table(parent, name))
    detach = f"ALTER TABLE {quote_table(parent)} DETACH PARTITION {table}"
    goes = operation.other_parent
    said = f"partition {name} cannot move under {goes} with its rows: foreign key "
    if goes == parent:  # attached again where it is, with another bound
        said = (
            f"partition {name} cannot change its bound to {operation.other_bound} with its "
            "rows: foreign key "
        )
    # PostgreSQL names the key's copy for this partition: the declared key is the copy's
    # topmost ancestor (conparentid 0), on the table the schema declares it on
    declared = (
        "WITH RECURSIVE up AS (SELECT oid, conparentid, conname, conrelid FROM pg_constraint "
        f"WHERE conname = k AND contype = 'f' AND confrelid = to_regclass({sql_literal(table)}) "
        "UNION ALL SELECT c.oid, c.conparentid, c.conname, c.conrelid FROM pg_constraint c "
        "JOIN up ON c.oid = up.conparentid) SELECT conname, conrelid::regclass::text "
        "INTO dk, dt FROM up WHERE conparentid = 0 LIMIT 1"
    )
    block = (
        f" DECLARE k text; t text; d text; dk text; dt text; BEGIN {detach}; EXCEPTION WHEN "
        "foreign_key_violation THEN GET STACKED DIAGNOSTICS k = CONSTRAINT_NAME, "
        f"t = TABLE_NAME, d = PG_EXCEPTION_DETAIL; {declared}; RAISE EXCEPTION USING "
        f"ERRCODE = 'foreign_key_violation', MESSAGE = {sql_literal(said)} || "
        f"coalesce(dk, k) || ' of ' || coalesce(dt, t) || {sql_literal(_REFERENCED)} || "
        "SQLERRM || ' ' || coalesce(d, ''); END "
    )
    return [execute(do_block(block))]


#: What a moved partition's detach says where a foreign key references its rows, after
#: the key and its table. PostgreSQL refuses the detach only where a row references the
#: partition, which the diff cannot know, so the revision fails here, in its transaction,
#: rather than the plan dropping the key around the move: that would take ACCESS
#: EXCLUSIVE on the referencing table and leave its rows unproven until validated.
_REFERENCED = (
    " references rows of it, and PostgreSQL detaches no partition whose rows a foreign "
    "key references (not even to attach it again in the same transaction); nothing was "
    "changed (the revision rolled back whole): delete those rows or point them elsewhere, "
    "or drop the foreign key from the schema in a revision before this move and declare "
    "it again in one after it, then run the migration again. PostgreSQL said: "
)


@render_operation.register(AttachPartition)
def _(operation: AttachPartition, state: Schema) -> list[Stmt | Guarded]:
    # in a block that catches the bound's failure (a row outside it, in the partition
    # or in a DEFAULT partition beside it) to say which partition and bounds
    parent = operation.parent
    name = operation.partition.name
    table = partition_table(parent, name)
    attach = (
        f"ALTER TABLE {quote_table(parent)} ATTACH PARTITION {quote_table(table)} "
        f"{operation.partition.bound_sql()}"
    )
    bounds = [f"{operation.partition.bound_sql()} of {name}"]
    bounds += _bounds_above(state, operation.table, operation.within)
    to_do = _after(operation.table, _referencing(state, operation.table), "such", "bounds")
    if operation.other_bound:
        block = _rebound_attach(operation, state, attach, bounds, to_do)
    else:
        block = _moved_attach(operation, attach, bounds, to_do)
    stmts: list[Stmt | Guarded] = [execute(do_block(block))]
    # the check validated ahead has served, and those of the partitions above it that
    # it took from them to its detach (theirs, dropped at their attach, left it)
    served = [name] if operation.checked and bound_provable(operation.partition) else []
    for check in (quote_name(bound_check_name(n)) for n in [*served, *operation.carried]):
        stmts.append(execute(f"ALTER TABLE {quote_table(table)} DROP CONSTRAINT IF EXISTS {check}"))
    if operation.spared:  # the DEFAULT partition's, which spared it the read of its rows
        default = quote_table(partition_table(operation.table, operation.beside))
        check = quote_name(bound_check_name(name))
        stmts.append(execute(f"ALTER TABLE {default} DROP CONSTRAINT IF EXISTS {check}"))
    return stmts


def _moved_attach(operation: AttachPartition, attach: str, bounds: list[str], to_do: str) -> str:
    """The attach of a partition moved with its bound: its failure names the bounds and
    says what to do (``to_do``, :func:`_after`)."""
    parent, name = operation.parent, operation.partition.name
    message = (
        f"partition {name} cannot move under {parent} with its rows: PostgreSQL found a "
        f"row outside its place there ({' and '.join(bounds)}), or one of its bound in a "
        "DEFAULT partition beside it; nothing was changed (the revision rolled back "
        f"whole){to_do}. PostgreSQL said: "
    )
    return (
        f" BEGIN {attach}; EXCEPTION WHEN check_violation THEN RAISE EXCEPTION USING "
        f"ERRCODE = 'check_violation', MESSAGE = {sql_literal(message)} || SQLERRM; END "
    )


def _rebound_attach(
    operation: AttachPartition, state: Schema, attach: str, bounds: list[str], to_do: str
) -> str:
    """The attach of a partition with a new bound: its failure counts the partition's
    rows outside its place (its bound and those above it) and the rows of a DEFAULT
    partition beside it that its bound holds, which PostgreSQL refuses either way, and
    says what to do (``to_do``, :func:`_after`)."""
    parent, name = operation.parent, operation.partition.name
    table = quote_table(partition_table(parent, name))
    own, place, default = _place(state, operation)
    counted = f"SELECT count(*) INTO n FROM {table} WHERE NOT coalesce({place}, false); "
    said = sql_literal(f" of its rows are outside its place there ({' and '.join(bounds)})")
    if default:
        counted += (
            f"SELECT count(*) INTO d FROM {quote_table(partition_table(parent, default))} "
            f"WHERE coalesce({own}, false); "
        )
        inside = sql_literal(f" rows of DEFAULT partition {default} are inside its bound")
        said += f" || ', and ' || d || {inside}"
    message = (
        f"partition {name} cannot take its bound {operation.partition.bound_sql()} under "
        f"{parent} with its rows (it had {operation.other_bound}): "
    )
    after = f"; nothing was changed (the revision rolled back whole){to_do}. PostgreSQL said: "
    return (
        f"{_USE_COLUMN} DECLARE n bigint; d bigint; BEGIN {attach}; EXCEPTION WHEN "
        "check_violation THEN "
        f"{counted}RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = "
        f"{sql_literal(message)} || n || {said} || {sql_literal(after)} || SQLERRM; END "
    )


def _place(state: Schema, operation: AttachPartition) -> tuple[str, str, str]:
    """What the attach proves, as SQL conditions (:func:`bound_condition`): the rows its
    bound holds under its parent, the rows of its place (that and each bound above it),
    and the DEFAULT partition beside it (or ``""``), as ``state`` has them."""
    ent = state.entity_by_table(operation.table)
    key, parent, level = ent.partition_by, operation.table, ent.partitions
    conditions: list[str] = []
    for name in operation.within:
        part = next(p for p in level if p.name == name)
        assert key is not None  # a partitioned table or partition has its key
        conditions.append(bound_condition(key, part, quote_table(parent), level))
        key, parent, level = part.partition_by, partition_table(parent, name), part.partitions
    assert key is not None
    own = bound_condition(key, operation.partition, quote_table(parent), level)
    default = next((p.name for p in level if p.default), "")
    return own, " AND ".join([own, *conditions]), default


def _check_found(operation: AddBoundCheck | DropBoundCheck, also: str = "", on: str = "") -> str:
    """Whether the operation's check is on its partition (or on table ``on``, quoted)."""
    table = sql_literal(on or quote_table(partition_table(operation.parent, operation.partition)))
    return (
        f"SELECT EXISTS (SELECT FROM pg_constraint WHERE conrelid = to_regclass({table}) "
        f"AND conname = {sql_literal(operation.name)}{also})"
    )


@render_operation.register(AddBoundCheck)
def _(operation: AddBoundCheck, state: Schema) -> list[Stmt | Guarded]:
    # each step idempotent (outside a transaction): made where missing, validated where not
    if operation.made:  # the partition is not there yet: the DEFAULT partition's check alone
        kept_out = _KeptOut(operation, _referencing(state, operation.table))
        declared = f"{_USE_COLUMN} DECLARE n bigint;{_KEPT_VARS}"
        add = f"{declared} BEGIN {kept_out.refused}{kept_out.add}END "
        return [execute(do_block(add)), *kept_out.validated()]
    if operation.condition() is not None:
        return _new_bound_check(operation, state)
    table = quote_table(partition_table(operation.parent, operation.partition))
    rel = f"to_regclass({sql_literal(table)})"
    kept_out = _KeptOut(operation, _referencing(state, operation.table))
    declared = f"{_USE_COLUMN} DECLARE n bigint;{_KEPT_VARS}" if kept_out.refused else ""
    add = (
        f"{declared} BEGIN {kept_out.refused}IF pg_get_partition_constraintdef({rel}) "
        f"IS NOT NULL AND NOT ({_check_found(operation)}) THEN EXECUTE format("
        f"'ALTER TABLE %s ADD CONSTRAINT %I CHECK (%s) NOT VALID', {rel}, "
        f"{sql_literal(operation.name)}, pg_get_partition_constraintdef({rel})); END IF; "
        f"{kept_out.add}END "
    )
    validate = f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote_name(operation.name)}"
    return [
        execute(do_block(add)),
        Guarded(_check_found(operation, " AND NOT convalidated"), (execute(validate),)),
        *kept_out.validated(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "),
    ]


def _after(
    top: str, referencing: tuple[str, ...], rows: str = "those", bounds: str = "bound"
) -> str:
    """What the refusal of a partition moved or rebound says to do with ``rows`` in the
    way, after its count and what was changed (:data:`_CHANGED`): move or delete them or
    change the ``bounds`` in the schema; where foreign keys reference the partitioned
    table ``top`` (:func:`_referencing`), those keys (:func:`_keys_to_do`) instead of
    the delete."""
    again = f", or change the {bounds} in the schema, then run the migration again"
    if not referencing:
        return f": move or delete {rows} rows{again}"
    deleted = f"deleting {rows} rows runs each key's ON DELETE action"
    return f": {_keys_to_do(top, referencing, deleted)}and move them{again}"


def _keys_to_do(top: str, referencing: tuple[str, ...], deleted: str) -> str:
    """What a refusal says where foreign keys reference the partitioned table ``top``:
    each key with what a delete does under it (``referencing``, :func:`_referencing`),
    ``deleted`` (what becomes of a delete), and how to keep the rows that reference
    them; the caller ends it with where the rows go (``and move them ...``)."""
    return (
        f"foreign keys reference {top}: {'; '.join(referencing)}; {deleted}. To keep them, "
        "set aside the rows that reference them as well, or drop those keys from the schema "
        "in a revision before this one and declare them again in one after it, "
    )


#: SQL: what a failed step leaves changed, once :func:`_kept` has set its variables
#: (named so that no column of a user's table takes their place in a query).
#: Each step of the revision commits on its own, so the checks earlier steps made and
#: validated stay where a later one fails: the rerun finds them (made and validated: it
#: skips both) and goes on from the step that failed.
_CHANGED = (
    "CASE WHEN schemagen_kept IS NULL THEN 'nothing was changed' ELSE 'nothing else was "
    "changed, but the checks that steps of this revision before it made are kept, "
    "validated (its rerun skips them; meanwhile each refuses rows of its bound): ' || "
    "schemagen_kept || ' (to give the change up instead, drop them: ' || schemagen_drops "
    "|| ')' END"
)


#: The variables :func:`_kept` sets, declared in each block that calls it.
_KEPT_VARS = " schemagen_kept text; schemagen_drops text;"

#: The names :func:`bound_check_name` gives, as a LIKE pattern.
_MOVE_BOUND_LIKE = "%" + MOVE_BOUND.replace("_", "\\_")


def _kept(operation: AddBoundCheck) -> str:
    """SQL setting ``schemagen_kept`` to the checks of moves and creates (``*_move_bound``)
    that the partitions of the operation's table hold of their own, other than its own
    (dropped where it fails), as ``table.check, ...``, and ``schemagen_drops`` to the
    statements dropping them; both NULL where there are none (what :data:`_CHANGED`
    says)."""
    order = "ORDER BY conrelid::regclass::text, conname"
    tree = f"pg_partition_tree({sql_literal(quote_table(operation.table))})"
    return (
        f"SELECT string_agg(conrelid::regclass || '.' || quote_ident(conname), ', ' {order}), "
        "string_agg(format('ALTER TABLE %s DROP CONSTRAINT %I', conrelid::regclass, "
        f"conname), '; ' {order}) INTO schemagen_kept, schemagen_drops FROM pg_constraint "
        f"WHERE contype = 'c' AND conislocal AND conname LIKE {sql_literal(_MOVE_BOUND_LIKE)} "
        f"AND conname <> {sql_literal(operation.name)} AND conrelid IN (SELECT relid FROM "
        f"{tree}); "
    )


@dataclass(frozen=True)
class _KeptOut:
    """The check of the DEFAULT partition beside a partition attached with a bound a
    check can say (:meth:`AddBoundCheck.excluded`): none of its rows in that bound. Its
    rows of the bound are counted before anything is made (PostgreSQL would refuse the
    attach for them), stopping the revision with the count, unless it holds none of
    them (:attr:`AddBoundCheck.held_by`); then, where PostgreSQL proves the bound from
    it (:attr:`AddBoundCheck.kept_out`), it is added ``NOT VALID`` and validated, which
    spares the attach its read of the DEFAULT's rows under ACCESS EXCLUSIVE (PostgreSQL's
    proof is the one it makes for the partition's own check). Each piece is ``""`` (or
    none) where it has no part."""

    operation: AddBoundCheck
    #: the foreign keys that reference the partitioned table, each said with what a
    #: delete of a row it references does (:func:`_referencing`): where there are any,
    #: a refusal gives no statements that delete its rows (:meth:`_to_do`)
    referencing: tuple[str, ...] = ()

    @property
    def refused(self) -> str:
        """Its rows of the bound counted, the revision stopped where there are any."""
        op = self.operation
        if op.excluded() is None or op.held_by:
            return ""
        return (
            f"{self._count()}IF n > 0 THEN {_kept(op)}RAISE EXCEPTION USING ERRCODE = "
            f"'check_violation', MESSAGE = {self._message()}; END IF; "
        )

    @property
    def add(self) -> str:
        """Its check added ``NOT VALID`` where missing."""
        op = self.operation
        if not op.kept_out:  # counted alone, if at all: the attach reads it anyway
            return ""
        table, check = self._table(), quote_name(op.name)
        return (
            f"IF NOT ({_check_found(op, on=table)}) THEN ALTER TABLE {table} ADD CONSTRAINT "
            f"{check} CHECK (NOT {op.excluded()}) NOT VALID; END IF; "
        )

    def undo(self) -> str:
        """Its drop, where a validation fails (so that the database is as it was)."""
        if not self.operation.kept_out:
            return ""
        check = quote_name(self.operation.name)
        return f"ALTER TABLE {self._table()} DROP CONSTRAINT IF EXISTS {check}; "

    def validated(self, undo_own: str = "") -> list[Stmt | Guarded]:
        """Its validation, after the partition's: rows written to it since the count
        are counted again, and both checks dropped (``undo_own``: the partition's drop,
        before the check's name; ``""``: a partition made later holds none)."""
        op = self.operation
        if not op.kept_out:
            return []
        table, check = self._table(), quote_name(op.name)
        undo_own = f"{undo_own}{check}; " if undo_own else ""
        validate = (
            f"{_USE_COLUMN} DECLARE n bigint; e text;{_KEPT_VARS} BEGIN BEGIN ALTER TABLE {table} "
            f"VALIDATE CONSTRAINT {check}; RETURN; EXCEPTION WHEN check_violation THEN "
            f"e := SQLERRM; {self._count()}END; {undo_own}{self.undo()}COMMIT; {_kept(op)}"
            f"RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = {self._message()} "
            "|| '. PostgreSQL said: ' || e; END "
        )
        found = _check_found(op, " AND NOT convalidated", on=table)
        return [Guarded(found, (execute(do_block(validate)),))]

    def _table(self) -> str:
        """The DEFAULT partition, quoted."""
        return quote_table(partition_table(self.operation.table, self.operation.beside))

    def _count(self) -> str:
        """Its rows of the bound, counted into ``n``."""
        condition = self.operation.excluded()
        return f"SELECT count(*) INTO n FROM {self._table()} WHERE coalesce({condition}, false); "

    def _message(self) -> str:
        """What a refusal says, as SQL (after :func:`_kept`, with the count in ``n``):
        the partition, the rows of the DEFAULT partition in its bound, what is changed,
        and what to do."""
        op = self.operation
        inside = f" rows of DEFAULT partition {op.beside} are inside it"
        if op.made:
            inside += (
                ", and PostgreSQL makes no partition while its DEFAULT partition holds "
                "rows of its bound"
            )
        said, to_do = sql_literal(self._said()), sql_literal(self._to_do())
        return f"{said} || n || {sql_literal(inside + '; ')} || {_CHANGED} || {to_do}"

    def _to_do(self) -> str:
        """What a refusal tells the user to do with the rows: for a partition made beside
        the DEFAULT partition, the query that lists them, and the statements that set
        them aside and put them back, through the parent, once the partition is made
        (PostgreSQL routes them there); where foreign keys reference the table
        (:attr:`referencing`), those keys and no statement that deletes a row."""
        op = self.operation
        if not op.made:
            return _after(op.table, self.referencing)
        where = f"WHERE coalesce({op.excluded()}, false)"
        parent = quote_table(op.parent)
        schema = ", or change the bound in the schema" if op.stage == "drops" else ""
        listed = f". To see them, list them with: SELECT * FROM {self._table()} {where}; "
        if self.referencing:
            # a DELETE through the parent runs each key's ON DELETE action: CASCADE would
            # delete the rows that reference them, with no word said
            deleted = (
                f"so no statements that delete them from {op.table} to put them back later "
                "are given here (a DELETE there runs each key's ON DELETE action)"
            )
            return (
                f"{listed}{_keys_to_do(op.table, self.referencing, deleted)}and move them into "
                f"{op.partition} once it is made (PostgreSQL routes rows inserted into "
                f"{op.table} there){schema}, then run the migration again"
            )
        held = op.partition.encode()[:58].decode(errors="ignore") + "_held"
        aside = quote_table(partition_table(op.table, held))
        return (
            f"{listed}to keep "
            f"them, move them into {op.partition} once it is made: set them aside with: "
            f"CREATE TABLE {aside} AS SELECT * FROM {parent} {where}; DELETE FROM {parent} "
            f"{where}; run the migration again, then put them back (PostgreSQL routes them "
            f"to {op.partition}) with: INSERT INTO {parent} SELECT * FROM {aside}; DROP "
            f"TABLE {aside}. Or delete them{schema}, then run the migration again"
        )

    def _said(self) -> str:
        """What a refusal says before the count."""
        op = self.operation
        bound = op.bound or op.placed
        assert bound is not None  # excluded() is not None
        if op.made:  # made beside the DEFAULT partition by the main revision
            return f"partition {op.partition} cannot be made with its bound {bound.bound_sql()}: "
        if op.bound is None:  # moved with its bound
            how = f"move with its bound {bound.bound_sql()} and"
        else:
            how = f"take its new bound {bound.bound_sql()} with"
        return f"partition {op.partition} cannot {how} its rows: "


#: What deleting a row a foreign key references does to the rows that reference it, by
#: the key's ON DELETE action (``None``: NO ACTION, PostgreSQL's default).
_ON_DELETE = {
    "CASCADE": "deletes the rows of {table} that reference it",
    "SET NULL": "sets the key of the rows of {table} that reference it to NULL",
    "SET DEFAULT": "sets the key of the rows of {table} that reference it to its default",
    "RESTRICT": "is refused where a row of {table} references it",
    "NO ACTION": "is refused where a row of {table} references it",
}


def _referencing(state: Schema, top: str) -> tuple[str, ...]:
    """Each foreign key that references the partitioned table ``top`` in ``state``, as
    ``refunds.fk_refunds_payment (ON DELETE CASCADE: deleting a row of payments deletes
    the rows of refunds that reference it)``, in the order of the model."""
    found = []
    for ent in state.entities:
        for fk in (fk for fk in ent.foreign_keys if fk.ref_table == top):
            action = fk.on_delete or "NO ACTION"
            does = _ON_DELETE.get(action, _ON_DELETE["NO ACTION"]).format(table=ent.table)
            found.append(
                f"{ent.table}.{fk.name} (ON DELETE {action}: deleting a row of {top} {does})"
            )
    return tuple(found)


def _new_bound_check(operation: AddBoundCheck, state: Schema) -> list[Stmt | Guarded]:
    """The check of a partition whose bound or place changes: its constraint where it is
    and its new bound's condition (and that of the bounds above it where it goes, where
    they are new to it: :attr:`~AddBoundCheck.above`), with the DEFAULT partition's
    beside it (:class:`_KeptOut`). Where its VALIDATE fails, its rows outside them are
    counted, and both checks are dropped again (committed, in the block: the drops
    revision runs outside a transaction) so that the step leaves the database as it
    was; the message names the checks earlier steps made and keep (:data:`_CHANGED`)."""
    condition = operation.condition()
    assert condition is not None
    name = operation.partition
    table = quote_table(partition_table(operation.parent, name))
    rel = f"to_regclass({sql_literal(table)})"
    check = quote_name(operation.name)
    referencing = _referencing(state, operation.table)
    kept_out = _KeptOut(operation, referencing)
    made = (
        f"concat_ws(' AND ', '(' || pg_get_partition_constraintdef({rel}) || ')', "
        f"{sql_literal(condition)})"
    )
    add = (
        f"{_USE_COLUMN} DECLARE n bigint;{_KEPT_VARS} BEGIN {kept_out.refused}IF NOT "
        f"({_check_found(operation)}) THEN "
        f"EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%s) NOT VALID', {rel}, "
        f"{sql_literal(operation.name)}, {made}); END IF; {kept_out.add}END "
    )
    said = f"partition {name} cannot move with its rows: "
    outside = " of its rows are outside the bounds of the partitions above it where it goes"
    if operation.bound is not None:
        bound = operation.bound.bound_sql()
        said = f"partition {name} cannot take its new bound {bound} with its rows: "
        outside = " of its rows are outside it"
        if operation.above:
            outside = " of its rows are outside it or the bounds above it where it goes"
    after = sql_literal(f"{_after(operation.table, referencing)}. PostgreSQL said: ")
    undo_own = f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "
    validate = (
        f"{_USE_COLUMN} DECLARE n bigint; e text;{_KEPT_VARS} BEGIN BEGIN ALTER TABLE {table} "
        f"VALIDATE CONSTRAINT {check}; RETURN; EXCEPTION WHEN check_violation THEN "
        f"e := SQLERRM; SELECT count(*) INTO n FROM {table} WHERE NOT "
        f"coalesce({condition}, false); END; {undo_own}{check}; {kept_out.undo()}COMMIT; "
        f"{_kept(operation)}RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = "
        f"{sql_literal(said)} || n || {sql_literal(outside + '; ')} || {_CHANGED} || "
        f"{after} || e; END "
    )
    return [
        execute(do_block(add)),
        Guarded(_check_found(operation, " AND NOT convalidated"), (execute(do_block(validate)),)),
        *kept_out.validated(undo_own),
    ]


@render_operation.register(DropBoundCheck)
def _(operation: DropBoundCheck, state: Schema) -> list[Stmt | Guarded]:
    table = quote_table(partition_table(operation.parent, operation.partition))
    drop = f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {quote_name(operation.name)}"
    # a made partition's (a create's) is on the DEFAULT partition alone
    own = [] if operation.made else [Guarded(_check_found(operation), (execute(drop),))]
    stmts: list[Stmt | Guarded] = [*own]
    if operation.kept_out:  # the DEFAULT partition's too
        default = quote_table(partition_table(operation.table, operation.beside))
        drop = f"ALTER TABLE {default} DROP CONSTRAINT IF EXISTS {quote_name(operation.name)}"
        stmts.append(Guarded(_check_found(operation, on=default), (execute(drop),)))
    return stmts


def _bounds_above(state: Schema, table: str, within: tuple[str, ...]) -> list[str]:
    """``FOR VALUES ... of p`` of each partition ``within`` names, the nearest first."""
    found = {
        part.name: part
        for _, part in partition_tree(state.entity_by_table(table).partitions)
        if part.name in within
    }
    return [f"{found[n].bound_sql()} of {n}" for n in reversed(within) if n in found]
