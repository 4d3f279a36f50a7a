"""Figures of GNN-LRP n-body relevance (Bonneau et al., Nat. Commun. 2025, Figs. 2 and 3).

Every function reads the small binned tables of :mod:`cgexplain.analysis.relevance`
(never trajectories or per-walk tables) and writes one figure to each given path
(e.g. a PNG and a PDF).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm

from cgexplain.plots.style import save, setup

RELEVANCE_LABEL = "relevance / a.u."


def _masked_grid(table: pd.DataFrame, min_count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x centres, y centres, mean (n_y, n_x) with bins below ``min_count`` masked)."""
    xs, ys = np.sort(table["x"].unique()), np.sort(table["y"].unique())
    values = table["mean"].where(table["count"] >= min_count)
    grid = (
        table.assign(value=values)
        .pivot(index="y", columns="x", values="value")
        .reindex(index=ys, columns=xs)
        .to_numpy()
    )
    return xs, ys, np.ma.masked_invalid(grid)


def _diverging(grid: np.ma.MaskedArray, quantile: float = 0.98) -> TwoSlopeNorm:
    """Colour norm centred on zero, symmetric, spanning the ``quantile`` of |values|
    (a few extreme bins at the edge of the support would otherwise wash out the map;
    values beyond saturate)."""
    values = np.abs(grid.compressed()) if grid.count() else np.zeros(1)
    span = float(np.quantile(values, quantile)) if values.size else 1.0
    span = span if span > 0 else (float(values.max()) or 1.0)
    return TwoSlopeNorm(vcenter=0.0, vmin=-span, vmax=span)


def _fit_filled_rows(ax: plt.Axes, ys: np.ndarray, grid: np.ma.MaskedArray) -> None:
    """Limit the y axis to the rows of a map that hold data (half a unit of margin)."""
    filled = np.argwhere(~np.ma.getmaskarray(grid))
    if filled.size:
        ax.set_ylim(ys[filled[:, 0].min()] - 0.5, ys[filled[:, 0].max()] + 0.5)


def _well_limits(part: pd.DataFrame) -> tuple[float, float] | None:
    """y-limits that show a stabilising well next to a much larger repulsion: the well
    (mean - std) fills the lower quarter; None when the curve has no negative part."""
    low = float((part["mean"] - part["std"]).min())
    if not np.isfinite(low) or low >= 0:
        return None
    top = float((part["mean"] + part["std"]).max())
    return 1.2 * low, min(top, 3.0 * abs(1.2 * low))


