"""Seeded sampling of a protein's folding states: heating ramp, seeds, Cα-only biases.

The reference of NTL9 must hold frames of every state the study explains (F, U, P1,
P2; :mod:`cgexplain.analysis.states`). Unbiased runs from the native structure stay
folded and a hot pulse melts everything, so the design here is (Bonneau et al., Nat.
Commun. 2025, sample the states of Schwantes & Pande, JCTC 2013):

1. a **heating ramp** (:func:`run_ramp`) records, frame by frame, the native-contact
   fractions of the β1-β2 sheet, the β1-β3 sheet and the helix, i.e. the order in
   which the elements melt;
2. per state, the ramp frame nearest the state's **corner** in that contact space
   (:data:`CORNERS`) is the seed; when no ramp frame belongs to the state, a **biased
   run** (:func:`make_seed`) from that frame pushes the contact fractions into the
   state with flat-bottom walls (:func:`contact_bias`) until it is there;
3. unbiased production runs at the reference temperature start from the seeds
   (:mod:`cgexplain.md.reference`), and their frames are labelled by the state they
   are in (:func:`cgexplain.analysis.states.frame_states`), not the one they were
   seeded from.

Why a bias on Cα coordinates only leaves force matching unbiased: with the CG map
``R = M(x)`` (the Cα positions), a bias ``U_b(M(x))`` multiplies the all-atom density
by ``exp(-β U_b(R))``, a factor that is constant on every set ``M(x) = R``. The
conditional density ``p(x | R)``, and with it the mean force ``E[f(x) | R]`` of any
force map that is valid for ``M`` (Krämer et al., JCTC 2023), is unchanged; only the
marginal ``p(R)`` (how often each CG configuration is visited) is reweighted. The
forces stored for force matching must be those of the unbiased potential: the bias
lives in a force group of its own (:data:`BIAS_GROUP`), which
:class:`cgexplain.md.reference.ReferenceRun` leaves out of every stored force and
energy.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import openmm
import pandas as pd
from openmm import unit

from cgexplain import columns as col
from cgexplain.analysis.states import ELEMENTS, STATES, frame_states
from cgexplain.io import InputError, atomic_output
from cgexplain.md.reference import BIAS_GROUP, with_bias
from cgexplain.md.systems import ReferenceSystem
from cgexplain.runlog import progress

# the sampling settings and the seed-state rule live in the settings package (pure,
# read when the workflow is parsed)
from cgexplain.settings.protein import BiasSettings, RampSettings, seed_states
from cgexplain.units import ANGSTROM_PER_NM, KJ_PER_KCAL

log = logging.getLogger(__name__)

#: the corner of each state in (b1b2, b1b3, helix) contact-fraction space
CORNERS: dict[str, tuple[float, float, float]] = {
    "F": (1.0, 1.0, 1.0),
    "U": (0.0, 0.0, 0.0),
    "P1": (0.0, 1.0, 1.0),
    "P2": (1.0, 0.0, 0.0),
}
Contacts = Mapping[str, tuple[np.ndarray, np.ndarray]]


def smooth_fraction(
    positions: np.ndarray,
    pairs: np.ndarray,
    native_distances: np.ndarray,
    tolerance: float = 1.2,
    sharpness: float = 2.0,
) -> np.ndarray:
    """Smooth fraction of native contacts, the collective variable of the biases.

    ``q = (1/n) Σ_c 1 / (1 + exp(s (r_c - λ r0_c)))`` (Best, Hummer & Eaton, PNAS 110,
    17874, 2013), with ``λ = tolerance`` and ``s = sharpness``: the step of the hard
    fraction (:func:`cgexplain.analysis.states.contact_fraction`) made differentiable.

    Args:
        positions: (n_frames, N, 3) Cα positions, Å.
        pairs: (n, 2) residue pairs; native_distances: (n,) Å.
        sharpness: 1/Å.

    Returns:
        (n_frames,) fractions in (0, 1).
    """
    d = np.linalg.norm(positions[:, pairs[:, 0]] - positions[:, pairs[:, 1]], axis=-1)
    return (1.0 / (1.0 + np.exp(sharpness * (d - tolerance * native_distances)))).mean(axis=1)


@dataclass(frozen=True)
class Walls:
    """Flat-bottom walls on the contact fractions that hold a state.

    Attributes:
        lower: ``{element: q_min}``: ``k/2 (q_min - q)²`` below it.
        upper: ``{element: q_max}``: ``k/2 (q - q_max)²`` above it.
        k: wall stiffness, kcal/mol per unit fraction².
    """

    lower: Mapping[str, float]
    upper: Mapping[str, float]
    k: float

    @classmethod
    def for_state(cls, state: str, formed: float, broken: float, margin: float, k: float) -> Walls:
        """Walls that push into ``state``: elements formed in it above ``formed + margin``,
        broken ones below ``broken - margin`` (margins absorb the smooth/hard difference)."""
        if state not in CORNERS:
            raise InputError(f"unknown state {state!r}; states: {list(CORNERS)}")
        corner = dict(zip(ELEMENTS, CORNERS[state], strict=True))
        lower = {e: min(formed + margin, 0.99) for e, c in corner.items() if c == 1.0}
        upper = {e: max(broken - margin, 0.01) for e, c in corner.items() if c == 0.0}
        return cls(lower, upper, k)

    def energy(self, q: Mapping[str, np.ndarray]) -> np.ndarray:
        """Wall energy, kcal/mol, of fractions ``q`` (numpy; the reference of the force)."""
        total = 0.0
        for e, lo in self.lower.items():
            total = total + 0.5 * self.k * np.maximum(0.0, lo - np.asarray(q[e])) ** 2
        for e, hi in self.upper.items():
            total = total + 0.5 * self.k * np.maximum(0.0, np.asarray(q[e]) - hi) ** 2
        return np.asarray(total)


def contact_bias(
    bead_atoms: np.ndarray,
    contacts: Contacts,
    walls: Walls,
    tolerance: float = 1.2,
    sharpness: float = 2.0,
) -> openmm.CustomCVForce:
    """OpenMM force of ``walls`` on the smooth contact fractions of the Cα atoms.

    One :class:`openmm.CustomBondForce` per walled element computes its
    :func:`smooth_fraction`; a :class:`openmm.CustomCVForce` adds the walls. Only the
    atoms ``bead_atoms[pairs]`` feel it. The force is put in :data:`BIAS_GROUP`.

    Args:
        bead_atoms: (N,) atom index of each residue's Cα.
        contacts: ``{element: (pairs (n, 2) residue indices, native distances (n,) Å)}``.
        walls: from :meth:`Walls.for_state`.
        sharpness: 1/Å.
    """
    bias = openmm.CustomCVForce("0")
    terms = []
    s_nm = sharpness * ANGSTROM_PER_NM  # 1/nm
    k_kj = walls.k * KJ_PER_KCAL
    for e in sorted(set(walls.lower) | set(walls.upper)):
        pairs, r0 = contacts[e]
        cv = openmm.CustomBondForce(f"w/(1+exp({s_nm!r}*(r-{tolerance!r}*r0)))")
        cv.addPerBondParameter("w")
        cv.addPerBondParameter("r0")
        for (i, j), d in zip(pairs, r0, strict=True):
            cv.addBond(
                int(bead_atoms[i]), int(bead_atoms[j]), [1.0 / len(pairs), d / ANGSTROM_PER_NM]
            )
        bias.addCollectiveVariable(f"q_{e}", cv)
        if e in walls.lower:
            terms.append(f"0.5*{k_kj!r}*max(0,{walls.lower[e]!r}-q_{e})^2")
        if e in walls.upper:
            terms.append(f"0.5*{k_kj!r}*max(0,q_{e}-{walls.upper[e]!r})^2")
    bias.setEnergyFunction("+".join(terms) if terms else "0")
    bias.setForceGroup(BIAS_GROUP)
    return bias


def corner_distance(fractions: pd.DataFrame, state: str, formed_weight: float = 1.0) -> np.ndarray:
    """Distance of each frame's (b1b2, b1b3, helix) to ``state``'s corner.

    Args:
        formed_weight: weight of the elements formed in ``state`` (1: Euclidean). A
            bias breaks contacts easily but cannot re-form a sheet it has lost, so a
            start for a biased run should have the state's formed elements formed.
    """
    q = fractions[list(ELEMENTS)].to_numpy(dtype=np.float64)
    corner = np.asarray(CORNERS[state])
    weight = np.where(corner == 1.0, formed_weight, 1.0)
    return np.sqrt(((q - corner) ** 2 * weight).sum(axis=1))


def pick_seed(
    fractions: pd.DataFrame, state: str, formed_weight: float = 10.0
) -> tuple[int, bool]:
    """The frame nearest ``state``'s corner, preferring frames already in the state.

    Without a frame in the state, the nearest by :func:`corner_distance` with
    ``formed_weight`` (the start of a biased run: its formed elements matter most).

    Returns:
        ``(frame index, in_state)``.
    """
    if len(fractions) == 0:
        raise InputError("no frames to seed from")
    inside = fractions[col.STATE].to_numpy() == state
    if inside.any():
        dist = corner_distance(fractions, state)
        return int(np.flatnonzero(inside)[np.argmin(dist[inside])]), True
    return int(np.argmin(corner_distance(fractions, state, formed_weight))), False


def _context(
    system: openmm.System,
    temperature: float,
    friction: float,
    timestep: float,
    seed: int,
    platform: str,
    threads: int,
) -> tuple[openmm.Context, openmm.Integrator]:
    from cgexplain.md.reference import check_seed, select_platform

    seed = check_seed(seed)
    integrator = openmm.LangevinMiddleIntegrator(
        temperature * unit.kelvin, friction / unit.picosecond, timestep * unit.femtosecond
    )
    integrator.setRandomNumberSeed(seed)
    chosen, properties = select_platform(platform, threads)
    return openmm.Context(system, integrator, chosen, properties), integrator


def _trace(
    frames: np.ndarray,
    ref: ReferenceSystem,
    contacts: Contacts,
    thresholds: tuple[float, float, float],
    save_interval: float,
    temperature: np.ndarray | float,
) -> pd.DataFrame:
    """States of recorded frames (n, n_atoms, 3) nm, with ``time`` ps and ``temperature`` K."""
    table = frame_states(frames[:, ref.bead_atoms] * ANGSTROM_PER_NM, contacts, *thresholds)
    table.insert(1, "time", (np.arange(len(frames)) + 1) * save_interval)
    table.insert(2, "temperature", temperature)
    return table


def run_ramp(
    ref: ReferenceSystem,
    settings: RampSettings,
    contacts: Contacts,
    tolerance: float = 1.2,
    formed: float = 0.7,
    broken: float = 0.3,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Minimise, then heat linearly, recording every ``save_interval``.

    Returns:
        ``(positions (n_frames, n_atoms, 3) nm float32, table)``; the table has per
        frame ``time`` ps, ``temperature`` K, the contact fractions and the ``state``
        (:func:`cgexplain.analysis.states.frame_states`).
    """
    context, integrator = _context(
        ref.system, settings.start_temperature, settings.friction, settings.timestep,
        settings.seed, settings.platform, settings.threads,
    )  # fmt: skip
    context.setPositions(ref.positions * unit.nanometer)
    openmm.LocalEnergyMinimizer.minimize(
        context, settings.minimize_tolerance * unit.kilojoule_per_mole / unit.nanometer
    )
    context.setVelocitiesToTemperature(settings.start_temperature * unit.kelvin, settings.seed)
    n = settings.n_frames
    temps = (
        settings.start_temperature
        + (settings.end_temperature - settings.start_temperature) * (np.arange(n) + 1) / n
    )
    frames = np.empty((n, ref.n_atoms, 3), dtype=np.float32)
    start = time.perf_counter()
    for b, temperature in enumerate(temps):
        integrator.setTemperature(float(temperature) * unit.kelvin)
        integrator.step(settings.save_steps)
        x = context.getState(getPositions=True).getPositions(asNumpy=True)
        frames[b] = x.value_in_unit(unit.nanometer)
        if not np.all(np.isfinite(frames[b])):
            raise InputError(f"heating ramp became unstable at {temperature:.0f} K")
        if (b + 1) % max(1, n // 10) == 0:
            elapsed = time.perf_counter() - start
            log.info("%s, %.0f K", progress("ramp:", b + 1, n, elapsed, "frames"), temperature)
    thresholds = (tolerance, formed, broken)
    return frames, _trace(frames, ref, contacts, thresholds, settings.save_interval, temps)


def melting_order(table: pd.DataFrame, broken: float = 0.3, window: int = 5) -> pd.DataFrame:
    """Temperature at which each element melts during a ramp.

    An element melts at the first frame from which the running mean (``window``
    frames) of its contact fraction stays at or below ``broken``; it first melts where
    that running mean first reaches ``broken`` (it may re-form later).

    Returns:
        Table ``element``, ``first_melt_temperature`` K, ``melt_temperature`` K (NaN:
        did not melt), ``melt_time`` ps, sorted by first melting temperature.
    """
    rows = []
    for e in ELEMENTS:
        q = table[e].rolling(window, min_periods=1).mean().to_numpy()
        below = q <= broken
        stays = np.flip(np.logical_and.accumulate(np.flip(below)))
        k = int(np.argmax(stays)) if stays.any() else -1
        first = int(np.argmax(below)) if below.any() else -1
        rows.append({
            "element": e,
            "first_melt_temperature": (
                float(table["temperature"].iloc[first]) if first >= 0 else np.nan
            ),
            "melt_temperature": float(table["temperature"].iloc[k]) if k >= 0 else np.nan,
            "melt_time": float(table["time"].iloc[k]) if k >= 0 else np.nan,
        })  # fmt: skip
    return pd.DataFrame(rows).sort_values("first_melt_temperature", na_position="last")


def make_seed(
    ref: ReferenceSystem,
    start: np.ndarray,
    state: str,
    contacts: Contacts,
    bias: BiasSettings,
    tolerance: float = 1.2,
    formed: float = 0.7,
    broken: float = 0.3,
) -> tuple[np.ndarray, pd.DataFrame, bool]:
    """Run with walls into ``state`` from ``start`` until the state has held ``settle`` ps.

    Args:
        start: (n_atoms, 3) positions, nm.

    Returns:
        ``(seed positions (n_atoms, 3) nm, trace table as :func:`run_ramp`'s, reached)``;
        when the state is not reached within ``max_length`` the frame of the trace
        nearest its corner is returned with ``reached = False``.
    """
    walls = Walls.for_state(state, formed, broken, bias.margin, bias.k)
    force = contact_bias(ref.bead_atoms, contacts, walls, bias.tolerance, bias.sharpness)
    context, integrator = _context(
        with_bias(ref.system, force), bias.temperature, bias.friction, bias.timestep,
        bias.seed, bias.platform, bias.threads,
    )  # fmt: skip
    context.setPositions(np.asarray(start) * unit.nanometer)
    context.setVelocitiesToTemperature(bias.temperature * unit.kelvin, bias.seed)
    steps = max(1, int(round(bias.save_interval * 1000.0 / bias.timestep)))
    n_max = int(round(bias.max_length / bias.save_interval))
    n_hold = max(1, int(round(bias.settle / bias.save_interval)))
    frames, held = [], 0
    start = time.perf_counter()
    for b in range(n_max):
        integrator.step(steps)
        x = context.getState(getPositions=True).getPositions(asNumpy=True)
        frames.append(np.asarray(x.value_in_unit(unit.nanometer), dtype=np.float32))
        ca = frames[-1][None, ref.bead_atoms] * ANGSTROM_PER_NM
        now = frame_states(ca, contacts, tolerance, formed, broken)[col.STATE].iloc[0]
        held = held + 1 if now == state else 0
        if (b + 1) % max(1, n_max // 10) == 0:
            what = f"bias to {state}:"
            elapsed = time.perf_counter() - start
            log.info("%s, state now %r (stops once the state holds %.1f ps)",
                     progress(what, (b + 1) * bias.save_interval, bias.max_length, elapsed, "ps"),
                     now, bias.settle)  # fmt: skip
        if held >= n_hold:
            break
    traj = np.asarray(frames)
    thresholds = (tolerance, formed, broken)
    table = _trace(traj, ref, contacts, thresholds, bias.save_interval, bias.temperature)
    reached = held >= n_hold
    if reached:
        return traj[-1], table, True
    k = int(np.argmin(corner_distance(table, state)))
    log.warning("bias did not reach state %s in %.1f ps; seeding from the nearest frame",
                state, bias.max_length)  # fmt: skip
    return traj[k], table, False


def write_seed(
    path: str | os.PathLike,
    positions: np.ndarray,
    state: str,
    origin: str,
    in_state: bool,
    trace: pd.DataFrame,
    ramp_frame: int,
) -> None:
    """Write a seed (all-atom positions, nm) with its provenance, atomically."""
    with atomic_output(path) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(
                handle,
                positions=np.asarray(positions, dtype=np.float64),
                state=state,
                origin=origin,
                in_state=in_state,
                ramp_frame=ramp_frame,
                trace=trace[list(ELEMENTS)].to_numpy(dtype=np.float64),
                trace_state=trace[col.STATE].to_numpy().astype(str),
            )


def read_seed(path: str | os.PathLike, n_atoms: int) -> dict:
    """Read a seed written by :func:`write_seed`.

    Raises:
        InputError: missing file, or positions that do not fit ``n_atoms`` or are not finite.
    """
    if not os.path.isfile(path):
        raise InputError(f"seed file not found: {path}")
    with np.load(path) as data:
        seed = {k: data[k] for k in data.files}
    x = seed["positions"]
    if x.shape != (n_atoms, 3) or not np.all(np.isfinite(x)):
        raise InputError(
            f"{path}: seed positions of shape {x.shape}, expected ({n_atoms}, 3) finite"
        )
    return seed


__all__ = [
    "BIAS_GROUP", "CORNERS", "STATES", "BiasSettings", "RampSettings", "Walls",
    "contact_bias", "corner_distance", "make_seed", "melting_order", "pick_seed",
    "read_seed", "run_ramp", "seed_states", "smooth_fraction", "with_bias", "write_seed",
]  # fmt: skip


def native_state_contacts(
    pdb_path: str | os.PathLike, native_cutoff: float = 8.0
) -> tuple[Contacts, dict[str, tuple[int, int]]]:
    """Native contacts of the state indicators of a prepared structure, as the state
    assignment defines them (DSSP elements, then
    :func:`cgexplain.analysis.states.element_contacts`).

    Returns:
        ``(contacts, elements)``.
    """
    from cgexplain.analysis.states import element_contacts, secondary_structure_elements
    from cgexplain.md.protein import load_native

    native = load_native(pdb_path)
    elements = secondary_structure_elements(native["dssp"])
    return element_contacts(native["positions"], elements, native_cutoff), elements
