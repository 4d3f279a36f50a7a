"""Training/validation splits that respect the time correlation of MD frames.

Frames a few picoseconds apart are nearly the same configuration with nearly the same
force noise. A validation set drawn frame by frame therefore holds near-copies of
training frames, and its error measures memorisation as much as generalisation. These
splits hold out contiguous blocks of frames that never straddle two runs, or whole
runs, so that only the frames at a block's two edges have close training neighbours
(Roberts et al., Ecography 40, 913 (2017), on blocked cross-validation of dependent
data).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from cgexplain.io import InputError, atomic_output

__all__ = ["SPLIT_METHODS", "load_split", "run_lengths", "save_split", "validation_split"]

log = logging.getLogger(__name__)

#: ``blocks``: contiguous blocks within runs; ``runs``: whole runs; ``frames``: single
#: frames at random (correlated neighbours leak into validation)
SPLIT_METHODS = ("blocks", "runs", "frames")


def run_lengths(metadata: Mapping[str, Any], n_frames: int) -> list[int]:
    """Frames of each run of a trajectory, from the ``shards`` of its metadata.

    A mapped trajectory keeps the all-atom one's metadata under ``source``; a
    trajectory without shard records (e.g. external data) is one run.

    Raises:
        InputError: the recorded run lengths do not add up to ``n_frames``.
    """
    for node in (metadata, metadata.get("source", {})):
        shards = node.get("shards") if isinstance(node, Mapping) else None
        if shards:
            lengths = [int(s["frames"]) for s in shards]
            if sum(lengths) != n_frames:
                raise InputError(f"runs of {lengths} frames do not add up to {n_frames} frames")
            return lengths
    return [n_frames]


def validation_split(
    n_frames: int,
    val_fraction: float,
    method: str = "blocks",
    block: int = 20,
    seed: int = 0,
    runs: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation frame indices.

    Args:
        n_frames: frames of the dataset, in time order run after run.
        val_fraction: share of frames to validate on, in (0, 1).
        method: one of :data:`SPLIT_METHODS`.
        block: frames per validation block (``blocks``); the last block taken is cut
            so that exactly round(val_fraction x n_frames) frames (at least 1) validate.
        seed: seed of the random choice of blocks, runs or frames.
        runs: (n_runs,) frames of each run (default: one run). ``runs`` holds out whole
            runs at random until val_fraction is reached (at least one run, never
            all); with one run it falls back to ``blocks``, with a warning.

    Returns:
        ``train_idx``, ``val_idx``: sorted int64 arrays, disjoint, covering all frames.
    """
    if method not in SPLIT_METHODS:
        raise InputError(f"split method {method!r}: expected one of {SPLIT_METHODS}")
    if not 0.0 < val_fraction < 1.0:
        raise InputError(f"val_fraction must lie in (0, 1), got {val_fraction}")
    if block < 1:
        raise InputError(f"validation block must be >= 1 frame, got {block}")
    runs = [n_frames] if runs is None else [int(r) for r in runs]
    if sum(runs) != n_frames or min(runs) < 1:
        raise InputError(f"runs of {runs} frames do not make {n_frames} frames")
    if n_frames < 2:
        raise InputError(f"{n_frames} frame(s): too few to train and validate")
    rng = np.random.default_rng(seed)
    n_val = min(n_frames - 1, max(1, int(round(val_fraction * n_frames))))
    starts = np.concatenate([[0], np.cumsum(runs)[:-1]])
    if method == "runs" and len(runs) == 1:
        log.warning("one run only: validating on contiguous blocks instead of whole runs")
        method = "blocks"
    is_val = np.zeros(n_frames, dtype=bool)
    if method == "frames":
        is_val[rng.choice(n_frames, size=n_val, replace=False)] = True
    elif method == "runs":
        taken = 0
        for r in rng.permutation(len(runs))[:-1]:  # at least one run trains
            if taken >= n_val:
                break
            is_val[starts[r] : starts[r] + runs[r]] = True
            taken += runs[r]
    else:
        segments = [
            (s + offset, min(block, length - offset))
            for s, length in zip(starts, runs, strict=True)
            for offset in range(0, length, block)
        ]
        taken = 0
        for k in rng.permutation(len(segments)):
            if taken >= n_val:
                break
            first, length = segments[k]
            length = min(length, n_val - taken)
            is_val[first : first + length] = True
            taken += length
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)


def save_split(path: str | os.PathLike, train_idx: np.ndarray, val_idx: np.ndarray) -> None:
    """Write a split in SchNetPack's ``split.npz`` format (``train_idx``, ``val_idx`` and an
    empty ``test_idx``), atomically."""
    with atomic_output(path) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(
                handle,
                train_idx=np.asarray(train_idx, dtype=np.int64),
                val_idx=np.asarray(val_idx, dtype=np.int64),
                test_idx=np.array([], dtype=np.int64),
            )


def load_split(path: str | os.PathLike, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Training and validation indices of a ``split.npz`` for a dataset of ``n_frames``.

    Returns:
        ``train_idx``, ``val_idx``: sorted int64 arrays.

    Raises:
        InputError: the file is missing or unreadable, lacks ``train_idx`` or
            ``val_idx``, holds non-integer indices, or its indices do not split
            ``range(n_frames)`` into two disjoint, non-empty sets that cover it.
    """
    try:
        with np.load(path) as data:
            arrays = {key: np.asarray(data[key]) for key in ("train_idx", "val_idx")}
    except FileNotFoundError:
        raise InputError(f"split file not found: {path}") from None
    except KeyError as error:
        raise InputError(f"split file {path} lacks {error}") from None
    except (OSError, ValueError) as error:
        raise InputError(f"split file {path} is not a readable .npz: {error}") from None
    for key, values in arrays.items():
        if values.ndim != 1 or not np.issubdtype(values.dtype, np.integer):
            raise InputError(f"{path}: {key} must be a 1-d integer array, got {values.dtype}")
        if not len(values):
            raise InputError(f"{path}: {key} is empty")
    train_idx, val_idx = (np.sort(arrays[k]).astype(np.int64) for k in ("train_idx", "val_idx"))
    joined = np.concatenate([train_idx, val_idx])
    if len(np.unique(joined)) != len(joined):
        raise InputError(f"{path}: training and validation frames overlap or repeat")
    if len(joined) != n_frames or joined.min() < 0 or joined.max() >= n_frames:
        raise InputError(
            f"{path}: {len(train_idx)} + {len(val_idx)} indices in "
            f"[{joined.min()}, {joined.max()}] do not split the {n_frames} frames of the dataset"
        )
    return train_idx, val_idx
