"""Drift findings as data: what ``schemagen check`` found, before anyone prints it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

#: Finding kinds, in the order a report lists them (cheap, local problems first).
KINDS = (
    "history",  # the migration history on disk is broken
    "pending",  # the schema changed since the latest revision's snapshot
    "file",  # a generated file differs from what `schemagen build` writes now
    "revision",  # a live database is not at the head revision
    "database",  # a live database's structure differs from the schema
)

#: What to do about a database object the schema declares and the database lacks.
UPGRADE_HINT = "run `alembic upgrade head` against this database"

#: What to do about a database object the schema does not declare.
EXTRA_HINT = "add it to schema/ or drop it from the database"

#: The hints of database findings that say no more than the advice the text report
#: gives their group once (upgrade, or undo the change by hand or edit schema/): the
#: text report leaves these out and shows every other hint of a database finding, each
#: line once, as the JSON report has it. Those are the statements and steps that repair
#: one finding (a comment set again, a replica identity, row security, a column's
#: settings, a rule or statistics dropped, an INVALID index finished...), which
#: upgrading at head does not carry out.
SHARED_ADVICE = frozenset({"", UPGRADE_HINT, EXTRA_HINT})

#: How the message of a check declared ``validated: false`` but validated by hand
#: starts: the rows hold it, so the schema is what to change (its own hint says so).
VALIDATED_BY_HAND = "is validated in the database"

#: How the message of a drifted comment starts.
COMMENT_MESSAGE = "comment is"


@dataclass(frozen=True)
class Finding:
    """One drifted thing: ``object`` names it, ``message`` says how, ``hint`` what to do.

    ``diff`` holds a unified diff for a drifted file when one was asked for.
    ``count`` is how many drifted things the line stands for: 0 for a heading
    such as "3 pending operations", N for "... and N more".
    """

    kind: str
    object: str
    message: str
    hint: str = ""
    diff: str | None = None
    count: int = 1

    def line(self) -> str:
        """The one-line text form: ``column products.sku: missing from the database``."""
        return f"{self.object}: {self.message}"

    def to_data(self) -> dict[str, str | int | None]:
        data = asdict(self)
        del data["count"]
        if data["diff"] is None:
            del data["diff"]
        return data
