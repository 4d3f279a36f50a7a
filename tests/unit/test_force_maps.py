"""Optimised force maps: the mean force is kept and the noise drops, checked against a
toy molecule whose mean force is known in closed form (not from the fitting code)."""

from __future__ import annotations

import numpy as np
import pytest

from cgexplain.cg.force_maps import (
    GroupGram,
    bead_groups,
    check_force_map,
    compare_force_maps,
    constraint_groups,
    fit_optimal_weights,
    force_map_choice,
    hydrogen_constraints,
    neighbor_candidates,
    residue_groups,
)
from cgexplain.cg.mapping import LinearMap, map_trajectory
from cgexplain.io import InputError, Trajectory

K_BOND = 50.0  # kcal/mol/Å², springs A-X and X-B
EPS, R0 = 75.0, 16.0 / 3.0  # A-B spring: the mean force vanishes at |A - B| = 4 Å
KT = 0.6  # kcal/mol


def _toy(n_frames: int, seed: int = 0, hydrogen: bool = False):
    """Atoms A (bead 0), X, B (bead 1) [, H rigidly bonded to X at 1 Å].

    U = k/2 |A - X|² + k/2 |X - B|² + ε/2 (|A - B| - r0)². With A and B given, X is
    Gaussian about (A + B)/2 with variance kT/(2k) per component; integrating it out,
    the potential of mean force is W = k/4 |A - B|² + ε/2 (|A - B| - r0)² (+ const), so
    the mean force on A is -k/2 (A - B) - ε (|A - B| - r0) (A - B)/|A - B|. A rigid
    hydrogen on X feels no force of U: it changes nothing but the constraint force.
    A - B is drawn about the minimum of W with W's curvature, as a simulation samples
    it, so that mean force and noise are of one size.
    """
    rng = np.random.default_rng(seed)
    a = rng.normal(scale=0.3, size=(n_frames, 3))
    spread = np.sqrt(KT / (K_BOND / 2 + EPS))
    b = a + np.array([4.0, 0.0, 0.0]) + rng.normal(scale=spread, size=(n_frames, 3))
    x = 0.5 * (a + b) + rng.normal(scale=np.sqrt(KT / (2 * K_BOND)), size=(n_frames, 3))
    d = a - b
    r = np.linalg.norm(d, axis=1, keepdims=True)
    f_ab = -EPS * (r - R0) * d / r
    f_a = -K_BOND * (a - x) + f_ab
    f_b = -K_BOND * (b - x) - f_ab
    f_x = -K_BOND * (x - a) - K_BOND * (x - b)
    atoms = [a, x, b]
    forces = [f_a, f_x, f_b]
    if hydrogen:
        # the X-H constraint force is equal and opposite on X and H (here random)
        u = rng.normal(size=(n_frames, 3))
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        lam = rng.normal(scale=20.0, size=(n_frames, 1))
        atoms.append(x + u)
        forces[1] = forces[1] + lam * u
        forces.append(-lam * u)
    mean_force_a = -0.5 * K_BOND * d - EPS * (r - R0) * d / r
    n_atoms = len(atoms)
    position_map = np.zeros((2, n_atoms))
    position_map[0, 0] = position_map[1, 2] = 1.0
    return np.stack(atoms, 1), np.stack(forces, 1), position_map, mean_force_a


def test_constraint_groups_are_connected_components():
    groups = constraint_groups(6, np.array([[0, 1], [4, 1], [2, 5]]))
    np.testing.assert_array_equal(groups, [0, 0, 1, 2, 0, 1])
    bonds = np.array([[0, 1], [1, 2], [2, 3]])
    np.testing.assert_array_equal(
        hydrogen_constraints(bonds, np.array([6, 1, 6, 8])), [[0, 1], [1, 2]]
    )
    with pytest.raises(InputError, match="outside"):
        constraint_groups(2, np.array([[0, 2]]))


