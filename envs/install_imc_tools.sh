#!/usr/bin/env bash
# VOTCA (csg_inverse, csg_stat) and LAMMPS for the IMC rules, from Debian/Ubuntu (root).
# Without root: envs/votca.yaml (conda-forge) with `snakemake --sdm conda`.
set -euo pipefail
if command -v csg_inverse >/dev/null && command -v lmp >/dev/null; then
  echo "VOTCA and LAMMPS already installed: $(command -v csg_inverse) $(command -v lmp)"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install_imc_tools.sh needs root and apt-get; otherwise use envs/votca.yaml" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends votca votca-data lammps >/dev/null
echo "installed: $(command -v csg_inverse) $(command -v lmp)"
