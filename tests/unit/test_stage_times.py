"""Stage times and the critical path from a Snakemake log and benchmark files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cgexplain.analysis import stage_times as st

# A run of four jobs on 2 cores: a (reference, 60 s) and b (reference, 20 s) side by
# side; c (training, needs a, 100 s); d (training, needs b, 30 s) starts after b.
# Critical path: a -> c (160 s); b -> d is 50 s.
LOG = """\
Building DAG of jobs...
[Mon Dec  7 10:00:00 2026]
localrule sim:
    output: results/x/ref.h5
    log: logs/sim/x.log
    jobid: 1
    benchmark: results/benchmarks/sim/x.tsv
    wildcards: system=x
    resources: tmpdir=/tmp
[Mon Dec  7 10:00:00 2026]
localrule sim:
    output: results/y/ref.h5
    jobid: 2
    benchmark: results/benchmarks/sim/y.tsv
    wildcards: system=y
[Mon Dec  7 10:00:20 2026]
Finished jobid: 2 (Rule: sim)
1 of 5 steps (20%) done
[Mon Dec  7 10:00:21 2026]
localrule train:
    input: results/y/ref.h5
    output: results/y/model.pt
    jobid: 4
    wildcards: system=y
[Mon Dec  7 10:01:00 2026]
Finished jobid: 1 (Rule: sim)
[Mon Dec  7 10:01:00 2026]
rule train:
    input: results/x/ref.h5, config/extra.yaml
    output: results/x/model.pt
    jobid: 3
    benchmark: results/benchmarks/train/x.tsv
    wildcards: system=x
[Mon Dec  7 10:00:51 2026]
Finished job 4.
[Mon Dec  7 10:02:40 2026]
Finished jobid: 3 (Rule: train)
[Mon Dec  7 10:02:40 2026]
localrule all:
    input: results/x/model.pt, results/y/model.pt
    jobid: 0
[Mon Dec  7 10:02:40 2026]
Finished jobid: 0 (Rule: all)
"""


def _run_dir(tmp_path: Path) -> Path:
    for rule, name, seconds in (("sim", "x", 60.0), ("sim", "y", 20.0), ("train", "x", 100.0)):
        path = tmp_path / "results" / "benchmarks" / rule / f"{name}.tsv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"s\th:m:s\tmax_rss\tcpu_time\n{seconds}\t0:00:00\t1.0\t{seconds * 0.9}\n")
    rules = tmp_path / "workflow" / "rules"
    rules.mkdir(parents=True)
    (rules / "reference.smk").write_text("rule sim:\n    output: 'x'\n")
    (rules / "training.smk").write_text('rule train:\n    """doc"""\n')
    log_dir = tmp_path / ".snakemake" / "log"
    log_dir.mkdir(parents=True)
    (log_dir / "2026-12-07T100000.snakemake.log").write_text(LOG)
    return tmp_path


def test_log_parsing_benchmarks_and_critical_path(tmp_path):
    run_dir = _run_dir(tmp_path)
    jobs = st.parse_snakemake_log(next((run_dir / ".snakemake" / "log").glob("*.log")))
    assert sorted(jobs) == [0, 1, 2, 3, 4]
    assert jobs[3].inputs == ("results/x/ref.h5", "config/extra.yaml")
    assert jobs[4].end - jobs[4].start == 30.0  # "Finished job 4." (older format)
    bench = st.read_benchmarks(run_dir)
    assert bench.set_index("benchmark")["seconds"].to_dict() == {
        "results/benchmarks/sim/x.tsv": 60.0,
        "results/benchmarks/sim/y.tsv": 20.0,
        "results/benchmarks/train/x.tsv": 100.0,
    }
    stages = st.rule_stages(sorted((run_dir / "workflow" / "rules").glob("*.smk")))
    assert stages == {"sim": "reference", "train": "training"}
    table = st.job_table(jobs, bench, stages)
    assert sorted(table["jobid"]) == [1, 2, 3, 4]  # the target `all` is not a stage
    times = table.set_index("jobid")
    assert times.loc[4, "seconds"] == 30.0 and times.loc[4, "source"] == "log"
    assert times.loc[3, "seconds"] == 100.0 and times.loc[3, "source"] == "benchmark"
    assert jobs[3].needs == [1] and jobs[4].needs == [2]
    assert st.critical_path(jobs, table) == [1, 3]
    stage = st.stage_table(table, ["reference", "training"]).set_index("stage")
    assert stage.loc["reference", "jobs"] == 2
    assert stage.loc["reference", "job_minutes"] == pytest.approx(80 / 60)
    assert stage.loc["reference", "span_minutes"] == pytest.approx(1.0)
    assert stage.loc["training", "longest_job"] == "train system=x"
    assert stage.loc["all stages", "span_minutes"] == pytest.approx(160 / 60)


def test_a_slower_side_branch_moves_the_critical_path(tmp_path):
    run_dir = _run_dir(tmp_path)
    (run_dir / "results/benchmarks/sim/y.tsv").write_text("s\n200.0\n")
    jobs = st.parse_snakemake_log(next((run_dir / ".snakemake" / "log").glob("*.log")))
    stages = st.rule_stages(sorted((run_dir / "workflow" / "rules").glob("*.smk")))
    table = st.job_table(jobs, st.read_benchmarks(run_dir), stages)
    assert st.critical_path(jobs, table) == [2, 4]  # 200 + 30 s > 60 + 100 s


def test_command_line_prints_the_stage_table_and_the_path(tmp_path):
    run_dir = _run_dir(tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "cgexplain", "stage-times", "--run-dir", str(run_dir)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "| reference | 2 | 1.3 | 1.0 | sim system=x | 1.0 |" in out
    assert "Critical path (2 jobs, 2.7 min of a 2.7 min run" in out
    assert "| training | train | system=x | 1.7 | 2.7 |" in out
    assert "1 jobs without a benchmark file" in out
    empty = subprocess.run(
        [sys.executable, "-m", "cgexplain", "stage-times", "--run-dir", str(tmp_path / "none")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert empty.returncode == 1 and "no Snakemake log" in empty.stderr
    assert "nan" not in st.to_markdown(pd.DataFrame({"a": [float("nan")]}))


def test_a_later_log_replaces_the_jobs_it_redid(tmp_path):
    run_dir = _run_dir(tmp_path)
    first = next((run_dir / ".snakemake" / "log").glob("*.log"))
    second = first.with_name("2026-12-07T110000.snakemake.log")
    second.write_text(
        "[Mon Dec  7 11:00:00 2026]\nlocalrule train:\n    input: results/y/ref.h5\n"
        "    output: results/y/model.pt\n    jobid: 1\n    wildcards: system=y\n"
        "[Mon Dec  7 11:05:00 2026]\nFinished jobid: 1 (Rule: train)\n"
    )
    jobs = st.parse_snakemake_logs([first, second])
    assert len(jobs) == 5 and len({j.jobid for j in jobs.values()}) == 5
    trains = [j for j in jobs.values() if j.outputs == ("results/y/model.pt",)]
    assert len(trains) == 1 and trains[0].end - trains[0].start == 300.0
    stages = st.rule_stages(sorted((run_dir / "workflow" / "rules").glob("*.smk")))
    table = st.job_table(jobs, st.read_benchmarks(run_dir), stages)
    redone = jobs[table.loc[table["wildcards"] == "system=y", "jobid"].max()]
    assert redone.needs and jobs[redone.needs[0]].outputs == ("results/y/ref.h5",)
