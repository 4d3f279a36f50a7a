"""Configuration, wildcard constraints and input functions shared by all stages."""

import os
import sys
from pathlib import Path

from snakemake.utils import min_version, validate

min_version("9.0")

# The library lives in the repository; make it importable even without `pip install -e .`
sys.path.insert(0, str(Path(workflow.basedir) / "workflow" / "lib"))

from cgexplain.config import (  # noqa: E402
    check_config,
    gpu_request,
    parse_scatteritem,
    shard_frames,
    system_seed,
)

validate(config, schema="../schemas/config.schema.yaml")
check_config(config)

# glibc malloc: keep freed memory for reuse instead of handing it back to the kernel on
# every free (measured: GNN-LRP about 2x faster, same peak RSS). Each job's Python reads
# it at start-up; an explicit GLIBC_TUNABLES in the environment wins.
if config["malloc_tunables"]:
    os.environ.setdefault("GLIBC_TUNABLES", config["malloc_tunables"])

SYSTEMS = config["systems"]
LIQUIDS = [s for s in SYSTEMS if s in ("methane", "water")]
PROTEINS = [s for s in SYSTEMS if s == "ntl9"]
# rules of one kind of system only match its names
LIQUID_PATTERN = "|".join(LIQUIDS) if LIQUIDS else "none"
# GPUs each GPU-capable job asks for (resource `gpu`, sbatch --gpus on SLURM)
GPU = gpu_request(config["gpu"])


MODELS = sorted({m for s in SYSTEMS for m in config[s]["training"]["models"]})


wildcard_constraints:
    system="|".join(SYSTEMS) if SYSTEMS else "none",
    model="|".join(MODELS) if MODELS else "none",
    source="simulation|reference",
    scatteritem=r"\d+-of-\d+",


scattergather:
    reference=config["scatter"]["reference"],
    relevance=config["scatter"]["relevance"],
    protein_runs=config["ntl9"]["reference"]["n_runs"],


def reference_settings(wildcards):
    """Run settings of one reference shard (params of the rule).

    Shard k of n is an independent run with its own seed and equilibration whose
    production holds its share of the frames (see cgexplain.config.shard_frames).
    """
    ref = dict(config[wildcards.system]["reference"])
    shard, n_shards = parse_scatteritem(wildcards.scatteritem)
    n_frames = trajectory_frames(wildcards.system)
    ref["length"] = shard_frames(n_frames, shard, n_shards) * ref["save_interval"]
    ref["seed"] = system_seed(
        config["seed"], wildcards.system, f"reference/{wildcards.scatteritem}"
    )
    ref["platform"] = config["openmm_platform"]
    return ref


def trajectory_frames(system):
    ref = config[system]["reference"]
    return int(round(ref["length"] / ref["save_interval"]))


def mapping_mem_mb(wildcards, attempt):
    """Memory of the CG mapping: the all-atom trajectory in float32 plus float64 copies."""
    atoms = (
        5 * config["methane"]["reference"]["n_molecules"]
        if wildcards.system == "methane"
        else 800
    )
    mb = trajectory_frames(wildcards.system) * atoms * 3 * 8 * 6 / 1e6
    return int((1000 + mb) * attempt)


def structure_runtime(wildcards, attempt):
    """Minutes for the structure analysis (about 0.1 s per frame, with margin)."""
    frames = min(
        trajectory_frames(wildcards.system),
        config[wildcards.system]["structure"]["max_frames"],
    )
    return int((10 + frames * 0.3 / 60) * attempt)


def structure_settings(wildcards):
    return dict(config[wildcards.system]["structure"])


def reference_runtime(wildcards, attempt):
    """Minutes to ask a scheduler for a reference run: 2-core CPU speed plus margin."""
    ref = config[wildcards.system]["reference"]
    ns_per_day = (
        60.0 if wildcards.system == "methane" else 25.0
    )  # measured, 2 CPU threads
    minutes = (ref["length"] + ref["equilibration"]) * 1e-3 / ns_per_day * 1440.0
    return int(10 + 1.5 * minutes * attempt)


def structure_targets():
    return expand("results/{system}/reference/rdf.csv", system=LIQUIDS) + expand(
        "results/{system}/reference/triplets.csv", system=LIQUIDS
    )


def reference_figures():
    return expand(
        "results/figures/reference_rdf_{system}.png", system=LIQUIDS
    ) + expand("results/figures/reference_triplets_{system}.png", system=LIQUIDS)


def comparison_figures():
    return expand("results/figures/structure_{system}.png", system=LIQUIDS)


def forcefield_input(wildcards):
    """The shipped all-atom force field a system needs (water comes from openmmtools)."""
    if wildcards.system == "methane":
        return "resources/forcefields/methane_oplsaa.xml"
    return []


