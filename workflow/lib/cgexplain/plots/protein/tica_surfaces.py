"""Fig. 4: free-energy surfaces over the first two TICA components, with the folding
states' frames, the runs' seeds and the named basins."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize

from cgexplain.plots.protein.common import (
    FREE_ENERGY_LABEL,
)
from cgexplain.plots.style import save, setup


def _surface_grid(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(TIC 1 centres (n_x,), TIC 2 centres (n_y,), free energy (n_y, n_x) kcal/mol, NaN
    where empty). Repeated bins (e.g. one row per state label) keep their minimum."""
    xs, ys = np.sort(table["tic1"].unique()), np.sort(table["tic2"].unique())
    grid = (
        table.groupby(["tic2", "tic1"])["free_energy"]
        .min()
        .unstack("tic1")
        .reindex(index=ys, columns=xs)
        .to_numpy(dtype=float)
    )
    return xs, ys, grid


#: marker colours of the folding states on the TICA surface ("" = no state)
STATE_COLORS = {"F": "#1b9e77", "U": "#d95f02", "P1": "#7570b3", "P2": "#e7298a", "": "#bbbbbb"}


def _sampling_overlay(ax: plt.Axes, frames: pd.DataFrame) -> None:
    """Production frames by state and run starts (seeds) on a TICA panel."""
    states = frames["state"].fillna("").astype(str)
    for state, color in STATE_COLORS.items():
        part = frames[states == state]
        if len(part):
            ax.scatter(part["tic1"], part["tic2"], s=7, color=color, alpha=0.8, lw=0.2, edgecolor="w",
                       label=f"{state or 'none'} ({len(part)})")  # fmt: skip
    starts = frames.groupby("run", sort=True).head(1)
    for _, row in starts.iterrows():
        seed = str(row.get("seed_state", "") or "")
        ax.scatter(row["tic1"], row["tic2"], marker="*", s=90, color=STATE_COLORS.get(seed, "k"),
                   edgecolor="k", lw=0.6, zorder=5)  # fmt: skip
        ax.annotate(seed, (row["tic1"], row["tic2"]), xytext=(3, 3), textcoords="offset points",
                    fontsize=7)  # fmt: skip
    # below the panel, so it never hides the frames it describes
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=6, markerscale=3,
              title="frames (★ seeds)", title_fontsize=6, frameon=False)  # fmt: skip


def _basin_marks(ax: plt.Axes, basins: dict[str, tuple[float, float]]) -> None:
    """A cross and the name of each named basin at its position on a TICA panel."""
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=2.5, foreground="w")]
    for name, (x, y) in basins.items():
        color = STATE_COLORS.get(name, "k")
        ax.plot(x, y, marker="X", ms=9, color=color, mec="k", mew=0.8, zorder=6, ls="none")
        ax.annotate(name, (x, y), xytext=(6, -10), textcoords="offset points", fontsize=9,
                    fontweight="bold", color=color, path_effects=halo, zorder=7)  # fmt: skip


def plot_fig4(
    surfaces: dict[str, pd.DataFrame],
    paths: Sequence[str],
    max_free_energy: float | None = None,
    sampling: pd.DataFrame | None = None,
    basins: dict[str, tuple[float, float]] | None = None,
    caption: str = "",
) -> plt.Figure:
    """Free-energy surfaces over the first two TICA components, one panel per key (Fig. 4).

    With ``sampling`` (the reference frames: ``tic1``, ``tic2``, ``state``, ``run``,
    ``seed_state``), the first panel also shows where the production frames fall,
    coloured by the state they are in, and the first frame of each run (its seed after
    the dropped equilibration) as a star labelled with the state it was seeded from.

    Args:
        surfaces: panel title -> long table with ``tic1``, ``tic2`` (bin centres of a
            regular grid) and ``free_energy`` (kcal/mol, minimum 0, NaN for empty bins);
            other columns (e.g. ``state``) are ignored.
        paths: output files.
        max_free_energy: top of the shared colour scale (kcal/mol); default the largest
            finite value over all surfaces. Higher values saturate.
        basins: state name -> (TIC 1, TIC 2) where the named basin is marked (a cross
            and its name) on every panel, e.g. the mean of its unbiased reference frames.
        caption: text above the panels (e.g. which frames build the surfaces).
    """
    setup()
    grids = {key: _surface_grid(table) if len(table) else None for key, table in surfaces.items()}
    finite = [g[2][np.isfinite(g[2])] for g in grids.values() if g is not None]
    top = max((float(v.max()) for v in finite if v.size), default=1.0)
    top = float(max_free_energy) if max_free_energy is not None else top
    norm = Normalize(vmin=0.0, vmax=top if top > 0 else 1.0)
    n = max(len(grids), 1)
    fig, axes = plt.subplots(
        1, n, figsize=(3.4 * n + 0.8, 3.2), squeeze=False, sharex=True, sharey=True
    )
    for ax, (key, grid) in zip(axes[0], grids.items(), strict=False):
        ax.set(title=key, xlabel="TIC 1")
        if grid is None or not np.isfinite(grid[2]).any():
            ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center")
            continue
        xs, ys, values = grid
        ax.pcolormesh(
            xs, ys, np.ma.masked_invalid(values), shading="nearest", cmap="viridis", norm=norm
        )
    if sampling is not None and len(sampling):
        _sampling_overlay(axes[0, 0], sampling)
    for ax in axes[0]:
        _basin_marks(ax, basins or {})
    if caption:
        fig.suptitle(caption, fontsize=7, y=1.0, va="bottom")
    axes[0, 0].set_ylabel("TIC 2")
    fig.colorbar(
        ScalarMappable(norm=norm, cmap="viridis"), ax=list(axes[0]), label=FREE_ENERGY_LABEL
    )
    save(fig, paths)
    return fig
