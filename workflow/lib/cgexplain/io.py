"""Reading and writing trajectories and tables; atomic outputs.

One HDF5 layout (``format = "cgexplain-trajectory"``, version 1) serves the all-atom
reference runs, the CG-mapped data and, later, CG simulations:

============================  ======================  ===============
dataset                       shape                   unit
============================  ======================  ===============
``positions``                 (n_frames, n_sites, 3)  Å
``forces``                    (n_frames, n_sites, 3)  kcal/mol/Å
``box``                       (n_frames, 3, 3)        Å (rows = box vectors;
                                                      all zero: not periodic)
``time``                      (n_frames,)             ps
``potential_energy``          (n_frames,)             kcal/mol
``atomic_numbers``            (n_sites,)              bead or atom type
``masses``                    (n_sites,)              amu
``molecule_index``            (n_sites,)              molecule of each site
``names``                     (n_sites,)              site names
============================  ======================  ===============

File attributes: ``format``, ``version``, ``units`` (JSON) and ``metadata`` (JSON: the
settings, seeds and software versions that produced the file).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pandas as pd

from cgexplain.columns import RENAMED_COLUMNS
from cgexplain.errors import InputError

log = logging.getLogger(__name__)

FORMAT = "cgexplain-trajectory"
VERSION = 1
UNITS = {
    "positions": "angstrom",
    "forces": "kcal/mol/angstrom",
    "box": "angstrom",
    "time": "ps",
    "potential_energy": "kcal/mol",
    "masses": "amu",
}
FRAME_KEYS = ("positions", "forces", "box", "time", "potential_energy")


def is_periodic(box: np.ndarray) -> bool:
    """Whether a (3, 3) cell (Å) describes a periodic box; an all-zero cell means an
    isolated molecule (e.g. a protein in implicit solvent)."""
    return bool(np.any(np.asarray(box) != 0))


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` and rename it to ``path`` on success.

    On any exception the temporary file is removed, so a failed step never leaves a
    file that looks complete.
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f".{final.name}.partial{final.suffix}")
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Write ``data`` as indented JSON (NumPy values included), atomically."""
    with atomic_output(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True, default=_json_default) + "\n")


def with_current_names(table: pd.DataFrame, source: str = "table") -> pd.DataFrame:
    """``table`` with former column names (:data:`cgexplain.columns.RENAMED_COLUMNS`,
    e.g. ``largest_angle``) renamed to the current ones, each rename logged.

    A former name is left alone when the table also holds its current name.

    Args:
        table: any table read from disk.
        source: what the table is (e.g. its path), for the log message.
    """
    renames = {
        old: new
        for old, new in RENAMED_COLUMNS.items()
        if old in table.columns and new not in table.columns
    }
    for old, new in renames.items():
        log.info("%s: column %r renamed to %r (its former name)", source, old, new)
    return table.rename(columns=renames) if renames else table


def read_table(path: str | os.PathLike, **options: Any) -> pd.DataFrame:
    """Read a workflow table (``.parquet``, else CSV) with current column names.

    Args:
        path: the table's file.
        options: keyword arguments for :func:`pandas.read_csv` (CSV only).

    Returns:
        The table; former column names renamed by :func:`with_current_names`.
    """
    if Path(path).suffix == ".parquet":
        table = pd.read_parquet(path)
    else:
        table = pd.read_csv(path, **options)
    return with_current_names(table, str(path))


def evenly_spaced(n_frames: int, n: int, repeat: bool = False) -> np.ndarray:
    """``n`` evenly spaced indices of frames ``0 .. n_frames - 1``, first and last included.

    The indices are ``np.linspace(0, n_frames - 1, n)`` rounded to the nearest integer
    (halves to even); for ``n <= n_frames`` they are strictly increasing, so distinct.
    ``n == 1`` gives frame 0.

    Args:
        n_frames: frames available (at least 1).
        n: indices wanted (0 gives none).
        repeat: what ``n > n_frames`` gives: False, all ``n_frames`` frames once
            (frames to analyse); True, still ``n`` indices, frames repeated (e.g. the
            start frames of ``n`` replicas).

    Returns:
        (min(n, n_frames),) int64 indices, or (n,) with ``repeat``; ascending.

    Raises:
        InputError: ``n_frames < 1`` or ``n < 0``.
    """
    if n_frames < 1:
        raise InputError(f"no frames to choose from ({n_frames})")
    if n < 0:
        raise InputError(f"cannot choose {n} frames")
    if n >= n_frames and not repeat:
        return np.arange(n_frames, dtype=np.int64)
    return np.linspace(0, n_frames - 1, n).round().astype(np.int64)


