"""A rewrite's lock estimate (Operation.locks) bounds what PostgreSQL takes, and a plan
is cut by it where a transaction would take more than its budget.

For each change, the main revision schemagen writes runs on tables holding rows, in
its transaction, and the distinct relations its backend holds locks on are counted
from ``pg_locks`` before it ends (relation locks; the probe's own read of pg_locks and
alembic_version left out, the revision's bookkeeping): the estimate of the revision's
operations must be at least that. Every such operation estimated 2 before: a type
change of an indexed column locks 12 relations (its table, TOAST table and index, the
new pair and the transient table of the rewrite, every index, the one over the column
twice), a column every row gets a value of 8 or 9, an enum swap every table using it;
and an ALTER TABLE of a partitioned table locks each partition, a table made with a
foreign key to one each partition of it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from migration_harness import alembic, offline_sql, revisions, schemagen, write_schema
from pgcluster import PgCluster
from plan_round_trip import schemas
from schemagen.diff.compare import diff
from schemagen.operations.retype import RetypeColumns
from schemagen.operations.stages import REVISION_BOOKKEEPING_LOCKS, stages

BEFORE = """
database: {name: lockcount}
enums:
  Kind: {values: [a, b, c]}
entities:
  Store:
    table: stores
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text}
      kind: {type: enum, enum: Kind, nullable: true}
    indexes:
      ix_stores_name: [name]
  Item:
    table: items
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store, type: bigint, nullable: true}
      qty: {type: integer}
      note: {type: text, nullable: true}
      code: {type: string, length: 20, unique: true}
      kind: {type: enum, enum: Kind, nullable: true}
    indexes:
      ix_items_qty: [qty]
      ix_items_note_qty: [note, qty]
  Line:
    table: lines
    columns:
      id: {type: bigint, primary_key: true}
      item_id: {references: Item, type: bigint}
      memo: {type: text, nullable: true}
    indexes:
      ix_lines_memo: [memo]
  Event:
    table: events
    primary_key: [id, day]
    columns:
      id: {type: bigint, primary_key: true}
      day: {type: date, primary_key: true}
      code: {type: string, length: 8, nullable: true}
      qty: {type: integer}
      note: {type: text, nullable: true}
    indexes:
      ix_events_qty: [qty]
      ix_events_code: [code]
    partition_by: {range: [day]}
    partitions:
      events_2023: {from: "2023-01-01", to: "2024-01-01"}
      events_2024: {from: "2024-01-01", to: "2025-01-01"}
      events_2025: {from: "2025-01-01", to: "2026-01-01"}
      events_2026: {from: "2026-01-01", to: "2027-01-01"}
"""

# NULLs, repeated values and long texts (TOASTed) in every table; no row holds kind c
ROWS = """
INSERT INTO stores (id, name, kind) SELECT g, 's' || g, (ARRAY['a','b',NULL])[1 + g % 3]::kind
  FROM generate_series(1, 20) g;
INSERT INTO items (id, store_id, qty, note, code, kind)
  SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE 1 + g % 20 END, g % 50,
         CASE WHEN g % 5 = 0 THEN NULL ELSE repeat(md5(g::text), 1 + g % 300) END, 'c' || g,
         (ARRAY['a','b','a',NULL])[1 + g % 4]::kind
  FROM generate_series(1, 1000) g;
INSERT INTO lines (id, item_id, memo) SELECT g, 1 + g % 1000, NULLIF('m' || g % 3, 'm0')
  FROM generate_series(1, 500) g;
INSERT INTO events (id, day, qty, note, code) SELECT g, date '2025-06-01' + g % 400, g % 9,
  NULLIF('e' || g % 4, 'e0'), NULLIF('k' || g % 5, 'k0') FROM generate_series(1, 800) g;
