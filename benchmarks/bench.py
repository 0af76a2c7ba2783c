"""Whole-process timings of schemagen commands: a benchmark, not a test.

Two parts, each the median of several runs of a fresh process (what a user
or a pre-commit hook pays, interpreter start-up and imports included):

1. The pre-commit floor: ``python -c "import yaml, jinja2"`` next to
   ``schemagen check`` on the flagship project (a temp copy of this repo's
   schema/ and generated/). Goal: check at most 3x the floor.
2. Scale: synthetic schemas of 100, 500 and 2,000 tables
   (``benchmarks/synthetic.py``): ``validate``, ``build`` (into an empty output
   folder each run), ``plan`` and ``check`` (after ``migrate`` wrote the first
   revision, so check has a clean project to verify). Goal: 2,000 tables built
   in at most 3 s, time linear in tables.

    python benchmarks/bench.py                 # everything, 5 runs each
    python benchmarks/bench.py --runs 3 --sizes 100,500
    python benchmarks/bench.py --floor-only
    python benchmarks/bench.py --floor-only --sizes "" --pairs 200,2000 --peers DIR

3. Side by side (``--pairs``, see ``pairs.py``): schemagen's commands next to
   Alembic, migra, sqlacodegen, ``create_all`` and ``psql``, on a throwaway
   PostgreSQL cluster, the peers from their own virtual environment.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_project  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SCHEMAGEN = shutil.which("schemagen")


def schemagen_argv(*args: str) -> list[str]:
    """The installed console script, as a user runs it; else ``python -m``."""
    if SCHEMAGEN:
        return [SCHEMAGEN, *args]
    return [sys.executable, "-m", "schemagen.cli", *args]


#: Seconds after which one command run is abandoned (set by --timeout).
TIMEOUT = 300.0


class TooSlow(Exception):
    """One run took longer than TIMEOUT; the row shows ``>TIMEOUT`` instead."""


#: The environment of every timed run. Without bytecode files every run compiles
#: schemagen from source (tens of ms); a real install has them, so let Python
#: write them (the warm-up run does) even where PYTHONDONTWRITEBYTECODE is set.
RUN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(argv: list[str], cwd: Path | None = None, ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            argv, cwd=cwd, env=RUN_ENV, capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        raise TooSlow from None
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    return elapsed


def median_time(
    argv: list[str],
    runs: int,
    cwd: Path | None = None,
    before: Callable[[], None] | None = None,
    ok: tuple[int, ...] = (0,),
) -> float:
    """Median wall time of ``runs`` fresh processes (one unmeasured warm-up run first)."""
    if before:
        before()
    run_once(argv, cwd, ok)  # warm the OS file cache and __pycache__
    times = []
    for _ in range(runs):
        if before:
            before()
        times.append(run_once(argv, cwd, ok))
    return statistics.median(times)


def copy_flagship(dest: Path) -> Path:
    for name in ("schema", "generated"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, dest / name)
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")
    return dest


def _clean(project: Path) -> bool:
    proc = subprocess.run(schemagen_argv("check", "--project", str(project)), capture_output=True)
    return proc.returncode == 0


def floor_report(runs: int, tmp: Path) -> None:
    floor = median_time([sys.executable, "-c", "import yaml, jinja2"], runs)
    python = median_time([sys.executable, "-c", "pass"], runs)
    project = copy_flagship(tmp / "flagship")
    p = ["--project", str(project)]
    run_once(schemagen_argv("build", *p))
    if not _clean(project):
        # A tree without the flagship history yet: make one, so check has a clean project.
        run_once(schemagen_argv("migrate", *p, "-m", "initial schema"))
    check = median_time(schemagen_argv("check", "--project", str(project)), runs)
    print(f"== pre-commit floor (median of {runs} runs, seconds)")
    print(f"python -c pass                 {python:6.3f}")
    print(f"python -c 'import yaml, jinja2' {floor:6.3f}   (floor)")
    print(
        f"schemagen check (flagship)     {check:6.3f}   = {check / floor:.2f}x floor (goal <= 3x)"
    )
    print()


def scale_report(sizes: list[int], runs: int, tmp: Path) -> None:
    print(f"== scale (median of {runs} runs, seconds; build into an empty output folder)")
    print(
        f"{'tables':>6} {'validate':>9} {'build':>7} {'plan':>7} {'check':>7} "
        f"{'build/table (ms)':>17}"
    )
    for size in sizes:
        project = write_project(tmp / f"synthetic_{size}", size)
        cells = [_timed(cmd, project, runs) for cmd in ("validate", "build", "plan", "check")]
        build = cells[1]
        per_table = f"{1000 * build / size:.2f}" if build is not None else "-"
        shown = [f"{c:.3f}" if c is not None else f">{TIMEOUT:.0f}" for c in cells]
        print(
            f"{size:>6} {shown[0]:>9} {shown[1]:>7} {shown[2]:>7} {shown[3]:>7} {per_table:>17}",
            flush=True,
        )
    print()


def _timed(command: str, project: Path, runs: int) -> float | None:
    """Median time of one command on ``project``; None when a run timed out.

    ``build`` runs into an empty output folder each time; before ``plan`` the
    first revision is written (``migrate``), so ``plan`` and ``check`` see a
    project with a history, as in real use.
    """
    p = ["--project", str(project)]
    output = project / "generated"
    # The previous run's output is moved aside, not deleted, until every run is
    # timed: on an ext4 without a journal (this benchmark's VM) the kernel scans
    # past each inode freed in the last 30 s (``recently_deleted``) for every new
    # file, so deleting 2,000 files just before a build cost it up to 1 s of
    # kernel time that a journaled file system does not spend.
    aside = project.parent / f".{project.name}-old-outputs"

    def clean_output() -> None:
        if output.exists():
            aside.mkdir(exist_ok=True)
            output.rename(aside / str(len(list(aside.iterdir()))))

    try:
        if command == "build":
            try:
                return median_time(schemagen_argv("build", *p), runs, before=clean_output)
            finally:
                shutil.rmtree(aside, ignore_errors=True)
        if command == "plan":
            run_once(schemagen_argv("migrate", *p, "-m", "initial schema"))
        # check exits 1 (drift) if migrate timed out above; its time still counts
        return median_time(schemagen_argv(command, *p), runs, ok=(0, 1))
    except TooSlow:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command")
    parser.add_argument("--sizes", default="100,500,2000", help="comma-separated table counts")
    parser.add_argument("--floor-only", action="store_true", help="skip the scale part")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    parser.add_argument(
        "--pairs", default="", help="table counts for the side-by-side part (pairs.py)"
    )
    parser.add_argument(
        "--peers", type=Path, default=None,
        help="venv with migra, sqlacodegen, psycopg2 (default: made on first use, peers.py)",
    )
    parser.add_argument(
        "--pair-rows",
        default="check,rest",
        help="which side-by-side rows: check (check --database and its peers), rest",
    )
    args = parser.parse_args(argv)
    global TIMEOUT
    TIMEOUT = args.timeout
    print(
        f"python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}"
    )
    print()
    with tempfile.TemporaryDirectory(prefix="schemagen-bench-") as tmp:
        floor_report(args.runs, Path(tmp))
        if not args.floor_only:
            scale_report([int(s) for s in args.sizes.split(",") if s], args.runs, Path(tmp))
        if args.pairs:
            from pairs import pairs_report
            from peers import peer_env

            sizes = [int(s) for s in args.pairs.split(",") if s]
            rows = tuple(r for r in args.pair_rows.split(",") if r)
            pairs_report(sizes, args.runs, Path(tmp), args.peers or peer_env(), rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
