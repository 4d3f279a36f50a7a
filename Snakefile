"""cgexplain: explain coarse-grained neural network potentials with GNN-LRP.

Reproduces Bonneau et al., "Learning the relevance of many-body functions in neural
network potentials", Nat. Commun. (2025). Run with

    snakemake --cores all                                   # default scale
    snakemake --cores 2 --configfile config/tiny.yaml       # CI scale
    snakemake --cores 4 figures                             # one named target
"""


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/reference.smk"
include: "workflow/rules/mapping.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/simulation.smk"
include: "workflow/rules/figures.smk"


localrules:
    all,
    reference,
    datasets,
    models,
    simulations,
    figures,
    summarize_reference,
    validate_structure,
    plot_structure_comparison,
    plot_reference_structure,


rule reference:
    """All-atom reference trajectories and their structure tables."""
    input:
        expand("results/{system}/reference/trajectory.h5", system=LIQUIDS),
        structure_targets(),
        "results/validation/reference_structure.csv",


rule datasets:
    """CG trajectories and SchNetPack training databases."""
    input:
        expand("results/{system}/mapping/cg_trajectory.h5", system=LIQUIDS),
        expand("results/{system}/mapping/dataset.db", system=LIQUIDS),


rule models:
    """Trained CG potentials of every system and architecture."""
    input:
        trained_models(),


rule simulations:
    """CG simulations of every trained potential, their structure and its validation."""
    input:
        simulation_structures(),
        "results/validation/structure_metrics.csv",


rule figures:
    """Every figure built so far."""
    input:
        reference_figures(),
        comparison_figures(),


rule all:
    default_target: True
    input:
        rules.reference.input,
        rules.datasets.input,
        rules.models.input,
        rules.simulations.input,
        rules.figures.input,
