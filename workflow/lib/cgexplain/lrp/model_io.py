"""The SchNetPack bridge of GNN-LRP: frames in, graphs and energies out.

Everything that touches SchNetPack's data conventions lives here: the checks of a frame,
the neighbour list at the model's cutoff (``AtomsConverter``), the :class:`Graph` of the
adapters, the model's own energy and its postprocessors, and the parameter freeze of an
explanation. :mod:`cgexplain.lrp.nbody` only aggregates.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import ase
import numpy as np
import torch
from torch import nn

from cgexplain.lrp.adapters.base import Graph


@contextlib.contextmanager
def frozen_parameters(model: nn.Module) -> Iterator[None]:
    """Temporarily switch off ``requires_grad`` of every parameter (restored on exit)."""
    flags = [(p, p.requires_grad) for p in model.parameters()]
    try:
        for p, _ in flags:
            p.requires_grad_(False)
        yield
    finally:
        for p, flag in flags:
            p.requires_grad_(flag)


def model_cutoff(model: nn.Module) -> float:
    """Cutoff radius (Å) of the model's representation."""
    return float(torch.as_tensor(model.representation.cutoff))


def model_dtype_device(model: nn.Module) -> tuple[torch.dtype, torch.device]:
    """dtype and device of the model's representation parameters."""
    p = next(model.representation.parameters())
    return p.dtype, p.device


def check_frame(atoms: ase.Atoms) -> None:
    """Raise ``ValueError`` naming the problem of a frame that cannot be explained."""
    positions = np.asarray(atoms.get_positions())
    if positions.ndim != 2 or positions.shape[1] != 3 or positions.shape[0] == 0:
        raise ValueError(f"frame positions must have shape (n_beads, 3), got {positions.shape}")
    bad = np.flatnonzero(~np.isfinite(positions).all(axis=1))
    if bad.size:
        raise ValueError(
            f"frame has non-finite (NaN or inf) positions at {bad.size} bead(s), "
            f"first indices {bad[:5].tolist()}"
        )
    if atoms.pbc.any() and not np.isfinite(atoms.cell.array).all():
        raise ValueError("frame has a non-finite periodic cell")


def check_atomic_numbers(model: nn.Module, atoms: ase.Atoms | list[ase.Atoms]) -> None:
    """Raise ``ValueError`` naming an atomic number outside the model's embedding table."""
    table = getattr(model.representation, "embedding", None)
    n_types = getattr(table, "num_embeddings", None)
    if n_types is None:
        return
    for frame in [atoms] if isinstance(atoms, ase.Atoms) else atoms:
        numbers = np.asarray(frame.numbers)
        bad = np.flatnonzero((numbers < 0) | (numbers >= n_types))
        if bad.size:
            raise ValueError(
                f"unknown element: Z={int(numbers[bad[0]])} (bead {int(bad[0])}; the model "
                f"knows Z = 0-{n_types - 1})"
            )


def atoms_to_inputs(
    model: nn.Module, atoms: ase.Atoms | list[ase.Atoms]
) -> dict[str, torch.Tensor]:
    """SchNetPack input batch of frames, neighbour list at the model's cutoff (pbc honoured).

    Raises:
        ValueError: an atomic number is outside the model's embedding table.
    """
    import schnetpack as spk

    check_atomic_numbers(model, atoms)

    dtype, device = model_dtype_device(model)
    converter = spk.interfaces.AtomsConverter(
        neighbor_list=spk.transform.MatScipyNeighborList(cutoff=model_cutoff(model)),
        dtype=dtype,
        device=device,
    )
    return converter(atoms)


def inputs_to_graph(inputs: dict[str, torch.Tensor]) -> Graph:
    """The :class:`Graph` of a single-frame SchNetPack input batch."""
    from schnetpack import properties as prop

    positions = inputs[prop.R].double()
    idx_i, idx_j = inputs[prop.idx_i], inputs[prop.idx_j]
    r_ij = positions[idx_j] - positions[idx_i] + inputs[prop.offsets].double()
    return Graph(inputs[prop.Z], r_ij.to(inputs[prop.R].dtype), idx_i, idx_j)


def model_energy(model: nn.Module, inputs: dict[str, torch.Tensor]) -> float:
    """Energy (kcal/mol) of the unmodified SchNetPack model, without its derivatives.

    Runs the model's input modules, representation, every output module that needs no
    derivative (``Forces``/``Stress`` are skipped) and its postprocessors, under
    ``torch.no_grad`` (same value as ``model(inputs)["energy"]``, a third of the cost).
    """
    from schnetpack import properties as prop

    batch = {key: value.clone() for key, value in inputs.items()}
    with torch.no_grad():
        for module in model.input_modules:
            batch = module(batch)
        batch = model.representation(batch)
        for module in model.output_modules:
            if not getattr(module, "required_derivatives", None):
                batch = module(batch)
        batch = model.postprocess(batch)
    return float(batch[prop.energy].sum())


def postprocessed_energy(
    model: nn.Module, inputs: dict[str, torch.Tensor], energy: torch.Tensor
) -> float:
    """Apply the model's postprocessors (e.g. ``AddOffsets``, casts) to a summed energy."""
    from schnetpack import properties as prop

    batch = {key: value for key, value in inputs.items()}
    batch[prop.energy] = energy.detach().reshape(1)
    with torch.no_grad():
        batch = model.postprocess(batch)
    return float(batch[prop.energy].sum())