@dataclass
class Trajectory:
    """A trajectory in memory (see module docstring for shapes and units)."""

    positions: np.ndarray
    forces: np.ndarray
    box: np.ndarray
    time: np.ndarray
    potential_energy: np.ndarray
    atomic_numbers: np.ndarray
    masses: np.ndarray
    molecule_index: np.ndarray
    names: list[str]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def n_frames(self) -> int:
        return int(self.positions.shape[0])

    @property
    def n_sites(self) -> int:
        return int(self.positions.shape[1])

    def validate(self) -> None:
        """Check shapes and finiteness; raise :class:`InputError` naming the problem."""
        f, n = self.positions.shape[:2]
        expected = {
            "positions": (f, n, 3),
            "forces": (f, n, 3),
            "box": (f, 3, 3),
            "time": (f,),
            "potential_energy": (f,),
            "atomic_numbers": (n,),
            "masses": (n,),
            "molecule_index": (n,),
        }
        for key, shape in expected.items():
            got = np.shape(getattr(self, key))
            if got != shape:
                raise InputError(f"trajectory field {key!r} has shape {got}, expected {shape}")
        if len(self.names) != n:
            raise InputError(f"trajectory has {len(self.names)} names for {n} sites")
        for key in ("positions", "forces", "box"):
            if not np.all(np.isfinite(getattr(self, key))):
                raise InputError(f"trajectory field {key!r} contains NaN or infinite values")


