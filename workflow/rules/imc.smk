"""Classical control: a pair potential by Inverse Monte Carlo (VOTCA + LAMMPS).

Per liquid with `imc.enabled`: fit U(r) to the mapped reference RDF (csg_inverse, one
iteration per call, resumable), run LAMMPS with it (analysed as model `imc` by the
simulation stage), and compare U(r) with each network's mean 2-body relevance. Nothing
else in the workflow depends on these rules.
"""


rule fit_imc:
    """IMC pair potential fitted to the RDF of the mapped all-atom reference."""
    input:
        tools=imc_tools,
        rdf="results/{system}/reference/rdf.csv",
        start="results/{system}/mapping/cg_trajectory.h5",
    output:
        potential="results/{system}/imc/potential.csv",
        progress="results/{system}/imc/progress.csv",
    log:
        "logs/fit_imc/{system}.log",
    benchmark:
        "results/benchmarks/fit_imc/{system}.tsv"
    wildcard_constraints:
        system=IMC_PATTERN,
    conda:
        "../../envs/votca.yaml"
    threads: config["threads"]["imc"]
    resources:
        mem_mb=scaled_mb(2000),
        runtime=estimate(estimates.imc_runtime),
    params:
        settings=settings_for("fit_imc"),
        work_dir="results/{system}/imc/work",
    script:
        "../scripts/fit_imc.py"


rule simulate_imc:
    """Langevin run (LAMMPS) of the liquid with its IMC pair potential."""
    input:
        tools=imc_tools,
        potential="results/{system}/imc/potential.csv",
        start="results/{system}/mapping/cg_trajectory.h5",
    output:
        trajectory="results/{system}/simulation/imc/trajectory.h5",
    log:
        "logs/simulate_imc/{system}.log",
    benchmark:
        "results/benchmarks/simulate_imc/{system}.tsv"
    wildcard_constraints:
        system=IMC_PATTERN,
    conda:
        "../../envs/votca.yaml"
    threads: config["threads"]["imc"]
    resources:
        mem_mb=scaled_mb(2000),
        runtime=estimate(estimates.imc_simulation_runtime),
    params:
        settings=settings_for("simulate_imc"),
        work_dir="results/{system}/imc/final_run",
    script:
        "../scripts/simulate_imc.py"


rule compare_imc_relevance:
    """The IMC pair potential next to each network's mean 2-body relevance."""
    input:
        potential="results/{system}/imc/potential.csv",
        profiles=lambda wc: [
            f"results/{wc.system}/relevance/{m}/{primary_source(wc.system)}/pair_profile.csv"
            for m in models_of(wc.system)
        ],
    output:
        table="results/{system}/imc/pair_vs_relevance.csv",
        png=report(
            "results/figures/imc_vs_2body_{system}.png",
            caption="../report/imc_vs_2body.rst",
            category="7. Supplementary figures",
            subcategory="S1: pair potential (IMC) control",
        ),
        pdf="results/figures/imc_vs_2body_{system}.pdf",
    log:
        "logs/compare_imc_relevance/{system}.log",
    wildcard_constraints:
        system=IMC_PATTERN,
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("compare_imc_relevance"),
    script:
        "../scripts/compare_imc_relevance.py"
