"""What the fast PaiNN and SchNet paths share: forces from an energy function written out
over the pair list, as a simulation call and as a SchNetPack potential that trains.

An *energy function* has the signature of
:func:`cgexplain.potentials.fast_painn.painn_energy`:
``fn(model, positions, numbers, idx_i, idx_j, offsets, idx_m, n_molecules, block, half,
given_half, weight_gradients) -> (M,) energies`` (kcal/mol, differentiable twice).
"""

from __future__ import annotations

from collections.abc import Callable

import schnetpack as spk
import schnetpack.properties as props
import torch

__all__ = ["ForwardForcesPotential", "energy_of_inputs", "energy_and_forces", "plain_energy_head"]

EnergyFunction = Callable[..., torch.Tensor]


def plain_energy_head(model: torch.nn.Module) -> bool:
    """Pairwise distances in, one summed ``Atomwise`` energy and its ``Forces`` out, no
    post-processing beyond a float64 cast: the part of a potential the fast paths replace
    around the representation."""
    import schnetpack.transform as trn

    outputs = list(getattr(model, "output_modules", []))
    return (
        [type(m) for m in getattr(model, "input_modules", [])] == [spk.atomistic.PairwiseDistances]
        and len(outputs) == 2
        and type(outputs[0]) is spk.atomistic.Atomwise
        and outputs[0].aggregation_mode == "sum"
        and outputs[0].output_key == spk.properties.energy
        and outputs[0].per_atom_output_key is None
        and type(outputs[1]) is spk.atomistic.Forces
        and not outputs[1].calc_stress
        and all(type(p) is trn.CastTo64 for p in model.postprocessors)
    )


def energy_of_inputs(
    fn: EnergyFunction,
    model,
    inputs: dict[str, torch.Tensor],
    positions: torch.Tensor,
    block: int,
    half: bool,
    given_half: bool = False,
    weight_gradients: bool = True,
) -> torch.Tensor:
    """``fn`` on a SchNetPack input dictionary, with ``positions`` in place of its own."""
    return fn(
        model,
        positions,
        inputs[props.Z],
        inputs[props.idx_i],
        inputs[props.idx_j],
        inputs[props.offsets],
        inputs[props.idx_m],
        int(inputs[props.n_atoms].shape[0]),
        block,
        half,
        given_half,
        weight_gradients,
    )


def energy_and_forces(
    fn: EnergyFunction,
    model,
    inputs: dict[str, torch.Tensor],
    block: int,
    half: bool,
    given_half: bool,
) -> dict[str, torch.Tensor]:
    """``{"energy": (M,), "forces": (N, 3)}`` by one backward pass, without weight
    gradients (simulation)."""
    positions = inputs[props.R].detach().requires_grad_(True)
    with torch.enable_grad():
        energy = energy_of_inputs(fn, model, inputs, positions, block, half, given_half, False)
        (grad,) = torch.autograd.grad(energy.sum(), positions)
    return {props.energy: energy.detach(), props.forces: -grad}


class ForwardForcesPotential(spk.model.NeuralNetworkPotential):
    """A SchNetPack ``NeuralNetworkPotential`` whose forward pass runs :attr:`energy_function`
    (same parameters, same state dict) and its forces by one backward pass, kept
    differentiable in training (``create_graph``) so that force matching's second
    derivatives run through the hand-written double backward. Subclasses set
    ``energy_function``; ``block`` and ``half_pairs`` are its arguments. Made from a plain
    potential by :meth:`switch`, undone by :meth:`switch_back`."""

    energy_function: EnergyFunction
    block = 2048
    half_pairs = False

    def forward(self, inputs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        inputs = self.initialize_derivatives(inputs)
        positions = inputs[props.R]
        energy = energy_of_inputs(
            type(self).energy_function, self, inputs, positions, self.block, self.half_pairs
        )
        inputs[props.energy] = energy
        (grad,) = torch.autograd.grad(
            energy,
            positions,
            grad_outputs=torch.ones_like(energy),
            create_graph=self.training,
            retain_graph=self.training,
        )
        inputs[props.forces] = -grad
        inputs = self.postprocess(inputs)
        return self.extract_outputs(inputs)

    @classmethod
    def switch(cls, model: torch.nn.Module, supports: Callable[[torch.nn.Module], bool]) -> bool:
        """Switch a plain potential for which ``supports`` holds to ``cls`` in place
        (parameters and state dict untouched); others are left alone. Idempotent; returns
        whether ``model`` is now ``cls``."""
        if type(model) is cls:
            return True
        if type(model) is not spk.model.NeuralNetworkPotential or not supports(model):
            return False
        model.__class__ = cls
        return True

    @classmethod
    def switch_back(cls, model: torch.nn.Module) -> bool:
        """Undo :meth:`switch` (for saving a model that loads with plain SchNetPack);
        returns whether ``model`` was switched back."""
        if type(model) is not cls:
            return False
        model.__class__ = spk.model.NeuralNetworkPotential
        return True
