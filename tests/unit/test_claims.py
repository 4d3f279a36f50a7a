"""Claims of the study from synthetic tables: the test, its direction, the interval's
verdict and which claims a run without some systems leaves out."""

from __future__ import annotations

from collections.abc import Mapping

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


# --- every claim kind holding, failing and undecided -------------------------------------

HOLDS, FAILS = "holds", "does not hold"
CROSSES = " (undecided: the interval crosses the threshold)"
NO_INTERVAL = " (undecided: no interval)"
NAN = float("nan")


def _check(row: dict, value: float, interval: tuple, holds: bool, decided: bool, text: str):
    """A claims row in full: columns, value, interval, test and verdict (NaN == NaN)."""
    assert tuple(row) == cl.CLAIM_COLUMNS
    assert row["value"] == pytest.approx(value, rel=1e-12, nan_ok=True)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(interval, rel=1e-12, nan_ok=True)
    assert row["holds"] is holds and row["decided"] is decided
    assert row["verdict"] == text


def _only(rows: list[dict]) -> dict:
    assert len(rows) == 1, [r["quantity"] for r in rows]
    return rows[0]


def _replicates(estimate: float, reps: np.ndarray) -> RunReplicates:
    empty = np.zeros(1)
    return RunReplicates(empty, empty, empty, empty[None], empty, empty, empty, empty, empty[None],
                         {"ratio_3body_2body": (estimate, reps)}, 1, 10)  # fmt: skip


NO_AGREEMENT = pd.DataFrame(columns=["system", "quantity", "model", "value", "ci_low", "ci_high"])
SPREAD = np.linspace(-1.0, 1.0, 401)  # 401 replicates; the 95% interval is +-0.95 of the spread


@pytest.mark.parametrize(
    ("methane", "half_width", "holds", "decided", "text"),
    [
        pytest.param(0.05, 0.01, True, True, HOLDS, id="holds"),  # 0.125, [0.10, 0.15]
        pytest.param(0.36, 0.01, False, True, FAILS, id="fails"),  # 0.9, [0.88, 0.92]
        pytest.param(0.19, 0.04, True, False, HOLDS + CROSSES, id="crosses-holds"),  # 0.475
        pytest.param(0.21, 0.04, False, False, FAILS + CROSSES, id="crosses-fails"),  # 0.525
        pytest.param(0.20, 0.0, True, True, HOLDS, id="at-threshold"),  # 0.5 <= 0.5
        pytest.param(0.05, NAN, True, False, HOLDS + NO_INTERVAL, id="no-replicates"),
    ],
)
def test_three_body_contrast_verdicts(methane, half_width, holds, decided, text):
    """methane / water ratio of 3-body to 2-body relevance <= 0.5; water's ratio is 0.4
    in every replicate, methane's spread evenly by +-half_width (NaN: all replicates NaN)."""
    replicates = {
        ("methane", "painn"): _replicates(methane, methane + half_width * SPREAD),
        ("water", "painn"): _replicates(0.4, np.full(401, 0.4)),
    }
    row = _only(cl.liquid_claims(SETTINGS, NO_AGREEMENT, replicates, 0.95))
    ratio = methane / 0.4
    expected = np.quantile((methane + half_width * SPREAD) / 0.4, [0.025, 0.975])
    if np.isnan(half_width):
        expected = (NAN, NAN)
    _check(row, ratio, tuple(expected), holds, decided, text)
    assert row["expected"] == "<= 0.5"
    assert row["quantity"] == "ratio_3body_2body[methane] / ratio_3body_2body[water], painn"
    assert (
        row["claim"]
        == "methane's 3-body relevance, relative to 2-body, is far below water's (painn)"
    )


