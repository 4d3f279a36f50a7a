"""All-atom reference MD: systems, stored forces, resume after a kill, bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import openmm
import pytest
from openmm import unit

from cgexplain.io import InputError, load_trajectory
from cgexplain.md.reference import RunSettings, SimulationError, run_reference
from cgexplain.md.systems import build_methane_box, build_water_box

from ..conftest import REPO

FF = REPO / "resources" / "forcefields" / "methane_oplsaa.xml"
BOX = (20.768, 20.410, 17.969)
AVOGADRO = 6.02214076e23


def grams_per_cm3(masses_amu: np.ndarray, box_angstrom: np.ndarray) -> np.ndarray:
    """Mass density (g/cm³) of atoms of ``masses_amu`` in cell(s) ``box_angstrom`` (…, 3, 3)."""
    volume_cm3 = np.abs(np.linalg.det(np.asarray(box_angstrom, dtype=np.float64))) * 1e-24
    return np.sum(masses_amu) / AVOGADRO / volume_cm3


def methane():
    return build_methane_box(125, BOX, FF, cutoff=8.0, seed=3)


def settings(**change) -> RunSettings:
    """Short methane run settings, with ``change`` applied."""
    base = dict(
        temperature=300,
        friction=1,
        timestep=2,
        equilibration=0.2,
        length=12.0,
        save_interval=0.2,
        checkpoint_interval=0.4,
        seed=5,
        minimize_tolerance=10.0,
        threads=1,
    )
    return RunSettings(**{**base, **change})


def test_methane_box_has_published_density_and_composition():
    ref = methane()
    assert ref.n_atoms == 625 and len(ref.bead_atoms) == 125
    assert ref.density() == pytest.approx(0.437, abs=5e-4)
    assert np.all(ref.atomic_numbers()[ref.bead_atoms] == 6)
    # what OpenMM will simulate: the box of a context's state and the system's masses
    context = openmm.Context(
        ref.system, openmm.VerletIntegrator(1e-3), openmm.Platform.getPlatformByName("Reference")
    )
    state_box = context.getState().getPeriodicBoxVectors(asNumpy=True)
    masses = [ref.system.getParticleMass(i).value_in_unit(unit.dalton) for i in range(625)]
    assert sum(masses) == pytest.approx(125 * 16.043, rel=1e-4)  # CH4, amu
    assert grams_per_cm3(masses, state_box.value_in_unit(unit.angstrom)) == pytest.approx(
        0.437, abs=5e-4
    )
    np.testing.assert_allclose(ref.box_angstrom(), np.diag(BOX), atol=1e-9)


def test_methane_uses_geometric_lennard_jones_mixing():
    """Two isolated atoms C and H: the custom LJ force gives sqrt(sigma_C sigma_H) etc."""
    system = methane().system
    (custom,) = [f for f in system.getForces() if isinstance(f, openmm.CustomNonbondedForce)]
    s_c, e_c = custom.getParticleParameters(0)
    s_h, e_h = custom.getParticleParameters(1)
    assert (s_c, s_h) == pytest.approx((0.35, 0.25))
    assert (e_c, e_h) == pytest.approx((0.066 * 4.184, 0.030 * 4.184))
    assert "sqrt(sigma1*sigma2)" in custom.getEnergyFunction()
    assert custom.getUseLongRangeCorrection()


def test_water_box_is_258_tip3p_molecules():
    ref = build_water_box(20.0, 9.0, 1.5)
    assert len(ref.bead_atoms) == 258 and ref.n_atoms == 774
    assert np.all(ref.atomic_numbers()[ref.bead_atoms] == 8)


def test_missing_force_field_is_named(tmp_path):
    with pytest.raises(InputError, match="force field file not found"):
        build_methane_box(125, BOX, tmp_path / "nope.xml", 8.0, 1)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"length": -1.0}, "length must be positive"),
        ({"save_interval": 20.0}, "save_interval .* longer than the run"),
        ({"save_interval": 0.0033}, "multiple of the timestep"),
        ({"seed": 0}, "seed must be an integer >= 1"),
        ({"seed": 2.5}, "seed must be an integer >= 1"),
    ],
)
def test_bad_run_settings_are_named(change, message):
    with pytest.raises(ValueError, match=message):
        settings(**change)


def test_blow_up_stops_with_nan_message_and_no_output(tmp_path):
    unstable = settings(
        timestep=40,
        equilibration=0,
        length=20,
        save_interval=0.4,
        threads=2,
        minimize_tolerance=1e6,
    )
    out = tmp_path / "traj.h5"
    with pytest.raises(SimulationError, match="NaN"):
        run_reference(methane(), unstable, out, tmp_path / "work")
    assert not out.exists()


RUN_SCRIPT = """
import sys
from cgexplain.md.reference import RunSettings, run_reference
from cgexplain.md.systems import build_methane_box
ref = build_methane_box(125, {box}, {ff!r}, 8.0, 3)
s = RunSettings(temperature=300, friction=1, timestep=2, equilibration=0.2, length={length},
                save_interval=0.2, checkpoint_interval=0.4, seed=5, minimize_tolerance=10.0,
                threads=1)
