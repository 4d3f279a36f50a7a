"""IMC pair potential (cgexplain.cg.imc) and LAMMPS files (cgexplain.md.lammps).

The tests that run LAMMPS or VOTCA skip, naming what to install, where the programs
are absent (.ci/run installs them).
"""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from cgexplain.analysis.rdf import radial_distribution
from cgexplain.cg import imc
from cgexplain.io import InputError
from cgexplain.md import lammps
from cgexplain.units import KB_KJ_PER_MOL_K, KJ_PER_KCAL

HAVE_LMP = shutil.which("lmp") is not None
HAVE_VOTCA = shutil.which("csg_inverse") is not None and shutil.which("csg_dump") is not None
INSTALL = (
    "apt-get install --no-install-recommends votca votca-data lammps (envs/install_imc_tools.sh)"
)
needs_lmp = pytest.mark.skipif(not HAVE_LMP, reason=f"LAMMPS (lmp) not installed: {INSTALL}")
needs_votca = pytest.mark.skipif(
    not (HAVE_LMP and HAVE_VOTCA), reason=f"VOTCA or LAMMPS not installed: {INSTALL}"
)

#: methane's published box (Å) and a Lennard-Jones CH4 bead (kcal/mol, Å)
BOX = np.array([20.768, 20.410, 17.969])
EPS, SIGMA = 0.294, 3.73
KT_KCAL = KB_KJ_PER_MOL_K * 300.0 / KJ_PER_KCAL


def lj(r: np.ndarray) -> np.ndarray:
    return 4 * EPS * ((SIGMA / r) ** 12 - (SIGMA / r) ** 6)


def lattice(n_side: int = 5, jitter: float = 0.1, seed: int = 0) -> np.ndarray:
    grid = np.stack(np.meshgrid(*[np.arange(n_side)] * 3, indexing="ij"), -1).reshape(-1, 3)
    rng = np.random.default_rng(seed)
    return grid * BOX / n_side + rng.normal(0.0, jitter, grid.shape)


def settings(**changes) -> imc.IMCSettings:
    values = dict(
        temperature=300.0,
        iterations=2,
        equilibration_steps=1000,
        steps=20000,
        dump_interval=50,
        timestep=5.0,
        damping=100.0,
        table_min=None,
        table_max=8.9,
        table_step=0.1,
        regularization=10.0,
        smoothing=1,
        final_steps=20000,
        final_equilibration_steps=2000,
        final_dump_interval=100,
        seed=11,
    )
    values.update(changes)
    return imc.IMCSettings(**values)


# --------------------------------------------------------------------------- pure Python


def test_units_round_trip_and_match_the_lammps_scales():
    r, u = np.array([2.5, 3.7, 8.9]), np.array([3.0, -0.29, 0.0])
    r_nm, u_kj = imc.to_votca(r, u)
    np.testing.assert_allclose(r_nm, [0.25, 0.37, 0.89])
    np.testing.assert_allclose(u_kj, u * 4.184)
    back = imc.from_votca(r_nm, u_kj)
    np.testing.assert_allclose(back[0], r, rtol=1e-15)
    np.testing.assert_allclose(back[1], u, rtol=1e-15)
    # the XML tells VOTCA to write LAMMPS tables with exactly the inverse conversion
    root = ET.fromstring(imc.settings_xml(settings(table_min=3.0), "Bead1", "lmp"))
    table = root.find("non-bonded/inverse/lammps")
    assert float(table.findtext("scale")) * r_nm[1] == pytest.approx(r[1])
    assert float(table.findtext("y_scale")) * u_kj[1] == pytest.approx(u[1], rel=1e-8)


def test_settings_xml_describes_an_imc_run_with_lammps_in_votca_units():
    s = settings(table_min=3.1, regularization=25.0, smoothing=2)
    root = ET.fromstring(imc.settings_xml(s, "Bead1", "/usr/bin/lmp", tasks=2))
    nb = root.find("non-bonded")
    assert nb.findtext("type1") == nb.findtext("type2") == "Bead1"
    assert float(nb.findtext("min")) == pytest.approx(0.31)
    assert float(nb.findtext("max")) == pytest.approx(0.89)
    assert float(nb.findtext("step")) == pytest.approx(0.01)
    assert nb.findtext("inverse/imc/group") == imc.GROUP
    assert nb.findtext("inverse/post_update") == "smooth"
    assert nb.findtext("inverse/post_update_options/smooth/iterations") == "2"
    inv = root.find("inverse")
    assert inv.findtext("method") == "imc"
    assert inv.findtext("program") == "lammps"
    assert inv.findtext("lammps/command") == "/usr/bin/lmp"
    assert inv.findtext("lammps/equi_time") == "0"
    assert float(inv.findtext(f"imc/{imc.GROUP}/reg")) == 25.0
    assert float(inv.findtext("kBT")) == pytest.approx(0.008314462618 * 300.0)
    assert inv.findtext("simulation/tasks") == "2"
    assert int(inv.findtext("iterations_max")) == s.iterations


