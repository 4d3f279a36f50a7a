"""cgexplain: explain coarse-grained neural network potentials with GNN-LRP.

Reproduces Bonneau et al., "Learning the relevance of many-body functions in neural
network potentials", Nat. Commun. (2025). Run with

    snakemake --cores all                                   # default scale
    snakemake --cores 2 --configfile config/tiny.yaml       # CI scale
    snakemake --cores 4 figures                             # one named target
    snakemake --cores 4 fig3                                # just Fig. 3 and its inputs
    snakemake --cores 4 proteins                            # the protein branch (Figs. 4-7)
    snakemake --cores 4 imc                                 # IMC pair potentials, Fig. S1

Systems are data: a block of config/config.yaml with its `kind` (README: "Bring your
own system"); the rules match the systems of their kind.
"""

import sys
from pathlib import Path

# the library, importable without `pip install -e .`: its reader names the file, line and
# column of a syntax error in config/config.yaml (Snakemake's own message names neither)
sys.path.insert(0, str(Path(workflow.basedir) / "workflow" / "lib"))
from cgexplain.config import ConfigError, read_config_file  # noqa: E402
from snakemake.exceptions import WorkflowError  # noqa: E402

if Path("config/config.yaml").exists():
    try:
        read_config_file("config/config.yaml")
    except ConfigError as error:
        raise WorkflowError(str(error)) from None


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"


report: str(REPORT_PAGE)


include: "workflow/rules/resources.smk"
include: "workflow/rules/reference.smk"
include: "workflow/rules/mapping.smk"
include: "workflow/rules/training.smk"
include: "workflow/rules/simulation.smk"
include: "workflow/rules/imc.smk"
include: "workflow/rules/relevance.smk"
include: "workflow/rules/states.smk"
include: "workflow/rules/figures.smk"


rule reference:
    """All-atom reference trajectories of the liquids and their structure tables."""
    input:
        expand("results/{system}/reference/trajectory.h5", system=LIQUIDS),
        structure_targets(),
        "results/validation/reference_structure.csv",
    localrule: True


rule datasets:
    """CG trajectories and SchNetPack training databases of the liquids."""
    input:
        expand("results/{system}/mapping/cg_trajectory.h5", system=LIQUIDS),
        expand("results/{system}/mapping/dataset.db", system=LIQUIDS),
    localrule: True


rule models:
    """Trained CG potentials of every system and architecture."""
    input:
        trained_models(),
        "results/validation/force_matching.csv",
    localrule: True


rule simulations:
    """CG simulations of every trained liquid potential, their structure and its validation."""
    input:
        simulation_structures(),
        "results/validation/structure_metrics.csv",
        cutoff_series_outputs(),
    localrule: True


rule imc:
    """IMC pair potentials of the liquids, their CG runs, Fig. S1, potential vs 2-body."""
    input:
        imc_tools,
        imc_targets(),
        imc_figures(),
    localrule: True


rule relevance:
    """GNN-LRP 2-/3-body tables of every liquid model and source, and the agreement table."""
    input:
        relevance_tables(),
        artifact_tables(),
        spectrum_tables(),
        "results/validation/claims.csv",
        "results/relevance/agreement.csv",
    localrule: True


rule fig2:
    """Fig. 2: RDF with the mean 2-body relevance, every liquid and model."""
    input:
        relevance_figures("fig2"),
    localrule: True


rule fig3:
    """Fig. 3: mean 3-body relevance over (largest angle, opposite edge)."""
    input:
        relevance_figures("fig3"),
    localrule: True


rule fig_supplement:
    """Supplementary relevance views: single 2-body contributions, adjacent edges, classic,
    training-data artifacts (Fig. S10), n-body spectrum, interval widths."""
    input:
        artifact_figures(),
        spectrum_figures(),
        bootstrap_figures(),
        relevance_figures("figS_pairs"),
        relevance_figures("figS_adjacent"),
        relevance_figures("figS_classic"),
    localrule: True


rule fig4:
    """Fig. 4: free-energy surfaces over TIC 1 and 2 of every protein, reference and CG."""
    input:
        protein_figures(["fig4"]),
    localrule: True


rule fig5:
    """Fig. 5: residue-pair relevance per folding state."""
    input:
        protein_figures(["fig5"]),
    localrule: True


rule fig6:
    """Fig. 6: strongest folded-state interactions on the structure (+ PyMOL script)."""
    input:
        protein_figures(["fig6"]),
    localrule: True


rule fig7:
    """Fig. 7: relevance changes of the configured mutations."""
    input:
        protein_figures(["fig7"]),
    localrule: True


rule figS11:
    """Suppl. Fig. S11: contact maps of the folding states next to their relevance maps."""
    input:
        protein_figures(["figS11"]),
    localrule: True


rule proteins:
    """The protein branch: states, prior, relevance maps and Figs. 4-7 of every protein."""
    input:
        protein_targets(),
        protein_figures(),
    localrule: True


rule figures:
    """Every figure."""
    input:
        reference_figures(),
        comparison_figures(),
        rules.fig2.input,
        rules.fig3.input,
        rules.fig_supplement.input,
        imc_figures(),
        protein_figures(),
    localrule: True


rule all:
    default_target: True
    input:
        rules.reference.input,
        rules.datasets.input,
        rules.models.input,
        rules.simulations.input,
        rules.relevance.input,
        imc_targets(),  # empty without VOTCA/LAMMPS (IMC_SKIPPED)
        rules.figures.input,
        protein_targets(),
    localrule: True
