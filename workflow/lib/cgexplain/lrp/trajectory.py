"""GNN-LRP n-body tables of many frames, and the classic decomposition of the same sets.

Stacks :func:`cgexplain.nbody_relevance` over frames of a trajectory into three tables
(pairs, triplets, frames) with a ``frame`` column, the shape the workflow's relevance
rules write and the analysis (:mod:`cgexplain.analysis.relevance`) reads;
:func:`explain_trajectory` explains, normalises and writes them, for the workflow's
``explain_frames`` step and the ``python -m cgexplain explain`` command alike.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import ase
import numpy as np
import pandas as pd
import torch
from torch import nn

from cgexplain import columns as col
from cgexplain.analysis.relevance import normalize_contributions
from cgexplain.io import InputError, atomic_output, evenly_spaced, is_periodic
from cgexplain.lrp.classic import classic_nbody
from cgexplain.lrp.engine import DEFAULT_CHUNK
from cgexplain.lrp.nbody import nbody_relevance
from cgexplain.lrp.rules import PUBLISHED_RULE, Rule
from cgexplain.runlog import progress

log = logging.getLogger(__name__)


def select_frames(n_available: int, n_frames: int) -> np.ndarray:
    """``n_frames`` evenly spaced frame indices of ``0..n_available-1`` (all if fewer;
    :func:`cgexplain.io.evenly_spaced`)."""
    if n_available < 1:
        raise InputError("the trajectory has no frames to explain")
    return evenly_spaced(n_available, n_frames)


def explained_frames_of_shard(
    n_available: int, n_frames: int, shard: int, n_shards: int
) -> np.ndarray:
    """Shard ``shard`` (1-based) of ``n_shards`` of the :func:`select_frames` indices.

    The evenly spaced frames are dealt round-robin, so every shard spans the trajectory.
    """
    return select_frames(n_available, n_frames)[shard - 1 :: n_shards]


def frame_atoms(positions: np.ndarray, box: np.ndarray, numbers: np.ndarray) -> ase.Atoms:
    """``ase.Atoms`` of one frame: positions (N, 3) Å, box (3, 3) Å (all zero: not periodic)."""
    if not np.isfinite(positions).all():
        raise InputError("frame positions contain NaN or inf")
    return ase.Atoms(numbers=numbers, positions=positions, cell=box, pbc=is_periodic(box))


def array_frames(
    positions: Any, box: Any, numbers: np.ndarray, indices: Iterable[int]
) -> Iterator[tuple[int, ase.Atoms]]:
    """``(index, atoms)`` of the frames ``indices`` of stacked arrays, read one at a time.

    Args:
        positions: (n_frames, N, 3) Å; box: (n_frames, 3, 3) Å (arrays or HDF5 datasets).
        numbers: (N,) atomic numbers (bead types).
        indices: frame indices to yield, in order.
    """
    for index in indices:
        yield (
            int(index),
            frame_atoms(
                np.asarray(positions[index], dtype=np.float64),
                np.asarray(box[index], dtype=np.float64),
                numbers,
            ),
        )


def explain_frames(
    model: nn.Module,
    frames: Iterable[tuple[int, ase.Atoms]],
    rule: Rule = PUBLISHED_RULE,
    max_order: int = 3,
    chunk_size: int = DEFAULT_CHUNK,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """2-body and 3-body GNN-LRP contributions of many frames.

    Args:
        model: loaded SchNetPack model (PaiNN, SO3net or SchNet).
        frames: ``(frame index, atoms)`` pairs.
        rule, max_order, chunk_size: see :func:`cgexplain.nbody_relevance`.

    Returns:
        ``(pairs, triplets, frame table)``: the :class:`~cgexplain.lrp.nbody.NBodyRelevance`
        pair and triplet tables with a ``frame`` column (kcal/mol, Å, degrees), and one
        row per frame with ``frame``, ``energy``, ``modified_energy``, ``total``,
        ``explained``, ``n_walks_total``, ``n_pairs``, ``n_triplets``, ``seconds``.
    """
    pairs, triplets, rows = [], [], []
    frames = list(frames)
    begin = time.perf_counter()
    for index, atoms in frames:
        start = time.perf_counter()
        res = nbody_relevance(model, atoms, rule, max_order, chunk_size)
        if not np.isfinite(res.total) or not np.isfinite(res.pairs["relevance"]).all():
            raise InputError(f"frame {index}: relevance is not finite (NaN in the model?)")
        pairs.append(res.pairs.assign(frame=index))
        triplets.append(res.triplets.assign(frame=index))
        rows.append(
            {
                col.FRAME: index,
                col.ENERGY: res.energy,
                col.MODIFIED_ENERGY: res.modified_energy,
                col.TOTAL: res.total,
                col.EXPLAINED: res.explained,
                col.N_WALKS_TOTAL: res.n_walks_total,
                col.N_PAIRS: len(res.pairs),
                col.N_TRIPLETS: len(res.triplets),
                col.SECONDS: time.perf_counter() - start,
            }
        )
        log.info(
            "frame %d: %d pairs, %d triplets, %.2f s; %s",
            index,
            len(res.pairs),
            len(res.triplets),
            rows[-1]["seconds"],
            progress("", len(rows), len(frames), time.perf_counter() - begin, "frames"),
        )
    if not rows:
        raise InputError("no frames to explain")
    return (
        pd.concat(pairs, ignore_index=True),
        pd.concat(triplets, ignore_index=True),
        pd.DataFrame(rows),
    )


def write_table(table: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a table atomically: CSV for a ``.csv`` path, parquet otherwise."""
    with atomic_output(path) as tmp:
        if Path(path).suffix.lower() == ".csv":
            table.to_csv(tmp, index=False)
        else:
            table.to_parquet(tmp, index=False)


