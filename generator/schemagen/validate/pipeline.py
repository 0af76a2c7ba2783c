"""The whole front end: schema folder -> located issues and the normalized Schema.

load -> JSON Schema structure -> merge -> reference checks -> normalize ->
model checks -> lint. Each stage stops the pipeline only when what follows
could not run on its output; every problem found so far is reported at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..config import Project
from ..errors import Issue, SchemaInvalid, sort_issues
from ..model.schema import Schema, SourceMap
from ..normalize.normalizer import normalize
from ..normalize.resolver import Resolver
from ..normalize.routines import with_routines
from ..source.loader import RawFile, Sources, merge
from ..util.background import Job
from ..util.words import plural
from .lint import lint
from .partial import LEAF_SECTIONS, check_clean_part
from .reading import FolderRead, Meanwhile
from .references import check_references
from .reporter import Reporter
from .routines import check_routines
from .security import check_security
from .semantic import check_model


@dataclass
class ValidationResult:
    """Every issue found in a schema folder, and the model when there was no error."""

    project: Project
    schema: Schema | None
    source_map: SourceMap = field(default_factory=SourceMap)
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    def summary(self) -> str:
        """One line: ``schema OK: 15 entities, 231 columns, 9 enums, 60 indexes``."""
        schema = self.schema
        # (a schema that normalized may still have an error against the history)
        if schema is None or self.errors:
            text = f"schema invalid: {plural(len(self.errors), 'error')}"
            return text + (f", {plural(len(self.warnings), 'warning')}" if self.warnings else "")
        columns = sum(len(e.columns) for e in schema.entities)
        indexes = sum(len(e.indexes) for e in schema.entities)
        text = (
            f"schema OK: {plural(len(schema.entities), 'entity')}, {plural(columns, 'column')}, "
            f"{plural(len(schema.enums), 'enum')}, {plural(indexes, 'index')}"
        )
        if self.warnings:
            text += f", {plural(len(self.warnings), 'warning')}"
        return text


def load_and_validate(
    project: Project,
    *,
    normalized: Callable[[Schema], object] | None = None,
    warnings: bool = True,
) -> ValidationResult:
    """Load, validate, normalize and lint ``project``'s schema folder; never write a file.

    ``schema`` is None when there is any error; ``issues`` holds errors and
    warnings sorted by file, line and column. ``normalized`` is called with the
    schema as soon as it is built, before the reference checks, the model checks
    and lint, which may still find errors in it: a caller can start work that it
    drops then. For a large schema the reference checks run in a forked child
    while the schema is normalized (see :class:`PendingSchema`): the same result.
    ``warnings`` is :func:`load_schema_apart`'s.
    """
    front = _front(project, warnings=warnings)
    if isinstance(front, ValidationResult):
        return front
    if _large(front):
        # The reference checks in a child while this process normalizes (see
        # PendingSchema), the model checks and lint here after.
        return PendingSchema(front, normalized, names_early=True, rules_apart=False).result()
    early = None
    if normalized is not None and not front.report.has_errors:
        # The caller's work (build's docs child) may start before the reference
        # checks: it is dropped if they find an error (see the docstring).
        early = _normalized_early(front.src, front.resolver)
        if early is not None:
            normalized(early)
    return _checked(front, early, normalized)


@dataclass
class _Front:
    """The merged sources of a folder whose files parsed, before the checks."""

    project: Project
    src: Sources
    resolver: Resolver
    source_map: SourceMap
    report: Reporter
    #: False for a caller that shows no warnings (see :func:`load_schema_apart`).
    warnings: bool = True


def _front(
    project: Project,
    meanwhile: Meanwhile = None,
    *,
    warnings: bool = True,
    reading: FolderRead | None = None,
) -> _Front | ValidationResult:
    """Parse (unless ``reading`` is under way) and merge; a result already when a file
    could not be parsed at all."""
    folder = project.relative(project.schema_dir)
    # Without warnings a clean schema has no issue to locate: marks only if asked.
    if reading is None:
        reading = FolderRead(project, marks=warnings)
    raws, issues = reading.finish(meanwhile)
    if issues and not all(prunable(raw) for raw in raws):
        return _result(project, None, SourceMap(), issues)
    broken = prune(raws)
    src, merge_issues = merge(raws)
    src.broken = broken
    prune_entities_with_broken_mixins(src)
    source_map = build_source_map(src)
    report = Reporter(source_map, folder)
    report.issues.extend(issues)
    report.issues.extend(merge_issues)
    if src.database is None and ("database",) not in broken:
        report.issues.append(
            Issue(folder, 0, 0, "database", "no file defines the `database` block (name: ...)")
        )
    return _Front(project, src, Resolver(src), source_map, report, warnings)


def _checked(
    front: _Front, early: Schema | None, normalized: Callable[[Schema], object] | None = None
) -> ValidationResult:
    """The reference checks, normalizing (unless ``early`` is the schema already),
    the model checks and lint."""
    src, report = front.src, front.report
    _check_names(front, report)
    if report.has_errors:
        # The model checks still run on the part that has no error: all at once.
        check_clean_part(src, report, check_model)
        return _result(front.project, None, front.source_map, report.issues)
    schema = early or with_routines(normalize(src, front.resolver), front.resolver)
    if normalized is not None and early is None:
        normalized(schema)
    _check_rules(front, schema, report)
    final = None if report.has_errors else schema
    return _result(front.project, final, front.source_map, report.issues)


def _check_names(front: _Front, report: Reporter) -> None:
    """The checks on the merged sources: every name resolves, every parameter fits."""
    check_references(front.src, front.resolver, report)
    check_routines(front.src, front.resolver, report)
    check_security(front.src, front.resolver, report)


def _check_rules(front: _Front, schema: Schema, report: Reporter) -> None:
    """The checks on the normalized schema: the model's rules, then lint."""
    check_model(schema, front.src, report)
    if front.warnings:
        lint(schema, front.src, report)


