"""A reference run split into shards gathers into one trajectory with every frame."""

from __future__ import annotations

import numpy as np
import pytest

from cgexplain.io import load_trajectory

from .conftest import copy_workflow, snakemake

pytestmark = pytest.mark.workflow


def test_two_water_shards_gather_into_one_trajectory(tmp_path):
    workdir = copy_workflow(tmp_path)
    snakemake(
        workdir,
        "results/water/reference/trajectory.h5",
        "--cores",
        "2",
        "--configfile",
        "config/tiny.yaml",
        "--set-scatter",
        "reference=2",
    )
    traj = load_trajectory(workdir / "results/water/reference/trajectory.h5")
    assert traj.n_frames == 20
    assert np.all(np.diff(traj.time) > 0)
    shards = traj.metadata["shards"]
    assert [s["frames"] for s in shards] == [10, 10]
    seeds = {s["settings"]["seed"] for s in shards}
    assert len(seeds) == 2  # independent runs
    assert traj.metadata["run_summary"]["shards"] == 2
