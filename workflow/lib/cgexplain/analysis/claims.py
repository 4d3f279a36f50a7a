"""The study's claims, tested on this run's numbers (``results/validation/claims.csv``).

Bonneau et al., Nat. Commun. 16, 9898 (2025) draw conclusions from their figures; each
function here turns one of them into a measured quantity with an interval and an
expected relation. The study's words and figure of each claim are in
:mod:`cgexplain.analysis.study`. A threshold is either the study's own (a number or a
window it states) or a *control measured in the same run*, folded into the quantity so
that the threshold itself is a plain number (e.g. a divergence over the divergence of
the IMC pair potential, compared with 1); ``threshold_from`` says which.

The verdict is decided by the interval alone (never by the point value): ``holds`` when
the whole interval lies on the claimed side of the threshold, ``does not hold`` when it
lies on the other side, ``undecided`` otherwise (the interval crosses the threshold, or
there is none). ``not run: <reason>`` marks a claim this run did not test (its system,
model or tools are missing, or the configuration lists it in
``claims.paper_scale_only``); its value is NaN.

Columns (:data:`CLAIM_COLUMNS`): ``claim_id``, ``figure``, ``study_words``, ``claim``
(what is tested, in our words, with its system/model), ``quantity``, ``value``,
``ci_low``, ``ci_high`` (block-bootstrap percentile interval), ``expected`` (relation
to the threshold), ``threshold_from``, ``verdict``.
"""

from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cgexplain.analysis.bootstrap import block_bootstrap, block_length_from_autocorrelation
from cgexplain.analysis.states import STATES
from cgexplain.analysis.study import STUDY
from cgexplain.analysis.uncertainty import RunReplicates, interval, paired_correlation_interval
from cgexplain.io import InputError

__all__ = [
    "CLAIM_COLUMNS",
    "PAPER_SCALE_ONLY",
    "STATE_CONTACT_COLUMNS",
    "VERDICTS",
    "claim_row",
    "contact_relevance_per_frame",
    "not_run_row",
    "peak_half_width",
    "profile_claims",
    "protein_claims",
    "ratio_range",
    "relevance_claims",
    "runs",
    "state_contact_relevance",
    "structure_claims",
    "verdict",
    "wall_distance",
]

CLAIM_COLUMNS = (
    "claim_id", "figure", "study_words", "claim", "quantity", "value", "ci_low", "ci_high",
    "expected", "threshold_from", "verdict",
)  # fmt: skip
VERDICTS = ("holds", "does not hold", "undecided")
#: reason of a claim the configuration leaves to the study's scale
PAPER_SCALE_ONLY = "not run: paper scale only (claims.paper_scale_only; config/paper.yaml)"
_OPS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}


# --------------------------------------------------------------------------- rows


def verdict(low: float, high: float, op: str, threshold: float) -> str:
    """The verdict of an interval ``[low, high]`` against ``x op threshold`` (module
    docstring): ``holds``, ``does not hold`` or ``undecided (...)``."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "undecided (no interval)"
    test = _OPS[op]
    ends = [bool(test(low, threshold)), bool(test(high, threshold))]
    if all(ends):
        return "holds"
    if not any(ends):
        return "does not hold"
    return "undecided (the interval crosses the threshold)"


def claim_row(
    claim_id: str,
    subject: str,
    quantity: str,
    value: float,
    low: float,
    high: float,
    op: str,
    threshold: float,
    threshold_from: str,
) -> dict:
    """One claims-table row of the study's claim ``claim_id`` (a key of
    :data:`cgexplain.analysis.study.STUDY`) tested on ``subject`` (system, model...)."""
    return _row(claim_id, subject, quantity, (value, low, high), f"{op} {threshold:g}",
                threshold_from, verdict(low, high, op, threshold))  # fmt: skip


def not_run_row(claim_id: str, subject: str, quantity: str, reason: str) -> dict:
    """A row for a claim this run did not test; ``reason`` starts with ``not run:`` (or
    says why the claim cannot hold, e.g. a curve without a well)."""
    return _row(claim_id, subject, quantity, (np.nan, np.nan, np.nan), "", "", reason)


def _row(claim_id: str, subject: str, quantity: str, numbers: tuple[float, float, float],
         expected: str, threshold_from: str, verdict_text: str) -> dict:  # fmt: skip
    """A claims-table row (:data:`CLAIM_COLUMNS`) with the study's figure and words."""
    study = STUDY[claim_id]
    value, low, high = (float(x) for x in numbers)
    return {
        "claim_id": claim_id,
        "figure": study.figure,
        "study_words": study.words,
        "claim": f"{study.statement} ({subject})" if subject else study.statement,
        "quantity": quantity,
        "value": value,
        "ci_low": low,
        "ci_high": high,
        "expected": expected,
        "threshold_from": threshold_from,
        "verdict": verdict_text,
    }


def runs(settings: Mapping, group: str, item: str | None = None) -> bool:
    """Whether a claim is tested at this scale: no dotted prefix of ``group.item`` (a
    claim group, e.g. ``mutation``, or a part of one, e.g. ``mutation.ILE4ASN``) is in
    ``paper_scale_only``."""
    skipped = set(settings.get("paper_scale_only", ()))
    parts = (f"{group}.{item}" if item else group).split(".")
    return not any(".".join(parts[:k]) in skipped for k in range(1, len(parts) + 1))