#: From this many entities on, :func:`load_schema_apart` runs the checks in forked
#: children while the caller works on the schema (two cores); below, the forks and
#: sending the issues back cost more than the checks.
PARALLEL_CHECKS = 300


class PendingSchema:
    """A schema normalized before its checks are done (:func:`load_schema_apart`).

    ``schema`` may still be found invalid: work done on it must write nothing
    until :meth:`finish` has returned.
    """

    def __init__(
        self,
        front: _Front | ValidationResult,
        normalized: Callable[[Schema], object] | None = None,
        *,
        names_early: bool = False,
        rules_apart: bool = True,
    ) -> None:
        """Start the checks of ``front`` (see :func:`load_schema_apart`).

        With ``names_early`` the reference checks run in a child while the schema
        is normalized, then the model checks and lint in another child, or with
        ``rules_apart`` false in this process when :meth:`result` is asked.
        Otherwise all of them run in one child once the schema is normalized.
        ``normalized`` is :func:`load_and_validate`'s."""
        self._names: Job[list[Issue]] | None = None
        self._rules: Job[list[Issue]] | None = None
        #: The model checks' issues, found by another process's pool (:meth:`rules_task`).
        self._rules_found: list[Issue] | None = None
        self._whole: Job[tuple[list[Issue], bool]] | None = None
        self.schema: Schema | None = None
        self._done = (
            front
            if isinstance(front, ValidationResult)
            else self._start(front, normalized, names_early, rules_apart)
        )
        if self._done is not None:
            self.schema = self._done.schema

    def _start(
        self,
        front: _Front,
        normalized: Callable[[Schema], object] | None,
        names_early: bool,
        rules_apart: bool,
    ) -> ValidationResult | None:
        """Start the checks of a large schema; a small one is checked right here."""
        names, clean = None, not front.report.has_errors
        if names_early and _large(front):
            # The reference checks read only the merged sources: a child runs them
            # while this process normalizes, on the core that would idle meanwhile.
            names = Job(lambda: _new_issues(front.report, lambda r: _check_names(front, r)))
        try:
            early = _normalized_early(front.src, front.resolver) if clean else None
            if early is not None and normalized is not None:
                normalized(early)  # as load_and_validate does, before the checks
        except BaseException:
            if names is not None:
                names.cancel()
            raise
        if not names_early and early is not None and _large(front):
            # The sent issues are all there is to send: not the schema.
            self._whole = Job(lambda: _issues_of(_checked(front, early)))
            self.schema, self._front = early, front
            return None
        if names is None or early is None:
            if names is not None:
                names.cancel()
            return _checked(front, early, normalized)
        if rules_apart:  # the model checks and lint: in a second child, while the caller works
            rules = Job(lambda: _new_issues(front.report, lambda r: _check_rules(front, early, r)))
            self._rules = rules
        self.schema, self._front, self._names = early, front, names
        return None

    def finish(self) -> ValidationResult:
        """The checks' result, as :func:`load_schema` gives it: :class:`SchemaInvalid`
        on any error. Again: the same result."""
        result = self.result()
        if result.errors or result.schema is None:
            raise SchemaInvalid(result.errors)
        return result

    def result(self) -> ValidationResult:
        """The checks' result, as :func:`load_and_validate` gives it. Again: the same."""
        if self._done is None:
            self._done = self._joined()
        return self._done

    def _joined(self) -> ValidationResult:
        """The children's issues, as :func:`_checked` would have reported them."""
        front, schema = self._front, self.schema
        assert schema is not None
        if self._whole is not None:
            issues, valid = self._whole.result()
            self._whole = None
            final = schema if valid else None
            return ValidationResult(front.project, final, front.source_map, issues)
        assert self._names is not None
        # The reference checks first (their child is done by now: they take a third
        # of normalizing): the model checks may fail on what they reject.
        names, self._names = self._names.result(), None
        if any(issue.severity == "error" for issue in names):
            # Rare: then the model checks run on the clean part only (check_clean_part).
            self.cancel()
            return _checked(front, schema)
        if self._rules is not None:
            rules, self._rules = self._rules.result(), None
        elif self._rules_found is not None:
            rules = self._rules_found
        else:
            rules = _new_issues(front.report, lambda r: _check_rules(front, schema, r))
        # One Reporter would have dropped a rule's issue already reported by name.
        known = {(issue.path, issue.message) for issue in names}
        rules = [issue for issue in rules if (issue.path, issue.message) not in known]
        issues = [*front.report.issues, *names, *rules]
        valid = not any(issue.severity == "error" for issue in rules)
        return _result(front.project, schema if valid else None, front.source_map, issues)

    def rules_task(self) -> Callable[[], list[Issue]] | None:
        """The model checks (and lint), for the caller to run among its own tasks,
        in whichever process is free (``rules_apart`` false); None where they are
        not left to the caller (a small schema, or checked already). Hand their
        issues to :meth:`take_rules`; without them, :meth:`result` runs them here."""
        if self._names is None or self._rules is not None or self.schema is None:
            return None
        front, schema = self._front, self.schema
        return lambda: _new_issues(front.report, lambda r: _check_rules(front, schema, r))

    def take_rules(self, issues: list[Issue]) -> None:
        """The issues :meth:`rules_task` found, for :meth:`result`."""
        self._rules_found = issues

    def cancel(self) -> None:
        """Stop the checks (the caller gives up)."""
        for job in (self._names, self._rules, self._whole):
            if job is not None:
                job.cancel()
        self._names = self._rules = self._whole = None


