"""Relevance figures from small synthetic tables: every function writes PNG and PDF."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cgexplain.analysis import relevance as rel
from cgexplain.plots import relevance as plots


def _tables():
    rng = np.random.default_rng(0)
    r = rng.uniform(2.5, 5.0, 2000)
    pairs = pd.DataFrame(
        {"distance": r, "relevance_norm": np.sin(2 * r) + rng.normal(0, 0.1, r.size)}
    )
    sides = rng.uniform(2.5, 5.0, (3000, 3))
    a, b, c = np.sort(sides, axis=1).T
    angle = np.degrees(np.arccos(np.clip((a**2 + b**2 - c**2) / (2 * a * b), -1, 1)))
    triplets = pd.DataFrame(
        {"d_ij": sides[:, 0], "d_ik": sides[:, 1], "d_jk": sides[:, 2], "max_angle": angle}
    ).assign(relevance_norm=lambda t: np.cos(np.radians(t.max_angle)))
    rdf = pd.DataFrame({"r": np.linspace(0.05, 8.95, 90)}).assign(
        g=lambda t: 1 + np.exp(-((t.r - 4) ** 2))
    )
    return pairs, triplets, rdf


def _written(tmp_path, stem):
    paths = [str(tmp_path / f"{stem}.png"), str(tmp_path / f"{stem}.pdf")]
    return paths, lambda: all(
        (tmp_path / f"{stem}.{e}").stat().st_size > 1000 for e in ("png", "pdf")
    )


def test_relevance_figures(tmp_path):
    pairs, triplets, rdf = _tables()
    profile = rel.pair_profile(pairs, 9.0, 75)
    paths, ok = _written(tmp_path, "fig2")
    plots.plot_fig2({"CG": rdf, "reference": rdf}, profile, "test", paths, cutoff=5.0)
    assert ok()
    paths, ok = _written(tmp_path, "fig3")
    plots.plot_fig3(rel.triplet_map(triplets, 10.0, 20, 20), "test", paths)
    assert ok()
    paths, ok = _written(tmp_path, "pairs")
    plots.plot_pair_distribution(rel.pair_histogram(pairs, 9.0), profile, "test", paths)
    assert ok()
    paths, ok = _written(tmp_path, "adjacent")
    plots.plot_adjacent_maps(rel.adjacent_edge_maps(triplets, 5.0, 10), "test", paths)
    assert ok()
    paths, ok = _written(tmp_path, "classic")
    e2 = pairs.rename(columns={"relevance_norm": "e2"})
    e3 = triplets.rename(columns={"relevance_norm": "e3"})
    plots.plot_classic(
        rel.pair_profile(e2, 9.0, 75, value="e2"),
        rel.triplet_map(e3, 10.0, 20, 20, value="e3"),
        "test",
        paths,
    )
    assert ok()


def test_empty_maps_still_draw(tmp_path):
    """A model whose triplets all fall below min_count gives a blank panel, not a crash."""
    _, triplets, _ = _tables()
    paths, ok = _written(tmp_path, "blank")
    plots.plot_fig3(rel.triplet_map(triplets.iloc[:3], 10.0, 20, 20), "t", paths, min_count=5)
    assert ok()
