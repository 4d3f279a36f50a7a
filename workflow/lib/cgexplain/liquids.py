"""Registry of the all-atom liquid builders a system block names (``builder:``).

A light module (numpy only; OpenMM is imported when a liquid is built), so that the
configuration checks (:mod:`cgexplain.config`) can read what each builder needs without
importing :mod:`cgexplain.md`; the builders themselves live in :mod:`cgexplain.md.builders`.

A liquid system of the workflow is declared as data::

    methane:
      kind: liquid
      builder: methane_oplsaa
      reference: {n_molecules: 125, box: [20.768, 20.410, 17.969], ...}

The builder turns the ``reference`` settings into a :class:`ReferenceSystem`. Each
entry says which ``reference`` keys it reads, which files it needs (Snakemake inputs)
and the box it will build (for the configuration checks), so that adding a liquid is a
config block, not a copied branch of the workflow.

Every liquid is mapped with the basic aggregated map of Bonneau et al., Nat. Commun.
(2025): one bead per molecule (OpenMM residue) at its heaviest atom, bead force = the
sum over the molecule (:func:`cgexplain.cg.mapping.heavy_atom_map`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

#: the methane force field the repository ships (OPLS-AA as OpenMM XML)
METHANE_FORCEFIELD = "resources/forcefields/methane_oplsaa.xml"


@dataclass(frozen=True)
class LiquidBuilder:
    """One way of building an all-atom liquid.

    Attributes:
        name: the value of ``builder:`` in a system block.
        keys: ``reference`` keys the builder reads (besides the run settings); a system
            block must give every one of them.
        inputs: maps a ``reference`` block to the files the builder reads
            (name -> path), the Snakemake inputs of the reference run.
        box_edges: maps a ``reference`` block to the (3,) edges of the orthorhombic
            box it builds, Å, or None when they are known only after building.
        function: ``"module:function"`` that builds it, ``function(name, reference,
            inputs, seed) -> ReferenceSystem`` (named, not imported, so that this module
            stays below :mod:`cgexplain.md`).
        summary: one line for the documentation.
    """

    name: str
    keys: tuple[str, ...]
    inputs: Callable[[Mapping[str, Any]], dict[str, str]]
    box_edges: Callable[[Mapping[str, Any]], np.ndarray | None]
    function: str
    summary: str

    def build(
        self, name: str, reference: Mapping[str, Any], inputs: Mapping[str, str], seed: int
    ) -> Any:
        """Build the liquid ``name``: a :class:`cgexplain.md.systems.ReferenceSystem`
        (imports :mod:`cgexplain.md` and OpenMM)."""
        module, _, function = self.function.partition(":")
        return getattr(importlib.import_module(module), function)(name, reference, inputs, seed)


def _openmm_box(ref: Mapping[str, Any]) -> np.ndarray | None:
    """Box edges from the CRYST1 record of the structure, Å (None if not readable yet)."""
    path = Path(ref["structure"])
    if not path.is_file():
        return None
    from openmm import app, unit

    vectors = app.PDBFile(str(path)).topology.getPeriodicBoxVectors()
    if vectors is None:
        return None
    return np.array([vectors[i][i].value_in_unit(unit.angstrom) for i in range(3)])


LIQUID_BUILDERS: dict[str, LiquidBuilder] = {
    builder.name: builder
    for builder in (
        LiquidBuilder(
            name="methane_oplsaa",
            keys=("n_molecules", "box", "cutoff"),
            inputs=lambda ref: {"forcefield": METHANE_FORCEFIELD},
            box_edges=lambda ref: np.asarray(ref["box"], dtype=float),
            function="cgexplain.md.builders:build_methane",
            summary="CH4 molecules (OPLS-AA, shipped) on a lattice in an orthorhombic box",
        ),
        LiquidBuilder(
            name="tip3p_waterbox",
            keys=("box_edge", "cutoff", "switch_width"),
            inputs=lambda ref: {},
            box_edges=lambda ref: np.full(3, float(ref["box_edge"])),
            function="cgexplain.md.builders:build_water",
            summary="rigid TIP3P water in a cubic box (openmmtools WaterBox)",
        ),
        LiquidBuilder(
            name="openmm_xml",
            keys=("system_xml", "structure"),
            inputs=lambda ref: {"system_xml": ref["system_xml"], "structure": ref["structure"]},
            box_edges=_openmm_box,
            function="cgexplain.md.builders:load_openmm_liquid",
            summary="any periodic OpenMM System (serialized XML) with a PDB of its start",
        ),
    )
}


def liquid_builder(name: str) -> LiquidBuilder:
    """The registered builder ``name``; ValueError naming the known ones otherwise."""
    try:
        return LIQUID_BUILDERS[name]
    except KeyError:
        raise ValueError(
            f"unknown liquid builder {name!r}; known: {', '.join(LIQUID_BUILDERS)}"
        ) from None