run_reference(ref, s, sys.argv[1], sys.argv[2])
"""


@pytest.mark.slow
def test_killed_run_resumes_from_checkpoint_and_stores_forces_of_each_frame(tmp_path, caplog):
    out, work = tmp_path / "traj.h5", tmp_path / "work"
    script = tmp_path / "run.py"
    script.write_text(RUN_SCRIPT.format(box=BOX, ff=str(FF), length=12.0))
    proc = subprocess.Popen(
        [sys.executable, str(script), str(out), str(work)],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    progress = work / "progress.json"
    deadline = time.time() + 120
    while time.time() < deadline:
        if progress.exists() and json.loads(progress.read_text())["frames"] >= 6:
            break
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("the run did not checkpoint in time")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not out.exists()
    frames_before = json.loads(progress.read_text())["frames"]
    assert 0 < frames_before < 60

    ref = build_methane_box(125, BOX, FF, 8.0, 3)
    with caplog.at_level("INFO", logger="cgexplain"):
        run_reference(ref, settings(), out, work)  # the same settings as RUN_SCRIPT
    assert f"with {frames_before} frames stored" in caplog.text  # resumed, not restarted
    assert "minimising" not in caplog.text
    assert not work.exists()
    traj = load_trajectory(out)
    assert traj.n_frames == 60
    # the density of what was written: every frame's box (Å) and the atom masses (amu)
    density = grams_per_cm3(traj.masses, traj.box)
    np.testing.assert_allclose(density, 0.437, atol=5e-4)
    assert traj.metadata["density_g_cm3"] == pytest.approx(density[0], rel=1e-5)
    np.testing.assert_allclose(np.diff(traj.time), 0.2, atol=1e-9)
    assert traj.metadata["settings"]["seed"] == 5

    # the stored forces are the forces of the stored configuration
    context = openmm.Context(
        ref.system, openmm.VerletIntegrator(1e-3), openmm.Platform.getPlatformByName("CPU")
    )
    for f in (0, frames_before, traj.n_frames - 1):
        context.setPeriodicBoxVectors(*(traj.box[f] * 0.1))
        context.setPositions(traj.positions[f].astype(np.float64) * 0.1 * unit.nanometer)
        state = context.getState(getForces=True, getEnergy=True)
        forces = state.getForces(asNumpy=True).value_in_unit(
            unit.kilocalorie_per_mole / unit.angstrom
        )
        scale = np.abs(forces).max()
        np.testing.assert_allclose(traj.forces[f], forces, atol=2e-3 * scale)
        energy = state.getPotentialEnergy().value_in_unit(unit.kilocalorie_per_mole)
        assert traj.potential_energy[f] == pytest.approx(energy, abs=0.5)


def test_load_trajectory_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_trajectory(tmp_path / "missing.h5")
    bad = tmp_path / "bad.h5"
    bad.write_text("not hdf5")
    with pytest.raises(InputError, match="cannot read"):
        load_trajectory(bad)
