"""The study's claims, tested on this run's numbers (``results/validation/claims.csv``).

Bonneau et al., Nat. Commun. (2025) draw conclusions from their figures; each function
here turns one of them into a number with an interval and a test against a threshold
that the configuration holds (``claims`` block), never the code. A claim whose inputs
the run lacks (a system or model not built) gives no row.

Every row: ``claim`` (text), ``quantity`` (what was computed), ``value``, ``ci_low``,
``ci_high`` (bootstrap percentile interval; NaN where the stage has none yet),
``expected`` (the test as text, e.g. ``"<= 0.5"``) and ``holds`` (the test on the value).
``decided`` says whether the whole interval is on the same side of the threshold (NaN
interval: False). ``verdict`` says it in words: ``holds``, ``does not hold``, either
followed by ``(undecided: ...)`` when the interval crosses the threshold or is missing,
or ``not run: <reason>`` for a claim this run did not test (its tools are missing, or
the configuration names it in ``claims.paper_scale_only``), whose value is NaN.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cgexplain.analysis.bootstrap import block_bootstrap, block_length_from_autocorrelation
from cgexplain.analysis.states import STATES
from cgexplain.analysis.uncertainty import RunReplicates, interval
from cgexplain.io import InputError

__all__ = [
    "CLAIM_COLUMNS",
    "CLAIM_GROUPS",
    "PAPER_SCALE_ONLY",
    "not_run_claims",
    "not_run_row",
    "runs",
    "verdict",
    "STATE_CONTACT_COLUMNS",
    "angle_claims",
    "claim_row",
    "contact_claims",
    "contact_relevance_per_frame",
    "liquid_claims",
    "mutation_claims",
    "state_contact_relevance",
]

CLAIM_COLUMNS = (
    "claim", "quantity", "value", "ci_low", "ci_high", "expected", "holds", "decided", "verdict",
)  # fmt: skip
#: the claim groups of the ``claims`` config block, with the claim each one tests
CLAIM_GROUPS = {
    "three_body_contrast": "3-body relevance, relative to 2-body, is far lower in one liquid than in another",
    "two_body_agreement": "two architectures learn the same 2-body relevance curve",
    "well_at_rdf_peak": "the 2-body stabilising well sits at the first RDF peak",
    "imc_angles": "a pair potential (IMC) reproduces some liquids' triplet angles and misses others'",
    "invariant_angles": "an invariant network misses angular structure an equivariant one gets",
    "folded_contacts": "a protein's folded state is stabilised by its native contacts",
    "mutations_weaken": "point mutations weaken the contacts they are expected to weaken",
}  # fmt: skip
#: reason of a claim group the configuration leaves to the study's scale
PAPER_SCALE_ONLY = "not run: paper scale only (claims.paper_scale_only; config/paper.yaml)"
_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


def claim_row(
    claim: str,
    quantity: str,
    value: float,
    low: float,
    high: float,
    op: str,
    threshold: float,
    absolute: bool = False,
) -> dict:
    """One claims-table row; ``absolute`` tests |value| (and the interval's largest |x|)."""
    test = _OPS[op]
    x = abs(value) if absolute else value
    holds = bool(np.isfinite(x) and test(x, threshold))
    if np.isfinite(low) and np.isfinite(high):
        if absolute:
            near = 0.0 if low <= 0 <= high else min(abs(low), abs(high))
            far = max(abs(low), abs(high))
            ends = (near, far)
        else:
            ends = (low, high)
        decided = all(test(e, threshold) == holds for e in ends)
    else:
        decided = False
    expected = f"{'|x| ' if absolute else ''}{op} {threshold:g}"
    return {"claim": claim, "quantity": quantity, "value": value, "ci_low": low,
            "ci_high": high, "expected": expected, "holds": holds, "decided": decided,
            "verdict": verdict(holds, decided, low, high)}  # fmt: skip


def verdict(holds: bool, decided: bool, low: float, high: float) -> str:
    """A claim's verdict in words (module docstring)."""
    text = "holds" if holds else "does not hold"
    if decided:
        return text
    if not (np.isfinite(low) and np.isfinite(high)):
        return f"{text} (undecided: no interval)"
    return f"{text} (undecided: the interval crosses the threshold)"


def not_run_row(claim: str, quantity: str, reason: str) -> dict:
    """A row for a claim this run did not test; ``reason`` starts with ``not run:``."""
    return {"claim": claim, "quantity": quantity, "value": np.nan, "ci_low": np.nan,
            "ci_high": np.nan, "expected": "", "holds": np.nan, "decided": False,
            "verdict": reason}  # fmt: skip


def runs(settings: Mapping, group: str, item: str | None = None) -> bool:
    """Whether a claim group, or one item of it (a mutation of ``mutations_weaken``), is
    tested at this scale: neither ``group`` nor ``group.item`` is in ``paper_scale_only``."""
    skipped = settings.get("paper_scale_only", ())
    return group not in skipped and (item is None or f"{group}.{item}" not in skipped)


def not_run_claims(settings: Mapping, imc_skipped: str | None) -> list[dict]:
    """Rows of the claims this run leaves out: each ``paper_scale_only`` group, and the
    IMC angle claims when the IMC stage did not run (``imc_skipped``: the reason)."""
    rows = []
    for entry in settings.get("paper_scale_only", ()):
        group, _, item = entry.partition(".")
        if group == "mutations_weaken" and item:
            indicators = "+".join(settings["mutations_weaken"].get(item, ()))
            claim = f"{item} weakens the {indicators or 'expected'} contacts"
        else:
            claim = CLAIM_GROUPS[group] + (f" ({item})" if item else "")
        rows.append(not_run_row(claim, entry, PAPER_SCALE_ONLY))
    if imc_skipped and runs(settings, "imc_angles"):
        c = settings["imc_angles"]
        for system in c["reproduced"]:
            rows.append(not_run_row(f"a pair potential (IMC) reproduces {system}'s triplet angles",
                                    f"angle_js(imc), {system}", imc_skipped))  # fmt: skip
        for system in c["not_reproduced"]:
            rows.append(not_run_row(f"a pair potential (IMC) misses {system}'s triplet angles",
                                    f"angle_js(imc), {system}", imc_skipped))  # fmt: skip
    return rows


def _agreement(table: pd.DataFrame, system: str, quantity: str, model: str) -> pd.Series | None:
    rows = table[
        (table["system"] == system) & (table["quantity"] == quantity) & (table["model"] == model)
    ]
    return rows.iloc[0] if len(rows) else None


def liquid_claims(
    settings: Mapping,
    agreement: pd.DataFrame,
    replicates: Mapping[tuple[str, str], RunReplicates],
    confidence: float,
) -> list[dict]:
    """Claims on the liquids' relevance (Figs. 2-3).

    Args:
        settings: the ``claims`` config block.
        agreement: ``results/relevance/agreement.csv`` (with intervals).
        replicates: (system, model) -> bootstrap replicates of its primary run.
    """
    rows = []
    c = settings["three_body_contrast"]
    low_sys, high_sys = c["low"], c["high"]
    contrast = runs(settings, "three_body_contrast")
    for (system, model), rep in sorted(replicates.items()) if contrast else []:
        if system != low_sys or (high_sys, model) not in replicates:
            continue
        a, ra = rep.numbers["ratio_3body_2body"]
        b, rb = replicates[high_sys, model].numbers["ratio_3body_2body"]
        lo, hi = interval((ra[: len(rb)] / rb[: len(ra)])[:, None], confidence)
        rows.append(claim_row(
            f"{low_sys}'s 3-body relevance, relative to 2-body, is far below {high_sys}'s ({model})",
            f"ratio_3body_2body[{low_sys}] / ratio_3body_2body[{high_sys}], {model}",
            a / b, lo[0], hi[0], "<=", c["max_ratio"],
        ))  # fmt: skip
    c = settings["two_body_agreement"]
    a, b = sorted(c["models"])
    for system in sorted(set(agreement["system"])) if runs(settings, "two_body_agreement") else []:
        row = _agreement(agreement, system, f"corr_2body_{a}_{b}", f"{a},{b}")
        if row is not None:
            rows.append(claim_row(
                f"{a} and {b} learn the same 2-body relevance curve ({system})",
                f"corr_2body_{a}_{b}, {system}", row["value"], row["ci_low"], row["ci_high"],
                ">=", c["min_correlation"],
            ))  # fmt: skip
    c = settings["well_at_rdf_peak"]
    wells = agreement[agreement["quantity"] == "well_minus_rdf_peak"]
    if not runs(settings, "well_at_rdf_peak"):
        wells = wells.iloc[:0]
    for row in wells.sort_values(["system", "model"]).itertuples():
        rows.append(claim_row(
            f"the 2-body stabilising well sits at the first RDF peak ({row.system}, {row.model})",
            f"well_position - rdf_first_peak / Å, {row.system} {row.model}",
            row.value, row.ci_low, row.ci_high, "<=", c["max_distance"], absolute=True,
        ))  # fmt: skip
    return rows


def angle_claims(settings: Mapping, metrics: pd.DataFrame) -> list[dict]:
    """Claims on the triplet-angle structure of CG models (Figs. S1, S3).

    Args:
        metrics: ``results/validation/structure_metrics.csv`` (``system``, ``model``,
            ``angle_js``; optional ``angle_js_ci_low``/``_high``).
    """
    rows = []

    def js(system: str, model: str) -> tuple[float, float, float] | None:
        part = metrics[(metrics["system"] == system) & (metrics["model"] == model)]
        if not len(part):
            return None
        r = part.iloc[0]
        return (float(r["angle_js"]), float(r.get("angle_js_ci_low", np.nan)),
                float(r.get("angle_js_ci_high", np.nan)))  # fmt: skip

    c = settings["imc_angles"]
    imc = runs(settings, "imc_angles")
    for system in c["reproduced"] if imc else []:
        v = js(system, "imc")
        if v is not None:
            rows.append(claim_row(f"a pair potential (IMC) reproduces {system}'s triplet angles",
                                  f"angle_js(imc), {system}", *v, "<=", c["max_js"]))  # fmt: skip
    for system in c["not_reproduced"] if imc else []:
        v = js(system, "imc")
        if v is not None:
            rows.append(claim_row(f"a pair potential (IMC) misses {system}'s triplet angles",
                                  f"angle_js(imc), {system}", *v, ">", c["max_js"]))  # fmt: skip
    c = settings["invariant_angles"]
    invariant, equivariant = js(c["system"], c["model"]), js(c["system"], c["reference_model"])
    tested = runs(settings, "invariant_angles")
    if tested and invariant is not None and equivariant is not None and equivariant[0] > 0:
        rows.append(claim_row(
            f"the invariant {c['model']} misses {c['system']}'s angles that {c['reference_model']} gets",
            f"angle_js({c['model']}) / angle_js({c['reference_model']}), {c['system']}",
            invariant[0] / equivariant[0], *_ratio_range(invariant, equivariant), ">=",
            c["min_factor"],
        ))  # fmt: skip
    return rows


def _ratio_range(
    a: tuple[float, float, float], b: tuple[float, float, float]
) -> tuple[float, float]:
    """Range of a / b over the intervals of a and b (value, low, high), both positive:
    (a_low / b_high, a_high / b_low). Conservative: it contains the ratio wherever both
    lie in their intervals; NaN where an interval is missing or b's reaches 0."""
    if not (np.all(np.isfinite([a[1], a[2], b[1], b[2]])) and b[1] > 0 and a[1] >= 0):
        return np.nan, np.nan
    return a[1] / b[2], a[2] / b[1]


def contact_relevance_per_frame(
    pairs: pd.DataFrame, contacts: np.ndarray, frames: np.ndarray, value: str = "relevance_norm"
) -> np.ndarray:
    """Per frame, the summed 2-body relevance of the given residue pairs.

    Args:
        pairs: relevance pair table (``frame``, ``i`` < ``j``, ``value``).
        contacts: (n, 2) residue pairs, i < j.
        frames: frame numbers to report, in order (a frame without any of the pairs: 0).

    Returns:
        (len(frames),) sums.
    """
    key = pd.MultiIndex.from_arrays([contacts[:, 0], contacts[:, 1]])
    mine = pairs.set_index(["i", "j"]).index.isin(key)
    sums = pairs[mine].groupby("frame")[value].sum()
    return sums.reindex(frames, fill_value=0.0).to_numpy(dtype=float)


#: columns of :func:`state_contact_relevance`
STATE_CONTACT_COLUMNS = (
    "state", "indicator", "n_frames", "mean", "ci_low", "ci_high", "share_of_folded",
)  # fmt: skip


def state_contact_relevance(
    pairs: pd.DataFrame,
    labels: pd.Series,
    contacts: Mapping[str, tuple[np.ndarray, np.ndarray]],
    n_resamples: int,
    seed: int,
    confidence: float,
    block_length: int | None = None,
    states: Sequence[str] = STATES,
) -> pd.DataFrame:
    """How much each state indicator's native contacts stabilise each folding state.

    Per state and indicator, the mean over the state's explained frames of the summed
    2-body relevance of the indicator's native contacts (a.u., negative = stabilising),
    with its block-bootstrap interval, and its share of the folded state's mean. A
    formed element whose share is well below 1 in an intermediate is worth less there
    than in F: the network's many-body (cooperative) treatment of folding.

    Args:
        pairs: relevance pair table (``frame``, ``i`` < ``j``, ``relevance_norm``).
        labels: frame number -> state label ("" = none), for at least the explained
            frames.
        contacts: indicator -> (native pairs (n, 2), distances (n,) Å), as
            :func:`cgexplain.analysis.states.element_contacts`.
        n_resamples, seed, confidence, block_length: the block bootstrap
            (:func:`cgexplain.analysis.bootstrap.block_bootstrap`); ``block_length``
            None: 5 integrated autocorrelation times of each series.
        states: the states to report, in order; a state without explained frames gets
            a row with ``n_frames`` 0 and NaN values.

    Returns:
        One row per (state, indicator) with :data:`STATE_CONTACT_COLUMNS`.
    """
    explained = np.sort(pairs["frame"].unique())
    missing = np.setdiff1d(explained, labels.index.to_numpy())
    if missing.size:
        raise InputError(
            f"{missing.size} explained frames have no state label, e.g. {missing[:3].tolist()}"
        )
    state_of = labels.reindex(explained).to_numpy()
    rows = []
    for state in states:
        frames = explained[state_of == state]
        for k, (name, (pair_list, _)) in enumerate(contacts.items()):
            row = {"state": state, "indicator": name, "n_frames": len(frames)}
            if len(frames):
                values = contact_relevance_per_frame(pairs, pair_list, frames)
                est, low, high = _mean_interval(
                    values, n_resamples, seed + k, confidence, block_length
                )
                row.update(mean=est, ci_low=low, ci_high=high)
            else:
                row.update(mean=np.nan, ci_low=np.nan, ci_high=np.nan)
            rows.append(row)
    table = pd.DataFrame(rows)
    folded = table[table["state"] == "F"].set_index("indicator")["mean"]
    table["share_of_folded"] = table["mean"] / table["indicator"].map(folded)
    return table.reindex(columns=list(STATE_CONTACT_COLUMNS))


def _mean_interval(values: np.ndarray, n_resamples: int, seed: int, confidence: float,
                   block_length: int | None) -> tuple[float, float, float]:  # fmt: skip
    """Mean over frames with its block-bootstrap interval; ``block_length`` None: 5
    integrated autocorrelation times of the values themselves (frames are correlated)."""
    if block_length is None:
        block_length = block_length_from_autocorrelation(values) if len(values) > 2 else 1
    est, low, high = block_bootstrap(
        values, lambda v: float(np.mean(v)), min(block_length, len(values)), n_resamples,
        seed, confidence,
    )  # fmt: skip
    return float(est), float(low), float(high)


def contact_claims(
    settings: Mapping,
    system: str,
    per_frame: Mapping[str, np.ndarray],
    n_resamples: int,
    seed: int,
    confidence: float,
    block_length: int | None,
) -> list[dict]:
    """Claims on a protein's folded-state relevance (Figs. 5-6).

    Args:
        per_frame: indicator (``b1b3``, ``helix``, ...) -> per-frame summed 2-body
            relevance of its native contacts on the folded (F) frames, in order.
    """
    rows = []
    c = settings["folded_contacts"]
    for indicator in c["indicators"] if runs(settings, "folded_contacts") else []:
        values = per_frame.get(indicator)
        if values is None or len(values) == 0:
            continue
        est, low, high = _mean_interval(values, n_resamples, seed, confidence, block_length)
        rows.append(claim_row(
            f"{system}'s folded state is stabilised by its {indicator} contacts",
            f"mean summed 2-body relevance of {indicator} native contacts on F frames, {system}",
            est, low, high, "<", c["max_relevance"],
        ))  # fmt: skip
    return rows


def mutation_claims(
    settings: Mapping,
    system: str,
    differences: Mapping[str, pd.DataFrame],
    n_resamples: int,
    seed: int,
    confidence: float,
    block_length: int | None,
) -> list[dict]:
    """Claims on point mutations (Fig. 7): the mutation weakens (makes less negative)
    the contacts it is expected to weaken.

    Args:
        differences: mutation -> per-frame table (``frame``, ``indicator``,
            ``difference`` = mutant - wild type summed contact relevance).
    """
    rows = []
    for mutation, indicators in settings["mutations_weaken"].items():
        if not runs(settings, "mutations_weaken", mutation):
            continue
        table = differences.get(mutation)
        if table is None or table.empty:
            continue
        part = table[table["indicator"].isin(indicators)]
        values = part.groupby("frame")["difference"].sum().to_numpy(dtype=float)
        if values.size == 0:
            continue
        est, low, high = _mean_interval(values, n_resamples, seed, confidence, block_length)
        rows.append(claim_row(
            f"{mutation} weakens {system}'s {'+'.join(indicators)} contacts",
            f"mean change (mutant - wild type) of summed {'+'.join(indicators)} contact relevance",
            est, low, high, ">", 0.0,
        ))  # fmt: skip
    return rows