def plot_fig2(
    rdfs: dict[str, pd.DataFrame],
    profile: pd.DataFrame,
    title: str,
    paths: Sequence[str],
    min_count: int = 5,
    cutoff: float | None = None,
    zoom_well: bool = True,
    ci: pd.DataFrame | None = None,
    shell: tuple[tuple[pd.DataFrame, pd.DataFrame], tuple[pd.DataFrame, pd.DataFrame]]
    | None = None,
) -> plt.Figure:
    """RDF(s) with the mean 2-body relevance versus distance on a second axis (Fig. 2);
    with ``shell``, two more panels: the first-shell angle and tetrahedral-order
    distributions of the model (colour) and the reference (black).

    Args:
        rdfs: label -> RDF table (``r`` Å, ``g``); the first is drawn solid.
        profile: :func:`~cgexplain.analysis.relevance.pair_profile` table.
        title: panel title.
        paths: output files.
        min_count: bins with fewer pairs are not drawn.
        cutoff: the model's cutoff (Å), marked with a vertical line.
        zoom_well: scale the relevance axis to the stabilising well (the repulsion at
            short range, often 100x deeper, runs off the top), as the study shows it.
        ci: bootstrap interval of the mean (``center``, ``ci_low``, ``ci_high``;
            :meth:`cgexplain.analysis.uncertainty.RunReplicates.profile_table`), drawn
            as a dark band inside the light ±1 std band of single contributions.
        shell: ((shell-angle table, q table) of the model, (the same) of the
            reference): ``shell_angles.csv`` and ``tetrahedral.csv`` of
            :mod:`cgexplain.analysis.shell`.
    """
    setup()
    if shell is None:
        fig, ax = plt.subplots(figsize=(4.6, 3.2))
    else:
        from cgexplain.plots.structure import shell_panels

        fig, (ax, ax_angle, ax_q) = plt.subplots(1, 3, figsize=(11.4, 3.2), layout="constrained")
        shell_panels(ax_angle, ax_q, shell[1], {next(iter(rdfs)): (*shell[0], {"color": "C0"})})
        ax_angle.legend(frameon=False, fontsize="small")
    for n, (label, table) in enumerate(rdfs.items()):
        ax.plot(table["r"], table["g"], color="0.25", ls="-" if n == 0 else "--", label=label)
    ax.set(xlabel="r / Å", ylabel="g(r)", title=title, xlim=(0, profile["upper"].max()))
    right = ax.twinx()
    ok = profile["count"] >= min_count
    part = profile[ok]
    colour = "C3"
    right.plot(part["center"], part["mean"], color=colour, label="2-body relevance")
    right.fill_between(
        part["center"],
        part["mean"] - part["std"],
        part["mean"] + part["std"],
        color=colour,
        alpha=0.25,
        lw=0,
    )
    if ci is not None:
        band = ci.set_index("center").reindex(part["center"])
        right.fill_between(
            part["center"],
            band["ci_low"].to_numpy(),
            band["ci_high"].to_numpy(),
            color=colour,
            alpha=0.6,
            lw=0,
            label="95 % interval of the mean",
        )
    right.axhline(0.0, color=colour, lw=0.6, ls=":")
    limits = _well_limits(part) if zoom_well else None
    if limits is not None:
        right.set_ylim(*limits)  # the short-range repulsion runs off the top
    right.set_ylabel("mean 2-body " + RELEVANCE_LABEL, color=colour)
    right.tick_params(axis="y", colors=colour)
    if cutoff is not None:
        ax.axvline(cutoff, color="0.6", lw=0.8, ls="-.")
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    ax.legend(handles=handles, frameon=False, fontsize="small", loc="upper right")
    save(fig, paths)
    return fig


def _fit_filled_columns(ax: plt.Axes, xs: np.ndarray, grid: np.ma.MaskedArray) -> None:
    """Limit the x axis to the columns of a map that hold data (half a bin of margin)."""
    filled = np.argwhere(~np.ma.getmaskarray(grid))
    if filled.size and xs.size > 1:
        half = 0.5 * float(xs[1] - xs[0])
        ax.set_xlim(xs[filled[:, 1].min()] - half, xs[filled[:, 1].max()] + half)


