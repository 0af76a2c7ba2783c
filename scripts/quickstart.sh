#!/usr/bin/env bash
# Set up a fresh machine and run schemagen's main job on the flagship schema:
# install PostgreSQL (when initdb is missing) and the package with its dev extra,
# validate schema/, check that the committed generated/ did not drift, build, and
# prove the flagship migrations on a throwaway PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "== installing PostgreSQL (Debian package postgresql)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi

echo "== installing schemagen with its dev extra"
python3 -m pip install -q --disable-pip-version-check -e '.[dev]'

echo "== schemagen validate"
schemagen validate --strict
# check before build: the committed generated/ must already equal a fresh build.
echo "== schemagen check"
schemagen check --no-cache
echo "== schemagen build"
schemagen build
echo "== flagship migrations on a throwaway PostgreSQL"
python3 scripts/flagship_demo.py
