"""Configuration, the systems of each kind, wildcard constraints and input functions.

Systems are data: each block of the config declares its `kind` (liquid or protein) and
rules match `{system}` only among the systems of their kind. No rule names a system.
Runtime and memory estimates are in resources.smk.
"""

import os
import sys
from argparse import Namespace
from pathlib import Path

from snakemake.utils import min_version

min_version("9.0")

# The library lives in the repository; make it importable even without `pip install -e .`
# (the Snakefile did so already, to check config/config.yaml before reading it)
if str(Path(workflow.basedir) / "workflow" / "lib") not in sys.path:
    sys.path.insert(0, str(Path(workflow.basedir) / "workflow" / "lib"))

from snakemake.exceptions import WorkflowError  # noqa: E402
from snakemake.logging import logger  # noqa: E402
from snakemake.settings.types import DeploymentMethod  # noqa: E402

from cgexplain.md.lammps import (  # noqa: E402
    add_tool_prefix,
    imc_install_hint,
    missing_imc_programs,
)
from cgexplain.report import write_report_page  # noqa: E402
from cgexplain.runtime import set_job_tunables  # noqa: E402
from cgexplain.settings import for_job  # noqa: E402
from cgexplain.settings.protein import seed_state_of_run  # noqa: E402
from cgexplain.settings import simulation as simulation_settings  # noqa: E402
from cgexplain.settings import training as training_settings  # noqa: E402
from cgexplain.config import (  # noqa: E402
    ConfigError,
    check_config,
    gpu_request,
    load_schema,
    read_config_file,
    system_seed,
    systems_of_kind,
    validate_config,
)

SCHEMA = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"


def shown_path(path):
    """``path`` relative to the working directory if inside it, else absolute."""
    relative = os.path.relpath(path)
    return str(Path(path).absolute()) if relative.startswith("..") else relative


def config_sources():
    """(label, content) of each config file and of --config, in Snakemake's merge order:
    the Snakefile's configfile, then --configfile files, then --config."""
    given = [Path(p) for p in workflow.overwrite_configfiles]
    files = [Path(p) for p in workflow.configfiles if Path(p).absolute() not in given]
    sources = [(shown_path(p), read_config_file(p)) for p in files + given]
    if workflow.config_settings.config:
        sources.append(("--config", dict(workflow.config_settings.config)))
    return sources


# the schema (closed over this config's system blocks) fills the defaults; a problem
# stops the run with one line naming the key and the file that set it
try:
    if not workflow.modifier.skip_validation:
        validate_config(config, load_schema(SCHEMA), config_sources())
    check_config(config)
except ConfigError as error:
    raise WorkflowError(str(error)) from None

# glibc malloc tunables for every job (measured: GNN-LRP about 2x faster, same peak RSS)
set_job_tunables(config["malloc_tunables"])

# the report's first page: the claims' verdicts as they stand (cgexplain.report)
REPORT_PAGE = write_report_page(
    Path(workflow.basedir) / "workflow" / "report" / "workflow.rst",
    "results/validation/claims.csv",
    Path(".snakemake") / "report" / "workflow.rst",
).resolve()

SYSTEMS = config["systems"]
LIQUIDS = systems_of_kind(config, "liquid")
PROTEINS = systems_of_kind(config, "protein")
# GPUs each GPU-capable job asks for (resource `gpu`, sbatch --gpus on SLURM)
GPU = gpu_request(config["gpu"])


def series_models(system):
    """Cutoff-series copies of a liquid's model: {name: (architecture, cutoff Å)}."""
    return training_settings.series_models(config, system)


MODELS = sorted(
    {m for s in SYSTEMS for m in config[s]["training"]["models"]}
    | {m for s in SYSTEMS for m in series_models(s)}
)


def one_of(names):
    """Wildcard constraint matching exactly these names (none: a name nothing matches)."""
    return "|".join(names) if names else "__none__"


