"""The tiny workflow end to end: reference MD and CG datasets for both liquids."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pandas as pd
import pytest

from cgexplain.io import load_trajectory

from ..figure_checks import assert_figure
from .conftest import NO_IMC_TOOLS, assert_holds_temperature, has_imc_tools

pytestmark = pytest.mark.workflow

EXPECTED = {
    "methane": {"atoms": 625, "beads": 125, "type": 6, "mass": 16.043},
    "water": {"atoms": 774, "beads": 258, "type": 8, "mass": 18.015},
}
#: every liquid's models: the equivariant pair and the invariant SchNet baseline (Fig. S3)
MODELS = ("painn", "so3net", "schnet")
AVOGADRO = 6.02214076e23
CM3_PER_A3 = 1e-24


@pytest.mark.parametrize("system", ["methane", "water"])
def test_reference_trajectory_shapes_and_units(tiny_run, system):
    path = tiny_run / f"results/{system}/reference/trajectory.h5"
    with h5py.File(path) as h5:
        units = json.loads(h5.attrs["units"])
        assert units["positions"] == "angstrom" and units["forces"] == "kcal/mol/angstrom"
    traj = load_trajectory(path)
    assert traj.positions.shape == (20, EXPECTED[system]["atoms"], 3)
    assert traj.forces.shape == traj.positions.shape
    assert traj.metadata["run_summary"]["ns_per_day"] > 0
    assert traj.metadata["settings"]["seed"] >= 1
    # Å, not nm: the box is ~20 Å wide and C-H / O-H bonds are ~1 Å
    assert 17.0 < traj.box[0].diagonal().min() < 21.0
    bond = np.linalg.norm(traj.positions[0, 1] - traj.positions[0, 0])
    assert 0.9 < bond < 1.15
    # forces of a liquid at 300 K: tens of kcal/mol/Å per atom, not kJ/mol/nm
    assert 1.0 < np.sqrt(np.mean(traj.forces**2)) < 100.0


@pytest.mark.parametrize("system", ["methane", "water"])
def test_cg_data_conserve_total_force_and_keep_heavy_atoms(tiny_run, system):
    atomistic = load_trajectory(tiny_run / f"results/{system}/reference/trajectory.h5")
    cg = load_trajectory(tiny_run / f"results/{system}/mapping/cg_trajectory.h5")
    e = EXPECTED[system]
    assert cg.positions.shape == (20, e["beads"], 3)
    assert np.all(cg.atomic_numbers == e["type"])
    np.testing.assert_allclose(cg.masses, e["mass"], atol=0.01)
    np.testing.assert_allclose(
        cg.forces.sum(axis=1), atomistic.forces.astype(np.float64).sum(axis=1), atol=1e-3
    )
    heavy = atomistic.positions[:, atomistic.atomic_numbers == e["type"]]
    delta = cg.positions - heavy
    frac = np.einsum("fnx,fxy->fny", delta, np.linalg.inv(cg.box))
    np.testing.assert_allclose(frac - np.round(frac), 0.0, atol=1e-5)


@pytest.mark.parametrize("system", ["methane", "water"])
def test_schnetpack_reads_the_dataset(tiny_run, system):
    from schnetpack.data import ASEAtomsData

    import cgexplain  # noqa: F401 - SchNetPack import shim

    data = ASEAtomsData(str(tiny_run / f"results/{system}/mapping/dataset.db"))
    assert len(data) == 20
    assert data.units["forces"] == "kcal/mol/Ang"
    row = data[3]
    cg = load_trajectory(tiny_run / f"results/{system}/mapping/cg_trajectory.h5")
    np.testing.assert_allclose(row["forces"].numpy(), cg.forces[3], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(row["_cell"].numpy()[0], cg.box[3], atol=1e-6)


def test_water_rdf_first_peak_near_2_75(tiny_run):
    rdf = pd.read_csv(tiny_run / "results/water/reference/rdf.csv")
    assert list(rdf.columns[:2]) == ["r", "g"]
    summary = json.loads((tiny_run / "results/water/reference/structure.json").read_text())
    assert 2.65 <= summary["rdf_peak_r"] <= 2.90
    assert 2.0 < summary["rdf_peak_g"] < 3.5
    assert rdf.loc[rdf["r"] < 2.3, "g"].max() < 0.05  # excluded volume


def test_methane_density_and_rdf(tiny_run):
    summary = json.loads((tiny_run / "results/methane/reference/structure.json").read_text())
    assert summary["mass_density_g_cm3"] == pytest.approx(0.437, abs=5e-4)
    # the density of what the MD wrote: box (Å) and atom masses (amu) of the trajectory
    traj = load_trajectory(tiny_run / "results/methane/reference/trajectory.h5")
    volume = np.abs(np.linalg.det(traj.box.astype(np.float64)))
    density = traj.masses.sum() / AVOGADRO / (volume * CM3_PER_A3)
    np.testing.assert_allclose(density, 0.437, atol=5e-4)  # every frame (NVT)
    assert traj.masses.sum() == pytest.approx(125 * 16.043, rel=1e-4)
    assert 3.4 < summary["rdf_peak_r"] < 4.6
    table = pd.read_csv(tiny_run / "results/validation/reference_structure.csv")
    assert set(table["system"]) == {"methane", "water"}


def test_triplet_tables_and_figures(tiny_run):
    for system in ("methane", "water"):
        hist = pd.read_csv(tiny_run / f"results/{system}/reference/triplets.csv")
        assert {"angle", "edge", "count", "density"} <= set(hist.columns)
        assert hist["count"].sum() > 100
        for kind in ("rdf", "triplets"):
            png = tiny_run / f"results/figures/reference_{kind}_{system}.png"
            assert_figure(png, (4.0, 3.0), min_bytes=10_000)


@pytest.mark.parametrize("system", ["methane", "water"])
def test_reference_shards_gather_into_one_trajectory(tiny_run, system):
    """tiny.yaml runs each liquid's reference as two shards with their own seeds; the
    gathered trajectory holds every frame of both, in order, times increasing."""
    traj = load_trajectory(tiny_run / f"results/{system}/reference/trajectory.h5")
    shards = traj.metadata["shards"]
    assert [s["frames"] for s in shards] == [10, 10]
    assert len({s["settings"]["seed"] for s in shards}) == 2  # independent runs
    assert traj.metadata["run_summary"]["shards"] == 2
    step = traj.metadata["settings"]["save_interval"]
    assert np.allclose(np.diff(traj.time), step)  # no gap or overlap at the seam
    for k in range(2):  # shard k's frames, bit for bit, at their place
        shard = tiny_run / f"results/{system}/reference/shards/{k + 1}-of-2"
        part = load_trajectory(shard / "trajectory.h5")
        np.testing.assert_array_equal(traj.positions[10 * k : 10 * (k + 1)], part.positions)
        np.testing.assert_array_equal(traj.forces[10 * k : 10 * (k + 1)], part.forces)


def test_logs_and_benchmarks_written(tiny_run):
    for shard in ("1-of-2", "2-of-2"):
        log = (tiny_run / f"logs/simulate_reference/water/{shard}.log").read_text()
        assert "ns/day" in log and "ETA" in log
        assert (tiny_run / f"results/benchmarks/simulate_reference/methane/{shard}.tsv").exists()
    assert not list((tiny_run / "results").rglob("work"))  # work directories cleaned up


@pytest.mark.parametrize("system", ["methane", "water"])
@pytest.mark.parametrize("model", MODELS)
def test_trained_models_load_and_predict_forces(tiny_run, system, model):
    import schnetpack.transform as trn
    import torch
    from ase import Atoms
    from schnetpack.interfaces import AtomsConverter

    from cgexplain.cg.splits import load_split
    from cgexplain.potentials.loading import load_model, load_spec

    path = tiny_run / f"results/{system}/training/{model}/model.pt"
    spec, train = load_spec(path)
    assert spec.architecture == model and train.seed >= 1
    metrics = pd.read_csv(tiny_run / f"results/{system}/training/{model}/metrics.csv")
    assert metrics["epoch"].tolist() == [0, 1]
    assert np.isfinite(metrics[["train_force_rmse", "val_force_rmse"]].to_numpy()).all()
    cg = load_trajectory(
        tiny_run / f"results/{system}/mapping/cg_trajectory.h5", frames=slice(0, 1)
    )
    atoms = Atoms(numbers=cg.atomic_numbers, positions=cg.positions[0], cell=cg.box[0], pbc=True)
    converter = AtomsConverter(
        neighbor_list=trn.MatScipyNeighborList(cutoff=spec.cutoff), dtype=torch.float32
    )
    forces = load_model(path)(converter(atoms))["forces"].detach().numpy()
    assert forces.shape == (len(atoms), 3) and np.isfinite(forces).all()
    log = (tiny_run / f"logs/train_model/{system}/{model}.log").read_text()
    assert "epoch 2/2: train force RMSE" in log and "ETA 00:00:00" in log  # progress
    # the diagnostics table, recomputed here through SchNetPack's ASE path on the
    # validation frames of the system's split, which every model held out
    full = load_trajectory(tiny_run / f"results/{system}/mapping/cg_trajectory.h5")
    train_idx, val = load_split(tiny_run / f"results/{system}/training/split.npz", full.n_frames)
    assert len(val) >= 2
    predicted = np.stack([
        load_model(path)(converter(Atoms(
            numbers=full.atomic_numbers, positions=full.positions[k], cell=full.box[k], pbc=True
        )))["forces"].detach().numpy()
        for k in val
    ]).astype(np.float64)  # fmt: skip
    mapped = full.forces[val].astype(np.float64)
    table = pd.read_csv(tiny_run / "results/validation/force_matching.csv")
    row = table[(table["system"] == system) & (table["model"] == model)].iloc[0]
    assert row["val_frames"] == len(val) and row["train_frames"] == len(train_idx)
    assert row["force_map"] == full.metadata["mapping"]
    assert row["val_rmse_model"] == pytest.approx(
        np.sqrt(np.mean((predicted - mapped) ** 2)), rel=1e-3
    )
    # a liquid has no prior: the prior's error is the mapped force itself
    assert row["val_rmse_prior"] == pytest.approx(np.sqrt(np.mean(mapped**2)), rel=1e-4)
    assert row["val_explained_model"] == pytest.approx(
        1 - np.mean((predicted - mapped) ** 2) / np.mean(mapped.var(axis=0)), rel=1e-3, abs=1e-4
    )


@pytest.mark.parametrize("system", ["methane", "water"])
@pytest.mark.parametrize("model", MODELS)
def test_cg_simulations_and_their_structure(tiny_run, system, model):
    traj = load_trajectory(tiny_run / f"results/{system}/simulation/{model}/trajectory.h5")
    beads = EXPECTED[system]["beads"]
    assert traj.positions.shape == (16, beads, 3)  # 4 replicas x 4 saves
    assert traj.metadata["n_replicas"] == 4
    assert np.isfinite(traj.forces).all()
    summary = json.loads(
        (tiny_run / f"results/{system}/simulation/{model}/structure.json").read_text()
    )
    assert summary["source"] == model and summary["frames"] == 16
    rdf = pd.read_csv(tiny_run / f"results/{system}/simulation/{model}/rdf.csv")
    assert np.isfinite(rdf["g"]).all()
    log = (tiny_run / f"logs/simulate_cg/{system}/{model}.log").read_text()
    assert "replica-steps/s" in log
    assert_holds_temperature(traj, 300.0)


def test_structure_metrics_table_and_comparison_figures(tiny_run):
    table = pd.read_csv(tiny_run / "results/validation/structure_metrics.csv")
    assert {"system", "model", "max_abs_dg", "angle_js"} <= set(table.columns)
    imc = [("methane", "imc"), ("water", "imc")] if has_imc_tools() else []
    series = [("water", "painn_rc3p5")]  # tiny's cutoff series: one copy of water's PaiNN
    assert sorted(zip(table["system"], table["model"], strict=True)) == sorted(
        [(system, model) for system in ("methane", "water") for model in MODELS]
        + imc
        + series
        + [("methane", "reference_half"), ("water", "reference_half")]  # the noise control
    )
    assert ((table["angle_js"] >= 0) & (table["angle_js"] <= np.log(2) + 1e-12)).all()
    shell = ("shell_angle_js", "q_js", "q_mean", "q_mean_reference", "dq_mean", "rdf_l1_shell")
    for metric in ("max_abs_dg", "angle_js", *shell):  # block-bootstrap intervals
        low, high = table[f"{metric}_ci_low"], table[f"{metric}_ci_high"]
        assert (np.isfinite(low) & (low <= high)).all(), table
    assert (table["max_abs_dg"] > 0).all()
    for system in ("methane", "water"):  # one column per model (3), 4 rows
        png = tiny_run / f"results/figures/structure_{system}.png"
        assert_figure(png, (9.6, 10.0), min_bytes=10_000)


@pytest.mark.parametrize("system", ["methane", "water"])
@pytest.mark.parametrize("model", MODELS)
def test_relevance_tables(tiny_run, system, model):
    base = tiny_run / f"results/{system}/relevance/{model}/simulation"
    pairs = pd.read_parquet(base / "pairs.parquet")
    triplets = pd.read_parquet(base / "triplets.parquet")
    frames = pd.read_csv(base / "frames.csv")
    # 2 frames, one per shard, evenly spaced over the 16-frame simulation
    assert frames["frame"].tolist() == [0, 15]
    assert sorted(pairs["frame"].unique()) == [0, 15]
    cutoff = json.loads((base / "summary.json").read_text())["cutoff"]
    assert cutoff == (4.5 if (system, model) == ("water", "painn") else 4.0)
    assert (pairs["i"] < pairs["j"]).all() and (pairs["distance"] <= cutoff + 1e-6).all()
    assert ((triplets["i"] < triplets["j"]) & (triplets["j"] < triplets["k"])).all()
    assert (triplets["max_angle"] >= 60.0 - 1e-6).all()
    # published normalisation: contribution / |total / n_walks| of its frame
    scale = (frames["total"] / frames["n_walks_total"]).abs().set_axis(frames["frame"])
    np.testing.assert_allclose(
        pairs["relevance_norm"], pairs["relevance"] / scale.loc[pairs["frame"]].to_numpy()
    )
    summary = json.loads((base / "summary.json").read_text())
    assert summary["n_frames"] == 2 and summary["ratio_3body_2body"] > 0
    profile = pd.read_csv(base / "pair_profile.csv")
    assert len(profile) == 30 and profile["count"].sum() == (pairs["distance"] < 9.0).sum()
    tmap = pd.read_csv(base / "triplet_map.csv")
    assert len(tmap) == 400 and tmap["count"].sum() == len(triplets)
    # one 3-body grid per system (2 x the largest cutoff), whatever the model's cutoff
    assert tmap["y"].max() == pytest.approx((9.0 if system == "water" else 8.0) * 39 / 40)
    classic = pd.read_csv(base / "classic_e2_profile.csv")
    assert classic["count"].sum() == (pairs["frame"] == 0).sum()
    assert (
        "GNN-LRP"
        in (tiny_run / f"logs/explain_frames/{system}/{model}/simulation/1-of-2.log").read_text()
    )


def _connected_triplets(positions: np.ndarray, box: np.ndarray, cutoff: float) -> int:
    """Triplets with at least two of their three distances below ``cutoff`` (minimum
    image), counted from the adjacency matrix A: sum_v C(deg_v, 2) counts each open
    triplet once and each triangle three times, trace(A^3) / 6 counts the triangles."""
    positions, box = positions.astype(np.float64), box.astype(np.float64)  # as the library
    d = positions[:, None] - positions[None]
    d -= np.round(d / np.diag(box)) * np.diag(box)
    adjacent = (np.linalg.norm(d, axis=-1) < cutoff).astype(np.int64)
    np.fill_diagonal(adjacent, 0)
    degree = adjacent.sum(1)
    triangles = np.trace(adjacent @ adjacent @ adjacent) // 6
    return int((degree * (degree - 1) // 2).sum() - 2 * triangles)


@pytest.mark.parametrize("system", ["methane", "water"])
def test_artifact_finder_tables(tiny_run, system):
    from cgexplain.analysis.artifacts import ARTIFACT_COLUMNS

    training = load_trajectory(tiny_run / f"results/{system}/mapping/cg_trajectory.h5")
    for model in MODELS:
        base = tiny_run / f"results/{system}/relevance/{model}/simulation"
        cutoff = json.loads((base / "summary.json").read_text())["cutoff"]
        density = pd.read_csv(base / "training_density.csv")
        tmap = pd.read_csv(base / "triplet_map.csv")
        assert len(density) == len(tmap) == 400
        # every connected training triplet of every mapped reference frame is binned once
        expected = sum(
            _connected_triplets(pos, box, cutoff)
            for pos, box in zip(training.positions, training.box, strict=True)
        )
        assert density["training_count"].sum() == expected > 0
        artifacts = pd.read_csv(base / "artifacts.csv")
        assert tuple(artifacts.columns) == ARTIFACT_COLUMNS
        # each row: a populated map bin (tiny: min_count 1) whose training density is
        # under 0.1 x the median of the populated training bins
        median = density.loc[density["training_count"] > 0, "training_density"].median()
        assert (artifacts["count"] >= 1).all()
        assert (artifacts["training_density"] < 0.1 * median).all()
        np.testing.assert_allclose(  # float: a table without rows reads as object columns
            artifacts["density_ratio"].to_numpy(float),
            artifacts["training_density"].to_numpy(float) / median,
        )
        assert set(artifacts["sign"]) <= {"stabilising", "destabilising", "neutral"}
        assert (np.sign(artifacts["mean"]) < 0).eq(artifacts["sign"] == "stabilising").all()
        log = tiny_run / f"logs/find_artifacts/{system}/{model}/simulation.log"
        assert f"{len(artifacts)} artifact bins" in log.read_text()


@pytest.mark.parametrize("system", ["methane", "water"])
def test_nbody_spectrum_tables(tiny_run, system):
    for model in MODELS:
        base = tiny_run / f"results/{system}/relevance/{model}/simulation"
        frames = pd.read_csv(base / "frames.csv")
        pairs = pd.read_parquet(base / "pairs.parquet")
        spectrum = pd.read_csv(base / "nbody_spectrum.csv")
        assert spectrum["frame"].tolist() == frames["frame"].tolist()
        np.testing.assert_allclose(spectrum["total"], frames["total"])
        np.testing.assert_allclose(
            spectrum["r2"], pairs.groupby("frame")["relevance"].sum().loc[frames["frame"]]
        )
        parts = spectrum[["r1", "r2", "r3", "r4plus"]].sum(1)
        np.testing.assert_allclose(parts, frames["total"], rtol=1e-9)
        summary = pd.read_csv(base / "nbody_summary.csv")
        assert len(summary) == 8 and summary["seed"].nunique() == 1  # the seed is recorded
        assert (summary["n_frames"] == 2).all()


@pytest.mark.parametrize("system", ["methane", "water"])
def test_bootstrap_intervals_of_each_run(tiny_run, system):
    for model in MODELS:
        base = tiny_run / f"results/{system}/relevance/{model}/simulation"
        numbers = pd.read_csv(base / "bootstrap/numbers_ci.csv").set_index("quantity")
        summary = json.loads((base / "summary.json").read_text())
        # the estimates are the stage's own numbers, the intervals bracket them
        assert numbers.loc["ratio_3body_2body", "value"] == pytest.approx(
            summary["ratio_3body_2body"]
        )
        row = numbers.loc["ratio_3body_2body"]
        assert row["ci_low"] <= row["value"] <= row["ci_high"]
        assert numbers["seed"].nunique() == 1 and (numbers["n_frames"] == 2).all()
        profile = pd.read_csv(base / "bootstrap/pair_profile_ci.csv")
        published = pd.read_csv(base / "pair_profile.csv")
        np.testing.assert_allclose(profile["mean"], published["mean"], equal_nan=True)
        tmap = pd.read_csv(base / "bootstrap/triplet_map_ci.csv")
        assert len(tmap) == 400 and (tmap["ci_width"].dropna() >= 0).all()
        # the first-shell vertex-angle profile: the bootstrap estimate is the stage's table
        vertex = pd.read_csv(base / "bootstrap/vertex_angle_profile_ci.csv")
        published = pd.read_csv(base / "vertex_angle_profile.csv")
        np.testing.assert_allclose(vertex["mean"], published["mean"], equal_nan=True)
        assert summary["shell_cutoff"] > 0 and "short_edge_mean" in numbers.index


def test_claims_table(tiny_run):
    from cgexplain.analysis.claims import CLAIM_COLUMNS
    from cgexplain.analysis.study import STUDY

    table = pd.read_csv(tiny_run / "results/validation/claims.csv", keep_default_na=False,
                        na_values=[""])  # fmt: skip
    assert tuple(table.columns) == CLAIM_COLUMNS
    assert set(table["claim_id"]) <= set(STUDY)  # every row is one of the study's claims
    assert (table["figure"] != "").all() and table["study_words"].notna().all()
    ids = table.groupby("claim_id")["claim"].apply(list).to_dict()

    def has(claim_id: str, subject: str) -> bool:
        return any(f"({subject}" in claim for claim in ids.get(claim_id, []))

    for model in MODELS:  # methane vs water per model; the well per liquid and model
        assert has("three_body_contrast", model)
        for system in ("methane", "water"):
            assert has("well_at_rdf_peak", f"{system} {model}")
            assert has("two_body_shape.divergence", f"{system} {model}")
            assert has("classic_noise.iqr", f"{system} {model}")
        assert has("vertex_angle.stabilising", f"water {model}")
        assert has("three_body_short_edges", f"water {model}")
    for system in ("methane", "water"):
        assert has("two_body_agreement.positive", system)
    assert has("rare_three_body.stabilising", "methane painn")
    assert has("cutoff_structure", "water painn_rc3p5")
    # structure claims: IMC is the control, so without its tools they say why
    reproduced = table[table["claim_id"] == "structure_reproduced"]
    assert len(reproduced) == 3 * len(MODELS) * 2  # 3 metrics, each model, both liquids
    if not has_imc_tools():
        assert reproduced["verdict"].str.startswith("not run: VOTCA/LAMMPS").all()
    for key in ("folded_contacts", "top_contacts.b1b3", "fes_agreement"):
        assert key in ids, key  # the protein's claims
    # a claim's value is the number of the tables it comes from: the 3-body/2-body
    # contrast recomputed here from the per-walk-set relevance tables (mean |R_ijk| over
    # mean |R_ij|, relevance normalised per frame)
    contrast = table[table["claim_id"] == "three_body_contrast"].set_index("quantity")
    assert np.isfinite(contrast[["value", "ci_low", "ci_high"]]).all().all()

    def ratio(system: str, model: str) -> float:
        base = tiny_run / f"results/{system}/relevance/{model}/simulation"
        pairs = pd.read_parquet(base / "pairs.parquet")["relevance_norm"].abs().mean()
        triplets = pd.read_parquet(base / "triplets.parquet")["relevance_norm"].abs().mean()
        return triplets / pairs

    for model in MODELS:
        quantity = f"ratio_3body_2body[methane] / ratio_3body_2body[water], {model}"
        expected = ratio("methane", model) / ratio("water", model)
        assert contrast.loc[quantity, "value"] == pytest.approx(expected, rel=1e-9), quantity
    # the verdict is the relation in `expected` applied to both ends of the interval
    ops = {"<=": np.less_equal, ">=": np.greater_equal, "<": np.less, ">": np.greater}
    tested = table[table["expected"].notna()]  # rows without a test: not run, or no well
    assert (
        table.loc[table["expected"].isna(), "verdict"]
        .str.startswith(("not run: ", "does not hold ("))
        .all()
    )
    assert len(tested) > 0.5 * len(table)
    for row in tested.itertuples():
        op, threshold = row.expected.split()
        ends = [bool(ops[op](x, float(threshold))) for x in (row.ci_low, row.ci_high)]
        if not np.isfinite([row.ci_low, row.ci_high]).all():
            assert row.verdict == "undecided (no interval)", row
        elif all(ends):
            assert row.verdict == "holds", row
        elif not any(ends):
            assert row.verdict == "does not hold", row
        else:
            assert row.verdict.startswith("undecided"), row


def test_cutoff_series(tiny_run):
    table = pd.read_csv(tiny_run / "results/water/simulation/cutoff_series.csv")
    # the copy at 3.5 Å and water's own PaiNN at 4.5 Å, by cutoff
    assert table["model"].tolist() == ["painn_rc3p5", "painn"]
    assert table["cutoff"].tolist() == [3.5, 4.5]
    spec = json.loads((tiny_run / "results/water/training/painn_rc3p5/model.pt.json").read_text())
    assert spec["model"]["architecture"] == "painn" and spec["model"]["cutoff"] == 3.5
    metrics = pd.read_csv(tiny_run / "results/validation/structure_metrics.csv")
    for row in table.itertuples():  # the same numbers as the structure metrics
        same = metrics[(metrics["system"] == "water") & (metrics["model"] == row.model)].iloc[0]
        assert row.max_abs_dg == pytest.approx(same["max_abs_dg"], rel=1e-5)
        assert row.angle_js == pytest.approx(same["angle_js"], rel=1e-5)
    for ext in ("png", "pdf"):
        assert_figure(tiny_run / f"results/figures/figS2_water.{ext}", (8.0, 6.4), min_bytes=5_000)
    assert not (tiny_run / "results/methane/simulation/cutoff_series.csv").exists()


def test_agreement_table(tiny_run):
    table = pd.read_csv(tiny_run / "results/relevance/agreement.csv")
    assert list(table.columns) == ["system", "quantity", "model", "value", "ci_low", "ci_high"]
    # the n-body spectrum: a share and its interval per order and model
    spectrum = table[table["quantity"].str.startswith("nbody_abs_share_")]
    assert len(spectrum) == 2 * len(MODELS) * 4
    assert (
        (spectrum["ci_low"] <= spectrum["value"]) & (spectrum["value"] <= spectrum["ci_high"])
    ).all()
    sums = spectrum.groupby(["system", "model"])["value"].sum()
    np.testing.assert_allclose(sums, 1.0)
    for system in ("methane", "water"):
        quantities = set(table.loc[table["system"] == system, "quantity"])
        assert {
            "ratio_3body_2body",
            "corr_2body_painn_so3net",
            "corr_3body_painn_so3net",
        } <= quantities
    # every per-run number and every model correlation carries its bootstrap interval
    for quantity in ("ratio_3body_2body", "corr_2body_painn_so3net"):
        rows = table[table["quantity"] == quantity]
        assert np.isfinite(rows[["ci_low", "ci_high"]]).all().all(), rows
        assert (
            (rows["ci_low"] <= rows["value"] + 1e-12) & (rows["value"] <= rows["ci_high"] + 1e-12)
        ).all()
    ratios = table[table["quantity"] == "ratio_3body_2body"]
    assert len(ratios) == 2 * len(MODELS) and (ratios["value"] > 0).all()


@pytest.mark.parametrize(("system", "table_max"), [("methane", 8.9), ("water", 9.9)])
def test_imc_potential_final_run_figures_and_agreement(tiny_run, system, table_max):
    if not has_imc_tools():
        pytest.skip(NO_IMC_TOOLS)
    base = tiny_run / f"results/{system}/imc"
    progress = pd.read_csv(base / "progress.csv")
    assert progress["iteration"].tolist() == [1, 2]
    assert (np.isfinite(progress[["rdf_rms_error", "rdf_max_abs_error"]]).all()).all()
    log = (tiny_run / f"logs/fit_imc/{system}.log").read_text()
    assert "iteration 2/2: RDF error rms" in log
    potential = pd.read_csv(base / "potential.csv")
    assert potential["r"].iloc[-1] == pytest.approx(table_max)
    assert potential["energy"].iloc[-1] == pytest.approx(0.0, abs=1e-6)
    assert np.isfinite(potential["energy"]).all() and potential["sampled"].any()
    # the IMC grid starts where the reference g(r) does (the core start, a grid point)
    rdf = pd.read_csv(tiny_run / f"results/{system}/reference/rdf.csv")
    first = rdf["r"][rdf["g"] > 1e-3].iloc[0]
    assert first - 0.1 - 1e-6 <= potential["r"].iloc[0] <= first + 1e-6
    # the final LAMMPS run: 2000 steps, a frame every 100, table forces, analysed as `imc`
    traj = load_trajectory(tiny_run / f"results/{system}/simulation/imc/trajectory.h5")
    assert traj.n_frames == 21 and traj.metadata["engine"] == "lammps"
    edges = np.diagonal(traj.box, axis1=1, axis2=2)
    assert ((traj.positions >= -1e-6) & (traj.positions <= edges[:, None, :] + 1e-6)).all()
    assert np.abs(traj.forces).max() > 0
    metrics = pd.read_csv(tiny_run / "results/validation/structure_metrics.csv")
    row = metrics[(metrics["system"] == system) & (metrics["model"] == "imc")]
    assert len(row) == 1 and row["max_abs_dg"].iloc[0] > 0
    for stem in (f"figS1_{system}", f"imc_vs_2body_{system}"):
        assert_figure(tiny_run / f"results/figures/{stem}.png")
        assert_figure(tiny_run / f"results/figures/{stem}.pdf")
    comparison = pd.read_csv(base / "pair_vs_relevance.csv")
    assert list(comparison.columns) == ["center", "pair_energy", *MODELS]
    agreement = pd.read_csv(tiny_run / "results/relevance/agreement.csv")
    rows = agreement[(agreement["system"] == system) & (agreement["quantity"] == "corr_imc_2body")]
    assert sorted(rows["model"]) == sorted(MODELS)
    finite = rows["value"].dropna()
    assert ((finite >= -1 - 1e-9) & (finite <= 1 + 1e-9)).all()


def test_every_relevance_figure_is_built(tiny_run):
    sizes = {  # inches (width, height) as drawn; None: depends on the data
        "fig2": (11.4, 3.2),  # 2-body curve, first-shell angles, tetrahedral order
        "fig3": (14.7, 3.6),  # largest-angle map, vertex-angle map and profile
        "figS_pairs": (4.4, 3.2),
        "figS_adjacent": (None, 3.0),
        "figS_classic": (8.4, 3.2),
        "figS10": (8.8, 3.3),
        "figS_ci": (8.8, 3.3),
    }
    for system in ("methane", "water"):
        for model in MODELS:
            for prefix, size in sizes.items():
                for ext in ("png", "pdf"):
                    path = tiny_run / f"results/figures/{prefix}_{system}_{model}.{ext}"
                    assert_figure(path, size, min_bytes=5_000)


def test_restyling_a_figure_reruns_only_its_plot(tiny_run):
    """fig3 is a named target; forcing its plot rule reruns nothing upstream."""
    from .conftest import snakemake

    proc = snakemake(
        tiny_run, "fig3", "-n", "--forcerun", "plot_fig3", "--configfile", "config/tiny.yaml"
    )
    jobs = [line.split()[-1] for line in proc.stdout.splitlines() if line.startswith("rule ")]
    jobs = [job for job in jobs if job != "fig3:"]  # the named target itself
    assert jobs == ["plot_fig3:"] * (2 * len(MODELS))  # each liquid model


def test_report_builds(tiny_run, monkeypatch):
    from cgexplain.report import verdict_counts

    from .conftest import snakemake

    snakemake(tiny_run, "--report", "report.html", "--configfile", "config/tiny.yaml")
    html = (tiny_run / "report.html").read_text(errors="replace")
    assert "fig3_water_so3net.png" in html and "Fig. 3: 3-body relevance" in html
    assert "claims.csv" in html and "0. Claims of the study" in html
    # the first page is the verdict table of this run's claims.csv
    claims = pd.read_csv(tiny_run / "results/validation/claims.csv")
    counts = verdict_counts(claims)
    assert f"{counts['holds']} of {len(claims)} claims hold" in html
    assert "Does the study hold for these models?" in html
    # without VOTCA/LAMMPS the report of the same run still builds, IMC left out
    monkeypatch.setenv("CGEXPLAIN_LMP", "/nonexistent/lmp")
    snakemake(tiny_run, "--report", "report_no_imc.html", "--configfile", "config/tiny.yaml")
    html = (tiny_run / "report_no_imc.html").read_text(errors="replace")
    assert "Does the study hold for these models?" in html and "figS1_water.png" not in html
