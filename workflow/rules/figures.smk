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


rule plot_structure_comparison:
    input:
        reference_rdf="results/{system}/reference/rdf.csv",
        reference_triplets="results/{system}/reference/triplets.csv",
        rdfs=lambda wc: expand(
            "results/{{system}}/simulation/{model}/rdf.csv",
            model=config[wc.system]["training"]["models"],
        ),
        triplets=lambda wc: expand(
            "results/{{system}}/simulation/{model}/triplets.csv",
            model=config[wc.system]["training"]["models"],
        ),
    output:
        report(
            "results/figures/structure_{system}.png",
            caption="../report/structure.rst",
            category="Structure",
        ),
    log:
        "logs/plot_structure_comparison/{system}.log",
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        models=lambda wc: config[wc.system]["training"]["models"],
    script:
        "../scripts/plot_structure_comparison.py"
