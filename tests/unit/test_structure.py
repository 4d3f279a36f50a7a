"""Structure analysis: periodic geometry, RDF and triplets against simple references."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from cgexplain.analysis.geometry import check_cutoff, minimum_image, perpendicular_widths
from cgexplain.analysis.rdf import first_peak, radial_distribution
from cgexplain.analysis.triplets import (
    angle_distribution,
    connected_triplets,
    triangle_geometry,
    triplet_histogram,
    triplet_table,
)

RNG = np.random.default_rng(11)


def test_minimum_image_matches_brute_force_in_triclinic_cell():
    box = np.array([[10.0, 0.0, 0.0], [3.0, 9.0, 0.0], [-2.0, 1.5, 11.0]])
    half = perpendicular_widths(box).min() / 2
    images = np.array(list(itertools.product((-2, -1, 0, 1, 2), repeat=3))) @ box
    for _ in range(200):
        v = RNG.uniform(-25, 25, size=3)
        candidates = v + images
        shortest = candidates[np.argmin(np.linalg.norm(candidates, axis=1))]
        if np.linalg.norm(shortest) < half:  # the regime check_cutoff guarantees
            np.testing.assert_allclose(minimum_image(v, box), shortest, atol=1e-10)


def test_check_cutoff_rejects_more_than_half_the_box():
    with pytest.raises(ValueError, match="exceeds half"):
        check_cutoff(np.eye(3) * 10.0, 5.5)
    check_cutoff(np.eye(3) * 10.0, 5.0)


def test_rdf_of_ideal_gas_is_one():
    n_frames, n, edge = 20, 400, 20.0
    positions = RNG.uniform(0, edge, size=(n_frames, n, 3))
    box = np.tile(np.eye(3) * edge, (n_frames, 1, 1))
    rdf = radial_distribution(positions, box, r_max=9.0, n_bins=30)
    far = rdf[rdf["r"] > 2.0]
    assert np.all(np.abs(far["g"] - 1.0) < 0.1), far["g"].to_numpy()
    assert abs(far["g"].mean() - 1.0) < 0.02


def test_rdf_of_simple_cubic_lattice():
    a, cells = 3.0, 6
    grid = np.array(list(itertools.product(range(cells), repeat=3)), dtype=float) * a
    positions = (grid + 0.1)[None]
    box = (np.eye(3) * a * cells)[None]
    rdf = radial_distribution(positions, box, r_max=8.0, n_bins=160)
    r_peak, _ = first_peak(rdf)
    assert abs(r_peak - a) <= 0.05 + 1e-9
    # first shell: 6 neighbours at a, second: 12 at sqrt(2) a
    coord = rdf.set_index("r")["coordination"]
    assert coord[coord.index < 2.9].iloc[-1] == pytest.approx(0.0)
    assert coord[coord.index < 3.5].iloc[-1] == pytest.approx(6.0)
    assert coord[coord.index < 4.5].iloc[-1] == pytest.approx(18.0)


def test_rdf_rejects_bad_shapes():
    with pytest.raises(ValueError, match="box must be"):
        radial_distribution(np.zeros((2, 5, 3)), np.zeros((1, 3, 3)), 1.0, 10)


def test_triangle_geometry():
    angle, edge = triangle_geometry(
        np.array([1.0, 3.0]), np.array([1.0, 4.0]), np.array([1.0, 5.0])
    )
    np.testing.assert_allclose(angle, [60.0, 90.0])
    np.testing.assert_allclose(edge, [1.0, 5.0])


def test_connected_triplets_match_brute_force():
    positions = RNG.uniform(0, 8, size=(25, 3))
    d = np.linalg.norm(positions[:, None] - positions[None], axis=-1)
    cutoff = 3.0
    expected = [
        t
        for t in itertools.combinations(range(25), 3)
        if sum(d[p, q] < cutoff for p, q in itertools.combinations(t, 2)) >= 2
    ]
    got = connected_triplets(d, cutoff)
    assert [tuple(t) for t in got] == expected
    assert len(expected) > 10  # the test compares something


def test_triplet_table_is_permutation_and_image_invariant():
    box = np.eye(3) * 9.0
    positions = RNG.uniform(0, 9, size=(30, 3))
    ref = triplet_table(positions, box, 3.5)
    perm = RNG.permutation(30)
    shifted = positions[perm] + np.array([9.0, -18.0, 0.0])  # lattice shift
    got = triplet_table(shifted, box, 3.5)
    relabelled = np.sort(perm[got[["i", "j", "k"]].to_numpy()], axis=1)
    order = np.lexsort(relabelled.T[::-1])
    np.testing.assert_array_equal(relabelled[order], ref[["i", "j", "k"]].to_numpy())
    np.testing.assert_allclose(
        np.sort(got["max_angle"].to_numpy()),
        np.sort(ref["max_angle"].to_numpy()),
        atol=1e-9,
    )


def test_triplet_histogram_is_a_density():
    positions = RNG.uniform(0, 12, size=(3, 40, 3))
    box = np.tile(np.eye(3) * 12.0, (3, 1, 1))
    hist = triplet_histogram(positions, box, cutoff=4.0, angle_bins=12, edge_bins=10)
    d_angle, d_edge = 120.0 / 12, 8.0 / 10
    assert hist["density"].sum() * d_angle * d_edge == pytest.approx(1.0)
    marginal = angle_distribution(hist)
    assert marginal["density"].sum() * d_angle == pytest.approx(1.0)
    assert hist.loc[hist["edge"] > 8.0, "count"].sum() == 0