def explain_trajectory(
    model: nn.Module,
    frames: Iterable[tuple[int, ase.Atoms]],
    rule: Rule,
    out_pairs: str | os.PathLike,
    out_triplets: str | os.PathLike,
    out_frames: str | os.PathLike | None = None,
    *,
    n_frames: int | None = None,
    labels: Mapping[str, Any] | None = None,
    max_order: int = 3,
    chunk_size: int = DEFAULT_CHUNK,
    progress_interval: float = 0.1,
) -> pd.DataFrame:
    """Explain frames, normalise their contributions and write the tables.

    The pair and triplet tables of :func:`explain_frames` get the published per-frame
    normalisation ``relevance_norm`` beside the raw ``relevance`` (kcal/mol)
    (:func:`cgexplain.analysis.relevance.normalize_contributions`) and are written as
    parquet; the frame table, with ``labels`` as constant columns, as CSV or parquet
    (:func:`write_table`). Every file is written atomically, and none if a frame fails.

    Args:
        model: loaded SchNetPack model (PaiNN, SO3net or SchNet).
        frames: ``(frame index, atoms)`` pairs (see :func:`array_frames`).
        rule: the LRP rule (:mod:`cgexplain.lrp.rules`).
        out_pairs, out_triplets: paths of the pair and triplet tables.
        out_frames: path of the frame table, or None.
        n_frames: number of frames, for the progress bar.
        labels: constant columns of the frame table (e.g. source, rule settings).
        max_order, chunk_size: see :func:`cgexplain.nbody_relevance`.
        progress_interval: least seconds between progress bar updates.

    Returns:
        The frame table (without ``labels``).
    """
    from tqdm import tqdm

    progress = tqdm(
        frames, total=n_frames, desc="GNN-LRP", unit="frame", mininterval=progress_interval
    )
    pairs, triplets, table = explain_frames(model, progress, rule, max_order, chunk_size)
    write_table(normalize_contributions(pairs, table), out_pairs)
    write_table(normalize_contributions(triplets, table), out_triplets)
    if out_frames is not None:
        write_table(table.assign(**(labels or {})), out_frames)
    return table


def classic_frames(
    model: nn.Module,
    frames: Iterable[tuple[int, ase.Atoms]],
    pairs: pd.DataFrame,
    triplets: pd.DataFrame,
    batch_size: int = 256,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Classic E2/E3 cluster energies of the bead sets of the relevance tables.

    Every pair and connected triplet that has GNN-LRP relevance in a frame is evaluated
    in isolation (:func:`cgexplain.lrp.classic.classic_nbody`), so both decompositions
    cover the same sets.

    Returns:
        ``(pairs with e2, triplets with e3)`` (kcal/mol), geometry columns copied over.
    """
    out_pairs, out_triplets = [], []
    for index, atoms in frames:
        p = pairs[pairs["frame"] == index]
        t = triplets[triplets["frame"] == index]
        with torch.enable_grad():
            e2, e3 = classic_nbody(
                model, atoms, p[["i", "j"]].to_numpy(), t[["i", "j", "k"]].to_numpy(), batch_size
            )
        out_pairs.append(_geometry(p).assign(e2=e2["e2"].to_numpy()))
        out_triplets.append(_geometry(t).assign(e3=e3["e3"].to_numpy()))
    if not out_pairs:
        raise InputError("no frames for the classic decomposition")
    return pd.concat(out_pairs, ignore_index=True), pd.concat(out_triplets, ignore_index=True)


def _geometry(table: pd.DataFrame) -> pd.DataFrame:
    """The table without its relevance columns."""
    return table.drop(columns=[c for c in table.columns if c.startswith("relevance")])