def model_settings(wildcards):
    """Architecture hyperparameters of one (system, model) (params of train_model)."""
    return {
        "architecture": wildcards.model,
        **config[wildcards.system]["training"][wildcards.model],
    }


def optimizer_settings(wildcards):
    """Optimisation settings of one system, with the derived training seed."""
    seed = system_seed(config["seed"], wildcards.system, f"training/{wildcards.model}")
    return {**config[wildcards.system]["training"]["optimizer"], "seed": seed}


def training_runtime(wildcards, attempt):
    """Minutes for a training job: epochs x frames at ~2 frames/s (2-core CPU), capped."""
    opt = config[wildcards.system]["training"]["optimizer"]
    frames = (
        protein_frames()
        if wildcards.system in PROTEINS
        else trajectory_frames(wildcards.system)
    ) * (1 - opt["val_fraction"])
    minutes = opt["max_epochs"] * frames / 2.0 / 60.0
    return int(min(10 + minutes, 7 * 1440) * attempt)


def training_dataset(wildcards):
    """Liquids train on the mapped forces; a protein on the forces minus its prior's."""
    if wildcards.system in PROTEINS:
        return f"results/{wildcards.system}/prior/delta_dataset.db"
    return f"results/{wildcards.system}/mapping/dataset.db"


def simulation_prior(wildcards):
    """The fitted prior added to a protein model's energy in CG simulations (none for liquids)."""
    if wildcards.system in PROTEINS:
        return f"results/{wildcards.system}/prior/prior.json"
    return []


def trained_models():
    return [
        f"results/{system}/training/{model}/model.pt"
        for system in SYSTEMS
        for model in config[system]["training"]["models"]
    ]


def simulation_settings(wildcards):
    """CG simulation settings of one (system, model) with the derived seed."""
    seed = system_seed(
        config["seed"], wildcards.system, f"simulation/{wildcards.model}"
    )
    return {**config[wildcards.system]["simulation"], "seed": seed}


def simulation_runtime(wildcards, attempt):
    """Minutes for a CG simulation at ~5 replica-steps/s (2-core CPU, 258 beads), capped."""
    sim = config[wildcards.system]["simulation"]
    minutes = sim["n_replicas"] * sim["n_steps"] / 5.0 / 60.0
    return int(min(10 + minutes, 7 * 1440) * attempt)


def simulation_structures():
    return [
        f"results/{system}/simulation/{model}/{table}"
        for system in LIQUIDS
        for model in config[system]["training"]["models"]
        for table in ("rdf.csv", "triplets.csv")
    ]


def model_pairs():
    """(system, model) of every trained potential, in a fixed order."""
    return [(s, m) for s in LIQUIDS for m in config[s]["training"]["models"]]


# ---------------------------------------------------------------- relevance (stage 5)


def relevance_trajectory(wildcards):
    """Frames to explain: the model's CG simulation or the mapped all-atom reference."""
    if wildcards.source == "simulation":
        return f"results/{wildcards.system}/simulation/{wildcards.model}/trajectory.h5"
    return f"results/{wildcards.system}/mapping/cg_trajectory.h5"


def relevance_settings(wildcards):
    """Relevance settings of one system, with the distance ranges of its tables."""
    training = config[wildcards.system]["training"]
    # one 3-body grid per system, so the architectures' maps can be compared bin by bin:
    # a connected triple spans at most two cutoffs of the model with the largest one
    edge_max = 2.0 * max(training[m]["cutoff"] for m in training["models"])
    structure = config[wildcards.system].get("structure", {})
    return {
        **config[wildcards.system]["relevance"],
        "r_max": structure.get("rdf_max", edge_max / 2.0),
        "edge_max": edge_max,
    }


def relevance_runtime(wildcards, attempt):
    """Minutes for one relevance shard at ~20 s per frame (2-core CPU, 258 beads, PaiNN
    6 Å: 6 s measured, with margin for larger models)."""
    rel = config[wildcards.system]["relevance"]
    frames = rel["n_frames"] / config["scatter"]["relevance"]
    return int(min(10 + frames * 20.0 / 60.0, 2 * 1440) * attempt)


def primary_source(system):
    """The source the figures and the agreement table use (first configured)."""
    return config[system]["relevance"]["sources"][0]


def relevance_runs():
    """(system, model, source) of every relevance analysis."""
    return [
        (s, m, src)
        for s, m in model_pairs()
        for src in config[s]["relevance"]["sources"]
    ]


def relevance_tables():
    return [
        f"results/{s}/relevance/{m}/{src}/{name}"
        for s, m, src in relevance_runs()
        for name in ("pairs.parquet", "triplets.parquet", "summary.json")
    ]


def primary_relevance(name):
    """Input function: one table of every (system, model) from its primary source."""
    return [
        f"results/{s}/relevance/{m}/{primary_source(s)}/{name}"
        for s, m in model_pairs()
    ]