def ratio_range(
    a: tuple[float, float, float], b: tuple[float, float, float]
) -> tuple[float, float]:
    """Range of a / b over the intervals of a and b (value, low, high), both positive:
    (a_low / b_high, a_high / b_low). Conservative: it contains the ratio wherever both
    lie in their intervals; NaN where an interval is missing or b's reaches 0."""
    if not (np.all(np.isfinite([a[1], a[2], b[1], b[2]])) and b[1] > 0 and a[1] >= 0):
        return np.nan, np.nan
    return a[1] / b[2], a[2] / b[1]


def _ratio(claim_id, subject, quantity, a, b, op, threshold_from) -> dict:
    """A row testing a / b against 1 with :func:`ratio_range` as its interval."""
    value = a[0] / b[0] if b[0] > 0 else np.nan
    return claim_row(claim_id, subject, quantity, value, *ratio_range(a, b), op, 1.0,
                     threshold_from)  # fmt: skip


# --------------------------------------------------------------------- structure


#: structure metrics (``structure_metrics.csv`` columns) and what they measure
STRUCTURE_METRICS = {
    "shell_angle_js": "first-shell angle distribution",
    "q_js": "tetrahedral order parameter distribution",
    "rdf_l1_shell": "RDF beyond the repulsive wall",
}


def _metric(metrics: pd.DataFrame, system: str, model: str, name: str):
    """(value, ci_low, ci_high) of a structure metric, or None."""
    if name not in metrics:
        return None
    part = metrics[(metrics["system"] == system) & (metrics["model"] == model)]
    if not len(part):
        return None
    r = part.iloc[0]
    value = float(r[name])
    if not np.isfinite(value):
        return None
    return value, float(r.get(f"{name}_ci_low", np.nan)), float(r.get(f"{name}_ci_high", np.nan))


def structure_claims(
    settings: Mapping,
    metrics: pd.DataFrame,
    models: Mapping[str, Sequence[str]],
    series: Mapping[str, Sequence[tuple[str, float]]] | None = None,
    imc_skipped: str | None = None,
) -> list[dict]:
    """Claims on the structure of CG liquids (Figs. 2, S1, S2, S3, S7).

    Each divergence from the reference (``structure_metrics.csv``: ``shell_angle_js``,
    ``q_js``, ``rdf_l1_shell`` with intervals) is compared with a control of the same
    run and metric:

    - *reproduces* (every CG network, each liquid): below the divergence of the IMC pair
      potential for the liquid the study says it fails on (``claims.structure.failing``,
      water), i.e. the network is decisively closer to the reference than the study's
      example of a missed structure. For the RDF, which IMC matches by construction,
      the control is IMC in the same liquid (the network is as close as the pair
      potential fitted to this RDF).
    - IMC reproduces ``reproduced`` liquids (methane): below the same failing control.
    - IMC misses the failing liquid's structure: above the best network's divergence.
    - SchNet misses water's angular structure: above PaiNN's; fine for methane: below
      the failing control.
    - PaiNN needs a larger cutoff for water: each smaller cutoff of the cutoff series
      above the largest one's divergence.

    Args:
        settings: the ``claims`` config block.
        metrics: ``results/validation/structure_metrics.csv``.
        models: system -> its trained CG networks (not IMC, not the cutoff series).
        series: system -> the cutoff series' (model name, cutoff Å), base model
            included, as ``structure_metrics.csv`` names them.
        imc_skipped: the reason IMC did not run, if it did not.
    """
    rows: list[dict] = []
    c = settings.get("structure", {})
    failing = c.get("failing", "water")
    systems = sorted(models)
    angular = [m for m in STRUCTURE_METRICS if m != "rdf_l1_shell"]
    if runs(settings, "structure_reproduced"):
        for system in systems:
            for model in models[system]:
                for name, what in STRUCTURE_METRICS.items():
                    mine = _metric(metrics, system, model, name)
                    control_system = system if name == "rdf_l1_shell" else failing
                    control = _metric(metrics, control_system, "imc", name)
                    if mine is None:
                        continue
                    subject = f"{system} {model}, {what}"
                    if control is None:
                        rows.append(not_run_row("structure_reproduced", subject, name,
                                                imc_skipped or "not run: no IMC control"))  # fmt: skip
                        continue
                    rows.append(_ratio(
                        "structure_reproduced", subject,
                        f"{name}({model}, {system}) / {name}(imc, {control_system})",
                        mine, control, "<",
                        f"IMC in {control_system} (fitted to this RDF)" if name == "rdf_l1_shell"
                        else f"IMC in {failing}: the study's example of a missed structure",
                    ))  # fmt: skip
    if runs(settings, "imc_structure"):
        for name in angular:
            what = STRUCTURE_METRICS[name]
            control = _metric(metrics, failing, "imc", name)
            for system in c.get("reproduced", ["methane"]):
                mine = _metric(metrics, system, "imc", name)
                if mine is not None and control is not None:
                    rows.append(_ratio(
                        "imc_structure.reproduced", f"{system}, {what}",
                        f"{name}(imc, {system}) / {name}(imc, {failing})", mine, control, "<",
                        f"IMC in {failing}: the study's example of a missed structure",
                    ))  # fmt: skip
            imc = _metric(metrics, failing, "imc", name)
            found = {
                m: v for m in models.get(failing, ()) if (v := _metric(metrics, failing, m, name))
            }
            if imc is not None and found:
                model, b = min(found.items(), key=lambda item: item[1][0])
                rows.append(_ratio(
                    "imc_structure.missed", f"{failing}, {what}",
                    f"{name}(imc, {failing}) / {name}(best network, {failing})", imc, b, ">",
                    f"the best network in {failing} ({model})",
                ))  # fmt: skip
    if runs(settings, "invariant_structure"):
        inv, eqv = c.get("invariant", "schnet"), c.get("equivariant", "painn")
        for name in angular:
            what = STRUCTURE_METRICS[name]
            a, b = _metric(metrics, failing, inv, name), _metric(metrics, failing, eqv, name)
            if a is not None and b is not None:
                rows.append(_ratio(
                    "invariant_structure.missed", f"{failing}, {what}",
                    f"{name}({inv}, {failing}) / {name}({eqv}, {failing})", a, b, ">",
                    f"the equivariant {eqv} in the same liquid",
                ))  # fmt: skip
            control = _metric(metrics, failing, "imc", name)
            for system in [s for s in systems if s != failing]:
                a = _metric(metrics, system, inv, name)
                if a is None:
                    rows.append(not_run_row("invariant_structure.fine", f"{system}, {what}", name,
                                            f"not run: no {inv} model for {system}"))  # fmt: skip
                elif control is not None:
                    rows.append(_ratio(
                        "invariant_structure.fine", f"{system}, {what}",
                        f"{name}({inv}, {system}) / {name}(imc, {failing})", a, control, "<",
                        f"IMC in {failing}: the study's example of a missed structure",
                    ))  # fmt: skip
    if runs(settings, "cutoff_structure"):
        found = False
        for system, cuts in sorted((series or {}).items()):
            if len(cuts) < 2:
                continue
            largest = max(cuts, key=lambda run: run[1])[0]
            for name in angular:
                what = STRUCTURE_METRICS[name]
                ref = _metric(metrics, system, largest, name)
                for m, cut in sorted(cuts, key=lambda run: run[1]):
                    mine = _metric(metrics, system, m, name)
                    if m == largest or mine is None or ref is None:
                        continue
                    found = True
                    rows.append(_ratio(
                        "cutoff_structure", f"{system} {m} ({cut:g} Å) vs {largest}, {what}",
                        f"{name}({m}) / {name}({largest}), {system}", mine, ref, ">",
                        f"the same model with the largest cutoff ({largest})",
                    ))  # fmt: skip
        if not found:
            rows.append(not_run_row("cutoff_structure", failing, "cutoff series",
                                    "not run: no cutoff series (training.cutoff_series)"))  # fmt: skip
    return rows


