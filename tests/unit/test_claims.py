"""Claims of the study from synthetic tables: each claim function on data where the
claim holds, where it fails and where its interval straddles the threshold; the verdict
is decided by the interval alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cgexplain.analysis import claims as cl
from cgexplain.analysis.study import STUDY
from cgexplain.analysis.uncertainty import RunReplicates

SETTINGS: dict = {}  # every claim group at its schema default


def _run(profile=None, count=None, spread=0.0, numbers=None, map_mean=None, seed=0,
         centers=None, n=400, vertex=None) -> RunReplicates:  # fmt: skip
    """A synthetic bootstrap: replicates = value + N(0, spread) per bin and number."""
    rng = np.random.default_rng(seed)
    profile = np.zeros(3) if profile is None else np.asarray(profile, float)
    centers = (
        np.arange(profile.size, dtype=float) if centers is None else np.asarray(centers, float)
    )
    count = np.full(profile.size, 100.0) if count is None else np.asarray(count, float)
    map_mean = np.zeros(4) if map_mean is None else np.asarray(map_mean, float)
    nums = {k: (v, v + rng.normal(0, s, n)) for k, (v, s) in (numbers or {}).items()}
    rep = RunReplicates(
        centers, profile, count, profile + rng.normal(0, spread, (n, profile.size)),
        np.arange(map_mean.size, dtype=float), np.zeros(map_mean.size), map_mean,
        np.full(map_mean.size, 100.0), map_mean + rng.normal(0, spread, (n, map_mean.size)),
        nums, 1, 50,
    )  # fmt: skip
    if vertex is not None:  # a first-shell vertex-angle profile over 5° bins
        vertex = np.asarray(vertex, float)
        rep.vertex_centers = 2.5 + 5.0 * np.arange(vertex.size)
        rep.vertex_profile, rep.vertex_count = vertex, np.full(vertex.size, 100.0)
        rep.vertex_reps = vertex + rng.normal(0, 0.01, (n, vertex.size))
    return rep


def _verdicts(rows) -> dict[str, str]:
    return {r["claim"]: r["verdict"] for r in rows}


def test_the_verdict_is_decided_by_the_interval_alone():
    assert cl.verdict(0.2, 0.4, "<", 0.5) == "holds"
    assert cl.verdict(0.6, 0.8, "<", 0.5) == "does not hold"
    assert cl.verdict(0.4, 0.6, "<", 0.5).startswith("undecided")
    assert cl.verdict(np.nan, np.nan, "<", 0.5) == "undecided (no interval)"
    # the point value plays no part: a value on the claimed side with an interval on
    # the other still does not hold
    row = cl.claim_row("weak_dip", "m", "q", 0.1, 0.6, 0.8, "<", 0.5, "control")
    assert row["verdict"] == "does not hold"
    assert tuple(row) == cl.CLAIM_COLUMNS
    assert row["figure"] == STUDY["weak_dip"].figure and row["study_words"]
    assert row["expected"] == "< 0.5" and row["threshold_from"] == "control"


def test_every_claim_carries_the_study_words_and_a_figure():
    for key, claim in STUDY.items():
        assert claim.figure.startswith(("Fig", "Suppl")), key
        assert claim.words and claim.statement, key


def test_ratio_range_takes_the_extreme_ends():
    assert cl.ratio_range((2.0, 1.0, 3.0), (1.0, 0.5, 2.0)) == (0.5, 6.0)
    assert all(np.isnan(cl.ratio_range((2.0, 1.0, 3.0), (1.0, 0.0, 2.0))))


def test_runs_skips_a_group_or_any_dotted_prefix():
    settings = {"paper_scale_only": ["mutation.ILE4ASN", "weak_dip"]}
    assert not cl.runs(settings, "mutation", "ILE4ASN")
    assert not cl.runs(settings, "mutation.ILE4ASN", "res4_hydrophobic")
    assert cl.runs(settings, "mutation", "LEU30PHE")
    assert not cl.runs(settings, "weak_dip") and cl.runs(settings, "well_at_rdf_peak")


def _metrics(rows) -> pd.DataFrame:
    """structure_metrics.csv rows: (system, model, shell_angle_js, low, high); the q and
    RDF metrics copy it."""
    out = []
    for system, model, v, lo, hi in rows:
        row = {"system": system, "model": model}
        for name in cl.STRUCTURE_METRICS:
            row.update({name: v, f"{name}_ci_low": lo, f"{name}_ci_high": hi})
        out.append(row)
    return pd.DataFrame(out)


def test_structure_claims_hold_fail_and_straddle():
    metrics = _metrics([
        ("water", "imc", 1.0e-3, 0.9e-3, 1.1e-3),      # the failing control
        ("water", "painn", 1.0e-4, 0.8e-4, 1.2e-4),    # holds: far below it
        ("water", "schnet", 1.0e-3, 0.7e-3, 1.3e-3),   # straddles it
        ("methane", "imc", 2.0e-3, 1.8e-3, 2.2e-3),    # fails: above water's IMC
        ("methane", "painn", 1.0e-4, 0.9e-4, 1.1e-4),
        ("water", "painn_rc4", 5.0e-4, 4.0e-4, 6.0e-4),
    ])  # fmt: skip
    models = {"water": ["painn", "schnet"], "methane": ["painn"]}
    series = {"water": [("painn_rc4", 4.0), ("painn", 6.0)]}
    rows = cl.structure_claims(SETTINGS, metrics, models, series)
    by = {(r["claim_id"], r["quantity"]): r for r in rows}
    q = "shell_angle_js(painn, water) / shell_angle_js(imc, water)"
    assert by["structure_reproduced", q]["verdict"] == "holds"
    assert by["structure_reproduced", q]["value"] == pytest.approx(0.1)
    q = "shell_angle_js(schnet, water) / shell_angle_js(imc, water)"
    assert by["structure_reproduced", q]["verdict"].startswith("undecided")
    # angular structure of every liquid is measured against IMC in water (the failing
    # control), the RDF against IMC in its own liquid
    q = "shell_angle_js(painn, methane) / shell_angle_js(imc, water)"
    assert by["structure_reproduced", q]["value"] == pytest.approx(0.1)
    # the RDF's control is IMC of the same liquid (fitted to that RDF)
    q = "rdf_l1_shell(painn, methane) / rdf_l1_shell(imc, methane)"
    assert by["structure_reproduced", q]["verdict"] == "holds"
    q = "shell_angle_js(imc, methane) / shell_angle_js(imc, water)"
    assert by["imc_structure.reproduced", q]["verdict"] == "does not hold"
    q = "shell_angle_js(imc, water) / shell_angle_js(best network, water)"
    assert by["imc_structure.missed", q]["verdict"] == "holds"
    assert "painn" in by["imc_structure.missed", q]["threshold_from"]
    q = "shell_angle_js(schnet, water) / shell_angle_js(painn, water)"
    assert by["invariant_structure.missed", q]["verdict"] == "holds"
    fine = [r for r in rows if r["claim_id"] == "invariant_structure.fine"]
    assert fine and all(r["verdict"] == "not run: no schnet model for methane" for r in fine)
    q = "shell_angle_js(painn_rc4) / shell_angle_js(painn), water"
    assert by["cutoff_structure", q]["verdict"] == "holds"
    # without IMC: the rows that need it say why they were not run
    rows = cl.structure_claims(SETTINGS, metrics[metrics["model"] != "imc"], models, {},
                               "not run: VOTCA/LAMMPS missing")  # fmt: skip
    reproduced = [r for r in rows if r["claim_id"] == "structure_reproduced"]
    assert reproduced and {r["verdict"] for r in reproduced} == {"not run: VOTCA/LAMMPS missing"}
    assert [r["verdict"] for r in rows if r["claim_id"] == "cutoff_structure"] == [
        "not run: no cutoff series (training.cutoff_series)"
    ]


def _rdf() -> pd.DataFrame:
    """g(r): 0 below 3 Å, a peak of height 3 at 4 Å falling linearly to 1 at 5 Å."""
    r = np.arange(0.05, 8.0, 0.1)
    g = np.where(
        r < 3.0, 0.0, np.where(r < 4.0, 3.0 * (r - 3.0), np.maximum(1.0, 3.0 - 2.0 * (r - 4.0)))
    )
    return pd.DataFrame({"r": r, "g": g})


def test_wall_and_peak_half_width_against_the_analytic_rdf():
    rdf = _rdf()
    assert cl.wall_distance(rdf) == pytest.approx(3.35, abs=0.051)  # g = 3(r-3) reaches 1 at 3.33
    r_peak, outer = cl.peak_half_width(rdf, "outer")
    assert r_peak == pytest.approx(4.05)  # the bin centre of the maximum (g = 2.9)
    # half height above 1: g = 1.95, at r = 4.525 outside and 3.65 inside (exact: g is
    # linear between the bins interpolated)
    assert r_peak + outer == pytest.approx(4.525)
    assert r_peak - cl.peak_half_width(rdf, "inner")[1] == pytest.approx(3.65)


def test_relevance_claims_hold_fail_and_straddle():
    rdf = _rdf()
    centers = np.arange(0.05, 8.0, 0.1)
    shape = np.where(centers < 3.4, 0.0, -np.exp(-((centers - 4.0) ** 2)))
    count = np.where(centers < 3.4, 0.0, 100.0)
    runs = {
        ("methane", "painn"): _run(
            shape,
            count,
            0.01,
            {"ratio_3body_2body": (0.01, 0.001), "well_position": (4.1, 0.05)},
            centers=centers,
            seed=1,
        ),  # fmt: skip
        ("water", "painn"): _run(
            shape,
            count,
            0.01,
            {"ratio_3body_2body": (0.1, 0.005), "well_position": (5.5, 0.05)},
            centers=centers,
            seed=2,  # fmt: skip
            map_mean=[1.0, 2.0, 3.0, 4.0],
        ),
        ("methane", "so3net"): _run(
            shape * 1.3,
            count,
            0.01,
            {"ratio_3body_2body": (0.09, 0.02), "well_position": (4.0, 0.8)},
            centers=centers,
            seed=3,
        ),  # fmt: skip
        ("water", "so3net"): _run(
            -shape,
            count,
            0.01,
            {"ratio_3body_2body": (0.1, 0.005)},
            centers=centers,
            seed=4,
            map_mean=[4.0, 3.0, 2.0, 1.0],
        ),  # fmt: skip
    }
    rows = cl.relevance_claims(SETTINGS, pd.DataFrame(columns=["system", "quantity", "model", "value"]),
                               runs, {"methane": rdf, "water": rdf}, 0.95)  # fmt: skip
    v = {(r["claim_id"], r["claim"].split("(")[-1]): r["verdict"] for r in rows}
    assert v["three_body_contrast", "painn)"] == "holds"  # 0.01 / 0.1
    assert v["three_body_contrast", "so3net)"].startswith("undecided")  # 0.09 / 0.1, wide
    assert v["two_body_agreement.positive", "methane)"] == "holds"
    assert v["two_body_agreement.positive", "water)"] == "does not hold"  # mirrored curve
    assert v["three_body_agreement.positive", "water painn, so3net)"] == "does not hold"
    assert v["well_at_rdf_peak", "methane painn)"] == "holds"  # 4.1 in [3.67, 4.5]
    assert v["well_at_rdf_peak", "water painn)"] == "does not hold"  # 5.5: outside
    assert v["well_at_rdf_peak", "methane so3net)"].startswith("undecided")  # ± 1.6 Å


def test_two_body_agreement_ignores_the_wall():
    """Two curves that agree beyond the wall and disagree only inside it (r < 3.3 Å,
    where the reference g(r) < 1) agree: the wall is not where the claim is tested."""
    rdf = _rdf()
    centers = np.arange(0.05, 8.0, 0.1)
    beyond = -np.exp(-((centers - 4.0) ** 2)) + 0.1 * np.sin(3 * centers)
    a = np.where(centers < 3.3, 50.0 * (3.3 - centers), beyond)
    b = np.where(centers < 3.3, -50.0 * (3.3 - centers), beyond)
    count = np.where(centers < 2.5, 0.0, 100.0)
    runs = {("methane", "painn"): _run(a, count, 0.01, {}, centers=centers, seed=1),
            ("methane", "so3net"): _run(b, count, 0.01, {}, centers=centers, seed=2)}  # fmt: skip
    rows = [r for r in cl.relevance_claims(SETTINGS, pd.DataFrame(columns=["system", "quantity",
            "model", "value"]), runs, {"methane": rdf}, 0.95) if r["claim_id"].startswith("two_body")]  # fmt: skip
    assert rows[0]["value"] > 0.99 and rows[0]["verdict"] == "holds"


def test_vertex_angle_claims():
    numbers = {"vertex_angle_of_min": (55.0, 1.0), "vertex_mean_50_60": (-2.0, 0.1),
               "vertex_mean_100_120": (-0.5, 0.1), "short_edge_mean": (0.4, 0.05),
               "short_edge_threshold": (2.5, 0.0)}  # fmt: skip
    well = np.where(np.arange(36) == 11, -1.0, 0.5)  # stabilising at 55°
    runs = {("water", "painn"): _run(numbers=numbers, seed=1, vertex=well),
            ("water", "so3net"): _run(numbers={**numbers, "vertex_angle_of_min": (np.nan, 0.0),
                                      "short_edge_mean": (0.0, 0.05)}, seed=2,
                                      vertex=np.full(36, 0.5)),  # nothing stabilises
            ("water", "schnet"): _run(numbers={**numbers, "vertex_angle_of_min": (59.0, 3.0)},
                                      seed=3, vertex=well)}  # fmt: skip
    empty = pd.DataFrame(columns=["system", "quantity", "model", "value"])
    rows = cl.relevance_claims(SETTINGS, empty, runs, {}, 0.95)
    v = {(r["claim_id"], r["claim"].split("(")[-1]): r["verdict"] for r in rows}
    assert v["vertex_angle.minimum", "water painn)"] == "holds"
    assert v["vertex_angle.stabilising", "water painn)"] == "holds"
    assert v["vertex_angle.stabilising", "water so3net)"] == "does not hold"
    assert v["vertex_angle.minimum", "water so3net)"].startswith("does not hold (no first-shell")
    assert v["vertex_angle.minimum", "water schnet)"].startswith("undecided")  # 59 ± 6
    assert v["vertex_angle.window", "water painn)"] == "holds"
    assert v["three_body_short_edges", "water painn)"] == "holds"
    assert v["three_body_short_edges", "water so3net)"].startswith("undecided")


def test_profile_claims_divergence_vanishing_and_weak_dip():
    centers = np.arange(0.05, 6.0, 0.1)
    count = np.where(centers < 2.5, 0.0, 100.0)
    # a wall of height 50 at 2.55 Å and a well at 4 Å, both under the cosine envelope
    envelope = 0.5 * (np.cos(np.pi * centers / 5.0) + 1.0)
    wall = np.where(centers < 3.2, 50.0 * np.exp(-(centers - 2.55) * 5), 0.0)
    well = -np.exp(-((centers - 4.0) ** 2) * 4)
    profile = (wall + well) * envelope
    # bootstrap noise 1e-5 per bin (the well is 0.095 deep after the envelope)
    runs = {("methane", "painn"): _run(profile, count, 1e-5, {}, centers=centers, seed=1),
            ("methane", "so3net"): _run(0.5 * profile, count, 1e-5, {}, centers=centers, seed=2),
            ("water", "painn"): _run(np.where(centers < 4.9, well, 0.3), count, 0.001, {},
                                     centers=centers, seed=3)}  # fmt: skip
    cutoffs = {("methane", "painn"): 5.0, ("methane", "so3net"): 5.0, ("water", "painn"): 5.0}
    rows = cl.profile_claims(SETTINGS, runs, cutoffs, 0.95)
    v = {(r["claim_id"], r["claim"].split("(")[-1]): r["verdict"] for r in rows}
    first = rows[0]  # methane painn: the shortest populated bin (2.55 Å) over the depth
    k = int(np.flatnonzero(count)[0])
    assert first["value"] == pytest.approx(profile[k] / -profile[count > 0].min())
    assert first["ci_low"] <= first["value"] <= first["ci_high"]  # bootstrap of that bin
    assert v["two_body_shape.divergence", "methane painn)"] == "holds"
    assert v["two_body_shape.vanishes", "methane painn)"] == "holds"
    assert v["two_body_shape.divergence", "water painn)"] == "does not hold"  # no wall
    assert v["two_body_shape.vanishes", "water painn)"] == "does not hold"  # 0.3 at 4.95 Å
    assert v["weak_dip", "methane so3net vs painn)"] == "holds"


class _M:
    def __init__(self, value, low, high, detail="d"):
        self.value, self.ci_low, self.ci_high, self.detail = value, low, high, detail


def test_protein_claims_from_measurements():
    measured = {
        "folded_contacts:b1b3": _M(-3.0, -4.0, -2.0),
        "folded_contacts:helix": _M(1.0, 0.5, 2.0),
        "top_contacts.stabilising": _M(0.55, 0.3, 0.8),
        "mutation:ILE4ASN.res4_hydrophobic": _M(2.0, 1.0, 3.0),
        "mutation:LEU30PHE.helix_all": "not run: no such contacts",
    }
    rows = cl.protein_claims(SETTINGS, "ntl9 painn", measured)
    assert [r["verdict"] for r in rows] == [
        "holds",
        "does not hold",
        "undecided (the interval crosses the threshold)",
        "holds",
        "not run: no such contacts",
    ]
    skipped = cl.protein_claims({"paper_scale_only": ["mutation.ILE4ASN"]}, "p", measured)
    assert skipped[3]["verdict"] == cl.PAPER_SCALE_ONLY and skipped[4]["verdict"].startswith(
        "not run"
    )


def test_contact_relevance_per_frame():
    pairs = pd.DataFrame(
        {"frame": [0, 0, 0, 2, 2], "i": [1, 1, 4, 1, 2], "j": [5, 6, 9, 5, 6],
         "relevance_norm": [-1.0, -2.0, 7.0, -0.5, 3.0]}
    )  # fmt: skip
    sums = cl.contact_relevance_per_frame(pairs, np.array([[1, 5], [1, 6]]), np.array([0, 1, 2]))
    np.testing.assert_allclose(sums, [-3.0, 0.0, -0.5])


def test_correlated_frames_widen_the_interval_when_the_block_length_is_automatic():
    """An AR(1) series (correlation 0.95 per frame): the automatic block length keeps the
    correlation and gives a wider interval of the mean than iid resampling (block 1)."""
    rng = np.random.default_rng(5)
    x = np.zeros(400)
    for t in range(1, x.size):
        x[t] = 0.95 * x[t - 1] + rng.normal()
    iid = cl.mean_interval(x - 5, 300, 1, 0.95, 1)
    auto = cl.mean_interval(x - 5, 300, 1, 0.95, None)
    assert auto[0] == iid[0]
    assert auto[2] - auto[1] > 2 * (iid[2] - iid[1])


def _state_pairs() -> tuple[pd.DataFrame, pd.Series, dict]:
    """Eight explained frames (F F F F P1 P1 U "") with two indicators: contacts a (0-3,
    1-4) and b (2-6); pair 0-1 belongs to neither."""
    rng = np.random.default_rng(7)
    rows = []
    for frame in range(8):
        for i, j in ((0, 3), (1, 4), (2, 6), (0, 1)):
            rows.append({"frame": frame, "i": i, "j": j, "relevance_norm": rng.normal(-5, 2)})
    pairs = pd.DataFrame(rows)
    labels = pd.Series(["F"] * 4 + ["P1"] * 2 + ["U", ""], index=np.arange(8))
    contacts = {
        "a": (np.array([[0, 3], [1, 4]]), np.array([5.0, 6.0])),
        "b": (np.array([[2, 6]]), np.array([7.0])),
    }
    return pairs, labels, contacts


def test_state_contact_relevance_is_the_per_state_mean_of_native_contact_sums():
    pairs, labels, contacts = _state_pairs()
    table = cl.state_contact_relevance(pairs, labels, contacts, 200, 3, 0.9, block_length=1)
    assert list(table.columns) == list(cl.STATE_CONTACT_COLUMNS)
    assert table[["state", "indicator"]].values.tolist() == [
        [s, k] for s in ("F", "U", "P1", "P2") for k in ("a", "b")
    ]
    rows = table.set_index(["state", "indicator"])
    # by hand: the summed relevance of each indicator's pairs, averaged over the frames
    v = pairs.set_index(["frame", "i", "j"])["relevance_norm"]
    folded_a = np.mean([v[f, 0, 3] + v[f, 1, 4] for f in range(4)])
    p1_a = np.mean([v[f, 0, 3] + v[f, 1, 4] for f in (4, 5)])
    p1_b = np.mean([v[f, 2, 6] for f in (4, 5)])
    assert rows.loc[("F", "a"), "mean"] == pytest.approx(folded_a)
    assert rows.loc[("P1", "a"), "mean"] == pytest.approx(p1_a)
    assert rows.loc[("P1", "b"), "mean"] == pytest.approx(p1_b)
    assert rows.loc[("P1", "a"), "share_of_folded"] == pytest.approx(p1_a / folded_a)
    assert rows.loc[("F", "b"), "share_of_folded"] == pytest.approx(1.0)
    assert rows.loc[("U", "a"), "n_frames"] == 1 and rows.loc[("F", "a"), "n_frames"] == 4
    for state in ("F", "P1"):
        r = rows.loc[(state, "a")]
        assert r["ci_low"] <= r["mean"] <= r["ci_high"] and r["ci_low"] < r["ci_high"]
    # a state with no explained frame: a row, marked by n_frames 0 and NaN values
    assert rows.loc[("P2", "a"), "n_frames"] == 0 and np.isnan(rows.loc[("P2", "a"), "mean"])


def test_state_contact_relevance_needs_a_label_for_every_explained_frame():
    from cgexplain.io import InputError

    pairs, labels, contacts = _state_pairs()
    with pytest.raises(InputError, match="1 explained frames have no state label"):
        cl.state_contact_relevance(pairs, labels.drop(index=5), contacts, 50, 0, 0.9)


def _rare_tables(three: float, two: float, spread: float, n_frames: int = 30, seed: int = 0):
    """Per frame: 4 triplets with shortest edge 3.15 Å (3-body mean ``three`` per walk,
    2 walks each) and 2 far ones (+5), 3 pairs at 3.15 Å (``two`` per walk) and 2 far."""
    rng = np.random.default_rng(seed)
    tri, pairs = [], []
    for f in range(n_frames):
        for k in range(6):
            d = 3.15 if k < 4 else 4.5
            value = (three if k < 4 else 5.0) + rng.normal(0, spread)
            tri.append({"frame": f, "d_ij": d, "d_ik": d + 1.0, "d_jk": d + 0.5,
                        "relevance_norm": 2 * value, "n_walks": 2})  # fmt: skip
        for k in range(5):
            d = 3.12 if k < 3 else 6.0
            value = (two if k < 3 else -7.0) + rng.normal(0, spread)
            pairs.append({"frame": f, "distance": d, "relevance_norm": value, "n_walks": 1})
    return pd.DataFrame(pairs), pd.DataFrame(tri)


def test_rare_edge_claims_hold_fail_and_straddle():
    def verdicts(three, two, spread):
        pairs, tri = _rare_tables(three, two, spread)
        rows = cl.rare_edge_claims(SETTINGS, "methane", "painn", pairs, tri, 300, 1, 0.95, 1)
        return rows, [r["verdict"] for r in rows]

    rows, v = verdicts(-0.1, -1.0, 0.01)  # stabilising, 2-body ten times stronger
    assert v == ["holds", "holds"]
    assert rows[0]["value"] == pytest.approx(-0.1, abs=0.01)  # per walk, far rows left out
    assert rows[1]["value"] == pytest.approx(10.0, rel=0.1)
    assert verdicts(0.1, -0.05, 0.01)[1] == ["does not hold", "does not hold"]
    assert verdicts(0.0, -0.01, 0.5)[1][0].startswith("undecided")
    # another system or model: not this claim's
    pairs, tri = _rare_tables(-0.1, -1.0, 0.01)
    assert cl.rare_edge_claims(SETTINGS, "water", "painn", pairs, tri, 50, 1, 0.95, 1) == []


def _grid_map(values: np.ndarray, count: int = 20) -> pd.DataFrame:
    nx, ny = values.shape
    x = 60.0 + 120.0 / nx * (np.arange(nx) + 0.5)
    y = 6.0 / ny * (np.arange(ny) + 0.5)
    return pd.DataFrame({"x": np.repeat(x, ny), "y": np.tile(y, nx),
                         "mean": values.ravel(), "count": np.full(nx * ny, count)})  # fmt: skip


def test_map_roughness_against_a_hand_count():
    table = _grid_map(np.array([[0.0, 1.0], [3.0, 7.0]]))
    diffs, scale = cl.map_roughness(table, np.ones(4, bool), "range")
    assert sorted(diffs) == [1.0, 3.0, 4.0, 6.0] and scale == 7.0
    diffs, scale = cl.map_roughness(table, np.array([True, True, True, False]), "iqr")
    assert sorted(diffs) == [1.0, 3.0] and scale == pytest.approx(1.5)  # IQR of 0, 1, 3


def test_classic_noise_claims_on_a_smooth_and_a_rough_map():
    """The relevance map of the same triplets is a smooth ramp: a classic map with a
    little noise straddles 1, much noise holds, the same map (ratio exactly 1) and a
    step (most neighbours equal) do not hold."""
    rng = np.random.default_rng(3)
    frames = np.repeat(np.arange(2), 2000)
    angle = rng.uniform(60.0, 180.0, frames.size)
    edge = rng.uniform(0.0, 6.0, frames.size)
    # a triangle with largest angle `angle` opposite an edge `edge`: sides a = b
    side = edge / (2.0 * np.sin(np.radians(angle) / 2.0))
    tri = pd.DataFrame({"frame": frames, "d_ij": side, "d_ik": side, "d_jk": edge,
                        "max_angle": angle, "relevance_norm": angle / 60.0 + edge})  # fmt: skip
    from cgexplain.analysis.relevance import triplet_map

    smooth = triplet_map(tri, 6.0, 12, 12)
    noisy = smooth.assign(mean=smooth["mean"] + rng.normal(0, 2.0, len(smooth)))
    flat = smooth.assign(mean=np.where(smooth["x"] < 120.0, 0.0, 1.0) + 0 * smooth["mean"])

    def verdict(classic):
        rows = cl.classic_noise_claims(SETTINGS, "water", "painn", classic, tri, 2, 300, 1, 0.95)
        return [r["verdict"] for r in rows]

    little = smooth.assign(mean=smooth["mean"] + rng.normal(0, 0.05, len(smooth)))
    assert verdict(noisy) == ["holds", "holds"]
    assert all(v.startswith("undecided") for v in verdict(little))
    assert verdict(smooth) == ["does not hold", "does not hold"]
    assert verdict(flat)[0] == "does not hold"
