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
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
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
        reference_shell_angles="results/{system}/reference/shell_angles.csv",
        reference_tetrahedral="results/{system}/reference/tetrahedral.csv",
        shell_angles=lambda wc: expand(
            "results/{{system}}/simulation/{model}/shell_angles.csv",
            model=config[wc.system]["training"]["models"],
        ),
        tetrahedral=lambda wc: expand(
            "results/{{system}}/simulation/{model}/tetrahedral.csv",
            model=config[wc.system]["training"]["models"],
        ),
    output:
        report(
            "results/figures/structure_{system}.png",
            caption="../report/structure.rst",
            category="7. Supplementary figures",
            subcategory="S3, S7: structure of every CG model",
        ),
    log:
        "logs/plot_structure_comparison/{system}.log",
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("plot_structure_comparison"),
    script:
        "../scripts/plot_structure_comparison.py"


rule plot_figS1:
    """Supplementary Fig. S1: structure of the reference, the IMC pair potential and
    each network, one liquid."""
    input:
        reference_rdf="results/{system}/reference/rdf.csv",
        reference_triplets="results/{system}/reference/triplets.csv",
        rdfs=lambda wc: expand(
            "results/{{system}}/simulation/{model}/rdf.csv",
            model=["imc", *models_of(wc.system)],
        ),
        triplets=lambda wc: expand(
            "results/{{system}}/simulation/{model}/triplets.csv",
            model=["imc", *models_of(wc.system)],
        ),
        reference_shell_angles="results/{system}/reference/shell_angles.csv",
        reference_tetrahedral="results/{system}/reference/tetrahedral.csv",
        shell_angles=lambda wc: expand(
            "results/{{system}}/simulation/{model}/shell_angles.csv",
            model=["imc", *models_of(wc.system)],
        ),
        tetrahedral=lambda wc: expand(
            "results/{{system}}/simulation/{model}/tetrahedral.csv",
            model=["imc", *models_of(wc.system)],
        ),
    output:
        png=report(
            "results/figures/figS1_{system}.png",
            caption="../report/figS1.rst",
            category="7. Supplementary figures",
            subcategory="S1: pair potential (IMC) control",
        ),
        pdf="results/figures/figS1_{system}.pdf",
    log:
        "logs/plot_figS1/{system}.log",
    wildcard_constraints:
        system=IMC_PATTERN,
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("plot_figS1"),
    script:
        "../scripts/plot_figS1.py"


rule plot_fig2:
    input:
        rdf="results/{system}/simulation/{model}/rdf.csv",
        reference_rdf="results/{system}/reference/rdf.csv",
        shell_angles="results/{system}/simulation/{model}/shell_angles.csv",
        tetrahedral="results/{system}/simulation/{model}/tetrahedral.csv",
        reference_shell_angles="results/{system}/reference/shell_angles.csv",
        reference_tetrahedral="results/{system}/reference/tetrahedral.csv",
        profile=relevance_input("pair_profile.csv"),
        summary=relevance_input("summary.json"),
        ci=relevance_input("bootstrap/pair_profile_ci.csv"),
    output:
        png=report(
            "results/figures/fig2_{system}_{model}.png",
            caption="../report/fig2.rst",
            category="1. Fig. 2: RDF and 2-body relevance",
        ),
        pdf="results/figures/fig2_{system}_{model}.pdf",
    log:
        "logs/plot_fig2/{system}_{model}.log",
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("plot_fig2"),
    script:
        "../scripts/plot_fig2.py"


rule plot_fig3:
    """Fig. 3 (largest angle) beside the authors' first-shell vertex-angle map and profile."""
    input:
        map=relevance_input("triplet_map.csv"),
        vertex_map=relevance_input("triplet_vertex_map.csv"),
        vertex_profile=relevance_input("bootstrap/vertex_angle_profile_ci.csv"),
        summary=relevance_input("summary.json"),
    output:
        png=report(
            "results/figures/fig3_{system}_{model}.png",
            caption="../report/fig3.rst",
            category="2. Fig. 3: 3-body relevance",
        ),
        pdf="results/figures/fig3_{system}_{model}.pdf",
    log:
        "logs/plot_fig3/{system}_{model}.log",
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("plot_fig3"),
    script:
        "../scripts/plot_fig3.py"


rule plot_ci_map:
    """The 3-body map of Fig. 3 beside the width of its bootstrap interval."""
    input:
        map=relevance_input("bootstrap/triplet_map_ci.csv"),
    output:
        png=report(
            "results/figures/figS_ci_{system}_{model}.png",
            caption="../report/figS_ci.rst",
            category="7. Supplementary figures",
            subcategory="interval widths of Fig. 3",
        ),
        pdf="results/figures/figS_ci_{system}_{model}.pdf",
    log:
        "logs/plot_ci_map/{system}_{model}.log",
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("plot_ci_map"),
    script:
        "../scripts/plot_ci_map.py"


rule plot_nbody_spectrum:
    """Mean shares of the walk relevance by number of beads, per model, with intervals."""
    input:
        system_spectra,
    output:
        png=report(
            "results/figures/figS_nbody_{system}.png",
            caption="../report/figS_nbody.rst",
            category="7. Supplementary figures",
            subcategory="n-body spectrum",
        ),
        pdf="results/figures/figS_nbody_{system}.pdf",
    log:
        "logs/plot_nbody_spectrum/{system}.log",
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("plot_nbody_spectrum"),
    script:
        "../scripts/plot_nbody_spectrum.py"


