"""The n-body spectrum of GNN-LRP: how much of a model the 1-, 2- and 3-body picture holds.

GNN-LRP assigns every walk W = (b_0, ..., b_T) over the model's graph a relevance R(W)
(Schnake et al., IEEE TPAMI 44, 7581 (2022)); grouped by the set of distinct beads a walk
visits, the walks give the n-body contributions of Bonneau et al., Nat. Commun. (2025).
For one frame with total relevance R = Σ_W R(W) (kcal/mol) this module splits R into

    R = R_1 + R_2 + R_3 + R_{≥4},

R_n the summed relevance of all walks over exactly n distinct beads: R_2 and R_3 from the
pair and triplet tables, R_1 = explained - R_2 - R_3 (``explained`` = the sum over walks
with at most three beads, computed exactly by the relevance stage) and R_{≥4} = R -
explained, the part no n <= 3 picture can show. Two shares per order:

* signed, ``share_n = R_n / R`` (they sum to 1; large and of both signs when the orders
  cancel, and undefined when R = 0);
* absolute, ``abs_share_n = |R_n| / Σ_m |R_m|`` (in [0, 1], sum to 1): the fraction of
  the relevance magnitude carried by order n, robust to cancellation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cgexplain.analysis.bootstrap import block_bootstrap, block_length_from_autocorrelation

__all__ = ["ORDERS", "nbody_spectrum", "spectrum_agreement_rows", "spectrum_summary"]

#: walk orders: distinct beads 1, 2, 3 and 4 or more
ORDERS = ("1", "2", "3", "4+")
_KEYS = {"1": "r1", "2": "r2", "3": "r3", "4+": "r4plus"}


def nbody_spectrum(
    frames: pd.DataFrame, pairs: pd.DataFrame, triplets: pd.DataFrame
) -> pd.DataFrame:
    """Per-frame n-body split of the total walk relevance.

    Args:
        frames: relevance-stage frame table (``frame``, ``total``, ``explained``; kcal/mol).
        pairs, triplets: contribution tables with ``frame`` and ``relevance`` (kcal/mol).

    Returns:
        One row per frame (frame order kept): ``frame``, ``total``, ``r1``, ``r2``,
        ``r3``, ``r4plus`` (kcal/mol), ``share_1`` ... ``share_4+`` (signed, R_n / R) and
        ``abs_share_1`` ... ``abs_share_4+``.

    Raises:
        ValueError: a pair or triplet belongs to no frame of ``frames``, or a column is
            missing.
    """
    for name, table, needed in (
        ("frames", frames, ("frame", "total", "explained")),
        ("pairs", pairs, ("frame", "relevance")),
        ("triplets", triplets, ("frame", "relevance")),
    ):
        missing = sorted(set(needed) - set(table.columns))
        if missing:
            raise ValueError(f"{name} table lacks columns {missing}")
    known = set(frames["frame"])
    for name, table in (("pairs", pairs), ("triplets", triplets)):
        stray = set(table["frame"]) - known
        if stray:
            raise ValueError(f"{name} of frames {sorted(stray)[:5]} are not in the frame table")
    index = frames["frame"].to_numpy()
    r2 = pairs.groupby("frame")["relevance"].sum().reindex(index, fill_value=0.0).to_numpy()
    r3 = triplets.groupby("frame")["relevance"].sum().reindex(index, fill_value=0.0).to_numpy()
    total = frames["total"].to_numpy(dtype=float)
    explained = frames["explained"].to_numpy(dtype=float)
    parts = {"r1": explained - r2 - r3, "r2": r2, "r3": r3, "r4plus": total - explained}
    out = pd.DataFrame({"frame": index, "total": total, **parts})
    magnitude = sum(np.abs(v) for v in parts.values())
    with np.errstate(divide="ignore", invalid="ignore"):
        for order, key in _KEYS.items():
            out[f"share_{order}"] = np.where(total != 0, parts[key] / total, np.nan)
        for order, key in _KEYS.items():
            out[f"abs_share_{order}"] = np.where(
                magnitude > 0, np.abs(parts[key]) / magnitude, np.nan
            )
    return out


def spectrum_summary(
    spectrum: pd.DataFrame,
    n_resamples: int,
    seed: int,
    confidence: float = 0.95,
    block_length: int | None = None,
) -> pd.DataFrame:
    """Mean shares over frames with block-bootstrap confidence intervals.

    Args:
        spectrum: :func:`nbody_spectrum` table, frames in trajectory order.
        n_resamples, seed, confidence: see :func:`cgexplain.analysis.bootstrap.block_bootstrap`.
        block_length: frames per bootstrap block; None: 5 integrated autocorrelation
            times of the per-frame total relevance
            (:func:`~cgexplain.analysis.bootstrap.block_length_from_autocorrelation`).

    Returns:
        One row per (``measure`` in {"share", "abs_share"}, ``order`` in
        :data:`ORDERS`): ``value`` (mean over frames), ``ci_low``, ``ci_high``,
        ``n_frames``, ``block_length``. Frames whose signed share is undefined (total 0)
        are left out of the signed means.
    """
    if len(spectrum) == 0:
        raise ValueError("the spectrum has no frames")
    if block_length is None:
        series = spectrum["total"].to_numpy(dtype=float)
        block_length = block_length_from_autocorrelation(series) if len(series) > 2 else 1
    rows = []
    for measure in ("share", "abs_share"):
        columns = [f"{measure}_{order}" for order in ORDERS]
        values = spectrum[columns].to_numpy(dtype=float)
        estimate, low, high = block_bootstrap(
            values,
            lambda v: np.nanmean(v, axis=0),
            block_length,
            n_resamples,
            seed,
            confidence,
        )
        for k, order in enumerate(ORDERS):
            rows.append(
                {
                    "measure": measure,
                    "order": order,
                    "value": float(estimate[k]),
                    "ci_low": float(low[k]),
                    "ci_high": float(high[k]),
                    "n_frames": int(np.isfinite(values[:, k]).sum()),
                    "block_length": int(block_length),
                }
            )
    return pd.DataFrame(rows)


def spectrum_agreement_rows(spectra: dict[tuple[str, str], pd.DataFrame]) -> pd.DataFrame:
    """Agreement-table rows of the n-body spectra of many runs.

    Args:
        spectra: ``(system, model) -> spectrum_summary`` table.

    Returns:
        Long table ``system``, ``quantity``, ``model``, ``value``, ``ci_low``,
        ``ci_high`` with quantities ``nbody_abs_share_<order>`` and
        ``nbody_share_<order>`` (order in :data:`ORDERS`).
    """
    rows = []
    for (system, model), table in sorted(spectra.items()):
        for row in table.itertuples():
            prefix = "nbody_abs_share" if row.measure == "abs_share" else "nbody_share"
            rows.append(
                {
                    "system": system,
                    "quantity": f"{prefix}_{row.order}",
                    "model": model,
                    "value": row.value,
                    "ci_low": row.ci_low,
                    "ci_high": row.ci_high,
                }
            )
    return pd.DataFrame(
        rows, columns=["system", "quantity", "model", "value", "ci_low", "ci_high"]
    )
