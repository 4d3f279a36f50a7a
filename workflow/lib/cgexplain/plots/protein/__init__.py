"""Figures of the NTL9 protein (39 residues, Cα model) after Bonneau et al., Nat. Commun.
2025, Figs. 4-7, and PyMOL scripts for the interactions drawn on the structure.

Every function reads small in-memory tables or arrays (never trajectories) and writes one
figure to each given path (e.g. a PNG and a PDF). Conventions: residue (bead) indices are
0-based in arrays, labels show 1-based residue numbers with one-letter codes; relevance
< 0 is stabilising (blue), > 0 destabilising (red), on the zero-centred ``RdBu_r`` map.

One module per figure: :mod:`~.tica_surfaces` (Fig. 4), :mod:`~.state_relevance`
(Fig. 5), :mod:`~.strongest_interactions` (Fig. 6), :mod:`~.mutations` (Fig. 7),
:mod:`~.state_contacts` (Suppl. Fig. S11) and :mod:`~.pymol` (the scripts); shared parts
in :mod:`~.common` (labels, colours, residue maps) and :mod:`~.projection` (the structure
drawn flat). The contacts a mutation changes most are computed by
:func:`cgexplain.analysis.protein_maps.top_changed_contacts` (re-exported here).
"""

from __future__ import annotations

from cgexplain.analysis.protein_maps import top_changed_contacts
from cgexplain.plots.protein.common import (
    CMAP,
    COIL_COLOUR,
    DELTA_LABEL,
    FREE_ENERGY_LABEL,
    HELIX_COLOUR,
    MIN_SHADE,
    RELEVANCE_LABEL,
    STRAND_COLOUR,
)
from cgexplain.plots.protein.mutations import plot_fig7
from cgexplain.plots.protein.projection import project_structure
from cgexplain.plots.protein.pymol import write_pymol_script
from cgexplain.plots.protein.state_contacts import plot_figS11
from cgexplain.plots.protein.state_relevance import plot_fig5
from cgexplain.plots.protein.strongest_interactions import plot_fig6
from cgexplain.plots.protein.tica_surfaces import STATE_COLORS, plot_fig4

__all__ = [
    "CMAP",
    "COIL_COLOUR",
    "DELTA_LABEL",
    "FREE_ENERGY_LABEL",
    "HELIX_COLOUR",
    "MIN_SHADE",
    "RELEVANCE_LABEL",
    "STATE_COLORS",
    "STRAND_COLOUR",
    "plot_fig4",
    "plot_fig5",
    "plot_fig6",
    "plot_fig7",
    "plot_figS11",
    "project_structure",
    "top_changed_contacts",
    "write_pymol_script",
]
