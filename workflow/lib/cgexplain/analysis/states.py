"""Folding states of NTL9 from native contacts of its secondary-structure elements.

NTL9 (residues 1-39) folds through two pathways that differ in which β-sheet forms
first (Bonneau et al., Nat. Commun. 2025, after Schwantes & Pande, JCTC 2013):

- F (folded): β1-β2 sheet, β1-β3 sheet and helix packing all formed;
- U (unfolded): none formed;
- P1: β1-β3 sheet and helix formed, β1-β2 not;
- P2: β1-β2 sheet formed, β1-β3 sheet and helix not.

An element counts as formed when the fraction of its native Cα contacts present in a
frame is at least ``formed``, and as broken when it is at most ``broken``; frames in
between belong to no state.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.io import InputError, write_json

log = logging.getLogger(__name__)

STATES = ("F", "U", "P1", "P2")
#: state indicators: the contact-fraction columns of the per-frame state tables
ELEMENTS = (col.B1B2, col.B1B3, col.HELIX)


def native_contacts(
    native: np.ndarray,
    group_a: np.ndarray,
    group_b: np.ndarray,
    cutoff: float = 8.0,
    min_separation: int = 3,
) -> tuple[np.ndarray, np.ndarray]:
    """Native Cα contacts between two residue groups.

    Args:
        native: (N, 3) Cα positions of the native structure, Å.
        group_a, group_b: residue indices (0-based) of the two elements (may be equal,
            e.g. a helix with itself).
        cutoff: a pair closer than this in the native structure is a contact, Å.
        min_separation: pairs closer in sequence are left out.

    Returns:
        ``(pairs (n, 2) with i < j, native distances (n,))``.
    """
    pairs = {
        (min(i, j), max(i, j))
        for i in np.asarray(group_a)
        for j in np.asarray(group_b)
        if abs(int(i) - int(j)) >= min_separation
    }
    pairs = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    dist = np.linalg.norm(native[pairs[:, 0]] - native[pairs[:, 1]], axis=-1)
    keep = dist < cutoff
    return pairs[keep], dist[keep]


def contact_fraction(
    positions: np.ndarray, pairs: np.ndarray, native_distances: np.ndarray, tolerance: float = 1.2
) -> np.ndarray:
    """Fraction of native contacts formed per frame.

    A contact is formed when its distance is below ``tolerance`` x its native distance.

    Args:
        positions: (n_frames, N, 3) Cα positions, Å.

    Returns:
        (n_frames,) fractions in [0, 1] (NaN when there are no contacts).
    """
    if len(pairs) == 0:
        return np.full(len(positions), np.nan)
    d = np.linalg.norm(positions[:, pairs[:, 0]] - positions[:, pairs[:, 1]], axis=-1)
    return (d < tolerance * native_distances).mean(axis=1)


def assign_states(fractions: pd.DataFrame, formed: float = 0.7, broken: float = 0.3) -> np.ndarray:
    """State label of each frame from element contact fractions.

    Args:
        fractions: columns ``b1b2``, ``b1b3``, ``helix`` (fractions of native contacts).
        formed: an element with a fraction >= this is formed.
        broken: an element with a fraction <= this is broken.

    Returns:
        (n_frames,) labels "F", "U", "P1", "P2" or "" (no state).
    """
    if not 0 <= broken < formed <= 1:
        raise ValueError(f"need 0 <= broken < formed <= 1, got broken={broken}, formed={formed}")
    missing = set(ELEMENTS) - set(fractions.columns)
    if missing:
        raise ValueError(f"contact fractions lack columns {sorted(missing)}")
    on = {e: fractions[e].to_numpy() >= formed for e in ELEMENTS}
    off = {e: fractions[e].to_numpy() <= broken for e in ELEMENTS}
    labels = np.full(len(fractions), "", dtype=object)
    b1b2, b1b3, helix = ELEMENTS
    labels[on[b1b2] & on[b1b3] & on[helix]] = "F"
    labels[off[b1b2] & off[b1b3] & off[helix]] = "U"
    labels[off[b1b2] & on[b1b3] & on[helix]] = "P1"
    labels[on[b1b2] & off[b1b3] & off[helix]] = "P2"
    return labels


def state_counts(labels: np.ndarray, source: str, min_frames: int = 10) -> pd.DataFrame:
    """Frames per state (columns ``source``, ``state``, ``n_frames``, ``used``).

    A state with fewer than ``min_frames`` frames is marked ``used = False`` and logged,
    so downstream maps skip it instead of averaging over a handful of frames.
    """
    rows = []
    for state in STATES:
        n = int(np.sum(labels == state))
        used = n >= min_frames
        if not used:
            log.warning(
                "%s: state %s has %d frames (< %d): skipped in the state maps",
                source,
                state,
                n,
                min_frames,
            )
        rows.append({col.SOURCE: source, col.STATE: state, col.N_FRAMES: n, col.USED: used})
    return pd.DataFrame(rows)


#: element pairs whose native contacts define the state indicators (see ELEMENTS)
ELEMENT_CONTACTS = {
    col.B1B2: ("β1", "β2"),
    col.B1B3: ("β1", "β3"),
    col.HELIX: ("helix", "helix"),
}


def secondary_structure_elements(dssp: str, min_length: int = 2) -> dict[str, tuple[int, int]]:
    """β1, β2, β3 and the helix of NTL9 from a simplified DSSP string.

    Strands are the runs of ``E`` at least ``min_length`` long (single bridges are
    dropped), named β1, β2, β3 in sequence order; the helix is the longest run of ``H``.

    Args:
        dssp: one character per residue (``H``, ``E``, ``C``), e.g. mdtraj's
            ``compute_dssp(simplified=True)`` of the native structure.

    Returns:
        ``{"β1": (first, last), "β2": ..., "β3": ..., "helix": ...}``, inclusive 0-based
        residue ranges.

    Raises:
        InputError: fewer than three strands or no helix.
    """
    runs: list[tuple[str, int, int]] = []
    start = 0
    for k in range(1, len(dssp) + 1):
        if k == len(dssp) or dssp[k] != dssp[start]:
            runs.append((dssp[start], start, k - 1))
            start = k
    strands = [(a, b) for c, a, b in runs if c == "E" and b - a + 1 >= min_length]
    helices = [(a, b) for c, a, b in runs if c == "H"]
    if len(strands) < 3 or not helices:
        raise InputError(
            f"DSSP {dssp!r} has {len(strands)} strands and {len(helices)} helices; "
            "NTL9 needs three strands and a helix"
        )
    if len(strands) > 3:  # keep the three longest, in sequence order
        strands = sorted(sorted(strands, key=lambda s: s[0] - s[1])[:3])
    helix = max(helices, key=lambda h: h[1] - h[0])
    return {"β1": strands[0], "β2": strands[1], "β3": strands[2], "helix": helix}


def element_contacts(
    native: np.ndarray,
    elements: dict[str, tuple[int, int]],
    cutoff: float = 8.0,
    min_separation: int = 3,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Native contacts of each state indicator (:data:`ELEMENT_CONTACTS`).

    Args:
        native: (N, 3) native Cα positions, Å.
        elements: residue ranges from :func:`secondary_structure_elements`.

    Returns:
        ``{indicator: (pairs (n, 2), native distances (n,) Å)}``.

    Raises:
        InputError: an indicator has no native contact (thresholds too strict).
    """
    out = {}
    for name, (a, b) in ELEMENT_CONTACTS.items():
        group_a = np.arange(elements[a][0], elements[a][1] + 1)
        group_b = np.arange(elements[b][0], elements[b][1] + 1)
        pairs, dist = native_contacts(native, group_a, group_b, cutoff, min_separation)
        if len(pairs) == 0:
            raise InputError(f"no native contacts for {name} ({a}-{b}) within {cutoff} Å")
        out[name] = (pairs, dist)
    return out


