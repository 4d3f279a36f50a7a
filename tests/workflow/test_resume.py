"""Kill the workflow inside a reference MD run, start it again: it resumes from the
checkpoint, keeps the frames stored before the kill bit for bit, redoes nothing done.

The target is the liquids' reference structure (the MD and what it needs), not `all`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time

import h5py
import numpy as np
import pandas as pd
import pytest

from cgexplain.io import load_trajectory

from .conftest import SNAKEMAKE, copy_workflow, snakemake

pytestmark = pytest.mark.workflow

SHARD = "results/methane/reference/shards/1-of-2"
TARGETS = [f"results/{s}/reference/structure.json" for s in ("water", "methane")]


def test_killed_workflow_resumes_and_reproduces_tables(tmp_path):
    (tmp_path / "run").mkdir()
    workdir = copy_workflow(tmp_path / "run")
    tiny = ["--cores", "2", "--configfile", "config/tiny.yaml"]
    snakemake(workdir, TARGETS[0], *tiny)
    water_done = {
        p: p.stat().st_mtime_ns for p in (workdir / "results/water").rglob("*") if p.is_file()
    }

    proc = subprocess.Popen(
        [*SNAKEMAKE, TARGETS[1], *tiny],
        cwd=workdir,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    progress = workdir / SHARD / "work/progress.json"
    deadline = time.time() + 300
    while time.time() < deadline:
        if progress.exists() and json.loads(progress.read_text())["frames"] > 0:
            break
        time.sleep(0.05)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("methane reference run never checkpointed a production frame")
    os.killpg(proc.pid, signal.SIGKILL)  # snakemake and its jobs, mid-rule
    proc.wait()
    saved = json.loads(progress.read_text())
    assert not (workdir / SHARD / "trajectory.h5").exists()
    assert saved["frames"] < 10, "killed too late: the shard had finished its frames"
    # the frames the checkpoint vouches for, as they were on disk at the kill
    shutil.copy(workdir / SHARD / "work/partial.h5", tmp_path / "at_kill.h5")
    with h5py.File(tmp_path / "at_kill.h5", "r") as h5:
        kept = {key: h5[key][: saved["frames"]] for key in ("positions", "forces", "time")}

    snakemake(workdir, "--unlock", *tiny)
    snakemake(workdir, "--rerun-incomplete", TARGETS[1], *tiny)
    log = (workdir / "logs/simulate_reference/methane/1-of-2.log").read_text()
    assert "resumed from checkpoint" in log
    assert f"resuming at block {saved['block']} with {saved['frames']} frames stored" in log
    # completed rules were not redone
    for path, mtime in water_done.items():
        assert path.stat().st_mtime_ns == mtime, f"{path} was rewritten"
    # the resumed shard: the frames before the kill unchanged, then the rest, in order,
    # evenly spaced (a restart from scratch, a duplicated or a lost block all fail here)
    shard = load_trajectory(workdir / SHARD / "trajectory.h5")
    assert shard.n_frames == 10
    n = saved["frames"]
    np.testing.assert_array_equal(shard.positions[:n], kept["positions"])
    np.testing.assert_array_equal(shard.forces[:n], kept["forces"])
    np.testing.assert_array_equal(shard.time[:n], kept["time"])
    assert np.allclose(np.diff(shard.time), shard.metadata["settings"]["save_interval"])
    assert not np.array_equal(shard.positions[n], shard.positions[n - 1])

    # Downstream of the MD everything is deterministic: recomputing gives identical tables.
    before = {
        s: pd.read_csv(workdir / f"results/{s}/reference/triplets.csv")
        for s in ("water", "methane")
    }
    # targets first: `-R` takes every word after it up to the next option as a rule
    rerun = snakemake(workdir, *TARGETS, "-R", "analyze_reference_structure", *tiny).stdout
    stats = rerun.split("Job stats:")[1].split("\n\n")[0]  # job, count, ---, rows, total
    jobs = dict(line.split() for line in stats.splitlines()[3:] if len(line.split()) == 2)
    assert jobs == {"analyze_reference_structure": "2", "total": "2"}, stats
    for system, table in before.items():
        after = pd.read_csv(workdir / f"results/{system}/reference/triplets.csv")
        pd.testing.assert_frame_equal(table, after, check_exact=True)