def test_three_body_contrast_needs_both_liquids_of_the_model():
    replicates = {
        ("methane", "painn"): _replicates(0.05, np.full(10, 0.05)),
        ("water", "so3net"): _replicates(0.4, np.full(10, 0.4)),
        ("water", "painn"): _replicates(0.4, np.full(10, 0.4)),
    }
    rows = cl.liquid_claims(SETTINGS, NO_AGREEMENT, replicates, 0.95)
    assert [r["quantity"][-5:] for r in rows] == ["painn"]  # water alone gives no row
    del replicates["methane", "painn"]
    assert cl.liquid_claims(SETTINGS, NO_AGREEMENT, replicates, 0.95) == []


@pytest.mark.parametrize(
    ("value", "low", "high", "holds", "decided", "text"),
    [
        pytest.param(0.95, 0.90, 0.98, True, True, HOLDS, id="holds"),
        pytest.param(0.50, 0.40, 0.60, False, True, FAILS, id="fails"),
        pytest.param(0.85, 0.75, 0.90, True, False, HOLDS + CROSSES, id="crosses-holds"),
        pytest.param(0.70, 0.60, 0.85, False, False, FAILS + CROSSES, id="crosses-fails"),
        pytest.param(0.80, 0.80, 0.90, True, True, HOLDS, id="at-threshold"),  # >= 0.8
        pytest.param(0.90, NAN, NAN, True, False, HOLDS + NO_INTERVAL, id="no-interval"),
        pytest.param(NAN, NAN, NAN, False, False, FAILS + NO_INTERVAL, id="no-value"),
    ],
)
def test_two_body_agreement_verdicts(value, low, high, holds, decided, text):
    """Correlation of painn's and so3net's 2-body curves >= 0.8."""
    agreement = pd.DataFrame(
        {"system": ["water"], "quantity": ["corr_2body_painn_so3net"], "model": ["painn,so3net"],
         "value": [value], "ci_low": [low], "ci_high": [high]}
    )  # fmt: skip
    row = _only(cl.liquid_claims(SETTINGS, agreement, {}, 0.95))
    _check(row, value, (low, high), holds, decided, text)
    assert row["expected"] == ">= 0.8" and row["quantity"] == "corr_2body_painn_so3net, water"


@pytest.mark.parametrize(
    ("value", "low", "high", "holds", "decided", "text"),
    [
        pytest.param(-0.2, -0.3, -0.1, True, True, HOLDS, id="holds"),
        pytest.param(-0.3, -0.45, 0.1, True, True, HOLDS, id="holds-interval-around-0"),
        pytest.param(0.8, 0.6, 1.0, False, True, FAILS, id="fails"),
        pytest.param(-0.8, -1.0, -0.6, False, True, FAILS, id="fails-below"),  # |-0.8| > 0.5
        pytest.param(0.3, 0.1, 0.6, True, False, HOLDS + CROSSES, id="crosses-holds"),
        pytest.param(-0.3, -0.7, 0.1, True, False, HOLDS + CROSSES, id="crosses-below"),
        pytest.param(-0.6, -0.7, -0.4, False, False, FAILS + CROSSES, id="crosses-fails"),
        pytest.param(0.6, -0.1, 0.9, False, False, FAILS + CROSSES, id="fails-around-0"),
        # both ends beyond 0.5, but the interval holds 0 (|x| = 0 <= 0.5): not decided
        pytest.param(0.8, -0.6, 1.0, False, False, FAILS + CROSSES, id="fails-ends-out-0-in"),
        pytest.param(-0.2, NAN, NAN, True, False, HOLDS + NO_INTERVAL, id="no-interval"),
    ],
)
def test_well_at_rdf_peak_verdicts(value, low, high, holds, decided, text):
    """|well position - RDF first peak| <= 0.5 Å, on the interval's nearest and farthest
    |x| (0 when it contains 0)."""
    agreement = pd.DataFrame(
        {"system": ["methane"], "quantity": ["well_minus_rdf_peak"], "model": ["so3net"],
         "value": [value], "ci_low": [low], "ci_high": [high]}
    )  # fmt: skip
    row = _only(cl.liquid_claims(SETTINGS, agreement, {}, 0.95))
    _check(row, value, (low, high), holds, decided, text)
    assert row["expected"] == "|x| <= 0.5"
    assert row["quantity"] == "well_position - rdf_first_peak / Å, methane so3net"


