#!/usr/bin/env bash
# Set up a fresh machine and run schemagen's main job on the flagship schema:
# install PostgreSQL (when initdb is missing), create the virtual environment
# .venv/ (reused when present) and install the package with its dev extra into
# it, validate schema/, check that the committed generated/ did not drift,
# build, and prove the flagship migrations on a throwaway PostgreSQL server.
#
# Everything is installed into .venv/, never into the system Python: Debian 12
# and Ubuntu 24.04 refuse `pip install` there (PEP 668, externally-managed-environment).
# Afterwards `. .venv/bin/activate` puts schemagen, alembic and pytest on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ -z "${APT_UPDATED:-}" ]; then $sudo apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "== installing PostgreSQL (Debian package postgresql)"
  apt_install postgresql
fi

# PostGIS (and pgvector where the distribution has it) for the extension-type tests.
PGBIN_SHARE=$(ls -d /usr/share/postgresql/*/ 2>/dev/null | sort -V | tail -1)
if [ -n "$PGBIN_SHARE" ] && [ ! -f "$PGBIN_SHARE/extension/postgis.control" ]; then
  echo "== installing the PostGIS and pgvector extensions"
  PGMAJOR=$(basename "$PGBIN_SHARE")
  apt_install "postgresql-$PGMAJOR-postgis-3"
  # Not every Debian release packages pgvector: its tests skip without it.
  apt_install "postgresql-$PGMAJOR-pgvector" 2>/dev/null \
    || echo "   postgresql-$PGMAJOR-pgvector is not packaged here; skipped"
fi

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
  echo "== creating the virtual environment $VENV"
  # System site-packages stay visible, so what the machine already has is reused;
  # whatever is missing or too old comes from PyPI into the venv. A system pip is
  # reused too (copying one in with ensurepip takes seconds).
  if python3 -m pip --version >/dev/null 2>&1; then
    python3 -m venv --clear --system-site-packages --without-pip "$VENV"
  elif ! python3 -m venv --clear --system-site-packages "$VENV" >/dev/null 2>&1; then
    # Debian and Ubuntu ship venv's pip bootstrap (ensurepip) separately.
    echo "== installing python3-venv (Debian package)"
    rm -rf "$VENV"
    apt_install python3-venv
    python3 -m venv --system-site-packages "$VENV"
  fi
else
  echo "== reusing the virtual environment $VENV"
fi
# shellcheck disable=SC1091
. "$VENV/bin/activate"

echo "== installing schemagen with its dev extra into $VENV"
pip_install() { python -m pip install -q --disable-pip-version-check "$@"; }
pip_install -e '.[dev]'
# A tool found in the system site-packages keeps its command in the system's bin
# folder, where it runs the system Python, which cannot import schemagen: give the
# venv its own `alembic` and `pytest` commands (same versions, no dependencies).
missing=()
for tool in alembic pytest; do
  [ -x "$VENV/bin/$tool" ] || missing+=("$tool==$(python -c \
    "import importlib.metadata as m; print(m.version('$tool'))")")
done
[ ${#missing[@]} -eq 0 ] || pip_install --no-deps --ignore-installed "${missing[@]}"

echo "== schemagen validate"
schemagen validate --strict
# check before build: the committed generated/ must already equal a fresh build.
echo "== schemagen check"
schemagen check --no-cache
echo "== schemagen build"
schemagen build
echo "== flagship migrations on a throwaway PostgreSQL"
python scripts/flagship_demo.py
echo "== done: run the tests with .venv/bin/python -m pytest -q -n auto --dist loadfile" \
  "(or . .venv/bin/activate first, then schemagen, alembic and pytest are on PATH)"
