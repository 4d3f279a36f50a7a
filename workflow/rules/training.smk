"""Stage 3: force-matching training of CG potentials (SchNetPack 2)."""


rule train_model:
    input:
        dataset=training_dataset,
    output:
        model="results/{system}/training/{model}/model.pt",
        spec="results/{system}/training/{model}/model.pt.json",
        metrics="results/{system}/training/{model}/metrics.csv",
    log:
        "logs/train_model/{system}/{model}.log",
    benchmark:
        "results/benchmarks/train_model/{system}/{model}.tsv"
    conda:
        "../../envs/cgexplain.yaml"
    threads: config["threads"]["training"]
    resources:
        mem_mb=scaled_mb(4000),
        runtime=estimate(estimates.training_runtime),
        gpu=GPU,
    params:
        model=model_settings,
        optimizer=optimizer_settings,
        work_dir="results/{system}/training/{model}/work",
    script:
        "../scripts/train_model.py"


rule fit_prior:
    """Prior of a protein's Cα chain by Boltzmann inversion, and the forces the network
    learns (mapped forces minus prior forces: delta learning)."""
    input:
        trajectory="results/{system}/mapping/cg_trajectory.h5",
    output:
        parameters="results/{system}/prior/prior.json",
        table="results/{system}/prior/prior.csv",
        dataset="results/{system}/prior/delta_dataset.db",
    log:
        "logs/fit_prior/{system}.log",
    benchmark:
        "results/benchmarks/fit_prior/{system}.tsv"
    wildcard_constraints:
        system=PROTEIN_PATTERN,
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mb(2000),
        runtime=lambda wildcards, attempt: 20 * attempt,
    params:
        prior=setting("prior"),
        temperature=setting("reference", "temperature"),
    script:
        "../scripts/fit_prior.py"
