"""The tiny workflow's protein branch: NTL9 from the shipped resources/structures/2HBA.pdb, no network."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from cgexplain.io import load_trajectory

from ..figure_checks import assert_figure
from .conftest import assert_holds_temperature, has_protein_data

pytestmark = [
    pytest.mark.workflow,
    pytest.mark.skipif(not has_protein_data(), reason="resources/structures/2HBA.pdb is absent"),
]
NTL9 = "MKVIFLKDVKGMGKKGEIKNVADGYANNFLFKQGLAIEA"


def test_reference_runs_are_isolated_calpha_chains(tiny_run):
    cg = load_trajectory(tiny_run / "results/ntl9/mapping/cg_trajectory.h5")
    assert cg.positions.shape == (40, 39, 3)  # 2 runs x 20 frames
    assert np.all(cg.box == 0.0)
    bonds = np.linalg.norm(np.diff(cg.positions, axis=1), axis=-1)
    assert 3.5 < bonds.min() and bonds.max() < 4.2  # Cα-Cα (trans peptides), Å
    runs = cg.metadata["source"]["shards"]
    assert [r["frames"] for r in runs] == [20, 20]
    # run k starts from the seed of sampling.states[k] (tiny: F, P1); P1 is held by walls
    assert [r["seed_state"] for r in runs] == ["F", "P1"]
    assert [r["biased"] for r in runs] == [False, True]
    seeds = tiny_run / "results/ntl9/reference/seeds"
    for run, state in zip(runs, ("F", "P1"), strict=True):
        with np.load(seeds / f"{state}.npz") as seed:
            assert str(seed["state"]) == state and str(seed["origin"]) == run["seed_origin"]
            trace = pd.read_csv(seeds / f"{state}.csv", keep_default_na=False)
            # a seed that reached its state is in it, by the states' own definition
            assert bool(seed["in_state"]) == (trace["state"].iloc[-1] == state)
    ramp = pd.read_csv(tiny_run / "results/ntl9/reference/ramp/states.csv", keep_default_na=False)
    assert ramp["temperature"].is_monotonic_increasing and ramp["temperature"].iloc[0] > 400.0
    assert ramp[["b1b2", "b1b3", "helix"]].apply(lambda q: q.between(0, 1)).all().all()
    melting = pd.read_csv(tiny_run / "results/ntl9/reference/ramp/melting.csv")
    assert sorted(melting["element"]) == ["b1b2", "b1b3", "helix"]


def test_stored_forces_of_the_held_run_are_those_of_the_unbiased_potential(tiny_run):
    import openmm
    from openmm import unit

    from cgexplain.md.protein import build_protein_system

    run = load_trajectory(tiny_run / "results/ntl9/reference/runs/2-of-2/trajectory.h5")
    assert run.metadata["biased"] and run.metadata["seed_state"] == "P1"
    ref = build_protein_system(tiny_run / "results/ntl9/reference/prepared.pdb")
    context = openmm.Context(
        ref.system, openmm.VerletIntegrator(1e-3), openmm.Platform.getPlatformByName("Reference")
    )
    for k in (0, run.n_frames - 1):
        context.setPositions(run.positions[k].astype(np.float64) * unit.angstrom)
        state = context.getState(getForces=True, getEnergy=True)
        forces = state.getForces(asNumpy=True).value_in_unit(
            unit.kilocalorie_per_mole / unit.angstrom
        )
        np.testing.assert_allclose(run.forces[k], forces, rtol=1e-3, atol=0.05)
        energy = state.getPotentialEnergy().value_in_unit(unit.kilocalorie_per_mole)
        assert run.potential_energy[k] == pytest.approx(energy, abs=0.05)


def test_force_maps_table_names_the_map_the_data_use(tiny_run):
    maps = pd.read_csv(tiny_run / "results/ntl9/mapping/force_maps.csv")
    assert set(maps["map"]) == {"basic", "optimized"} and maps["chosen"].sum() == 1
    cg = load_trajectory(tiny_run / "results/ntl9/mapping/cg_trajectory.h5")
    chosen = maps[maps["chosen"]].iloc[0]
    # the table's number is the mean squared force of the data the network is trained on
    assert np.mean(cg.forces.astype(np.float64) ** 2) == pytest.approx(
        chosen["mean_sq_force"], rel=1e-4
    )
    optimized = maps.set_index("map").loc["optimized"]
    assert optimized["free_weights"] > 0
    assert (
        optimized["mean_sq_force_fit"] <= maps.set_index("map").loc["basic", "mean_sq_force_fit"]
    )


def test_force_matching_table_has_the_protein_with_its_prior(tiny_run):
    table = pd.read_csv(tiny_run / "results/validation/force_matching.csv")
    row = table[(table["system"] == "ntl9") & (table["model"] == "painn")].iloc[0]
    assert row["val_frames"] > 0 and np.isfinite(row["val_rmse_model"])
    # the prior alone already explains part of the mapped force variance
    assert row["val_rmse_prior"] < row["val_force_rms"]


def test_prior_table_and_delta_forces(tiny_run):
    from schnetpack.data import ASEAtomsData

    from cgexplain.cg.priors import ChainPrior, load_prior, prior_forces

    table = pd.read_csv(tiny_run / "results/ntl9/prior/prior.csv")
    assert set(table["term"]) == {"bond", "angle", "dihedral", "repulsion"}
    assert (table["term"] == "bond").sum() == 2 * 38 and (table["term"] == "angle").sum() == 2 * 37
    k = table[(table["term"] == "repulsion") & (table["parameter"] == "k")]["value"]
    assert k.tolist() == [20.0]
    bonds = table[(table["term"] == "bond") & (table["parameter"] == "r0")]["value"]
    assert bonds.between(3.7, 4.0).all()
    prior = ChainPrior(load_prior(tiny_run / "results/ntl9/prior/prior.json"))
    cg = load_trajectory(tiny_run / "results/ntl9/mapping/cg_trajectory.h5")
    data = ASEAtomsData(str(tiny_run / "results/ntl9/prior/delta_dataset.db"))
    assert len(data) == cg.n_frames
    row = data[3]
    expected = cg.forces[3] - prior_forces(prior, cg.positions[3:4])[0]
    np.testing.assert_allclose(row["forces"].numpy(), expected, atol=1e-3)


def test_prior_is_fitted_on_the_training_frames_only(tiny_run):
    """Refitting the bonded terms on the split's training frames reproduces prior.json;
    a fit that also saw the validation frames does not (so the check can fail)."""
    from cgexplain.cg.priors import fit_prior, load_prior
    from cgexplain.cg.splits import load_split

    cg = load_trajectory(tiny_run / "results/ntl9/mapping/cg_trajectory.h5")
    train_idx, val_idx = load_split(tiny_run / "results/ntl9/training/split.npz", cg.n_frames)
    assert len(val_idx) >= 1 and len(train_idx) + len(val_idx) == cg.n_frames
    saved = load_prior(tiny_run / "results/ntl9/prior/prior.json")
    temperature = 350.0  # the schema default, which config/tiny.yaml keeps
    held_out = fit_prior(cg.positions[train_idx], cg.atomic_numbers, temperature)
    seen_all = fit_prior(cg.positions, cg.atomic_numbers, temperature)
    for name in ("bond_k", "bond_r0", "angle_k", "angle_theta0"):
        np.testing.assert_allclose(getattr(saved, name), getattr(held_out, name), rtol=1e-6)
    assert not np.allclose(saved.bond_r0, seen_all.bond_r0, rtol=1e-6, atol=0)
    log = (tiny_run / "logs/fit_prior/ntl9.log").read_text()
    assert f"{len(val_idx)} validation frames held out" in log


def test_cg_simulation_adds_the_prior_and_states_are_written(tiny_run):
    sim = load_trajectory(tiny_run / "results/ntl9/simulation/painn/trajectory.h5")
    assert sim.n_sites == 39 and np.all(sim.box == 0.0)
    assert sim.metadata["settings"]["temperature"] == 350.0
    assert_holds_temperature(sim, 350.0)
    counts = pd.read_csv(tiny_run / "results/ntl9/states.csv", keep_default_na=False)
    assert list(counts.columns[:2]) == ["source", "model"]
    assert {"state", "n_frames", "used"} <= set(counts.columns)
    assert set(counts["source"]) == {"reference", "cg"}
    assert set(counts["state"]) == {"F", "U", "P1", "P2"}
    reference = counts[counts["source"] == "reference"]
    assert reference["n_frames"].sum() <= 40
    assert reference.set_index("state").loc["F", "n_frames"] > 0  # the native run is folded
    frames = pd.read_csv(
        tiny_run / "results/ntl9/states/frames_reference.csv", keep_default_na=False
    )
    assert len(frames) == 40 and {"b1b2", "b1b3", "helix", "tic1", "tic2"} <= set(frames.columns)
    info = json.loads((tiny_run / "results/ntl9/states/elements.json").read_text())
    assert info["sequence"] == NTL9
    # the reference surface holds the unbiased frames only (the walled P1 run is left out)
    unbiased = (frames["biased"].astype(str) == "False").sum()
    assert unbiased == 20 and (frames["run"] == 0).sum() == 20  # the folded run
    surface = pd.read_csv(tiny_run / "results/ntl9/states/fes_reference.csv")
    assert surface["count"].sum() == unbiased and np.nanmin(surface["free_energy"]) == 0.0


def test_state_maps_top_interactions_and_mutations(tiny_run):
    for source in ("reference", "simulation"):  # both sources get state maps
        maps = pd.read_csv(tiny_run / f"results/ntl9/relevance/painn/{source}/state_maps.csv")
        folded = maps[maps["state"] == "F"]
        assert len(folded) == 39 * 38 // 2 and (folded["i"] < folded["j"]).all()
        assert folded["value"].abs().max() > 0
    base = tiny_run / "results/ntl9/relevance/painn/reference"  # the first source: figures
    top = pd.read_csv(base / "top_interactions.csv")
    assert set(top["order"]) <= {2, 3} and len(top) <= 10
    spans = [np.ptp([int(b) for b in s.split("-")]) for s in top["beads"]]
    assert min(spans) >= 3  # tertiary contacts only (figure_min_separation)
    for mutation, residue in (("ILE4ASN", 3), ("LEU30PHE", 29)):
        table = pd.read_csv(base / f"mutations/{mutation}.csv")
        kinds = {k: part.set_index(["i", "j"])["value"] for k, part in table.groupby("kind")}
        assert set(kinds) == {"wild_type", "mutant", "difference"}
        np.testing.assert_allclose(
            kinds["difference"], kinds["mutant"] - kinds["wild_type"], atol=1e-9
        )
        changed = kinds["difference"][kinds["difference"].abs() > 1e-9]
        assert any(residue in pair for pair in changed.index)  # the type change is felt


def test_state_contacts_are_the_native_contact_sums_of_each_state(tiny_run):
    from cgexplain.analysis.states import StateElements, element_contacts

    base = tiny_run / "results/ntl9/relevance/painn/reference"
    table = pd.read_csv(base / "state_contacts.csv", keep_default_na=False, na_values=[""])
    assert set(table["indicator"]) == {"b1b2", "b1b3", "helix"}
    assert table["state"].tolist()[::3] == ["F", "U", "P1", "P2"]
    pairs = pd.read_parquet(base / "pairs.parquet")
    labels = pd.read_csv(
        tiny_run / "results/ntl9/states/frames_reference.csv", keep_default_na=False
    ).set_index("frame")["state"]
    explained = np.sort(pairs["frame"].unique())
    structure = StateElements.read(tiny_run / "results/ntl9/states/elements.json")
    contacts = element_contacts(structure.native_positions, structure.elements)
    for row in table.itertuples():
        frames = explained[labels.reindex(explained).to_numpy() == row.state]
        assert row.n_frames == len(frames)
        if not len(frames):
            assert np.isnan(row.mean)
            continue
        native = {tuple(p) for p in contacts[row.indicator][0].tolist()}
        mine = pairs[[(i, j) in native for i, j in zip(pairs["i"], pairs["j"], strict=True)]]
        sums = mine.groupby("frame")["relevance_norm"].sum().reindex(frames, fill_value=0.0)
        assert row.mean == pytest.approx(sums.mean(), rel=1e-5, abs=1e-6)
        assert row.ci_low <= row.mean + 1e-9 and row.mean <= row.ci_high + 1e-9
    folded = table[table["state"] == "F"]
    if (folded["n_frames"] > 0).all():
        np.testing.assert_allclose(folded["share_of_folded"], 1.0)


def test_protein_figures_and_pymol_scripts(tiny_run):
    figures = tiny_run / "results/figures"
    sizes = {  # inches (width, height) as drawn; None: set by the structure's aspect
        "fig4_ntl9": (7.6, 3.2),  # reference and CG panels
        "fig5_ntl9_painn": (15.5, 4.6),
        "fig6_ntl9_painn": (10.0, None),
        "fig7_ntl9_painn": (11.0, 9.2),  # two mutants
        "figS11_ntl9_painn": (18.4, 8.4),  # contact and relevance map per state
    }
    for name, size in sizes.items():
        for ext in ("png", "pdf"):
            assert_figure(figures / f"{name}.{ext}", size, min_bytes=5000)
    for name in ("fig6_ntl9_painn", "fig7_ntl9_painn"):
        script = (figures / f"{name}.pml").read_text()
        assert "load results/ntl9/reference/prepared.pdb" in script
        assert "//A/" in script and "/CA" in script
