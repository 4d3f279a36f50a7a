"""The protein drawn flat: Cα positions projected on their first two principal axes,
the backbone coloured by secondary structure, and interactions (pairs as lines, triplets
as triangles) shaded by sign and strength (Figs. 6 and 7; the same shades in PyMOL)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon

from cgexplain.plots.protein.common import (
    CMAP,
    COIL_COLOUR,
    HELIX_COLOUR,
    MIN_SHADE,
    STRAND_COLOUR,
    _element_colour,
    _is_helix,
    _residue_label,
)


def project_structure(ca_positions: np.ndarray) -> np.ndarray:
    """Project Cα positions (N, 3) Å on their first two principal axes -> (N, 2) Å.

    The axes' signs are fixed (largest loading positive) so the view is reproducible.
    """
    centred = np.asarray(ca_positions, dtype=float)
    centred = centred - centred.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    axes = axes[:2]
    signs = np.sign(axes[np.arange(2), np.abs(axes).argmax(axis=1)])
    return centred @ (axes * signs[:, None]).T


def _bead_elements(n: int, elements: dict[str, tuple[int, int]] | None) -> list[str | None]:
    """Element name of each residue (None outside any element)."""
    names: list[str | None] = [None] * n
    for name, (start, end) in (elements or {}).items():
        for i in range(max(int(start), 0), min(int(end), n - 1) + 1):
            names[i] = name
    return names


def _draw_backbone(
    ax: plt.Axes, xy: np.ndarray, elements: dict[str, tuple[int, int]] | None
) -> None:
    """Cα trace (N, 2) Å, each bond coloured by the element of both its residues (grey
    otherwise), with a legend entry per element kind."""
    names = _bead_elements(len(xy), elements)
    colours = [
        _element_colour(a) if a is not None and a == b else COIL_COLOUR
        for a, b in zip(names[:-1], names[1:], strict=True)
    ]
    segments = np.stack([xy[:-1], xy[1:]], axis=1)
    ax.add_collection(LineCollection(segments, colors=colours, linewidths=2.0, zorder=1))
    ax.scatter(xy[:, 0], xy[:, 1], s=6, color="0.35", zorder=2)
    ax.annotate("N", xy[0], xytext=(-8, -8), textcoords="offset points", fontsize="x-small")
    ax.annotate("C", xy[-1], xytext=(4, 4), textcoords="offset points", fontsize="x-small")
    margin = 3.0
    ax.set(
        xlim=(xy[:, 0].min() - margin, xy[:, 0].max() + margin),
        ylim=(xy[:, 1].min() - margin, xy[:, 1].max() + margin),
        aspect="equal",
        xlabel="PC 1 / Å",
        ylabel="PC 2 / Å",
    )


def _label_residues(ax: plt.Axes, xy: np.ndarray, residues: set[int], sequence: str) -> None:
    """Label residues (one-letter code + number) just outside the structure's centre."""
    centre = xy.mean(axis=0)
    for i in sorted(residues):
        direction = xy[i] - centre
        direction = direction / (np.linalg.norm(direction) or 1.0)
        ax.annotate(
            _residue_label(sequence, i),
            xy[i],
            xytext=tuple(11 * direction),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize="x-small",
            zorder=5,
        )


def _shade(value: float, scale: float) -> tuple[float, float, float, float]:
    """RGBA of a relevance value: blue below zero, red above, darker for |value| closer
    to ``scale`` (weakest still at :data:`MIN_SHADE` of the full shade); grey for zero."""
    if value == 0 or not np.isfinite(value):
        return (0.5, 0.5, 0.5, 1.0)
    strength = min(abs(value) / scale, 1.0) if scale > 0 else 1.0
    reach = MIN_SHADE + (1 - MIN_SHADE) * strength
    return plt.get_cmap(CMAP)(0.5 + 0.5 * reach * np.sign(value))


def _beads(entry: object) -> tuple[int, ...]:
    """0-based bead indices of one interaction (a pair or a triplet)."""
    beads = tuple(int(b) for b in entry)  # type: ignore[union-attr]
    if len(beads) not in (2, 3):
        raise ValueError(f"an interaction has 2 or 3 beads, got {beads}")
    return beads


def _draw_interactions(ax: plt.Axes, xy: np.ndarray, table: pd.DataFrame) -> set[int]:
    """Lines (pairs) or translucent triangles (triplets) between projected Cα, weakest
    first; returns the residues involved."""
    values = table["value"].to_numpy(dtype=float)
    scale = float(np.nanmax(np.abs(values))) if values.size else 1.0
    involved: set[int] = set()
    for position in np.argsort(np.abs(values)):
        beads, value = _beads(table["beads"].iloc[position]), values[position]
        strength = min(abs(value) / scale, 1.0) if scale > 0 else 1.0
        colour = _shade(value, scale)
        involved.update(beads)
        if len(beads) == 2:
            ends = xy[list(beads)]
            width, alpha = 0.8 + 2.7 * strength, 0.5 + 0.5 * strength
            ax.plot(ends[:, 0], ends[:, 1], color=colour, lw=width, alpha=alpha, zorder=3)
        else:
            alpha, width = 0.15 + 0.45 * strength, 0.5 + 1.5 * strength
            triangle = Polygon(xy[list(beads)], fc=colour, ec=colour, alpha=alpha, lw=width)
            ax.add_patch(triangle).set_zorder(3)
    return involved


def _colour_legend(
    ax: plt.Axes, elements: dict[str, tuple[int, int]] | None, negative: str, positive: str
) -> None:
    """Legend of the sign colours (labels ``negative`` / ``positive``) and element kinds."""
    cmap = plt.get_cmap(CMAP)
    handles = [
        Line2D([], [], color=cmap(0.05), lw=2.5, label=negative),
        Line2D([], [], color=cmap(0.95), lw=2.5, label=positive),
    ]
    kinds = {_is_helix(name) for name in (elements or {})}
    if False in kinds:
        handles.append(Line2D([], [], color=STRAND_COLOUR, lw=2.5, label="β strand"))
    if True in kinds:
        handles.append(Line2D([], [], color=HELIX_COLOUR, lw=2.5, label="helix"))
    ax.legend(
        handles=handles,
        frameon=False,
        fontsize="x-small",
        loc="center left",
        bbox_to_anchor=(1.02, 0.5),
        title="shade ∝ |value| / max |value|",
        title_fontsize="x-small",
    )
