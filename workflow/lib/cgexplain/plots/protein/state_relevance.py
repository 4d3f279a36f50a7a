"""Fig. 5: mean 2-body relevance between residues in the folded, unfolded and
intermediate states."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from cgexplain.plots.protein.common import (
    DELTA_LABEL,
    RELEVANCE_LABEL,
    _check_square,
    _contact_boxes,
    _empty_panel,
    _off_diagonal,
    _residue_map,
    _symmetric_norm,
)
from cgexplain.plots.style import save, setup


def _split_map(
    upper: np.ndarray | None, lower: np.ndarray | None, n: int
) -> tuple[np.ndarray, list[str]]:
    """(N, N) image: ``upper`` above the diagonal, ``lower`` below, NaN elsewhere; and the
    names of the missing halves ("upper", "lower")."""
    image = np.full((n, n), np.nan)
    missing = []
    rows, cols = np.triu_indices(n, k=1)
    for matrix, (r, c), side in ((upper, (rows, cols), "upper"), (lower, (cols, rows), "lower")):
        if matrix is None:
            missing.append(side)
        else:
            image[r, c] = np.asarray(matrix, dtype=float)[r, c]
    return image, missing


def _fig5_overlay(ax: plt.Axes, missing: list[str]) -> None:
    """Text in the triangle of each missing state (upper right for F, lower left for U)."""
    places = {"upper": (0.72, 0.78, "F"), "lower": (0.28, 0.22, "U")}
    for side in missing:
        x, y, state = places[side]
        text = f"{state}: too few frames"
        ax.text(x, y, text, transform=ax.transAxes, ha="center", va="center", color="0.3")


def plot_fig5(
    maps: dict[str, np.ndarray | None],
    sequence: str,
    elements: dict[str, tuple[int, int]],
    contact_regions: Sequence[tuple[str, str]],
    paths: Sequence[str],
) -> plt.Figure:
    """Mean 2-body relevance between residues in the folded, unfolded and intermediate
    states (Fig. 5).

    Args:
        maps: ``F``, ``U``, ``P1``, ``P2`` -> (N, N) symmetric mean 2-body relevance
            (a.u.), or None for a state with too few frames.
        sequence: one-letter sequence (N,).
        elements: element name (``β1``, ``helix``, ...) -> inclusive 0-based residue range.
        contact_regions: pairs of element names whose contact block is outlined.
        paths: output files.

    Panels: (a) F above and U below the diagonal; (b) P1 - F; (c) P2 - F, each on its own
    zero-centred colour scale.
    """
    setup()
    n = len(sequence)
    for key, matrix in maps.items():
        if matrix is not None:
            _check_square(np.asarray(matrix), n, key)
    folded, unfolded = maps.get("F"), maps.get("U")
    fig, axes = plt.subplots(1, 3, figsize=(15.5, 4.6))
    fig.subplots_adjust(wspace=0.5)  # colourbar labels clear of the next panel's axis
    image, missing = _split_map(folded, unfolded, n)
    if len(missing) == 2:
        _empty_panel(axes[0], "F, U: too few frames")
    else:
        _residue_map(axes[0], image, _symmetric_norm(image), elements, RELEVANCE_LABEL)
        _contact_boxes(axes[0], elements, contact_regions)
        _fig5_overlay(axes[0], missing)
    axes[0].set_title("(a) F (upper) / U (lower)", pad=24)
    for ax, state, letter in zip(axes[1:], ("P1", "P2"), "bc", strict=True):
        ax.set_title(f"({letter}) {state} − F", pad=24)
        other = maps.get(state)
        absent = [s for s, m in ((state, other), ("F", folded)) if m is None]
        if absent:
            _empty_panel(ax, ", ".join(absent) + ": too few frames")
            continue
        delta = _off_diagonal(np.asarray(other, dtype=float) - np.asarray(folded, dtype=float))
        _residue_map(ax, delta, _symmetric_norm(delta), elements, DELTA_LABEL)
        _contact_boxes(ax, elements, contact_regions)
    save(fig, paths)
    return fig