def plot_fig3(
    relevance_map: pd.DataFrame,
    title: str,
    paths: Sequence[str],
    min_count: int = 5,
    value_label: str = "mean 3-body " + RELEVANCE_LABEL,
    vertex_map: pd.DataFrame | None = None,
    vertex_profile: pd.DataFrame | None = None,
    shell_cutoff: float | None = None,
    confidence: float = 0.95,
    window: tuple[float, float] | None = (50.0, 60.0),
) -> plt.Figure:
    """Mean 3-body relevance over (largest angle, opposite edge), centred on zero (Fig. 3),
    optionally beside the study's first-shell vertex-angle view.

    Args:
        relevance_map: :func:`~cgexplain.analysis.relevance.triplet_map` table.
        min_count: bins with fewer triplets (vertex entries) are left blank.
        vertex_map: :func:`~cgexplain.analysis.vertex_angles.vertex_angle_map` table
            (mean per walk over vertex angle and opposite edge), drawn as a second map.
        vertex_profile: per-walk vertex-angle profile with its bootstrap interval
            (``center``, ``mean``, ``count``, ``ci_low``, ``ci_high``;
            :meth:`~cgexplain.analysis.uncertainty.RunReplicates.vertex_profile_table`),
            drawn as a third panel: line and band. Its y axis spans the bins holding at
            least 2 % of the fullest bin's entries (and zero); sparser bins, at the
            smallest angles, may run off it.
        shell_cutoff: r_shell (Å) of the vertex tables, for their labels.
        confidence: level of the band (label).
        window: angle window (deg) shaded in the profile panel (the study's claim), or None.

    Returns:
        The figure: axes [largest-angle map, (vertex map), (profile), colour bars...].
    """
    setup()
    xs, ys, grid = _masked_grid(relevance_map, min_count)
    n_panels = 1 + (vertex_map is not None) + (vertex_profile is not None)
    fig, axes = plt.subplots(
        1,
        n_panels,
        figsize=(4.4 if n_panels == 1 else 4.9 * n_panels, 3.2 if n_panels == 1 else 3.6),
        squeeze=False,
        layout=None if n_panels == 1 else "constrained",  # colour bars clear the next panel
    )
    axes = axes[0]
    ax = axes[0]
    mesh = ax.pcolormesh(xs, ys, grid, shading="nearest", cmap="RdBu_r", norm=_diverging(grid))
    fig.colorbar(mesh, ax=ax, label=value_label)
    _fit_filled_rows(ax, ys, grid)
    ax.set(xlabel="largest angle / deg", ylabel="opposite edge / Å", title=title)
    shell = f"first shell, r < {shell_cutoff:.2f} Å" if shell_cutoff is not None else "first shell"
    walk_label = "mean relevance per walk / a.u."
    panel = 1
    if vertex_map is not None:
        ax = axes[panel]
        vx, vy, vgrid = _masked_grid(vertex_map, min_count)
        mesh = ax.pcolormesh(
            vx, vy, vgrid, shading="nearest", cmap="RdBu_r", norm=_diverging(vgrid)
        )
        fig.colorbar(mesh, ax=ax, label=walk_label)
        _fit_filled_rows(ax, vy, vgrid)
        _fit_filled_columns(ax, vx, vgrid)
        ax.set(
            xlabel=f"vertex angle ({shell}) / deg",
            ylabel="edge opposite the vertex / Å",
            title="vertex angle (authors' view)",
        )
        panel += 1
    if vertex_profile is not None:
        ax = axes[panel]
        part = vertex_profile[vertex_profile["count"] >= min_count]
        colour = "C0"
        if window is not None:
            ax.axvspan(*window, color="0.85", lw=0, label=f"{window[0]:g}-{window[1]:g}°")
        ax.fill_between(
            part["center"], part["ci_low"], part["ci_high"], color=colour, alpha=0.35, lw=0,
            label=f"{100 * confidence:g} % interval",
        )  # fmt: skip
        ax.plot(part["center"], part["mean"], color=colour, marker=".", ms=3, label="mean")
        ax.axhline(0.0, color="0.4", lw=0.6, ls=":")
        if len(part):
            half = 0.5 * float(np.diff(np.sort(vertex_profile["center"].unique()))[:1].sum())
            ax.set_xlim(part["center"].min() - half, part["center"].max() + half)
            # bins with few entries (the smallest angles) may run off: zoom to the rest
            full = part[part["count"] >= 0.02 * part["count"].max()]
            band = np.r_[full["ci_low"], full["ci_high"], full["mean"], 0.0]
            band = band[np.isfinite(band)]
            low, high = band.min(), band.max()
            pad = 0.08 * (high - low) if high > low else 1.0
            ax.set_ylim(low - pad, high + pad)
        ax.set(
            xlabel=f"vertex angle ({shell}) / deg",
            ylabel=walk_label,
            title="vertex-angle profile",
        )
        ax.legend(frameon=False, fontsize="small")
    save(fig, paths)
    return fig


def plot_ci_map(
    table: pd.DataFrame,
    title: str,
    paths: Sequence[str],
    min_count: int = 5,
    confidence: float = 0.95,
) -> plt.Figure:
    """The 3-body map beside the width of its bootstrap interval.

    Args:
        table: :meth:`cgexplain.analysis.uncertainty.RunReplicates.map_table` (``x``,
            ``y``, ``mean``, ``count``, ``ci_width``).
        min_count: bins with fewer triplets are blank in both panels.
        confidence: the interval's level (for the label).
    """
    setup()
    xs, ys, grid = _masked_grid(table, min_count)
    _, _, width = _masked_grid(table.assign(mean=table["ci_width"]), min_count)
    fig, axes = plt.subplots(1, 2, figsize=(8.8, 3.3), sharey=True)
    mesh = axes[0].pcolormesh(
        xs, ys, grid, shading="nearest", cmap="RdBu_r", norm=_diverging(grid)
    )
    fig.colorbar(mesh, ax=axes[0], label="mean 3-body " + RELEVANCE_LABEL)
    mesh = axes[1].pcolormesh(xs, ys, width, shading="nearest", cmap="magma_r", vmin=0.0)
    fig.colorbar(mesh, ax=axes[1], label=f"{100 * confidence:g} % interval width / a.u.")
    for ax in axes:
        ax.set_xlabel("largest angle / deg")
    axes[0].set(ylabel="opposite edge / Å", title=title)
    axes[1].set_title("bootstrap interval width")
    _fit_filled_rows(axes[0], ys, grid)
    save(fig, paths)
    return fig


