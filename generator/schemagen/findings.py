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

#: How the message of a finding starts when a failed revision left the object
#: half-built (an INVALID index, a NOT VALID constraint): its own hint says how to
#: repair it, which the advice shared by a group of findings does not cover.
HALF_BUILT = ("is INVALID:", "is NOT VALID:")

#: How the object of a finding starts when the schema language cannot declare it (a
#: rule, extended statistics, a partition's or a view's CLUSTER ON mark, a comment on
#: a view's column): "edit schema/" cannot be the way, so its own hint (the statement
#: that drops it) is shown too. A table's CLUSTER ON mark (cluster_on:) shares the
#: prefix: upgrading at head does not set it again, so its statement is shown too.
UNDECLARABLE = ("rule ", "statistics ", "cluster on ", "comment on view column ")

#: How the message of a finding starts when a table or partition is partitioned by
#: another key in the database (or partitioned on one side only): upgrading cannot
#: change a partition key, so its own hint (make it again, declare the database's, or
#: the statements that make a partition plain again) is shown too.
PARTITION_KEY_MESSAGE = "partitioned by "

#: How the message of a check declared ``validated: false`` but validated by hand
#: starts: the rows hold it, so the schema is what to change (its own hint says so),
#: not the database, as the advice shared by the group says.
VALIDATED_BY_HAND = "is validated in the database"

#: How the message of a drifted comment starts. At head, upgrading changes no
#: comment: a hint of its own (the statement that sets or removes it) is shown too.
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
