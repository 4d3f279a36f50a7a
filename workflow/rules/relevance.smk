"""Stage 5: GNN-LRP walk relevance of the trained CG potentials (2- and 3-body)."""


rule explain_frames:
    input:
        model="results/{system}/training/{model}/model.pt",
        trajectory=relevance_trajectory,
    output:
        pairs="results/{system}/relevance/{model}/{source}/shards/{scatteritem}/pairs.parquet",
        triplets="results/{system}/relevance/{model}/{source}/shards/{scatteritem}/triplets.parquet",
        frames="results/{system}/relevance/{model}/{source}/shards/{scatteritem}/frames.csv",
    log:
        "logs/explain_frames/{system}/{model}/{source}/{scatteritem}.log",
    benchmark:
        "results/benchmarks/explain_frames/{system}/{model}/{source}/{scatteritem}.tsv"
    conda:
        "../../envs/cgexplain.yaml"
    threads: config["threads"]["relevance"]
    resources:
        mem_mb=scaled_mb(6000),
        runtime=estimate(estimates.relevance_runtime, config["scatter"]["relevance"]),
        gpu=GPU,
    params:
        settings=settings_for("explain_frames"),
    script:
        "../scripts/explain_frames.py"


rule gather_relevance:
    input:
        pairs=gather.relevance(
            "results/{{system}}/relevance/{{model}}/{{source}}/shards/{scatteritem}/pairs.parquet"
        ),
        triplets=gather.relevance(
            "results/{{system}}/relevance/{{model}}/{{source}}/shards/{scatteritem}/triplets.parquet"
        ),
        frames=gather.relevance(
            "results/{{system}}/relevance/{{model}}/{{source}}/shards/{scatteritem}/frames.csv"
        ),
    output:
        pairs="results/{system}/relevance/{model}/{source}/pairs.parquet",
        triplets="results/{system}/relevance/{model}/{source}/triplets.parquet",
        frames="results/{system}/relevance/{model}/{source}/frames.csv",
    log:
        "logs/gather_relevance/{system}/{model}/{source}.log",
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mb(4000),
        runtime=10,
    script:
        "../scripts/gather_relevance.py"


rule summarize_relevance:
    input:
        model="results/{system}/training/{model}/model.pt",
        pairs="results/{system}/relevance/{model}/{source}/pairs.parquet",
        triplets="results/{system}/relevance/{model}/{source}/triplets.parquet",
        rdf=reference_rdf,
    output:
        pair_profile="results/{system}/relevance/{model}/{source}/pair_profile.csv",
        pair_histogram="results/{system}/relevance/{model}/{source}/pair_histogram.csv",
        triplet_map="results/{system}/relevance/{model}/{source}/triplet_map.csv",
        triplet_adjacent="results/{system}/relevance/{model}/{source}/triplet_adjacent.csv",
        vertex_map="results/{system}/relevance/{model}/{source}/triplet_vertex_map.csv",
        vertex_profile="results/{system}/relevance/{model}/{source}/vertex_angle_profile.csv",
        summary="results/{system}/relevance/{model}/{source}/summary.json",
    log:
        "logs/summarize_relevance/{system}/{model}/{source}.log",
    benchmark:
        "results/benchmarks/summarize_relevance/{system}/{model}/{source}.tsv"
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mb(4000),
        runtime=10,
    params:
        settings=settings_for("summarize_relevance"),
    script:
        "../scripts/summarize_relevance.py"


rule classic_decomposition:
    input:
        model="results/{system}/training/{model}/model.pt",
        trajectory=relevance_trajectory,
        pairs="results/{system}/relevance/{model}/{source}/pairs.parquet",
        triplets="results/{system}/relevance/{model}/{source}/triplets.parquet",
    output:
        e2_profile="results/{system}/relevance/{model}/{source}/classic_e2_profile.csv",
        e3_map="results/{system}/relevance/{model}/{source}/classic_e3_map.csv",
    log:
        "logs/classic_decomposition/{system}/{model}/{source}.log",
    benchmark:
        "results/benchmarks/classic_decomposition/{system}/{model}/{source}.tsv"
    conda:
        "../../envs/cgexplain.yaml"
    threads: config["threads"]["relevance"]
    resources:
        mem_mb=scaled_mb(4000),
        runtime=lambda wildcards, attempt: 30 * attempt,
    params:
        settings=settings_for("classic_decomposition"),
    script:
        "../scripts/classic_decomposition.py"


rule find_artifacts:
    """Strong 3-body relevance where the training data are thin (Suppl. S5.2, Fig. S10)."""
    input:
        model="results/{system}/training/{model}/model.pt",
        triplet_map="results/{system}/relevance/{model}/{source}/triplet_map.csv",
        training="results/{system}/mapping/cg_trajectory.h5",
    output:
        artifacts="results/{system}/relevance/{model}/{source}/artifacts.csv",
        density="results/{system}/relevance/{model}/{source}/training_density.csv",
    log:
        "logs/find_artifacts/{system}/{model}/{source}.log",
    benchmark:
        "results/benchmarks/find_artifacts/{system}/{model}/{source}.tsv"
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mb(4000),
        runtime=lambda wildcards, attempt: 30 * attempt,
    params:
        settings=settings_for("find_artifacts"),
    script:
        "../scripts/find_artifacts.py"


