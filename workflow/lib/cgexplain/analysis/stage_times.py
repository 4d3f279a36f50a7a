"""Where a run's time went: wall time per stage and the critical path, as data.

Reads what a Snakemake run leaves behind:

- the per-job benchmark files (``results/benchmarks/<rule>/<wildcards>.tsv``, column
  ``s``: the job's wall time in seconds, measured by Snakemake around the job), and
- the run's Snakemake log (``.snakemake/log/*.snakemake.log``): when each job started
  and finished, its rule, wildcards, input and output files.

A job's duration is its benchmark's ``s`` where it has one, else finish minus start
from the log (local rules that declare no benchmark). Its stage is the rule file that
defines its rule (``workflow/rules/<stage>.smk``), so adding a rule to a stage needs no
edit here; the aggregate target rules of the ``Snakefile`` are left out.

The **critical path** is the chain of jobs, each needing an output of the one before,
with the largest summed duration: the shortest the run could take with unlimited cores
(Kelley & Walker, "Critical-path planning and scheduling", 1959). The **makespan** is
the first start to the last finish in the log; their gap is time spent waiting for a
core.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

__all__ = [
    "Job",
    "critical_path",
    "job_table",
    "parse_snakemake_log",
    "parse_snakemake_logs",
    "read_benchmarks",
    "rule_stages",
    "stage_table",
    "to_markdown",
]

_STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]$")
_RULE = re.compile(r"^(?:local)?rule (\w+):$")
_FINISHED = re.compile(r"^Finished (?:jobid: (\d+)|job (\d+)\.)")
_FIELD = re.compile(r"^\s+(\w+): (.*)$")


@dataclass
class Job:
    """One job of a Snakemake run, as its log tells it (times in seconds since epoch)."""

    jobid: int
    rule: str
    wildcards: str = ""
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    benchmark: str | None = None
    start: float | None = None
    end: float | None = None
    seconds: float | None = None  # duration: benchmark's ``s``, else end - start
    threads: int = 1
    needs: list[int] = field(default_factory=list)  # jobids whose outputs it reads


def _files(text: str) -> tuple[str, ...]:
    return tuple(f.strip() for f in text.split(",") if f.strip())


def parse_snakemake_log(path: str | os.PathLike) -> dict[int, Job]:
    """Jobs of one Snakemake log: rule, wildcards, files, start and finish time.

    Args:
        path: a ``.snakemake/log/*.snakemake.log`` file.

    Returns:
        jobid -> :class:`Job` (``end`` None for a job that did not finish).
    """
    jobs: dict[int, Job] = {}
    stamp: float | None = None
    current: Job | None = None
    for line in Path(path).read_text(errors="replace").splitlines():
        if m := _STAMP.match(line.strip()):
            stamp = datetime.strptime(
                " ".join(m.group(1).split()), "%a %b %d %H:%M:%S %Y"
            ).timestamp()
            current = None
            continue
        if m := _RULE.match(line.strip()):
            current = Job(jobid=-1, rule=m.group(1), start=stamp)
            continue
        if m := _FINISHED.match(line.strip()):
            jobid = int(m.group(1) or m.group(2))
            if jobid in jobs:
                jobs[jobid].end = stamp
            current = None
            continue
        if current is not None and (m := _FIELD.match(line)):
            key, value = m.groups()
            if key == "jobid":
                current.jobid = int(value)
                jobs[current.jobid] = current
            elif key == "input":
                current.inputs = _files(value)
            elif key == "output":
                current.outputs = _files(value)
            elif key == "benchmark":
                current.benchmark = value.strip()
            elif key == "wildcards":
                current.wildcards = value.strip()
            elif key == "threads":
                current.threads = int(value)
    return jobs


def parse_snakemake_logs(paths: Sequence[str | os.PathLike]) -> dict[int, Job]:
    """Jobs of a run spread over several Snakemake logs (a run resumed or extended),
    oldest log first: a job of a later log replaces an earlier job with a common output.

    Returns:
        jobid -> :class:`Job`; jobids are renumbered to stay unique across logs.
    """
    jobs: dict[int, Job] = {}
    for path in paths:
        found = parse_snakemake_log(path)
        redone = {o for job in found.values() if job.end is not None for o in job.outputs}
        jobs = {k: job for k, job in jobs.items() if not set(job.outputs) & redone}
        offset = max(jobs, default=-1) + 1
        for k, job in found.items():
            job.jobid = offset + k
            jobs[job.jobid] = job
    return jobs


def read_benchmarks(
    run_dir: str | os.PathLike, folder: str = "results/benchmarks"
) -> pd.DataFrame:
    """Every benchmark file under ``run_dir/folder``.

    Returns:
        One row per file: ``benchmark`` (its path relative to ``run_dir``, as the
        Snakemake log names it), ``rule`` (the first folder), ``seconds`` (mean ``s``
        over the file's repeats), ``cpu_seconds`` (``cpu_time``; NaN if absent).
    """
    run_dir = Path(run_dir)
    rows = []
    for path in sorted((run_dir / folder).rglob("*.tsv")):
        table = pd.read_csv(path, sep="\t")
        if "s" not in table or table.empty:
            continue
        cpu = table["cpu_time"] if "cpu_time" in table else pd.Series([float("nan")])
        rows.append({
            "benchmark": path.relative_to(run_dir).as_posix(),
            "rule": path.relative_to(run_dir / folder).parts[0],
            "seconds": float(table["s"].mean()),
            "cpu_seconds": float(pd.to_numeric(cpu, errors="coerce").mean()),
        })  # fmt: skip
    return pd.DataFrame(rows, columns=["benchmark", "rule", "seconds", "cpu_seconds"])


def rule_stages(rule_files: Iterable[str | os.PathLike]) -> dict[str, str]:
    """rule name -> stage (the stem of the ``.smk`` file that defines it)."""
    stages = {}
    for path in rule_files:
        for line in Path(path).read_text().splitlines():
            if m := re.match(r"^rule (\w+):", line):
                stages[m.group(1)] = Path(path).stem
    return stages


def job_table(
    jobs: dict[int, Job], benchmarks: pd.DataFrame, stages: dict[str, str]
) -> pd.DataFrame:
    """One row per finished job of a stage: duration from its benchmark or the log.

    Jobs of rules outside ``stages`` (the Snakefile's targets) are left out. Sets each
    job's ``seconds`` and ``needs`` (jobs whose outputs it reads).
    """
    by_path = dict(zip(benchmarks["benchmark"], benchmarks["seconds"], strict=True))
    producer = {out: job.jobid for job in jobs.values() for out in job.outputs}
    rows = []
    for job in jobs.values():
        if job.end is None or job.rule not in stages:
            continue
        job.seconds = by_path.get(job.benchmark) if job.benchmark else None
        source = "benchmark"
        if job.seconds is None:
            job.seconds, source = max(job.end - (job.start or job.end), 0.0), "log"
        job.needs = sorted({producer[f] for f in job.inputs if f in producer} - {job.jobid})
        rows.append({"jobid": job.jobid, "stage": stages[job.rule], "rule": job.rule,
                     "wildcards": job.wildcards, "start": job.start, "end": job.end,
                     "seconds": job.seconds, "source": source})  # fmt: skip
    return pd.DataFrame(rows)


def critical_path(jobs: dict[int, Job], table: pd.DataFrame) -> list[int]:
    """The jobids of the longest chain (summed ``seconds``) of dependent jobs in
    ``table``, first job first (longest path in a DAG, by dynamic programming in order
    of start time, which is a topological order: a job starts after what it needs)."""
    done = set(table["jobid"])
    order = table.sort_values(["start", "end"])["jobid"].tolist()
    best: dict[int, float] = {}
    before: dict[int, int | None] = {}
    for jobid in order:
        needs = [n for n in jobs[jobid].needs if n in done and n in best]
        prev = max(needs, key=lambda n: best[n], default=None)
        before[jobid] = prev
        best[jobid] = jobs[jobid].seconds + (best[prev] if prev is not None else 0.0)
    if not best:
        return []
    path, node = [], max(best, key=best.get)
    while node is not None:
        path.append(node)
        node = before[node]
    return path[::-1]


def stage_table(table: pd.DataFrame, stage_order: Sequence[str]) -> pd.DataFrame:
    """Per stage: jobs, summed job time, span (first start to last finish) and the
    longest job, in minutes; stages in ``stage_order`` (others after), then a total."""
    rows = []
    names = [s for s in stage_order if s in set(table["stage"])]
    names += sorted(set(table["stage"]) - set(names))
    for stage in names:
        part = table[table["stage"] == stage]
        longest = part.loc[part["seconds"].idxmax()]
        rows.append({
            "stage": stage, "jobs": len(part), "job_minutes": part["seconds"].sum() / 60,
            "span_minutes": (part["end"].max() - (part["end"] - part["seconds"]).min()) / 60,
            "longest_job": f"{longest['rule']} {longest['wildcards']}".strip(),
            "longest_minutes": longest["seconds"] / 60,
        })  # fmt: skip
    out = pd.DataFrame(rows)
    total = {
        "stage": "all stages", "jobs": int(out["jobs"].sum()),
        "job_minutes": out["job_minutes"].sum(),
        "span_minutes": (table["end"].max() - (table["end"] - table["seconds"]).min()) / 60,
        "longest_job": "", "longest_minutes": float("nan"),
    }  # fmt: skip
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def to_markdown(table: pd.DataFrame, digits: int = 1) -> str:
    """A DataFrame as a GitHub-flavoured Markdown table (numbers rounded)."""

    def cell(x) -> str:
        if isinstance(x, float):
            return "" if x != x else f"{x:.{digits}f}"
        return str(x)

    lines = ["| " + " | ".join(table.columns) + " |", "|" + " --- |" * len(table.columns)]
    lines += [
        "| " + " | ".join(cell(x) for x in row) + " |" for row in table.itertuples(index=False)
    ]
    return "\n".join(lines)