rule plot_figS10:
    """The 3-body map beside the training density of its bins, artifacts marked."""
    input:
        map=relevance_input("triplet_map.csv"),
        density=relevance_input("training_density.csv"),
        artifacts=relevance_input("artifacts.csv"),
    output:
        png=report(
            "results/figures/figS10_{system}_{model}.png",
            caption="../report/figS10.rst",
            category="7. Supplementary figures",
            subcategory="S10: training-data artifacts",
        ),
        pdf="results/figures/figS10_{system}_{model}.pdf",
    log:
        "logs/plot_figS10/{system}_{model}.log",
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("plot_figS10"),
    script:
        "../scripts/plot_figS10.py"


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
            category="7. Supplementary figures",
            subcategory="single 2-body contributions",
        ),
        pairs_pdf="results/figures/figS_pairs_{system}_{model}.pdf",
        adjacent_png=report(
            "results/figures/figS_adjacent_{system}_{model}.png",
            caption="../report/figS_adjacent.rst",
            category="7. Supplementary figures",
            subcategory="3-body relevance by adjacent edges",
        ),
        adjacent_pdf="results/figures/figS_adjacent_{system}_{model}.pdf",
        classic_png=report(
            "results/figures/figS_classic_{system}_{model}.png",
            caption="../report/figS_classic.rst",
            category="7. Supplementary figures",
            subcategory="S4: classic many-body decomposition",
        ),
        classic_pdf="results/figures/figS_classic_{system}_{model}.pdf",
    log:
        "logs/plot_relevance_supplement/{system}_{model}.log",
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("plot_relevance_supplement"),
    script:
        "../scripts/plot_relevance_supplement.py"


# ------------------------------------------------------------------ proteins


rule plot_fig4:
    """Fig. 4: free-energy surfaces over TIC 1 and 2, reference and CG side by side."""
    input:
        surfaces=lambda wc: expand(
            "results/{system}/states/fes_{source}.csv",
            system=wc.system,
            source=state_sources(wc.system),
        ),
        frames="results/{system}/states/frames_reference.csv",
        reference="results/{system}/mapping/cg_trajectory.h5",
    output:
        png=report(
            "results/figures/fig4_{system}.png",
            caption="../report/fig4.rst",
            category="3. Fig. 4: free-energy surfaces of the protein",
        ),
        pdf="results/figures/fig4_{system}.pdf",
    log:
        "logs/plot_fig4/{system}.log",
    wildcard_constraints:
        system=PROTEIN_PATTERN,
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("plot_fig4"),
    script:
        "../scripts/plot_fig4.py"


rule plot_fig5:
    """Fig. 5: residue-pair 2-body relevance, F / U and P1 - F, P2 - F."""
    input:
        maps=primary_state_maps,
        elements="results/{system}/states/elements.json",
    output:
        png=report(
            "results/figures/fig5_{system}_{model}.png",
            caption="../report/fig5.rst",
            category="4. Fig. 5: relevance per folding state",
        ),
        pdf="results/figures/fig5_{system}_{model}.pdf",
    log:
        "logs/plot_fig5/{system}/{model}.log",
    wildcard_constraints:
        system=PROTEIN_PATTERN,
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("plot_fig5"),
    script:
        "../scripts/plot_fig5.py"


rule plot_figS11:
    """Suppl. Fig. S11: contact maps of the states next to their relevance maps."""
    input:
        maps=primary_state_maps,
        elements="results/{system}/states/elements.json",
        frames="results/{system}/states/frames_reference.csv",
        reference="results/{system}/mapping/cg_trajectory.h5",
    output:
        png=report(
            "results/figures/figS11_{system}_{model}.png",
            caption="../report/figS11.rst",
            category="7. Supplementary figures",
            subcategory="S11: contact maps of the folding states",
        ),
        pdf="results/figures/figS11_{system}_{model}.pdf",
    log:
        "logs/plot_figS11/{system}/{model}.log",
    wildcard_constraints:
        system=PROTEIN_PATTERN,
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("plot_figS11"),
    script:
        "../scripts/plot_figS11.py"


rule plot_fig6:
    """Fig. 6: strongest 2- and 3-body interactions of the folded state on the structure,
    and a PyMOL script drawing them on the prepared PDB."""
    input:
        top=primary_top_interactions,
        elements="results/{system}/states/elements.json",
        structure="results/{system}/reference/prepared.pdb",
    output:
        png=report(
            "results/figures/fig6_{system}_{model}.png",
            caption="../report/fig6.rst",
            category="5. Fig. 6: strongest folded-state interactions",
        ),
        pdf="results/figures/fig6_{system}_{model}.pdf",
        pml="results/figures/fig6_{system}_{model}.pml",
    log:
        "logs/plot_fig6/{system}/{model}.log",
    wildcard_constraints:
        system=PROTEIN_PATTERN,
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("plot_fig6"),
    script:
        "../scripts/plot_fig6.py"


rule plot_fig7:
    """Fig. 7: 2-body relevance change of each mutation on folded frames."""
    input:
        differences=mutation_differences,
        elements="results/{system}/states/elements.json",
        structure="results/{system}/reference/prepared.pdb",
    output:
        png=report(
            "results/figures/fig7_{system}_{model}.png",
            caption="../report/fig7.rst",
            category="6. Fig. 7: point mutations",
        ),
        pdf="results/figures/fig7_{system}_{model}.pdf",
        pml="results/figures/fig7_{system}_{model}.pml",
    log:
        "logs/plot_fig7/{system}/{model}.log",
    wildcard_constraints:
        system=PROTEIN_PATTERN,
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("plot_fig7"),
    script:
        "../scripts/plot_fig7.py"
