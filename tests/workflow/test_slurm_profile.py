"""The session's tiny run went through `--workflow-profile profiles/slurm` on a one-node
SLURM cluster: every job was an sbatch job with the resources its rule declares.

Needs root and the Debian packages slurm-wlm, slurmdbd, munge and mariadb-server
(`bash tests/slurm/cluster.sh install`); runs only with CGEXPLAIN_SLURM_TEST=1, which
`.ci/run` sets. Then the shared ``tiny_run`` fixture itself runs through the profile
(one tiny DAG per CI run), and this test reads what ``sacct`` recorded of it.
"""

from __future__ import annotations

import subprocess

import pytest

from .conftest import has_imc_tools, has_protein_data, through_slurm

pytestmark = [
    pytest.mark.workflow,
    pytest.mark.skipif(
        not through_slurm(),
        reason="set CGEXPLAIN_SLURM_TEST=1 (root, SLURM packages) to run the SLURM test",
    ),
]


def sacct_rows() -> list[dict[str, str]]:
    fields = ["JobID", "JobName", "State", "ReqTRES", "Comment"]
    out = subprocess.run(
        ["sacct", "-a", "-X", "-P", "-n", "-S", "now-3hours", "-o", ",".join(fields)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [dict(zip(fields, line.split("|"), strict=False)) for line in out.splitlines() if line]


def test_tiny_workflow_runs_through_sbatch(tiny_run):
    workdir = tiny_run
    assert (workdir / "results/validation/reference_structure.csv").exists()

    rows = sacct_rows()
    print("\n".join("|".join(r.values()) for r in rows))  # shown with pytest -s / on failure
    by_rule: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        for rule in ("simulate_reference", "map_to_cg", "analyze_reference_structure"):
            if f"rule_{rule}" in row["Comment"]:
                by_rule.setdefault(rule, []).append(row)
    # methane and water each; the reference in two shards each (tiny: scatter.reference 2)
    assert {k: len(v) for k, v in by_rule.items()} == {
        "simulate_reference": 4,
        "map_to_cg": 2,
        "analyze_reference_structure": 2,
    }, by_rule
    for rule_rows in by_rule.values():
        assert all(r["State"] == "COMPLETED" for r in rule_rows)
    # the IMC jobs run Debian's MPI-built lmp inside a SLURM step (cgexplain.md.lammps
    # hides the step from Open MPI); skipped where VOTCA/LAMMPS are absent
    if has_imc_tools():
        for rule in ("fit_imc", "simulate_imc"):
            jobs = [r for r in rows if f"rule_{rule}" in r["Comment"]]
            assert len(jobs) == 2 and all(r["State"] == "COMPLETED" for r in jobs), jobs
    for row in by_rule["simulate_reference"]:  # GPU rule, threads.reference (1) from config
        assert "gres/gpu=1" in row["ReqTRES"] and "cpu=1" in row["ReqTRES"], row
    for row in by_rule["map_to_cg"]:  # CPU rule: one core, no GPU
        assert "gres/gpu" not in row["ReqTRES"] and "cpu=1" in row["ReqTRES"], row
    # relevance shards are GPU jobs with the relevance threads (2, from the
    # threads2.yaml overlay that conftest.slurm_args adds)
    explain = [r for r in rows if "rule_explain_frames" in r["Comment"]]
    # 2 shards per (model, source): the liquids' 6 models (PaiNN, SO3net, SchNet each)
    # explain their CG frames, NTL9's PaiNN its reference and CG frames
    n_runs = 6 + (2 if has_protein_data() else 0)
    assert len(explain) == 2 * n_runs and all(r["State"] == "COMPLETED" for r in explain)
    assert all("gres/gpu=1" in r["ReqTRES"] and "cpu=2" in r["ReqTRES"] for r in explain)
    if has_protein_data():  # the protein runs are GPU jobs, one per run
        runs = [r for r in rows if "rule_simulate_protein" in r["Comment"]]
        assert len(runs) == 2 and all("gres/gpu=1" in r["ReqTRES"] for r in runs), runs
        assert (workdir / "results/figures/fig7_ntl9_painn.pml").exists()
    # local rules (plots, tables) never went through sbatch
    assert not any("rule_plot_" in r["Comment"] or "summarize" in r["Comment"] for r in rows)
