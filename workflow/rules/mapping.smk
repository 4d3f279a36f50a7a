"""Stage 2: coarse-grained mapping (basic aggregated map) and SchNetPack datasets."""


rule map_to_cg:
    """One bead per molecule (its heaviest atom), bead force = the molecule's force."""
    input:
        trajectory="results/{system}/reference/trajectory.h5",
    output:
        trajectory="results/{system}/mapping/cg_trajectory.h5",
        dataset="results/{system}/mapping/dataset.db",
    log:
        "logs/map_to_cg/{system}.log",
    benchmark:
        "results/benchmarks/map_to_cg/{system}.tsv"
    wildcard_constraints:
        system=LIQUID_PATTERN,
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=estimate(estimates.mapping_mem_mb),
        runtime=lambda wildcards, attempt: 30 * attempt,
    script:
        "../scripts/map_to_cg.py"


rule map_protein:
    """Cα beads of a protein (bead force: Cα + its hydrogens), or the external Cα data."""
    input:
        unpack(protein_mapping_input),
    output:
        trajectory="results/{system}/mapping/cg_trajectory.h5",
    log:
        "logs/map_protein/{system}.log",
    benchmark:
        "results/benchmarks/map_protein/{system}.tsv"
    wildcard_constraints:
        system=PROTEIN_PATTERN,
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=scaled_mb(4000),
        runtime=lambda wildcards, attempt: 30 * attempt,
    script:
        "../scripts/map_protein.py"
