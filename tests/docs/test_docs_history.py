"""The migration history page and the revisions each entity page links to."""

from __future__ import annotations

import textwrap
from pathlib import Path

from click.testing import CliRunner
from docs_checks import check_links
from schemagen.cli import main

BLOG = """
database:
  name: blog
entities:
  Author:
    columns:
      id: {type: bigint, primary_key: true}
      bio: {type: text}
  Post:
    columns:
      id: {type: bigint, primary_key: true}
      title: {type: text}
"""


def run(root: Path, *args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, [args[0], "--project", str(root), *args[1:]])
    assert result.exit_code == code, result.output
    return result.output


def test_history_page_lists_each_revision_and_entity_pages_link_them(tmp_path: Path) -> None:
    root = tmp_path / "blog"
    (root / "schema").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.schemagen]\nschema = "schema"\n')
    yaml = root / "schema" / "blog.yaml"
    yaml.write_text(textwrap.dedent(BLOG))
    run(root, "migrate", "-m", "initial schema")
    yaml.write_text(yaml.read_text().replace("bio: {type: text}", "name: {type: text}"))
    run(root, "migrate", "-m", "author | name", "--allow-destructive")
    # migrate built the docs before writing its revision: they list it already
    assert run(root, "check", "--no-cache").startswith("check OK")

    docs = root / "generated" / "docs"
    page = (docs / "history.md").read_text()
    assert (
        "| [`000`](history.md#revision-000-initial-schema) | initial schema | "
        "[`authors`](entities/authors.md), [`posts`](entities/posts.md) |  |\n"
        "| [`001`](history.md#revision-001-author--name) | author \\| name | "
        "[`authors`](entities/authors.md) | 2 |\n"
    ) in page
    section = page[page.index("## Revision 001: author \\| name") :]
    lines = section.splitlines()[2:]
    assert [line.split(" (lock")[0] for line in lines] == [
        "Tables: [`authors`](entities/authors.md).",
        "",
        "- `- column authors.bio`",
        "- `+ column authors.name text NOT NULL`",
        "",
        "Destructive (written with `--allow-destructive`):",
        "",
        "- drops column authors.bio and its values",
        "- adds NOT NULL column authors.name without a default (fails if the table has rows)",
    ]
    assert lines[2] == "- `- column authors.bio` (lock ACCESS EXCLUSIVE, no scan)"  # its cost
    authors = (docs / "entities" / "authors.md").read_text()
    assert (
        "Changed by revisions [`000`](../history.md#revision-000-initial-schema), "
        "[`001`](../history.md#revision-001-author--name)"
    ) in authors
    posts = (docs / "entities" / "posts.md").read_text()
    assert "Changed by revision [`000`](../history.md#revision-000-initial-schema) (" in posts
    assert "[migration history](history.md)" in (docs / "README.md").read_text()
    pages = {f"docs/{p.relative_to(docs).as_posix()}": p.read_text() for p in docs.rglob("*.md")}
    check_links(pages)


def test_without_revisions_the_page_says_how_to_start(tmp_path: Path) -> None:
    root = tmp_path / "blog"
    (root / "schema").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.schemagen]\nschema = "schema"\n')
    (root / "schema" / "blog.yaml").write_text(textwrap.dedent(BLOG))
    run(root, "build")
    docs = root / "generated" / "docs"
    assert 'No revisions yet: run `schemagen migrate -m "initial schema"`.' in (
        (docs / "history.md").read_text()
    )
    assert "No revision has created or changed this table yet." in (
        (docs / "entities" / "posts.md").read_text()
    )
