"""Snakemake entry point: one validation table of the reference runs."""

import json
from pathlib import Path

import pandas as pd

from cgexplain.io import atomic_output
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]):
    rows = [json.loads(Path(path).read_text()) for path in snakemake.input]
    with atomic_output(snakemake.output[0]) as tmp:
        table = pd.DataFrame(rows)
        table = table[["system", *[c for c in table.columns if c != "system"]]]
        table.to_csv(tmp, index=False, float_format="%.6g")
