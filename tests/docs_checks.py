"""Checks of generated Markdown that the docs tests share.

A small reader for the subset of GitHub Markdown the docs use: fenced code
blocks, headings, tables, links, and the inline escapes of
``schemagen.docs.text``. Also a grammar check of the Mermaid ``erDiagram``
subset that ``schemagen.docs.mermaid`` writes, for machines without node.
"""

from __future__ import annotations

import html
import posixpath
import re

from schemagen.docs.text import github_slug

FENCE = re.compile(r"^```")
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^(#{1,6}) (.*)$")


def prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks."""
    out, fenced = [], False
    for line in text.split("\n"):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            out.append(line)
    return out


def code_blocks(text: str, info: str | None = None) -> list[str]:
    """The bodies of fenced code blocks (only those with info string ``info``)."""
    blocks, current, kind = [], None, ""
    for line in text.split("\n"):
        if current is None and line.startswith("```"):
            current, kind = [], line[3:].strip()
        elif current is not None and line.startswith("```"):
            if info is None or kind == info:
                blocks.append("\n".join(current) + "\n")
            current = None
        elif current is not None:
            current.append(line)
    assert current is None, "unclosed code fence"
    return blocks


def split_cells(row: str) -> list[str]:
    """Split a table row on unescaped pipes (GitHub splits before inline parsing)."""
    assert row.startswith("|") and row.endswith("|"), row
    cells, buf, i = [], "", 1
    while i < len(row) - 1:
        ch = row[i]
        if ch == "\\" and i + 1 < len(row) - 1:
            buf += row[i : i + 2]
            i += 2
            continue
        if ch == "|":
            cells.append(buf.strip())
            buf = ""
        else:
            buf += ch
        i += 1
    cells.append(buf.strip())
    return cells


def tables(text: str) -> list[list[list[str]]]:
    """Every table as a list of rows of cells; asserts each row has the header's width."""
    found: list[list[list[str]]] = []
    lines = prose_lines(text)
    i = 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("| ---"):
            header = split_cells(lines[i])
            rows = [header]
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                row = split_cells(lines[i])
                assert len(row) == len(header), f"row width {len(row)} != {len(header)}: {lines[i]}"
                rows.append(row)
                i += 1
            found.append(rows)
        else:
            i += 1
    return found


_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def shown(markdown: str, *, cell: bool = False) -> str:
    """The text a reader sees for inline Markdown: escapes resolved, entities
    decoded, ``<br>`` and hard breaks as newlines, code spans as their content."""
    if cell:
        markdown = markdown.replace("\\|", "|")
    markdown = markdown.replace("<br>", "\n").replace("\\\n", "\n")
    markdown = re.sub(r"(?<!\\)\[([^\]]*)\]\([^)\s]+\)", r"\1", markdown)
    out, pos = [], 0
    for match in _CODE.finditer(markdown):
        out.append(_plain(markdown[pos : match.start()]))
        content = match.group(2)
        if content.startswith(" ") and content.endswith(" ") and content.strip():
            content = content[1:-1]
        out.append(content)
        pos = match.end()
    out.append(_plain(markdown[pos:]))
    return "".join(out)


def _plain(text: str) -> str:
    assert not re.search(r"<[A-Za-z/]", text), f"raw HTML would render: {text!r}"
    return html.unescape(_ESCAPE.sub(r"\1", text))


def headings(text: str) -> list[str]:
    """Rendered text of every heading, in order."""
    out = []
    for line in prose_lines(text):
        match = HEADING.match(line)
        if match:
            out.append(shown(match.group(2)))
    return out


def anchors(text: str) -> set[str]:
    seen: dict[str, int] = {}
    return {github_slug(h, seen) for h in headings(text)}


def check_links(files: dict[str, str]) -> int:
    """Assert every relative link target exists (file and anchor); return the count."""
    count = 0
    for path, text in files.items():
        for line in prose_lines(text):
            for target in LINK.findall(line):
                if re.match(r"^[a-z]+:", target):
                    continue
                file_part, _, anchor = target.partition("#")
                dest = posixpath.normpath(
                    posixpath.join(posixpath.dirname(path), file_part)) if file_part else path
                assert dest in files, f"{path}: link to missing {target}"
                if anchor:
                    assert anchor in anchors(files[dest]), f"{path}: no anchor {target}"
                count += 1
    return count


# --- Mermaid erDiagram subset --------------------------------------------------

_NAME = r'"[^"\n]+"'
_REL = re.compile(rf'^    {_NAME} (\|\||\|o)(--|\.\.)(o\{{|o\||\|\||\}}\|) {_NAME} : "[^"\n]*"$')
_BLOCK = re.compile(rf"^    {_NAME} \{{$")
_WORD = r"[A-Za-z_*][A-Za-z0-9_\-\[\]()]*"
_ATTR = re.compile(rf'^        ({_WORD}) ({_WORD})( (PK|FK|UK)(, (PK|FK|UK))*)?( "[^"\n]*")?$')


def check_er_diagram(text: str) -> None:
    """Assert ``text`` is in the erDiagram subset that Mermaid accepts (checked
    against mermaid.parse while writing the generator)."""
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "erDiagram"
    in_block = False
    for line in lines[1:]:
        if in_block:
            if line == "    }":
                in_block = False
                continue
            match = _ATTR.match(line)
            assert match, f"bad attribute line: {line!r}"
            assert match.group(2).lower() not in ("pk", "fk", "uk"), line
        elif _BLOCK.match(line):
            in_block = True
        else:
            assert _REL.match(line), f"bad relationship line: {line!r}"
    assert not in_block, "unclosed entity block"