rule bootstrap_relevance:
    """Block-bootstrap intervals of a run's 2-body profile, 3-body map and numbers."""
    input:
        pairs="results/{system}/relevance/{model}/{source}/pairs.parquet",
        triplets="results/{system}/relevance/{model}/{source}/triplets.parquet",
        frames="results/{system}/relevance/{model}/{source}/frames.csv",
        rdf=reference_rdf,
    output:
        profile="results/{system}/relevance/{model}/{source}/bootstrap/pair_profile_ci.csv",
        map="results/{system}/relevance/{model}/{source}/bootstrap/triplet_map_ci.csv",
        numbers="results/{system}/relevance/{model}/{source}/bootstrap/numbers_ci.csv",
        replicates="results/{system}/relevance/{model}/{source}/bootstrap/replicates.npz",
        vertex_profile="results/{system}/relevance/{model}/{source}/bootstrap/vertex_angle_profile_ci.csv",
    log:
        "logs/bootstrap_relevance/{system}/{model}/{source}.log",
    benchmark:
        "results/benchmarks/bootstrap_relevance/{system}/{model}/{source}.tsv"
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mb(4000),
        runtime=lambda wildcards, attempt: 30 * attempt,
    params:
        settings=settings_for("bootstrap_relevance"),
    script:
        "../scripts/bootstrap_relevance.py"


rule nbody_spectrum:
    """Shares of the total walk relevance carried by 1-, 2-, 3- and >=4-bead walks."""
    input:
        pairs="results/{system}/relevance/{model}/{source}/pairs.parquet",
        triplets="results/{system}/relevance/{model}/{source}/triplets.parquet",
        frames="results/{system}/relevance/{model}/{source}/frames.csv",
    output:
        spectrum="results/{system}/relevance/{model}/{source}/nbody_spectrum.csv",
        summary="results/{system}/relevance/{model}/{source}/nbody_summary.csv",
    log:
        "logs/nbody_spectrum/{system}/{model}/{source}.log",
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("nbody_spectrum"),
    script:
        "../scripts/nbody_spectrum.py"


rule compute_agreement:
    input:
        profiles=primary_relevance("pair_profile.csv"),
        maps=primary_relevance("triplet_map.csv"),
        summaries=primary_relevance("summary.json"),
        spectra=primary_relevance("nbody_summary.csv"),
        replicates=primary_relevance("bootstrap/replicates.npz"),
        rdfs=expand("results/{system}/reference/rdf.csv", system=LIQUIDS),
        potentials=expand("results/{system}/imc/potential.csv", system=IMC_LIQUIDS),
    output:
        "results/relevance/agreement.csv",
    log:
        "logs/compute_agreement/compute_agreement.log",
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("compute_agreement", imc_systems=IMC_LIQUIDS),
    script:
        "../scripts/compute_agreement.py"


rule check_claims:
    """The study's claims tested on this run, with intervals (results/validation/claims.csv)."""
    input:
        unpack(claims_inputs),
    output:
        report(
            "results/validation/claims.csv",
            caption="../report/claims.rst",
            category="0. Claims of the study",
        ),
    log:
        "logs/check_claims/check_claims.log",
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("check_claims", imc_skipped=IMC_SKIPPED),
    script:
        "../scripts/check_claims.py"


# ------------------------------------------------------------------ proteins


rule map_state_relevance:
    """Mean 2-body relevance of every residue pair per folding state, the strongest
    2- and 3-body interactions of the folded state (Figs. 5 and 6), and per state the
    summed relevance of each element's native contacts with its interval."""
    input:
        pairs="results/{system}/relevance/{model}/{source}/pairs.parquet",
        triplets="results/{system}/relevance/{model}/{source}/triplets.parquet",
        states=protein_state_frames,
        counts="results/{system}/states.csv",
        elements="results/{system}/states/elements.json",
    output:
        maps="results/{system}/relevance/{model}/{source}/state_maps.csv",
        top="results/{system}/relevance/{model}/{source}/top_interactions.csv",
        contacts="results/{system}/relevance/{model}/{source}/state_contacts.csv",
    log:
        "logs/map_state_relevance/{system}/{model}/{source}.log",
    wildcard_constraints:
        system=PROTEIN_PATTERN,
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mb(2000),
    params:
        settings=settings_for("map_state_relevance"),
    script:
        "../scripts/map_state_relevance.py"


rule explain_mutation:
    """2-body relevance of folded frames with one bead's type changed (mutant - wild type)."""
    input:
        model="results/{system}/training/{model}/model.pt",
        trajectory=protein_trajectory,
        states=protein_state_frames,
        elements="results/{system}/states/elements.json",
    output:
        difference="results/{system}/relevance/{model}/{source}/mutations/{mutation}.csv",
        contacts="results/{system}/relevance/{model}/{source}/mutations/{mutation}_contacts.csv",
    log:
        "logs/explain_mutation/{system}/{model}/{source}/{mutation}.log",
    benchmark:
        "results/benchmarks/explain_mutation/{system}/{model}/{source}/{mutation}.tsv"
    wildcard_constraints:
        system=PROTEIN_PATTERN,
    conda:
        "../../envs/cgexplain.yaml"
    threads: config["threads"]["relevance"]
    resources:
        mem_mb=scaled_mb(4000),
        runtime=lambda wildcards, attempt: 30 * attempt,
        gpu=GPU,
    params:
        settings=settings_for("explain_mutation"),
    script:
        "../scripts/explain_mutation.py"
