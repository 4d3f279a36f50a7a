"""Stage 1: all-atom reference MD (OpenMM) and the structure of the reference."""


rule simulate_reference:
    input:
        forcefield=forcefield_input,
    output:
        trajectory="results/{system}/reference/shards/{scatteritem}/trajectory.h5",
    log:
        "logs/simulate_reference/{system}/{scatteritem}.log",
    benchmark:
        "results/benchmarks/simulate_reference/{system}/{scatteritem}.tsv"
    conda:
        "../../envs/cgexplain.yaml"
    threads: config["threads"]["reference"]
    resources:
        mem_mb=lambda wildcards, attempt: 2000 * attempt,
        runtime=reference_runtime,
        gpu=GPU,
    params:
        settings=reference_settings,
        work_dir="results/{system}/reference/shards/{scatteritem}/work",
    script:
        "../scripts/simulate_reference.py"


rule gather_reference:
    input:
        gather.reference(
            "results/{{system}}/reference/shards/{scatteritem}/trajectory.h5"
        ),
    output:
        trajectory="results/{system}/reference/trajectory.h5",
    log:
        "logs/gather_reference/{system}.log",
    benchmark:
        "results/benchmarks/gather_reference/{system}.tsv"
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 1000 * attempt,
        runtime=lambda wildcards, attempt: 20 * attempt,
    script:
        "../scripts/gather_reference.py"


rule analyze_reference_structure:
    input:
        trajectory="results/{system}/mapping/cg_trajectory.h5",
    output:
        rdf="results/{system}/reference/rdf.csv",
        triplets="results/{system}/reference/triplets.csv",
        summary="results/{system}/reference/structure.json",
    log:
        "logs/analyze_reference_structure/{system}.log",
    benchmark:
        "results/benchmarks/analyze_reference_structure/{system}.tsv"
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 2000 * attempt,
        runtime=structure_runtime,
    params:
        settings=structure_settings,
    script:
        "../scripts/analyze_structure.py"


rule summarize_reference:
    input:
        expand("results/{system}/reference/structure.json", system=LIQUIDS),
    output:
        "results/validation/reference_structure.csv",
    log:
        "logs/summarize_reference/summary.log",
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/summarize_reference.py"
