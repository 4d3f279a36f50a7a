"""Figures: each reads small tables, never trajectories."""


rule plot_reference_structure:
    input:
        rdf="results/{system}/reference/rdf.csv",
        triplets="results/{system}/reference/triplets.csv",
    output:
        rdf="results/figures/reference_rdf_{system}.png",
        triplets="results/figures/reference_triplets_{system}.png",
    log:
        "logs/plot_reference_structure/{system}.log",
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/plot_structure.py"
