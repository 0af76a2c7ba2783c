"""What the all-or-nothing commit (util.commit) costs on the 2,000-table build.

A benchmark, not a test. It renders the synthetic 2,000-table project once, then
times writing all of its files into an empty output folder two ways: file by
file (``util.writer.write_files``, temp file + rename each, as build did before)
and through ``util.commit`` (staged, journal, moved into place). It also times
whole ``schemagen build`` processes into an empty output folder (the 3 s goal)
and the lock plus recovery check that every build now starts with.

    python benchmarks/crash_safety.py [--tables 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import schemagen_argv  # noqa: E402
from schemagen.config import load_project  # noqa: E402
from schemagen.render.build import render_all  # noqa: E402
from schemagen.util.commit import Changes, commit, writing  # noqa: E402
from schemagen.util.writer import pending_writes, write_files  # noqa: E402
from schemagen.validate.pipeline import load_schema  # noqa: E402
from synthetic import write_project  # noqa: E402


def _median(func, runs: int, before) -> str:  # type: ignore[no-untyped-def]
    """Median wall and CPU (user + system) seconds of ``func``: on a busy machine
    the CPU time is the steadier of the two."""
    walls, cpus = [], []
    for _ in range(runs):
        before()
        start, cpu = time.perf_counter(), _cpu()
        func()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
    return f"{statistics.median(walls):.3f} wall, {statistics.median(cpus):.3f} cpu"


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _process(argv: list[str]) -> None:
    subprocess.run(argv, check=True, capture_output=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="schemagen-commit-") as tmp:
        root = write_project(Path(tmp) / "p", args.tables)
        project = load_project(root)
        files = render_all(project, load_schema(project).schema)  # type: ignore[arg-type]
        output = project.output_dir

        def clean() -> None:
            shutil.rmtree(output, ignore_errors=True)

        def by_file() -> None:
            write_files(root, files)

        def committed() -> None:
            modes: dict[str, int | None] = {}
            writes, _, _ = pending_writes(root, files, modes)
            commit(output, Changes(root, writes, modes=modes), "schemagen build")

        def lock_and_recover() -> None:
            with writing(root, output):
                pass

        print(f"{args.tables} tables, {len(files)} files, median of {args.runs} runs (seconds)")
        runs = args.runs
        build = schemagen_argv("build", "--project", str(root))
        rows = [
            ("write file by file (before)", by_file, clean),
            ("commit: staged + journal (now)", committed, clean),
            ("lock + recovery check", lock_and_recover, by_file),
            ("schemagen build, empty output", lambda: _process(build), clean),
            ("schemagen build, nothing changed", lambda: _process(build), lambda: None),
        ]
        for label, func, before in rows:
            print(f"  {label + ':':<34} {_median(func, runs, before)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