# ---------------------------------------------------------------- relevance curves


def wall_distance(rdf: pd.DataFrame) -> float:
    """Where the reference g(r) first reaches 1 (Å): the repulsive wall's edge; 2-body
    shapes are compared beyond it, where the liquid's structure is."""
    r, g = rdf["r"].to_numpy(float), rdf["g"].to_numpy(float)
    above = np.flatnonzero(g >= 1.0)
    return float(r[above[0]]) if above.size else float("nan")


def peak_half_width(rdf: pd.DataFrame, side: str) -> tuple[float, float]:
    """Position (Å) of the first peak of g(r) and its half width (Å) on one side
    (``"inner"`` or ``"outer"``): the distance from the peak to where g falls to half
    the peak's height above the ideal-gas level, (g_peak + 1) / 2."""
    from cgexplain.analysis.rdf import first_peak

    r, g = rdf["r"].to_numpy(float), rdf["g"].to_numpy(float)
    r_peak, g_peak = first_peak(rdf)
    k = int(np.argmin(np.abs(r - r_peak)))
    half = 0.5 * (g_peak + 1.0)
    step = 1 if side == "outer" else -1
    i = k
    while 0 <= i + step < len(r) and g[i + step] > half:
        i += step
    j = i + step
    if not 0 <= j < len(r):
        return r_peak, float("nan")
    # linear interpolation between bins i (above half) and j (at or below)
    x = r[i] + (half - g[i]) * (r[j] - r[i]) / (g[j] - g[i])
    return r_peak, float(abs(x - r_peak))


def _masked_profile(rep: RunReplicates, keep: np.ndarray):
    count = np.where(keep, rep.profile_count, 0.0)
    return rep.profile, count, rep.profile_reps


def _number(rep: RunReplicates, name: str, confidence: float):
    """(estimate, low, high) of a bootstrapped number of a run, or None."""
    if name not in rep.numbers:
        return None
    est, reps = rep.numbers[name]
    low, high = interval(reps[:, None], confidence)
    return float(est), float(low[0]), float(high[0])