def _issues_of(result: ValidationResult) -> tuple[list[Issue], bool]:
    return result.issues, result.schema is not None


def _new_issues(report: Reporter, checks: Callable[[Reporter], object]) -> list[Issue]:
    """The issues ``checks`` adds to a copy of ``report`` (a child's result; the copy
    leaves ``report`` as it was if the caller has to run them itself)."""
    copy = report.copy()
    checks(copy)
    return copy.issues[len(report.issues) :]


def load_schema_apart(
    project: Project,
    *,
    meanwhile: Meanwhile = None,
    names_early: bool = False,
    warnings: bool = True,
    reading: FolderRead | None = None,
    rules_apart: bool = True,
) -> PendingSchema:
    """Load and normalize ``project``'s schema, and check it while the caller works.

    For a large schema the checks run in a forked child once the schema is
    normalized (see :mod:`schemagen.util.background`); with ``names_early`` the
    reference checks run in a child of their own while the schema is normalized
    (which leaves the other core idle otherwise), then the model checks and lint
    in another one: for a caller whose work on the schema is short (``plan``) or
    that cannot start it before the schema is normalized (``check``). The caller
    diffs and renders meanwhile, then :meth:`PendingSchema.finish` reports the
    same errors, in the same order, as :func:`load_schema` would, and nothing was
    written. ``schema`` is None where the schema cannot even be normalized (then
    ``finish`` raises).
    ``meanwhile`` is passed on to :meth:`~schemagen.validate.reading.FolderRead.finish`.
    With ``warnings`` false, for a caller that shows none (``plan``, ``migrate``,
    ``build``, ``check``), lint is left out (it only warns) and the files' marks
    are found only where an issue asks (a clean schema: nowhere); the errors, and
    what the caller does with them, are the same. ``reading``: the folder's files,
    already being parsed by the caller's :class:`~schemagen.validate.reading.FolderRead`
    (with marks exactly when ``warnings``). With ``rules_apart`` false the model
    checks get no child of their own: the caller runs
    :meth:`PendingSchema.rules_task` among its own tasks (``check``), or they run
    when the result is asked.
    """
    if reading is not None and reading.marks != warnings:
        raise ValueError("load_schema_apart: the reading's marks must follow warnings")
    front = _front(project, meanwhile, warnings=warnings, reading=reading)
    return PendingSchema(front, names_early=names_early, rules_apart=rules_apart)


