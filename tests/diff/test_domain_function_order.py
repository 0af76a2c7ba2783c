"""The order of domains and the functions they call in a plan (corpus 104's schemas):
a function a new domain's default or check calls comes before the domain, a
function taking a new domain after it (each step the first that may come, domains
before functions); a dropped domain goes before the function
its default called. The downgrade is the reverse, so it drops them the other way
round; apply(old, plan) is the new schema and the reverse plan goes back."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import schema_of
from schemagen.diff.compare import diff
from schemagen.diff.snapshot import ddl_view, same_ddl
from schemagen.operations.domain import CreateDomain, DropDomain
from schemagen.operations.plan import apply
from schemagen.operations.routines import CreateFunction, DropFunction

CASE = Path(__file__).parents[1] / "corpus" / "104_domain_calls_a_function"


def _steps(ops: object) -> list[str]:
    found = []
    for op in ops:  # type: ignore[attr-defined]
        if isinstance(op, CreateDomain | DropDomain):
            found.append(f"{type(op).__name__} {op.domain.name}")
        elif isinstance(op, CreateFunction | DropFunction):
            found.append(f"{type(op).__name__} {op.function.name}")
    return found


def test_functions_a_domain_calls_come_before_it_and_go_after_it(tmp_path: Path) -> None:
    old = schema_of(tmp_path / "old", {"s.yaml": (CASE / "before" / "schema.yaml").read_text()})
    new = schema_of(tmp_path / "new", {"s.yaml": (CASE / "after" / "schema.yaml").read_text()})
    plan = diff(old, new)
    assert _steps(plan.operations) == [
        "CreateFunction is_slug",
        "CreateDomain slug",
        "CreateFunction next_code",
        "CreateDomain code",
        "CreateFunction short_slug",
        "CreateDomain tag",
        "DropDomain legacy_code",
        "DropFunction legacy_code",
    ]
    assert _steps(plan.reverse().operations) == [
        "CreateFunction legacy_code",
        "CreateDomain legacy_code",
        "DropDomain tag",
        "DropFunction short_slug",
        "DropDomain code",
        "DropFunction next_code",
        "DropDomain slug",
        "DropFunction is_slug",
    ]
    assert same_ddl(ddl_view(apply(old, plan)), ddl_view(new))
    assert same_ddl(ddl_view(apply(new, plan.reverse())), ddl_view(old))


def test_domains_that_call_no_function_keep_their_place(tmp_path: Path) -> None:
    """Domains first, then the functions the tables call, as before."""
    text = """
    functions:
      stamp: {returns: bigint, body: "BEGIN RETURN 1; END"}
    domains:
      amount: {type: numeric, checks: {amount_positive: "VALUE > 0"}}
    entities:
      Order:
        columns:
          id: {type: bigint, primary_key: true, identity: false, default: {sql: "stamp()"}}
          total: {type: amount}
    """
    plan = diff(schema_of(tmp_path / "o", {"s.yaml": "entities: {}\n"}),
                schema_of(tmp_path / "n", {"s.yaml": text}))
    assert _steps(plan.operations) == ["CreateDomain amount", "CreateFunction stamp"]
