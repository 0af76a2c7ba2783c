"""The templates ship in the wheel: installed from a wheel into a fresh venv,
`schemagen build` works from any folder and renders what the source tree renders."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from fixtures.build.cases import REPO, built, copy_case, output_files


def run(*argv: str | Path, cwd: Path | None = None) -> str:
    out = subprocess.run(
        [str(a) for a in argv], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_wheel_install_builds_a_project_from_another_folder(tmp_path: Path) -> None:
    # Build from a copy of the sources, so the shared tree gets no build/ folder.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        if (REPO / name).exists():
            shutil.copy(REPO / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(REPO / "generator", src / "generator", ignore=ignore)
    shutil.copytree(REPO / "templates", src / "templates", ignore=ignore)
    wheels = tmp_path / "wheels"
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
        "-w", wheels, src)
    (wheel,) = wheels.glob("schemagen-*.whl")
    names = run(sys.executable, "-m", "zipfile", "-l", wheel)
    for template in ("models.py.j2", "database.py.j2", "env.py.j2", "alembic.ini.j2"):
        assert f"schemagen/templates/{template}" in names

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    py = venv / "bin" / "python"
    # schemagen's dependencies are the ones this suite runs with, seen through a .pth
    # file: every site-packages folder on this Python's path (the project's venv and,
    # when quickstart made it with --system-site-packages, the base Python's, which
    # holds some of them). `--system-site-packages` alone would show the base
    # Python's only, which on a fresh machine lacks pglast. A plain path in a .pth
    # file is added after the venv's own site-packages and the .pth files in it are
    # not run, so the source tree's editable install stays out of sight.
    purelib = run(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    ours = [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages")]
    (Path(purelib.strip()) / "suite_dependencies.pth").write_text(
        "".join(f"{path}\n" for path in ours), encoding="utf-8"
    )
    run(py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel)
    where = run(py, "-c", "import schemagen.templates as t; print(t.__file__)")
    assert where.startswith(str(venv)), where  # the wheel's copy, not the source tree

    project = copy_case("shop", tmp_path / "project")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = run(venv / "bin" / "schemagen", "build", "--project", project, cwd=elsewhere)
    assert "wrote generated/models.py" in out
    assert output_files(project, skip_docs=False) == output_files(built("shop"), skip_docs=False)
    assert (project / "alembic.ini").is_file()
