"""String literals of generated code: ``py_str`` writes exactly what its
character-by-character definition writes, whichever path it takes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from schemagen.util.pycode import escape_char, py_str


def _by_character(value: str) -> str:
    quote = "'" if value.count('"') > value.count("'") else '"'
    return quote + "".join(escape_char(ch, quote) for ch in value) + quote


@given(st.text(alphabet=st.sampled_from("ab :%'\"\\\n\t\r\x00\u2028é")))
def test_py_str_is_the_character_by_character_literal(value: str) -> None:
    assert py_str(value) == _by_character(value)
    assert eval(py_str(value)) == value  # noqa: S307 - a literal of our own making


def test_line_breaks_are_written_as_backslash_n() -> None:
    sql = "CREATE TABLE t (\n    a text DEFAULT 'x'\n)"
    assert py_str(sql) == '"CREATE TABLE t (\\n    a text DEFAULT \'x\'\\n)"'