"""

QTY = "qty: {type: integer}\n      note: {type: text, nullable: true}\n      code"
ITEM_KEY = "id: {type: bigint, primary_key: true}\n      store_id"
EVENT_QTY = "qty: {type: integer}\n      note: {type: text, nullable: true}\n    indexes:"
LAST = '      events_2026: {from: "2026-01-01", to: "2027-01-01"}\n'
REFUNDS = """\
  Refund:
    table: refunds
    columns:
      id: {type: bigint, primary_key: true}
      event_id: {type: bigint}
      day: {type: date}
    foreign_keys:
      fk_refunds_event: {columns: [event_id, day], references: Event}
    indexes:
      ix_refunds_day: [day]
"""
STORE_KEY = "store_id: {references: Store, type: bigint"
MEMO = "memo: {type: text, nullable: true}"

#: What changes -> (text of BEFORE, its replacement), each replaced once, in order.
CHANGES: dict[str, list[tuple[str, str]]] = {
    "type of an indexed column": [(QTY, QTY.replace("integer", "bigint"))],
    "type of a key referenced, an identity": [(ITEM_KEY, ITEM_KEY.replace("bigint", "integer"))],
    "type of a column referencing a key": [(STORE_KEY, STORE_KEY.replace("bigint", "integer"))],
    "type of both sides of a key": [
        (ITEM_KEY, ITEM_KEY.replace("bigint", "integer")),
        ("item_id: {references: Item, type: bigint}", "item_id: {references: Item}"),
    ],
    "two types of one table": [
        (QTY, QTY.replace("integer", "bigint").replace("text", "string, length: 10000"))
    ],
    "type of a partitioned table's column": [(EVENT_QTY, EVENT_QTY.replace("integer", "bigint"))],
    "text to varchar": [(QTY, QTY.replace("text", "string, length: 10000"))],
    "varchar widened": [("length: 20", "length: 40")],
    "column with a volatile default": [
        (MEMO, MEMO + "\n      token: {type: uuid, default: {sql: gen_random_uuid()}}")
    ],
    "identity column": [(MEMO, MEMO + "\n      seq: {type: bigint, identity: by default}")],
    "enum value removed": [("values: [a, b, c]", "values: [a, b]")],
    "column added to a partitioned table": [(EVENT_QTY, EVENT_QTY.replace(
        "nullable: true}", "nullable: true}\n      memo: {type: text, nullable: true}"
    ))],
    "key added to a partitioned table": [(EVENT_QTY, EVENT_QTY.replace(
        "nullable: true}", "nullable: true}\n      store_id: {references: Store, nullable: true}"
    ))],
    "table made with a key to a partitioned table": [(LAST, LAST + REFUNDS)],
}

ITEM_CODE = "code: {type: string, length: 20, unique: true}"
EVENT_CODE = "code: {type: string, length: 8, nullable: true}"

#: Type changes PostgreSQL makes without rewriting (binary compatible) -> (their text
#: replacements, as CHANGES', and the tables holding rows they change)
IN_PLACE: dict[str, tuple[list[tuple[str, str]], int]] = {
    "varchar widened under a unique index": ([("length: 20", "length: 40")], 1),
    "varchar to text under a unique index": ([(ITEM_CODE, "code: {type: text, unique: true}")], 1),
    "varchar of a partitioned table widened": ([(EVENT_CODE, EVENT_CODE.replace("8", "16"))], 4),
    "varchar of a partitioned table to text": (
        [(EVENT_CODE, "code: {type: text, nullable: true}")], 4
    ),
}

LINE_KEY = "item_id: {references: Item, type: bigint}"

#: Several type changes of one table, one ALTER TABLE (RetypeColumns) -> (their text
#: replacements, as CHANGES', and the tables holding rows it rewrites)
JOINED: dict[str, tuple[list[tuple[str, str]], int]] = {
    "two indexed types of items": (CHANGES["two types of one table"], 1),
    "two types of lines, one referencing items": (
        [(LINE_KEY, LINE_KEY.replace("bigint", "integer")),
         (MEMO, "memo: {type: string, length: 300, nullable: true}")],
        1,
    ),
    "two indexed types of the partitioned events": (
        [(EVENT_QTY, EVENT_QTY.replace("integer", "bigint")),
         (EVENT_CODE, EVENT_CODE.replace("8", "4"))],
        4,
    ),
}

#: The relations the backend holds a lock on, but those of the probe and bookkeeping.
PROBE = (
    "SELECT count(DISTINCT relation) FROM pg_locks WHERE pid = pg_backend_pid() "
    "AND locktype = 'relation' AND relation NOT IN "
    "('pg_locks'::regclass, 'alembic_version'::regclass, 'alembic_version_pkc'::regclass);"
)


def _after(what: str) -> str:
    text = BEFORE
    for old, new in CHANGES[what] if what in CHANGES else {**IN_PLACE, **JOINED}[what][0]:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _migrated(pg: PgCluster, root: Path, after: str, budget: int | None = None) -> str:
    """A database at revision 000 of BEFORE holding ROWS, and the project's next
    revisions to ``after`` written (cut by ``budget`` locks where given)."""
    write_schema(root, {"s.yaml": BEFORE})
    schemagen(root, "migrate", "-m", "before")
    db = pg.create_database("locks")
    alembic(root, pg.url(db), "upgrade", "head")
    pg.sql(ROWS, db)
    write_schema(root, {"s.yaml": after})
    if budget is not None:
        with (root / "pyproject.toml").open("a", encoding="utf-8") as settings:
            settings.write(f"max_locks_per_revision = {budget}\n")
    schemagen(root, "migrate", "-m", "after", "--allow-destructive")
    return db


def _locked(pg: PgCluster, db: str, root: Path, revision: str, probe: str = PROBE) -> int:
    """The relations ``revision`` (transactional) locks, run from the one before it in
    its transaction, counted by ``probe`` before it ends; rolled back."""
    before = f"{int(revision) - 1:03d}"
    alembic(root, pg.url(db), "upgrade", before)
    sql = offline_sql(root, f"{before}:{revision}").rstrip()
    assert sql.endswith("COMMIT;") and sql.count("COMMIT;") == 1, sql
    script = root / f"locked_{revision}.sql"
    script.write_text(sql.removesuffix("COMMIT;") + probe + "\nROLLBACK;\n", encoding="utf-8")
    out = subprocess.run(
        [pg.bin("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db,
         "-f", str(script)],
        env=pg.env(), capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stderr
    return int(out.stdout.split()[-1])


@pytest.mark.parametrize("what", list(CHANGES))
def test_a_rewrite_s_estimate_bounds_the_relations_it_locks(
    pg: PgCluster, tmp_path: Path, what: str
) -> None:
    after = _after(what)
    db = _migrated(pg, tmp_path / "p", after)
    old, new = schemas(tmp_path, BEFORE, after)
    found = stages(diff(old, new))
    kinds = [stage.kind for stage in found]
    assert kinds.count("main") == 1, kinds
    main = found[kinds.index("main")].plan
    estimate = sum(op.locks for op in main.operations)
    revision = revisions(tmp_path / "p")[1 + kinds.index("main")].name[:3]
    locked = _locked(pg, db, tmp_path / "p", revision)
    assert locked > 2 * len(main.operations)  # what each was estimated at before
    assert estimate >= locked, (what, estimate, locked, main.describe())


@pytest.mark.parametrize("what", list(IN_PLACE))
def test_a_type_change_without_rewrite_is_estimated_as_what_it_locks(
    pg: PgCluster, tmp_path: Path, what: str
) -> None:
    """A varchar widened or made text keeps the table's file: PostgreSQL locks the
    table, the index over the column and the one made again in its place, on each
    partition too, and the TOAST table and index the new type may make (where the table
    had none: a varchar(8) made text). The estimate is that, at most the TOAST pair of
    each table holding rows above what is locked, no rewrite's (before: 11 for 3)."""
    after = _after(what)
    db = _migrated(pg, tmp_path / "p", after)
    old, new = schemas(tmp_path, BEFORE, after)
    found = stages(diff(old, new))
    kinds = [stage.kind for stage in found]
    assert kinds == ["main"], kinds
    (op,) = found[0].plan.operations
    assert op.describe().split(": type ")[0] in ("~ column items.code", "~ column events.code")
    locked = _locked(pg, db, tmp_path / "p", revisions(tmp_path / "p")[1].name[:3])
    tables = IN_PLACE[what][1]
    assert locked <= op.locks <= locked + 2 * tables, (what, op.locks, locked)


