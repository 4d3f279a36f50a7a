"""The benchmark scripts still run: each at its smallest size in a subprocess, exit 0 and
print its result lines. No timing is asserted (the numbers are not looked at)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def run_script(name: str, *args: str) -> str:
    """stdout of ``python tests/benchmarks/<name> <args>``; fails with its output if it
    exits non-zero."""
    proc = subprocess.run(
        [sys.executable, str(HERE / name), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-6000:]
    return proc.stdout


def test_bench_lrp_smoke():
    out = run_script("bench_lrp.py", "--smoke", "--threads", "1")
    number = r"\d+\.\d+"
    for frame in ("water-like", "ntl9-like"):
        result = rf"^RESULT {frame} .*: cold ratio {number}, warm ratio {number}$"
        assert re.search(result, out, re.M), out
    methane = "RESULT methane (published SO3net): cold ratio"
    assert methane in out or "absent: skipping the published model" in out, out
    for reps in ("1x1x1", "2x2x2"):  # supercells: the pair sums per image must agree
        line = re.search(
            rf"^{reps}: .*ratio +{number} .*max rel\. \|pair - base\| (\S+)", out, re.M
        )
        assert line, out
        assert float(line.group(1)) < 1e-3, line.group(0)
    assert "3x3x3" not in out


def test_bench_cg_simulation_smoke():
    out = run_script(
        "bench_cg_simulation.py",
        *("--replicas", "1", "--steps", "2", "--warmup", "1", "--rounds", "1"),
        *("--threads", "1", "--check-run-cg"),
    )
    # the rows of R = 1 and 4: mean and median rates of both engines with their ratios,
    # the neighbour-list builds of both and the final temperatures of both
    number = r"\d+\.\d+"
    for replicas in (1, 4):
        row = (
            rf"^ +{replicas} +2 \| +{number} +{number} +{number} \| +{number} +{number} "
            rf"+{number} \| +{number} +{number} \| +\d+ +\d+$"
        )
        assert re.search(row, out, re.M), out
    assert re.search(rf"^cg-simulation speed-up over schnetpack.md: {number}$", out, re.M), out
    assert "NON-FINITE" not in out
    assert re.search(rf"run_cg_simulation reports {number} replica-steps/s", out), out


def test_bench_training_smoke():
    out = run_script(
        "bench_training.py",
        *("--models", "so3net", "painn", "--batch", "1", "--steps", "1", "--rounds", "1"),
        *("--threads", "1"),
    )
    number = r"\d+\.\d+"
    for name in ("so3net", "painn"):
        # same weights on both sides, both sides timed, and the ratio of their rates
        assert re.search(rf"^{name} .* same weights: True$", out, re.M), out
        for side in ("ours", "stock"):
            assert re.search(rf"^  {side} *: median step {number} s .*frames/s$", out, re.M), out
        assert re.search(rf"^RESULT {name}: training frames/s ours / stock = {number}$", out, re.M)
    verdict = re.findall(rf"^training speed-up over stock SchNetPack: ({number})$", out, re.M)
    assert len(verdict) == 1, out  # one verdict line: the first model's (SO3net here)
    first = re.search(rf"^RESULT so3net: training frames/s ours / stock = ({number})$", out, re.M)
    assert verdict[0] == first.group(1), out


def test_bench_replica_processes_smoke():
    out = run_script("bench_replica_processes.py", "--steps", "2")
    number = r"\d+\.\d+"
    assert re.search(rf"^  batched: 1 process x 2 threads: {number} replica-steps/s$", out, re.M)
    split = re.search(
        rf"^  split: +2 processes x 1 thread x 2 replicas: ({number}) replica-steps/s "
        rf"\(({number}), ({number})\)$",
        out,
        re.M,
    )
    assert split, out
    # the split rate is the sum of its two processes' rates (rounded to 0.1 each)
    assert abs(float(split.group(1)) - float(split.group(2)) - float(split.group(3))) <= 0.15
    assert re.search(rf"^batched / split replica-steps per second: {number}$", out, re.M), out