def test_boltzmann_inversion_recovers_the_potential_and_walls_the_core():
    r = np.linspace(2.0, 8.9, 70)
    kbt = 0.6
    u_true = lj(r)
    g = np.exp(-u_true / kbt)
    u = imc.boltzmann_inversion(r, g, kbt, g_min=1e-3)
    defined = g >= 1e-3
    np.testing.assert_allclose(u[defined], (u_true - u_true[-1])[defined], atol=1e-9)
    core = np.flatnonzero(~defined)
    assert len(core) > 3
    assert np.all(np.diff(u[: core[-1] + 2]) < 0), "the wall must fall monotonically"
    assert np.all(np.isfinite(u))
    assert u[-1] == 0.0


def test_core_start_is_the_grid_point_below_the_first_populated_bin():
    r = np.arange(0.05, 8.9, 0.1)
    g = np.where(r > 3.3, 1.0, 0.0)
    rdf = pd.DataFrame({"r": r, "g": g})
    start = imc.core_start(rdf, table_max=8.9, table_step=0.1)
    assert start == pytest.approx(3.3)  # first bin above g_min is centred at 3.35
    steps = (8.9 - start) / 0.1
    assert steps == pytest.approx(round(steps))
    with pytest.raises(InputError, match="never exceeds"):
        imc.core_start(pd.DataFrame({"r": r, "g": 0 * r}), 8.9, 0.1)


def test_target_on_grid_interpolates_and_refuses_a_short_rdf():
    r = np.arange(0.05, 9.0, 0.1)
    rdf = pd.DataFrame({"r": r, "g": 1.0 + 0.1 * r})
    grid = np.arange(0.30, 0.8901, 0.01)
    target = imc.target_on_grid(rdf, grid)
    np.testing.assert_allclose(target, 1.0 + 0.1 * grid * 10, atol=1e-12)
    with pytest.raises(InputError, match="raise structure.rdf_max"):
        imc.target_on_grid(rdf[rdf.r < 6.0], grid)
    bad = rdf.copy()
    bad.loc[3, "g"] = np.nan
    with pytest.raises(InputError, match="NaN"):
        imc.target_on_grid(bad, grid)


def test_votca_table_round_trip(tmp_path):
    x = np.array([0.3, 0.31, 0.32])
    y = np.array([1.5, -0.25, 1e-12])
    imc.write_votca_table(tmp_path / "t.pot", x, y, np.array(["o", "i", "i"]))
    (tmp_path / "t.pot").write_text("# comment\n" + (tmp_path / "t.pot").read_text())
    x2, y2, f2 = imc.read_votca_table(tmp_path / "t.pot")
    np.testing.assert_allclose(x2, x)
    np.testing.assert_allclose(y2, y)
    assert f2.tolist() == ["o", "i", "i"]


def test_settings_refuse_a_table_beyond_half_the_box():
    with pytest.raises(InputError, match="half the shortest box edge"):
        settings(table_max=9.0, table_min=3.0).validate(np.diag(BOX))
    with pytest.raises(InputError, match="multiple of table_step"):
        settings(table_max=8.9, table_min=3.05, table_step=0.1).validate(np.diag(BOX))


def test_lammps_table_follows_the_curved_wall_and_adds_a_repulsive_one_below():
    r0 = np.arange(3.2, 8.9001, 0.1)
    shift = lj(r0)[-1]
    potential = pd.DataFrame({"r": r0, "energy": lj(r0) - shift})
    r, u = imc.lammps_table(potential, KT_KCAL, r_begin=1.6, spacing=0.01)
    assert r[0] == pytest.approx(1.6, abs=0.01) and r[-1] == pytest.approx(8.9)
    inside = r >= r0[0] - 1e-9
    on_grid = np.isclose(r[:, None], r0[None, :], atol=1e-9).any(axis=1)
    np.testing.assert_allclose(u[on_grid], np.interp(r[on_grid], r0, lj(r0) - shift), atol=1e-9)
    # between grid points the spline follows the steep, curved wall; a linear
    # interpolation would harden it (and shift the first RDF peak outwards)
    exact = lj(r[inside]) - shift
    spline_error = np.abs(u[inside] - exact).max()
    linear_error = np.abs(np.interp(r[inside], r0, lj(r0) - shift) - exact).max()
    assert spline_error < linear_error / 5, (spline_error, linear_error)
    wall = ~inside
    assert np.all(np.diff(u[wall]) < 0) and u[0] > u[inside][0]


