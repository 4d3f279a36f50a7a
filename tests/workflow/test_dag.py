"""The DAG builds under every scale, lints clean and rejects bad configuration."""

from __future__ import annotations

import pytest

from .conftest import copy_workflow, has_imc_tools, has_protein_data, snakemake

pytestmark = pytest.mark.workflow  # each test runs Snakemake (dry run or lint): ~5 s


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return copy_workflow(tmp_path_factory.mktemp("dag"))


@pytest.mark.parametrize(
    "configfile", ["config/config.yaml", "config/tiny.yaml", "config/paper.yaml"]
)
def test_dry_run_of_all(workdir, configfile):
    proc = snakemake(workdir, "all", "-n", "--configfile", configfile)
    for rule in (
        "simulate_reference",
        "map_to_cg",
        "analyze_reference_structure",
        "plot_reference_structure",
        "gather_reference",
        "train_model",
        "diagnose_training",
        "gather_force_matching",
        "explain_frames",
        "gather_relevance",
        "compute_agreement",
        "plot_fig2",
        "plot_fig3",
        "plot_relevance_supplement",
    ):
        assert rule in proc.stdout, rule
    imc = ("fit_imc", "simulate_imc", "compare_imc_relevance", "plot_figS1")
    assert all(rule in proc.stdout for rule in imc) == has_imc_tools()
    if configfile != "config/tiny.yaml" or has_protein_data():
        for rule in (
            "prepare_structure",
            "ramp_protein",
            "seed_protein",
            "simulate_protein",
            "map_protein",
            "fit_prior",
            "assign_states",
            "map_state_relevance",
            "explain_mutation",
            "plot_fig4",
            "plot_fig5",
            "plot_fig6",
            "plot_fig7",
        ):
            assert rule in proc.stdout, rule
    # every scale reads the shipped 2HBA entry: no job needs the network
    assert "rule download_structure" not in proc.stdout


def test_structure_path_null_downloads_the_pdb_entry(workdir, tmp_path):
    """``structure_source.path: null`` fetches ``pdb_id`` from the RCSB instead."""
    extra = tmp_path / "download.yaml"
    extra.write_text("systems: [ntl9]\nntl9:\n  structure_source: {path: null}\n")
    proc = snakemake(workdir, "proteins", "-n", "--configfile", "config/config.yaml", str(extra))
    assert "rule download_structure" in proc.stdout


#: named targets and single files a user asks for; all resolved in one dry run
NAMED_TARGETS = [
    "reference",
    "datasets",
    "models",
    "figures",
    "relevance",
    "fig2",
    "fig3",
    "fig_supplement",
    "imc",
    "results/figures/figS1_methane.pdf",
    "results/figures/reference_rdf_water.png",
    "results/figures/fig3_water_so3net.pdf",
    "proteins",
    "fig4",
    "fig5",
    "fig6",
    "fig7",
    "results/figures/fig6_ntl9_painn.pml",
]


def test_named_targets_resolve(workdir):
    """Every named target builds its DAG (one Snakemake call for all of them: a target
    that does not resolve fails the call and is named in its message)."""
    protein_targets = ("proteins", "fig4", "fig5", "fig6", "fig7")
    targets = [
        t
        for t in NAMED_TARGETS
        if has_protein_data() or not ("ntl9" in t or t in protein_targets)
        if has_imc_tools() or not ("imc" in t or "figS1" in t)
    ]
    proc = snakemake(workdir, *targets, "-n", "--configfile", "config/tiny.yaml")
    for rule in ("plot_fig2", "plot_fig3", "plot_figS1", "plot_fig7", "train_model"):
        if rule == "plot_figS1" and not has_imc_tools():
            continue
        if rule == "plot_fig7" and not has_protein_data():
            continue
        assert f"rule {rule}:" in proc.stdout or f"{rule} " in proc.stdout, rule