def test_optimised_map_recovers_the_mean_force_without_noise():
    _, forces, position_map, mean_a = _toy(20_000)
    groups = np.arange(3)
    basic = position_map.copy()  # each bead: its own atom only
    fit, rows = compare_force_maps(
        position_map, basic, groups, [np.array([1]), np.array([1])], forces, ridge=0.0, block=5
    )
    # weight of X: 1/2 for either bead (the closed form); the fit is off only by the
    # sampled cross term between mean force and noise, O(1/sqrt(n_frames))
    np.testing.assert_allclose(fit.weights[:, 1], 0.5, atol=0.01)
    mapped = np.einsum("ba,fax->fbx", fit.force_map, forces)
    noise_basic = forces[:, 0] - mean_a
    noise_fit = mapped[:, 0] - mean_a
    # the basic map fluctuates about the same mean force, with noise of its own size
    assert abs(noise_basic.mean()) < 4 * noise_basic.std() / np.sqrt(noise_basic.size)
    assert np.sqrt((noise_basic**2).mean()) > 0.5 * np.sqrt((mean_a**2).mean())
    # the optimised map keeps under 3 % of that noise
    assert np.sqrt((noise_fit**2).mean()) < 0.03 * np.sqrt((noise_basic**2).mean())
    table = {row["map"]: row for row in rows}
    # mean over both beads and the held-out frames: <|F|^2> = <|mean|^2> + <|noise|^2>,
    # the optimised map drops the noise term and keeps the mean term
    mean_sq_mean = (mean_a**2).mean()  # bead 1's mean force is -mean_a: same square
    np.testing.assert_allclose(table["optimized"]["mean_sq_force"], mean_sq_mean, rtol=0.01)
    np.testing.assert_allclose(
        table["optimized"]["mean_sq_force_heldout"], mean_sq_mean, rtol=0.03
    )
    np.testing.assert_allclose(
        table["basic"]["mean_sq_force"], mean_sq_mean + (noise_basic**2).mean(), rtol=0.01
    )


def test_rigid_group_moves_as_one_and_its_constraint_force_cancels():
    _, forces, position_map, mean_a = _toy(20_000, seed=3, hydrogen=True)
    groups = constraint_groups(4, np.array([[1, 3]]))  # X and H one group
    own = bead_groups(position_map, groups)
    gram = GroupGram(groups)
    gram.add(forces)
    fit = fit_optimal_weights(
        gram, own, neighbor_candidates(own, np.zeros(3, int), np.zeros(2, int), 0), ridge=0.0
    )
    assert fit.force_map[0, 1] == fit.force_map[0, 3] == pytest.approx(0.5, abs=0.02)
    check_force_map(position_map, fit.force_map, groups)
    mapped = np.einsum("ba,fax->fbx", fit.force_map, forces)
    # the constraint force (20 kcal/mol/Å, random) cancels: only the small fit error is left
    assert ((mapped[:, 0] - mean_a) ** 2).mean() < 0.01 * ((forces[:, 0] - mean_a) ** 2).mean()
    broken = fit.force_map.copy()
    broken[0, 3] = 0.0  # X without its hydrogen: the constraint force leaks in
    with pytest.raises(InputError, match="constrained group"):
        check_force_map(position_map, broken, groups)


def test_invalid_maps_and_inputs_are_refused():
    _, forces, position_map, _ = _toy(10)
    groups = np.arange(3)
    other = position_map.copy()
    other[0, 2] = 0.3  # bead 0 also pulls bead 1's atom
    with pytest.raises(InputError, match="bead 0 weighs bead 1"):
        check_force_map(position_map, other, groups)
    with pytest.raises(InputError, match="hold several beads"):
        bead_groups(position_map, np.array([0, 1, 0]))
    bad = forces.copy()
    bad[3, 1, 0] = np.nan
    with pytest.raises(InputError, match="NaN"):
        compare_force_maps(position_map, position_map, groups, [np.array([1])] * 2, bad)
    with pytest.raises(InputError, match="shape"):
        GroupGram(groups).add(forces[:, :2])
    with pytest.raises(InputError, match="own group"):
        gram = GroupGram(groups)
        gram.add(forces)
        fit_optimal_weights(gram, np.array([0, 2]), [np.array([2]), np.array([1])])


