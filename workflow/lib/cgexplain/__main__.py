"""Command line: ``python -m cgexplain explain --model M --trajectory T --out-pairs P ...``,
``python -m cgexplain stage-times`` (where a workflow run's time went) and
``python -m cgexplain check-config FILE ...`` (a config file's problem as ``FILE:LINE:COL``).

Explains every frame of a trajectory with GNN-LRP and writes the pair and triplet
tables (parquet) with a ``frame`` column, the raw ``relevance`` (kcal/mol) and the
published per-frame normalisation ``relevance_norm`` (:mod:`cgexplain.analysis.relevance`);
the optional summary has one row per frame (energies, total relevance, number of walks).
The same function as the workflow's ``explain_frames`` step does the work
(:func:`cgexplain.lrp.trajectory.explain_trajectory`).

Trajectories: any ASE-readable file (extxyz, traj, ...), or an HDF5 file with datasets
``positions`` (n_frames, n_beads, 3) Å, ``box`` (n_frames, 3, 3) Å and
``atomic_numbers`` (n_beads,) (periodic in all directions), as the workflow writes.
"""

from __future__ import annotations

import argparse
import logging
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

log = logging.getLogger("cgexplain")

HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf")


def read_frames(path: str | Path, start: int = 0, stop: int | None = None, stride: int = 1):
    """Frames (``ase.Atoms``) of an ASE-readable or HDF5 trajectory, with their count.

    Returns:
        ``(iterator over (frame index, atoms), number of frames selected)``.
    """
    import ase
    import ase.io
    import numpy as np

    from cgexplain.io import InputError

    path = Path(path)
    if not path.exists():
        raise InputError(f"trajectory file not found: {path}")
    if path.suffix.lower() in HDF5_SUFFIXES:
        import h5py

        from cgexplain.lrp.trajectory import array_frames

        try:
            with h5py.File(path, "r") as handle:
                n_total = handle["positions"].shape[0]
                missing = {"box", "atomic_numbers"} - set(handle)
        except (OSError, KeyError) as error:
            raise InputError(f"cannot read trajectory {path}: {error}") from error
        if missing:
            raise InputError(f"trajectory {path} has no dataset(s) {sorted(missing)}")
        indices = range(n_total)[start:stop:stride]

        def hdf5_frames() -> Iterator[tuple[int, ase.Atoms]]:
            with h5py.File(path, "r") as handle:
                numbers = np.asarray(handle["atomic_numbers"])
                yield from array_frames(handle["positions"], handle["box"], numbers, indices)

        return hdf5_frames(), len(indices)
    try:
        frames = ase.io.read(path, index=":")
    except Exception as error:  # ASE raises many types for an unreadable file
        raise InputError(
            f"cannot read trajectory {path}: {type(error).__name__}: {error}"
        ) from error
    indices = range(len(frames))[start:stop:stride]
    return ((index, frames[index]) for index in indices), len(indices)


def explain(args: argparse.Namespace) -> None:
    """Explain every selected frame of a trajectory and write the tables."""
    from cgexplain.io import InputError

    for label, path in (("model", args.model), ("trajectory", args.trajectory)):
        if not Path(path).exists():  # before the slow imports
            raise InputError(f"{label} file not found: {path}")
    import torch

    from cgexplain.lrp.rules import parse_rule
    from cgexplain.lrp.trajectory import explain_trajectory
    from cgexplain.potentials.loading import check_device, load_model

    torch.set_num_threads(args.threads) if args.threads else None
    rule = parse_rule(args.rule, gamma=args.gamma)
    check_device(args.device, instead="--device cpu")
    model = load_model(args.model, args.device)
    frames, n_frames = read_frames(args.trajectory, args.start, args.stop, args.stride)
    explain_trajectory(
        model,
        frames,
        rule,
        args.out_pairs,
        args.out_triplets,
        args.out_summary or None,
        n_frames=n_frames,
        max_order=args.max_order,
        chunk_size=args.chunk_size,
    )
    log.info("explained %d frames", n_frames)


#: the workflow's stages in the order they run (rule files of workflow/rules)
STAGE_ORDER = ("resources", "reference", "mapping", "training", "simulation", "imc",
               "relevance", "states", "figures")  # fmt: skip


