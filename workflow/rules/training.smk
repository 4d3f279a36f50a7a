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
        mem_mb=lambda wildcards, attempt: 4000 * attempt,
        runtime=training_runtime,
        gpu=GPU,
    params:
        model=model_settings,
        optimizer=optimizer_settings,
        work_dir="results/{system}/training/{model}/work",
    script:
        "../scripts/train_model.py"


rule fit_prior:
    """Prior of the Cα chain by Boltzmann inversion, and the forces the network learns
    (mapped forces minus prior forces: delta learning)."""
    input:
        trajectory="results/ntl9/mapping/cg_trajectory.h5",
    output:
        parameters="results/ntl9/prior/prior.json",
        table="results/ntl9/prior/prior.csv",
        dataset="results/ntl9/prior/delta_dataset.db",
    log:
        "logs/fit_prior/ntl9.log",
    benchmark:
        "results/benchmarks/fit_prior/ntl9.tsv"
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 2000 * attempt,
        runtime=lambda wildcards, attempt: 20 * attempt,
    params:
        prior=config["ntl9"]["prior"],
        temperature=config["ntl9"]["reference"]["temperature"],
    script:
        "../scripts/fit_prior.py"
