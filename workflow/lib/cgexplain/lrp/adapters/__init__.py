"""Architecture adapters: one module per SchNetPack representation.

A new architecture is one new module implementing :class:`~.base.Adapter` plus one
entry in :data:`ADAPTERS`.
"""

from __future__ import annotations

from torch import nn

from cgexplain.lrp.adapters.base import Adapter, ForwardPass, Graph
from cgexplain.lrp.adapters.painn import PaiNNAdapter
from cgexplain.lrp.adapters.schnet import SchNetAdapter
from cgexplain.lrp.adapters.so3net import SO3netAdapter
from cgexplain.lrp.rules import Rule

#: representation class name -> adapter class
ADAPTERS: dict[str, type[Adapter]] = {
    "PaiNN": PaiNNAdapter,
    "SO3net": SO3netAdapter,
    "SchNet": SchNetAdapter,
}


def energy_readout(model: nn.Module, energy_key: str = "energy") -> nn.Sequential:
    """The ``outnet`` of the summed ``Atomwise`` module that predicts ``energy_key``."""
    for module in model.output_modules:
        if type(module).__name__ == "Atomwise" and module.output_key == energy_key:
            if module.aggregation_mode != "sum":
                raise ValueError(
                    f"GNN-LRP needs an Atomwise energy summed over beads; {energy_key!r} "
                    f"is aggregated by {module.aggregation_mode!r}"
                )
            return module.outnet
    raise ValueError(f"model has no Atomwise output module for {energy_key!r}")


def check_model(model: nn.Module) -> None:
    """Raise naming the problem if GNN-LRP cannot explain ``model``.

    Raises:
        NotImplementedError: the representation has no adapter.
        ValueError: no ``Atomwise`` energy summed over beads.
    """
    representation = getattr(model, "representation", None)
    name = type(representation).__name__
    if name not in ADAPTERS:
        raise NotImplementedError(
            f"no GNN-LRP adapter for representation {name}; known: {sorted(ADAPTERS)}"
        )
    energy_readout(model)


def make_adapter(model: nn.Module, graph: Graph, rule: Rule, gamma: float) -> Adapter:
    """Adapter for a SchNetPack ``NeuralNetworkPotential`` on ``graph``."""
    check_model(model)
    name = type(model.representation).__name__
    return ADAPTERS[name](model.representation, energy_readout(model), graph, rule, gamma)


__all__ = [
    "ADAPTERS",
    "Adapter",
    "check_model",
    "ForwardPass",
    "Graph",
    "make_adapter",
    "energy_readout",
]