def test_liquid_molecules_leave_no_free_weight_and_chunks_do_not_matter():
    # two rigid three-atom molecules: the whole molecule is one group, so the optimum
    # is the basic aggregated map
    rng = np.random.default_rng(5)
    forces = rng.normal(size=(50, 6, 3))
    molecule = np.array([0, 0, 0, 1, 1, 1])
    position_map = np.zeros((2, 6))
    position_map[0, 0] = position_map[1, 3] = 1.0
    basic = (molecule[None] == np.arange(2)[:, None]).astype(float)
    own = bead_groups(position_map, molecule)
    free = neighbor_candidates(own, np.arange(2), np.arange(2), 0)
    assert all(c.size == 0 for c in free)
    fit, rows = compare_force_maps(position_map, basic, molecule, free, forces, chunk=7)
    np.testing.assert_array_equal(fit.force_map, basic)
    assert rows[0]["mean_sq_force"] == pytest.approx(rows[1]["mean_sq_force"])
    expected = (np.einsum("ba,fax->fbx", basic, forces) ** 2).mean()
    assert rows[0]["mean_sq_force"] == pytest.approx(expected)
    _, whole = compare_force_maps(position_map, basic, molecule, free, forces, chunk=1000)
    for one, other in zip(rows, whole, strict=True):
        assert one["map"] == other["map"]
        assert one["mean_sq_force"] == pytest.approx(other["mean_sq_force"], rel=1e-12)


def test_residue_groups_take_the_residue_of_their_first_atom():
    groups, residue = residue_groups(5, np.array([[1, 2], [3, 4]]), np.array([0, 0, 1, 1, 2]))
    np.testing.assert_array_equal(groups, [0, 1, 1, 2, 2])
    np.testing.assert_array_equal(residue, [0, 0, 1])
    with pytest.raises(InputError, match="atom_residues"):
        residue_groups(5, np.empty((0, 2), int), np.zeros(4, int))


@pytest.mark.parametrize("n_frames", [20_000, 8])
def test_choice_maps_a_trajectory_with_the_map_it_reports(n_frames):
    atoms, forces, position_map, mean_a = _toy(n_frames, seed=7)
    basic = LinearMap(position_map, position_map.copy(), np.array([6, 6]), ["A", "B"])
    traj = Trajectory(
        positions=atoms,
        forces=forces.astype(np.float32),
        box=np.zeros((n_frames, 3, 3)),
        time=np.arange(n_frames, dtype=float),
        potential_energy=np.zeros(n_frames),
        atomic_numbers=np.array([6, 6, 6]),
        masses=np.array([12.0, 14.0, 16.0]),
        molecule_index=np.zeros(3, dtype=np.int64),
        names=["A", "X", "B"],
        metadata={},
    )
    groups, residue = np.arange(3), np.array([0, 0, 1])  # X belongs to A's residue
    kwargs = dict(neighbors=1, ridge=0.0, block=2)
    chosen, rows = force_map_choice(basic, groups, residue, np.arange(2), forces, "auto", **kwargs)
    table = {row["map"]: row for row in rows}
    better = table["optimized"]["mean_sq_force_heldout"] < table["basic"]["mean_sq_force_heldout"]
    assert table["optimized"]["chosen"] is better and table["basic"]["chosen"] is not better
    if n_frames > 1000:
        assert better  # the fit of one weight per bead does not overfit 10^4 frames
    cg = map_trajectory(traj, chosen)
    assert cg.metadata["mapping"] == ("optimized aggregated" if better else "basic aggregated")
    # the table's numbers are those of the forces the trajectory holds
    picked = table["optimized" if better else "basic"]
    assert (cg.forces**2).mean() == pytest.approx(picked["mean_sq_force"], rel=1e-5)
    np.testing.assert_allclose(cg.masses, [12.0, 16.0])  # masses of the basic map
    same, rows = force_map_choice(basic, groups, residue, np.arange(2), forces, "basic", **kwargs)
    assert same is basic and [r["chosen"] for r in rows] == [True, False]
    with pytest.raises(InputError, match="kind"):
        force_map_choice(basic, groups, residue, np.arange(2), forces, "best", **kwargs)


def _mixed_forces(n_frames: int, seed: int) -> np.ndarray:
    """(n_frames, 8, 3) forces, kcal/mol/Å: 8 atoms driven by 4 shared random sources
    plus noise of their own, so that every two groups' forces are correlated."""
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(8, 4))
    sources = rng.normal(size=(n_frames, 4, 3))
    return np.einsum("as,fsx->fax", mixing, sources) + 0.3 * rng.normal(size=(n_frames, 8, 3))