@pytest.mark.parametrize("what", list(JOINED))
def test_a_joined_type_change_is_estimated_as_the_union_of_its_members(
    pg: PgCluster, tmp_path: Path, what: str
) -> None:
    """One ALTER TABLE of several types rewrites its table once: it locks the table,
    its TOAST pairs, every index (old and new) and each key's other table once, not
    once per clause. Its estimate counts each relation once: at least what is locked,
    at most a TOAST pair per table rewritten above it, and below its members' sum (the
    estimate before: two types of items 23, for 12 locked)."""
    after = _after(what)
    db = _migrated(pg, tmp_path / "p", after)
    old, new = schemas(tmp_path, BEFORE, after)
    found = stages(diff(old, new))
    kinds = [stage.kind for stage in found]
    assert kinds == ["main"], kinds
    (op,) = found[0].plan.operations
    assert isinstance(op, RetypeColumns), op.describe()
    locked = _locked(pg, db, tmp_path / "p", revisions(tmp_path / "p")[1].name[:3])
    tables = JOINED[what][1]
    summed = sum(alter.locks for alter in op.alters)
    assert locked <= op.locks <= locked + 2 * tables, (what, op.locks, locked, summed)
    assert op.locks < summed, (what, op.locks, summed)


def test_a_budget_just_above_a_type_change_cuts_the_plan_after_it(
    pg: PgCluster, tmp_path: Path
) -> None:
    """Two type changes, of items and of lines, with a budget of the first's estimate
    and one more: each is a revision of its own, neither of which locks more than the
    budget, and the rows are kept. Each was 2 before: both were one revision."""
    after = BEFORE.replace(QTY, QTY.replace("integer", "bigint"), 1).replace(
        MEMO, "memo: {type: string, length: 300, nullable: true}", 1
    )
    old, new = schemas(tmp_path, BEFORE, after)
    plan = diff(old, new)
    assert [op.describe() for op in plan.operations] == [
        "~ column items.qty: type integer -> bigint",
        "~ column lines.memo: type text -> character varying(300)",
    ]
    items, lines = plan.operations
    budget = items.locks + 1
    assert items.locks + lines.locks > budget >= max(items.locks, lines.locks)
    assert [s.plan.operations for s in stages(plan, budget)] == [(items,), (lines,)]
    root = tmp_path / "p"
    db = _migrated(pg, root, after, budget)
    names = [p.name for p in revisions(root)]
    assert names == ["000_before.py", "001_after.py", "002_after_part2.py"]
    locked = [_locked(pg, db, root, revision) for revision in ("001", "002")]
    assert all(count <= budget for count in locked), (locked, budget)
    assert locked[0] <= items.locks and locked[1] <= lines.locks, locked
    alembic(root, pg.url(db), "upgrade", "head")
    kept = (
        "SELECT count(*), sum(qty), count(note), (SELECT count(memo) FROM lines), "
        "(SELECT replace(pg_typeof(memo)::text, ' ', '_') FROM lines LIMIT 1) FROM items"
    )
    assert pg.sql(kept, db).split() == ["1000|24500|800|334|character_varying"]
    alembic(root, pg.url(db), "downgrade", "000")
    assert pg.sql(kept, db).split() == ["1000|24500|800|334|text"]


