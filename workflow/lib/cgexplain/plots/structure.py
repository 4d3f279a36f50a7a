"""Figures of liquid structure: RDFs and triplet angle maps."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cgexplain.analysis.rdf import first_peak
from cgexplain.plots.style import save, setup


def plot_rdf(rdfs: dict[str, pd.DataFrame], title: str, path: str) -> plt.Figure:
    """Overlay g(r) curves (tables with columns ``r`` Å and ``g``), marking each first peak."""
    setup()
    fig, ax = plt.subplots(figsize=(4.0, 3.0))
    for label, table in rdfs.items():
        r_peak, g_peak = first_peak(table)
        ax.plot(table["r"], table["g"], label=f"{label} (peak {r_peak:.2f} Å, {g_peak:.2f})")
    ax.axhline(1.0, color="0.6", lw=0.8, ls=":")
    ax.set(xlabel="r / Å", ylabel="g(r)", title=title, xlim=(0, None))
    ax.legend(frameon=False, fontsize="small")
    save(fig, path)
    return fig


def plot_triplet_map(histogram: pd.DataFrame, title: str, path: str) -> plt.Figure:
    """Probability density over (largest angle, opposite edge) from a triplet histogram table."""
    setup()
    angles, edges = np.sort(histogram["angle"].unique()), np.sort(histogram["edge"].unique())
    density = histogram.pivot(index="edge", columns="angle", values="density").loc[edges, angles]
    fig, ax = plt.subplots(figsize=(4.0, 3.0))
    mesh = ax.pcolormesh(angles, edges, density.to_numpy(), shading="nearest", cmap="viridis")
    fig.colorbar(mesh, ax=ax, label="density / (deg·Å)⁻¹")
    ax.set(xlabel="largest angle / deg", ylabel="opposite edge / Å", title=title)
    save(fig, path)
    return fig


def plot_structure_comparison(
    reference_rdf: pd.DataFrame,
    reference_triplets: pd.DataFrame,
    models: dict[str, tuple[pd.DataFrame, pd.DataFrame]],
    title: str,
    path: str,
) -> plt.Figure:
    """One column per model: RDF (top) and largest-angle distribution (bottom) vs the reference.

    Args:
        reference_rdf, reference_triplets: tables of the all-atom reference.
        models: {model name: (rdf table, triplet table)} of each CG simulation.
    """
    from cgexplain.analysis.triplets import angle_distribution

    setup()
    names = list(models)
    fig, axes = plt.subplots(2, len(names), figsize=(3.2 * len(names), 5.0), squeeze=False)
    ref_angles = angle_distribution(reference_triplets)
    for col, name in enumerate(names):
        rdf, triplets = models[name]
        ax = axes[0, col]
        ax.plot(reference_rdf["r"], reference_rdf["g"], color="0.2", label="reference")
        ax.plot(rdf["r"], rdf["g"], label=name)
        ax.set(xlabel="r / Å", ylabel="g(r)", title=f"{title}: {name}")
        ax.legend(frameon=False, fontsize="small")
        ax = axes[1, col]
        angles = angle_distribution(triplets)
        ax.plot(ref_angles["angle"], ref_angles["density"], color="0.2", label="reference")
        ax.plot(angles["angle"], angles["density"], label=name)
        ax.set(xlabel="largest angle / deg", ylabel="density / deg⁻¹")
    save(fig, path)
    return fig