LIQUID_PATTERN = one_of(LIQUIDS)
PROTEIN_PATTERN = one_of(PROTEINS)
# liquids with an IMC pair potential (the classical control, rules/imc.smk)
IMC_CONFIGURED = [s for s in LIQUIDS if config[s]["imc"]["enabled"]]
IMC_PATTERN = one_of(IMC_CONFIGURED)
# VOTCA and LAMMPS come from PATH, from .imc-tools/ (envs/setup.sh's conda-forge
# install without root), or from envs/votca.yaml under --sdm conda
add_tool_prefix(Path(workflow.basedir) / ".imc-tools" / "bin")
_IMC_MISSING = (
    []
    if DeploymentMethod.CONDA in workflow.deployment_settings.deployment_method
    else missing_imc_programs()
)
# why the IMC stage is left out of the aggregate targets (None: it runs)
IMC_SKIPPED = (
    f"not run: VOTCA/LAMMPS missing ({', '.join(_IMC_MISSING)} not found)"
    if IMC_CONFIGURED and _IMC_MISSING
    else None
)
# the liquids whose IMC outputs `all`, `figures`, the claims and the tables include
IMC_LIQUIDS = [] if IMC_SKIPPED else IMC_CONFIGURED
if IMC_SKIPPED and workflow.is_main_process:
    logger.warning(
        f"IMC stage left out of the run: {', '.join(_IMC_MISSING)} not found, so its "
        "claims read 'not run: VOTCA/LAMMPS missing'. To run it, "
        f"{imc_install_hint()}, then `snakemake imc`."
    )


def imc_tools(wildcards):
    """Input function of the IMC rules and target: nothing, or, without the tools, an
    error before any job starts that says how to install them."""
    if _IMC_MISSING and IMC_CONFIGURED:
        raise WorkflowError(
            f"the IMC stage needs VOTCA and LAMMPS ({', '.join(_IMC_MISSING)} not on "
            f"PATH): {imc_install_hint()}."
        )
    return []


wildcard_constraints:
    system=one_of(SYSTEMS),
    model=one_of(MODELS),
    source="simulation|reference",
    scatteritem=r"\d+-of-\d+",


scattergather:
    reference=config["scatter"]["reference"],
    relevance=config["scatter"]["relevance"],


def settings_for(job, **context):
    """Params function: the typed settings of ``job`` (a rule's name) for the job's
    wildcards, built by the library (:func:`cgexplain.settings.for_job`)."""

    def settings(wildcards):
        return for_job(config, job, **dict(wildcards.items()), **context)

    return settings


def models_of(system):
    return config[system]["training"]["models"]


def model_pairs(systems=None):
    """(system, model) of every trained potential of ``systems`` (default: the liquids)."""
    return [
        (s, m) for s in (LIQUIDS if systems is None else systems) for m in models_of(s)
    ]


# ---------------------------------------------------------------- reference (stage 1)


def reference_inputs(wildcards):
    """The files the liquid's builder reads (e.g. a force field the repository ships)."""
    from cgexplain.liquids import liquid_builder

    block = config[wildcards.system]
    return liquid_builder(block["builder"]).inputs(block["reference"])


def structure_targets():
    return expand(
        "results/{system}/reference/{table}.csv",
        system=LIQUIDS,
        table=["rdf", "triplets"],
    )


def reference_figures():
    return expand(
        "results/figures/reference_{plot}_{system}.png",
        plot=["rdf", "triplets"],
        system=LIQUIDS,
    )


def comparison_figures():
    return expand("results/figures/structure_{system}.png", system=LIQUIDS)


# ---------------------------------------------------------------- training and simulation


def cutoff_series_runs(system):
    """(model name, cutoff) of a liquid's cutoff series, by cutoff (none: ())."""
    return training_settings.cutoff_series_runs(config, system)


def cutoff_series_outputs():
    """The cutoff-series table and Fig. S2 of every liquid with a series."""
    files = []
    for system in LIQUIDS:
        if series_models(system):
            files += [
                f"results/{system}/simulation/cutoff_series.csv",
                f"results/figures/figS2_{system}.png",
                f"results/figures/figS2_{system}.pdf",
            ]
    return files


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
        for model in models_of(system)
    ]


def force_matching_tables():
    """Force-matching diagnostics of every trained model (gathered in results/validation)."""
    return [
        f"results/{system}/training/{model}/force_matching.csv"
        for system in SYSTEMS
        for model in models_of(system)
    ]


def structure_pairs():
    """(system, model) of every liquid CG simulation: the trained potentials, then the
    IMC pair potential (model ``imc``) of each liquid that has one, then the
    cutoff-series copies."""
    return simulation_settings.structure_pairs(config, IMC_LIQUIDS)


def simulation_structures():
    return [
        f"results/{system}/simulation/{model}/{table}"
        for system, model in structure_pairs()
        for table in ("rdf.csv", "triplets.csv")
    ]


# ---------------------------------------------------------------- IMC pair potential


def imc_targets():
    """Potential, progress and pair-potential comparison of every IMC liquid (none
    when the tools are missing: :data:`IMC_SKIPPED`)."""
    return [
        f"results/{system}/imc/{name}"
        for system in IMC_LIQUIDS
        for name in ("potential.csv", "progress.csv", "pair_vs_relevance.csv")
    ]