#: The relations the backend holds a lock on, but the probe's own read of pg_locks:
#: Alembic's version table and its index counted
PROBE_ALL = (
    "SELECT count(DISTINCT relation) FROM pg_locks WHERE pid = pg_backend_pid() "
    "AND locktype = 'relation' AND relation <> 'pg_locks'::regclass;"
)

#: A deferred trigger on alembic_version that records, as each revision's transaction
#: commits under ``alembic upgrade``, the relations its backend holds locks on (but
#: pg_locks and the record's own table) and whether the version table and its index
#: are among them
COMMIT_PROBE = """
CREATE TABLE lock_counts (version text, relations int, version_table boolean);
CREATE FUNCTION count_locks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO lock_counts
  SELECT NEW.version_num,
         count(DISTINCT relation) FILTER (
           WHERE relation NOT IN ('pg_locks'::regclass, 'lock_counts'::regclass)),
         bool_or(relation = 'alembic_version'::regclass)
           AND bool_or(relation = 'alembic_version_pkc'::regclass)
  FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation';
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER count_locks AFTER UPDATE ON alembic_version
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION count_locks();
"""


def test_a_revision_s_budget_counts_alembic_s_own_locks(pg: PgCluster, tmp_path: Path) -> None:
    """Each revision's transaction updates alembic_version's row: it holds locks on
    that table and its primary key's index until it commits (2 relations, in pg_locks
    offline and under alembic upgrade); and the first revision an upgrade runs shares
    its transaction with Alembic's look for the version table (pg_class, pg_namespace
    and their indexes: 7 more). Lines' new volatile column and items' type change are
    estimated at exactly what they lock (8 and 12); with a budget of their sum and one,
    both went in one transaction, which held 22 relations offline, 29 as the first of
    an upgrade. Now the plan is cut after the first, and each transaction, the first
    of its upgrade, holds no more than the budget."""
    after = BEFORE.replace(QTY, QTY.replace("integer", "bigint"), 1).replace(
        MEMO, CHANGES["column with a volatile default"][0][1], 1
    )
    old, new = schemas(tmp_path, BEFORE, after)
    plan = diff(old, new)
    assert [" ".join(op.describe().split()[:3]) for op in plan.operations] == [
        "+ column lines.token",
        "~ column items.qty:",
    ]
    budget = sum(op.locks for op in plan.operations) + 1
    root = tmp_path / "p"
    db = _migrated(pg, root, after, budget)
    names = [p.name for p in revisions(root)]
    assert names == ["000_before.py", "001_after.py", "002_after_part2.py"], names
    for revision, op in zip(("001", "002"), plan.operations, strict=True):
        alone = _locked(pg, db, root, revision)
        assert alone == op.locks, (revision, alone, op.locks)  # estimated exactly
        held = _locked(pg, db, root, revision, PROBE_ALL)
        assert held == alone + 2, (revision, held, alone)  # alembic_version, its index
    alembic(root, pg.url(db), "downgrade", "000")
    pg.sql(COMMIT_PROBE, db)
    for revision in ("001", "002"):  # each the first (and only) of its upgrade
        alembic(root, pg.url(db), "upgrade", revision)
    counts = pg.sql("SELECT version, relations, version_table FROM lock_counts", db).split()
    assert counts == [
        f"{revision}|{op.locks + REVISION_BOOKKEEPING_LOCKS}|t"
        for revision, op in zip(("001", "002"), plan.operations, strict=True)
    ], counts
    assert all(int(row.split("|")[1]) <= budget for row in counts), (counts, budget)
    kept = "SELECT count(*), sum(qty), (SELECT count(DISTINCT token) FROM lines) FROM items"
    assert pg.sql(kept, db).split() == ["1000|24500|500"]