def relevance_claims(
    settings: Mapping,
    agreement: pd.DataFrame,
    replicates: Mapping[tuple[str, str], RunReplicates],
    rdfs: Mapping[str, pd.DataFrame],
    confidence: float,
    min_count: int = 5,
) -> list[dict]:
    """Claims on the liquids' relevance (Figs. 2-3): the 3-body contrast of two liquids,
    the two architectures' 2-body agreement beyond the wall (two readings), water's
    3-body maps across architectures (two readings), the stabilising well at the first
    RDF peak, and the first-shell vertex angle of the most stabilising 3-body terms.

    Args:
        settings: the ``claims`` config block.
        agreement: ``results/relevance/agreement.csv`` (with intervals).
        replicates: (system, model) -> bootstrap replicates of its primary run.
        rdfs: system -> reference RDF table (``r``, ``g``).
    """
    rows: list[dict] = []
    c = settings.get("three_body_contrast", {})
    low_sys, high_sys = c.get("low", "methane"), c.get("high", "water")
    factor = float(c.get("factor", 1.0))
    for (system, model), rep in (
        sorted(replicates.items()) if runs(settings, "three_body_contrast") else []
    ):
        if system != low_sys or (high_sys, model) not in replicates:
            continue
        a, ra = rep.numbers["ratio_3body_2body"]
        b, rb = replicates[high_sys, model].numbers["ratio_3body_2body"]
        n = min(len(ra), len(rb))
        lo, hi = interval((ra[:n] / rb[:n])[:, None], confidence)
        rows.append(claim_row(
            "three_body_contrast", model,
            f"ratio_3body_2body[{low_sys}] / ratio_3body_2body[{high_sys}], {model}",
            a / b, lo[0], hi[0], "<", factor, c.get("factor_from", "the study: smaller"),
        ))  # fmt: skip
    c = settings.get("two_body_agreement", {})
    pair = sorted(c.get("models", ["painn", "so3net"]))
    if runs(settings, "two_body_agreement"):
        for system in sorted({s for s, _ in replicates}):
            if (system, pair[0]) not in replicates or (system, pair[1]) not in replicates:
                continue
            ra, rb = replicates[system, pair[0]], replicates[system, pair[1]]
            wall = wall_distance(rdfs[system]) if system in rdfs else np.nan
            keep = ra.profile_centers >= wall
            est, lo, hi = paired_correlation_interval(
                *_masked_profile(ra, keep), *_masked_profile(rb, keep), min_count, confidence
            )
            q = f"corr_2body({pair[0]}, {pair[1]}) at r >= {wall:.2f} Å, {system}"
            rows.append(claim_row("two_body_agreement.positive", system, q, est, lo, hi, ">", 0.0,
                                  "reading 1: positively correlated beyond the wall"))  # fmt: skip
            imc = agreement[(agreement["system"] == system)
                            & (agreement["quantity"] == "corr_imc_2body")
                            & agreement["model"].isin(pair)]["value"]  # fmt: skip
            if len(imc) == 2 and np.isfinite(imc).all():
                top = float(imc.max())
                rows.append(claim_row(
                    "two_body_agreement.beyond_imc", system, q + " - max corr(network, U_IMC)",
                    est - top, lo - top, hi - top, ">", 0.0,
                    "reading 2: the networks agree better with each other than with the "
                    "IMC pair potential of the same liquid",
                ))  # fmt: skip
    c = settings.get("three_body_agreement", {})
    tri_sys = c.get("system", "water")
    if runs(settings, "three_body_agreement"):
        models = sorted(m for s, m in replicates if s == tri_sys)
        for n, a in enumerate(models):
            for b in models[n + 1 :]:
                ra, rb = replicates[tri_sys, a], replicates[tri_sys, b]
                est, lo, hi = paired_correlation_interval(
                    ra.map_mean, ra.map_count, ra.map_reps, rb.map_mean, rb.map_count,
                    rb.map_reps, min_count, confidence,
                )  # fmt: skip
                q = f"corr_3body({a}, {b}), {tri_sys}"
                rows.append(claim_row("three_body_agreement.positive", f"{tri_sys} {a}, {b}", q,
                                      est, lo, hi, ">", 0.0,
                                      "reading 1: positively correlated maps"))  # fmt: skip
                e2, l2, h2 = paired_correlation_interval(
                    ra.profile, ra.profile_count, ra.profile_reps, rb.profile,
                    rb.profile_count, rb.profile_reps, min_count, confidence,
                )  # fmt: skip
                rows.append(claim_row(
                    "three_body_agreement.as_two_body", f"{tri_sys} {a}, {b}",
                    f"{q} - corr_2body({a}, {b}) (interval: ends combined)",
                    est - e2, lo - h2, hi - l2, ">=", 0.0,
                    "reading 2: the maps agree as well as the same models' 2-body curves",
                ))  # fmt: skip
    if runs(settings, "well_at_rdf_peak"):
        for (system, model), rep in sorted(replicates.items()):
            well = _number(rep, "well_position", confidence)
            if well is None or system not in rdfs:
                continue
            if not np.isfinite(well[0]):
                rows.append(not_run_row("well_at_rdf_peak", f"{system} {model}", "well_position",
                                        "does not hold (the 2-body curve has no stabilising well)"))  # fmt: skip
                continue
            r_peak, _ = peak_half_width(rdfs[system], "outer")
            side = "outer" if well[0] >= r_peak else "inner"
            _, width = peak_half_width(rdfs[system], side)
            d = np.array(well) - r_peak
            # |well - peak| - half width: <= 0 inside the peak; interval from the well's
            lo, hi = (
                (0.0 if d[1] <= 0 <= d[2] else min(abs(d[1]), abs(d[2]))),
                max(abs(d[1]), abs(d[2])),
            )
            rows.append(claim_row(
                "well_at_rdf_peak", f"{system} {model}",
                f"|well - rdf first peak| - half width of the peak ({side}, {width:.2f} Å)",
                abs(d[0]) - width, lo - width, hi - width, "<=", 0.0,
                "the reference RDF's first peak: its half width at half height above 1",
            ))  # fmt: skip
    c = settings.get("vertex_angle", {})
    window = c.get("window", [50.0, 60.0])
    for (system, model), rep in (
        sorted(replicates.items()) if runs(settings, "vertex_angle") else []
    ):
        if system != c.get("system", "water"):
            continue
        where = _number(rep, "vertex_angle_of_min", confidence)
        if where is None or rep.vertex_reps is None:
            rows.append(not_run_row("vertex_angle.minimum", f"{system} {model}", "vertex_angle_of_min",
                                    "not run: no vertex-angle profile in the replicates"))  # fmt: skip
            continue
        ok = (rep.vertex_count >= min_count) & np.isfinite(rep.vertex_profile)
        if ok.any():
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN replicates
                deepest = np.nanmin(np.where(ok, rep.vertex_reps, np.nan), axis=1)
            lo, hi = interval(deepest[:, None], confidence)
            rows.append(claim_row(
                "vertex_angle.stabilising", f"{system} {model}",
                "most negative mean 3-body relevance per walk over the first-shell "
                f"vertex-angle bins (>= {min_count} entries)",
                float(np.min(rep.vertex_profile[ok])), lo[0], hi[0], "<", 0.0,
                "sign: stabilising is < 0",
            ))  # fmt: skip
        tol = float(c.get("tolerance", 0.0))
        if np.isfinite(where[0]):
            rows.append(
                _window_row(system, model, where, window[0] - tol, window[1] + tol, window)
            )
        else:  # no stabilising bin at all: there is no most stabilising angle to place
            rows.append(not_run_row("vertex_angle.minimum", f"{system} {model}", "vertex_angle_of_min",
                                    "does not hold (no first-shell vertex-angle bin is stabilising)"))  # fmt: skip
        a, b = (
            _number(rep, "vertex_mean_50_60", confidence),
            _number(rep, "vertex_mean_100_120", confidence),
        )
        if a is not None and b is not None:
            _, ra = rep.numbers["vertex_mean_50_60"]
            _, rb = rep.numbers["vertex_mean_100_120"]
            lo, hi = interval((ra - rb)[:, None], confidence)
            rows.append(claim_row(
                "vertex_angle.window", f"{system} {model}",
                "mean 3-body relevance per walk at vertex angles 50-60° minus at 100-120°",
                a[0] - b[0], lo[0], hi[0], "<", 0.0,
                "the tetrahedral window 100-120° of the same map",
            ))  # fmt: skip
        short = _number(rep, "short_edge_mean", confidence)
        if short is not None:
            edge = rep.numbers.get("short_edge_threshold", (np.nan, None))[0]
            rows.append(claim_row(
                "three_body_short_edges", f"{system} {model}",
                f"mean 3-body relevance per walk of triplets with shortest edge <= {edge:.2f} Å",
                *short, ">", 0.0, "sign: destabilising is > 0",
            ))  # fmt: skip
    return rows


