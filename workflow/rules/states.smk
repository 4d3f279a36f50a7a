"""Stage 6 (protein): TICA, free-energy surfaces and folding states of NTL9."""


rule assign_states:
    """Native-contact states (F, U, P1, P2) of every reference and CG frame, TICA on Cα
    pair distances of the reference, free-energy surfaces of both on the same axes."""
    input:
        native="results/ntl9/reference/prepared.pdb",
        reference="results/ntl9/mapping/cg_trajectory.h5",
        simulations=expand(
            "results/ntl9/simulation/{model}/trajectory.h5", model=protein_models()
        ),
    output:
        counts="results/ntl9/states.csv",
        elements="results/ntl9/states/elements.json",
        reference="results/ntl9/states/frames_reference.csv",
        simulations=expand(
            "results/ntl9/states/frames_{model}.csv", model=protein_models()
        ),
        surfaces=expand(
            "results/ntl9/states/fes_{source}.csv",
            source=["reference", *protein_models()],
        ),
    log:
        "logs/assign_states/ntl9.log",
    benchmark:
        "results/benchmarks/assign_states/ntl9.tsv"
    conda:
        "../../envs/cgexplain.yaml"
    threads: 1
    resources:
        mem_mb=lambda wildcards, attempt: 4000 * attempt,
        runtime=lambda wildcards, attempt: 20 * attempt,
    params:
        settings=config["ntl9"]["states"],
        temperature=config["ntl9"]["simulation"]["temperature"],
        models=protein_models(),
    script:
        "../scripts/assign_states.py"
