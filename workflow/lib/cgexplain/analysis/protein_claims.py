"""The numbers behind the study's claims on NTL9 (Bonneau et al., Nat. Commun. 2025,
Figs. 4-7), each a value with a block-bootstrap interval over frames.

Every function returns a :class:`Measurement`; the claims table
(:mod:`cgexplain.analysis.claims`) turns them into verdicts. Relevances are the
normalised 2-body contributions of the pair tables (``relevance_norm``, a.u., negative =
stabilising). Intervals are percentile intervals of block-bootstrap replicates
(:mod:`cgexplain.analysis.bootstrap`; Künsch, Ann. Stat. 17, 1217 (1989)) over the
frames of the state, in trajectory order (by run, then frame, where a run per frame is
given), so serially correlated frames are not counted as independent. A statistic that
compares two samples (a state with the folded state, a model with the reference)
resamples both, independently, B times and takes the percentile interval of the B
paired values.

Measurements:

* :func:`top_contacts_in_b1b3`, :func:`top_contacts_stabilising` (Fig. 5): of the
  ``n_top`` residue pairs (``|i - j| >= 3``) with the largest mean |relevance| in F, the
  fraction that are β1-β3 native contacts, and the fraction with a negative mean; the
  fraction expected from pairs drawn at random is :func:`chance_fraction`;
* :func:`unfolded_nonnative_mixed` (Fig. 6): in U, the share of the summed |mean
  relevance| of non-native pairs that is stabilising;
* :func:`state_element_relevance` (Fig. 6): an element's native-contact relevance in a
  state as a share of the folded state's (wraps
  :func:`cgexplain.analysis.claims.state_contact_relevance`);
* :func:`mutation_pair_sets`, :func:`mutation_weakens` (Fig. 7): pair sets a mutation is
  expected to weaken, and the mean per-frame change of their summed relevance;
* :func:`fes_divergence` (Fig. 4): Jensen-Shannon divergence of the (tic1, tic2)
  histograms of the reference and a CG model, with the reference's two halves as the
  sampling-noise control; :func:`fes_agreement`, the ratio of the two;
* :func:`measure_protein_claims`: all of them for one run, keyed as
  :func:`cgexplain.analysis.claims.protein_claims` reads them.

This module imports :mod:`cgexplain.analysis.claims` inside functions only, so that
``claims`` may import it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.analysis.bootstrap import (
    block_bootstrap,
    block_length_from_autocorrelation,
    resample_indices,
)
from cgexplain.analysis.compare import jensen_shannon
from cgexplain.analysis.states import ELEMENT_CONTACTS, StateElements, native_contacts
from cgexplain.io import InputError

__all__ = [
    "HYDROPHOBIC",
    "Measurement",
    "biased_runs",
    "chance_fraction",
    "FORMED_IN",
    "fes_agreement",
    "fes_divergence",
    "measure_protein_claims",
    "mutation_pair_sets",
    "mutation_weakens",
    "pair_frame_matrix",
    "state_element_relevance",
    "state_frames",
    "top_contacts_in_b1b3",
    "top_contacts_stabilising",
    "unfolded_nonnative_mixed",
]

#: residues with a positive Kyte-Doolittle hydropathy (Kyte & Doolittle, J. Mol. Biol.
#: 157, 105 (1982)): I 4.5, V 4.2, L 3.8, F 2.8, C 2.5, M 1.9, A 1.8
HYDROPHOBIC = frozenset("IVLFCMA")

RankBy = Literal["mean_abs", "abs_mean"]


@dataclass(frozen=True)
class Measurement:
    """One measured quantity with its bootstrap interval.

    Attributes:
        value: the estimate on all frames (units of the quantity).
        ci_low, ci_high: percentile interval (NaN where there is none).
        n_frames: frames the estimate uses (both samples together for two-sample
            statistics).
        detail: what was measured, in words (pair sets, controls, frame counts).
    """

    value: float
    ci_low: float
    ci_high: float
    n_frames: int
    detail: str


def _block_length(series: np.ndarray, block_length: int | None) -> int:
    """The given block length, else 5 integrated autocorrelation times of ``series``
    (1 for series too short or constant), clipped to [1, n]."""
    n = len(series)
    if block_length is None:
        if n > 2 and np.ptp(series) > 0:
            block_length = block_length_from_autocorrelation(np.asarray(series, dtype=float))
        else:
            block_length = 1
    return int(min(max(block_length, 1), max(n, 1)))


def _ordered(frames: np.ndarray, runs: pd.Series | None) -> np.ndarray:
    """Frames in trajectory order: by run (``runs``: frame -> run), then frame number."""
    frames = np.sort(np.asarray(frames, dtype=np.int64))
    if runs is None or frames.size == 0:
        return frames
    run_of = runs.reindex(frames).to_numpy()
    if pd.isna(run_of).any():
        raise InputError(f"{int(pd.isna(run_of).sum())} frames have no run")
    return frames[np.lexsort((frames, run_of.astype(np.int64)))]


def state_frames(
    pairs: pd.DataFrame, labels: pd.Series, state: str, runs: pd.Series | None = None
) -> np.ndarray:
    """Explained frames (those in the pair table) labelled ``state``, in trajectory order.

    Args:
        pairs: relevance pair table with ``frame``.
        labels: frame number -> state label ("" = none), for at least the explained
            frames (the ``state`` column of ``states/frames_<source>.csv``).
        runs: optional frame number -> run (the ``run`` column); frames are then ordered
            by run, then frame number, so bootstrap blocks follow each run.

    Returns:
        (n,) frame numbers.

    Raises:
        InputError: an explained frame has no label.
    """
    explained = np.unique(pairs[col.FRAME].to_numpy())
    missing = np.setdiff1d(explained, labels.index.to_numpy())
    if missing.size:
        raise InputError(
            f"{missing.size} explained frames have no state label, e.g. {missing[:3].tolist()}"
        )
    return _ordered(explained[labels.reindex(explained).to_numpy() == state], runs)


def pair_frame_matrix(
    pairs: pd.DataFrame,
    frames: np.ndarray,
    min_separation: int = 3,
    value: str = col.RELEVANCE_NORM,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame relevance of every residue pair seen in the frames.

    A pair absent from a frame (outside the model's cutoff) counts 0 there, as in
    :func:`cgexplain.analysis.protein_maps.pair_matrix`.

    Args:
        pairs: pair table (``frame``, ``i`` < ``j``, ``value``).
        frames: (n,) frames, rows of the result in this order.
        min_separation: pairs with ``j - i`` below this are left out.

    Returns:
        ``(pair_list (m, 2) i < j, values (n, m))``, pairs sorted by (i, j).
    """
    frames = np.asarray(frames, dtype=np.int64)
    part = pairs[
        pairs[col.FRAME].isin(frames) & (pairs[col.BEAD_J] - pairs[col.BEAD_I] >= min_separation)
    ]
    table = part.pivot_table(
        index=col.FRAME, columns=[col.BEAD_I, col.BEAD_J], values=value, aggfunc="sum"
    )
    table = table.reindex(frames).fillna(0.0)
    table = table.reindex(columns=sorted(table.columns))
    pair_list = np.array(list(table.columns), dtype=np.int64).reshape(-1, 2)
    return pair_list, table.to_numpy(dtype=float)