def _window_row(system, model, where, lo_w, hi_w, window) -> dict:
    """The most stabilising vertex angle lies in the study's window (widened by the
    tolerance): tested as the distance outside it, max(lo - x, x - hi) <= 0, which must
    hold at both ends of the angle's interval for ``holds``."""

    def outside(x: float) -> float:
        return max(lo_w - x, x - hi_w)

    ends = [outside(where[1]), outside(where[2])]
    # inside a window the distance outside is negative; over an interval [a, b] its
    # largest value is at an end, its smallest at the window centre if [a, b] holds it
    centre = 0.5 * (lo_w + hi_w)
    low = outside(centre) if where[1] <= centre <= where[2] else min(ends)
    return claim_row(
        "vertex_angle.minimum",
        f"{system} {model}",
        f"distance (deg) of the most stabilising first-shell vertex angle "
        f"({where[0]:.1f}° [{where[1]:.1f}, {where[2]:.1f}]) outside {lo_w:g}-{hi_w:g}°",
        outside(where[0]),
        low,
        max(ends),
        "<=",
        0.0,
        f"the study's window {window[0]:g}-{window[1]:g}°, widened by the tolerance",
    )


def profile_claims(
    settings: Mapping,
    replicates: Mapping[tuple[str, str], RunReplicates],
    cutoffs: Mapping[tuple[str, str], float],
    confidence: float,
    min_count: int = 5,
) -> list[dict]:
    """Claims on the shape of the 2-body curve (Fig. 2): it rises steeply
    (destabilising) as r -> 0 and vanishes at the cutoff; methane SO3Net's well is
    weaker than PaiNN's.

    - divergence: the mean at the shortest populated distance over the well's depth,
      > 1 (the wall rises above the well's scale; control: the run's own well);
    - vanishing: |mean| in the last populated bin below the cutoff over the well's
      depth, below the ratio of the cosine cutoff envelope f(r) = (cos(pi r / r_c) +
      1) / 2 at that bin's inner edge and at the well (how much the architecture's
      envelope shrinks an interaction between the two; Behler, J. Chem. Phys. 134,
      074106 (2011)).

    Args:
        cutoffs: (system, model) -> the model's cutoff (Å).
    """
    rows: list[dict] = []
    for (system, model), rep in (
        sorted(replicates.items()) if runs(settings, "two_body_shape") else []
    ):
        centers = rep.profile_centers
        ok = (rep.profile_count >= min_count) & np.isfinite(rep.profile)
        subject = f"{system} {model}"
        if ok.sum() < 3 or (system, model) not in cutoffs:
            for key in ("two_body_shape.divergence", "two_body_shape.vanishes"):
                rows.append(not_run_row(key, subject, "2-body profile",
                                        f"not run: fewer than 3 distance bins with >= {min_count} pairs"))  # fmt: skip
            continue
        with np.errstate(all="ignore"):
            depth_reps = -np.nanmin(np.where(ok, rep.profile_reps, np.nan), axis=1)
        depth = -float(np.min(rep.profile[ok]))
        if depth <= 0:  # the curve never stabilises: there is no well to measure against
            for key in ("two_body_shape.divergence", "two_body_shape.vanishes"):
                rows.append(not_run_row(key, subject, "2-body profile",
                                        "does not hold (the 2-body curve has no stabilising well)"))  # fmt: skip
            continue
        first = int(np.flatnonzero(ok)[0])
        ratio_reps = rep.profile_reps[:, first] / depth_reps
        lo, hi = interval(ratio_reps[:, None], confidence)
        rows.append(claim_row(
            "two_body_shape.divergence", f"{system} {model}",
            f"mean 2-body relevance at r = {centers[first]:.2f} Å (shortest populated bin) "
            "/ depth of the well",
            rep.profile[first] / depth, lo[0], hi[0], ">", 1.0, "the run's own well depth",
        ))  # fmt: skip
        cut = cutoffs[system, model]
        below = np.flatnonzero(ok & (centers < cut))
        if not below.size:
            continue
        last = int(below[-1])
        h = float(centers[1] - centers[0]) if len(centers) > 1 else 0.0
        inner = centers[last] - 0.5 * h
        r_well = float(centers[ok][np.argmin(rep.profile[ok])])
        envelope = _cosine_cutoff(inner, cut) / _cosine_cutoff(r_well, cut)
        ratio_reps = np.abs(rep.profile_reps[:, last]) / depth_reps
        lo, hi = interval(ratio_reps[:, None], confidence)
        rows.append(claim_row(
            "two_body_shape.vanishes", f"{system} {model}",
            f"|mean 2-body relevance| at r = {centers[last]:.2f} Å (last bin below the "
            f"{cut:g} Å cutoff) / well depth",
            abs(rep.profile[last]) / depth, lo[0], hi[0], "<", envelope,
            f"the cosine cutoff envelope f({inner:.2f} Å) / f({r_well:.2f} Å, the well)",
        ))  # fmt: skip
    c = settings.get("weak_dip", {})
    system, weak, strong = (
        c.get("system", "methane"),
        c.get("model", "so3net"),
        c.get("reference_model", "painn"),
    )
    if (
        runs(settings, "weak_dip")
        and (system, weak) in replicates
        and (system, strong) in replicates
    ):
        depths = []
        for m in (weak, strong):
            rep = replicates[system, m]
            ok = (rep.profile_count >= min_count) & np.isfinite(rep.profile)
            with np.errstate(all="ignore"):
                reps = -np.nanmin(np.where(ok, rep.profile_reps, np.nan), axis=1)
            depths.append((-float(np.min(rep.profile[ok])), reps))
        n = min(len(depths[0][1]), len(depths[1][1]))
        lo, hi = interval((depths[0][1][:n] / depths[1][1][:n])[:, None], confidence)
        cw, cs = c.get("cutoffs", {}).get(weak), c.get("cutoffs", {}).get(strong)
        rows.append(claim_row(
            "weak_dip", f"{system} {weak} vs {strong}",
            f"well depth({weak}) / well depth({strong}), {system}",
            depths[0][0] / depths[1][0], lo[0], hi[0], "<", 1.0,
            f"the {strong} model of the same liquid"
            + (f" (cutoffs {cw} and {cs} Å)" if cw and cs else ""),
        ))  # fmt: skip
    return rows


