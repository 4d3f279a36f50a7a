"""GNN-LRP n-body tables of many frames, and the classic decomposition of the same sets.

Stacks :func:`cgexplain.nbody_relevance` over frames of a trajectory into three tables
(pairs, triplets, frames) with a ``frame`` column, the shape the workflow's relevance
rules write and the analysis (:mod:`cgexplain.analysis.relevance`) reads.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

import ase
import numpy as np
import pandas as pd
import torch
from torch import nn

from cgexplain.io import InputError, is_periodic
from cgexplain.lrp.classic import classic_nbody
from cgexplain.lrp.engine import DEFAULT_CHUNK
from cgexplain.lrp.nbody import nbody_relevance
from cgexplain.lrp.rules import Rule

log = logging.getLogger(__name__)


def select_frames(n_available: int, n_frames: int) -> np.ndarray:
    """``n_frames`` evenly spaced frame indices of ``0..n_available-1`` (all if fewer)."""
    if n_available < 1:
        raise InputError("the trajectory has no frames to explain")
    if n_frames >= n_available:
        return np.arange(n_available)
    return np.unique(np.linspace(0, n_available - 1, n_frames).round().astype(np.int64))


def frame_atoms(positions: np.ndarray, box: np.ndarray, numbers: np.ndarray) -> ase.Atoms:
    """``ase.Atoms`` of one frame: positions (N, 3) Å, box (3, 3) Å (all zero: not periodic)."""
    if not np.isfinite(positions).all():
        raise InputError("frame positions contain NaN or inf")
    return ase.Atoms(numbers=numbers, positions=positions, cell=box, pbc=is_periodic(box))


def explain_frames(
    model: nn.Module,
    frames: Iterable[tuple[int, ase.Atoms]],
    rule: Rule = "gamma",
    gamma: float = 0.1,
    max_order: int = 3,
    chunk_size: int = DEFAULT_CHUNK,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """2-body and 3-body GNN-LRP contributions of many frames.

    Args:
        model: loaded SchNetPack model (PaiNN, SO3net or SchNet).
        frames: ``(frame index, atoms)`` pairs.
        rule, gamma, max_order, chunk_size: see :func:`cgexplain.nbody_relevance`.

    Returns:
        ``(pairs, triplets, frame table)``: the :class:`~cgexplain.lrp.nbody.NBodyRelevance`
        pair and triplet tables with a ``frame`` column (kcal/mol, Å, degrees), and one
        row per frame with ``frame``, ``energy``, ``modified_energy``, ``total``,
        ``explained``, ``n_walks_total``, ``n_pairs``, ``n_triplets``, ``seconds``.
    """
    pairs, triplets, rows = [], [], []
    for index, atoms in frames:
        start = time.perf_counter()
        res = nbody_relevance(model, atoms, rule, gamma, max_order, chunk_size)
        if not np.isfinite(res.total) or not np.isfinite(res.pairs["relevance"]).all():
            raise InputError(f"frame {index}: relevance is not finite (NaN in the model?)")
        pairs.append(res.pairs.assign(frame=index))
        triplets.append(res.triplets.assign(frame=index))
        rows.append(
            {
                "frame": index,
                "energy": res.energy,
                "modified_energy": res.modified_energy,
                "total": res.total,
                "explained": res.explained,
                "n_walks_total": res.n_walks_total,
                "n_pairs": len(res.pairs),
                "n_triplets": len(res.triplets),
                "seconds": time.perf_counter() - start,
            }
        )
        log.info(
            "frame %d: %d pairs, %d triplets, %.2f s",
            index,
            len(res.pairs),
            len(res.triplets),
            rows[-1]["seconds"],
        )
    if not rows:
        raise InputError("no frames to explain")
    return (
        pd.concat(pairs, ignore_index=True),
        pd.concat(triplets, ignore_index=True),
        pd.DataFrame(rows),
    )


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
