"""Shared figure style (matplotlib without a display)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402


def setup() -> None:
    """Apply the house style: seaborn ticks, colour-blind palette, 150 dpi."""
    sns.set_theme(style="ticks", palette="colorblind", context="paper")
    plt.rcParams.update({"figure.dpi": 150, "savefig.bbox": "tight"})


def save(fig: plt.Figure, path: str | Sequence[str]) -> None:
    """Save a figure to one path or to each of several (e.g. PNG and PDF), then close it.

    The one figure saver of the workflow: ``fig.savefig`` with matplotlib's defaults and
    the house rcParams of :func:`setup` (150 dpi, tight bounding box); the format follows
    each path's suffix, the metadata are matplotlib's defaults.
    """
    for target in [path] if isinstance(path, str) else path:
        fig.savefig(target)
    plt.close(fig)