def imc_figures():
    """Supplementary Fig. S1 and the pair potential vs 2-body relevance, per IMC liquid."""
    return [
        f"results/figures/{prefix}_{system}.{ext}"
        for system in IMC_LIQUIDS
        for prefix in ("figS1", "imc_vs_2body")
        for ext in ("png", "pdf")
    ]


# ---------------------------------------------------------------- relevance (stage 5)


def relevance_trajectory(wildcards):
    """Frames to explain: the model's CG simulation or the mapped all-atom reference."""
    if wildcards.source == "simulation":
        return f"results/{wildcards.system}/simulation/{wildcards.model}/trajectory.h5"
    return f"results/{wildcards.system}/mapping/cg_trajectory.h5"


def primary_source(system):
    """The source the figures and the agreement table use (first configured)."""
    return config[system]["relevance"]["sources"][0]


def relevance_tables():
    return [
        f"results/{s}/relevance/{m}/{src}/{name}"
        for s, m in model_pairs()
        for src in config[s]["relevance"]["sources"]
        for name in ("pairs.parquet", "triplets.parquet", "summary.json")
    ]


def primary_relevance(name):
    """Input function: one table of every liquid (system, model) from its primary source."""
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


def reference_rdf(wildcards):
    """Input function: a liquid's reference RDF, whose first minimum bounds the first
    shell of the vertex-angle tables; none for a protein."""
    if wildcards.system in LIQUIDS:
        return f"results/{wildcards.system}/reference/rdf.csv"
    return []


def bootstrap_figures():
    """The interval figure (Fig. 3's CI width) of every liquid (system, model)."""
    return relevance_figures("figS_ci")


def protein_claim_runs():
    """(protein, model, primary source) of every protein model the claims read."""
    return [(s, m, primary_source(s)) for s, m in model_pairs(PROTEINS)]


def claims_inputs(wildcards):
    """Everything results/validation/claims.csv reads: the agreement and structure
    tables, the liquids' reference RDFs and bootstrap replicates and, per protein model,
    its primary source's pairs, states, structure, TICA frames and mutation contact
    tables."""
    files = {
        "agreement": "results/relevance/agreement.csv",
        "metrics": "results/validation/structure_metrics.csv",
        "replicates": primary_relevance("bootstrap/replicates.npz"),
        "rdfs": [f"results/{s}/reference/rdf.csv" for s in LIQUIDS],
        "liquid_pairs": primary_relevance("pairs.parquet"),
        "liquid_triplets": primary_relevance("triplets.parquet"),
        "classic": primary_relevance("classic_e3_map.csv"),
        "pairs": [],
        "states": [],
        "elements": [],
        "structures": [],
        "reference_frames": [],
        "model_frames": [],
        "mutations": [],
    }
    for system, model, source in protein_claim_runs():
        base = f"results/{system}/relevance/{model}/{source}"
        files["pairs"].append(f"{base}/pairs.parquet")
        files["states"].append(
            protein_state_frames(Namespace(system=system, model=model, source=source))
        )
        files["elements"].append(f"results/{system}/states/elements.json")
        files["structures"].append(f"results/{system}/reference/prepared.pdb")
        files["reference_frames"].append(
            f"results/{system}/states/frames_reference.csv"
        )
        files["model_frames"].append(f"results/{system}/states/frames_{model}.csv")
        files["mutations"] += [
            f"{base}/mutations/{m}_contacts.csv" for m in config[system]["mutations"]
        ]
    return files


def spectrum_tables():
    """The n-body spectrum of every (system, model, source), liquids and proteins."""
    return [
        f"results/{s}/relevance/{m}/{src}/nbody_summary.csv"
        for s, m in model_pairs(LIQUIDS + PROTEINS)
        for src in config[s]["relevance"]["sources"]
    ]


def spectrum_figures():
    """The n-body spectrum figure of every system (its models, primary source)."""
    return [
        f"results/figures/figS_nbody_{s}.{ext}"
        for s in LIQUIDS + PROTEINS
        for ext in ("png", "pdf")
    ]


def system_spectra(wildcards):
    """Input function: the primary-source n-body summary of every model of a system."""
    source = primary_source(wildcards.system)
    return [
        f"results/{wildcards.system}/relevance/{m}/{source}/nbody_summary.csv"
        for m in models_of(wildcards.system)
    ]


