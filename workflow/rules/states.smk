"""Stage 6 (proteins): TICA, free-energy surfaces and folding states."""

# The outputs name one state table and surface per trained model, so proteins with the
# same list of models share one rule (usually a single rule for every protein).
for _index, _models in enumerate(sorted({tuple(models_of(p)) for p in PROTEINS})):
    _proteins = [p for p in PROTEINS if tuple(models_of(p)) == _models]

    rule:
        """Folding states (F, U, P1, P2) of every reference and CG frame: basins of the
        unbiased reference's TICA surface (states.method tica) or native-contact fractions
        (contacts), both compared in agreement.csv; TICA on Cα pair distances of the
        reference, free-energy surfaces (reference: unbiased runs) on the same axes.
        """
        name:
            "assign_states" if _index == 0 else f"assign_states_{_index}"
        input:
            native="results/{system}/reference/prepared.pdb",
            reference="results/{system}/mapping/cg_trajectory.h5",
            simulations=expand(
                "results/{{system}}/simulation/{model}/trajectory.h5", model=_models
            ),
        output:
            counts="results/{system}/states.csv",
            elements="results/{system}/states/elements.json",
            reference="results/{system}/states/frames_reference.csv",
            simulations=expand(
                "results/{{system}}/states/frames_{model}.csv", model=_models
            ),
            surfaces=expand(
                "results/{{system}}/states/fes_{source}.csv",
                source=["reference", *_models],
            ),
            agreement="results/{system}/states/agreement.csv",
        log:
            "logs/assign_states/{system}.log",
        benchmark:
            "results/benchmarks/assign_states/{system}.tsv"
        wildcard_constraints:
            system=one_of(_proteins),
        conda:
            "../../envs/cgexplain.yaml"
        threads: 1
        resources:
            mem_mb=scaled_mb(4000),
            runtime=lambda wildcards, attempt: 20 * attempt,
        params:
            # every copy has the settings of assign_states (models: the system's)
            settings=settings_for("assign_states"),
        script:
            "../scripts/assign_states.py"