def test_missing_tools_name_what_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("CGEXPLAIN_LMP", raising=False)
    with pytest.raises(lammps.ToolMissingError) as err:
        lammps.require_executable("lmp", "CGEXPLAIN_LMP")
    message = str(err.value)
    assert "apt-get install --no-install-recommends votca votca-data lammps" in message
    assert "envs/votca.yaml" in message and "enabled: false" in message


def test_serial_environment_hides_the_slurm_step_from_open_mpi(monkeypatch):
    """Inside a SLURM step, Debian's MPI-built lmp aborts in MPI_Init unless it cannot
    see the step (seen in the SLURM profile test): the child gets none of its variables."""
    for name in ("SLURM_STEP_ID", "SLURM_JOB_ID", "PMIX_SERVER_URI", "PMI_FD"):
        monkeypatch.setenv(name, "1")
    monkeypatch.setenv("CGEXPLAIN_KEEP", "yes")
    env = lammps.serial_environment(threads=3)
    assert not [k for k in env if k.startswith(("SLURM_", "PMI_", "PMIX_"))]
    assert env["OMP_NUM_THREADS"] == "3" and env["CGEXPLAIN_KEEP"] == "yes"
    assert os.environ["SLURM_STEP_ID"] == "1"  # the parent's environment is untouched


def test_write_data_refuses_a_triclinic_box_and_nan(tmp_path):
    pos = lattice()
    tilted = np.diag(BOX)
    tilted[1, 0] = 1.0
    with pytest.raises(InputError, match="orthorhombic"):
        lammps.write_data(tmp_path / "x.data", pos, tilted, 16.04)
    pos[3, 1] = np.nan
    with pytest.raises(InputError, match="NaN"):
        lammps.write_data(tmp_path / "x.data", pos, np.diag(BOX), 16.04)


# --------------------------------------------------------------------------- LAMMPS


def direct_forces(positions: np.ndarray, box: np.ndarray, cutoff: float) -> np.ndarray:
    """Lennard-Jones forces by minimum image, kcal/mol/Å (independent of the table)."""
    edges = np.diag(box)
    d = positions[None, :, :] - positions[:, None, :]  # (n, n, 3): r_j - r_i
    d -= edges * np.round(d / edges)
    r = np.linalg.norm(d, axis=-1)
    np.fill_diagonal(r, np.inf)
    du_dr = 4 * EPS * (-12 * SIGMA**12 / r**13 + 6 * SIGMA**6 / r**7)
    du_dr[r > cutoff] = 0.0
    # F_i = sum_j dU/dr * (r_j - r_i)/r
    return np.einsum("ij,ijk->ik", du_dr / r, d)


@needs_lmp
def test_zero_step_lammps_run_accepts_the_files_and_gives_the_table_forces(tmp_path):
    pos = lattice(jitter=0.3)
    lammps.write_data(tmp_path / "cg.data", pos, np.diag(BOX), 16.04)
    r = np.arange(1.0, 8.9001, 0.002)
    lammps.write_table(tmp_path / "lj.table", r, lj(r) - lj(r)[-1], keyword="LJ")
    run = lammps.LangevinInput(
        temperature=300.0,
        timestep=1.0,
        damping=1e12,  # fix langevin adds its forces to the dumped ones: make them ~1e-6
        equilibration_steps=0,
        production_steps=0,
        dump_interval=1,
        seed=5,
        table_points=20000,
    )
    lammps.write_input(
        tmp_path / "in.lmp", run, "cg.data", "lj.table", "LJ", 8.9, "t.dump", forces=True
    )
    lammps.run_lammps(tmp_path / "in.lmp", tmp_path, tmp_path / "lmp.out")
    dump = lammps.read_dump(tmp_path / "t.dump")
    assert dump.positions.shape == (1, len(pos), 3) and dump.steps.tolist() == [0]
    np.testing.assert_allclose(dump.box[0], np.diag(BOX), atol=1e-6)
    np.testing.assert_allclose(dump.positions[0], np.mod(pos, BOX), atol=1e-5)
    expected = direct_forces(dump.positions[0], dump.box[0], 8.9)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(dump.forces[0], expected, atol=2e-3 * scale)
    # the workflow's own table forces (stored with the final IMC run) agree as well
    own = imc.table_forces(dump.positions[0], dump.box[0], r, lj(r) - lj(r)[-1])
    np.testing.assert_allclose(own, expected, atol=2e-3 * scale)