def relevance_input(name):
    """Input function: a relevance table of the wildcards' (system, model), primary source."""

    def table(wildcards):
        source = primary_source(wildcards.system)
        return f"results/{wildcards.system}/relevance/{wildcards.model}/{source}/{name}"

    return table


def relevance_figures(prefix):
    """PNG and PDF of a relevance figure for every (system, model)."""
    return [
        f"results/figures/{prefix}_{s}_{m}.{ext}"
        for s, m in model_pairs()
        for ext in ("png", "pdf")
    ]


# ---------------------------------------------------------------- the protein (NTL9)


def protein_frames():
    """Frames of the protein's reference: all runs, or the external data set."""
    ref = config["ntl9"]["reference"]
    if ref["external"]:
        return 1000  # unknown before reading; only sizes resources
    return ref["n_runs"] * int(round(ref["length"] / ref["save_interval"]))


def structure_file(wildcards=None):
    """The raw PDB of the protein: a local path from config, else the RCSB download."""
    source = config["ntl9"]["structure_source"]
    if source["path"]:
        return source["path"]
    return f"resources/structures/{source['pdb_id'].upper()}.pdb"


def protein_run_settings(wildcards):
    """Settings of one protein reference run; the last runs start from hot-unfolded
    structures, with hot-run lengths evenly spaced up to ``heat_length``."""
    ref = {
        k: v
        for k, v in config["ntl9"]["reference"].items()
        if k
        not in (
            "external",
            "forcefield",
            "implicit_solvent",
            "cutoff",
            "hydrogen_mass",
            "n_runs",
            "unfolded_fraction",
        )
    }
    run, n_runs = parse_scatteritem(wildcards.scatteritem)
    n_hot = int(round(config["ntl9"]["reference"]["unfolded_fraction"] * n_runs))
    hot_rank = run - (n_runs - n_hot)  # 1..n_hot for the unfolded runs
    ref["heat_length"] = ref["heat_length"] * hot_rank / n_hot if hot_rank > 0 else 0.0
    ref["seed"] = system_seed(
        config["seed"], "ntl9", f"reference/{wildcards.scatteritem}"
    )
    ref["platform"] = config["openmm_platform"]
    return ref


def protein_system_settings(wildcards):
    ref = config["ntl9"]["reference"]
    return {
        key: ref[key]
        for key in ("forcefield", "implicit_solvent", "cutoff", "hydrogen_mass")
    }


def protein_runtime(wildcards, attempt):
    """Minutes of one protein run at ~15 ns/day (2 CPU threads, GBn2, 12 Å, 4 fs)."""
    ref = config["ntl9"]["reference"]
    ps = ref["length"] + ref["equilibration"] + ref["heat_length"]
    return int(10 + 1.5 * ps * 1e-3 / 15.0 * 1440.0 * attempt)


def protein_mapping_input(wildcards):
    """The mapped Cα data come from the external set when configured, else the built-in MD."""
    if config["ntl9"]["reference"]["external"]:
        return {"external": config["ntl9"]["reference"]["external"]}
    return {
        "trajectory": "results/ntl9/reference/trajectory.h5",
        "structure": "results/ntl9/reference/prepared.pdb",
    }


def protein_models():
    return config["ntl9"]["training"]["models"] if PROTEINS else []


def protein_source():
    return primary_source("ntl9")


def protein_trajectory(wildcards):
    """Frames a protein relevance run explains (CG simulation or mapped reference)."""
    if wildcards.source == "simulation":
        return f"results/ntl9/simulation/{wildcards.model}/trajectory.h5"
    return "results/ntl9/mapping/cg_trajectory.h5"


def protein_state_frames(wildcards):
    """Per-frame states of the frames a protein relevance run explained."""
    if wildcards.source == "reference":
        return "results/ntl9/states/frames_reference.csv"
    return f"results/ntl9/states/frames_{wildcards.model}.csv"


def protein_figures():
    if not PROTEINS:
        return []
    files = [f"results/figures/fig4_ntl9.{ext}" for ext in ("png", "pdf")]
    for model in protein_models():
        for fig in ("fig5", "fig6", "fig7"):
            files += [
                f"results/figures/{fig}_ntl9_{model}.{ext}" for ext in ("png", "pdf")
            ]
        files += [f"results/figures/{fig}_ntl9_{model}.pml" for fig in ("fig6", "fig7")]
    return files


def protein_targets():
    if not PROTEINS:
        return []
    return [
        "results/ntl9/states.csv",
        "results/ntl9/prior/prior.csv",
        *[
            f"results/ntl9/relevance/{m}/{source}/state_maps.csv"
            for m in protein_models()
            for source in config["ntl9"]["relevance"]["sources"]
        ],
    ]
