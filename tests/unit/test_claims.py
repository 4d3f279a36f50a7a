"""Claims of the study from synthetic tables: the test, its direction, the interval's
verdict and which claims a run without some systems leaves out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cgexplain.analysis import claims as cl
from cgexplain.analysis.uncertainty import RunReplicates

SETTINGS = {
    "three_body_contrast": {"low": "methane", "high": "water", "max_ratio": 0.5},
    "two_body_agreement": {"models": ["so3net", "painn"], "min_correlation": 0.8},
    "well_at_rdf_peak": {"max_distance": 0.5},
    "imc_angles": {"reproduced": ["methane"], "not_reproduced": ["water"], "max_js": 0.01},
    "invariant_angles": {
        "system": "water",
        "model": "schnet",
        "reference_model": "painn",
        "min_factor": 2.0,
    },
    "folded_contacts": {"indicators": ["b1b3", "helix"], "max_relevance": 0.0},
    "mutations_weaken": {"ILE4ASN": ["b1b2", "b1b3"], "LEU30PHE": ["helix"]},
}


def _rep(ratio: float, spread: float, seed: int) -> RunReplicates:
    reps = np.random.default_rng(seed).normal(ratio, spread, 400)
    empty = np.zeros(1)
    return RunReplicates(empty, empty, empty, empty[None], empty, empty, empty, empty, empty[None],
                         {"ratio_3body_2body": (ratio, reps)}, 1, 10)  # fmt: skip


def test_claim_row_tests_the_value_and_the_interval():
    row = cl.claim_row("c", "q", 0.3, 0.2, 0.4, "<=", 0.5)
    assert row["holds"] and row["decided"] and row["expected"] == "<= 0.5"
    row = cl.claim_row("c", "q", 0.3, 0.2, 0.6, "<=", 0.5)
    assert row["holds"] and not row["decided"]  # the interval crosses the threshold
    row = cl.claim_row("c", "q", 0.7, 0.6, 0.8, "<=", 0.5)
    assert not row["holds"] and row["decided"]
    row = cl.claim_row("c", "q", -0.3, -0.45, 0.1, "<=", 0.5, absolute=True)
    assert row["holds"] and row["decided"] and row["expected"] == "|x| <= 0.5"
    row = cl.claim_row("c", "q", -0.3, -0.7, 0.1, "<=", 0.5, absolute=True)
    assert row["holds"] and not row["decided"]
    row = cl.claim_row("c", "q", 0.3, np.nan, np.nan, ">", 0.0)
    assert row["holds"] and not row["decided"]  # no interval: not decided
    assert not cl.claim_row("c", "q", np.nan, np.nan, np.nan, "<", 1.0)["holds"]


def test_liquid_claims():
    replicates = {
        ("methane", "painn"): _rep(0.05, 0.01, 1),
        ("water", "painn"): _rep(0.4, 0.05, 2),
        ("methane", "so3net"): _rep(0.3, 0.05, 3),
        ("water", "so3net"): _rep(0.35, 0.05, 4),
        ("methane", "schnet"): _rep(0.1, 0.01, 5),  # no water schnet: no contrast row
    }
    agreement = pd.DataFrame(
        {"system": ["methane", "water", "methane", "water"],
         "quantity": ["corr_2body_painn_so3net"] * 2 + ["well_minus_rdf_peak"] * 2,
         "model": ["painn,so3net", "painn,so3net", "painn", "so3net"],
         "value": [0.95, 0.7, -0.2, 0.8], "ci_low": [0.9, 0.6, -0.3, 0.6],
         "ci_high": [0.98, 0.85, -0.1, 1.0]}
    )  # fmt: skip
    rows = pd.DataFrame(cl.liquid_claims(SETTINGS, agreement, replicates, 0.95)).set_index(
        "quantity"
    )
    contrast = rows.loc["ratio_3body_2body[methane] / ratio_3body_2body[water], painn"]
    assert contrast["value"] == pytest.approx(0.125) and contrast["holds"] and contrast["decided"]
    assert contrast["ci_low"] < 0.125 < contrast["ci_high"]
    so3 = rows.loc["ratio_3body_2body[methane] / ratio_3body_2body[water], so3net"]
    assert not so3["holds"]
    assert not any("schnet" in q for q in rows.index)
    assert rows.loc["corr_2body_painn_so3net, methane", "holds"]  # models sorted: painn, so3net
    water = rows.loc["corr_2body_painn_so3net, water"]
    assert not water["holds"] and not water["decided"]  # 0.7 < 0.8, interval reaches 0.85
    assert rows.loc["well_position - rdf_first_peak / Å, methane painn", "holds"]
    assert not rows.loc["well_position - rdf_first_peak / Å, water so3net", "holds"]
    assert len(rows) == 6


def test_angle_claims():
    metrics = pd.DataFrame(
        {"system": ["methane", "water", "water", "water"], "model": ["imc", "imc", "painn", "schnet"],
         "angle_js": [0.004, 0.05, 0.01, 0.03]}
    )  # fmt: skip
    rows = pd.DataFrame(cl.angle_claims(SETTINGS, metrics)).set_index("quantity")
    assert (
        rows.loc["angle_js(imc), methane", "holds"]
        and rows.loc["angle_js(imc), methane", "expected"] == "<= 0.01"
    )
    assert (
        rows.loc["angle_js(imc), water", "holds"]
        and rows.loc["angle_js(imc), water", "expected"] == "> 0.01"
    )
    factor = rows.loc["angle_js(schnet) / angle_js(painn), water"]
    assert factor["value"] == pytest.approx(3.0) and factor["holds"]
    assert (
        pd.DataFrame(cl.angle_claims(SETTINGS, metrics[metrics["model"] != "schnet"])).shape[0]
        == 2
    )


def test_contact_relevance_per_frame_and_protein_claims():
    pairs = pd.DataFrame(
        {"frame": [0, 0, 0, 2, 2], "i": [1, 1, 4, 1, 2], "j": [5, 6, 9, 5, 6],
         "relevance_norm": [-1.0, -2.0, 7.0, -0.5, 3.0]}
    )  # fmt: skip
    sums = cl.contact_relevance_per_frame(pairs, np.array([[1, 5], [1, 6]]), np.array([0, 1, 2]))
    np.testing.assert_allclose(sums, [-3.0, 0.0, -0.5])
    rng = np.random.default_rng(0)
    per_frame = {"b1b3": rng.normal(-2.0, 0.5, 40), "helix": rng.normal(0.5, 0.5, 40)}
    rows = pd.DataFrame(cl.contact_claims(SETTINGS, "ntl9 painn", per_frame, 200, 1, 0.95, 2))
    assert rows["holds"].tolist() == [True, False] and rows["decided"].all()
    assert rows["value"].tolist() == pytest.approx(
        [per_frame["b1b3"].mean(), per_frame["helix"].mean()]
    )
    contacts = pd.DataFrame(
        {"frame": np.repeat(np.arange(20), 3), "indicator": ["b1b2", "b1b3", "helix"] * 20,
         "difference": np.tile([0.5, 0.3, -0.2], 20) + rng.normal(0, 0.05, 60)}
    )  # fmt: skip
    rows = pd.DataFrame(
        cl.mutation_claims(
            SETTINGS, "ntl9 painn", {"ILE4ASN": contacts, "LEU30PHE": contacts}, 200, 1, 0.95, 1
        )
    )
    assert rows["claim"].tolist() == [
        "ILE4ASN weakens ntl9 painn's b1b2+b1b3 contacts",
        "LEU30PHE weakens ntl9 painn's helix contacts",
    ]
    assert rows["value"][0] == pytest.approx(
        contacts[contacts["indicator"] != "helix"]["difference"].sum() / 20
    )
    assert rows["holds"].tolist() == [True, False]
    assert cl.mutation_claims(SETTINGS, "x", {}, 10, 1, 0.95, 1) == []  # no mutation: no row


def test_correlated_frames_widen_the_interval_when_the_block_length_is_automatic():
    """An AR(1) series (correlation 0.95 per frame): the automatic block length keeps the
    correlation and gives a wider interval of the mean than iid resampling (block 1)."""
    rng = np.random.default_rng(5)
    x = np.zeros(400)
    for t in range(1, x.size):
        x[t] = 0.95 * x[t - 1] + rng.normal()
    iid = cl.contact_claims(SETTINGS, "p", {"b1b3": x - 5}, 300, 1, 0.95, 1)[0]
    auto = cl.contact_claims(SETTINGS, "p", {"b1b3": x - 5}, 300, 1, 0.95, None)[0]
    assert auto["value"] == iid["value"]
    assert auto["ci_high"] - auto["ci_low"] > 2 * (iid["ci_high"] - iid["ci_low"])


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


def test_verdict_words_follow_holds_and_the_interval():
    assert cl.claim_row("c", "q", 0.3, 0.2, 0.4, "<=", 0.5)["verdict"] == "holds"
    assert cl.claim_row("c", "q", 0.7, 0.6, 0.8, "<=", 0.5)["verdict"] == "does not hold"
    crossing = cl.claim_row("c", "q", 0.6, 0.4, 0.8, "<=", 0.5)["verdict"]
    assert crossing == "does not hold (undecided: the interval crosses the threshold)"
    missing = cl.claim_row("c", "q", 3.0, np.nan, np.nan, ">=", 2.0)["verdict"]
    assert missing == "holds (undecided: no interval)"


def test_paper_scale_only_claims_are_listed_as_not_run_and_not_tested():
    settings = {**SETTINGS, "paper_scale_only": ["invariant_angles", "three_body_contrast"]}
    replicates = {
        ("methane", "painn"): _rep(0.05, 0.01, 1),
        ("water", "painn"): _rep(0.4, 0.05, 2),
    }
    agreement = pd.DataFrame(columns=["system", "quantity", "model", "value", "ci_low", "ci_high"])
    assert cl.liquid_claims(SETTINGS, agreement, replicates, 0.95)  # tested by default
    assert cl.liquid_claims(settings, agreement, replicates, 0.95) == []
    metrics = pd.DataFrame(
        {"system": ["water", "water"], "model": ["painn", "schnet"], "angle_js": [1e-3, 5e-3]}
    )
    assert [r["quantity"] for r in cl.angle_claims(settings, metrics)] == []
    rows = pd.DataFrame(cl.not_run_claims(settings, None))
    assert rows["quantity"].tolist() == ["invariant_angles", "three_body_contrast"]
    assert (rows["verdict"] == cl.PAPER_SCALE_ONLY).all() and rows["value"].isna().all()
    assert tuple(rows.columns) == cl.CLAIM_COLUMNS


def test_missing_imc_tools_give_not_run_rows_for_the_imc_claims():
    reason = "not run: VOTCA/LAMMPS missing (lmp not found)"
    rows = pd.DataFrame(cl.not_run_claims(SETTINGS, reason))
    assert rows["quantity"].tolist() == ["angle_js(imc), methane", "angle_js(imc), water"]
    assert (rows["verdict"] == reason).all() and not rows["decided"].any()
    assert cl.not_run_claims(SETTINGS, None) == []
    # a group left to the paper scale is listed once, not also as missing tools
    settings = {**SETTINGS, "paper_scale_only": ["imc_angles"]}
    assert pd.DataFrame(cl.not_run_claims(settings, reason))["quantity"].tolist() == ["imc_angles"]


def test_invariant_angle_ratio_gets_the_range_of_the_two_intervals():
    metrics = pd.DataFrame({
        "system": ["water", "water"], "model": ["painn", "schnet"],
        "angle_js": [1e-3, 5e-3], "angle_js_ci_low": [0.8e-3, 4e-3],
        "angle_js_ci_high": [1.25e-3, 6e-3],
    })  # fmt: skip
    row = cl.angle_claims(SETTINGS, metrics)[-1]
    assert row["value"] == pytest.approx(5.0)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((3.2, 7.5))
    assert row["holds"] and row["decided"]  # 3.2 >= 2
    metrics.loc[1, "angle_js_ci_low"] = 2e-3  # 2e-3 / 1.25e-3 = 1.6 < 2
    assert cl.angle_claims(SETTINGS, metrics)[-1]["verdict"].startswith("holds (undecided")


def test_one_mutation_can_be_left_to_the_paper_scale():
    rng = np.random.default_rng(1)
    contacts = pd.DataFrame(
        {"frame": np.repeat(np.arange(20), 3), "indicator": ["b1b2", "b1b3", "helix"] * 20,
         "difference": np.tile([0.5, 0.3, 0.2], 20) + rng.normal(0, 0.05, 60)}
    )  # fmt: skip
    settings = {**SETTINGS, "paper_scale_only": ["mutations_weaken.ILE4ASN"]}
    found = {"ILE4ASN": contacts, "LEU30PHE": contacts}
    rows = cl.mutation_claims(settings, "ntl9 painn", found, 200, 1, 0.95, 1)
    assert [r["claim"] for r in rows] == ["LEU30PHE weakens ntl9 painn's helix contacts"]
    assert len(cl.mutation_claims(SETTINGS, "ntl9 painn", found, 200, 1, 0.95, 1)) == 2
    (skipped,) = cl.not_run_claims(settings, None)
    assert skipped["claim"] == "ILE4ASN weakens the b1b2+b1b3 contacts"
    assert skipped["quantity"] == "mutations_weaken.ILE4ASN"
    assert skipped["verdict"] == cl.PAPER_SCALE_ONLY