# atoms 0..7 in groups 0, 1, 2 (atoms 2, 3), 3, 4 (atoms 5, 6), 5; bead 0 is atom 0 and
# bead 1 atom 7, each with three free groups (two of them shared)
MIXED_GROUPS = np.array([0, 1, 2, 2, 3, 4, 4, 5])
MIXED_ATOMS = {0: [0], 1: [1], 2: [2, 3], 3: [4], 4: [5, 6], 5: [7]}  # group: its atoms
MIXED_OWN = np.array([0, 5])
MIXED_FREE = [np.array([1, 2, 3]), np.array([2, 3, 4])]


def _stacked(forces: np.ndarray, own: int, free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The bead's least-squares problem min_w |A w - b|², rows frames x xyz: A (3 n, k)
    holds the free groups' summed forces, b (3 n,) minus the own group's."""
    column = [forces[:, MIXED_ATOMS[g]].sum(axis=1).ravel() for g in free]
    return np.stack(column, axis=1), -forces[:, MIXED_ATOMS[own]].sum(axis=1).ravel()


def _mixed_fit(forces: np.ndarray, **kwargs):
    gram = GroupGram(MIXED_GROUPS)
    gram.add(forces[:300])  # accumulated in two chunks
    gram.add(forces[300:])
    return fit_optimal_weights(gram, MIXED_OWN, MIXED_FREE, **kwargs)


def test_several_free_groups_per_bead_solve_the_stacked_least_squares_problem():
    forces = _mixed_forces(1000, seed=11)
    fit = _mixed_fit(forces, ridge=0.0)
    for bead, (own, free) in enumerate(zip(MIXED_OWN, MIXED_FREE, strict=True)):
        a, b = _stacked(forces, own, free)
        expected = np.linalg.lstsq(a, b, rcond=None)[0]
        np.testing.assert_allclose(fit.weights[bead, free], expected, rtol=1e-8, atol=1e-10)
        # each group alone (no cross terms) gives other weights: the case needs them
        alone = (a * b[:, None]).sum(0) / (a**2).sum(0)
        assert np.abs(alone - expected).max() > 0.1
        others = np.setdiff1d(np.arange(6), [own, *free])
        assert fit.weights[bead, own] == 1.0 and (fit.weights[bead, others] == 0.0).all()
        # the per-atom map gives the least-squares residual as the bead's force
        mapped = np.einsum("a,fax->fx", fit.force_map[bead], forces).ravel()
        np.testing.assert_allclose(mapped, a @ expected - b, atol=1e-9)
    position_map = np.zeros((2, 8))
    position_map[0, 0] = position_map[1, 7] = 1.0
    check_force_map(position_map, fit.force_map, MIXED_GROUPS)


@pytest.mark.parametrize("ridge", [0.5, None])
def test_ridge_gives_the_closed_form_ridge_solution(ridge):
    """w = (AᵀA + λ s 1)⁻¹ Aᵀb with s = tr(AᵀA) / k, the mean diagonal (λ relative);
    None: the default λ = 1e-6."""
    forces = _mixed_forces(1000, seed=12)
    fit = _mixed_fit(forces) if ridge is None else _mixed_fit(forces, ridge=ridge)
    lam = 1e-6 if ridge is None else ridge
    for bead, (own, free) in enumerate(zip(MIXED_OWN, MIXED_FREE, strict=True)):
        a, b = _stacked(forces, own, free)
        ata = a.T @ a
        shift = lam * np.trace(ata) / len(free)
        expected = np.linalg.inv(ata + shift * np.eye(len(free))) @ (a.T @ b)
        np.testing.assert_allclose(fit.weights[bead, free], expected, rtol=1e-9, atol=1e-12)
        unregularised = np.linalg.lstsq(a, b, rcond=None)[0]
        # the ridge moves the weights far beyond the tolerance above (by ~1e-6 relative
        # for the default), so a fit that ignores it fails
        change = np.abs(expected - unregularised).max() / np.abs(unregularised).max()
        assert change > (0.05 if ridge else 1e-8)
