"""Fig. 6: the strongest 2- and 3-body interactions of the folded state on its
structure."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cgexplain.plots.protein.projection import (
    _colour_legend,
    _draw_backbone,
    _draw_interactions,
    _label_residues,
    project_structure,
)
from cgexplain.plots.style import save, setup


def plot_fig6(
    ca_positions: np.ndarray,
    sequence: str,
    interactions: pd.DataFrame,
    paths: Sequence[str],
    elements: dict[str, tuple[int, int]] | None = None,
) -> plt.Figure:
    """Strongest 2- and 3-body interactions of the folded state on its structure (Fig. 6).

    Args:
        ca_positions: (N, 3) Cα positions (Å) of a representative folded structure,
            drawn projected on its first two principal axes.
        sequence: one-letter sequence (N,).
        interactions: ``order`` (2 or 3), ``beads`` (tuple of 0-based residue indices),
            ``value`` (mean relevance, a.u.).
        paths: output files.
        elements: element name -> inclusive 0-based residue range, colours the trace.
    """
    setup()
    xy = project_structure(ca_positions)
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.8))
    for ax, order in zip(axes, (2, 3), strict=True):
        _draw_backbone(ax, xy, elements)
        ax.set_title(f"folded state: {order}-body")
        part = interactions[interactions["order"] == order]
        if part.empty:
            ax.text(0.5, 0.5, "none", transform=ax.transAxes, ha="center", va="center")
            continue
        _label_residues(ax, xy, _draw_interactions(ax, xy, part), sequence)
    _colour_legend(
        axes[1], elements, "relevance < 0 (stabilising)", "relevance > 0 (destabilising)"
    )
    save(fig, paths)
    return fig
