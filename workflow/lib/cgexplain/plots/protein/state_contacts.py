"""Suppl. Fig. S11: contact maps of the folding states next to their 2-body relevance
maps."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from cgexplain.plots.protein.common import (
    RELEVANCE_LABEL,
    _contact_boxes,
    _element_bars,
    _empty_panel,
    _off_diagonal,
    _residue_map,
    _residue_ticks,
    _symmetric_norm,
)
from cgexplain.plots.style import save, setup


def plot_figS11(
    contacts: dict[str, np.ndarray | None],
    relevance: dict[str, np.ndarray | None],
    counts: dict[str, int],
    elements: dict[str, tuple[int, int]],
    contact_regions: Sequence[tuple[str, str]],
    paths: Sequence[str],
) -> plt.Figure:
    """Contact maps of the folding states next to their relevance maps (Suppl. Fig. S11).

    Args:
        contacts: state -> (N, N) contact fraction (:func:`cgexplain.analysis.states.
            state_contact_maps`), None for a state with too few frames.
        relevance: state -> (N, N) mean 2-body relevance (a.u.), or None.
        counts: state -> reference frames in it (shown in the titles).
        elements, contact_regions: as
            :func:`~cgexplain.plots.protein.state_relevance.plot_fig5`.

    One column per state (F, U, P1, P2): the contact map on top, the relevance map
    below, each relevance map on its own zero-centred scale.
    """
    setup()
    states = list(contacts)
    fig, axes = plt.subplots(2, len(states), figsize=(4.6 * len(states), 6.9), squeeze=False)
    fig.subplots_adjust(wspace=0.5, hspace=0.4)
    for k, state in enumerate(states):
        top, bottom = axes[0, k], axes[1, k]
        n_frames = counts.get(state, 0)
        top.set_title(f"{state}: contacts ({n_frames} frames)", pad=24)
        bottom.set_title(f"{state}: 2-body relevance", pad=24)
        contact = contacts.get(state)
        if contact is None:
            _empty_panel(top, f"{state}: too few frames")
        else:
            n = contact.shape[0]
            mesh = top.imshow(contact, cmap="Greys", vmin=0, vmax=1, interpolation="nearest")
            top.set(xlim=(-0.5, n - 0.5), ylim=(n - 0.5, -0.5), xlabel="residue",
                    ylabel="residue")  # fmt: skip
            _residue_ticks(top, n)
            _element_bars(top, elements)
            _contact_boxes(top, elements, contact_regions)
            fig.colorbar(mesh, ax=top, label="contact fraction (< 8 Å)", pad=0.14, shrink=0.85)
        matrix = relevance.get(state)
        if matrix is None:
            _empty_panel(bottom, f"{state}: too few frames")
        else:
            image = _off_diagonal(np.asarray(matrix, dtype=float))
            _residue_map(bottom, image, _symmetric_norm(image), elements, RELEVANCE_LABEL)
            _contact_boxes(bottom, elements, contact_regions)
    save(fig, paths)
    return fig