@needs_lmp
def test_a_failing_lammps_run_says_why(tmp_path):
    (tmp_path / "in.lmp").write_text("units real\nread_data missing.data\n")
    with pytest.raises(RuntimeError, match="LAMMPS failed"):
        lammps.run_lammps(tmp_path / "in.lmp", tmp_path, tmp_path / "lmp.out")


@pytest.fixture(scope="module")
def lj_liquid(tmp_path_factory):
    """A Lennard-Jones methane-like liquid sampled by LAMMPS: its RDF and last frame."""
    if not HAVE_LMP:
        pytest.skip(f"LAMMPS (lmp) not installed: {INSTALL}")
    path = tmp_path_factory.mktemp("lj")
    lammps.write_data(path / "cg.data", lattice(), np.diag(BOX), 16.04)
    r = np.arange(1.0, 8.9001, 0.01)
    lammps.write_table(path / "lj.table", r, lj(r) - lj(r)[-1], keyword="LJ")
    run = lammps.LangevinInput(
        temperature=300.0,
        timestep=5.0,
        damping=100.0,
        equilibration_steps=5000,
        production_steps=50000,
        dump_interval=100,
        seed=7,
    )
    lammps.write_input(path / "in.lmp", run, "cg.data", "lj.table", "LJ", 8.9, "t.dump")
    lammps.run_lammps(path / "in.lmp", path, path / "lmp.out")
    dump = lammps.read_dump(path / "t.dump")
    rdf = radial_distribution(dump.positions, dump.box, 8.9, 89)
    return rdf, dump.positions[-1]


@pytest.mark.slow
@needs_lmp
def test_final_run_with_a_known_potential_reproduces_its_structure(lj_liquid, tmp_path):
    """simulate_table with the exact LJ potential on the IMC grid gives the LJ liquid."""
    rdf, start = lj_liquid
    r0 = np.arange(3.0, 8.9001, 0.1)
    potential = pd.DataFrame({"r": r0, "energy": lj(r0) - lj(r0)[-1], "sampled": True})
    dump = imc.simulate_table(potential, settings(), start, np.diag(BOX), 16.04, tmp_path / "run")
    assert dump.forces is not None and dump.positions.shape[1] == len(start)
    assert len(dump.steps) == 20000 // 100 + 1
    assert ((dump.positions >= 0) & (dump.positions < BOX)).all()  # wrapped into the box
    again = radial_distribution(dump.positions, dump.box, 8.9, 89)
    assert np.max(np.abs(again["g"] - rdf["g"])) < 0.25  # noise of 200 frames
    peak = rdf["r"][rdf["g"].idxmax()]
    assert again["r"][again["g"].idxmax()] == pytest.approx(peak, abs=0.11)


@pytest.mark.slow
@needs_votca
def test_short_imc_lowers_the_rdf_error_and_resumes(lj_liquid, tmp_path):
    rdf, start = lj_liquid
    s = settings(iterations=3)
    run = imc.IMCRun(tmp_path / "imc", s, rdf, start, np.diag(BOX), 16.04, threads=2)
    assert run.settings.table_min == pytest.approx(imc.core_start(rdf, 8.9, 0.1))
    run.prepare()
    assert (run.path / imc.SETTINGS_XML).is_file()
    run.iterate(max_new=2)
    assert run.completed() == 2
    first = (run.path / "step_001" / "done").stat().st_mtime_ns
    # a new run with the same settings (a restarted job) resumes at iteration 3
    again = imc.IMCRun(tmp_path / "imc", s, rdf, start, np.diag(BOX), 16.04, threads=2)
    again.prepare()
    progress = again.iterate()
    assert (again.path / "step_001" / "done").stat().st_mtime_ns == first
    assert progress["iteration"].tolist() == [1, 2, 3]
    rms = progress["rdf_rms_error"].to_numpy()
    # iteration 1 samples the Boltzmann-inverted guess, 3 the potential after 2 updates
    assert rms[2] < 0.6 * rms[0], progress
    potential = again.potential()
    assert np.all(np.isfinite(potential["energy"]))
    assert potential["r"].iloc[0] == pytest.approx(again.settings.table_min)
    # the attractive well of the fitted potential sits near the LJ minimum (2^1/6 σ)
    well = potential["r"][potential["energy"].idxmin()]
    assert well == pytest.approx(2 ** (1 / 6) * SIGMA, abs=0.4)
    # other settings: the work directory starts afresh
    other = imc.IMCRun(
        tmp_path / "imc", settings(iterations=1, seed=99), rdf, start, np.diag(BOX), 16.04
    )
    other.prepare()
    assert other.completed() == 0