def _cosine_cutoff(r: float, cutoff: float) -> float:
    """Cosine cutoff envelope (cos(pi r / r_c) + 1) / 2 for r < r_c, else 0."""
    return 0.5 * (math.cos(math.pi * r / cutoff) + 1.0) if r < cutoff else 0.0


def _shortest_edge(triplets: pd.DataFrame) -> np.ndarray:
    """(n,) shortest of each triplet's three edges (Å)."""
    return np.min(triplets[["d_ij", "d_ik", "d_jk"]].to_numpy(dtype=float), axis=1)


def rare_edge_claims(
    settings: Mapping,
    system: str,
    model: str,
    pairs: pd.DataFrame,
    triplets: pd.DataFrame,
    n_resamples: int,
    seed: int,
    confidence: float,
    block_length: int | None = None,
) -> list[dict]:
    """Methane PaiNN's rare stabilising 3-body term (Suppl. Figs. S9, S10): triplets whose
    shortest edge lies at the study's distance (``claims.rare_three_body.edge`` ±
    ``half_width``) stabilise (mean 3-body relevance per walk < 0), and the 2-body terms
    at that distance are stronger (|2-body| / |3-body| per walk > 1; the study reports
    about ten times, which the row's value shows).

    Per walk: Σ relevance_norm / Σ n_walks over the rows in the window. Intervals: block
    bootstrap over explained frames (per-frame sums resampled together).

    Args:
        pairs, triplets: the run's relevance tables (``frame``, ``relevance_norm``,
            ``n_walks``, ``distance`` or ``d_ij``/``d_ik``/``d_jk``, Å).
    """
    c = settings.get("rare_three_body", {})
    if not runs(settings, "rare_three_body") or system != c.get("system", "methane") \
            or model != c.get("model", "painn"):  # fmt: skip
        return []
    edge, half = float(c.get("edge", 3.15)), float(c.get("half_width", 0.1))
    subject = f"{system} {model}, shortest edge {edge - half:.2f}-{edge + half:.2f} Å"
    frames = np.sort(pd.unique(pd.concat([pairs["frame"], triplets["frame"]])))
    tri = triplets[np.abs(_shortest_edge(triplets) - edge) <= half]
    two = pairs[np.abs(pairs["distance"].to_numpy(dtype=float) - edge) <= half]
    if tri.empty or two.empty:
        reason = "not run: no explained " + ("triplet" if tri.empty else "pair") + " in the window"
        return [not_run_row("rare_three_body.stabilising", subject, "3-body per walk", reason)]

    def sums(table: pd.DataFrame) -> np.ndarray:
        g = table.groupby("frame")[["relevance_norm", "n_walks"]].sum()
        return g.reindex(frames, fill_value=0.0).to_numpy(dtype=float)

    per_frame = np.hstack([sums(tri), sums(two)])  # (n_frames, 4): S3, W3, S2, W2

    def statistic(x: np.ndarray) -> np.ndarray:
        t = x.sum(axis=0)
        three = t[0] / t[1] if t[1] > 0 else np.nan
        pair = t[2] / t[3] if t[3] > 0 else np.nan
        return np.array([three, abs(pair) / abs(three) if three else np.nan])

    if block_length is None:
        total = per_frame[:, 0] + per_frame[:, 2]
        block_length = block_length_from_autocorrelation(total) if len(total) > 2 else 1
    est, low, high = block_bootstrap(per_frame, statistic, min(block_length, len(frames)),
                                     n_resamples, seed, confidence)  # fmt: skip
    return [
        claim_row("rare_three_body.stabilising", subject,
                  f"mean 3-body relevance per walk ({len(tri)} triplets)", est[0], low[0],
                  high[0], "<", 0.0, "sign: stabilising is < 0"),
        claim_row("rare_three_body.two_body_stronger", subject,
                  f"|2-body| / |3-body| per walk ({len(two)} pairs; the study: about 10)",
                  est[1], low[1], high[1], ">", 1.0, "1: the 2-body terms are stronger"),
    ]  # fmt: skip


