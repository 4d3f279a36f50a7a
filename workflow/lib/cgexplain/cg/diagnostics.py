"""Force-matching diagnostics: how much of the mapped force a trained model explains.

Force matching fits the mean force E[F | R] to mapped forces F that scatter about it
(Noid et al., J. Chem. Phys. 128, 244114 (2008)). The residual of even the exact mean
force is that scatter, so an RMSE alone does not say whether a model learned anything.
The diagnostics compare, on training and on held-out frames,

* the prior alone (zero for a liquid, the fitted Cα prior for a protein), and
* prior + network,

against the mapped forces, and report the share of the mapped force variance each
explains, R² = 1 - MSE / Var(F), with Var(F) the mean over beads and components of the
variance of F across the frames of the set.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from cgexplain.io import InputError, Trajectory

__all__ = ["force_scores", "predict_forces", "split_scores"]


def force_scores(mapped: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """RMSE and explained variance of predicted forces.

    Args:
        mapped: (n_frames, n_beads, 3) mapped forces, kcal/mol/Å.
        predicted: (n_frames, n_beads, 3) model forces, kcal/mol/Å.

    Returns:
        ``rmse`` (kcal/mol/Å) and ``explained`` (R², 1 - MSE / Var(mapped)).

    Raises:
        InputError: shapes differ, NaNs, or fewer than two frames.
    """
    mapped = np.asarray(mapped, dtype=np.float64)
    predicted = np.asarray(predicted, dtype=np.float64)
    if mapped.shape != predicted.shape or mapped.ndim != 3:
        raise InputError(f"forces of shapes {mapped.shape} and {predicted.shape} do not match")
    if len(mapped) < 2:
        raise InputError(f"{len(mapped)} frame(s): too few for a variance")
    if not (np.isfinite(mapped).all() and np.isfinite(predicted).all()):
        raise InputError("forces hold NaN or infinite values")
    mse = float(np.mean((mapped - predicted) ** 2))
    variance = float(np.mean(mapped.var(axis=0)))
    return {"rmse": float(np.sqrt(mse)), "explained": 1.0 - mse / variance}


def predict_forces(
    model: torch.nn.Module,
    traj: Trajectory,
    frames: np.ndarray,
    cutoff: float,
    prior: torch.nn.Module | None = None,
    batch: int = 8,
) -> tuple[np.ndarray, np.ndarray]:
    """Forces of prior + network and of the prior alone on frames of a CG trajectory.

    The network runs as stock SchNetPack (no fast kernel), so the diagnostics measure the
    model itself.

    Args:
        model: SchNetPack ``NeuralNetworkPotential`` (kcal/mol, Å).
        traj: CG trajectory (positions Å, box per frame).
        frames: (n,) frame indices.
        cutoff: the model's cutoff, Å.
        prior: optional module with ``energy_and_forces`` (a protein's Cα prior).
        batch: frames per model call.

    Returns:
        ``total`` and ``prior`` forces, each (n, n_beads, 3) kcal/mol/Å (``prior`` is
        zero without a prior).
    """
    from cgexplain.potentials.batched import BatchedPotential

    frames = np.asarray(frames, dtype=np.int64)
    total = np.zeros((len(frames), traj.n_sites, 3))
    prior_part = np.zeros_like(total)
    dtype = next(model.parameters()).dtype
    # frames of one box share a potential (NVT runs: a single box)
    boxes = traj.box[frames]
    keys = np.unique(boxes.reshape(len(frames), 9), axis=0, return_inverse=True)[1].ravel()
    for key in np.unique(keys):
        where = np.flatnonzero(keys == key)
        potential = BatchedPotential(
            model, traj.atomic_numbers, boxes[where[0]], cutoff, fast=False, skin=0.0
        )
        for start in range(0, len(where), batch):
            part = where[start : start + batch]
            pos = torch.as_tensor(traj.positions[frames[part]], dtype=dtype)
            total[part] = potential(pos)[1].double().numpy()
    if prior is not None:
        for start in range(0, len(frames), batch):
            part = slice(start, start + batch)
            pos = torch.as_tensor(traj.positions[frames[part]], dtype=torch.float64)
            prior_part[part] = prior.energy_and_forces(pos)[1].double().numpy()
        total += prior_part
    return total, prior_part


def split_scores(
    mapped: np.ndarray,
    total: np.ndarray,
    prior: np.ndarray,
    sets: dict[str, Sequence[int]],
) -> dict[str, float]:
    """Scores of the prior alone and of prior + network on each frame set.

    Args:
        mapped, total, prior: (n_frames, n_beads, 3) forces, kcal/mol/Å, for the same
            frames, in the order the sets index.
        sets: name (``train``, ``val``) -> indices into those frames.

    Returns:
        ``{name}_frames``, ``{name}_force_rms`` (RMS of the mapped force),
        ``{name}_rmse_prior``, ``{name}_rmse_model``, ``{name}_explained_prior``,
        ``{name}_explained_model`` for each set.
    """
    row: dict[str, float] = {}
    for name, idx in sets.items():
        idx = np.asarray(idx, dtype=np.int64)
        if idx.size < 2:
            continue
        alone = force_scores(mapped[idx], prior[idx])
        both = force_scores(mapped[idx], total[idx])
        row[f"{name}_frames"] = int(idx.size)
        row[f"{name}_force_rms"] = float(np.sqrt(np.mean(mapped[idx] ** 2)))
        row[f"{name}_rmse_prior"] = alone["rmse"]
        row[f"{name}_rmse_model"] = both["rmse"]
        row[f"{name}_explained_prior"] = alone["explained"]
        row[f"{name}_explained_model"] = both["explained"]
    return row