@pytest.mark.parametrize(
    ("system", "js", "low", "high", "holds", "decided", "text"),
    [
        # methane: IMC reproduces the angles, JS <= 0.01
        pytest.param("methane", 0.004, 0.003, 0.005, True, True, HOLDS, id="methane-holds"),
        pytest.param("methane", 0.02, 0.015, 0.025, False, True, FAILS, id="methane-fails"),
        pytest.param("methane", 0.009, 0.007, 0.012, True, False, HOLDS + CROSSES,
                     id="methane-crosses"),
        pytest.param("methane", 0.01, 0.01, 0.01, True, True, HOLDS, id="methane-at-threshold"),
        pytest.param("methane", 0.004, None, None, True, False, HOLDS + NO_INTERVAL,
                     id="methane-no-interval-columns"),
        # water: IMC misses the angles, JS > 0.01
        pytest.param("water", 0.05, 0.04, 0.06, True, True, HOLDS, id="water-holds"),
        pytest.param("water", 0.005, 0.004, 0.006, False, True, FAILS, id="water-fails"),
        pytest.param("water", 0.008, 0.006, 0.012, False, False, FAILS + CROSSES,
                     id="water-crosses"),
        pytest.param("water", 0.01, 0.01, 0.01, False, True, FAILS, id="water-at-threshold"),
        pytest.param("water", 0.05, None, None, True, False, HOLDS + NO_INTERVAL,
                     id="water-no-interval-columns"),
        pytest.param("water", 0.05, NAN, NAN, True, False, HOLDS + NO_INTERVAL,
                     id="water-nan-interval"),
    ],
)  # fmt: skip
def test_imc_angle_verdicts(system, js, low, high, holds, decided, text):
    """One IMC row of structure_metrics.csv, with or without the interval columns."""
    table = {"system": [system], "model": ["imc"], "angle_js": [js]}
    if low is not None:
        table.update(angle_js_ci_low=[low], angle_js_ci_high=[high])
    row = _only(cl.angle_claims(SETTINGS, pd.DataFrame(table)))
    interval = (NAN, NAN) if low is None else (low, high)
    _check(row, js, interval, holds, decided, text)
    assert row["quantity"] == f"angle_js(imc), {system}"
    assert row["expected"] == ("<= 0.01" if system == "methane" else "> 0.01")
    verb = "reproduces" if system == "methane" else "misses"
    assert row["claim"] == f"a pair potential (IMC) {verb} {system}'s triplet angles"


PAINN = (1e-3, 0.8e-3, 1.25e-3)  # water painn: angle_js, ci_low, ci_high


@pytest.mark.parametrize(
    ("schnet", "painn", "interval", "holds", "decided", "text"),
    [
        pytest.param((5e-3, 4e-3, 6e-3), PAINN, (3.2, 7.5), True, True, HOLDS, id="holds"),
        pytest.param((1.2e-3, 1e-3, 1.4e-3), PAINN, (0.8, 1.75), False, True, FAILS, id="fails"),
        pytest.param((5e-3, 2e-3, 6e-3), PAINN, (1.6, 7.5), True, False, HOLDS + CROSSES,
                     id="crosses-holds"),
        pytest.param((1.5e-3, 1e-3, 3e-3), PAINN, (0.8, 3.75), False, False, FAILS + CROSSES,
                     id="crosses-fails"),
        pytest.param((5e-3, NAN, NAN), PAINN, (NAN, NAN), True, False, HOLDS + NO_INTERVAL,
                     id="no-interval"),
        pytest.param((5e-3, 4e-3, 6e-3), (1e-3, 0.0, 2e-3), (NAN, NAN), True, False,
                     HOLDS + NO_INTERVAL, id="reference-interval-reaches-0"),
    ],
)  # fmt: skip
def test_invariant_angle_verdicts(schnet, painn, interval, holds, decided, text):
    """angle_js(schnet) / angle_js(painn) >= 2 for water, its interval the range of the
    ratio over both intervals (a_low / b_high, a_high / b_low)."""
    metrics = pd.DataFrame(
        [("water", "schnet", *schnet), ("water", "painn", *painn)],
        columns=["system", "model", "angle_js", "angle_js_ci_low", "angle_js_ci_high"],
    )
    row = _only(cl.angle_claims(SETTINGS, metrics))
    _check(row, schnet[0] / painn[0], interval, holds, decided, text)
    assert row["expected"] == ">= 2"
    assert row["quantity"] == "angle_js(schnet) / angle_js(painn), water"


