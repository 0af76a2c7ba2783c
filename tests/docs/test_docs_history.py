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


def test_a_cost_line_wrapped_in_the_revision_stays_with_its_operation(tmp_path: Path) -> None:
    # A foreign key to each of three long-named tables makes the new table's cost
    # line (the lock on every referenced table) longer than a docstring line.
    names = ["warehouse_locations_of_stores", "product_variants_by_sku", "stores_of_merchants"]
    entities = "".join(
        f"  T{i}:\n    table: {name}\n    columns:\n"
        "      id: {type: bigint, primary_key: true}\n"
        for i, name in enumerate(names)
    )
    refs = "".join(
        f"      r{i}: {{type: bigint, references: T{i}.id}}\n" for i in range(len(names))
    )
    root = tmp_path / "shop"
    (root / "schema").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.schemagen]\nschema = "schema"\n')
    (root / "schema" / "shop.yaml").write_text(
        "database:\n  name: shop\nentities:\n" + entities
        + "  Item:\n    table: inventory_items\n    columns:\n"
        "      id: {type: bigint, primary_key: true}\n" + refs
    )
    run(root, "migrate", "-m", "initial")
    revision = next((root / "generated" / "migrations" / "versions").glob("000_*.py")).read_text()
    lock = "SHARE ROW EXCLUSIVE on " + ", ".join(sorted(names))
    # the docstring wraps the long cost line, its continuation indented as the cost is
    cost = revision[revision.index("+ table inventory_items") :].splitlines()[1:3]
    assert cost[0].startswith("    lock ACCESS EXCLUSIVE") and cost[1].startswith("    "), cost
    page = (root / "generated" / "docs" / "history.md").read_text()
    plan = [line for line in page.splitlines() if line.startswith("- `")]
    assert len(plan) == 4, plan  # one line per operation: three tables and the item table
    assert f"- `+ table inventory_items` (lock ACCESS EXCLUSIVE, no scan; {lock})" in plan
