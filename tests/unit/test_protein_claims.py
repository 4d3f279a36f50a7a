"""The NTL9 claim measurements on synthetic tables whose answers are known: planted
pair sets, a mutation table with a known mean, identical and disjoint free-energy
surfaces, each against a brute-force or analytic reference."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cgexplain.analysis import protein_claims as pc
from cgexplain.analysis.claims import contact_relevance_per_frame, state_contact_relevance
from cgexplain.analysis.states import StateElements
from cgexplain.io import InputError

BOOT = {"n_resamples": 300, "seed": 3, "confidence": 0.9}
N_RES = 20


def _pair_table(values: dict[tuple[int, int], np.ndarray], frames: np.ndarray) -> pd.DataFrame:
    """Long pair table from per-pair per-frame relevance (0 entries are left out)."""
    rows = [
        {"frame": int(f), "i": i, "j": j, "relevance_norm": float(v)}
        for (i, j), series in values.items()
        for f, v in zip(frames, series, strict=True)
        if v != 0
    ]
    return pd.DataFrame(rows)


def _background(rng: np.random.Generator, n_frames: int, scale: float = 1.0) -> dict:
    """Every pair with j - i >= 1 gets small noise around 0."""
    return {
        (i, j): rng.normal(0.0, scale, n_frames) for i in range(N_RES) for j in range(i + 1, N_RES)
    }


B1B3 = np.array([[1, 15], [2, 14], [2, 16], [3, 15]])
HELIX = np.array([[6, 9], [6, 10], [7, 10]])
CONTACTS = {"b1b3": (B1B3, np.ones(4)), "helix": (HELIX, np.ones(3))}


def _brute_top(values: dict, frames_mask: np.ndarray, n_top: int, signed: bool = False):
    """Top pairs with j - i >= 3 by mean |relevance| (or by mean, if signed) over the
    masked frames, by explicit loops."""
    scores = {}
    for (i, j), series in values.items():
        if j - i < 3:
            continue
        part = series[frames_mask]
        scores[i, j] = -part.mean() if signed else np.abs(part).mean()
    return sorted(scores, key=lambda p: (-scores[p], p))[:n_top]


def test_planted_b1b3_set_ranks_top_and_chance_is_hypergeometric_mean():
    rng = np.random.default_rng(0)
    n = 60
    frames = np.arange(n)
    values = _background(rng, n)
    # β1-β3 contacts: two stabilising, two destabilising, all strong; a strong
    # near-diagonal pair (j - i = 2) that must not count
    for k, (i, j) in enumerate(B1B3):
        values[i, j] = (-8.0 if k < 2 else 8.0) + rng.normal(0, 1, n)
    values[4, 6] = -50.0 + rng.normal(0, 1, n)
    labels = pd.Series(np.where(frames < 40, "F", "U"), index=frames)
    # the U frames flip the β1-β3 signs: only F frames may enter
    for i, j in B1B3:
        values[i, j][40:] *= -3
    pairs = _pair_table(values, frames)
    found = pc.top_contacts_in_b1b3(pairs, labels, CONTACTS, 4, n_residues=N_RES, **BOOT)
    assert found.value == 1.0 and found.ci_low == 1.0 and found.ci_high == 1.0
    assert found.n_frames == 40
    top = _brute_top(values, frames < 40, 4)
    assert {tuple(p) for p in B1B3.tolist()} == set(top)
    # chance: 4 of the (N - 2)(N - 3) / 2 pairs with j - i >= 3
    chance = 4 / ((N_RES - 2) * (N_RES - 3) / 2)
    assert pc.chance_fraction(N_RES, B1B3) == pytest.approx(chance)
    assert f"chance fraction {chance:.4f}" in found.detail
    # brute-force chance: fraction of all eligible pairs that are β1-β3
    eligible = [(i, j) for i in range(N_RES) for j in range(i + 3, N_RES)]
    assert pc.chance_fraction(N_RES, B1B3) == pytest.approx(
        np.mean([p in {tuple(q) for q in B1B3.tolist()} for p in eligible])
    )
    stabilising = pc.top_contacts_stabilising(pairs, labels, CONTACTS, 4, n_residues=N_RES, **BOOT)
    assert stabilising.value == 0.5  # two of the four planted are destabilising
    # ranking by signed mean (the most negative first) would find only half of them
    signed = _brute_top(values, frames < 40, 4, signed=True)
    assert len(set(signed) & {tuple(p) for p in B1B3.tolist()}) < 4


def test_top_contacts_rerank_in_every_replicate():
    """A β1-β3 pair and a non-native pair of equal mean strength: which one is on top
    depends on the frames, so the interval of the top-1 fraction spans [0, 1]."""
    rng = np.random.default_rng(1)
    n = 200
    frames = np.arange(n)
    values = {(1, 15): -5.0 + rng.normal(0, 3, n), (4, 12): -5.0 + rng.normal(0, 3, n)}
    labels = pd.Series("F", index=frames)
    found = pc.top_contacts_in_b1b3(
        _pair_table(values, frames), labels, CONTACTS, 1, n_residues=N_RES, **BOOT
    )
    assert found.ci_low == 0.0 and found.ci_high == 1.0


def test_rank_by_mean_abs_or_abs_mean():
    """A β1-β3 pair alternating ±10 has a large mean |relevance| but a mean near 0."""
    n = 40
    frames = np.arange(n)
    values = {(1, 15): np.where(frames % 2 == 0, 10.0, -10.0), (4, 12): np.full(n, -3.0)}
    pairs = _pair_table(values, frames)
    labels = pd.Series("F", index=frames)
    kw = {"n_residues": N_RES, "block_length": 2, **BOOT}
    assert pc.top_contacts_in_b1b3(pairs, labels, CONTACTS, 1, **kw).value == 1.0
    assert pc.top_contacts_in_b1b3(pairs, labels, CONTACTS, 1, rank_by="abs_mean", **kw).value == 0
    with pytest.raises(ValueError, match="rank_by"):
        pc.top_contacts_in_b1b3(pairs, labels, CONTACTS, 1, rank_by="signed", **kw)


def test_state_frames_order_and_missing_labels():
    pairs = pd.DataFrame({"frame": [0, 1, 2, 3, 4, 5], "i": 0, "j": 3, "relevance_norm": 1.0})
    labels = pd.Series(["F", "F", "U", "F", "F", "F"], index=range(6))
    runs = pd.Series([1, 0, 0, 1, 0, 1], index=range(6))  # interleaved replicas
    assert pc.state_frames(pairs, labels, "F").tolist() == [0, 1, 3, 4, 5]
    assert pc.state_frames(pairs, labels, "F", runs).tolist() == [1, 4, 0, 3, 5]
    with pytest.raises(InputError, match="no state label"):
        pc.state_frames(pairs, labels.iloc[:4], "F")


def test_unfolded_nonnative_share_against_brute_force():
    rng = np.random.default_rng(2)
    n = 80
    frames = np.arange(n)
    values = {
        (0, 5): -3.0 + rng.normal(0, 0.5, n),  # non-native, stabilising
        (8, 18): -1.0 + rng.normal(0, 0.5, n),  # non-native, stabilising
        (4, 12): 2.0 + rng.normal(0, 0.5, n),  # non-native, destabilising
        (1, 15): -40.0 + rng.normal(0, 0.5, n),  # β1-β3 native: left out
        (6, 9): 30.0 + rng.normal(0, 0.5, n),  # helix native: left out
        (3, 4): -60.0 + rng.normal(0, 0.5, n),  # j - i < 3: left out
    }
    labels = pd.Series(np.where(frames % 4 == 0, "F", "U"), index=frames)
    values[0, 5][frames % 4 == 0] = 100.0  # F frames must not enter
    pairs = _pair_table(values, frames)
    found = pc.unfolded_nonnative_mixed(pairs, labels, CONTACTS, **BOOT)
    u = frames % 4 != 0
    means = {p: values[p][u].mean() for p in [(0, 5), (8, 18), (4, 12)]}
    expected = -(means[0, 5] + means[8, 18]) / sum(abs(m) for m in means.values())
    assert found.value == pytest.approx(expected)
    assert found.n_frames == u.sum()
    assert found.ci_low < found.value < found.ci_high and found.ci_high - found.ci_low < 0.1
    assert "3 non-native pairs" in found.detail


def test_state_element_relevance_is_the_share_of_folded():
    rng = np.random.default_rng(4)
    n = 120
    frames = np.arange(n)
    state = np.array(["F", "P1", "U"])[frames % 3]
    values = {}
    for i, j in B1B3:  # F: -10 per pair, P1: -4 per pair
        values[i, j] = np.where(state == "F", -10.0, np.where(state == "P1", -4.0, 0.0))
        values[i, j] = values[i, j] + rng.normal(0, 1, n)
    pairs = _pair_table(values, frames)
    labels = pd.Series(state, index=frames)
    found = pc.state_element_relevance(pairs, labels, CONTACTS, "P1", "b1b3", **BOOT)
    sums = sum(values[tuple(p)] for p in B1B3.tolist())
    assert found.value == pytest.approx(sums[state == "P1"].mean() / sums[state == "F"].mean())
    assert found.ci_low < found.value < found.ci_high
    assert 0.35 < found.ci_low and found.ci_high < 0.45
    table = state_contact_relevance(pairs, labels, CONTACTS, 10, 0, 0.9, block_length=1)
    row = table[(table["state"] == "P1") & (table["indicator"] == "b1b3")].iloc[0]
    assert found.value == pytest.approx(row["share_of_folded"])
    assert found.n_frames == 80


def _structure() -> StateElements:
    """A 20-residue chain with random native positions and known elements."""
    rng = np.random.default_rng(5)
    n = N_RES
    sequence = "MKVIFLKDAKGEIKNGAIEW"
    from cgexplain.md.protein import ONE_LETTER

    three = {v: k for k, v in ONE_LETTER.items()}
    positions = rng.uniform(0, 14, (n, 3))
    positions[16] = positions[3] + [5.0, 0.0, 0.0]  # ILE4 (β1) touches ALA17 (β3)
    return StateElements(
        elements={"β1": (1, 4), "β2": (8, 10), "helix": (12, 15), "β3": (16, 18)},
        dssp="C" * n,
        residue_names=[three[c] for c in sequence],
        sequence=sequence,
        residue_numbers=np.arange(n) + 1,
        native_positions=positions,
        tica_lag=1,
    )


def test_mutation_pair_sets_against_brute_force():
    s = _structure()
    sets = pc.mutation_pair_sets(s, "ILE4ASN", cutoff=8.0)
    assert set(sets) == {"res4_hydrophobic", "helix_all", "b1b3_not4"}
    k = 3
    # hydrophobic residues of β2 (8-10: A K G -> A) and β3 (16-18: A I E -> A, I); not β1
    hydro = [r for r in list(range(8, 11)) + list(range(16, 19)) if s.sequence[r] in "IVLFCMA"]
    assert hydro == [8, 16, 17]
    assert sets["res4_hydrophobic"].tolist() == [[k, r] for r in hydro]
    d = np.linalg.norm(s.native_positions[:, None] - s.native_positions[None], axis=-1)
    helix = sorted(
        (min(h, r), max(h, r))
        for h in range(12, 16)
        for r in range(N_RES)
        if abs(h - r) >= 3 and d[h, r] < 8.0
    )
    assert [tuple(p) for p in sets["helix_all"].tolist()] == sorted(set(helix))
    b1b3 = [
        (i, j) for i in range(1, 5) for j in range(16, 19) if d[i, j] < 8.0 and k not in (i, j)
    ]
    assert [tuple(p) for p in sets["b1b3_not4"].tolist()] == b1b3
    # the full β1-β3 set has ILE4's contact with ALA17; b1b3_not4 leaves it out
    assert d[3, 16] < 8.0 and [3, 16] not in sets["b1b3_not4"].tolist()
    # the own strand stays out even where the sequence separation would allow it:
    # β1's V3 and F5 are hydrophobic, one residue from ILE4
    near = pc.mutation_pair_sets(s, "ILE4ASN", cutoff=8.0, min_separation=1)
    assert near["res4_hydrophobic"].tolist() == [[k, r] for r in hydro]
    # a helix residue (LYS14): its partners are the hydrophobic residues of every strand
    sets = pc.mutation_pair_sets(s, "LYS14ALA", cutoff=8.0)
    strands = [(1, 4), (8, 10), (16, 18)]
    assert sets["res14_hydrophobic"].tolist() == [
        [r, 13] if r < 13 else [13, r]
        for a, b in strands
        for r in range(a, b + 1)
        if s.sequence[r] in "IVLFCMA" and abs(r - 13) >= 3
    ]
    assert len(sets["res14_hydrophobic"]) == 6  # V3 I4 F5, A9, A17 I18
    full = [(i, j) for i in range(1, 5) for j in range(16, 19) if d[i, j] < 8.0]
    assert [tuple(p) for p in sets["b1b3_not14"].tolist()] == full  # nothing to leave out
    with pytest.raises(InputError, match="not LEU"):
        pc.mutation_pair_sets(s, "LEU4ASN")


def test_empty_pair_set_sums_to_zero_per_frame():
    pairs = pd.DataFrame({"frame": [0, 1], "i": [0, 0], "j": [3, 4], "relevance_norm": 1.0})
    empty = np.zeros((0, 2), dtype=np.int64)
    assert contact_relevance_per_frame(pairs, empty, np.array([0, 1])).tolist() == [0.0, 0.0]


def test_mutation_weakens_known_mean():
    rng = np.random.default_rng(6)
    n = 100
    diff_a, diff_b = 2.0 + rng.normal(0, 1, n), -0.5 + rng.normal(0, 1, n)
    wild = rng.normal(-10, 1, n)
    table = pd.concat(
        [
            pd.DataFrame(
                {
                    "frame": np.arange(n),
                    "indicator": name,
                    "wild_type": wild,
                    "mutant": wild + d,
                    "difference": d,
                }
            )  # fmt: skip
            for name, d in (("helix_all", diff_a), ("b1b3_not30", diff_b))
        ]
    )
    found = pc.mutation_weakens(table, "helix_all", **BOOT)
    assert found.value == pytest.approx(diff_a.mean())
    assert 0 < found.ci_low < found.value < found.ci_high
    both = pc.mutation_weakens(table, ["helix_all", "b1b3_not30"], **BOOT)
    assert both.value == pytest.approx((diff_a + diff_b).mean()) and both.n_frames == n
    assert pc.mutation_weakens(table, "b1b3_not30", **BOOT).ci_high < 0  # strengthened
    with pytest.raises(InputError, match="res4_hydrophobic"):
        pc.mutation_weakens(table, "res4_hydrophobic", **BOOT)


def _frames_table(xy: np.ndarray, runs: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"frame": np.arange(len(xy)), "run": runs, "tic1": xy[:, 0],
                         "tic2": xy[:, 1]})  # fmt: skip


def test_fes_divergence_identical_disjoint_and_analytic():
    rng = np.random.default_rng(7)
    xy = rng.normal(0, 1, (400, 2))
    ref = _frames_table(xy, np.repeat([0, 1], 200))
    model, control = pc.fes_divergence(ref, ref, 10, **BOOT)
    assert model.value == 0.0 and model.n_frames == 800
    assert control.value > 0 and control.n_frames == 400
    # disjoint support: ln 2 in every replicate
    far = _frames_table(xy + 100.0, np.zeros(400, dtype=int))
    model, _ = pc.fes_divergence(ref, far, 10, **BOOT)
    assert model.value == pytest.approx(math.log(2))
    assert model.ci_low == pytest.approx(math.log(2)) and model.ci_high == pytest.approx(
        math.log(2)
    )
    # the reference in one bin, the model half there and half in another:
    # p = (1, 0), q = (1/2, 1/2), m = (3/4, 1/4)
    one = _frames_table(np.zeros((50, 2)), np.zeros(50, dtype=int))
    two = _frames_table(np.repeat([[0.0, 0.0], [1.0, 1.0]], 25, axis=0), np.zeros(50, dtype=int))
    expected = 0.5 * math.log(4 / 3) + 0.5 * (0.5 * math.log(2 / 3) + 0.5 * math.log(2))
    assert pc.fes_divergence(one, two, 2, **BOOT)[0].value == pytest.approx(expected)


def test_fes_divergence_leaves_out_biased_runs():
    rng = np.random.default_rng(8)
    xy = rng.normal(0, 1, (300, 2))
    shifted = xy.copy()
    shifted[200:] += 50.0  # run 2 is somewhere else entirely
    ref = _frames_table(shifted, np.repeat([0, 1, 2], 100))
    cg = _frames_table(xy[:200], np.zeros(200, dtype=int))
    meta = {"shards": [{"biased": False}, {"biased": False}, {"biased": True}]}
    assert pc.biased_runs(meta) == [2]
    assert pc.biased_runs({"source": meta}) == [2] and pc.biased_runs({}) == []
    kept, control = pc.fes_divergence(ref, cg, 8, exclude_runs=pc.biased_runs(meta), **BOOT)
    every, _ = pc.fes_divergence(ref, cg, 8, **BOOT)
    assert kept.value == 0.0  # the same 200 frames
    # a third of the reference is disjoint from the model: p = (2/3 r, 1/3), q = (r, 0),
    # m = (5/6 r, 1/6) for the model's distribution r
    js = 0.5 * (2 / 3 * math.log(4 / 5) + 1 / 3 * math.log(2)) + 0.5 * math.log(6 / 5)
    assert every.value == pytest.approx(js)
    assert control.n_frames == 200 and "runs [2] left out" in control.detail


def test_fes_halves_split_every_run_in_time():
    """Each run drifts in time: its first halves differ from its second halves."""
    t = np.arange(100)
    xy = np.stack([np.where(t < 50, -1.0, 1.0), np.zeros(100)], axis=1)
    ref = _frames_table(np.concatenate([xy, xy]), np.repeat([0, 1], 100))
    _, control = pc.fes_divergence(ref, ref, 4, **BOOT)
    assert control.value == pytest.approx(math.log(2))


def test_fes_agreement_is_the_ratio_of_the_two_divergences():
    rng = np.random.default_rng(9)
    ref = _frames_table(rng.normal(0, 1, (300, 2)), np.repeat([0, 1, 2], 100))
    cg = _frames_table(rng.normal(0.7, 1, (400, 2)), np.repeat([0, 1], 200))
    model, control = pc.fes_divergence(ref, cg, 6, **BOOT)
    ratio = pc.fes_agreement(ref, cg, 6, **BOOT)
    assert ratio.value == pytest.approx(model.value / control.value)
    assert ratio.ci_low < ratio.value < ratio.ci_high
    assert pc.fes_agreement(ref, ref, 6, **BOOT).value == 0.0
    kept = pc.fes_agreement(ref, cg, 6, exclude_runs=[2], **BOOT)
    first = pc.fes_divergence(ref, cg, 6, exclude_runs=[2], **BOOT)
    assert kept.value == pytest.approx(first[0].value / first[1].value)


@pytest.mark.parametrize(
    ("share", "expected"),
    [((0.2, 0.1, 0.3), (0.2, 0.1, 0.3)), ((0.8, 0.7, 0.9), (0.2, 0.1, 0.3)),
     ((0.45, 0.4, 0.6), (0.45, 0.4, 0.5))],
)  # fmt: skip
def test_minority_share(share, expected):
    m = pc._minority_share(pc.Measurement(*share, 10, "d"))
    assert (m.value, m.ci_low, m.ci_high) == pytest.approx(expected)


def test_measure_protein_claims_keys_and_values(tmp_path):
    from cgexplain.analysis.states import element_contacts

    s = _structure()
    s.native_positions = np.random.default_rng(10).uniform(0, 9, (N_RES, 3))  # dense: contacts
    s.write(tmp_path / "elements.json")
    contacts = element_contacts(s.native_positions, s.elements)
    rng = np.random.default_rng(11)
    n = 90
    frames = np.arange(n)
    state = np.array(["F", "U", "P1", "P2", "F", ""])[frames % 6]
    values = _background(rng, n, 2.0)
    pairs = _pair_table(values, frames)
    states = pd.DataFrame({"frame": frames, "state": state, "run": frames // 45})
    xy = rng.normal(0, 1, (n, 2))
    fes = _frames_table(xy, frames // 45)
    mutation = pd.DataFrame({"frame": np.repeat(frames[:20], 2), "indicator": ["b1b3", "helix_all"] * 20,
                             "wild_type": -1.0, "mutant": 0.0, "difference": 1.0})  # fmt: skip
    settings = {
        "top_contacts": {"n_top": 5},
        "mutations_weaken": {"LYS14ALA": ["helix_all", "res14_hydrophobic"], "OTHER1GLY": ["x"]},
    }
    run = {"n_resamples": 50, "seed": 1, "block_length": 2, "native_cutoff": 8.0,
           "mutations": ["LYS14ALA"]}  # fmt: skip
    out = pc.measure_protein_claims(settings, pairs, states, str(tmp_path / "elements.json"), None,
                                    {"LYS14ALA": mutation}, fes, fes, run, 0.9)  # fmt: skip
    assert list(out) == [
        "folded_contacts:b1b3", "folded_contacts:helix", "top_contacts.b1b3",
        "top_contacts.stabilising", "unfolded_mixed",
        "intermediates.kept:P1.b1b3", "intermediates.lost:P1.b1b3",
        "intermediates.kept:P1.helix", "intermediates.lost:P1.helix",
        "intermediates.kept:P2.b1b2", "intermediates.lost:P2.b1b2",
        "mutation:LYS14ALA.helix_all", "mutation:LYS14ALA.res14_hydrophobic", "fes_agreement",
    ]  # fmt: skip
    f = frames[state == "F"]
    sums = sum(values[tuple(p)][f] for p in contacts["b1b3"][0].tolist())
    assert out["folded_contacts:b1b3"].value == pytest.approx(sums.mean())
    boot = {"n_resamples": 50, "seed": 1, "confidence": 0.9, "block_length": 2}
    top = pc.top_contacts_in_b1b3(pairs, states.set_index("frame")["state"], contacts, 5, **boot)
    chance = pc.chance_fraction(N_RES, contacts["b1b3"][0])
    assert out["top_contacts.b1b3"].value == pytest.approx(top.value - chance)
    assert out["mutation:LYS14ALA.helix_all"].value == 1.0
    assert out["mutation:LYS14ALA.res14_hydrophobic"].startswith("not run")
    assert out["fes_agreement"].value == 0.0  # the same frames
