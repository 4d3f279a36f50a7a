"""PyMOL scripts drawing the interactions between Cα atoms on a structure, coloured as
in the figures."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cgexplain.io import atomic_output
from cgexplain.plots.protein.projection import (
    _beads,
    _shade,
)


def _pymol_colour(value: float, scale: float) -> str:
    red, green, blue, _ = _shade(value, scale)
    return f"[{red:.3f}, {green:.3f}, {blue:.3f}]"


def _pymol_interaction(
    name: str, beads: tuple[int, ...], value: float, scale: float, atoms: list[str]
) -> list[str]:
    """Script lines of one interaction: a distance object per edge (one for a pair, three
    grouped ones for a triplet), coloured and sized by ``value`` relative to ``scale``."""
    ends = [(beads[0], beads[1], name)]
    if len(beads) == 3:
        ends = [
            (beads[0], beads[1], f"{name}_ab"),
            (beads[1], beads[2], f"{name}_bc"),
            (beads[0], beads[2], f"{name}_ac"),
        ]
    strength = min(abs(value) / scale, 1.0) if scale > 0 else 1.0
    lines = [f"set_color {name}_colour, {_pymol_colour(value, scale)}"]
    for a, b, edge in ends:
        lines += [
            f"distance {edge}, {atoms[a]}, {atoms[b]}",
            f"set dash_color, {name}_colour, {edge}",
            f"set dash_width, {1.5 + 4.5 * strength:.2f}, {edge}",
            f"set dash_radius, {0.05 + 0.2 * strength:.3f}, {edge}",
        ]
    if len(beads) == 3:
        lines.append(f"group {name}, {' '.join(edge for _, _, edge in ends)}")
    return lines


def write_pymol_script(
    interactions: pd.DataFrame,
    pdb_path: str,
    residue_numbers: Sequence[int],
    out_path: str,
    object_name: str,
    chain: str,
) -> None:
    """Write a PyMOL script drawing interactions between Cα atoms on a structure.

    Pairs become one distance object ``r2_<k>``; triplets the three edges
    ``r3_<k>_ab/bc/ac`` grouped as ``r3_<k>``, coloured by ``<name>_colour``
    (``set_color``, RGB 0-1). Colours as in the figures: blue = < 0
    (stabilising), red = > 0 (destabilising), lighter = weaker (|value| relative to the
    largest of its order); dash width grows with strength. Each interaction's residues
    and value are written as a comment.

    Args:
        interactions: ``order``, ``beads`` (0-based bead indices), ``value`` (a.u.).
        pdb_path: structure to load (as written into the script).
        residue_numbers: PDB residue number of each bead (index = bead).
        out_path: the .pml file, written atomically.
        object_name: PyMOL object name (the workflow uses the system's name).
        chain: chain of the beads' residues in ``pdb_path``.
        chain: chain identifier.
    """
    numbers = [int(number) for number in residue_numbers]
    atoms = [f"/{object_name}//{chain}/{number}/CA" for number in numbers]
    lines = [
        "# PyMOL script: GNN-LRP interactions between Ca atoms (cgexplain).",
        "# colours: blue = relevance < 0 (stabilising), red = relevance > 0 (destabilising);",
        "# lighter / thinner = weaker (|value| / max |value| of the same order).",
        "# 2-body: distance objects r2_<k>; 3-body: triangle edges grouped as r3_<k>.",
        f"load {pdb_path}, {object_name}",
        f"hide everything, {object_name}",
        f"show cartoon, {object_name}",
        f"color grey80, {object_name}",
        "set sphere_scale, 0.4",
        "set dash_gap, 0",
    ]
    involved: set[int] = set()
    for order, part in interactions.groupby("order", sort=True):
        values = part["value"].to_numpy(dtype=float)
        scale = float(np.nanmax(np.abs(values))) if values.size else 1.0
        for k, (entry, value) in enumerate(zip(part["beads"], values, strict=True), start=1):
            beads = _beads(entry)
            if max(beads) >= len(numbers) or min(beads) < 0:
                raise ValueError(f"beads {beads}: no residue number ({len(numbers)} given)")
            involved.update(beads)
            name = f"r{int(order)}_{k}"
            residues = ", ".join(str(numbers[b]) for b in beads)
            lines.append(f"# {name}: residues {residues}, value {value:.6g}")
            lines += _pymol_interaction(name, beads, float(value), scale, atoms)
    if involved:
        selection = " or ".join(atoms[b] for b in sorted(involved))
        lines += [f"show spheres, {selection}", f"set sphere_color, grey50, {selection}"]
    lines += ["hide labels", f"orient {object_name}", ""]
    with atomic_output(out_path) as tmp:
        tmp.write_text("\n".join(lines))