def frame_states(
    positions: np.ndarray,
    contacts: dict[str, tuple[np.ndarray, np.ndarray]],
    tolerance: float = 1.2,
    formed: float = 0.7,
    broken: float = 0.3,
) -> pd.DataFrame:
    """Contact fractions and state label of every frame.

    Args:
        positions: (n_frames, N, 3) Cα positions, Å.
        contacts: from :func:`element_contacts`.

    Returns:
        Table with one row per frame: ``frame``, ``b1b2``, ``b1b3``, ``helix``, ``state``
        (``F``, ``U``, ``P1``, ``P2`` or empty).
    """
    fractions = pd.DataFrame(
        {
            name: contact_fraction(positions, pairs, dist, tolerance)
            for name, (pairs, dist) in contacts.items()
        }
    )
    fractions.insert(0, col.FRAME, np.arange(len(positions)))
    fractions[col.STATE] = assign_states(fractions, formed, broken)
    return fractions


@dataclass(eq=False)
class StateElements:
    """Secondary-structure elements and native structure of the protein, as stored in
    ``results/<protein>/states/elements.json`` by the state assignment and read by the
    figures and the mutation analysis.

    Attributes:
        elements: ``{"β1": (first, last), ...}``, inclusive 0-based residue ranges
            (:func:`secondary_structure_elements`).
        dssp: simplified DSSP string of the native structure, one character per residue.
        residue_names: (N,) three-letter residue names.
        sequence: one-letter sequence, N characters (X for non-standard residues).
        residue_numbers: (N,) PDB residue numbers.
        native_positions: (N, 3) native Cα positions, Å.
        tica_lag: TICA lag time used for the state analysis, frames.

    Raises:
        InputError: the per-residue fields disagree in length or shape.
    """

    elements: dict[str, tuple[int, int]]
    dssp: str
    residue_names: list[str]
    sequence: str
    residue_numbers: np.ndarray
    native_positions: np.ndarray
    tica_lag: int

    def __post_init__(self) -> None:
        n = len(self.residue_names)
        self.residue_numbers = np.asarray(self.residue_numbers, dtype=np.int64)
        self.native_positions = np.asarray(self.native_positions, dtype=np.float64)
        shapes = {
            "dssp": (len(self.dssp),),
            "sequence": (len(self.sequence),),
            "residue_numbers": self.residue_numbers.shape,
        }
        for name, shape in shapes.items():
            if shape != (n,):
                raise InputError(f"state elements: {name} has shape {shape} for {n} residues")
        if self.native_positions.shape != (n, 3):
            raise InputError(
                f"state elements: native_positions has shape {self.native_positions.shape}, "
                f"expected {(n, 3)}"
            )

    @classmethod
    def from_native(
        cls, native: dict[str, Any], elements: dict[str, tuple[int, int]], tica_lag: int
    ) -> StateElements:
        """From :func:`cgexplain.md.protein.load_native`'s dictionary and the elements."""
        from cgexplain.residues import ONE_LETTER

        names = list(native["residue_names"])
        return cls(
            elements={k: (int(v[0]), int(v[1])) for k, v in elements.items()},
            dssp=native["dssp"],
            residue_names=names,
            sequence="".join(ONE_LETTER.get(r, "X") for r in names),
            residue_numbers=native["residue_numbers"],
            native_positions=native["positions"],
            tica_lag=int(tica_lag),
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the file (lists for tuples and arrays)."""
        return {
            "elements": {k: list(v) for k, v in self.elements.items()},
            "dssp": self.dssp,
            "residue_names": list(self.residue_names),
            "sequence": self.sequence,
            "residue_numbers": self.residue_numbers.tolist(),
            "native_positions": self.native_positions.tolist(),
            "tica_lag": self.tica_lag,
        }

    def write(self, path: str | os.PathLike) -> None:
        """Write the file atomically (:func:`cgexplain.io.write_json`)."""
        write_json(path, self.to_json())

    @classmethod
    def read(cls, path: str | os.PathLike) -> StateElements:
        """Read a file written by :meth:`write`.

        Raises:
            InputError: naming the file, when it is missing, not JSON, or lacks a field.
        """
        path = Path(path)
        if not path.is_file():
            raise InputError(f"state elements file not found: {path}")
        try:
            data = json.loads(path.read_text())
            elements = {}
            for name, span in data["elements"].items():
                first, last = span
                elements[str(name)] = (int(first), int(last))
            return cls(
                elements=elements,
                dssp=str(data["dssp"]),
                residue_names=[str(r) for r in data["residue_names"]],
                sequence=str(data["sequence"]),
                residue_numbers=data["residue_numbers"],
                native_positions=data["native_positions"],
                tica_lag=int(data["tica_lag"]),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError, InputError) as err:
            raise InputError(
                f"cannot read state elements file {path}: damaged or not an elements file "
                f"({type(err).__name__}: {err})"
            ) from err


def state_contact_maps(
    positions: np.ndarray, labels: np.ndarray, cutoff: float = 8.0, min_frames: int = 1
) -> dict[str, np.ndarray | None]:
    """Cα contact map of each folding state (Bonneau et al. 2025, Suppl. Fig. S11).

    Args:
        positions: (n_frames, N, 3) Cα positions, Å.
        labels: (n_frames,) state of each frame (:func:`assign_states`).
        cutoff: a pair closer than this is in contact, Å.
        min_frames: a state with fewer frames gets None.

    Returns:
        ``{state: (N, N) fraction of the state's frames with the pair in contact}`` for
        every state of :data:`STATES` (None below ``min_frames``); the diagonal is 1.

    Raises:
        ValueError: labels and positions disagree in length.
    """
    positions = np.asarray(positions, dtype=np.float64)
    labels = np.asarray(labels, dtype=object)
    if len(labels) != len(positions):
        raise ValueError(f"{len(labels)} labels for {len(positions)} frames")
    out: dict[str, np.ndarray | None] = {}
    for state in STATES:
        frames = positions[labels == state]
        if len(frames) < min_frames or len(frames) == 0:
            out[state] = None
            continue
        d = np.linalg.norm(frames[:, :, None] - frames[:, None], axis=-1)
        out[state] = (d < cutoff).mean(axis=0)
    return out
