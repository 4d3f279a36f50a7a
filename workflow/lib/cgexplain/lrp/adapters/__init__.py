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
                raise ValueError("GNN-LRP needs an Atomwise energy summed over beads")
            return module.outnet
    raise ValueError(f"model has no Atomwise output module for {energy_key!r}")


def make_adapter(model: nn.Module, graph: Graph, rule: Rule, gamma: float) -> Adapter:
    """Adapter for a SchNetPack ``NeuralNetworkPotential`` on ``graph``."""
    name = type(model.representation).__name__
    if name not in ADAPTERS:
        raise NotImplementedError(
            f"no GNN-LRP adapter for representation {name}; known: {sorted(ADAPTERS)}"
        )
    return ADAPTERS[name](model.representation, energy_readout(model), graph, rule, gamma)


__all__ = ["ADAPTERS", "Adapter", "ForwardPass", "Graph", "make_adapter", "energy_readout"]