def _in_set(pair_list: np.ndarray, members: np.ndarray) -> np.ndarray:
    """(m,) whether each pair (i, j) of ``pair_list`` is among ``members`` (k, 2)."""
    members = {(int(i), int(j)) for i, j in np.asarray(members).reshape(-1, 2)}
    return np.array([(int(i), int(j)) in members for i, j in pair_list], dtype=bool)


def _scores(values: np.ndarray, rank_by: RankBy) -> np.ndarray:
    if rank_by == "mean_abs":
        return np.abs(values).mean(axis=0)
    if rank_by == "abs_mean":
        return np.abs(values.mean(axis=0))
    raise ValueError(f"rank_by must be 'mean_abs' or 'abs_mean', got {rank_by!r}")


def _top(values: np.ndarray, n_top: int, rank_by: RankBy) -> np.ndarray:
    """Column indices of the ``n_top`` largest scores (ties: lower pair first)."""
    return np.argsort(-_scores(values, rank_by), kind="stable")[:n_top]


def _interval(
    values: np.ndarray,
    statistic: Callable[[np.ndarray], float],
    summary: np.ndarray,
    n_resamples: int,
    seed: int,
    confidence: float,
    block_length: int | None,
) -> tuple[float, float, float]:
    """Block-bootstrap estimate and interval of ``statistic`` over the frames (rows) of
    ``values``; the block length from ``summary``'s autocorrelation when not given."""
    length = _block_length(summary, block_length)
    est, low, high = block_bootstrap(values, statistic, length, n_resamples, seed, confidence)
    return float(est), float(low), float(high)


