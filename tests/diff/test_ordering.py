"""Table creation order: the counting algorithm gives exactly the rounds of its definition."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st
from schemagen.diff.ordering import creation_order
from schemagen.model.schema import Column, ColumnType, Entity, ForeignKey, PrimaryKey

TABLES = [f"t{i}" for i in range(8)]


def _entity(table: str, refs: list[str]) -> Entity:
    fks = tuple(
        ForeignKey(f"fk_{table}_{n}", (f"c{n}",), ref.upper(), ref, ("id",))
        for n, ref in enumerate(refs)
    )
    columns = (Column("id", ColumnType("integer"), primary_key=True),)
    return Entity(table.upper(), table, columns, PrimaryKey(f"pk_{table}", ("id",)),
                  foreign_keys=fks)


def _by_definition(entities: list[Entity]) -> tuple[list[Entity], list[tuple[str, ForeignKey]]]:
    """Each round, every table that waits on no remaining table, in name order; when
    none is ready, the smallest table loses its keys to the remaining tables."""

    def blocks(fk: ForeignKey, table: str, remaining: dict[str, Entity]) -> bool:
        return fk.ref_table != table and fk.ref_table in remaining

    remaining = {ent.table: ent for ent in entities}
    done: list[Entity] = []
    deferred: list[tuple[str, ForeignKey]] = []
    while remaining:
        ready = sorted(
            t for t, ent in remaining.items()
            if not any(blocks(fk, t, remaining) for fk in ent.foreign_keys)
        )
        if not ready:
            table = min(remaining)
            ent = remaining[table]
            cut = [fk for fk in ent.foreign_keys if blocks(fk, table, remaining)]
            deferred += [(table, fk) for fk in cut]
            remaining[table] = dataclasses.replace(
                ent, foreign_keys=tuple(fk for fk in ent.foreign_keys if fk not in cut)
            )
            continue
        for table in ready:
            done.append(remaining.pop(table))
    return done, deferred


GRAPHS = st.dictionaries(
    st.sampled_from(TABLES),
    st.lists(st.sampled_from([*TABLES, "elsewhere"]), max_size=3),
    max_size=len(TABLES),
)


@settings(max_examples=400, deadline=None)
@given(GRAPHS)
def test_creation_order_matches_its_definition(graph: dict[str, list[str]]) -> None:
    entities = [_entity(table, refs) for table, refs in graph.items()]
    assert creation_order(entities) == _by_definition(entities)


def test_a_long_chain_and_a_cycle() -> None:
    chain = [_entity(f"c{i:04d}", [f"c{i - 1:04d}"] if i else []) for i in range(300)]
    done, deferred = creation_order(list(reversed(chain)))
    assert [e.table for e in done] == [e.table for e in chain] and deferred == []
    cycle = [_entity("a", ["b"]), _entity("b", ["c"]), _entity("c", ["a"]), _entity("d", ["a"])]
    done, deferred = creation_order(cycle)
    assert [e.table for e in done] == ["a", "c", "d", "b"]  # c and d wait on a only
    assert [(table, fk.ref_table) for table, fk in deferred] == [("a", "b")]
