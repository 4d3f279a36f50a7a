"""Stage 3: force-matching training of CG potentials (SchNetPack 2)."""


rule train_model:
    input:
        dataset="results/{system}/mapping/dataset.db",
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