def _two_sample(
    a: np.ndarray,
    b: np.ndarray,
    statistic: Callable[[np.ndarray, np.ndarray], float],
    length_a: int,
    length_b: int,
    n_resamples: int,
    seed: int,
    confidence: float,
) -> tuple[float, float, float]:
    """Estimate and percentile interval of ``statistic(a, b)``, resampling the frames
    (rows) of both samples independently by moving blocks (Künsch 1989)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    rng = np.random.default_rng(seed)
    ia = resample_indices(len(a), length_a, n_resamples, rng)
    ib = resample_indices(len(b), length_b, n_resamples, rng)
    reps = np.array([statistic(a[x], b[y]) for x, y in zip(ia, ib, strict=True)])
    alpha = 1.0 - confidence
    reps = reps[np.isfinite(reps)]
    if reps.size < 0.5 * n_resamples:
        low = high = np.nan
    else:
        low, high = np.quantile(reps, [alpha / 2, 1 - alpha / 2])
    return float(statistic(a, b)), float(low), float(high)


def chance_fraction(n_residues: int, members: np.ndarray, min_separation: int = 3) -> float:
    """Expected fraction of a pair set among pairs drawn at random (without
    replacement) from all residue pairs with ``j - i >= min_separation``: K / M, with K
    the set's pairs that qualify and M = (N - s + 1)(N - s) / 2 the pairs that do
    (the mean of the hypergeometric distribution, for any number drawn).

    Args:
        n_residues: N.
        members: (K, 2) pairs i < j (e.g. the β1-β3 native contacts).
    """
    s = int(min_separation)
    total = (n_residues - s + 1) * (n_residues - s) // 2 if n_residues >= s else 0
    members = np.asarray(members).reshape(-1, 2)
    k = int(np.sum(np.abs(members[:, 1] - members[:, 0]) >= s))
    return k / total if total else np.nan


def _top_fraction(
    kind: Literal["in_set", "negative"],
    pairs: pd.DataFrame,
    labels: pd.Series,
    contacts: Mapping[str, tuple[np.ndarray, np.ndarray]],
    n_top: int = 10,
    *,
    indicator: str = col.B1B3,
    state: str = "F",
    min_separation: int = 3,
    rank_by: RankBy = "mean_abs",
    n_residues: int | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    block_length: int | None = None,
    runs: pd.Series | None = None,
) -> Measurement:
    frames = state_frames(pairs, labels, state, runs)
    members = contacts[indicator][0]
    if n_residues is None:
        n_residues = int(max(pairs[col.BEAD_J].max(), pairs[col.BEAD_I].max())) + 1
    chance = chance_fraction(n_residues, members, min_separation)
    if frames.size == 0:
        return Measurement(np.nan, np.nan, np.nan, 0, f"no {state} frames")
    pair_list, values = pair_frame_matrix(pairs, frames, min_separation)
    if values.shape[1] < n_top:
        raise InputError(f"{values.shape[1]} pairs with |i - j| >= {min_separation}, fewer "
                         f"than n_top = {n_top}")  # fmt: skip
    in_set = _in_set(pair_list, members)

    def statistic(v: np.ndarray) -> float:
        top = _top(v, n_top, rank_by)
        if kind == "in_set":
            return float(in_set[top].mean())
        return float((v[:, top].mean(axis=0) < 0).mean())

    top = _top(values, n_top, rank_by)
    summary = np.abs(values[:, top]).sum(axis=1)
    est, low, high = _interval(values, statistic, summary, n_resamples, seed, confidence,
                               block_length)  # fmt: skip
    member_of = {name: _in_set(pair_list, p) for name, (p, _) in contacts.items()}

    def tag(k: int) -> str:
        names = [name for name, inside in member_of.items() if inside[k]]
        return f" {'+'.join(names)}" if names else ""

    listed = ", ".join(
        f"{i + 1}-{j + 1}{tag(k)} ({values[:, k].mean():+.3g})"
        for k, (i, j) in zip(top, pair_list[top], strict=True)
    )
    ranking = "mean |relevance|" if rank_by == "mean_abs" else "|mean relevance|"
    what = (f"fraction of the top {n_top} pairs that are {indicator} native contacts"
            if kind == "in_set" else
            f"fraction of the top {n_top} pairs whose mean relevance is negative (stabilising)")  # fmt: skip
    detail = (
        f"{what}; pairs ranked by {ranking} over {frames.size} {state} frames among "
        f"{len(pair_list)} pairs with |i-j| >= {min_separation}; {indicator} has "
        f"{len(members)} native contacts, chance fraction {chance:.4f} (of "
        f"{n_residues} residues); top pairs (1-based residues, native-contact indicator, mean): {listed}"
    )
    return Measurement(est, low, high, int(frames.size), detail)


def top_contacts_in_b1b3(
    pairs: pd.DataFrame,
    labels: pd.Series,
    contacts: Mapping[str, tuple[np.ndarray, np.ndarray]],
    n_top: int = 10,
    *,
    indicator: str = col.B1B3,
    state: str = "F",
    min_separation: int = 3,
    rank_by: RankBy = "mean_abs",
    n_residues: int | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    block_length: int | None = None,
    runs: pd.Series | None = None,
) -> Measurement:
    """Fraction of the ``n_top`` most relevant pairs of a state that are native contacts
    of ``indicator`` (Fig. 5: the folded state's strongest pairs are β1-β3 contacts).

    Pairs with ``j - i >= min_separation`` are ranked by their mean |relevance| over the
    state's frames (``rank_by="abs_mean"``: by |mean relevance|, the magnitude of the
    averaged map); each bootstrap replicate re-ranks on its resampled frames. Compare
    the value with :func:`chance_fraction` (given in ``detail``), the fraction expected
    if the ``n_top`` pairs were drawn at random.

    Args:
        pairs: relevance pair table (``frame``, ``i`` < ``j``, ``relevance_norm``).
        labels: frame -> state (:func:`state_frames`).
        contacts: indicator -> (native pairs (n, 2), distances (n,) Å), as
            :func:`cgexplain.analysis.states.element_contacts`.
        n_top: pairs kept.
        n_residues: N for the chance fraction (None: 1 + the largest index in ``pairs``).
        n_resamples, seed, confidence, block_length: the block bootstrap; block length
            None: 5 integrated autocorrelation times of the top pairs' summed |relevance|.
        runs: frame -> run, to order the frames (:func:`state_frames`).

    Returns:
        Measurement of a fraction in [0, 1] (steps of 1 / ``n_top``).
    """
    return _top_fraction(
        "in_set", pairs, labels, contacts, n_top, indicator=indicator, state=state,
        min_separation=min_separation, rank_by=rank_by, n_residues=n_residues,
        n_resamples=n_resamples, seed=seed, confidence=confidence,
        block_length=block_length, runs=runs,
    )  # fmt: skip


def top_contacts_stabilising(
    pairs: pd.DataFrame,
    labels: pd.Series,
    contacts: Mapping[str, tuple[np.ndarray, np.ndarray]],
    n_top: int = 10,
    **options,
) -> Measurement:
    """Fraction of the ``n_top`` most relevant pairs of a state (ranked as in
    :func:`top_contacts_in_b1b3`, whose keyword ``options`` it takes) whose mean
    relevance is negative (stabilising); each bootstrap replicate re-ranks and
    re-averages.

    Returns:
        Measurement of a fraction in [0, 1].
    """
    return _top_fraction("negative", pairs, labels, contacts, n_top, **options)


def unfolded_nonnative_mixed(
    pairs: pd.DataFrame,
    labels: pd.Series,
    contacts: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    state: str = "U",
    min_separation: int = 3,
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    block_length: int | None = None,
    runs: pd.Series | None = None,
) -> Measurement:
    """Share of the non-native pairs' relevance in a state that is stabilising (Fig. 6:
    the unfolded state's non-native contacts are both stabilising and destabilising).

    On the state's averaged map (mean relevance m_p of each pair p over its frames), with
    p running over pairs with ``j - i >= min_separation`` outside every indicator's
    native contacts: S = Σ_{m_p < 0} |m_p| / Σ_p |m_p|. 1 - S is the destabilising
    share; "both kinds" needs both well away from 0. Replicates re-average the map.

    Args:
        contacts: indicator -> (native pairs, distances), as
            :func:`cgexplain.analysis.states.element_contacts`; their union is "native".
        Others: as :func:`top_contacts_in_b1b3`; block length None: 5 integrated
            autocorrelation times of the per-frame summed |relevance| of the pairs.

    Returns:
        Measurement of S in [0, 1]; ``detail`` gives 1 - S and its interval.
    """
    frames = state_frames(pairs, labels, state, runs)
    if frames.size == 0:
        return Measurement(np.nan, np.nan, np.nan, 0, f"no {state} frames")
    pair_list, values = pair_frame_matrix(pairs, frames, min_separation)
    native = np.concatenate([np.asarray(p).reshape(-1, 2) for p, _ in contacts.values()])
    keep = ~_in_set(pair_list, native)
    values = values[:, keep]

    def statistic(v: np.ndarray) -> float:
        m = v.mean(axis=0)
        total = np.abs(m).sum()
        return float(-m[m < 0].sum() / total) if total > 0 else np.nan

    summary = np.abs(values).sum(axis=1)
    est, low, high = _interval(values, statistic, summary, n_resamples, seed, confidence,
                               block_length)  # fmt: skip
    detail = (
        f"share of summed |mean relevance| that is stabilising, over {int(keep.sum())} "
        f"non-native pairs (|i-j| >= {min_separation}, outside the "
        f"{'+'.join(contacts)} native contacts, {int((~keep).sum())} left out) on "
        f"{frames.size} {state} frames; destabilising share {1 - est:.3f} "
        f"[{1 - high:.3f}, {1 - low:.3f}]"
    )
    return Measurement(est, low, high, int(frames.size), detail)


def state_element_relevance(
    pairs: pd.DataFrame,
    labels: pd.Series,
    contacts: Mapping[str, tuple[np.ndarray, np.ndarray]],
    state: str,
    indicator: str,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    block_length: int | None = None,
    runs: pd.Series | None = None,
) -> Measurement:
    """An element's native-contact relevance in a state as a share of the folded state's
    (Fig. 6: a formed element is worth less in P1/P2 than in F).

    The value is ``share_of_folded`` of
    :func:`cgexplain.analysis.claims.state_contact_relevance` (mean over the state's
    frames of the summed relevance of the indicator's native contacts, divided by the
    same mean over F). The interval resamples the state's and F's frames independently
    (moving blocks) and takes the percentile interval of the ratio of means.

    Args:
        state, indicator: e.g. ``"P1"``, ``"b1b3"``.
        Others: as :func:`top_contacts_in_b1b3`; block length None: 5 integrated
            autocorrelation times of each sample's per-frame sums.

    Returns:
        Measurement of the share (dimensionless; 1 = as in F); ``detail`` gives both
        means with their intervals.
    """
    # imported here: claims.py may import this module
    from cgexplain.analysis.claims import contact_relevance_per_frame, state_contact_relevance

    table = state_contact_relevance(
        pairs, labels, {indicator: contacts[indicator]}, n_resamples, seed, confidence,
        block_length, states=(state, "F"),
    )  # fmt: skip
    rows = table.set_index("state")
    share = float(rows.loc[state, "share_of_folded"])
    mine, folded = state_frames(pairs, labels, state, runs), state_frames(pairs, labels, "F", runs)
    if mine.size == 0 or folded.size == 0:
        return Measurement(np.nan, np.nan, np.nan, int(mine.size + folded.size),
                           f"{state}: {mine.size} frames, F: {folded.size} frames")  # fmt: skip
    members = contacts[indicator][0]
    a = contact_relevance_per_frame(pairs, members, mine)
    b = contact_relevance_per_frame(pairs, members, folded)

    def ratio(x: np.ndarray, y: np.ndarray) -> float:
        d = y.mean()
        return float(x.mean() / d) if d != 0 else np.nan

    _, low, high = _two_sample(
        a, b, ratio, _block_length(a, block_length), _block_length(b, block_length),
        n_resamples, seed, confidence,
    )  # fmt: skip

    def text(s: str) -> str:
        r = rows.loc[s]
        return (
            f"{s} {r['mean']:.4g} [{r['ci_low']:.4g}, {r['ci_high']:.4g}] ({r['n_frames']} frames)"
        )

    detail = (
        f"mean summed relevance of the {len(members)} {indicator} native contacts in "
        f"{state} / in F; {text(state)}; {text('F')}"
    )
    return Measurement(share, low, high, int(mine.size + folded.size), detail)


def mutation_pair_sets(
    structure: StateElements,
    mutation: str,
    first_residue: int | None = None,
    cutoff: float = 8.0,
    min_separation: int = 3,
) -> dict[str, np.ndarray]:
    """Residue pairs a point mutation is expected to change (Fig. 7), beyond the state
    indicators' native contacts.

    With k the mutated residue (PDB number n):

    * ``res<n>_hydrophobic``: k with every hydrophobic residue (:data:`HYDROPHOBIC`) of
      the strands other than k's own (all strands if k is in none), e.g. ILE4 (β1)
      with the hydrophobic residues of β2 and β3;
    * ``helix_all``: every native Cα contact (closer than ``cutoff`` in the native
      structure) of a helix residue with any residue, the helix's own included;
    * ``b1b3_not<n>``: the β1-β3 native contacts that do not involve k.

    Pairs closer than ``min_separation`` in sequence are left out throughout.

    Args:
        structure: the protein's elements, sequence and native structure
            (``states/elements.json``).
        mutation: e.g. ``"ILE4ASN"`` (:func:`cgexplain.residues.parse_mutation`).
        first_residue: PDB number of residue index 0 (None: the structure's first).
        cutoff: native-contact cutoff, Å (``states.native_cutoff``).

    Returns:
        name -> (n, 2) pairs i < j (0-based), sorted; possibly empty (0, 2).
    """
    from cgexplain.residues import parse_mutation

    first = int(structure.residue_numbers[0]) if first_residue is None else int(first_residue)
    k, _ = parse_mutation(mutation, structure.residue_names, first)
    number = k + first
    elements = structure.elements
    strands = [name for name in elements if name.startswith("β")]
    own = [s for s in strands if elements[s][0] <= k <= elements[s][1]]
    partners = {
        r
        for s in strands
        if s not in own
        for r in range(elements[s][0], elements[s][1] + 1)
        if structure.sequence[r] in HYDROPHOBIC and abs(r - k) >= min_separation
    }
    hydrophobic = np.array(sorted((min(k, r), max(k, r)) for r in partners), dtype=np.int64)
    native = structure.native_positions
    first_h, last_h = elements["helix"]
    helix, _ = native_contacts(
        native, np.arange(first_h, last_h + 1), np.arange(len(native)), cutoff, min_separation
    )
    a, b = ELEMENT_CONTACTS[col.B1B3]
    b1b3, _ = native_contacts(
        native,
        np.arange(elements[a][0], elements[a][1] + 1),
        np.arange(elements[b][0], elements[b][1] + 1),
        cutoff,
        min_separation,
    )
    b1b3 = b1b3[(b1b3[:, 0] != k) & (b1b3[:, 1] != k)]
    return {
        f"res{number}_hydrophobic": hydrophobic.reshape(-1, 2),
        "helix_all": helix,
        f"b1b3_not{number}": b1b3,
    }


def mutation_weakens(
    contacts_table: pd.DataFrame,
    indicator: str | Sequence[str],
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    block_length: int | None = None,
) -> Measurement:
    """Mean per-frame change (mutant - wild type) of the summed relevance of a pair set
    (Fig. 7); positive = the mutation weakens (makes less stabilising) the set.

    Args:
        contacts_table: ``mutations/<M>_contacts.csv`` (``frame``, ``indicator``,
            ``wild_type``, ``mutant``, ``difference``), one row per frame and indicator.
        indicator: one indicator, or several whose differences are summed per frame.
        n_resamples, seed, confidence, block_length: block bootstrap over the frames in
            frame order; None: 5 integrated autocorrelation times of the differences.

    Returns:
        Measurement in relevance units (a.u.); ``detail`` gives the wild-type mean.

    Raises:
        InputError: the table lacks the indicator.
    """
    names = [indicator] if isinstance(indicator, str) else list(indicator)
    absent = sorted(set(names) - set(contacts_table["indicator"]))
    if absent:
        raise InputError(f"mutation contacts table lacks indicators {absent}; it has "
                         f"{sorted(set(contacts_table['indicator']))}")  # fmt: skip
    part = contacts_table[contacts_table["indicator"].isin(names)]
    per_frame = part.groupby(col.FRAME)[["wild_type", "mutant", "difference"]].sum().sort_index()
    values = per_frame["difference"].to_numpy(dtype=float)
    if values.size == 0:
        return Measurement(np.nan, np.nan, np.nan, 0, f"no frames for {'+'.join(names)}")
    est, low, high = _interval(values, lambda v: float(np.mean(v)), values, n_resamples, seed,
                               confidence, block_length)  # fmt: skip
    detail = (
        f"mean change (mutant - wild type) of the summed relevance of {'+'.join(names)} "
        f"over {values.size} frames; wild type {per_frame['wild_type'].mean():.4g}, "
        f"mutant {per_frame['mutant'].mean():.4g}"
    )
    return Measurement(est, low, high, int(values.size), detail)


def biased_runs(metadata: Mapping) -> list[int]:
    """Runs of a gathered reference trajectory that were held by a bias.

    Args:
        metadata: the trajectory's metadata (``shards``, each with ``biased``, in run
            order, as numbered by :func:`cgexplain.analysis.tica.trajectory_runs`;
            possibly under ``source`` after mapping).

    Returns:
        Sorted run indices whose shard says ``biased: true`` (empty if none says so).
    """
    for holder in (metadata, metadata.get("source")):
        if isinstance(holder, Mapping) and holder.get("shards"):
            return [r for r, s in enumerate(holder["shards"]) if bool(s.get("biased", False))]
    return []


def _halves(frames: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of the first and second half (in time) of every run."""
    first, second = [], []
    for _, rows in frames.groupby(col.RUN, sort=True):
        order = rows.sort_values(col.FRAME).index.to_numpy()
        half = len(order) // 2
        first.append(order[:half])
        second.append(order[half:])
    return np.concatenate(first), np.concatenate(second)


