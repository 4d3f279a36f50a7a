"""Chain prior: internal coordinates against mdtraj, Boltzmann-inversion fits recover
known parameters from synthetic samples, energy and forces against references."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cgexplain.cg import priors
from cgexplain.units import KB_KCAL_PER_MOL_K

KT = KB_KCAL_PER_MOL_K * 350.0


def _sample(density, grid, n, rng):
    """Inverse-CDF samples of an unnormalised density tabulated on a fine grid."""
    cdf = np.cumsum(density)
    cdf /= cdf[-1]
    return np.interp(rng.uniform(size=n), cdf, grid)


def _random_chain(n_frames=3, n_beads=8, seed=0):
    rng = np.random.default_rng(seed)
    steps = rng.normal(size=(n_frames, n_beads, 3))
    steps *= 3.8 / np.linalg.norm(steps, axis=-1, keepdims=True)
    return np.cumsum(steps, axis=1)


def test_internal_coordinates_match_mdtraj():
    import mdtraj as md

    xyz = _random_chain()
    top = md.Topology()
    chain = top.add_chain()
    for _ in range(xyz.shape[1]):
        top.add_atom("CA", md.element.carbon, top.add_residue("ALA", chain))
    traj = md.Trajectory(xyz / 10.0, top)  # nm
    n = xyz.shape[1]
    pos = torch.as_tensor(xyz)
    np.testing.assert_allclose(
        priors.bond_lengths(pos).numpy(),
        10.0 * md.compute_distances(traj, [(i, i + 1) for i in range(n - 1)]),
        rtol=1e-5,
    )
    np.testing.assert_allclose(
        priors.bond_angles(pos).numpy(),
        md.compute_angles(traj, [(i, i + 1, i + 2) for i in range(n - 2)]),
        atol=1e-5,
    )
    np.testing.assert_allclose(
        priors.dihedral_angles(pos).numpy(),
        md.compute_dihedrals(traj, [(i, i + 1, i + 2, i + 3) for i in range(n - 3)]),
        atol=1e-5,
    )


def test_harmonic_bond_and_angle_fits_recover_parameters():
    rng = np.random.default_rng(1)
    r = np.linspace(3.0, 4.6, 20001)
    k_b, r0 = 40.0, 3.81
    bonds = _sample(r**2 * np.exp(-0.5 * k_b * (r - r0) ** 2 / KT), r, 400_000, rng)
    k_fit, r0_fit = priors.fit_harmonic(bonds, 350.0, "r2")
    assert k_fit == pytest.approx(k_b, rel=0.05) and r0_fit == pytest.approx(r0, abs=0.005)
    # without the r^2 Jacobian the minimum would shift outwards: the correction matters
    _, r0_naive = priors.fit_harmonic(bonds, 350.0, "none")
    assert r0_naive - r0 > 3 * abs(r0_fit - r0)

    theta = np.linspace(0.5, 3.1, 20001)
    k_a, t0 = 8.0, np.radians(105.0)
    angles = _sample(
        np.sin(theta) * np.exp(-0.5 * k_a * (theta - t0) ** 2 / KT), theta, 400_000, rng
    )
    k_fit, t0_fit = priors.fit_harmonic(angles, 350.0, "sin")
    assert k_fit == pytest.approx(k_a, rel=0.05) and t0_fit == pytest.approx(t0, abs=0.01)


def test_harmonic_fit_of_a_bimodal_angle_stays_in_the_sampled_range():
    """An NTL9 angle, helical (~90°) in most frames and extended (~125°) in the rest
    (histogram of angle 22-23-24 of a default-scale run): the weighted parabola put its
    minimum at 68°, below every sample, before the fallback to the moments."""
    edges = np.linspace(81.0, 136.0, 13)
    counts = [22, 184, 306, 161, 66, 8, 13, 49, 73, 83, 27, 8]
    rng = np.random.default_rng(4)
    angles = np.radians(
        np.concatenate([rng.uniform(edges[i], edges[i + 1], c) for i, c in enumerate(counts)])
    )
    k, t0 = priors.fit_harmonic(angles, 350.0, "sin")
    assert angles.min() <= t0 <= angles.max()
    assert t0 == pytest.approx(angles.mean()) and k == pytest.approx(KT / angles.var())


def test_fourier_fit_recovers_coefficients():
    rng = np.random.default_rng(2)
    phi = np.linspace(-np.pi, np.pi, 20001)
    coeffs = np.array([0.6, -0.3, 0.1, 0.4, 0.0, -0.2])  # a1..a3, b1..b3
    energy = priors.fourier_design(phi, 3) @ coeffs
    samples = _sample(np.exp(-energy / KT), phi, 400_000, rng)
    np.testing.assert_allclose(priors.fit_fourier(samples, 350.0, 3), coeffs, atol=0.03)


def test_fourier_fit_of_few_samples_stays_bounded():
    """40 dihedrals in two narrow clusters: the fit must not diverge between them."""
    rng = np.random.default_rng(5)
    samples = np.concatenate([rng.normal(-1.0, 0.05, 20), rng.normal(0.9, 0.05, 20)])
    coeffs = priors.fit_fourier(samples, 350.0, 3)
    phi = np.linspace(-np.pi, np.pi, 721)
    energy = priors.fourier_design(phi, 3) @ coeffs
    barrier = KT * np.log(40 + 72)  # the pseudo-count bounds every barrier
    assert np.abs(coeffs).max() < barrier
    assert energy.max() - energy.min() < 2 * barrier
    # the sampled clusters stay the low-energy region
    sampled = priors.fourier_design(samples, 3) @ coeffs
    assert sampled.mean() < energy.mean()


def test_repulsion_sigma_cap():
    xyz = _random_chain(n_frames=50, n_beads=7, seed=6)
    xyz += np.random.default_rng(8).normal(scale=0.05, size=xyz.shape)
    types = np.arange(7)
    free = priors.fit_prior(xyz, types, 350.0)
    cap = float(np.median(free.repulsion_sigma))
    capped = priors.fit_prior(xyz, types, 350.0, max_sigma=cap)
    assert (free.repulsion_sigma > cap).any()
    np.testing.assert_allclose(capped.repulsion_sigma, np.minimum(free.repulsion_sigma, cap))


def test_prior_parameters_round_trip(tmp_path):
    xyz = _random_chain(n_frames=50, n_beads=6, seed=7)
    xyz += np.random.default_rng(9).normal(scale=0.05, size=xyz.shape)
    params = priors.fit_prior(xyz, np.arange(6), 350.0)
    priors.save_prior(tmp_path / "prior.json", params)
    back = priors.load_prior(tmp_path / "prior.json")
    pos = torch.as_tensor(xyz[:3])
    torch.testing.assert_close(priors.ChainPrior(back)(pos), priors.ChainPrior(params)(pos))
    forces = priors.prior_forces(priors.ChainPrior(params), xyz[:3])
    _, expected = priors.ChainPrior(params).energy_and_forces(pos)
    np.testing.assert_allclose(forces, expected.numpy())


def test_fit_prior_sets_repulsion_sigma_per_type_pair():
    xyz = _random_chain(n_frames=200, n_beads=7, seed=3)
    xyz += np.random.default_rng(4).normal(scale=0.05, size=xyz.shape)
    types = np.array([1, 2, 1, 2, 1, 2, 3])
    params = priors.fit_prior(xyz, types, 350.0)
    assert params.bond_k.shape == (6,) and params.angle_k.shape == (5,)
    assert params.dihedral.shape == (4, 6)
    d = np.linalg.norm(xyz[:, params.pairs[:, 0]] - xyz[:, params.pairs[:, 1]], axis=-1).min(0)
    for (i, j), sigma in zip(params.pairs, params.repulsion_sigma, strict=True):
        same = [
            d[n]
            for n, (a, b) in enumerate(params.pairs)
            if sorted((types[a], types[b])) == sorted((types[i], types[j]))
        ]
        assert sigma == pytest.approx(min(same))
    table = params.table(types)
    assert set(table["term"]) == {"bond", "angle", "dihedral", "repulsion"}
    assert table.loc[table["parameter"] == "theta0", "unit"].eq("deg").all()
    with pytest.raises(ValueError, match="NaN"):
        priors.fit_prior(np.full((2, 5, 3), np.nan), types[:5], 350.0)


def test_prior_energy_and_forces():
    xyz = _random_chain(n_frames=2, n_beads=6, seed=5)
    rng = np.random.default_rng(6)
    params = priors.PriorParameters(
        bond_k=rng.uniform(10, 50, 5),
        bond_r0=rng.uniform(3.6, 4.0, 5),
        angle_k=rng.uniform(2, 10, 4),
        angle_theta0=rng.uniform(1.5, 2.2, 4),
        dihedral=rng.normal(size=(3, 4)),
        pairs=priors.nonbonded_pairs(6),
        repulsion_sigma=np.full(6, 12.0),  # large: every pair is inside, the term is on
    )
    prior = priors.ChainPrior(params)
    energy, forces = prior.energy_and_forces(torch.as_tensor(xyz))
    # reference: explicit loops over the terms
    for f, frame in enumerate(xyz):
        e = 0.0
        for i in range(5):
            r = np.linalg.norm(frame[i + 1] - frame[i])
            e += 0.5 * params.bond_k[i] * (r - params.bond_r0[i]) ** 2
        for i in range(4):
            a, b = frame[i] - frame[i + 1], frame[i + 2] - frame[i + 1]
            t = np.arccos(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
            e += 0.5 * params.angle_k[i] * (t - params.angle_theta0[i]) ** 2
        phi = priors.dihedral_angles(torch.as_tensor(frame)).numpy()
        for i in range(3):
            c = params.dihedral[i]
            e += c[0] * np.cos(phi[i]) + c[1] * np.cos(2 * phi[i])
            e += c[2] * np.sin(phi[i]) + c[3] * np.sin(2 * phi[i])
        for (i, j), s in zip(params.pairs, params.repulsion_sigma, strict=True):
            e += 20.0 * max(s - np.linalg.norm(frame[i] - frame[j]), 0.0) ** 3
        assert energy[f].item() == pytest.approx(e, rel=1e-10)
    # forces = -finite-difference gradient
    h = 1e-5
    for bead, axis in [(0, 0), (3, 1), (5, 2)]:
        plus, minus = xyz.copy(), xyz.copy()
        plus[:, bead, axis] += h
        minus[:, bead, axis] -= h
        fd = -(prior(torch.as_tensor(plus)) - prior(torch.as_tensor(minus))) / (2 * h)
        np.testing.assert_allclose(forces[:, bead, axis].numpy(), fd.numpy(), rtol=1e-6, atol=1e-6)
