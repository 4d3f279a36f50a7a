"""Shared parts of the protein figures: labels and colours, and the
residue-pair map (an (N, N) image with residue ticks, secondary-structure bars and a
zero-centred colour scale)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.patches import Rectangle
from matplotlib.transforms import blended_transform_factory

RELEVANCE_LABEL = "relevance / a.u."
DELTA_LABEL = "Δ relevance / a.u."
FREE_ENERGY_LABEL = "free energy / kcal mol⁻¹"
CMAP = "RdBu_r"
STRAND_COLOUR = "#E6AB02"
HELIX_COLOUR = "#1B9E77"
COIL_COLOUR = "0.6"
#: weakest interactions are drawn at this fraction of the full shade (never white)
MIN_SHADE = 0.3


def _residue_label(sequence: str, index: int) -> str:
    """One-letter code and 1-based number of 0-based residue ``index``, e.g. ``I4``."""
    code = sequence[index] if index < len(sequence) else "X"
    return f"{code}{index + 1}"


def _is_helix(name: str) -> bool:
    return "helix" in name.lower() or name.startswith("α")


def _element_colour(name: str) -> str:
    """Helices one colour, everything else (β strands) another."""
    return HELIX_COLOUR if _is_helix(name) else STRAND_COLOUR


def _element_range(elements: dict[str, tuple[int, int]], name: str) -> tuple[int, int]:
    if name not in elements:
        raise ValueError(f"unknown secondary-structure element {name!r}; known: {list(elements)}")
    start, end = elements[name]
    return int(start), int(end)


def _symmetric_norm(values: np.ndarray, quantile: float = 0.98) -> TwoSlopeNorm:
    """Zero-centred norm spanning the ``quantile`` of the finite |values| (the caller
    blanks the diagonal); values beyond saturate."""
    finite = np.abs(values[np.isfinite(values)])
    span = float(np.quantile(finite, quantile)) if finite.size else 0.0
    if span <= 0:
        span = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    return TwoSlopeNorm(vcenter=0.0, vmin=-span, vmax=span)


def _off_diagonal(matrix: np.ndarray) -> np.ndarray:
    """Float copy of an (N, N) matrix with NaN on the diagonal."""
    out = np.array(matrix, dtype=float, copy=True)
    np.fill_diagonal(out, np.nan)
    return out


def _check_square(matrix: np.ndarray, n: int, name: str) -> None:
    if matrix.shape != (n, n):
        raise ValueError(f"{name}: expected a ({n}, {n}) matrix, got {matrix.shape}")


def _residue_ticks(ax: plt.Axes, n: int) -> None:
    """Ticks at residues 1, 5, 10, ... (1-based labels) on both axes of a residue map."""
    positions = [0] + list(range(4, n, 5))
    labels = [str(p + 1) for p in positions]
    ax.set_xticks(positions, labels)
    ax.set_yticks(positions, labels)
    ax.set_xticks(np.arange(n), minor=True)
    ax.set_yticks(np.arange(n), minor=True)
    ax.tick_params(which="minor", length=1.5)


def _element_bars(ax: plt.Axes, elements: dict[str, tuple[int, int]]) -> None:
    """Coloured bars with names along the top (columns) and right (rows) of a residue map
    drawn with ``imshow`` (pixel i centred on i)."""
    top = blended_transform_factory(ax.transData, ax.transAxes)
    right = blended_transform_factory(ax.transAxes, ax.transData)
    for name, (start, end) in elements.items():
        colour, width = _element_colour(name), end - start + 1
        ax.add_patch(
            Rectangle((start - 0.5, 1.01), width, 0.03, transform=top, color=colour, clip_on=False)
        )
        ax.add_patch(
            Rectangle(
                (1.01, start - 0.5), 0.03, width, transform=right, color=colour, clip_on=False
            )
        )
        middle = (start + end) / 2
        ax.text(middle, 1.05, name, transform=top, ha="center", va="bottom", fontsize="x-small")
        ax.text(1.05, middle, name, transform=right, ha="left", va="center", fontsize="x-small")


def _contact_boxes(
    ax: plt.Axes,
    elements: dict[str, tuple[int, int]],
    contact_regions: Sequence[tuple[str, str]],
) -> None:
    """Outline each contact block (rows of a, columns of b) and its transpose."""
    for a, b in contact_regions:
        (a0, a1), (b0, b1) = _element_range(elements, a), _element_range(elements, b)
        blocks = {(b0, a0, b1 - b0 + 1, a1 - a0 + 1), (a0, b0, a1 - a0 + 1, b1 - b0 + 1)}
        for x0, y0, width, height in blocks:
            ax.add_patch(
                Rectangle((x0 - 0.5, y0 - 0.5), width, height, fill=False, ec="k", lw=0.8)
            )


def _residue_map(
    ax: plt.Axes,
    image: np.ndarray,
    norm: TwoSlopeNorm,
    elements: dict[str, tuple[int, int]],
    label: str,
) -> None:
    """Draw an (N, N) residue map (row = residue i, top to bottom) with ticks, element
    bars and a colourbar labelled ``label``."""
    n = image.shape[0]
    mesh = ax.imshow(image, cmap=CMAP, norm=norm, interpolation="nearest", origin="upper")
    ax.set(xlim=(-0.5, n - 0.5), ylim=(n - 0.5, -0.5), xlabel="residue", ylabel="residue")
    _residue_ticks(ax, n)
    _element_bars(ax, elements)
    ax.figure.colorbar(mesh, ax=ax, label=label, pad=0.14, shrink=0.85)


def _empty_panel(ax: plt.Axes, text: str) -> None:
    ax.set_box_aspect(1)
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="0.3")
    ax.set_xticks([])
    ax.set_yticks([])
