"""Pure parts of the import of issue 11's objects: sequence options and index keys."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from schemagen.adopt.keys import column_ops, index_keys, sequence_spec
from schemagen.live.shapes import IndexShape
from schemagen.model.schema import DbSequence
from schemagen.model.sequences import TYPE_RANGES, effective, option_problem


@st.composite
def _sequences(draw: st.DrawFn) -> DbSequence:
    data_type = draw(st.sampled_from(sorted(TYPE_RANGES)))
    low, high = TYPE_RANGES[data_type]
    option = st.one_of(st.none(), st.integers(low, high))
    return DbSequence(
        "s",
        data_type=data_type,
        start=draw(option),
        increment=draw(st.one_of(st.none(), st.integers(-1000, 1000))),
        min_value=draw(option),
        max_value=draw(option),
        cycle=draw(st.booleans()),
        cache=draw(st.one_of(st.none(), st.integers(1, 1000))),
    )


@settings(max_examples=300, deadline=None)
@given(_sequences())
def test_sequence_spec_reads_back_as_the_same_options(seq: DbSequence) -> None:
    """What pg_sequences shows -> YAML -> the options PostgreSQL would have."""
    if option_problem(seq) is not None:
        return
    shown = effective(seq)
    spec = sequence_spec(shown)
    back = DbSequence(
        "s",
        data_type=spec.get("type", "bigint"),
        start=spec.get("start"),
        increment=spec.get("increment"),
        min_value=spec.get("min"),
        max_value=spec.get("max"),
        cycle=spec.get("cycle", False),
        cache=spec.get("cache"),
    )
    assert effective(back) == shown


def test_sequence_spec_leaves_defaults_out() -> None:
    assert sequence_spec(("bigint", 1, 1, 1, 2**63 - 1, False, 1)) == {}
    assert sequence_spec(("integer", -1, -1, -(2**31), -1, False, 1)) == {
        "type": "integer",
        "increment": -1,
    }


def test_index_keys_columns_expressions_orders_and_classes() -> None:
    ix = IndexShape(
        columns=("a", "lower(b)", "c", "d"),
        opclasses=(None, "text_pattern_ops", "text_pattern_ops", None),
        orders=("ASC", "DESC", "NULLS FIRST", "DESC NULLS LAST"),
    )
    expressions = (False, True, False, False)
    assert index_keys(ix, expressions) == [
        "a",
        {"expression": "lower(b)", "order": "desc", "ops": "text_pattern_ops"},
        {"column": "c", "nulls": "first"},
        {"column": "d", "order": "desc", "nulls": "last"},
    ]
    assert column_ops(ix, expressions) == {"c": "text_pattern_ops"}
