"""Stage 2: coarse-grained mapping (basic or optimised force map) and SchNetPack datasets."""


rule map_to_cg:
    """One bead per molecule (its heaviest atom), bead force = the molecule's force.

    A molecule is one constrained group, so the optimised force map is the basic one;
    force_maps.csv says so with numbers.
    """
    input:
        trajectory="results/{system}/reference/trajectory.h5",
    output:
        trajectory="results/{system}/mapping/cg_trajectory.h5",
        dataset="results/{system}/mapping/dataset.db",
        force_maps="results/{system}/mapping/force_maps.csv",
    log:
        "logs/map_to_cg/{system}.log",
    benchmark:
        "results/benchmarks/map_to_cg/{system}.tsv"
    wildcard_constraints:
        system=LIQUID_PATTERN,
    priority: 20  # on the way to training (train_model)
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=estimate(estimates.mapping_mem_mb),
        runtime=lambda wildcards, attempt: 30 * attempt,
    params:
        settings=settings_for("map_to_cg"),
    script:
        "../scripts/map_to_cg.py"


rule map_protein:
    """Cα beads of a protein, or the external Cα data.

    Bead force: the optimised map fitted on the reference forces (default) or Cα + its
    hydrogens (basic); force_maps.csv compares the two.
    """
    input:
        unpack(protein_mapping_input),
    output:
        trajectory="results/{system}/mapping/cg_trajectory.h5",
        force_maps="results/{system}/mapping/force_maps.csv",
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
    params:
        settings=settings_for("map_protein"),
    script:
        "../scripts/map_protein.py"
