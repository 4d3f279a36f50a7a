"""Stage 1: all-atom reference MD (OpenMM) and the structure of the reference."""


rule simulate_reference:
    input:
        forcefield=forcefield_input,
    output:
        trajectory="results/{system}/reference/shards/{scatteritem}/trajectory.h5",
    log:
        "logs/simulate_reference/{system}/{scatteritem}.log",
    benchmark:
        "results/benchmarks/simulate_reference/{system}/{scatteritem}.tsv"
    wildcard_constraints:
        system=LIQUID_PATTERN,
    conda:
        "../../envs/cgexplain.yaml"
    threads: config["threads"]["reference"]
    resources:
        mem_mb=lambda wildcards, attempt: 2000 * attempt,
        runtime=reference_runtime,
        gpu=GPU,
    params:
        settings=reference_settings,
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
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 1000 * attempt,
        runtime=lambda wildcards, attempt: 20 * attempt,
    script:
        "../scripts/gather_reference.py"


rule analyze_reference_structure:
    input:
        trajectory="results/{system}/mapping/cg_trajectory.h5",
    output:
        rdf="results/{system}/reference/rdf.csv",
        triplets="results/{system}/reference/triplets.csv",
        summary="results/{system}/reference/structure.json",
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
        mem_mb=lambda wildcards, attempt: 2000 * attempt,
        runtime=structure_runtime,
    params:
        settings=structure_settings,
    script:
        "../scripts/analyze_structure.py"


rule summarize_reference:
    input:
        expand("results/{system}/reference/structure.json", system=LIQUIDS),
    output:
        "results/validation/reference_structure.csv",
    log:
        "logs/summarize_reference/summary.log",
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/summarize_reference.py"


# ------------------------------------------------------------------ the protein (NTL9)


rule download_structure:
    """Fetch the PDB entry from the RCSB (skipped when ntl9.structure_source.path is set)."""
    output:
        "resources/structures/{pdb_id}.pdb",
    log:
        "logs/download_structure/{pdb_id}.log",
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    params:
        url=lambda wildcards: config["ntl9"]["structure_source"]["url"].format(
            pdb_id=wildcards.pdb_id
        ),
    script:
        "../scripts/download_structure.py"


rule prepare_structure:
    """Chain and residue range of the entry, completed with PDBFixer (hydrogens, OXT)."""
    input:
        structure_file,
    output:
        "results/ntl9/reference/prepared.pdb",
    log:
        "logs/prepare_structure/ntl9.log",
    benchmark:
        "results/benchmarks/prepare_structure/ntl9.tsv"
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        source=config["ntl9"]["structure_source"],
    script:
        "../scripts/prepare_structure.py"


rule simulate_protein:
    """One all-atom implicit-solvent run of the protein (native or hot-unfolded start)."""
    input:
        structure="results/ntl9/reference/prepared.pdb",
    output:
        trajectory="results/ntl9/reference/runs/{scatteritem}/trajectory.h5",
    log:
        "logs/simulate_protein/ntl9/{scatteritem}.log",
    benchmark:
        "results/benchmarks/simulate_protein/ntl9/{scatteritem}.tsv"
    conda:
        "../../envs/cgexplain.yaml"
    threads: config["threads"]["reference"]
    resources:
        mem_mb=lambda wildcards, attempt: 2000 * attempt,
        runtime=protein_runtime,
        gpu=GPU,
    params:
        system=protein_system_settings,
        settings=protein_run_settings,
        work_dir="results/ntl9/reference/runs/{scatteritem}/work",
    script:
        "../scripts/simulate_protein.py"


rule gather_protein_reference:
    input:
        gather.protein_runs("results/ntl9/reference/runs/{scatteritem}/trajectory.h5"),
    output:
        trajectory="results/ntl9/reference/trajectory.h5",
    log:
        "logs/gather_protein_reference/ntl9.log",
    benchmark:
        "results/benchmarks/gather_protein_reference/ntl9.tsv"
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 1000 * attempt,
        runtime=lambda wildcards, attempt: 20 * attempt,
    script:
        "../scripts/gather_reference.py"