def _large(front: _Front) -> bool:
    """Whether the checks of a schema without a parse error are worth children."""
    return not front.report.has_errors and len(front.src.entities) >= PARALLEL_CHECKS


def _normalized_early(src: Sources, resolver: Resolver) -> Schema | None:
    """The schema normalized before the reference checks, or None where sources that
    they would reject make normalizing fail (it assumes names resolve). Whatever
    comes of such sources is never used: the checks then report their errors."""
    try:
        return with_routines(normalize(src, resolver), resolver)
    except Exception:  # noqa: BLE001 - any failure here is an error the checks name
        return None


def _definition(path: tuple[str, ...]) -> tuple[str, ...]:
    """The definition a problem belongs to: ("database",), (section, name), or one
    entry of an entity's indexes, unique or checks (entities, name, part, entry):
    nothing refers to those by name, so the rest of the entity is still checked."""
    if path[:1] == ("database",):
        return path[:1]
    if len(path) >= 4 and path[0] == "entities" and path[2] in LEAF_SECTIONS:
        return path[:4]
    return path[:2]


def _container(data: dict[str, Any], key: tuple[str, ...]) -> dict[str, Any] | None:
    """The mapping that holds definition ``key`` (None when there is none)."""
    node: Any = data
    for part in key[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


def prunable(raw: RawFile) -> bool:
    """Whether every problem of a file lies inside a definition that can be left out."""
    if raw.data is None:
        return False
    for path in raw.broken:
        key = _definition(path)
        if key != ("database",) and _container(raw.data, key) is None:
            return False
    return True


def prune(raws: list[RawFile]) -> set[tuple[str, ...]]:
    """Leave out every definition with a problem, so the checks after can trust the rest.

    Return the keys left out; names that refer to them are not reported again.
    """
    left_out: set[tuple[str, ...]] = set()
    for raw in raws:
        # Whole definitions first, so that an entry inside a left-out one is not sought.
        for key in sorted({_definition(path) for path in raw.broken}, key=len):
            container = _container(raw.data, key)
            if container is not None:
                container.pop(key[-1], None)
            left_out.add(key)
    return left_out


def prune_entities_with_broken_mixins(src: Sources) -> None:
    """An entity that uses a left-out mixin has unknown columns: leave it out too."""
    for name in sorted(src.entities):
        spec = src.entities[name]
        mixins = spec.get("mixins") if isinstance(spec, dict) else None
        if any(src.is_broken("mixins", m) for m in mixins or []):
            del src.entities[name]
            src.broken.add(("entities", name))


def build_source_map(src: Sources) -> SourceMap:
    """Every located YAML path, plus each mixin column under the entities that use it."""
    uses: dict[str, tuple[str, ...]] = {}
    for name, spec in src.entities.items():
        mixins = spec.get("mixins") if isinstance(spec, dict) else None
        if mixins:
            uses[name] = tuple(str(mixin) for mixin in mixins)
    return SourceMap(src.locations.with_mixin_columns(uses))


def _result(
    project: Project, schema: object, source_map: SourceMap, issues: list[Issue]
) -> ValidationResult:
    return ValidationResult(
        project=project,
        schema=schema if isinstance(schema, Schema) else None,
        source_map=source_map,
        issues=sort_issues(issues),
    )


def load_schema(
    project: Project,
    *,
    normalized: Callable[[Schema], object] | None = None,
    warnings: bool = True,
) -> ValidationResult:
    """Like :func:`validate_project`, but raise :class:`SchemaInvalid` on any error.

    ``normalized`` and ``warnings`` are passed on to :func:`load_and_validate`.
    """
    result = load_and_validate(project, normalized=normalized, warnings=warnings)
    if result.errors or result.schema is None:
        raise SchemaInvalid(result.errors)
    return result
