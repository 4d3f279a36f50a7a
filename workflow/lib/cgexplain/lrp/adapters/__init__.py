"""Architecture adapters: one module per SchNetPack representation.

A new architecture is one new module implementing :class:`~.base.Adapter` plus one
entry in the architecture registry :data:`cgexplain.potentials.architectures.ARCHITECTURES`.
"""

from __future__ import annotations

from torch import nn

from cgexplain.lrp.adapters.base import Adapter, ForwardPass, Graph
from cgexplain.lrp.rules import Rule, check_rule
from cgexplain.potentials.architectures import ARCHITECTURES, architecture_of

#: representation class name -> adapter class (from the architecture registry)
ADAPTERS: dict[str, type[Adapter]] = {
    arch.representation: arch.adapter_class() for arch in ARCHITECTURES.values()
}


def energy_readout(model: nn.Module, energy_key: str | None = None) -> nn.Sequential:
    """The ``outnet`` of the summed ``Atomwise`` module that predicts ``energy_key``
    (default: SchNetPack's ``schnetpack.properties.energy``, "energy")."""
    if energy_key is None:
        from schnetpack import properties

        energy_key = properties.energy
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
    if architecture_of(representation) is None:
        raise NotImplementedError(
            f"no GNN-LRP adapter for representation {type(representation).__name__}; "
            f"known: {sorted(ADAPTERS)}"
        )
    energy_readout(model)


def make_adapter(model: nn.Module, graph: Graph, rule: Rule) -> Adapter:
    """Adapter for a SchNetPack ``NeuralNetworkPotential`` on ``graph`` under ``rule``."""
    check_rule(rule)
    check_model(model)
    adapter = ADAPTERS[type(model.representation).__name__]
    return adapter(model.representation, energy_readout(model), graph, rule)


__all__ = [
    "ADAPTERS",
    "Adapter",
    "check_model",
    "ForwardPass",
    "Graph",
    "make_adapter",
    "energy_readout",
]