def map_roughness(
    table: pd.DataFrame, keep: np.ndarray, scale: str = "iqr"
) -> tuple[np.ndarray, float]:
    """Differences of a binned map between neighbouring bins, and its range.

    Args:
        table: :func:`cgexplain.analysis.relevance.binned_map` table (x-major grid,
            ``x``, ``y``, ``mean``).
        keep: (n_cells,) bins to use (populated); a neighbour pair counts when both are.
        scale: ``"iqr"`` or ``"range"`` (max - min of the kept means).

    Returns:
        (|mean(b) - mean(b')| over the +x and +y neighbour pairs, the scale of the kept
        means: their interquartile range, which a few extreme bins, e.g. at the repulsive
        wall, do not set, or their range).
    """
    nx, ny = table["x"].nunique(), table["y"].nunique()
    mean = table["mean"].to_numpy(float).reshape(nx, ny)
    ok = np.asarray(keep, bool).reshape(nx, ny) & np.isfinite(mean)
    diffs = [np.abs(mean[1:, :] - mean[:-1, :])[ok[1:, :] & ok[:-1, :]],
             np.abs(mean[:, 1:] - mean[:, :-1])[ok[:, 1:] & ok[:, :-1]]]  # fmt: skip
    values = mean[ok]
    if not values.size:
        return np.concatenate(diffs), float("nan")
    if scale == "range":
        return np.concatenate(diffs), float(np.ptp(values))
    q1, q3 = np.percentile(values, [25.0, 75.0])
    return np.concatenate(diffs), float(q3 - q1)


def classic_noise_claims(
    settings: Mapping,
    system: str,
    model: str,
    classic: pd.DataFrame,
    triplets: pd.DataFrame,
    n_frames: int,
    n_resamples: int,
    seed: int,
    confidence: float,
    min_count: int = 5,
) -> list[dict]:
    """The classic many-body decomposition is noisier than GNN-LRP (Suppl. Fig. S4),
    compared on the 3-body maps of the same triplets of the same frames (the first
    ``n_frames`` explained frames, which the classic decomposition takes). The classic
    E2 of a one-bead-type liquid is a function of r alone, so the comparison is made
    where the decompositions differ: E3 against the 3-body relevance.

    Noise of a map: the median |difference| of its means between neighbouring bins (both
    with at least ``min_count`` triplets in both maps) over a scale of its bin means, so
    that
    energies (kcal/mol) and relevances (a.u.) compare. The row tests classic / GNN-LRP
    > 1; its interval resamples the neighbour pairs. "Noisier" is not defined by the
    study, so both scales give a row (two readings): the interquartile range of the bin
    means (``classic_noise.iqr``) and their range (``classic_noise.range``).

    Args:
        classic: ``classic_e3_map.csv`` (``x`` largest angle, ``y`` opposite edge,
            ``mean``, ``count``).
        triplets: the run's 3-body relevance table.
    """
    from cgexplain.analysis.relevance import triplet_map

    if not runs(settings, "classic_noise"):
        return []
    chosen = np.sort(triplets["frame"].unique())[:n_frames]
    xs, ys = np.sort(classic["x"].unique()), np.sort(classic["y"].unique())
    edge_max = float(ys[-1] + 0.5 * (ys[1] - ys[0])) if ys.size > 1 else float(2 * ys[0])
    lrp = triplet_map(triplets[triplets["frame"].isin(chosen)], edge_max, xs.size, ys.size)
    if not np.allclose(lrp["x"], classic["x"]) or not np.allclose(lrp["y"], classic["y"]):
        raise InputError("the classic E3 map and the relevance map are not on the same grid")
    keep = (classic["count"].to_numpy() >= min_count) & (lrp["count"].to_numpy() >= min_count)
    subject = f"{system} {model}, {len(chosen)} frames"
    rows = []
    for k, (scale, words) in enumerate((("iqr", "interquartile range"), ("range", "range"))):
        d_c, span_c = map_roughness(classic, keep, scale)
        d_l, span_l = map_roughness(lrp, keep, scale)
        claim_id = f"classic_noise.{scale}"
        if d_c.size < 3 or not (span_c > 0 and span_l > 0):
            rows.append(not_run_row(claim_id, subject, "noise ratio",
                                    "not run: fewer than 3 neighbouring bins populated by both"))  # fmt: skip
            continue
        both = np.stack([d_c / span_c, d_l / span_l], axis=1)  # the same neighbour pairs
        est, low, high = block_bootstrap(both, _median_ratio, 1, n_resamples, seed + k, confidence)
        rows.append(claim_row(
            claim_id, subject,
            f"median neighbour-bin difference / {words} of the map, classic E3 over GNN-LRP "
            f"3-body ({len(both)} neighbour pairs)",
            float(est), float(low), float(high), ">", 1.0,
            "1: as rough as the GNN-LRP map of the same triplets",
        ))  # fmt: skip
    return rows


