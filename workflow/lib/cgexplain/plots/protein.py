"""Figures of the NTL9 protein (39 residues, Cα model) after Bonneau et al., Nat. Commun.
2025, Figs. 4-7, and PyMOL scripts for the interactions drawn on the structure.

Every function reads small in-memory tables or arrays (never trajectories) and writes one
figure to each given path (e.g. a PNG and a PDF). Conventions: residue (bead) indices are
0-based in arrays, labels show 1-based residue numbers with one-letter codes; relevance
< 0 is stabilising (blue), > 0 destabilising (red), on the zero-centred ``RdBu_r`` map.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle
from matplotlib.transforms import blended_transform_factory

from cgexplain.io import atomic_output
from cgexplain.plots.style import setup

RELEVANCE_LABEL = "relevance / a.u."
DELTA_LABEL = "Δ relevance / a.u."
FREE_ENERGY_LABEL = "free energy / kcal mol⁻¹"
CMAP = "RdBu_r"
STRAND_COLOUR = "#E6AB02"
HELIX_COLOUR = "#1B9E77"
COIL_COLOUR = "0.6"
#: weakest interactions are drawn at this fraction of the full shade (never white)
MIN_SHADE = 0.3


def _save(fig: plt.Figure, paths: Sequence[str]) -> None:
    for path in paths:
        fig.savefig(path)
    plt.close(fig)


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


# --- Fig. 4: free-energy surfaces ------------------------------------------------------


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
    _save(fig, paths)
    return fig


# --- Fig. 5: 2-body relevance maps of the states ---------------------------------------


def _split_map(
    upper: np.ndarray | None, lower: np.ndarray | None, n: int
) -> tuple[np.ndarray, list[str]]:
    """(N, N) image: ``upper`` above the diagonal, ``lower`` below, NaN elsewhere; and the
    names of the missing halves ("upper", "lower")."""
    image = np.full((n, n), np.nan)
    missing = []
    rows, cols = np.triu_indices(n, k=1)
    for matrix, (r, c), side in ((upper, (rows, cols), "upper"), (lower, (cols, rows), "lower")):
        if matrix is None:
            missing.append(side)
        else:
            image[r, c] = np.asarray(matrix, dtype=float)[r, c]
    return image, missing


def _fig5_overlay(ax: plt.Axes, missing: list[str]) -> None:
    """Text in the triangle of each missing state (upper right for F, lower left for U)."""
    places = {"upper": (0.72, 0.78, "F"), "lower": (0.28, 0.22, "U")}
    for side in missing:
        x, y, state = places[side]
        text = f"{state}: too few frames"
        ax.text(x, y, text, transform=ax.transAxes, ha="center", va="center", color="0.3")


def plot_fig5(
    maps: dict[str, np.ndarray | None],
    sequence: str,
    elements: dict[str, tuple[int, int]],
    contact_regions: Sequence[tuple[str, str]],
    paths: Sequence[str],
) -> plt.Figure:
    """Mean 2-body relevance between residues in the folded, unfolded and intermediate
    states (Fig. 5).

    Args:
        maps: ``F``, ``U``, ``P1``, ``P2`` -> (N, N) symmetric mean 2-body relevance
            (a.u.), or None for a state with too few frames.
        sequence: one-letter sequence (N,).
        elements: element name (``β1``, ``helix``, ...) -> inclusive 0-based residue range.
        contact_regions: pairs of element names whose contact block is outlined.
        paths: output files.

    Panels: (a) F above and U below the diagonal; (b) P1 - F; (c) P2 - F, each on its own
    zero-centred colour scale.
    """
    setup()
    n = len(sequence)
    for key, matrix in maps.items():
        if matrix is not None:
            _check_square(np.asarray(matrix), n, key)
    folded, unfolded = maps.get("F"), maps.get("U")
    fig, axes = plt.subplots(1, 3, figsize=(15.5, 4.6))
    fig.subplots_adjust(wspace=0.5)  # colourbar labels clear of the next panel's axis
    image, missing = _split_map(folded, unfolded, n)
    if len(missing) == 2:
        _empty_panel(axes[0], "F, U: too few frames")
    else:
        _residue_map(axes[0], image, _symmetric_norm(image), elements, RELEVANCE_LABEL)
        _contact_boxes(axes[0], elements, contact_regions)
        _fig5_overlay(axes[0], missing)
    axes[0].set_title("(a) F (upper) / U (lower)", pad=24)
    for ax, state, letter in zip(axes[1:], ("P1", "P2"), "bc", strict=True):
        ax.set_title(f"({letter}) {state} − F", pad=24)
        other = maps.get(state)
        absent = [s for s, m in ((state, other), ("F", folded)) if m is None]
        if absent:
            _empty_panel(ax, ", ".join(absent) + ": too few frames")
            continue
        delta = _off_diagonal(np.asarray(other, dtype=float) - np.asarray(folded, dtype=float))
        _residue_map(ax, delta, _symmetric_norm(delta), elements, DELTA_LABEL)
        _contact_boxes(ax, elements, contact_regions)
    _save(fig, paths)
    return fig


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
        elements, contact_regions: as :func:`plot_fig5`.

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
    _save(fig, paths)
    return fig


# --- Fig. 6: strongest interactions on the structure -----------------------------------


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


def plot_fig6(
    ca_positions: np.ndarray,
    sequence: str,
    interactions: pd.DataFrame,
    paths: Sequence[str],
    elements: dict[str, tuple[int, int]] | None = None,
) -> plt.Figure:
    """Strongest 2- and 3-body interactions of the folded state on its structure (Fig. 6).

    Args:
        ca_positions: (N, 3) Cα positions (Å) of a representative folded structure,
            drawn projected on its first two principal axes.
        sequence: one-letter sequence (N,).
        interactions: ``order`` (2 or 3), ``beads`` (tuple of 0-based residue indices),
            ``value`` (mean relevance, a.u.).
        paths: output files.
        elements: element name -> inclusive 0-based residue range, colours the trace.
    """
    setup()
    xy = project_structure(ca_positions)
    fig, axes = plt.subplots(1, 2, figsize=(10.0, 4.8))
    for ax, order in zip(axes, (2, 3), strict=True):
        _draw_backbone(ax, xy, elements)
        ax.set_title(f"folded state: {order}-body")
        part = interactions[interactions["order"] == order]
        if part.empty:
            ax.text(0.5, 0.5, "none", transform=ax.transAxes, ha="center", va="center")
            continue
        _label_residues(ax, xy, _draw_interactions(ax, xy, part), sequence)
    _colour_legend(
        axes[1], elements, "relevance < 0 (stabilising)", "relevance > 0 (destabilising)"
    )
    _save(fig, paths)
    return fig


# --- PyMOL --------------------------------------------------------------------------------


def _pymol_colour(value: float, scale: float) -> str:
    red, green, blue, _ = _shade(value, scale)
    return f"[{red:.3f}, {green:.3f}, {blue:.3f}]"


def _pymol_interaction(
    name: str, beads: tuple[int, ...], value: float, scale: float, atoms: list[str]
) -> list[str]:
    """Script lines of one interaction: a distance object per edge (one for a pair, three
    grouped ones for a triplet), coloured and sized by ``value`` relative to ``scale``."""
    ends = [(beads[0], beads[1], name)]
    if len(beads) == 3:
        ends = [
            (beads[0], beads[1], f"{name}_ab"),
            (beads[1], beads[2], f"{name}_bc"),
            (beads[0], beads[2], f"{name}_ac"),
        ]
    strength = min(abs(value) / scale, 1.0) if scale > 0 else 1.0
    lines = [f"set_color {name}_colour, {_pymol_colour(value, scale)}"]
    for a, b, edge in ends:
        lines += [
            f"distance {edge}, {atoms[a]}, {atoms[b]}",
            f"set dash_color, {name}_colour, {edge}",
            f"set dash_width, {1.5 + 4.5 * strength:.2f}, {edge}",
            f"set dash_radius, {0.05 + 0.2 * strength:.3f}, {edge}",
        ]
    if len(beads) == 3:
        lines.append(f"group {name}, {' '.join(edge for _, _, edge in ends)}")
    return lines


def write_pymol_script(
    interactions: pd.DataFrame,
    pdb_path: str,
    residue_numbers: Sequence[int],
    out_path: str,
    object_name: str,
    chain: str,
) -> None:
    """Write a PyMOL script drawing interactions between Cα atoms on a structure.

    Pairs become one distance object ``r2_<k>``; triplets the three edges
    ``r3_<k>_ab/bc/ac`` grouped as ``r3_<k>``, coloured by ``<name>_colour``
    (``set_color``, RGB 0-1). Colours as in the figures: blue = < 0
    (stabilising), red = > 0 (destabilising), lighter = weaker (|value| relative to the
    largest of its order); dash width grows with strength. Each interaction's residues
    and value are written as a comment.

    Args:
        interactions: ``order``, ``beads`` (0-based bead indices), ``value`` (a.u.).
        pdb_path: structure to load (as written into the script).
        residue_numbers: PDB residue number of each bead (index = bead).
        out_path: the .pml file, written atomically.
        object_name: PyMOL object name (the workflow uses the system's name).
        chain: chain of the beads' residues in ``pdb_path``.
        chain: chain identifier.
    """
    numbers = [int(number) for number in residue_numbers]
    atoms = [f"/{object_name}//{chain}/{number}/CA" for number in numbers]
    lines = [
        "# PyMOL script: GNN-LRP interactions between Ca atoms (cgexplain).",
        "# colours: blue = relevance < 0 (stabilising), red = relevance > 0 (destabilising);",
        "# lighter / thinner = weaker (|value| / max |value| of the same order).",
        "# 2-body: distance objects r2_<k>; 3-body: triangle edges grouped as r3_<k>.",
        f"load {pdb_path}, {object_name}",
        f"hide everything, {object_name}",
        f"show cartoon, {object_name}",
        f"color grey80, {object_name}",
        "set sphere_scale, 0.4",
        "set dash_gap, 0",
    ]
    involved: set[int] = set()
    for order, part in interactions.groupby("order", sort=True):
        values = part["value"].to_numpy(dtype=float)
        scale = float(np.nanmax(np.abs(values))) if values.size else 1.0
        for k, (entry, value) in enumerate(zip(part["beads"], values, strict=True), start=1):
            beads = _beads(entry)
            if max(beads) >= len(numbers) or min(beads) < 0:
                raise ValueError(f"beads {beads}: no residue number ({len(numbers)} given)")
            involved.update(beads)
            name = f"r{int(order)}_{k}"
            residues = ", ".join(str(numbers[b]) for b in beads)
            lines.append(f"# {name}: residues {residues}, value {value:.6g}")
            lines += _pymol_interaction(name, beads, float(value), scale, atoms)
    if involved:
        selection = " or ".join(atoms[b] for b in sorted(involved))
        lines += [f"show spheres, {selection}", f"set sphere_color, grey50, {selection}"]
    lines += ["hide labels", f"orient {object_name}", ""]
    with atomic_output(out_path) as tmp:
        tmp.write_text("\n".join(lines))


# --- Fig. 7: mutations ------------------------------------------------------------------


def top_changed_contacts(difference: np.ndarray, residue: int, n_top: int = 5) -> pd.DataFrame:
    """The ``n_top`` contacts of ``residue`` with the largest |difference|.

    Args:
        difference: (N, N) mean 2-body relevance difference (mutant - wild type), a.u.
        residue: 0-based bead index of the mutated residue.
        n_top: number of contacts kept.

    Returns:
        Table with ``order`` (2), ``beads`` ((residue, partner), 0-based) and ``value``
        (the difference), sorted by |value| descending; the residue itself and NaN
        entries are left out.
    """
    matrix = np.asarray(difference, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"difference must be square, got {matrix.shape}")
    if not 0 <= residue < matrix.shape[0]:
        raise ValueError(f"residue {residue} outside 0..{matrix.shape[0] - 1}")
    row = matrix[residue].copy()
    row[residue] = np.nan
    partners = np.flatnonzero(np.isfinite(row))
    ranked = partners[np.argsort(-np.abs(row[partners]), kind="stable")][: max(n_top, 0)]
    return pd.DataFrame(
        {
            "order": np.full(ranked.size, 2, dtype=int),
            "beads": [(int(residue), int(j)) for j in ranked],
            "value": row[ranked],
        }
    )


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
    _save(fig, paths)
    return fig
