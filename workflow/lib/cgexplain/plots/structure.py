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


def plot_figS1(
    reference_rdf: pd.DataFrame,
    reference_triplets: pd.DataFrame,
    models: dict[str, tuple[pd.DataFrame, pd.DataFrame]],
    title: str,
    paths: str | list[str],
) -> plt.Figure:
    """Supplementary Fig. S1: g(r) and the largest-angle distribution of the reference,
    the IMC pair potential and each network, all in one panel per quantity.

    Bonneau et al., Nat. Commun. 2025, Supplementary Fig. S1: a pair potential fitted
    by IMC reproduces methane's angles but not water's.

    Args:
        reference_rdf, reference_triplets: tables of the mapped all-atom reference.
        models: {name: (rdf table, triplet table)}; ``imc`` is drawn dashed.
        paths: output file(s).
    """
    from cgexplain.analysis.triplets import angle_distribution

    setup()
    fig, (ax_rdf, ax_angle) = plt.subplots(1, 2, figsize=(8.0, 3.2), layout="constrained")
    ref_angles = angle_distribution(reference_triplets)
    ax_rdf.plot(reference_rdf["r"], reference_rdf["g"], color="0.1", lw=2.0, label="reference")
    ax_angle.plot(ref_angles["angle"], ref_angles["density"], color="0.1", lw=2.0)
    for name, (rdf, triplets) in models.items():
        style = {"ls": "--", "lw": 1.5} if name == "imc" else {"lw": 1.2}
        label = "IMC pair potential" if name == "imc" else name
        ax_rdf.plot(rdf["r"], rdf["g"], label=label, **style)
        angles = angle_distribution(triplets)
        ax_angle.plot(angles["angle"], angles["density"], label=label, **style)
    ax_rdf.axhline(1.0, color="0.6", lw=0.8, ls=":")
    ax_rdf.set(xlabel="r / Å", ylabel="g(r)", title=f"{title}: RDF", xlim=(0, None))
    ax_angle.set(
        xlabel="largest angle / deg", ylabel="density / deg⁻¹", title=f"{title}: triplet angles"
    )
    ax_rdf.legend(frameon=False, fontsize="small")
    save(fig, paths)
    return fig


def plot_pair_potential_vs_relevance(
    table: pd.DataFrame, title: str, paths: str | list[str]
) -> plt.Figure:
    """The IMC pair potential (left axis) and each model's mean 2-body relevance (right).

    Args:
        table: :func:`cgexplain.analysis.pair_potential.comparison_table` (``center``,
            ``pair_energy``, one column per model).
    """
    from cgexplain.analysis.pair_potential import PAIR_ENERGY

    setup()
    fig, ax = plt.subplots(figsize=(4.8, 3.2))
    ax.plot(table["center"], table[PAIR_ENERGY], color="0.1", ls="--", label="IMC U(r)")
    ax.axhline(0.0, color="0.6", lw=0.8, ls=":")
    ax.set(xlabel="r / Å", ylabel="U_IMC / kcal mol⁻¹", title=title)
    twin = ax.twinx()
    models = [c for c in table.columns if c not in ("center", PAIR_ENERGY)]
    for k, model in enumerate(models):
        twin.plot(table["center"], table[model], color=f"C{k}", label=f"{model} 2-body")
    twin.set_ylabel("mean 2-body relevance / a.u.")
    _align_zero(ax, twin)
    lines = ax.get_lines()[:1] + twin.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], frameon=False, fontsize="small")
    save(fig, paths)
    return fig


def _align_zero(*axes: plt.Axes) -> None:
    """Put y = 0 at the same height on twin axes (negative = stabilising on both)."""
    spans = [ax.get_ylim() for ax in axes]
    lows = [min(lo, 0.0) for lo, _ in spans]
    highs = [max(hi, 0.0) for _, hi in spans]
    # fraction of the height below zero: the largest any axis needs
    below = max(-lo / (hi - lo) if hi > lo else 0.5 for lo, hi in zip(lows, highs, strict=True))
    below = min(max(below, 0.05), 0.95)
    for ax, lo, hi in zip(axes, lows, highs, strict=True):
        height = max(-lo / below, hi / (1.0 - below))
        ax.set_ylim(-below * height, (1.0 - below) * height)
