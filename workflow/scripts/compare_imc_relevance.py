"""Snakemake entry point: the IMC pair potential next to each model's 2-body relevance."""

import pandas as pd

from cgexplain.analysis.pair_potential import PAIR_ENERGY, comparison_table, correlation
from cgexplain.io import atomic_output
from cgexplain.plots.structure import plot_pair_potential_vs_relevance
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.imc.CompareIMCRelevance
    profiles = {
        model: pd.read_csv(path)
        for model, path in zip(settings.models, snakemake.input.profiles, strict=True)
    }
    table = comparison_table(pd.read_csv(snakemake.input.potential), profiles, settings.min_count)
    for model in profiles:
        log.info(
            "correlation of U_IMC with the %s 2-body relevance: %.3f",
            model,
            correlation(table[PAIR_ENERGY], table[model]),
        )
    with atomic_output(snakemake.output.table) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
    plot_pair_potential_vs_relevance(
        table,
        f"{snakemake.wildcards.system}: IMC vs 2-body",
        [snakemake.output.png, snakemake.output.pdf],
    )