def _frame_dataset(h5: h5py.File, key: str, tail: tuple[int, ...], dtype: str) -> None:
    h5.create_dataset(
        key,
        shape=(0, *tail),
        maxshape=(None, *tail),
        dtype=dtype,
        chunks=(max(1, 2**16 // max(1, int(np.prod(tail)))), *tail) if tail else (4096,),
    )


class TrajectoryWriter:
    """Append frames to a trajectory file; reopen to resume after truncation.

    Args:
        path: HDF5 file to create (``mode="w"``) or extend (``mode="a"``).
        atomic_numbers, masses, molecule_index, names: per-site arrays, (n_sites,).
        metadata: JSON-serialisable provenance stored in the file attributes.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        atomic_numbers: np.ndarray,
        masses: np.ndarray,
        molecule_index: np.ndarray,
        names: list[str],
        metadata: dict[str, Any],
        mode: str = "w",
    ) -> None:
        self.path = Path(path)
        n = len(atomic_numbers)
        self.n_sites = n
        if mode == "a" and self.path.exists():
            self.h5 = h5py.File(self.path, "a")
            if self.h5["positions"].shape[1] != n:
                raise InputError(f"{self.path}: existing file holds a different number of sites")
        else:
            self.h5 = h5py.File(self.path, "w")
            self.h5.attrs["format"] = FORMAT
            self.h5.attrs["version"] = VERSION
            self.h5.attrs["units"] = json.dumps(UNITS)
            self.h5["atomic_numbers"] = np.asarray(atomic_numbers, dtype=np.int64)
            self.h5["masses"] = np.asarray(masses, dtype=np.float64)
            self.h5["molecule_index"] = np.asarray(molecule_index, dtype=np.int64)
            self.h5["names"] = np.asarray(names, dtype=h5py.string_dtype())
            _frame_dataset(self.h5, "positions", (n, 3), "float32")
            _frame_dataset(self.h5, "forces", (n, 3), "float32")
            _frame_dataset(self.h5, "box", (3, 3), "float32")
            _frame_dataset(self.h5, "time", (), "float64")
            _frame_dataset(self.h5, "potential_energy", (), "float64")
        self.h5.attrs["metadata"] = json.dumps(metadata, sort_keys=True, default=str)

    @property
    def n_frames(self) -> int:
        return int(self.h5["positions"].shape[0])

    def truncate(self, n_frames: int) -> None:
        """Drop frames beyond ``n_frames`` (used when resuming from a checkpoint)."""
        if n_frames > self.n_frames:
            raise InputError(
                f"{self.path}: cannot resume at frame {n_frames}, file holds {self.n_frames}"
            )
        for key in FRAME_KEYS:
            self.h5[key].resize(n_frames, axis=0)

    def append(self, **frames: np.ndarray) -> None:
        """Append a block of frames: each keyword of :data:`FRAME_KEYS`, leading axis = frames."""
        missing = set(FRAME_KEYS) - set(frames)
        if missing:
            raise ValueError(f"append() misses {sorted(missing)}")
        m = len(frames["time"])
        start = self.n_frames
        for key in FRAME_KEYS:
            values = np.asarray(frames[key])
            if values.shape[0] != m:
                raise ValueError(f"append(): {key} has {values.shape[0]} frames, time has {m}")
            self.h5[key].resize(start + m, axis=0)
            self.h5[key][start:] = values

    def flush(self) -> None:
        self.h5.flush()

    def close(self) -> None:
        self.h5.close()

    def __enter__(self) -> TrajectoryWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def save_trajectory(path: str | os.PathLike, traj: Trajectory) -> None:
    """Write a whole :class:`Trajectory` atomically."""
    traj.validate()
    with atomic_output(path) as tmp:
        with TrajectoryWriter(
            tmp, traj.atomic_numbers, traj.masses, traj.molecule_index, traj.names, traj.metadata
        ) as writer:
            writer.append(**{key: getattr(traj, key) for key in FRAME_KEYS})


def load_trajectory(
    path: str | os.PathLike, frames: slice | np.ndarray | None = None
) -> Trajectory:
    """Read a trajectory file written by :class:`TrajectoryWriter`.

    Args:
        path: the HDF5 file.
        frames: optional selection of frames (slice or index array) to read.

    Raises:
        InputError: the file is missing, not a cgexplain trajectory, or malformed.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"trajectory file not found: {path}")
    try:
        h5 = h5py.File(path, "r")
    except OSError as err:
        raise InputError(f"cannot read trajectory {path}: {err}") from err
    with h5:
        if h5.attrs.get("format") != FORMAT:
            raise InputError(f"{path} is not a {FORMAT} file (attribute 'format' missing)")
        sel = slice(None) if frames is None else frames
        data = {key: np.asarray(h5[key][sel]) for key in FRAME_KEYS}
        traj = Trajectory(
            **data,
            atomic_numbers=np.asarray(h5["atomic_numbers"][:]),
            masses=np.asarray(h5["masses"][:]),
            molecule_index=np.asarray(h5["molecule_index"][:]),
            names=[n.decode() if isinstance(n, bytes) else str(n) for n in h5["names"][:]],
            metadata=json.loads(h5.attrs.get("metadata", "{}")),
        )
        if "run_summary" in h5.attrs:
            traj.metadata["run_summary"] = json.loads(h5.attrs["run_summary"])
    traj.validate()
    return traj


def trajectory_length(path: str | os.PathLike) -> int:
    """Number of frames in a trajectory file without reading it."""
    with h5py.File(path, "r") as h5:
        return int(h5["positions"].shape[0])


def concatenate_trajectories(paths: list[str | os.PathLike], output: str | os.PathLike) -> Path:
    """Join independent runs of one system (shards) into one trajectory, atomically.

    Frames are streamed shard by shard (memory: one shard). Each shard's times are
    shifted so that its first frame comes one save interval after the previous shard's
    last (shards start their clocks at their first saved frame, not at 0); ``metadata["shards"]`` keeps each shard's settings,
    seed and frame count, and ``run_summary`` sums frames and averages ns/day.

    Raises:
        InputError: a shard is missing or its sites differ from the first shard's.
    """
    if not paths:
        raise InputError("no trajectories to concatenate")
    first = load_trajectory(paths[0], frames=slice(0, 1))
    shards_meta: list[dict[str, Any]] = []
    speeds = []
    with atomic_output(output) as tmp:
        writer = TrajectoryWriter(
            tmp, first.atomic_numbers, first.masses, first.molecule_index, first.names, {}
        )
        with writer:
            next_start: float | None = None  # where the next shard's first frame goes
            for path in paths:
                traj = load_trajectory(path)
                if not (
                    np.array_equal(traj.atomic_numbers, first.atomic_numbers)
                    and np.array_equal(traj.molecule_index, first.molecule_index)
                ):
                    raise InputError(f"{path}: sites differ from those of {paths[0]}")
                step = np.diff(traj.time).mean() if traj.n_frames > 1 else 0.0
                frames = {key: getattr(traj, key) for key in FRAME_KEYS}
                shift = 0.0 if next_start is None else next_start - float(traj.time[0])
                frames["time"] = traj.time + shift
                writer.append(**frames)
                next_start = float(frames["time"][-1] + step)
                summary = traj.metadata.pop("run_summary", {})
                speeds.append(summary.get("ns_per_day", np.nan))
                shards_meta.append({"path": str(path), "frames": traj.n_frames, **traj.metadata})
            metadata = {key: value for key, value in shards_meta[0].items() if key != "path"}
            metadata["shards"] = shards_meta
            metadata["frames"] = writer.n_frames
            writer.h5.attrs["metadata"] = json.dumps(metadata, sort_keys=True, default=str)
            run_summary = {
                "frames": writer.n_frames,
                "shards": len(paths),
                "ns_per_day": float(np.nanmean(speeds)) if np.isfinite(speeds).any() else None,
                "platform": shards_meta[0].get("platform"),
                "density_g_cm3": shards_meta[0].get("density_g_cm3"),
            }
            writer.h5.attrs["run_summary"] = json.dumps(run_summary)
    return Path(output)