def fes_divergence(
    ref_frames: pd.DataFrame,
    cg_frames: pd.DataFrame,
    bins: int,
    *,
    exclude_runs: Sequence[int] = (),
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    block_length: int | None = None,
) -> tuple[Measurement, Measurement]:
    """Jensen-Shannon divergence of the free-energy surfaces (Fig. 4) of a CG model and
    the reference, and of the reference's two halves (the sampling-noise control).

    Each sample is a 2-D histogram on (tic1, tic2), ``bins`` x ``bins`` over the range of
    all (kept) frames; JS in nats (0 = same distribution, ln 2 = disjoint; Lin, IEEE
    Trans. Inf. Theory 37, 145 (1991); :func:`cgexplain.analysis.compare.jensen_shannon`).
    Intervals resample both samples' frames independently by moving blocks within
    their trajectory order (run, frame). The plug-in divergence of finite samples is
    biased upwards, and resampling (fewer distinct frames) raises it further, so the
    model's value is meaningful relative to the control, not to 0.

    Args:
        ref_frames, cg_frames: ``states/frames_<source>.csv`` (``frame``, ``run``,
            ``tic1``, ``tic2``).
        bins: bins per axis (``states.tica_bins``).
        exclude_runs: reference runs to leave out, e.g. those held in a state by a bias
            (:func:`biased_runs`): their populations are not Boltzmann's.
        block_length: frames per block; None: 5 integrated autocorrelation times of
            each sample's tic1.

    Returns:
        ``(model vs reference, first vs second half of every reference run)``.
    """
    ref = ref_frames[~ref_frames[col.RUN].isin(list(exclude_runs))]
    ref = ref.sort_values([col.RUN, col.FRAME]).reset_index(drop=True)
    cg = cg_frames.sort_values([col.RUN, col.FRAME]).reset_index(drop=True)
    if ref.empty or cg.empty:
        raise InputError(f"FES divergence needs frames: reference {len(ref)}, model {len(cg)}")
    xy_ref = ref[[col.TIC1, col.TIC2]].to_numpy(dtype=float)
    xy_cg = cg[[col.TIC1, col.TIC2]].to_numpy(dtype=float)
    both = np.concatenate([xy_ref, xy_cg])
    ranges = [(float(both[:, k].min()), float(both[:, k].max())) for k in range(2)]

    def js(a: np.ndarray, b: np.ndarray) -> float:
        ha = np.histogram2d(a[:, 0], a[:, 1], bins=bins, range=ranges)[0]
        hb = np.histogram2d(b[:, 0], b[:, 1], bins=bins, range=ranges)[0]
        return jensen_shannon(ha, hb)

    def length(xy: np.ndarray) -> int:
        return _block_length(xy[:, 0], block_length)

    kept = sorted(set(ref_frames[col.RUN]) - set(exclude_runs))
    model = _two_sample(xy_cg, xy_ref, js, length(xy_cg), length(xy_ref), n_resamples, seed,
                        confidence)  # fmt: skip
    first, second = _halves(ref)
    a, b = xy_ref[first], xy_ref[second]
    control = _two_sample(a, b, js, length(a), length(b), n_resamples, seed + 1, confidence)
    grid = f"{bins}x{bins} bins on tic1 {ranges[0][0]:.3g}..{ranges[0][1]:.3g}, tic2 " \
           f"{ranges[1][0]:.3g}..{ranges[1][1]:.3g}"  # fmt: skip
    excluded = f", runs {list(exclude_runs)} left out" if len(exclude_runs) else ""
    return (
        Measurement(*model, len(cg) + len(ref), f"JS divergence (nats) of the model's "
                    f"{len(cg)} frames and the reference's {len(ref)} frames (runs {kept}"
                    f"{excluded}), {grid}"),
        Measurement(*control, len(ref), f"JS divergence (nats) of the first ({len(first)} "
                    f"frames) and second ({len(second)}) half of every reference run "
                    f"(runs {kept}{excluded}), {grid}"),
    )  # fmt: skip