def artifact_tables():
    """The artifact table of every (system, model, source), liquids and proteins."""
    return [
        f"results/{s}/relevance/{m}/{src}/artifacts.csv"
        for s, m in model_pairs(LIQUIDS + PROTEINS)
        for src in config[s]["relevance"]["sources"]
    ]


def artifact_figures():
    """Fig. S10 (3-body map, training density, artifacts) of every (system, model)."""
    return [
        f"results/figures/figS10_{s}_{m}.{ext}"
        for s, m in model_pairs(LIQUIDS + PROTEINS)
        for ext in ("png", "pdf")
    ]


def relevance_figures(prefix):
    """PNG and PDF of a relevance figure for every liquid (system, model)."""
    return [
        f"results/figures/{prefix}_{s}_{m}.{ext}"
        for s, m in model_pairs()
        for ext in ("png", "pdf")
    ]


# ---------------------------------------------------------------- proteins


def structure_file(wildcards):
    """The raw PDB of a protein: a local path from config, else the RCSB download."""
    source = config[wildcards.system]["structure_source"]
    if source["path"]:
        return source["path"]
    return f"resources/downloads/{source['pdb_id'].upper()}.pdb"


def protein_seed(wildcards):
    """The seed file that starts a protein production run (its state: the run's)."""
    state = seed_state_of_run(config, wildcards.system, wildcards.scatteritem)
    return f"results/{wildcards.system}/reference/seeds/{state}.npz"


def protein_runs(wildcards):
    """The trajectories of a protein's independent runs, gathered into one."""
    n = config[wildcards.system]["reference"]["n_runs"]
    return [
        f"results/{wildcards.system}/reference/runs/{k}-of-{n}/trajectory.h5"
        for k in range(1, n + 1)
    ]


def protein_mapping_input(wildcards):
    """The mapped Cα data come from the external set when configured, else the built-in MD."""
    external = config[wildcards.system]["reference"]["external"]
    if external:
        return {"external": external}
    return {
        "trajectory": f"results/{wildcards.system}/reference/trajectory.h5",
        "structure": f"results/{wildcards.system}/reference/prepared.pdb",
    }


def protein_trajectory(wildcards):
    """Frames a protein relevance run explains (CG simulation or mapped reference)."""
    return relevance_trajectory(wildcards)


def protein_state_frames(wildcards):
    """Per-frame states of the frames a protein relevance run explained."""
    if wildcards.source == "reference":
        return f"results/{wildcards.system}/states/frames_reference.csv"
    return f"results/{wildcards.system}/states/frames_{wildcards.model}.csv"


def state_sources(system):
    """The trajectories whose states a protein's state analysis assigns."""
    return ["reference", *models_of(system)]


def primary_state_maps(wildcards):
    system, model = wildcards.system, wildcards.model
    return f"results/{system}/relevance/{model}/{primary_source(system)}/state_maps.csv"


def primary_top_interactions(wildcards):
    system, model = wildcards.system, wildcards.model
    return f"results/{system}/relevance/{model}/{primary_source(system)}/top_interactions.csv"


def mutation_differences(wildcards):
    system = wildcards.system
    return expand(
        "results/{system}/relevance/{model}/{source}/mutations/{mutation}.csv",
        system=system,
        model=wildcards.model,
        source=primary_source(system),
        mutation=config[system]["mutations"],
    )


def protein_figures(figures=("fig4", "fig5", "fig6", "fig7", "figS11")):
    """Figures of every protein: Fig. 4 per system, Figs. 5-7 and S11 per (system,
    model); Fig. 7 only for a protein with mutations."""
    files = []
    for system in PROTEINS:
        if "fig4" in figures:
            files += [f"results/figures/fig4_{system}.{ext}" for ext in ("png", "pdf")]
        for model in models_of(system):
            for fig in ("fig5", "fig6", "fig7", "figS11"):
                if fig not in figures or (
                    fig == "fig7" and not config[system]["mutations"]
                ):
                    continue
                exts = (
                    ("png", "pdf")
                    if fig in ("fig5", "figS11")
                    else ("png", "pdf", "pml")
                )
                files += [
                    f"results/figures/{fig}_{system}_{model}.{ext}" for ext in exts
                ]
    return files


def protein_targets():
    return [
        path
        for system in PROTEINS
        for path in (
            f"results/{system}/states.csv",
            f"results/{system}/prior/prior.csv",
            *[
                f"results/{system}/relevance/{m}/{source}/state_maps.csv"
                for m in models_of(system)
                for source in config[system]["relevance"]["sources"]
            ],
        )
    ]
