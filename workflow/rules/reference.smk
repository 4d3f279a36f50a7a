"""Stage 1: all-atom reference MD (OpenMM) and the structure of the reference."""


rule simulate_reference:
    """One shard of a liquid's reference: its builder's system, a seeded NVT run."""
    input:
        unpack(reference_inputs),
    output:
        trajectory="results/{system}/reference/shards/{scatteritem}/trajectory.h5",
    log:
        "logs/simulate_reference/{system}/{scatteritem}.log",
    benchmark:
        "results/benchmarks/simulate_reference/{system}/{scatteritem}.tsv"
    wildcard_constraints:
        system=LIQUID_PATTERN,
    # the longest jobs, upstream of everything: start them before ready downstream work
    priority: 10
    conda:
        "../../envs/cgexplain.yaml"
    threads: config["threads"]["reference"]
    resources:
        mem_mb=scaled_mb(2000),
        runtime=estimate(estimates.reference_runtime),
        gpu=GPU,
    params:
        settings=settings_for("simulate_reference"),
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
    wildcard_constraints:
        system=LIQUID_PATTERN,
    priority: 20  # on the way to training (train_model)
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mb(1000),
        runtime=lambda wildcards, attempt: 20 * attempt,
    script:
        "../scripts/gather_reference.py"


rule analyze_reference_structure:
    input:
        trajectory="results/{system}/mapping/cg_trajectory.h5",
    output:
        rdf="results/{system}/reference/rdf.csv",
        triplets="results/{system}/reference/triplets.csv",
        shell_angles="results/{system}/reference/shell_angles.csv",
        tetrahedral="results/{system}/reference/tetrahedral.csv",
        summary="results/{system}/reference/structure.json",
        frames="results/{system}/reference/structure_frames.npz",
    log:
        "logs/analyze_reference_structure/{system}.log",
    benchmark:
        "results/benchmarks/analyze_reference_structure/{system}.tsv"
    wildcard_constraints:
        system=LIQUID_PATTERN,
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mb(2000),
        runtime=estimate(estimates.structure_runtime),
    params:
        settings=settings_for("analyze_reference_structure"),
    script:
        "../scripts/analyze_structure.py"


rule summarize_reference:
    input:
        expand("results/{system}/reference/structure.json", system=LIQUIDS),
    output:
        "results/validation/reference_structure.csv",
    log:
        "logs/summarize_reference/summary.log",
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    script:
        "../scripts/summarize_reference.py"


# ------------------------------------------------------------------ proteins


rule download_structure:
    """Fetch a PDB entry from the RCSB (skipped when structure_source.path is set)."""
    output:
        "resources/downloads/{pdb_id}.pdb",
    log:
        "logs/download_structure/{pdb_id}.log",
    localrule: True
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("download_structure"),
    script:
        "../scripts/download_structure.py"


rule prepare_structure:
    """Chain and residue range of the entry, completed with PDBFixer (hydrogens, OXT)."""
    input:
        structure_file,
    output:
        "results/{system}/reference/prepared.pdb",
    log:
        "logs/prepare_structure/{system}.log",
    benchmark:
        "results/benchmarks/prepare_structure/{system}.tsv"
    wildcard_constraints:
        system=PROTEIN_PATTERN,
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    params:
        settings=settings_for("prepare_structure"),
    script:
        "../scripts/prepare_structure.py"


rule ramp_protein:
    """Heating ramp from the native structure: contact fractions of β1-β2, β1-β3 and the
    helix frame by frame, and the temperature at which each melts."""
    input:
        structure="results/{system}/reference/prepared.pdb",
    output:
        frames="results/{system}/reference/ramp/frames.npz",
        table="results/{system}/reference/ramp/states.csv",
        melting="results/{system}/reference/ramp/melting.csv",
    log:
        "logs/ramp_protein/{system}.log",
    benchmark:
        "results/benchmarks/ramp_protein/{system}.tsv"
    wildcard_constraints:
        system=PROTEIN_PATTERN,
    priority: 10
    conda:
        "../../envs/cgexplain.yaml"
    threads: config["threads"]["reference"]
    resources:
        mem_mb=scaled_mb(2000),
        runtime=estimate(estimates.protein_ramp_runtime),
        gpu=GPU,
    params:
        settings=settings_for("ramp_protein"),
    script:
        "../scripts/ramp_protein.py"


rule seed_protein:
    """The seed of one state: the ramp frame nearest its corner, or a run biased into the
    state from there (Cα-only walls) when no ramp frame is in it."""
    input:
        structure="results/{system}/reference/prepared.pdb",
        frames="results/{system}/reference/ramp/frames.npz",
        table="results/{system}/reference/ramp/states.csv",
    output:
        seed="results/{system}/reference/seeds/{state}.npz",
        trace="results/{system}/reference/seeds/{state}.csv",
    log:
        "logs/seed_protein/{system}/{state}.log",
    benchmark:
        "results/benchmarks/seed_protein/{system}/{state}.tsv"
    wildcard_constraints:
        system=PROTEIN_PATTERN,
        state="F|U|P1|P2",
    priority: 10
    conda:
        "../../envs/cgexplain.yaml"
    threads: config["threads"]["reference"]
    resources:
        mem_mb=scaled_mb(2000),
        runtime=estimate(estimates.protein_seed_runtime),
        gpu=GPU,
    params:
        settings=settings_for("seed_protein"),
    script:
        "../scripts/seed_protein.py"


rule simulate_protein:
    """One unbiased all-atom implicit-solvent run of a protein from a state's seed."""
    input:
        structure="results/{system}/reference/prepared.pdb",
        seed=protein_seed,
    output:
        trajectory="results/{system}/reference/runs/{scatteritem}/trajectory.h5",
    log:
        "logs/simulate_protein/{system}/{scatteritem}.log",
    benchmark:
        "results/benchmarks/simulate_protein/{system}/{scatteritem}.tsv"
    wildcard_constraints:
        system=PROTEIN_PATTERN,
    # the longest jobs, upstream of everything: start them before ready downstream work
    priority: 10
    conda:
        "../../envs/cgexplain.yaml"
    threads: config["threads"]["reference"]
    resources:
        mem_mb=scaled_mb(2000),
        runtime=estimate(estimates.protein_run_runtime),
        gpu=GPU,
    params:
        settings=settings_for("simulate_protein"),
        work_dir="results/{system}/reference/runs/{scatteritem}/work",
    script:
        "../scripts/simulate_protein.py"


rule gather_protein_reference:
    input:
        protein_runs,
    output:
        trajectory="results/{system}/reference/trajectory.h5",
    log:
        "logs/gather_protein_reference/{system}.log",
    benchmark:
        "results/benchmarks/gather_protein_reference/{system}.tsv"
    wildcard_constraints:
        system=PROTEIN_PATTERN,
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mb(1000),
        runtime=lambda wildcards, attempt: 20 * attempt,
    script:
        "../scripts/gather_reference.py"
