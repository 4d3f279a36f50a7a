"""Seeded state sampling: smooth contact fractions, Cα-only walls, unbiased stored forces."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import openmm
import pandas as pd
import pytest
from openmm import app, unit

from cgexplain.analysis.states import contact_fraction, frame_states
from cgexplain.io import InputError, load_trajectory
from cgexplain.md import sampling as S
from cgexplain.md.reference import RunSettings, run_reference
from cgexplain.md.systems import ReferenceSystem

N = 8  # residues of the toy chain; atoms: a CA and an "H" per residue


def _toy(seed: int = 0):
    """A chain of CA atoms (bonded) each with a side atom, no bias: positions nm."""
    rng = np.random.default_rng(seed)
    top = app.Topology()
    chain = top.addChain()
    system = openmm.System()
    bonds = openmm.HarmonicBondForce()
    positions = []
    for k in range(N):
        res = top.addResidue("ALA", chain)
        top.addAtom("CA", app.element.carbon, res)
        top.addAtom("HA", app.element.hydrogen, res)
        system.addParticle(12.0)
        system.addParticle(1.0)
        # a hairpin: residues 0-3 up one strand, 4-7 back down 0.5 nm away
        x = 0.38 * (k if k < 4 else 7 - k)
        y = 0.0 if k < 4 else 0.5
        positions += [[x, y, 0.0], [x, y, 0.11]]
        bonds.addBond(2 * k, 2 * k + 1, 0.11, 2e5)
        if k:
            bonds.addBond(2 * (k - 1), 2 * k, 0.38, 2e4)
    system.addForce(bonds)
    positions = np.asarray(positions) + rng.normal(0, 0.01, (2 * N, 3))
    ca = np.arange(0, 2 * N, 2)
    ref = ReferenceSystem("toy", top, system, positions, np.repeat(np.arange(N), 2), ca, 6)
    native = positions[ca] * 10.0
    pairs = np.array([[0, 7], [1, 6], [2, 5], [0, 6], [1, 5]])
    r0 = np.linalg.norm(native[pairs[:, 0]] - native[pairs[:, 1]], axis=1)
    # "helix": (i, i+3) pairs across the turn; along a straight strand the bonds are
    # already at full stretch, so only a bond-breaking force could break such a pair
    local = np.array([[1, 4], [2, 5], [3, 6]])
    r_local = np.linalg.norm(native[local[:, 0]] - native[local[:, 1]], axis=1)
    contacts = {"b1b2": (pairs, r0), "b1b3": (pairs[:3], r0[:3]), "helix": (local, r_local)}
    return ref, contacts


def _energy_forces(system: openmm.System, positions: np.ndarray, groups=-1):
    integ = openmm.VerletIntegrator(1e-3)
    ctx = openmm.Context(system, integ, openmm.Platform.getPlatformByName("Reference"))
    ctx.setPositions(positions * unit.nanometer)
    state = ctx.getState(getEnergy=True, getForces=True, groups=groups)
    e = state.getPotentialEnergy().value_in_unit(unit.kilocalorie_per_mole)
    f = state.getForces(asNumpy=True).value_in_unit(unit.kilocalorie_per_mole / unit.angstrom)
    return e, np.asarray(f)


def test_smooth_fraction_tends_to_the_hard_fraction():
    ref, contacts = _toy()
    pairs, r0 = contacts["b1b2"]
    rng = np.random.default_rng(1)
    x = ref.positions[ref.bead_atoms][None] * 10.0 + rng.normal(0, 1.5, (20, N, 3))
    hard = contact_fraction(x, pairs, r0, 1.2)
    with np.errstate(over="ignore"):
        sharp = S.smooth_fraction(x, pairs, r0, 1.2, sharpness=1e5)
    np.testing.assert_allclose(sharp, hard, atol=1e-6)
    soft = S.smooth_fraction(x, pairs, r0, 1.2, sharpness=2.0)
    assert np.all((soft > 0) & (soft < 1)) and not np.allclose(soft, hard)


def test_contact_bias_matches_numpy_walls_and_acts_on_calpha_only():
    ref, contacts = _toy()
    walls = S.Walls.for_state("P2", formed=0.7, broken=0.3, margin=0.1, k=50.0)
    assert set(walls.lower) == {"b1b2"} and set(walls.upper) == {"b1b3", "helix"}
    force = S.contact_bias(ref.bead_atoms, contacts, walls, tolerance=1.2, sharpness=2.0)
    assert force.getForceGroup() == S.BIAS_GROUP
    biased = S.with_bias(ref.system, force)
    assert ref.system.getNumForces() == 1 and biased.getNumForces() == 2

    def numpy_energy(pos_nm):
        ca = pos_nm[None, ref.bead_atoms] * 10.0
        q = {e: S.smooth_fraction(ca, *contacts[e], 1.2, 2.0) for e in contacts}
        return float(walls.energy(q)[0])

    x = ref.positions
    e_omm, f_omm = _energy_forces(biased, x, groups={S.BIAS_GROUP})
    assert e_omm == pytest.approx(numpy_energy(x), rel=1e-5)
    assert e_omm > 1.0  # the native-like toy breaks the walls of P2: the test can fail
    # forces: minus the gradient of the numpy energy (central differences, Å)
    h = 1e-5  # nm
    grad = np.zeros_like(x)
    for i in range(len(x)):
        for d in range(3):
            xp, xm = x.copy(), x.copy()
            xp[i, d] += h
            xm[i, d] -= h
            grad[i, d] = (numpy_energy(xp) - numpy_energy(xm)) / (2 * h * 10.0)
    np.testing.assert_allclose(f_omm, -grad, atol=2e-3 * np.abs(grad).max())
    side = np.setdiff1d(np.arange(len(x)), ref.bead_atoms)
    assert np.all(f_omm[side] == 0) and np.abs(f_omm[ref.bead_atoms]).max() > 0.1
    # rigid motions leave the bias unchanged
    c, s = np.cos(0.7), np.sin(0.7)
    rot = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1.0]])
    e_moved, _ = _energy_forces(biased, x @ rot.T + 3.0, groups={S.BIAS_GROUP})
    assert e_moved == pytest.approx(e_omm, rel=1e-6)


def test_with_bias_refuses_a_system_that_uses_the_bias_group():
    ref, contacts = _toy()
    ref.system.getForce(0).setForceGroup(S.BIAS_GROUP)
    walls = S.Walls.for_state("U", 0.7, 0.3, 0.1, 10.0)
    with pytest.raises(InputError, match="force group 31"):
        S.with_bias(ref.system, S.contact_bias(ref.bead_atoms, contacts, walls))


def test_stored_forces_of_a_biased_run_exclude_the_bias(tmp_path):
    ref, contacts = _toy()
    walls = S.Walls.for_state("U", 0.7, 0.3, 0.1, k=200.0)
    bias = S.contact_bias(ref.bead_atoms, contacts, walls)
    settings = RunSettings(
        temperature=300.0, friction=5.0, timestep=1.0, equilibration=0.0, length=0.05,
        save_interval=0.01, checkpoint_interval=0.05, seed=3, minimize_tolerance=10.0,
        platform="Reference",
    )  # fmt: skip
    out = tmp_path / "biased.h5"
    run_reference(ref, settings, out, tmp_path / "work", bias=bias)
    traj = load_trajectory(out)
    assert traj.n_frames == 5 and traj.metadata["biased"] is True
    biased_system = S.with_bias(ref.system, bias)
    for k in range(traj.n_frames):
        x = traj.positions[k] / 10.0
        e_plain, f_plain = _energy_forces(ref.system, x)
        e_all, f_all = _energy_forces(biased_system, x)
        np.testing.assert_allclose(traj.forces[k], f_plain, rtol=1e-4, atol=1e-3)
        assert traj.potential_energy[k] == pytest.approx(e_plain, rel=1e-5, abs=1e-4)
        # the bias is active in these frames, so a biased force would have been seen
        assert np.abs(f_all - f_plain).max() > 1.0 and e_all - e_plain > 0.1


def _table(q: np.ndarray) -> pd.DataFrame:
    t = pd.DataFrame(q, columns=["b1b2", "b1b3", "helix"])
    from cgexplain.analysis.states import assign_states

    t["state"] = assign_states(t)
    return t


def test_pick_seed_prefers_frames_in_the_state_and_falls_back_to_the_nearest():
    t = _table(np.array([[1.0, 1.0, 1.0], [0.9, 0.8, 0.75], [0.5, 0.9, 0.9], [0.0, 0.1, 0.0]]))
    assert S.pick_seed(t, "F") == (0, True)
    assert S.pick_seed(t, "U") == (3, True)
    assert S.pick_seed(t, "P1") == (2, False)  # nearest to (0, 1, 1), not in P1
    # P2 = (1, 0, 0): the bias breaks b1b3 and the helix but cannot re-form b1b2, so the
    # start is a frame whose b1b2 is formed (frame 1), not the Euclidean-nearest (3)
    assert S.corner_distance(t, "P2")[3] < S.corner_distance(t, "P2")[0]
    assert S.pick_seed(t, "P2") == (1, False)
    np.testing.assert_allclose(S.corner_distance(t, "P2")[0], np.sqrt(2.0))


def test_melting_order_names_the_element_that_melts_first():
    temps = np.linspace(400, 650, 100)
    q = np.stack([
        np.where(temps < 500, 1.0, 0.0),  # b1b2 melts at 500 K
        np.where(temps < 600, 1.0, 0.0),  # b1b3 at 600 K
        np.ones(100),  # helix never
    ], axis=1)  # fmt: skip
    t = _table(q)
    t["temperature"], t["time"] = temps, np.arange(100) * 0.2
    order = S.melting_order(t, broken=0.3, window=1)
    assert list(order["element"]) == ["b1b2", "b1b3", "helix"]
    assert order["melt_temperature"].iloc[0] == pytest.approx(temps[temps >= 500][0])
    assert np.isnan(order["melt_temperature"].iloc[2])


def test_biased_seed_run_reaches_an_unvisited_state():
    ref, contacts = _toy()
    start = ref.positions
    assert frame_states(start[None, ref.bead_atoms] * 10.0, contacts)["state"].iloc[0] != "U"
    bias = S.BiasSettings(
        k=2000.0,
        temperature=300.0,
        max_length=2.0,
        settle=0.05,
        save_interval=0.01,
        timestep=1.0,
        friction=5.0,
        platform="Reference",
    )
    seed, trace, reached = S.make_seed(ref, start, "U", contacts, bias)
    assert reached and trace["state"].iloc[-1] == "U"
    assert frame_states(seed[None, ref.bead_atoms] * 10.0, contacts)["state"].iloc[0] == "U"
    # the same seed gives the same run (OpenMM would draw a fresh seed for 0) ...
    again, trace_again, _ = S.make_seed(ref, start, "U", contacts, bias)
    np.testing.assert_array_equal(again, seed)
    pd.testing.assert_frame_equal(trace_again, trace)
    # ... another seed another one, and 0 is refused
    other, _, _ = S.make_seed(ref, start, "U", contacts, replace(bias, seed=bias.seed + 1))
    assert np.abs(other - seed).max() > 1e-3
    with pytest.raises(ValueError, match="seed must be an integer >= 1"):
        S.make_seed(ref, start, "U", contacts, replace(bias, seed=0))


def test_seed_files_round_trip_and_bad_seeds_are_named(tmp_path):
    ref, _ = _toy()
    trace = _table(np.array([[0.1, 0.9, 0.9]]))
    path = tmp_path / "P1.npz"
    S.write_seed(path, ref.positions, "P1", "bias", True, trace, 4)
    seed = S.read_seed(path, ref.n_atoms)
    np.testing.assert_allclose(seed["positions"], ref.positions)
    assert str(seed["state"]) == "P1" and int(seed["ramp_frame"]) == 4
    with pytest.raises(InputError, match="expected"):
        S.read_seed(path, ref.n_atoms + 1)
    with pytest.raises(InputError, match="not found"):
        S.read_seed(tmp_path / "none.npz", ref.n_atoms)
    assert S.seed_states(5, ["F", "U", "P1", "P2"]) == ["F", "U", "P1", "P2", "F"]