def test_external_protein_data_replace_the_reference_md(workdir, tmp_path):
    """With ntl9.reference.external the branch starts from the NPZ: no protein MD."""
    import numpy as np

    data = tmp_path / "calpha.npz"
    np.savez(data, positions=np.zeros((2, 39, 3)), forces=np.zeros((2, 39, 3)),
             residue_names=np.array(["ALA"] * 39))  # fmt: skip
    extra = tmp_path / "external.yaml"
    extra.write_text(
        "systems: [ntl9]\n"
        f"ntl9:\n  structure_source: {{path: {tmp_path / 'x.pdb'}}}\n"
        f"  reference: {{external: {data}}}\n"
    )
    (tmp_path / "x.pdb").write_text("ATOM\n")
    proc = snakemake(workdir, "proteins", "-n", "--configfile", "config/config.yaml", str(extra))
    assert "rule map_protein" in proc.stdout and "rule fit_prior" in proc.stdout
    assert "simulate_protein" not in proc.stdout
    assert "gather_protein_reference" not in proc.stdout


def test_copied_liquid_and_protein_blocks_plan_their_whole_pipelines(workdir, tmp_path):
    """Systems are data: a copy of the methane and of the ntl9 block under new names
    plans every stage of its kind, with the same jobs as the original."""
    import yaml

    base = yaml.safe_load((workdir / "config" / "config.yaml").read_text())
    extra = tmp_path / "copies.yaml"
    extra.write_text(
        yaml.safe_dump(
            {
                "systems": [*base["systems"], "argon", "villin"],
                "argon": base["methane"],
                "villin": base["ntl9"],
            }
        )
    )
    proc = snakemake(workdir, "all", "-n", "--configfile", "config/config.yaml", str(extra))
    jobs = proc.stdout.split("Job stats:")[1].split("Reasons")[0]
    for rule in (
        "simulate_reference", "gather_reference", "map_to_cg", "analyze_reference_structure",
        "split_frames", "train_model", "diagnose_training", "simulate_cg", "analyze_cg_structure", "explain_frames",
        "gather_relevance", "summarize_relevance", "classic_decomposition", "plot_fig2",
        "plot_fig3", "plot_relevance_supplement", "plot_structure_comparison",
        "prepare_structure", "ramp_protein", "seed_protein", "simulate_protein",
        "gather_protein_reference", "map_protein",
        "fit_prior", "assign_states", "map_state_relevance", "explain_mutation",
        "plot_fig4", "plot_fig5", "plot_fig6", "plot_fig7", "fit_imc", "simulate_imc",
        "plot_figS1", "compare_imc_relevance",
    ):  # fmt: skip
        assert rule in jobs, rule
    for stage in ("reference", "mapping", "training", "simulation", "imc", "relevance"):
        assert f"results/argon/{stage}/" in proc.stdout, stage
    for stage in ("reference", "mapping", "prior", "training", "simulation", "relevance"):
        assert f"results/villin/{stage}/" in proc.stdout, stage
    for figure in ("fig2_argon_painn", "fig3_argon_so3net", "structure_argon", "figS1_argon", "fig4_villin",
                   "fig5_villin_painn", "fig6_villin_painn", "fig7_villin_painn"):  # fmt: skip
        assert f"results/figures/{figure}." in proc.stdout, figure
    assert "results/villin/states.csv" in proc.stdout


def test_a_liquid_without_imc_plans_no_imc_job_and_the_rest_unchanged(workdir, tmp_path):
    """imc.enabled false leaves the IMC stage out; nothing else depends on it."""
    extra = tmp_path / "no_imc.yaml"
    extra.write_text("water: {imc: {enabled: false}}\n")
    with_imc = snakemake(workdir, "all", "-n", "--configfile", "config/config.yaml")
    without = snakemake(workdir, "all", "-n", "--configfile", "config/config.yaml", str(extra))

    def counts(stdout):
        table = stdout.split("Job stats:")[1].split("Reasons")[0].split("\n")[3:]
        rows = [row.split() for row in table]
        return {r[0]: int(r[1]) for r in rows if len(r) == 2 and r[1].isdigit()}

    a, b = counts(with_imc.stdout), counts(without.stdout)
    for rule in ("fit_imc", "simulate_imc", "compare_imc_relevance", "plot_figS1"):
        assert a[rule] == 2 and b[rule] == 1, rule  # methane keeps its IMC
    assert a["analyze_cg_structure"] - b["analyze_cg_structure"] == 1  # water's imc run
    for rule, n in a.items():
        if "imc" not in rule and rule not in ("plot_figS1", "analyze_cg_structure", "total"):
            assert b[rule] == n, rule
    assert "results/water/imc/" not in without.stdout
    assert "results/methane/imc/" in without.stdout


