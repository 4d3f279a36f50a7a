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


rule plot_fig2:
    input:
        rdf="results/{system}/simulation/{model}/rdf.csv",
        reference_rdf="results/{system}/reference/rdf.csv",
        profile=relevance_input("pair_profile.csv"),
        summary=relevance_input("summary.json"),
    output:
        png=report(
            "results/figures/fig2_{system}_{model}.png",
            caption="../report/fig2.rst",
            category="Relevance",
            subcategory="Fig. 2: 2-body",
        ),
        pdf="results/figures/fig2_{system}_{model}.pdf",
    log:
        "logs/plot_fig2/{system}_{model}.log",
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        min_count=lambda wc: config[wc.system]["relevance"]["min_count"],
    script:
        "../scripts/plot_fig2.py"


rule plot_fig3:
    input:
        map=relevance_input("triplet_map.csv"),
    output:
        png=report(
            "results/figures/fig3_{system}_{model}.png",
            caption="../report/fig3.rst",
            category="Relevance",
            subcategory="Fig. 3: 3-body",
        ),
        pdf="results/figures/fig3_{system}_{model}.pdf",
    log:
        "logs/plot_fig3/{system}_{model}.log",
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        min_count=lambda wc: config[wc.system]["relevance"]["min_count"],
    script:
        "../scripts/plot_fig3.py"


rule plot_relevance_supplement:
    input:
        histogram=relevance_input("pair_histogram.csv"),
        profile=relevance_input("pair_profile.csv"),
        adjacent=relevance_input("triplet_adjacent.csv"),
        e2_profile=relevance_input("classic_e2_profile.csv"),
        e3_map=relevance_input("classic_e3_map.csv"),
    output:
        pairs_png=report(
            "results/figures/figS_pairs_{system}_{model}.png",
            caption="../report/figS_pairs.rst",
            category="Relevance",
            subcategory="Supplement",
        ),
        pairs_pdf="results/figures/figS_pairs_{system}_{model}.pdf",
        adjacent_png=report(
            "results/figures/figS_adjacent_{system}_{model}.png",
            caption="../report/figS_adjacent.rst",
            category="Relevance",
            subcategory="Supplement",
        ),
        adjacent_pdf="results/figures/figS_adjacent_{system}_{model}.pdf",
        classic_png=report(
            "results/figures/figS_classic_{system}_{model}.png",
            caption="../report/figS_classic.rst",
            category="Relevance",
            subcategory="Supplement",
        ),
        classic_pdf="results/figures/figS_classic_{system}_{model}.pdf",
    log:
        "logs/plot_relevance_supplement/{system}_{model}.log",
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        min_count=lambda wc: config[wc.system]["relevance"]["min_count"],
    script:
        "../scripts/plot_relevance_supplement.py"
