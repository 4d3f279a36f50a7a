"""Configuration, wildcard constraints and input functions shared by all stages."""

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

SYSTEMS = config["systems"]
LIQUIDS = [s for s in SYSTEMS if s in ("methane", "water")]
# GPUs each GPU-capable job asks for (resource `gpu`, sbatch --gpus on SLURM)
GPU = gpu_request(config["gpu"])


MODELS = sorted({m for s in LIQUIDS for m in config[s]["training"]["models"]})


wildcard_constraints:
    system="|".join(SYSTEMS) if SYSTEMS else "none",
    model="|".join(MODELS) if MODELS else "none",


scattergather:
    reference=config["scatter"]["reference"],


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
    frames = trajectory_frames(wildcards.system) * (1 - opt["val_fraction"])
    minutes = opt["max_epochs"] * frames / 2.0 / 60.0
    return int(min(10 + minutes, 7 * 1440) * attempt)


def trained_models():
    return [
        f"results/{system}/training/{model}/model.pt"
        for system in LIQUIDS
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