def test_invariant_angle_claim_needs_both_models_and_a_positive_reference():
    metrics = pd.DataFrame(
        {"system": ["water", "water", "methane"], "model": ["schnet", "painn", "painn"],
         "angle_js": [5e-3, 0.0, 1e-3]}
    )  # fmt: skip
    assert cl.angle_claims(SETTINGS, metrics) == []  # painn's JS is 0: no ratio
    assert cl.angle_claims(SETTINGS, metrics.iloc[[0, 2]]) == []  # no water painn
    assert cl.angle_claims(SETTINGS, metrics.iloc[1:]) == []  # no water schnet


ALTERNATING = np.tile([-1.0, 1.0], 20)  # mean 0; a 95% interval of about +-0.3 (iid)


@pytest.mark.parametrize(
    ("series", "holds", "decided", "text"),
    [
        pytest.param(np.full(40, -2.0), True, True, HOLDS, id="holds"),
        pytest.param(np.full(40, 1.0), False, True, FAILS, id="fails"),
        pytest.param(ALTERNATING - 0.05, True, False, HOLDS + CROSSES, id="crosses-holds"),
        pytest.param(ALTERNATING + 0.05, False, False, FAILS + CROSSES, id="crosses-fails"),
        pytest.param(np.zeros(40), False, True, FAILS, id="at-threshold"),  # not < 0
    ],
)
def test_folded_contact_verdicts(series, holds, decided, text):
    """Mean summed relevance of an indicator's native contacts on F frames < 0."""
    row = _only(cl.contact_claims(SETTINGS, "ntl9 painn", {"b1b3": series}, 200, 1, 0.95, 1))
    if decided:  # a constant series: every resample has its mean
        interval = (series.mean(), series.mean())
    else:
        interval = (row["ci_low"], row["ci_high"])
        assert row["ci_low"] < 0.0 < row["ci_high"] and row["ci_high"] - row["ci_low"] < 1.0
    _check(row, series.mean(), interval, holds, decided, text)
    assert row["expected"] == "< 0"
    assert row["claim"] == "ntl9 painn's folded state is stabilised by its b1b3 contacts"


def test_folded_contact_claims_need_the_indicator_s_frames():
    per_frame = {"b1b3": np.array([]), "b1b2": np.full(5, -1.0), "helix": np.full(5, -1.0)}
    rows = cl.contact_claims(SETTINGS, "p", per_frame, 50, 1, 0.95, 1)
    assert [r["claim"] for r in rows] == ["p's folded state is stabilised by its helix contacts"]
    assert cl.contact_claims(SETTINGS, "p", {}, 50, 1, 0.95, 1) == []


def _differences(per_indicator: dict[str, np.ndarray]) -> pd.DataFrame:
    """Mutant - wild type, one row per (frame, indicator), frames 0..n-1."""
    return pd.DataFrame(
        [{"frame": f, "indicator": k, "difference": v} for k, values in per_indicator.items()
         for f, v in enumerate(values)]
    )  # fmt: skip


