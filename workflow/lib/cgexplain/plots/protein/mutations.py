"""Fig. 7: change of the 2-body relevance on mutation, as a residue map and as the
mutated residue's most changed contacts on the structure."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from cgexplain.analysis.protein_maps import top_changed_contacts
from cgexplain.plots.protein.common import (
    DELTA_LABEL,
    _check_square,
    _empty_panel,
    _off_diagonal,
    _residue_label,
    _residue_map,
    _symmetric_norm,
)
from cgexplain.plots.protein.projection import (
    _colour_legend,
    _draw_backbone,
    _draw_interactions,
    _label_residues,
    project_structure,
)
from cgexplain.plots.style import save, setup


def plot_fig7(
    differences: dict[str, np.ndarray],
    mutated: dict[str, int],
    sequence: str,
    elements: dict[str, tuple[int, int]],
    ca_positions: np.ndarray,
    paths: Sequence[str],
    n_top: int = 5,
) -> plt.Figure:
    """Change of the 2-body relevance on mutation, one row per mutant (Fig. 7).

    Args:
        differences: mutation (e.g. ``ILE4ASN``) -> (N, N) mean 2-body relevance
            difference, mutant - wild type (a.u.).
        mutated: mutation -> 0-based bead index of the mutated residue.
        sequence: wild-type one-letter sequence (N,).
        elements: element name -> inclusive 0-based residue range.
        ca_positions: (N, 3) Cα positions (Å) of the folded structure, drawn projected.
        paths: output files.
        n_top: changed contacts of the mutated residue drawn on the structure.
    """
    setup()
    n = len(sequence)
    xy = project_structure(ca_positions)
    rows = max(len(differences), 1)
    fig, axes = plt.subplots(
        rows, 2, figsize=(11.0, 4.6 * rows), squeeze=False, width_ratios=(1.0, 1.1)
    )
    fig.subplots_adjust(wspace=0.45)
    if not differences:
        _empty_panel(axes[0, 0], "no mutations")
        axes[0, 1].set_axis_off()
    for (left, right), (key, difference) in zip(axes, differences.items(), strict=False):
        matrix = np.asarray(difference, dtype=float)
        _check_square(matrix, n, key)
        residue = int(mutated[key])
        image = _off_diagonal(matrix)
        _residue_map(left, image, _symmetric_norm(image), elements, DELTA_LABEL)
        for line in (left.axhline, left.axvline):
            line(residue, color="k", lw=0.7, ls="--", alpha=0.8)
        left.set_title(f"{key}: mutant − wild type", pad=24)
        _draw_backbone(right, xy, elements)
        top = top_changed_contacts(matrix, residue, n_top)
        involved = _draw_interactions(right, xy, top) | {residue}
        right.scatter(*xy[residue], s=120, marker="*", color="k", zorder=6)
        _label_residues(right, xy, involved, sequence)
        right.set_title(f"{_residue_label(sequence, residue)}: top {len(top)} changed contacts")
        _colour_legend(right, elements, "Δ < 0 (more stabilising)", "Δ > 0 (less stabilising)")
    save(fig, paths)
    return fig