def fes_agreement(
    ref_frames: pd.DataFrame,
    cg_frames: pd.DataFrame,
    bins: int,
    *,
    exclude_runs: Sequence[int] = (),
    n_resamples: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    block_length: int | None = None,
) -> Measurement:
    """The model's free-energy-surface divergence relative to the reference's own
    sampling noise: JS(model, reference) / JS(first halves, second halves) (Fig. 4; both
    as in :func:`fes_divergence`, same grid). Below 1: the model is as close to the
    reference as the reference is to itself.

    Each replicate resamples the model's frames and each half of the reference (moving
    blocks, independently), joins the two resampled halves into the resampled reference
    and takes both divergences from the same resampled frames, so their common
    resampling bias largely cancels in the ratio.

    Returns:
        Measurement of the ratio (dimensionless); NaN where the control is 0.
    """
    ref = ref_frames[~ref_frames[col.RUN].isin(list(exclude_runs))]
    ref = ref.sort_values([col.RUN, col.FRAME]).reset_index(drop=True)
    cg = cg_frames.sort_values([col.RUN, col.FRAME]).reset_index(drop=True)
    if ref.empty or cg.empty:
        raise InputError(f"FES agreement needs frames: reference {len(ref)}, model {len(cg)}")
    xy_ref = ref[[col.TIC1, col.TIC2]].to_numpy(dtype=float)
    xy_cg = cg[[col.TIC1, col.TIC2]].to_numpy(dtype=float)
    both = np.concatenate([xy_ref, xy_cg])
    ranges = [(float(both[:, k].min()), float(both[:, k].max())) for k in range(2)]

    def hist(xy: np.ndarray) -> np.ndarray:
        return np.histogram2d(xy[:, 0], xy[:, 1], bins=bins, range=ranges)[0]

    def ratio(model: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
        ha, hb = hist(a), hist(b)
        js_model = jensen_shannon(hist(model), ha + hb)
        js_control = jensen_shannon(ha, hb)
        return js_model / js_control if js_control > 0 else np.nan, js_model, js_control

    first, second = _halves(ref)
    a, b = xy_ref[first], xy_ref[second]
    samples = (xy_cg, a, b)
    lengths = [_block_length(x[:, 0], block_length) for x in samples]
    rng = np.random.default_rng(seed)
    idx = [
        resample_indices(len(x), n, n_resamples, rng)
        for x, n in zip(samples, lengths, strict=True)
    ]
    reps = np.array(
        [ratio(*(x[i[r]] for x, i in zip(samples, idx, strict=True))) for r in range(n_resamples)]
    )
    value, js_model, js_control = ratio(*samples)
    alpha = 1.0 - confidence
    finite = reps[np.isfinite(reps[:, 0]), 0]
    if finite.size >= 0.5 * n_resamples:
        low, high = np.quantile(finite, [alpha / 2, 1 - alpha / 2])
    else:
        low = high = np.nan
    kept = sorted(set(ref[col.RUN]))
    detail = (
        f"JS(model, reference) / JS(first, second half of every reference run), nats: "
        f"{js_model:.4f} / {js_control:.4f}; model {len(cg)} frames, reference {len(ref)} "
        f"frames (runs {kept}{f', runs {list(exclude_runs)} left out' if len(exclude_runs) else ''}), "
        f"{bins}x{bins} bins; replicate medians {np.nanmedian(reps[:, 1]):.4f} / "
        f"{np.nanmedian(reps[:, 2]):.4f}"
    )
    return Measurement(float(value), float(low), float(high), len(cg) + len(ref), detail)


#: the state indicators formed in each intermediate (:mod:`cgexplain.analysis.states`)
FORMED_IN = {"P1": (col.B1B3, col.HELIX), "P2": (col.B1B2,)}


def _minority_share(m: Measurement) -> Measurement:
    """min(S, 1 - S) of a share S with its interval (the percentile interval maps through
    a monotone function on each side of 1/2; an interval across 1/2 tops out at 1/2)."""
    lo, hi = m.ci_low, m.ci_high
    if hi <= 0.5:
        ends = (lo, hi)
    elif lo >= 0.5:
        ends = (1 - hi, 1 - lo)
    else:
        ends = (min(lo, 1 - hi), 0.5)
    value = min(m.value, 1 - m.value)
    return Measurement(value, *ends, m.n_frames, f"the smaller of the stabilising and "
                       f"destabilising shares; {m.detail}")  # fmt: skip


def measure_protein_claims(
    settings: Mapping,
    pairs: pd.DataFrame,
    states: pd.DataFrame,
    elements: str,
    structure: str | None,
    differences: Mapping[str, pd.DataFrame],
    ref_frames: pd.DataFrame,
    cg_frames: pd.DataFrame,
    run: Mapping,
    confidence: float,
) -> dict[str, Measurement | str]:
    """Every protein measurement of one (system, model, source), keyed as
    :func:`cgexplain.analysis.claims.protein_claims` reads them.

    Keys: ``folded_contacts:<indicator>`` (mean summed native-contact relevance on F
    frames), ``top_contacts.b1b3`` (fraction of the top pairs in β1-β3 minus the chance
    fraction), ``top_contacts.stabilising``, ``unfolded_mixed`` (the smaller of U's
    stabilising and destabilising non-native shares), ``intermediates.kept:<S>.<ind>``
    and ``intermediates.lost:<S>.<ind>`` (share of F's relevance kept by each element
    formed in P1/P2, :data:`FORMED_IN`; the two keys carry the same measurement, tested
    > 0 and < 1), ``mutation:<M>.<set>`` (:func:`mutation_weakens`; a string ``not
    run: ...`` when the contacts table lacks the set) and ``fes_agreement``
    (:func:`fes_agreement`).

    Args:
        settings: the ``claims`` config block (``folded_contacts.indicators``,
            ``top_contacts.n_top``, ``mutations_weaken``).
        pairs: relevance pair table of the run.
        states: its per-frame state table (``frame``, ``state``, optional ``run``).
        elements: path of ``states/elements.json``.
        structure: the prepared PDB (unused: residue names and sequence come from the
            elements file).
        differences: mutation -> ``mutations/<M>_contacts.csv`` table.
        ref_frames, cg_frames: ``states/frames_reference.csv``, ``frames_<model>.csv``.
        run: ``n_resamples``, ``seed``, ``block_length`` (None: automatic),
            ``native_cutoff``; optional ``tica_bins`` (default 40) and ``exclude_runs``
            (reference runs held by a bias, :func:`biased_runs`; default none).
        confidence: of every interval.
    """
    from cgexplain.analysis.claims import contact_relevance_per_frame
    from cgexplain.analysis.states import element_contacts

    del structure
    protein = StateElements.read(elements)
    contacts = element_contacts(
        protein.native_positions, protein.elements, run.get("native_cutoff", 8.0)
    )
    table = states.set_index(col.FRAME)
    labels = table[col.STATE]
    runs = table[col.RUN] if col.RUN in table else None
    boot = {"n_resamples": int(run["n_resamples"]), "seed": int(run["seed"]),
            "confidence": confidence, "block_length": run.get("block_length")}  # fmt: skip
    out: dict[str, Measurement | str] = {}
    folded = state_frames(pairs, labels, "F", runs)
    indicators = settings.get("folded_contacts", {}).get("indicators", [col.B1B3, col.HELIX])
    for k, name in enumerate(indicators):
        if not folded.size:
            out[f"folded_contacts:{name}"] = "not run: no folded frames explained"
            continue
        values = contact_relevance_per_frame(pairs, contacts[name][0], folded)
        est, low, high = _interval(values, lambda v: float(np.mean(v)), values,
                                   boot["n_resamples"], boot["seed"] + k, confidence,
                                   boot["block_length"])  # fmt: skip
        out[f"folded_contacts:{name}"] = Measurement(
            est, low, high, int(folded.size), f"mean summed relevance of the "
            f"{len(contacts[name][0])} {name} native contacts on {folded.size} F frames")  # fmt: skip
    n_top = int(settings.get("top_contacts", {}).get("n_top", 10))
    common = {"n_residues": len(protein.sequence), "runs": runs, **boot}
    top = top_contacts_in_b1b3(pairs, labels, contacts, n_top, **common)
    chance = chance_fraction(len(protein.sequence), contacts[col.B1B3][0])
    out["top_contacts.b1b3"] = Measurement(
        top.value - chance, top.ci_low - chance, top.ci_high - chance, top.n_frames,
        f"{top.value:.3f} [{top.ci_low:.3f}, {top.ci_high:.3f}] minus the chance fraction "
        f"{chance:.4f}: {top.detail}",
    )  # fmt: skip
    out["top_contacts.stabilising"] = top_contacts_stabilising(
        pairs, labels, contacts, n_top, **common
    )
    mixed = unfolded_nonnative_mixed(pairs, labels, contacts, runs=runs, **boot)
    out["unfolded_mixed"] = (
        _minority_share(mixed) if mixed.n_frames else "not run: no unfolded frames explained"
    )
    for state, formed in FORMED_IN.items():
        for name in formed:
            mine = state_frames(pairs, labels, state, runs)
            if not mine.size or not folded.size:
                share: Measurement | str = f"not run: no {state} or F frames explained"
            else:
                share = state_element_relevance(pairs, labels, contacts, state, name,
                                                runs=runs, **boot)  # fmt: skip
            out[f"intermediates.kept:{state}.{name}"] = share
            out[f"intermediates.lost:{state}.{name}"] = share
    for mutation, sets in settings.get("mutations_weaken", {}).items():
        if mutation not in run.get("mutations", differences):
            continue
        table_m = differences.get(mutation)
        for name in sets:
            key = f"mutation:{mutation}.{name}"
            if table_m is None or name not in set(table_m["indicator"]):
                out[key] = (f"not run: {mutation}_contacts.csv has no {name} rows "
                            "(written by explain_mutation since mutation_pair_sets)")  # fmt: skip
            else:
                out[key] = mutation_weakens(table_m, name, **boot)
    exclude = run.get("exclude_runs", ())
    if "biased" in ref_frames and col.RUN in ref_frames:  # walled runs: not the surface
        biased = ref_frames["biased"].astype(str).str.lower().isin(["true", "1"])
        exclude = sorted(set(exclude) | set(ref_frames.loc[biased, col.RUN].astype(int)))
    try:
        out["fes_agreement"] = fes_agreement(
            ref_frames, cg_frames, int(run.get("tica_bins", 40)), exclude_runs=exclude, **boot,
        )  # fmt: skip
    except InputError as error:  # e.g. no unbiased reference frame at this scale
        out["fes_agreement"] = f"not run: {error}"
    return out
