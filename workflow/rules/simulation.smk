"""Stage 4: batched Langevin simulation of the trained CG potentials and its structure."""


rule simulate_cg:
    input:
        model="results/{system}/training/{model}/model.pt",
        start="results/{system}/mapping/cg_trajectory.h5",
        prior=simulation_prior,
    output:
        trajectory="results/{system}/simulation/{model}/trajectory.h5",
    log:
        "logs/simulate_cg/{system}/{model}.log",
    benchmark:
        "results/benchmarks/simulate_cg/{system}/{model}.tsv"
    priority: 15
    conda:
        "../../envs/cgexplain.yaml"
    threads: config["threads"]["training"]
    resources:
        mem_mb=scaled_mb(4000),
        runtime=estimate(estimates.simulation_runtime),
        gpu=GPU,
    params:
        settings=settings_for("simulate_cg"),
    script:
        "../scripts/simulate_cg.py"


rule analyze_cg_structure:
    input:
        trajectory="results/{system}/simulation/{model}/trajectory.h5",
        reference="results/{system}/reference/structure.json",  # its first-shell radius
    output:
        rdf="results/{system}/simulation/{model}/rdf.csv",
        triplets="results/{system}/simulation/{model}/triplets.csv",
        shell_angles="results/{system}/simulation/{model}/shell_angles.csv",
        tetrahedral="results/{system}/simulation/{model}/tetrahedral.csv",
        summary="results/{system}/simulation/{model}/structure.json",
        frames="results/{system}/simulation/{model}/structure_frames.npz",
    log:
        "logs/analyze_cg_structure/{system}/{model}.log",
    benchmark:
        "results/benchmarks/analyze_cg_structure/{system}/{model}.tsv"
    wildcard_constraints:
        system=LIQUID_PATTERN,
        model=one_of([*MODELS, "imc"]),
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mb(2000),
        runtime=estimate(estimates.structure_runtime),
    params:
        settings=settings_for("analyze_cg_structure"),
    script:
        "../scripts/analyze_structure.py"


rule validate_structure:
    input:
        reference_rdf=[f"results/{s}/reference/rdf.csv" for s, m in structure_pairs()],
        reference_triplets=[
            f"results/{s}/reference/triplets.csv" for s, m in structure_pairs()
        ],
        rdf=[f"results/{s}/simulation/{m}/rdf.csv" for s, m in structure_pairs()],
        triplets=[
            f"results/{s}/simulation/{m}/triplets.csv" for s, m in structure_pairs()
        ],
        reference_frames=[
            f"results/{s}/reference/structure_frames.npz" for s, m in structure_pairs()
        ],
        reference_summary=[
            f"results/{s}/reference/structure.json" for s, m in structure_pairs()
        ],
        frames=[
            f"results/{s}/simulation/{m}/structure_frames.npz"
            for s, m in structure_pairs()
        ],
    output:
        "results/validation/structure_metrics.csv",
    log:
        "logs/validate_structure/validate_structure.log",
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("validate_structure", imc_systems=IMC_LIQUIDS),
    script:
        "../scripts/validate_structure.py"


rule compare_cutoffs:
    """Supplementary Fig. S2: structure of one model at several cutoffs vs the reference."""
    input:
        reference_rdf="results/{system}/reference/rdf.csv",
        reference_triplets="results/{system}/reference/triplets.csv",
        rdfs=lambda wc: [
            f"results/{wc.system}/simulation/{m}/rdf.csv"
            for m, _ in cutoff_series_runs(wc.system)
        ],
        triplets=lambda wc: [
            f"results/{wc.system}/simulation/{m}/triplets.csv"
            for m, _ in cutoff_series_runs(wc.system)
        ],
        reference_shell_angles="results/{system}/reference/shell_angles.csv",
        reference_tetrahedral="results/{system}/reference/tetrahedral.csv",
        shell_angles=lambda wc: [
            f"results/{wc.system}/simulation/{m}/shell_angles.csv"
            for m, _ in cutoff_series_runs(wc.system)
        ],
        tetrahedral=lambda wc: [
            f"results/{wc.system}/simulation/{m}/tetrahedral.csv"
            for m, _ in cutoff_series_runs(wc.system)
        ],
    output:
        table="results/{system}/simulation/cutoff_series.csv",
        png=report(
            "results/figures/figS2_{system}.png",
            caption="../report/figS2.rst",
            category="7. Supplementary figures",
            subcategory="S2: PaiNN cutoff series",
        ),
        pdf="results/figures/figS2_{system}.pdf",
    log:
        "logs/compare_cutoffs/{system}.log",
    wildcard_constraints:
        system=LIQUID_PATTERN,
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("compare_cutoffs"),
    script:
        "../scripts/compare_cutoffs.py"
