"""First-shell vertex angles (the study's second 3-body angle view): the summed triplet
rows give the same entries and per-walk bin means as a walk-by-walk loop over bead
positions; bins, windows, the short-edge number and their bootstrap replicates follow
their definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cgexplain import columns as col
from cgexplain.analysis import vertex_angles as va
from cgexplain.analysis.bootstrap import resample_indices
from cgexplain.analysis.uncertainty import bootstrap_run, load_replicates, save_replicates

from ..figure_checks import assert_mesh, expected_grid, written

R_SHELL = 3.5


def _angle(pos: np.ndarray, v: int) -> float:
    """Angle (deg) at bead v between the bond vectors to the other two beads."""
    u, x = [b for b in range(3) if b != v]
    a, b = pos[u] - pos[v], pos[x] - pos[v]
    cos = a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.degrees(np.arccos(np.clip(cos, -1, 1))))


def _triangle_table(triangles, r_seed: int = 0):
    """Triplet rows (sides from bead positions) and, per row, the walk relevances.

    Args:
        triangles: list of (frame, (3, 3) positions of beads i, j, k).

    Returns:
        (triplet table, list of (3, 3) positions, list of per-walk relevance arrays).
    """
    rng = np.random.default_rng(r_seed)
    rows, walks = [], []
    for frame, pos in triangles:
        w = rng.normal(size=int(rng.integers(1, 7)))  # the walks over these three beads
        walks.append(w)
        d = lambda a, b, pos=pos: float(np.linalg.norm(pos[a] - pos[b]))  # noqa: E731
        angles = [_angle(pos, v) for v in range(3)]
        rows.append({col.FRAME: frame, col.D_IJ: d(0, 1), col.D_IK: d(0, 2),
                     col.D_JK: d(1, 2), col.MAX_ANGLE: max(angles),
                     col.RELEVANCE_NORM: w.sum(), col.N_WALKS: w.size})  # fmt: skip
    return pd.DataFrame(rows), [p for _, p in triangles], walks


def _walk_entries(frames, positions, walks, r_shell):
    """Brute force, walk by walk: for each walk and each vertex whose two bonds to the
    other beads are shorter than r_shell, (frame, angle from the bond vectors, length of
    the opposite side, the walk's relevance)."""
    out = []
    for frame, pos, w in zip(frames, positions, walks, strict=True):
        for r in w:
            for v in range(3):
                u, x = [b for b in range(3) if b != v]
                a, b = pos[u] - pos[v], pos[x] - pos[v]
                if np.linalg.norm(a) < r_shell and np.linalg.norm(b) < r_shell:
                    out.append((frame, _angle(pos, v), np.linalg.norm(pos[u] - pos[x]), r))
    return pd.DataFrame(out, columns=["frame", "angle", "opposite", "relevance"])


def _hand_made():
    s = 3.0
    equilateral = np.array([[0, 0, 0], [s, 0, 0], [s / 2, s * np.sqrt(3) / 2, 0]])
    right = np.array([[0, 0, 0], [3.0, 0, 0], [0, 3.2, 0]])  # hypotenuse 4.39 > R_SHELL
    two_long = np.array([[0, 0, 0], [3.0, 0, 0], [1.5, 5.0, 0]])  # d_ik = d_jk = 5.22
    far = np.array([[0, 0, 0], [4.0, 0, 0], [0, 4.5, 1.0]])  # all edges long
    obtuse_at_j = np.array([[0, 0, 0], [2.9, 0, 0], [4.5, 2.0, 0]])  # j: edges 2.9, 2.56
    return [(0, equilateral), (0, right), (1, two_long), (1, far), (2, obtuse_at_j)]


def test_hand_made_triangles_give_the_expected_entries():
    table, _, _ = _triangle_table(_hand_made())
    entries = va.vertex_angle_entries(table, R_SHELL)
    assert tuple(entries.columns) == col.VERTEX_ENTRY_COLUMNS
    # entries per row: equilateral 3, right (one long edge) 1, two or three long edges 0,
    # obtuse 1; frames 0, 1, 2 hold rows (0, 1), (2, 3), (4)
    per_frame = entries.groupby(col.FRAME).size().reindex([0, 1, 2], fill_value=0)
    assert per_frame.tolist() == [3 + 1, 0, 1]
    eq = entries.iloc[:3]
    assert eq[col.VERTEX].tolist() == [0, 1, 2]
    assert eq[col.VERTEX_ANGLE].to_numpy() == pytest.approx(60.0)
    assert eq[col.OPPOSITE_EDGE].to_numpy() == pytest.approx(3.0)
    right = entries.iloc[3]
    assert right[col.VERTEX] == 0 and right[col.VERTEX_ANGLE] == pytest.approx(90.0)
    assert right[col.OPPOSITE_EDGE] == pytest.approx(np.hypot(3.0, 3.2))
    assert (right[col.ADJACENT_SHORT], right[col.ADJACENT_LONG]) == pytest.approx((3.0, 3.2))
    obtuse = entries.iloc[4]
    a, b = np.array([-2.9, 0, 0]), np.array([1.6, 2.0, 0])
    expected = np.degrees(np.arccos(a @ b / np.linalg.norm(a) / np.linalg.norm(b)))
    assert obtuse[col.VERTEX] == 1 and obtuse[col.VERTEX_ANGLE] == pytest.approx(expected)
    assert obtuse[col.OPPOSITE_EDGE] == pytest.approx(np.hypot(4.5, 2.0))
    assert obtuse[col.VERTEX_ANGLE] > 90  # not the max angle of a triangle: any vertex


def _random_triangles(n: int, seed: int):
    rng = np.random.default_rng(seed)
    out = []
    for t in range(n):
        centre = rng.normal(size=3) * 0.1
        pos = centre + rng.uniform(-2.6, 2.6, (3, 3))
        out.append((t % 4, pos))
    return out


def test_entries_match_the_walk_by_walk_loop_from_positions():
    triangles = [*_hand_made(), *_random_triangles(300, seed=3)]
    table, positions, walks = _triangle_table(triangles, r_seed=4)
    entries = va.vertex_angle_entries(table, R_SHELL)
    brute = _walk_entries(table[col.FRAME], positions, walks, R_SHELL)
    # expand the rows' entries into their walks and compare entry by entry
    expanded = entries.loc[entries.index.repeat(entries[col.N_WALKS].astype(int))]
    key = lambda f, a, o: np.round(np.c_[f, a, o], 8)  # noqa: E731
    ours = key(expanded[col.FRAME], expanded[col.VERTEX_ANGLE], expanded[col.OPPOSITE_EDGE])
    theirs = key(brute["frame"], brute["angle"], brute["opposite"])
    assert len(ours) == len(theirs) > 100
    assert np.array_equal(ours[np.lexsort(ours.T)], theirs[np.lexsort(theirs.T)])
    # a triangle has 0, 1 or 3 first-shell vertices, never 2
    per_row = [
        sum(all(np.linalg.norm(p[u] - p[v]) < R_SHELL for u in range(3) if u != v)
            for v in range(3))
        for p in positions
    ]  # fmt: skip
    assert set(per_row) <= {0, 1, 3} and {0, 1, 3} <= set(per_row)


def test_per_walk_bin_means_equal_the_expanded_walks():
    # random triangles only: the equilateral's 60° sits on a bin edge, where the two
    # angle formulas may round to different sides
    triangles = _random_triangles(400, seed=5)
    table, positions, walks = _triangle_table(triangles, r_seed=6)
    entries = va.vertex_angle_entries(table, R_SHELL)
    brute = _walk_entries(table[col.FRAME], positions, walks, R_SHELL)
    profile = va.vertex_angle_profile(entries, 18)
    assert tuple(profile.columns) == col.VERTEX_PROFILE_COLUMNS
    bins = np.minimum((brute["angle"] // 10).astype(int), 17)
    expect = brute.groupby(bins)["relevance"].agg(["mean", "size"])
    got = profile.set_index(np.arange(18))
    assert got["mean"].notna().sum() == len(expect) > 8
    assert got.loc[expect.index, "mean"].to_numpy() == pytest.approx(expect["mean"].to_numpy())
    assert np.array_equal(got.loc[expect.index, col.N_WALKS], expect["size"])
    # ``count``: entries of rows (triplet vertices), walks folded
    rows = entries.groupby(np.minimum(entries[col.VERTEX_ANGLE] // 10, 17).astype(int)).size()
    assert np.array_equal(got.loc[rows.index, col.COUNT], rows)
    # the map: same per-walk means on (angle, opposite edge) cells, triplet_map's layout
    vmap = va.vertex_angle_map(entries, 9, 4, 8.0)
    assert tuple(vmap.columns) == col.TRIPLET_MAP_COLUMNS and len(vmap) == 36
    assert vmap[col.X].iloc[:4].tolist() == [10.0] * 4  # x-major
    assert vmap[col.Y].iloc[:4].tolist() == [1.0, 3.0, 5.0, 7.0]
    cell = np.minimum(brute["angle"] // 20, 8).astype(int) * 4 + (brute["opposite"] // 2).astype(
        int
    )
    expect = brute.groupby(cell)["relevance"].mean()
    assert vmap.loc[expect.index, col.MEAN].to_numpy() == pytest.approx(expect.to_numpy())
    assert vmap[col.MEAN].notna().sum() == len(expect)


def _entries(angles, rel=None, walks=None):
    angles = np.asarray(angles, dtype=float)
    n = angles.size
    return pd.DataFrame({col.FRAME: 0, col.VERTEX: 0, col.VERTEX_ANGLE: angles,
                         col.OPPOSITE_EDGE: 3.0, col.ADJACENT_SHORT: 3.0, col.ADJACENT_LONG: 3.0,
                         col.RELEVANCE_NORM: np.ones(n) if rel is None else rel,
                         col.N_WALKS: np.ones(n) if walks is None else walks})  # fmt: skip


def test_profile_bins_are_left_closed_with_the_straight_angle_in_the_last():
    angles = [0.0, 4.999, 5.0, 50.0, 54.999, 55.0, 59.999, 60.0, 175.0, 179.99, 180.0]
    profile = va.vertex_angle_profile(_entries(angles), va.PROFILE_BINS)
    counts = dict(zip(profile[col.LOWER], profile[col.COUNT], strict=True))
    assert counts[0.0] == 2 and counts[5.0] == 1
    assert counts[50.0] == 2 and counts[55.0] == 2 and counts[60.0] == 1
    assert counts[175.0] == 3  # 180° in the last bin
    assert profile[col.COUNT].sum() == len(angles)
    assert va.angle_bin_index(np.array([-1e-9, 180.0 + 1e-9, np.nan]), 36).tolist() == [-1] * 3
    assert profile[col.CENTER].iloc[10] == 52.5 and profile[col.UPPER].iloc[-1] == 180.0


def test_window_mean_includes_both_ends_and_weights_by_walks():
    e = _entries([49.99, 50.0, 55.0, 60.0, 60.01], rel=[9.0, 2.0, 3.0, 4.0, 9.0],
                 walks=[1.0, 1.0, 2.0, 1.0, 1.0])  # fmt: skip
    assert va.window_mean(e, 50.0, 60.0) == pytest.approx((2 + 3 + 4) / (1 + 2 + 1))
    assert np.isnan(va.window_mean(e, 100.0, 120.0))


def test_angle_of_min_skips_sparse_bins_and_needs_a_negative_bin():
    centers = np.array([42.5, 47.5, 52.5, 57.5])
    mean = np.array([-9.0, -1.0, -3.0, 2.0])
    count = np.array([2, 10, 10, 10])
    assert va.vertex_angle_of_min(centers, mean, count, 5) == 52.5
    assert va.vertex_angle_of_min(centers, mean, count, 1) == 42.5
    assert np.isnan(va.vertex_angle_of_min(centers, np.abs(mean), count, 1))


def test_short_edge_mean_follows_its_definition():
    rng = np.random.default_rng(8)
    n = 997
    sides = rng.uniform(2.3, 6.0, (n, 3))
    table = pd.DataFrame({col.FRAME: 0, col.D_IJ: sides[:, 0], col.D_IK: sides[:, 1],
                          col.D_JK: sides[:, 2], col.RELEVANCE_NORM: rng.normal(size=n),
                          col.N_WALKS: rng.integers(1, 9, n).astype(float)})  # fmt: skip
    mean, threshold = va.short_edge_mean(table, 0.05, 0.01)
    s = sides.min(axis=1)
    # brute force: smallest grid point t with at least 5 % of the rows below it
    t = next(k * 0.01 for k in range(1, 1000) if (s < k * 0.01).mean() >= 0.05)
    sel = s < t
    assert threshold == pytest.approx(t)
    assert sel.mean() >= 0.05 and (s < t - 0.01).mean() < 0.05
    walks = table[col.N_WALKS].to_numpy()
    assert mean == pytest.approx(
        table[col.RELEVANCE_NORM].to_numpy()[sel].sum() / walks[sel].sum()
    )
    assert np.isnan(va.short_edge_mean(table.iloc[:0])[0])


def test_shell_cutoff_is_the_configured_one_or_the_rdf_minimum():
    r = np.arange(0.05, 10.0, 0.1)
    g = np.exp(-((r - 3.0) ** 2) / 0.1) * 2 + 1 - 0.5 * np.exp(-((r - 4.5) ** 2) / 0.2)
    rdf = pd.DataFrame({col.R: r, col.G: g})
    assert va.shell_cutoff(rdf) == pytest.approx(4.55, abs=0.11)
    assert va.shell_cutoff(rdf, 3.2) == 3.2
    with pytest.raises(ValueError):
        va.shell_cutoff(None)


def _bootstrap_inputs(n_frames: int = 12, seed: int = 0):
    rng = np.random.default_rng(seed)
    pairs, triplets = [], []
    for f in range(n_frames):
        d = rng.uniform(2.0, 6.0, 40)
        pairs.append(pd.DataFrame({"frame": 2 * f, "distance": d,
                                   "relevance_norm": np.sin(d) + rng.normal(size=d.size)}))  # fmt: skip
        sides = rng.uniform(2.3, 5.0, (150, 3))
        a, b, c = np.sort(sides, axis=1).T
        angle = np.degrees(np.arccos(np.clip((a**2 + b**2 - c**2) / (2 * a * b), -1, 1)))
        triplets.append(pd.DataFrame({"frame": 2 * f, "d_ij": sides[:, 0], "d_ik": sides[:, 1],
                                      "d_jk": sides[:, 2], "max_angle": angle,
                                      "relevance_norm": rng.normal(size=150) - 0.2 + 0.01 * f,
                                      "n_walks": rng.integers(1, 6, 150).astype(float)}))  # fmt: skip
    frames = pd.DataFrame({"frame": 2 * np.arange(n_frames), "total": rng.normal(size=n_frames)})
    return pd.concat(pairs), pd.concat(triplets, ignore_index=True), frames


KW = {"r_max": 6.0, "pair_bins": 12, "edge_max": 10.0, "angle_bins": 6, "edge_bins": 5,
      "min_count": 3}  # fmt: skip


def _library_numbers(triplets: pd.DataFrame, r_shell: float, min_count: int) -> dict:
    entries = va.vertex_angle_entries(triplets, r_shell)
    profile = va.vertex_angle_profile(entries)
    short, threshold = va.short_edge_mean(triplets)
    return {
        "profile": profile[col.MEAN].to_numpy(),
        "vertex_angle_of_min": va.vertex_angle_of_min(
            profile[col.CENTER], profile[col.MEAN], profile[col.COUNT], min_count
        ),
        **{k: va.window_mean(entries, *w) for k, w in va.WINDOWS.items()},
        "short_edge_mean": short,
        "short_edge_threshold": threshold,
    }


def test_bootstrap_estimates_and_replicates_recompute_the_library_numbers(tmp_path):
    pairs, triplets, frames = _bootstrap_inputs()
    rep = bootstrap_run(pairs, triplets, frames, **KW, n_resamples=6, seed=11, block_length=3,
                        shell_cutoff=3.6)  # fmt: skip
    lib = _library_numbers(triplets, 3.6, KW["min_count"])
    np.testing.assert_allclose(rep.vertex_profile, lib["profile"], rtol=1e-12)
    for name in ("vertex_angle_of_min", *va.WINDOWS, "short_edge_mean", "short_edge_threshold"):
        assert rep.numbers[name][0] == pytest.approx(lib[name], rel=1e-12, nan_ok=True), name
    assert np.isfinite(rep.numbers["vertex_angle_of_min"][0])
    # replicate b: the library numbers of the resampled frames, duplicates kept and the
    # short-edge threshold found anew
    idx = resample_indices(len(frames), 3, 6, np.random.default_rng(11))
    by_frame = dict(tuple(triplets.groupby("frame")))
    for b, rows in enumerate(idx):
        resampled = pd.concat(
            [by_frame[f].assign(frame=n) for n, f in enumerate(frames["frame"].to_numpy()[rows])]
        )
        lib = _library_numbers(resampled, 3.6, KW["min_count"])
        np.testing.assert_allclose(rep.vertex_reps[b], lib["profile"], rtol=1e-10)
        for name in (
            "vertex_angle_of_min",
            *va.WINDOWS,
            "short_edge_mean",
            "short_edge_threshold",
        ):
            assert rep.numbers[name][1][b] == pytest.approx(lib[name], rel=1e-10, nan_ok=True)
    table = rep.vertex_profile_table(0.9)
    assert tuple(table.columns) == col.VERTEX_PROFILE_CI_COLUMNS
    ok = table[col.COUNT] >= 3
    assert (table.loc[ok, "ci_low"] <= table.loc[ok, "ci_high"]).all()
    path = tmp_path / "rep.npz"
    save_replicates(path, rep)
    back = load_replicates(path)
    np.testing.assert_array_equal(back.vertex_reps, rep.vertex_reps)
    assert back.numbers.keys() == rep.numbers.keys()
    plain = bootstrap_run(pairs, triplets, frames, **KW, n_resamples=6, seed=11, block_length=3)
    assert plain.vertex_reps is None and "short_edge_mean" not in plain.numbers
    assert plain.vertex_profile_table(0.9).empty
    save_replicates(path, plain)
    assert load_replicates(path).vertex_reps is None


def test_fig3_draws_the_vertex_map_and_the_profile_band(tmp_path):
    triangles = _random_triangles(2000, seed=9)
    table, _, _ = _triangle_table(triangles, r_seed=10)
    from cgexplain.analysis import relevance as rel
    from cgexplain.plots import relevance as plots

    entries = va.vertex_angle_entries(table, R_SHELL)
    vmap = va.vertex_angle_map(entries, 18, 10, 10.0)
    profile = va.vertex_angle_profile(entries)
    ci = profile.assign(ci_low=profile[col.MEAN] - 0.1, ci_high=profile[col.MEAN] + 0.2)
    paths, ok = written(tmp_path, "fig3v")
    fig = plots.plot_fig3(rel.triplet_map(table, 10.0, 10, 10), "t", paths, min_count=3,
                          vertex_map=vmap, vertex_profile=ci, shell_cutoff=3.66)  # fmt: skip
    assert ok()
    assert fig.axes[0].get_xlabel() == "largest angle / deg"
    label = "vertex angle (first shell, r < 3.66 Å) / deg"
    assert fig.axes[1].get_xlabel() == label and fig.axes[2].get_xlabel() == label
    xs, ys, grid = expected_grid(vmap, 3)
    assert_mesh(fig.axes[1].collections[0], xs, ys, grid)
    drawn = ci[ci[col.COUNT] >= 3]
    band = [c for c in fig.axes[2].collections if c.get_label() == "95 % interval"]
    vertices = band[0].get_paths()[0].vertices
    assert vertices[:, 1].max() == pytest.approx(drawn["ci_high"].max())
    assert vertices[:, 1].min() == pytest.approx(drawn["ci_low"].min())
    line = fig.axes[2].get_lines()[0]
    np.testing.assert_allclose(line.get_xdata(), drawn[col.CENTER])
    np.testing.assert_allclose(line.get_ydata(), drawn[col.MEAN])
