"""String literals, docstrings and layout in generated code, on many random hostile
strings at once: ruff format leaves them alone at line lengths 88 and 100, and
every literal evaluates back to exactly the text it came from."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from schemagen.util.pycode import INDENT, Str, call, docstring, layout, py_str

ALPHABET = (
    list("abcdefghij ABC 0123 .,;:-_()[]{}") * 4
    + ["'", '"', '"""', "'''", "\\", "\n", "\t", "\r", "\x00", "\x1b", "\u2028", "é", "中文",
       "😀", "{{", "}}", "{%", "%}", "|", "<b>", "&amp;", "%", ":x", " :1", "   "]
)


def random_strings(count: int, seed: int = 20240601) -> list[str]:
    rng = random.Random(seed)
    out = ["", " ", '"', "'", "\\", '"""', "x" * 150, "word " * 40, "a\\"]
    while len(out) < count:
        length = rng.choice([1, 5, 20, 60, 90, 140, 300])
        out.append("".join(rng.choice(ALPHABET) for _ in range(length)))
    return out


@pytest.fixture(scope="module")
def module(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    strings = random_strings(300)
    lines = [
        '"""Literals."""',
        "",
        "",
        "def f(*args: object, **kwargs: object) -> dict[str, object]:",
        f'{INDENT}"""Return the keyword arguments."""',
        f"{INDENT}return kwargs",
    ]
    for i, text in enumerate(strings):
        lines += ["", "", f"class C{i}:"]
        if text.strip():
            lines += docstring(text, INDENT) + [""]
        value = call("f", "1", comment=Str(text), other=py_str(text[:30]))
        lines += layout(value, INDENT, f"attr_{i}: dict[str, object] = ")
    path = tmp_path_factory.mktemp("literals") / "literals.py"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, strings


@pytest.mark.parametrize("line_length", ["88", "100"])
def test_ruff_format_leaves_the_layout_alone(
    module: tuple[Path, list[str]], line_length: str
) -> None:
    path, _ = module
    out = subprocess.run(
        ["ruff", "format", "--isolated", "--diff", "--line-length", line_length, str(path)],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stdout[:4000]


def test_literals_evaluate_to_the_original_text(module: tuple[Path, list[str]]) -> None:
    path, strings = module
    namespace: dict[str, object] = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)  # noqa: S102
    for i, text in enumerate(strings):
        cls = namespace[f"C{i}"]
        attrs = getattr(cls, f"attr_{i}")
        assert attrs == {"comment": text, "other": text[:30]}, i
        if text.strip():
            # a docstring keeps every word; only line breaks and blanks may move
            assert (cls.__doc__ or "").split() == text.split(), i


def test_ruff_check_is_clean(module: tuple[Path, list[str]]) -> None:
    path, _ = module
    out = subprocess.run(
        ["ruff", "check", "--isolated", "--select", "E,F,W,B,UP", "--line-length", "100",
         "--ignore", "E501,W605", str(path)],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stdout[:4000]


def _split_word_by_word(value: str, indent: str) -> list[str]:
    """The split of a long string as it was first written: word by word over the
    whole text (a line break ends a part), a word too long for a line cut between
    characters; ``layout`` now splits line by line."""
    import re

    from schemagen.util.pycode import LINE_LIMIT, width

    inner = indent + INDENT
    parts: list[str] = []
    for token in re.findall(r"[^ \n]+ *\n?| +\n?|\n", value):
        fits = bool(parts) and width(inner + py_str(parts[-1] + token)) <= LINE_LIMIT
        if fits and not parts[-1].endswith("\n"):
            parts[-1] += token
        elif width(inner + py_str(token)) <= LINE_LIMIT:
            parts.append(token)
        else:
            parts.append("")
            for ch in token:
                if parts[-1] and width(inner + py_str(parts[-1] + ch)) > LINE_LIMIT:
                    parts.append("")
                parts[-1] += ch
    return [inner + py_str(p) for p in parts]


def test_long_strings_split_as_word_by_word() -> None:
    """Splitting line by line (a line that fits is one part) gives the parts the
    word-by-word split gave, for hostile strings and long SQL-like lines."""
    rng = random.Random(7)
    sql = ["CREATE TABLE t (\n", "    id bigint NOT NULL,\n", "x " * 60 + "\n", "'a''b' ", "\n"]
    strings = random_strings(400, seed=11) + [
        "".join(rng.choice(sql) for _ in range(rng.randrange(3, 40))) for _ in range(200)
    ]
    split = 0
    for value in strings:
        lines = layout(Str(value), indent=INDENT, prefix="x = ")
        if lines[-1].strip() == ")" and len(lines) > 3:
            split += 1
            assert lines[1:-1] == _split_word_by_word(value, INDENT), value
    assert split > 100  # the comparison ran on many split strings