def stage_times(args: argparse.Namespace) -> None:
    """Print the wall time per stage and the critical path of a finished run."""
    from cgexplain.analysis import stage_times as st
    from cgexplain.analysis.stage_times import to_markdown
    from cgexplain.io import InputError

    run_dir = Path(args.run_dir)
    logs = [Path(p) for p in args.log] or sorted((run_dir / ".snakemake" / "log").glob("*.log"))
    if not logs:
        raise InputError(
            f"no Snakemake log in {run_dir / '.snakemake' / 'log'} (run the workflow)"
        )
    rules_dir = run_dir / "workflow" / "rules"
    if not rules_dir.is_dir():  # the rule files beside this package
        rules_dir = Path(__file__).resolve().parents[2] / "rules"
    rule_files = sorted(rules_dir.glob("*.smk"))
    stages = st.rule_stages(rule_files)
    jobs = st.parse_snakemake_logs(logs)
    table = st.job_table(jobs, st.read_benchmarks(run_dir), stages)
    if table.empty:
        raise InputError(f"no finished job of a stage in {', '.join(map(str, logs))}")
    stage = st.stage_table(table, STAGE_ORDER)
    path = st.critical_path(jobs, table)
    chain = table.set_index("jobid").loc[path].reset_index()
    chain["minutes"] = chain["seconds"] / 60
    chain["cumulative"] = chain["minutes"].cumsum()
    makespan = (table["end"].max() - (table["end"] - table["seconds"]).min()) / 60
    print("Wall time per stage (minutes; job = summed job wall times, span = first start "
          "to last finish):\n")  # fmt: skip
    print(to_markdown(stage.rename(columns={
        "job_minutes": "job min", "span_minutes": "span min",
        "longest_job": "longest job", "longest_minutes": "longest min",
    })))  # fmt: skip
    print(f"\nCritical path ({len(chain)} jobs, {chain['minutes'].sum():.1f} min of a "
          f"{makespan:.1f} min run; the rest is waiting for a core):\n")  # fmt: skip
    print(to_markdown(chain[["stage", "rule", "wildcards", "minutes", "cumulative"]]))
    if (table["source"] == "log").any():
        print(f"\n{int((table['source'] == 'log').sum())} jobs without a benchmark file "
              "are timed from the log (1 s resolution).")  # fmt: skip


def check_config_files(args: argparse.Namespace) -> None:
    """Read, merge and check config files as the workflow does; one line per verdict."""
    from cgexplain.config import DEFAULT_CONFIG, load_config_files

    base = Path(args.base) if args.base else Path("config/config.yaml")
    if not args.base and not base.exists():
        base = DEFAULT_CONFIG
    files = [Path(f) for f in args.files]
    given = {f.resolve() for f in files if f.exists()}
    paths = files if base.resolve() in given else [base, *files]
    load_config_files(paths)
    print(f"config ok: {', '.join(map(str, paths))}")


#: the LRP rules of :mod:`cgexplain.lrp.rules` and its default gamma (kept here so that
#: ``--help`` needs no torch; a test checks they agree)
RULE_NAMES = ("gamma", "lrp0")
DEFAULT_GAMMA = 0.1


def non_negative(text: str) -> float:
    """argparse type: a finite number >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def count(minimum: int) -> Callable[[str], int]:
    """argparse type: an integer >= ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand (imports nothing heavy)."""
    parser = argparse.ArgumentParser(prog="cgexplain", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    exp = sub.add_parser("explain", help="GNN-LRP pair and triplet relevances of a trajectory")
    exp.add_argument("--model", required=True, help="SchNetPack model file (torch.save)")
    exp.add_argument("--trajectory", required=True, help="ASE-readable or HDF5 trajectory")
    exp.add_argument("--out-pairs", required=True, help="pair table (parquet)")
    exp.add_argument("--out-triplets", required=True, help="triplet table (parquet)")
    exp.add_argument("--out-summary", help="per-frame energies and totals (parquet)")
    exp.add_argument("--rule", choices=list(RULE_NAMES), default="gamma")
    exp.add_argument(
        "--gamma", type=non_negative, default=DEFAULT_GAMMA, help="gamma of the gamma rule (>= 0)"
    )
    exp.add_argument("--max-order", type=int, choices=[2, 3], default=3)
    exp.add_argument("--start", type=int, default=0)
    exp.add_argument("--stop", type=int, default=None)
    exp.add_argument("--stride", type=count(1), default=1)
    exp.add_argument("--device", default="cpu", help="torch device: cpu, cuda, cuda:N")
    exp.add_argument("--threads", type=count(0), default=0, help="torch threads (0: default)")
    exp.add_argument("--chunk-size", type=count(1), default=65536)
    exp.add_argument("--debug", action="store_true", help="show the traceback of an error")
    exp.set_defaults(func=explain, debug=False)
    times = sub.add_parser(
        "stage-times", help="wall time per stage and the critical path of a finished run"
    )
    times.add_argument("--run-dir", default=".", help="the run's directory (default: here)")
    times.add_argument(
        "--log", action="append", default=[],
        help="Snakemake log(s) of the run (default: every .snakemake/log/*.log, oldest first)",
    )  # fmt: skip
    times.add_argument("--debug", action="store_true", help="show the traceback of an error")
    times.set_defaults(func=stage_times)
    check = sub.add_parser(
        "check-config",
        help="check config files as the workflow reads them; a problem as FILE:LINE:COL",
    )
    check.add_argument("files", nargs="+", metavar="FILE", help="config files, as --configfile")
    check.add_argument(
        "--base",
        help="the workflow's own config, merged first (default: config/config.yaml here, "
        "else the repository's)",
    )
    check.add_argument("--debug", action="store_true", help="show the traceback of an error")
    check.set_defaults(func=check_config_files)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line; bad input ends with one line on stderr and exit status 1."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)  # this package's progress; other libraries' notices stay quiet
    args = build_parser().parse_args(argv)
    from cgexplain.io import InputError

    try:
        args.func(args)
    except (InputError, NotImplementedError, ValueError, OSError) as error:
        if args.debug:
            raise
        print(f"cgexplain: error: {error}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
