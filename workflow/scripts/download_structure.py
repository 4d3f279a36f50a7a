"""Snakemake entry point: download a PDB entry (the workflow's only network access)."""

import urllib.request

from cgexplain.io import InputError, atomic_output
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.protein.DownloadStructure
    url = settings.url
    log.info("downloading %s", url)
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            text = response.read()
    except OSError as err:
        raise InputError(
            f"cannot download {url} ({err}); without internet set "
            "<protein>.structure_source.path to a local PDB file"
        ) from err
    if b"ATOM" not in text:
        raise InputError(f"{url} returned no ATOM records")
    with atomic_output(snakemake.output[0]) as tmp:
        tmp.write_bytes(text)
    log.info("wrote %s (%d bytes)", snakemake.output[0], len(text))
