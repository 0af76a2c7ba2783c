"""The loader's fast path gives exactly what the full loader gives, or steps aside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemagen.source import loader
from schemagen.source.loader import RawFile, parse_text
from schemagen.source.plain import load_plain

REPO = Path(__file__).resolve().parents[2]

KEYS = st.sampled_from(["a", "b", "columns", "type", "yes", "1", "~", "<<", "2024-01-02", "x y"])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True),
    st.text(max_size=8),
    st.sampled_from(["yes", "No", "on", "0x1F", "0o17", "1_000", "1:30", ".inf", "~", "null",
                     "2024-01-02", "2024-01-02 10:00:00", "=", "<<", "", " ", "#", "'q'"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=10,
)


def _full(text: str) -> tuple[RawFile, list[Any]]:
    """parse_text without its fast path."""
    fast = loader.load_plain
    loader.load_plain = lambda *args, **kwargs: None  # type: ignore[assignment]
    try:
        return parse_text(text, "a.yaml")
    finally:
        loader.load_plain = fast


def _same(text: str) -> None:
    fast_raw, fast_issues = parse_text(text, "a.yaml")
    full_raw, full_issues = _full(text)
    assert repr(fast_raw.data) == repr(full_raw.data)
    assert list(fast_raw.marks.items()) == list(full_raw.marks.items())
    assert (fast_raw.broken, fast_issues) == (full_raw.broken, full_issues)
    # Marks found later (plan's reading) are the same marks, in the same order.
    later_raw, later_issues = parse_text(text, "a.yaml", marks=False)
    assert repr(later_raw.data) == repr(full_raw.data)
    assert list(later_raw.marks.items()) == list(full_raw.marks.items())
    assert (later_raw.broken, later_issues) == (full_raw.broken, full_issues)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, VALUES, max_size=4), st.sampled_from([None, True, False]))
def test_dumped_documents_load_the_same(document: dict[str, Any], flow: bool | None) -> None:
    _same(yaml.safe_dump(document, default_flow_style=flow, sort_keys=False))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab:- {}[]\n\t'\"&*!#%|>,?<1~", max_size=40))
def test_arbitrary_text_loads_the_same(text: str) -> None:
    _same(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {b: 1}\nc: *x\n",  # anchors and aliases
        "base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n",  # merge key
        "a: 1\na: 2\n",  # repeated key
        "yes: 1\n",  # a key YAML reads as a boolean
        "? [a]\n: 1\n",  # a list as a key
        "a: !!str 1\n",  # an explicit tag
        "a: !custom x\n",
        "- a\n- b\n",  # a list at the top
        "a: 1\n---\nb: 2\n",  # two documents
        "# only a comment\n",
        "a: [1, 2\n",  # a syntax error
        "a: =\n",  # the value tag
        "a:" + " [" * 70 + " ]" * 70 + "\n",  # nested too deep
    ],
)
def test_unusual_files_go_to_the_full_loader(text: str) -> None:
    assert load_plain(text, 50_000, 64) is None
    _same(text)


def test_real_schema_files_take_the_fast_path() -> None:
    paths = sorted((REPO / "schema").glob("**/*.yaml"))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert load_plain(text, 50_000, 64) is not None, path.name
        _same(text)


def test_dates_stay_text_and_scalars_keep_their_types() -> None:
    loaded = load_plain("a: 2024-01-02\nb: yes\nc: '1'\nd: 1.5\ne: ~\nf: [1, x]\n", 50_000, 64)
    assert loaded is not None
    data, marks, _ = loaded
    assert data == {"a": "2024-01-02", "b": True, "c": "1", "d": 1.5, "e": None, "f": [1, "x"]}
    assert marks[("f", "1")] == (6, 8)
