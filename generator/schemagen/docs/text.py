"""Escaping of user-written text for the generated Markdown docs.

Descriptions are Markdown (the schema language says so), but the docs must show
what the user wrote, and no description may break the page around it. The rule,
the same in table cells and in paragraphs:

- inline Markdown renders: ``**bold**``, ``*emphasis*``, `` `code` ``, links;
  a link keeps only a safe target (``http:``, ``https:``, ``mailto:`` or a
  relative path): any other (``javascript:``, ``data:``, ...) shows as text;
- raw HTML, backslashes and pipes show as written (``<b>`` is text, not bold);
- a blank line starts a new paragraph (``<br><br>`` in a cell); a single newline
  is a soft wrap, as in any Markdown (YAML block scalars wrap long text), except
  before a line that starts like a list item, heading, quote, table row or
  fence: that line keeps its own line (a hard break, ``<br>`` in a cell), so
  ``- a`` / ``- b`` lines still show one per line;
- block-level Markdown does not apply: a line starting with ``#``, ``-``, ``>``,
  ``1.``, a fence or an underline shows those characters instead of turning into
  a heading, list, quote, code block or rule, so a description can never end
  the page's table or section, or swallow the rest of the page.

Code spans (closed backtick runs) keep their content literally, as Markdown
does; only a pipe (which GitHub's table parser sees first) is escaped there.
"""

from __future__ import annotations

import functools
import re

# A closed code span: a backtick run, content, then a run of the same length.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
# Line starts that would open a block construct in a paragraph context.
_BLOCK_START = re.compile(r"^(#|>|[-+*=_~](?=\s|[-+*=_~]*$)|\[[^\]]*\]:)")
_ORDERED = re.compile(r"^(\d{1,9})([.)])")
# A line that starts like a block of its own keeps its line break.
_OWN_LINE = re.compile(r"^([-+*]\s|\d{1,9}[.)]\s|#|>|\||```|~~~)")

# An inline link's opening bracket and its target: [text](target ...
_LINK = re.compile(r"\[((?:[^\[\]\\]|\\.)*)\]\(\s*([^\s)]*)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

#: The same names and types recur on every page: each text is escaped once.
_memo = functools.lru_cache(maxsize=65536)

# What can make a line of text more than itself in Markdown: an escape, HTML, a pipe,
# a code span, a link, a line break. A description without any (most of them) is
# its own escaped form, stripped; only a paragraph's line start still needs a guard.
_MARKUP = re.compile(r"[\\&<>|`\[\n\r]")


def _escape_plain(text: str) -> str:
    """Escape a stretch of text outside code spans."""
    text = text.replace("\\", "\\\\")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("|", "\\|").replace("`", "\\`")
    return text


def _safe_link(match: re.Match[str]) -> str:
    """Keep a link with a safe target; show any other as the text it is written as."""
    target = match.group(2)
    scheme = _SCHEME.match(target)
    if scheme is None and not target.startswith("//"):
        return match.group(0)  # relative: a page, an anchor
    if scheme is not None and scheme.group(0)[:-1].lower() in SAFE_SCHEMES:
        return match.group(0)
    return "\\" + match.group(0)  # \[text](target): Markdown shows it as text


def _split_code(text: str) -> list[tuple[bool, str]]:
    """Split ``text`` into (is_code_span, piece) parts, code spans with their fences."""
    parts: list[tuple[bool, str]] = []
    pos = 0
    for match in _CODE_SPAN.finditer(text):
        if match.start() > pos:
            parts.append((False, text[pos : match.start()]))
        parts.append((True, match.group(0)))
        pos = match.end()
    if pos < len(text):
        parts.append((False, text[pos:]))
    return parts


def _inline(text: str, *, cell: bool) -> str:
    """Escape one line of text (no newlines), keeping closed code spans.

    Inside a table cell GitHub splits cells on pipes before it parses code spans,
    so a pipe needs its backslash there too; in a paragraph it must not get one.
    """
    out: list[str] = []
    for is_code, piece in _split_code(text):
        if is_code and not (cell and "\\|" in piece):
            out.append(piece.replace("|", "\\|") if cell else piece)
        else:
            out.append(_escape_plain(piece))
    # On the whole line: a link's text may hold a code span. Escaping doubled every
    # backslash the user wrote, so each "[" here opens a link if a target follows.
    return _LINK.sub(_safe_link, "".join(out))


def _guard_line(line: str) -> str:
    """Make an already escaped paragraph line unable to start a block construct."""
    if _BLOCK_START.match(line):
        return "\\" + line
    ordered = _ORDERED.match(line)
    if ordered:
        return ordered.group(1) + "\\" + line[len(ordered.group(1)) :]
    return line


def _lines(text: str) -> list[str]:
    """The lines of ``text`` as they should show: soft-wrapped lines joined with a
    space, a blank line kept as ``""``. Code spans are put on one line first
    (Markdown shows a newline inside a code span as a space anyway)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    joined = "".join(
        piece.replace("\n", " ") if is_code else piece for is_code, piece in _split_code(text)
    )
    lines: list[str] = []
    for raw in joined.split("\n"):
        line = raw.strip()
        if lines and lines[-1] and line and not _OWN_LINE.match(line):
            lines[-1] += " " + line
        else:
            lines.append(line)
    return lines


@_memo
def md_text(text: str | None) -> str:
    """Render a description as Markdown paragraphs that show it as written."""
    if not text or not text.strip():
        return ""
    if _MARKUP.search(text) is None:
        return _guard_line(text.strip())
    paragraphs: list[list[str]] = [[]]
    for line in _lines(text):
        if line.strip():
            paragraphs[-1].append(_guard_line(_inline(line.strip(), cell=False)))
        elif paragraphs[-1]:
            paragraphs.append([])
    # A backslash at the end of a line is a hard line break inside a paragraph.
    return "\n\n".join("\\\n".join(lines) for lines in paragraphs if lines)


@_memo
def md_cell_text(text: str | None) -> str:
    """Render a description for one Markdown table cell (newlines as ``<br>``)."""
    if not text or not text.strip():
        return ""
    if _MARKUP.search(text) is None:
        return text.strip()
    return "<br>".join(_inline(line, cell=True) for line in _lines(text))


@_memo
def md_code_cell(text: str) -> str:
    """An inline code span safe in a table cell: shows ``text`` literally.

    GitHub cannot show a backslash right before a pipe inside a code span in a
    table (its cell splitter and its pipe unescaping disagree about it), so such
    text is shown as escaped plain text instead.
    """
    if text.isidentifier():  # a name, as most cells are: nothing in it to escape
        return f"`{text}`"
    text = text.replace("\r\n", "\n").replace("\n", " ")
    if "\\|" in text:
        return _escape_plain(text)
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


@_memo
def md_code(text: str) -> str:
    """An inline code span for a paragraph (not a table cell)."""
    if text.isidentifier():  # a name: nothing in it to escape
        return f"`{text}`"
    text = text.replace("\r\n", "\n").replace("\n", " ")
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def github_slug(heading: str, seen: dict[str, int] | None = None) -> str:
    """The anchor GitHub gives a heading whose *rendered text* is ``heading``.

    Lower-case; drop every character that is not a letter, digit, space, hyphen
    or underscore; spaces become hyphens. Repeated slugs get ``-1``, ``-2``, ...
    when ``seen`` is passed (one dict per page).
    """
    slug = "".join(ch for ch in heading.lower() if ch.isalnum() or ch in " -_")
    slug = slug.replace(" ", "-")
    if seen is not None:
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        if count:
            slug = f"{slug}-{count}"
    return slug