def _median_ratio(x: np.ndarray) -> float:
    """median(x[:, 0]) / median(x[:, 1]), NaN when the latter is not positive."""
    b = np.median(x[:, 1])
    return float(np.median(x[:, 0]) / b) if b > 0 else float("nan")


# ----------------------------------------------------------------------- proteins


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
                est, low, high = mean_interval(
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


def mean_interval(values: np.ndarray, n_resamples: int, seed: int, confidence: float,
                  block_length: int | None) -> tuple[float, float, float]:  # fmt: skip
    """Mean over frames with its block-bootstrap interval; ``block_length`` None: 5
    integrated autocorrelation times of the values themselves (frames are correlated)."""
    values = np.asarray(values, dtype=float)
    if values.size and np.ptp(values) == 0:  # a constant series: no spread to resample
        return float(values[0]), float(values[0]), float(values[0])
    if block_length is None:
        block_length = block_length_from_autocorrelation(values) if len(values) > 2 else 1
    est, low, high = block_bootstrap(
        values, lambda v: float(np.mean(v)), min(block_length, len(values)), n_resamples,
        seed, confidence,
    )  # fmt: skip
    return float(est), float(low), float(high)


_mean_interval = mean_interval  # the name earlier modules used


def protein_claims(settings: Mapping, subject: str, measured: Mapping[str, object]) -> list[dict]:
    """Claims on a protein model (Figs. 4-7) from measurements with intervals.

    Args:
        subject: e.g. ``"ntl9 painn"``.
        measured: claim key -> an object with ``value``, ``ci_low``, ``ci_high`` and
            ``detail`` (:mod:`cgexplain.analysis.protein_claims`), or a ``str`` (the
            reason it was not measured, starting with ``not run:``). Keys and tests:

            - ``folded_contacts.<indicator>``: mean summed relevance of the element's
              native contacts on F frames < 0 (sign);
            - ``top_contacts.b1b3``: fraction of the strongest contacts in F that are
              β1-β3 native contacts minus the fraction of random pairs, > 0;
            - ``top_contacts.stabilising``: fraction of them that stabilise, > 0.5;
            - ``unfolded_mixed``: share of U's non-native |relevance| that stabilises,
              strictly between the window ``claims.unfolded_mixed.window``;
            - ``intermediates.<state>.<indicator>``: share of F's relevance an element
              keeps in P1/P2; tested against its config relation;
            - ``mutation.<M>.<set>``: mean change (mutant - wild type) > 0 (weakened);
            - ``fes_agreement``: JS divergence of the TICA surfaces (CG vs unbiased
              reference) over the divergence of the reference runs' two halves, < 1.
    """
    rows: list[dict] = []
    for key, m in measured.items():
        claim_id, _, item = key.partition(":")
        if not runs(settings, claim_id, item or None):
            rows.append(not_run_row(claim_id, f"{subject} {item}".strip(), key, PAPER_SCALE_ONLY))
            continue
        if isinstance(m, str):
            rows.append(not_run_row(claim_id, f"{subject} {item}".strip(), key, m))
            continue
        op, threshold, source = _PROTEIN_TESTS[claim_id](settings)
        rows.append(claim_row(claim_id, f"{subject} {item}".strip(), getattr(m, "detail", key),
                              m.value, m.ci_low, m.ci_high, op, threshold, source))  # fmt: skip
    return rows


_PROTEIN_TESTS = {
    "folded_contacts": lambda s: ("<", 0.0, "sign: stabilising is < 0"),
    "top_contacts.b1b3": lambda s: (">", 0.0, "pairs drawn at random among |i-j| >= 3"),
    "top_contacts.stabilising": lambda s: (">", 0.5, "the study: mostly (a majority)"),
    "unfolded_mixed": lambda s: (
        ">",
        0.0,
        "both signs present: min(stabilising, destabilising share) > 0",
    ),
    "intermediates.kept": lambda s: (">", 0.0, "sign of F's relevance kept (share > 0)"),
    "intermediates.lost": lambda s: ("<", 1.0, "F's own share (1)"),
    "mutation": lambda s: (">", 0.0, "sign: weakened is mutant - wild type > 0"),
    "fes_agreement": lambda s: (
        "<",
        1.0,
        "the divergence between the two halves of each unbiased reference run",
    ),
}