def plot_nbody_spectrum(
    summaries: dict[str, pd.DataFrame], title: str, paths: Sequence[str]
) -> plt.Figure:
    """Grouped bars: mean absolute share of each walk order per model, with intervals.

    Args:
        summaries: model -> :func:`~cgexplain.analysis.spectrum.spectrum_summary` table
            (rows with ``measure`` = "abs_share" are drawn).
        title: axes title (the system).
    """
    from cgexplain.analysis.spectrum import ORDERS

    setup()
    fig, ax = plt.subplots(figsize=(4.4, 3.2))
    width = 0.8 / max(len(summaries), 1)
    x = np.arange(len(ORDERS))
    for k, (model, table) in enumerate(summaries.items()):
        rows = table[table["measure"] == "abs_share"].set_index("order").loc[list(ORDERS)]
        value = rows["value"].to_numpy()
        err = np.vstack([value - rows["ci_low"].to_numpy(), rows["ci_high"].to_numpy() - value])
        ax.bar(x + (k - (len(summaries) - 1) / 2) * width, value, width, yerr=err,
               capsize=2, label=model)  # fmt: skip
    ax.set_xticks(x, [f"{o}-body" for o in ORDERS])
    ax.set(ylabel="share of |relevance|", ylim=(0, 1), title=title)
    ax.legend(frameon=False)
    save(fig, paths)
    return fig


def plot_artifacts(
    relevance_map: pd.DataFrame,
    training_density: pd.DataFrame,
    artifacts: pd.DataFrame,
    title: str,
    paths: Sequence[str],
    min_count: int = 10,
) -> plt.Figure:
    """The 3-body map beside the training density of its bins, artifacts outlined (Fig. S10).

    Args:
        relevance_map: :func:`~cgexplain.analysis.relevance.triplet_map` table.
        training_density: :func:`~cgexplain.analysis.artifacts.training_triplet_density`
            table on the same grid (``training_count``, ``training_density`` 1/(deg Å)).
        artifacts: :func:`~cgexplain.analysis.artifacts.find_artifacts` table (bin bounds).
        min_count: map bins with fewer contributions are blank (the finder's threshold).
    """
    from matplotlib.colors import LogNorm
    from matplotlib.patches import Rectangle

    setup()
    xs, ys, grid = _masked_grid(relevance_map, min_count)
    density = training_density.rename(
        columns={"training_density": "mean", "training_count": "count"}
    )
    _, _, rho = _masked_grid(density, 1)
    fig, axes = plt.subplots(1, 2, figsize=(8.8, 3.3), sharey=True)
    mesh = axes[0].pcolormesh(
        xs, ys, grid, shading="nearest", cmap="RdBu_r", norm=_diverging(grid)
    )
    fig.colorbar(mesh, ax=axes[0], label="mean 3-body " + RELEVANCE_LABEL)
    positive = rho.compressed()
    positive = positive[positive > 0]
    norm = LogNorm(positive.min(), positive.max()) if positive.size else None
    mesh = axes[1].pcolormesh(xs, ys, rho, shading="nearest", cmap="viridis", norm=norm)
    fig.colorbar(mesh, ax=axes[1], label="training density / (deg Å)$^{-1}$")
    for ax in axes:
        for row in artifacts.itertuples():
            ax.add_patch(
                Rectangle(
                    (row.angle_low, row.edge_low),
                    row.angle_high - row.angle_low,
                    row.edge_high - row.edge_low,
                    fill=False,
                    edgecolor="k",
                    linewidth=1.2,
                )
            )
        ax.set_xlabel("largest angle / deg")
    axes[0].set(ylabel="opposite edge / Å", title=f"{title}: 3-body relevance")
    axes[1].set_title(f"training data; {len(artifacts)} artifact bins outlined")
    _fit_filled_rows(axes[0], ys, grid)
    save(fig, paths)
    return fig


