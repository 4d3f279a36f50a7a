#!/usr/bin/env bash
# Create or update the workflow's Python environment in .venv/ at the repository root.
# Idempotent: does nothing when .venv matches envs/requirements.txt, envs/constraints.txt
# and pyproject.toml. Needs Python 3.11 (set PYTHON=/path/to/python3.11 to choose one).
set -euo pipefail
cd "$(dirname "$0")/.."

stamp_of() { cat envs/requirements.txt envs/constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1; }
want=$(stamp_of)
if [ -x .venv/bin/python ] && [ "$(cat .venv/.cgexplain-stamp 2>/dev/null)" = "$want" ]; then
  exit 0
fi

PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [ "$version" != "3.11" ]; then
  echo "envs/setup.sh: Python 3.11 is required, $PYTHON is $version (set PYTHON=...)" >&2
  exit 1
fi

echo "envs/setup.sh: installing the environment into .venv/ (a few minutes)" >&2
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r envs/requirements.txt -c envs/constraints.txt
.venv/bin/python -m pip install --quiet --no-deps -e .
.venv/bin/python -c "import cgexplain, schnetpack, openmm, snakemake" >/dev/null
echo "$want" > .venv/.cgexplain-stamp
echo "envs/setup.sh: environment ready" >&2
