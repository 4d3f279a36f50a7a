"""cgexplain: explain coarse-grained neural network potentials with GNN-LRP.

Reproduces Bonneau et al., "Learning the relevance of many-body functions in neural
network potentials", Nat. Commun. (2025). Run with

    snakemake --cores all                                   # default scale
    snakemake --cores 2 --configfile config/tiny.yaml       # CI scale
    snakemake --cores 4 figures                             # one named target
    snakemake --cores 4 fig3                                # just Fig. 3 and its inputs
    snakemake --cores 4 ntl9                                # the protein branch (Figs. 4-7)
"""


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/reference.smk"
include: "workflow/rules/mapping.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/simulation.smk"
include: "workflow/rules/relevance.smk"
include: "workflow/rules/states.smk"
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
    relevance,
    fig2,
    fig3,
    fig_supplement,
    compute_agreement,
    gather_relevance,
    summarize_relevance,
    plot_fig2,
    plot_fig3,
    plot_relevance_supplement,
    download_structure,
    map_state_relevance,
    plot_fig4,
    plot_fig5,
    plot_fig6,
    plot_fig7,
    ntl9,
    fig4,
    fig5,
    fig6,
    fig7,


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


rule relevance:
    """GNN-LRP 2-/3-body tables of every model and source, and the agreement table."""
    input:
        relevance_tables(),
        "results/relevance/agreement.csv",


rule fig2:
    """Fig. 2: RDF with the mean 2-body relevance, every system and model."""
    input:
        relevance_figures("fig2"),


rule fig3:
    """Fig. 3: mean 3-body relevance over (largest angle, opposite edge)."""
    input:
        relevance_figures("fig3"),


rule fig_supplement:
    """Supplementary relevance views: single 2-body contributions, adjacent edges, classic."""
    input:
        relevance_figures("figS_pairs"),
        relevance_figures("figS_adjacent"),
        relevance_figures("figS_classic"),


rule fig4:
    """Fig. 4: NTL9 free-energy surfaces over TIC 1 and 2, reference and CG."""
    input:
        [f for f in protein_figures() if "fig4_" in f],


rule fig5:
    """Fig. 5: NTL9 residue-pair relevance per folding state."""
    input:
        [f for f in protein_figures() if "fig5_" in f],


rule fig6:
    """Fig. 6: strongest folded-state interactions on the structure (+ PyMOL script)."""
    input:
        [f for f in protein_figures() if "fig6_" in f],


rule fig7:
    """Fig. 7: relevance changes of the mutations ILE4ASN and LEU30PHE."""
    input:
        [f for f in protein_figures() if "fig7_" in f],


rule ntl9:
    """The protein branch: states, prior, relevance maps and Figs. 4-7."""
    input:
        protein_targets(),
        protein_figures(),


rule figures:
    """Every figure."""
    input:
        reference_figures(),
        comparison_figures(),
        rules.fig2.input,
        rules.fig3.input,
        rules.fig_supplement.input,
        protein_figures(),


rule all:
    default_target: True
    input:
        rules.reference.input,
        rules.datasets.input,
        rules.models.input,
        rules.simulations.input,
        rules.relevance.input,
        rules.figures.input,
        protein_targets(),