def test_no_rule_file_names_a_system():
    """The rules match systems by kind; no system name is written in them."""
    from ..conftest import REPO

    for path in [REPO / "Snakefile", *(REPO / "workflow" / "rules").glob("*.smk")]:
        text = path.read_text().lower()
        for name in ("methane", "water", "ntl9"):
            assert name not in text, f"{path.name} names {name}"


def test_structure_download_is_skipped_for_a_local_path(workdir, tmp_path):
    extra = tmp_path / "local.yaml"
    (tmp_path / "2HBA.pdb").write_text("ATOM\n")
    extra.write_text(f"ntl9:\n  structure_source: {{path: {tmp_path / '2HBA.pdb'}}}\n")
    proc = snakemake(workdir, "fig4", "-n", "--configfile", "config/config.yaml", str(extra))
    assert "rule prepare_structure" in proc.stdout
    assert "rule download_structure" not in proc.stdout


def test_lint_is_clean(workdir):
    proc = snakemake(workdir, "--lint", check=False)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "Lints for" not in proc.stdout


def test_mistyped_key_on_command_line_is_named(workdir):
    proc = snakemake(workdir, "-n", "--config", "seeed=3", check=False)
    assert proc.returncode != 0
    assert "'seeed' was unexpected" in proc.stdout


def test_inconsistent_value_is_named(workdir, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("water:\n  reference:\n    length: 2.0\n    save_interval: 5.0\n")
    proc = snakemake(workdir, "-n", "--configfile", str(bad), check=False)
    assert proc.returncode != 0
    assert "water.reference.save_interval (5.0 ps) is longer than the run" in proc.stdout


@pytest.mark.parametrize("how", ["set-scatter", "config"])
def test_reference_shards_from_config_or_set_scatter(workdir, tmp_path, how):
    if how == "set-scatter":
        args = ["--set-scatter", "reference=3"]
    else:
        shards = tmp_path / "shards.yaml"
        shards.write_text("scatter:\n  reference: 3\n")
        args = [str(shards)]
    proc = snakemake(workdir, "all", "-n", "--configfile", "config/tiny.yaml", *args)
    stats = proc.stdout.split("Job stats:")[1].split("Reasons")[0]
    jobs = dict(line.split()[:2] for line in stats.splitlines()[3:] if len(line.split()) == 2)
    assert jobs["simulate_reference"] == "6" and jobs["gather_reference"] == "2"


def test_relevance_shards_need_frames(workdir, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("scatter:\n  relevance: 5\nwater:\n  relevance:\n    n_frames: 3\n")
    proc = snakemake(workdir, "-n", "--configfile", str(bad), check=False)
    assert proc.returncode != 0
    assert "scatter.relevance (5) asks for more shards than water.relevance.n_frames (3)" in (
        proc.stdout
    )


def test_without_imc_tools_the_default_run_leaves_imc_out_and_imc_stops_early(
    workdir, monkeypatch
):
    """No VOTCA/LAMMPS (here: ``lmp`` pointed at a missing file): `all` plans no IMC job
    and says so once; asking for the IMC stage fails before any job, naming the fix."""
    monkeypatch.setenv("CGEXPLAIN_LMP", "/nonexistent/lmp")
    proc = snakemake(workdir, "all", "-n", "--configfile", "config/tiny.yaml")
    for rule in ("fit_imc", "simulate_imc", "compare_imc_relevance", "plot_figS1"):
        assert f"rule {rule}:" not in proc.stdout and f"{rule} " not in proc.stdout, rule
    assert "check_claims" in proc.stdout and "plot_fig3" in proc.stdout
    assert proc.stdout.count("IMC stage left out") == 1
    assert "not run: VOTCA/LAMMPS missing" in proc.stdout
    for target in ("imc", "results/figures/figS1_water.png"):
        failed = snakemake(workdir, target, "-n", "--configfile", "config/tiny.yaml", check=False)
        assert failed.returncode != 0, target
        assert "bash envs/install_imc_tools.sh" in failed.stdout, failed.stdout[-2000:]
        assert "rule fit_imc:" not in failed.stdout.split("needs VOTCA")[0]
