"""Figures of liquid structure: RDFs and triplet angle maps."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from cgexplain.analysis.rdf import first_peak
from cgexplain.plots.style import save, setup


def read_model_tables(models, *paths) -> dict[str, tuple[pd.DataFrame, ...]]:
    """model -> its structure tables read from CSV, one per list in ``paths`` (e.g. the
    RDF, triplet, first-shell angle and tetrahedral-order tables, in that order)."""
    return {
        model: tuple(pd.read_csv(path) for path in files)
        for model, *files in zip(models, *paths, strict=True)
    }


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
    models: dict[str, tuple[pd.DataFrame, ...]],
    title: str,
    path: str,
    reference_shell: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> plt.Figure:
    """One column per model: RDF (top) and largest-angle distribution (second row) vs the
    reference; with ``reference_shell``, also the first-shell angle (third row) and the
    tetrahedral-order distribution (bottom row).

    Args:
        reference_rdf, reference_triplets: tables of the all-atom reference.
        models: {model name: (rdf table, triplet table[, shell-angle table, q table])}
            of each CG simulation (the shell tables are needed with ``reference_shell``).
        reference_shell: the reference's ``shell_angles.csv`` (``angle`` deg,
            ``density``) and ``tetrahedral.csv`` (``q``, ``density``) tables.
    """
    from cgexplain.analysis.triplets import angle_distribution

    setup()
    names = list(models)
    n_rows = 2 if reference_shell is None else 4
    fig, axes = plt.subplots(
        n_rows,
        len(names),
        figsize=(3.2 * len(names), 2.5 * n_rows),
        squeeze=False,
        layout="constrained",
    )
    ref_angles = angle_distribution(reference_triplets)
    for col, name in enumerate(names):
        rdf, triplets = models[name][:2]
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
        if reference_shell is not None:
            shell_panels(axes[2, col], axes[3, col], reference_shell,
                         {name: (*models[name][2:4], {})}, reference_colour="0.2")  # fmt: skip
    save(fig, path)
    return fig


def shell_panels(
    ax_angle: plt.Axes,
    ax_q: plt.Axes,
    reference: tuple[pd.DataFrame, pd.DataFrame],
    curves: dict[str, tuple[pd.DataFrame, pd.DataFrame, dict]],
    reference_colour: str = "0.1",
    reference_lw: float | None = None,
) -> None:
    """Draw first-shell angle and tetrahedral-order distributions on two axes.

    Args:
        reference: the reference's (shell-angle table, q table): ``angle`` (deg) or
            ``q`` bin centres and ``density`` (per deg, per unit q).
        curves: {label: (shell-angle table, q table, line style keywords)}.
    """
    ref_style = {"color": reference_colour, "label": "reference"}
    if reference_lw is not None:
        ref_style["lw"] = reference_lw
    ax_angle.plot(reference[0]["angle"], reference[0]["density"], **ref_style)
    ax_q.plot(reference[1]["q"], reference[1]["density"], **ref_style)
    for label, (angles, q, style) in curves.items():
        ax_angle.plot(angles["angle"], angles["density"], label=label, **style)
        ax_q.plot(q["q"], q["density"], label=label, **style)
    ax_angle.set(xlabel="first-shell angle / deg", ylabel="density / deg⁻¹", xlim=(0, 180))
    ax_angle.axvline(109.47, color="0.6", lw=0.8, ls=":")  # tetrahedral angle
    ax_q.set(xlabel="tetrahedral order q", ylabel="density", xlim=(-1, 1))


def plot_figS1(
    reference_rdf: pd.DataFrame,
    reference_triplets: pd.DataFrame,
    models: dict[str, tuple[pd.DataFrame, ...]],
    title: str,
    paths: str | list[str],
    reference_shell: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> plt.Figure:
    """Supplementary Fig. S1: g(r) and the largest-angle distribution of the reference,
    the IMC pair potential and each network, all in one panel per quantity; with
    ``reference_shell`` a second row with the first-shell angle and tetrahedral-order
    (q) distributions.

    Bonneau et al., Nat. Commun. 2025, Supplementary Fig. S1: a pair potential fitted
    by IMC reproduces methane's angles but not water's.

    Args:
        reference_rdf, reference_triplets: tables of the mapped all-atom reference.
        models: {name: (rdf table, triplet table[, shell-angle table, q table])};
            ``imc`` is drawn dashed.
        paths: output file(s).
        reference_shell: the reference's shell-angle and q tables
            (:func:`plot_structure_comparison`).
    """
    from cgexplain.analysis.triplets import angle_distribution

    setup()
    n_rows = 1 if reference_shell is None else 2
    fig, axes = plt.subplots(
        n_rows, 2, figsize=(8.0, 3.2 * n_rows), layout="constrained", squeeze=False
    )
    ax_rdf, ax_angle = axes[0]
    ref_angles = angle_distribution(reference_triplets)
    ax_rdf.plot(reference_rdf["r"], reference_rdf["g"], color="0.1", lw=2.0, label="reference")
    ax_angle.plot(ref_angles["angle"], ref_angles["density"], color="0.1", lw=2.0)
    shell_curves = {}
    for name, (rdf, triplets, *shell) in models.items():
        style = {"ls": "--", "lw": 1.5} if name == "imc" else {"lw": 1.2}
        label = "IMC pair potential" if name == "imc" else name
        ax_rdf.plot(rdf["r"], rdf["g"], label=label, **style)
        angles = angle_distribution(triplets)
        ax_angle.plot(angles["angle"], angles["density"], label=label, **style)
        shell_curves[label] = (*shell[:2], style)
    ax_rdf.axhline(1.0, color="0.6", lw=0.8, ls=":")
    ax_rdf.set(xlabel="r / Å", ylabel="g(r)", title=f"{title}: RDF", xlim=(0, None))
    ax_angle.set(
        xlabel="largest angle / deg", ylabel="density / deg⁻¹", title=f"{title}: triplet angles"
    )
    ax_rdf.legend(frameon=False, fontsize="small")
    if reference_shell is not None:
        ax_shell, ax_q = axes[1]
        shell_panels(ax_shell, ax_q, reference_shell, shell_curves, reference_lw=2.0)
        ax_shell.set_title(f"{title}: first-shell angles")
        ax_q.set_title(f"{title}: tetrahedral order")
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