@pytest.mark.parametrize(
    ("b1b2", "b1b3", "holds", "decided", "text"),
    [
        pytest.param(np.full(40, 0.5), np.full(40, -0.1), True, True, HOLDS, id="holds"),
        pytest.param(np.full(40, 0.1), np.full(40, -0.5), False, True, FAILS, id="fails"),
        pytest.param(
            ALTERNATING, np.full(40, 0.05), True, False, HOLDS + CROSSES, id="crosses-holds"
        ),
        pytest.param(
            ALTERNATING, np.full(40, -0.05), False, False, FAILS + CROSSES, id="crosses-fails"
        ),
        pytest.param(
            np.full(40, 0.3), np.full(40, -0.3), False, True, FAILS, id="at-threshold"
        ),  # 0 is not > 0
    ],
)
def test_mutation_verdicts(b1b2, b1b3, holds, decided, text):
    """ILE4ASN weakens b1b2+b1b3: the per-frame sum of both indicators' changes, averaged
    over frames, > 0; the helix (not ILE4ASN's) changes by -10 and must not count."""
    table = _differences({"b1b2": b1b2, "b1b3": b1b3, "helix": np.full(40, -10.0)})
    rows = cl.mutation_claims(SETTINGS, "ntl9 painn", {"ILE4ASN": table}, 200, 1, 0.95, 1)
    row = _only(rows)
    mean = float(np.mean(b1b2 + b1b3))
    if decided:
        interval = (mean, mean)
    else:
        interval = (row["ci_low"], row["ci_high"])
        assert row["ci_low"] < 0.0 < row["ci_high"]
    _check(row, mean, interval, holds, decided, text)
    assert row["expected"] == "> 0"
    assert row["claim"] == "ILE4ASN weakens ntl9 painn's b1b2+b1b3 contacts"


def test_mutation_claims_need_the_mutation_s_indicators():
    helix_only = _differences({"helix": np.full(5, 1.0)})
    empty = helix_only.iloc[:0]
    found = {"ILE4ASN": helix_only, "LEU30PHE": empty}  # no b1b2/b1b3 rows; no rows at all
    assert cl.mutation_claims(SETTINGS, "p", found, 50, 1, 0.95, 1) == []
    (row,) = cl.mutation_claims(SETTINGS, "p", {"LEU30PHE": helix_only}, 50, 1, 0.95, 1)
    assert row["claim"] == "LEU30PHE weakens p's helix contacts" and row["value"] == 1.0


# --- claims not run -------------------------------------------------------------------


def test_not_run_row_is_an_untested_claim():
    row = cl.not_run_row("some claim", "some quantity", "not run: reason")
    assert tuple(row) == cl.CLAIM_COLUMNS
    assert (row["claim"], row["quantity"], row["expected"]) == ("some claim", "some quantity", "")
    assert all(np.isnan(row[k]) for k in ("value", "ci_low", "ci_high", "holds"))
    assert row["decided"] is False and row["verdict"] == "not run: reason"


@pytest.mark.parametrize(
    ("entry", "claim"),
    [
        *[pytest.param(group, text, id=group) for group, text in cl.CLAIM_GROUPS.items()],
        pytest.param("folded_contacts.b1b3", cl.CLAIM_GROUPS["folded_contacts"] + " (b1b3)",
                     id="group-item"),
        pytest.param("mutations_weaken.LEU30PHE", "LEU30PHE weakens the helix contacts",
                     id="mutation"),
        pytest.param("mutations_weaken.ALA9GLY", "ALA9GLY weakens the expected contacts",
                     id="unknown-mutation"),
    ],
)  # fmt: skip
def test_paper_scale_only_entries_give_one_not_run_row_each(entry, claim):
    settings = {**SETTINGS, "paper_scale_only": [entry]}
    for reason in (None, "not run: VOTCA/LAMMPS missing"):
        rows = cl.not_run_claims(settings, reason)
        if reason and entry != "imc_angles":  # the IMC rows of the missing tools follow
            assert [r["quantity"] for r in rows[1:]] == [
                "angle_js(imc), methane", "angle_js(imc), water"
            ]  # fmt: skip
            rows = rows[:1]
        assert rows == [cl.not_run_row(claim, entry, cl.PAPER_SCALE_ONLY)]
    assert cl.PAPER_SCALE_ONLY.startswith("not run: ")


