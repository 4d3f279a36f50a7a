"""Fixtures that run the Snakemake workflow in a temporary copy of the repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import REPO

SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def copy_workflow(dest: Path) -> Path:
    """Copy what the workflow needs (no results, no environment) into ``dest``.

    NTL9 reads the shipped ``resources/structures/2HBA.pdb``: no network, no shared data.
    """
    for name in ("Snakefile", "workflow", "config", "resources", "envs"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / name)
    return dest


def assert_holds_temperature(traj, target: float, rel: float = 0.05) -> None:
    """A CG run was set to ``target`` K and its mean kinetic temperature (every step and
    replica, stored by run_cg_simulation in run_summary) is within ``rel`` of it."""
    assert traj.metadata["settings"]["temperature"] == target
    mean = traj.metadata["run_summary"]["mean_temperature"]
    assert mean == pytest.approx(target, rel=rel), f"mean temperature {mean:.1f} K"


def has_imc_tools() -> bool:
    """Whether VOTCA and LAMMPS are installed (the IMC rules need them)."""
    return all(shutil.which(tool) for tool in ("csg_inverse", "csg_dump", "lmp"))


#: why the IMC parts of the tiny workflow are skipped where the tools are absent
NO_IMC_TOOLS = (
    "VOTCA/LAMMPS not installed: the tiny workflow ran with imc.enabled false; install "
    "them with envs/install_imc_tools.sh (apt-get install votca votca-data lammps)"
)


def tiny_configs(workdir: Path) -> list[str]:
    """Config files of a tiny run in ``workdir``: tiny.yaml, plus an overlay that turns
    the IMC stage off where VOTCA/LAMMPS are absent (its tests skip, naming NO_IMC_TOOLS)."""
    if has_imc_tools():
        return ["config/tiny.yaml"]
    (workdir / "config" / "no_imc.yaml").write_text(
        "methane: {imc: {enabled: false}}\nwater: {imc: {enabled: false}}\n"
    )
    return ["config/tiny.yaml", "config/no_imc.yaml"]


def has_protein_data() -> bool:
    """Whether the tiny workflow includes NTL9 (its shipped structure is present)."""
    return (REPO / "resources" / "structures" / "2HBA.pdb").is_file()


def snakemake(workdir: Path, *args: str, check: bool = True, timeout: int = 1800):
    """Run Snakemake in ``workdir``; return the completed process (stdout+stderr merged)."""
    proc = subprocess.run(
        [*SNAKEMAKE, *args],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        pytest.fail(f"snakemake {' '.join(args)} failed:\n{proc.stdout[-6000:]}")
    return proc


#: the one-node test cluster (tests/slurm/cluster.sh)
SLURM_CLUSTER = REPO / "tests" / "slurm" / "cluster.sh"


def through_slurm() -> bool:
    """Whether this session's tiny run goes through ``profiles/slurm`` (CI sets
    ``CGEXPLAIN_SLURM_TEST=1`` and installs the cluster's Debian packages)."""
    return os.environ.get("CGEXPLAIN_SLURM_TEST") == "1"


@pytest.fixture(scope="session")
def slurm_cluster():
    """A one-node SLURM cluster on localhost, up for the whole session (needs root)."""
    if os.geteuid() != 0 or shutil.which("sbatch") is None:
        pytest.fail("CGEXPLAIN_SLURM_TEST=1 needs root and `bash tests/slurm/cluster.sh install`")
    subprocess.run(["bash", str(SLURM_CLUSTER), "stop"], check=False, capture_output=True)
    subprocess.run(["bash", str(SLURM_CLUSTER), "start"], check=True, timeout=180)
    yield
    subprocess.run(["bash", str(SLURM_CLUSTER), "stop"], check=False, timeout=120)


def slurm_args(workdir: Path) -> list[str]:
    """Arguments that send a run through ``profiles/slurm`` with quick status checks.

    Relevance jobs take 2 threads there (1 in the default config), so the SLURM test
    sees a config value, not the 1-cpu default, reach ``sbatch``."""
    shutil.copytree(REPO / "profiles", workdir / "profiles", dirs_exist_ok=True)
    (workdir / "config" / "threads2.yaml").write_text("threads: {relevance: 2}\n")
    return [
        "--workflow-profile",
        "profiles/slurm",
        "--slurm-init-seconds-before-status-checks",
        "2",
        "--seconds-between-status-checks",
        "2",
    ]


#: seconds the whole tiny DAG may take (about 13 min with --cores 2 on the 2-core CI
#: machine, more through SLURM: one sbatch job, and one Snakemake start, per rule instance)
TINY_TIMEOUT = 3600


@pytest.fixture(scope="session")
def tiny_run(request, tmp_path_factory) -> Path:
    """The whole tiny DAG, run once per test session: with ``--cores 2``, or through
    ``sbatch`` on the test cluster when ``CGEXPLAIN_SLURM_TEST=1`` (one tiny DAG per CI
    run; ``test_slurm_profile.py`` then reads ``sacct``).

    ``CGEXPLAIN_TINY_RUN=<dir>`` reuses an earlier session's run directory while
    editing tests: the workflow files are copied over it again and Snakemake brings it
    up to date (only jobs whose inputs, scripts or settings changed run; a change of the
    library in ``workflow/lib`` alone reruns nothing).
    """
    reuse = os.environ.get("CGEXPLAIN_TINY_RUN")
    workdir = Path(reuse) if reuse else tmp_path_factory.mktemp("tiny")
    if reuse:
        for name in ("workflow", "config", "resources", "envs"):
            shutil.rmtree(workdir / name, ignore_errors=True)
    workdir = copy_workflow(workdir)
    configs = tiny_configs(workdir)
    if through_slurm():
        request.getfixturevalue("slurm_cluster")
        args = slurm_args(workdir)
        snakemake(
            workdir, *args, "--configfile", *configs, "config/threads2.yaml", timeout=TINY_TIMEOUT
        )
    else:
        snakemake(workdir, "--cores", "2", "--configfile", *configs, timeout=TINY_TIMEOUT)
    return workdir
