#!/usr/bin/env bash
# Create or update the workflow's Python environment in .venv/ at the repository root.
# Idempotent: does nothing when .venv matches envs/requirements.txt, envs/constraints.txt
# and pyproject.toml. Needs Python 3.11 (set PYTHON=/path/to/python3.11 to choose one).
set -euo pipefail
cd "$(dirname "$0")/.."

# VOTCA and LAMMPS for the IMC control (rules/imc.smk), installed with the environment:
# Debian packages with root and apt, else a conda-forge environment in .imc-tools/ where
# conda is present (the workflow puts .imc-tools/bin on PATH). Without either the
# workflow leaves the IMC stage out and says so; the rest of the study runs.
imc_tools() {
  if command -v csg_inverse >/dev/null && command -v csg_stat >/dev/null \
    && command -v lmp >/dev/null; then
    return 0
  fi
  [ -x .imc-tools/bin/csg_inverse ] && [ -x .imc-tools/bin/lmp ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "envs/setup.sh: installing VOTCA and LAMMPS (apt-get)" >&2
    bash envs/install_imc_tools.sh >&2 && return 0
  elif command -v mamba >/dev/null 2>&1 || command -v conda >/dev/null 2>&1; then
    conda=$(command -v mamba || command -v conda)
    echo "envs/setup.sh: installing VOTCA and LAMMPS into .imc-tools/ (conda-forge)" >&2
    "$conda" create --yes --quiet --prefix .imc-tools -c conda-forge votca lammps >&2 \
      && return 0
  fi
  echo "envs/setup.sh: VOTCA/LAMMPS not installed (needs root with apt-get, or conda):" \
    "the workflow will leave the IMC stage out" >&2
}

# The fused PaiNN edge kernels (workflow/lib/cgexplain/potentials/csrc), compiled for this
# CPU into .venv/cgexplain-extensions/ (about a minute the first time, seconds after). A
# failed build is not fatal: the workflow then runs the pure-PyTorch kernels and says so.
edge_kernels() {
  .venv/bin/python -m cgexplain.potentials.extension >&2 \
    || echo "envs/setup.sh: the fused PaiNN edge kernels did not build;" \
      "the workflow uses the pure-PyTorch ones" >&2
}

stamp_of() { cat envs/requirements.txt envs/constraints.txt pyproject.toml | sha256sum | cut -d' ' -f1; }
want=$(stamp_of)
if [ -x .venv/bin/python ] && [ "$(cat .venv/.cgexplain-stamp 2>/dev/null)" = "$want" ]; then
  edge_kernels
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
imc_tools  # once per environment update: a later call with the tools missing stays quiet
edge_kernels
echo "$want" > .venv/.cgexplain-stamp
echo "envs/setup.sh: environment ready" >&2