def test_missing_imc_tools_give_the_imc_claims_as_not_run_rows():
    reason = "not run: VOTCA/LAMMPS missing (lmp not found)"
    settings = {**SETTINGS, "imc_angles": {**SETTINGS["imc_angles"],
                                           "reproduced": ["methane", "argon"]}}  # fmt: skip
    assert cl.not_run_claims(settings, reason) == [
        cl.not_run_row("a pair potential (IMC) reproduces methane's triplet angles",
                       "angle_js(imc), methane", reason),
        cl.not_run_row("a pair potential (IMC) reproduces argon's triplet angles",
                       "angle_js(imc), argon", reason),
        cl.not_run_row("a pair potential (IMC) misses water's triplet angles",
                       "angle_js(imc), water", reason),
    ]  # fmt: skip
    assert cl.not_run_claims(settings, "") == [] and cl.not_run_claims(settings, None) == []


def test_runs_checks_the_group_and_the_item():
    settings = {"paper_scale_only": ["imc_angles", "mutations_weaken.ILE4ASN"]}
    assert not cl.runs(settings, "imc_angles") and cl.runs(settings, "invariant_angles")
    assert cl.runs(settings, "mutations_weaken") and cl.runs({}, "imc_angles")
    assert not cl.runs(settings, "mutations_weaken", "ILE4ASN")
    assert cl.runs(settings, "mutations_weaken", "LEU30PHE")
    assert not cl.runs({"paper_scale_only": ["mutations_weaken"]}, "mutations_weaken", "X")


#: which claim group a row's quantity belongs to
GROUP_OF_QUANTITY = {
    "ratio_3body_2body": "three_body_contrast",
    "corr_2body": "two_body_agreement",
    "well_position": "well_at_rdf_peak",
    "angle_js(imc)": "imc_angles",
    "angle_js(schnet)": "invariant_angles",
    "mean summed 2-body": "folded_contacts",
    "mean change": "mutations_weaken",
}


def _all_claims(settings: Mapping) -> list[dict]:
    """Every claim function on inputs that give each group rows."""
    replicates = {
        ("methane", "painn"): _replicates(0.05, np.full(10, 0.05)),
        ("water", "painn"): _replicates(0.4, np.full(10, 0.4)),
    }
    agreement = pd.DataFrame(
        {"system": ["water", "water"], "quantity": ["corr_2body_painn_so3net", "well_minus_rdf_peak"],
         "model": ["painn,so3net", "painn"], "value": [0.9, 0.1], "ci_low": [0.85, 0.0],
         "ci_high": [0.95, 0.2]}
    )  # fmt: skip
    metrics = pd.DataFrame(
        {"system": ["methane", "water", "water", "water"], "model": ["imc", "imc", "painn", "schnet"],
         "angle_js": [0.004, 0.05, 0.01, 0.03]}
    )  # fmt: skip
    per_frame = {"b1b3": np.full(5, -1.0), "helix": np.full(5, -1.0)}
    table = _differences({k: np.full(5, 0.2) for k in ("b1b2", "b1b3", "helix")})
    differences = {"ILE4ASN": table, "LEU30PHE": table}
    return [
        *cl.liquid_claims(settings, agreement, replicates, 0.95),
        *cl.angle_claims(settings, metrics),
        *cl.contact_claims(settings, "p", per_frame, 20, 0, 0.95, 1),
        *cl.mutation_claims(settings, "p", differences, 20, 0, 0.95, 1),
    ]


def _groups(rows: list[dict]) -> list[str]:
    return [
        next(g for prefix, g in GROUP_OF_QUANTITY.items() if r["quantity"].startswith(prefix))
        for r in rows
    ]


@pytest.mark.parametrize("group", list(cl.CLAIM_GROUPS))
def test_a_paper_scale_only_group_is_not_tested_and_the_others_are(group):
    everything = _groups(_all_claims(SETTINGS))
    assert sorted(set(everything)) == sorted(cl.CLAIM_GROUPS)  # each group has rows
    left = _groups(_all_claims({**SETTINGS, "paper_scale_only": [group]}))
    assert left == [g for g in everything if g != group]