def plot_pair_distribution(
    histogram: pd.DataFrame, profile: pd.DataFrame, title: str, paths: Sequence[str]
) -> plt.Figure:
    """2-D histogram of single 2-body contributions versus distance, bin means on top."""
    setup()
    xs, ys = np.sort(histogram["x"].unique()), np.sort(histogram["y"].unique())
    counts = histogram.pivot(index="y", columns="x", values="count").reindex(index=ys, columns=xs)
    fig, ax = plt.subplots(figsize=(4.4, 3.2))
    mesh = ax.pcolormesh(
        xs,
        ys,
        np.ma.masked_equal(counts.to_numpy(), 0),
        shading="nearest",
        cmap="viridis",
        norm="log",
    )
    fig.colorbar(mesh, ax=ax, label="pairs")
    part = profile[profile["count"] > 0]
    ax.plot(part["center"], part["mean"], color="C3", lw=1.0, label="bin mean")
    ax.axhline(0.0, color="0.5", lw=0.6, ls=":")
    ax.set(xlabel="r / Å", ylabel="2-body " + RELEVANCE_LABEL, title=title)
    ax.legend(frameon=False, fontsize="small")
    save(fig, paths)
    return fig


def plot_adjacent_maps(
    maps: pd.DataFrame, title: str, paths: Sequence[str], min_count: int = 5
) -> plt.Figure:
    """Mean 3-body relevance over the two edges adjacent to the largest angle, one panel
    per window of the largest angle, on one zero-centred colour scale."""
    setup()
    windows = maps[["angle_low", "angle_high"]].drop_duplicates().to_numpy()
    grids = [
        _masked_grid(maps[(maps.angle_low == lo) & (maps.angle_high == hi)], min_count)
        for lo, hi in windows
    ]
    stacked = np.ma.concatenate([g[2].reshape(-1) for g in grids])
    norm = _diverging(stacked)
    fig, axes = plt.subplots(1, len(grids), figsize=(3.3 * len(grids), 3.0), squeeze=False)
    for ax, (lo, hi), (xs, ys, grid) in zip(axes[0], windows, grids, strict=True):
        mesh = ax.pcolormesh(xs, ys, grid, shading="nearest", cmap="RdBu_r", norm=norm)
        ax.set(
            xlabel="shorter adjacent edge / Å",
            title=f"largest angle {lo:.0f}-{hi:.0f}°",
            aspect="equal",
        )
    axes[0, 0].set_ylabel("longer adjacent edge / Å")
    fig.colorbar(mesh, ax=list(axes[0]), label="mean 3-body " + RELEVANCE_LABEL)
    fig.suptitle(title)
    save(fig, paths)
    return fig


def plot_classic(
    e2_profile: pd.DataFrame,
    e3_map: pd.DataFrame,
    title: str,
    paths: Sequence[str],
    min_count: int = 5,
) -> plt.Figure:
    """Classic many-body decomposition (isolated dimers and trimers), drawn as Figs. 2/3."""
    setup()
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.2))
    part = e2_profile[e2_profile["count"] >= min_count]
    left.plot(part["center"], part["mean"], color="C0")
    left.fill_between(
        part["center"],
        part["mean"] - part["std"],
        part["mean"] + part["std"],
        color="C0",
        alpha=0.25,
        lw=0,
    )
    left.axhline(0.0, color="0.5", lw=0.6, ls=":")
    left.set(xlabel="r / Å", ylabel="mean E2 / kcal mol⁻¹", title="2-body (dimers)")
    xs, ys, grid = _masked_grid(e3_map, min_count)
    mesh = right.pcolormesh(xs, ys, grid, shading="nearest", cmap="RdBu_r", norm=_diverging(grid))
    fig.colorbar(mesh, ax=right, label="mean E3 / kcal mol⁻¹")
    right.set(xlabel="largest angle / deg", ylabel="opposite edge / Å", title="3-body (trimers)")
    fig.suptitle(title)
    save(fig, paths)
    return fig
