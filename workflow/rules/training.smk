"""Stage 3: force-matching training of CG potentials (SchNetPack 2)."""


rule split_frames:
    """One training/validation split per system, shared by all its models and its prior:
    contiguous blocks of frames within runs (default), whole runs, or single frames."""
    input:
        trajectory="results/{system}/mapping/cg_trajectory.h5",
    output:
        split="results/{system}/training/split.npz",
    log:
        "logs/split_frames/{system}.log",
    benchmark:
        "results/benchmarks/split_frames/{system}.tsv"
    priority: 20  # on the way to training (train_model)
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        settings=settings_for("split_frames"),
    script:
        "../scripts/split_frames.py"


rule train_model:
    """Force matching on the system's training frames; the best epoch by validation loss."""
    input:
        dataset=training_dataset,
        split="results/{system}/training/split.npz",
    output:
        model="results/{system}/training/{model}/model.pt",
        spec="results/{system}/training/{model}/model.pt.json",
        metrics="results/{system}/training/{model}/metrics.csv",
    log:
        "logs/train_model/{system}/{model}.log",
    benchmark:
        "results/benchmarks/train_model/{system}/{model}.tsv"
    # training, and the steps that lead to it, before the protein's reference runs
    # (priority 10): the liquids' training and CG runs are the default run's longest chain;
    # the costliest architectures first (priority 21-23)
    priority: training_priority
    conda:
        "../../envs/cgexplain.yaml"
    threads: config["threads"]["training"]
    resources:
        mem_mb=scaled_mb(4000),
        runtime=estimate(estimates.training_runtime),
        gpu=GPU,
    params:
        settings=settings_for("train_model"),
        work_dir="results/{system}/training/{model}/work",
    script:
        "../scripts/train_model.py"


rule fit_prior:
    """Prior of a protein's Cα chain by Boltzmann inversion, and the forces the network
    learns (mapped forces minus prior forces: delta learning). The prior is fitted on
    the training frames only, so that validation measures prior and network alike."""
    input:
        trajectory="results/{system}/mapping/cg_trajectory.h5",
        split="results/{system}/training/split.npz",
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
        settings=settings_for("fit_prior"),
    script:
        "../scripts/fit_prior.py"


rule diagnose_training:
    """RMSE of the prior alone and of prior + network against the mapped forces, and the
    share of their variance each explains, on training and validation frames."""
    input:
        model="results/{system}/training/{model}/model.pt",
        split="results/{system}/training/split.npz",
        trajectory="results/{system}/mapping/cg_trajectory.h5",
        prior=simulation_prior,
    output:
        table="results/{system}/training/{model}/force_matching.csv",
    log:
        "logs/diagnose_training/{system}/{model}.log",
    benchmark:
        "results/benchmarks/diagnose_training/{system}/{model}.tsv"
    conda:
        "../../envs/cgexplain.yaml"
    threads: config["threads"]["training"]
    resources:
        mem_mb=scaled_mb(4000),
        runtime=lambda wildcards, attempt: 30 * attempt,
    script:
        "../scripts/diagnose_training.py"


rule gather_force_matching:
    """The force-matching diagnostics of every model in one table."""
    input:
        force_matching_tables(),
    output:
        table="results/validation/force_matching.csv",
    log:
        "logs/gather_force_matching.log",
    benchmark:
        "results/benchmarks/gather_force_matching.tsv"
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/gather_force_matching.py"
