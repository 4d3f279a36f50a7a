"""The supported SchNetPack architectures: one registry for training, GNN-LRP and tests.

Each entry names an architecture as the workflow's settings do (``painn``, ``so3net``,
``schnet``), the SchNetPack representation class that implements it and the GNN-LRP
adapter (:mod:`cgexplain.lrp.adapters`) that explains it. Classes are named, not
imported, so that this module stays light and below both :mod:`cgexplain.cg` and
:mod:`cgexplain.lrp`.

A new architecture is one entry here, one adapter module and its name in the
configuration schema's list of models (a unit test checks that the two lists agree).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Architecture:
    """One supported architecture.

    Attributes:
        name: the name in the settings (``training.models``).
        representation: class name in :mod:`schnetpack.representation`.
        adapter: ``"module:Class"`` of its GNN-LRP adapter.
        options: optional keywords of the representation's constructor that
            :func:`build_representation` passes on (the others are ignored).
    """

    name: str
    representation: str
    adapter: str
    options: tuple[str, ...] = ()

    def representation_class(self) -> type:
        """The SchNetPack representation class."""
        import schnetpack.representation

        return getattr(schnetpack.representation, self.representation)

    def adapter_class(self) -> type:
        """The GNN-LRP adapter class (imports :mod:`cgexplain.lrp.adapters`)."""
        module, _, name = self.adapter.partition(":")
        return getattr(importlib.import_module(module), name)


#: architecture name -> :class:`Architecture`, in the order of the settings' list
ARCHITECTURES: dict[str, Architecture] = {
    arch.name: arch
    for arch in (
        Architecture(
            "painn",
            "PaiNN",
            "cgexplain.lrp.adapters.painn:PaiNNAdapter",
            options=("activation",),
        ),
        Architecture(
            "so3net",
            "SO3net",
            "cgexplain.lrp.adapters.so3net:SO3netAdapter",
            options=("lmax",),
        ),
        Architecture(
            "schnet",
            "SchNet",
            "cgexplain.lrp.adapters.schnet:SchNetAdapter",
            options=("n_filters", "activation"),
        ),
    )
}


def get_architecture(name: str) -> Architecture:
    """The architecture called ``name``; ``ValueError`` naming it if there is none."""
    if name not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {tuple(ARCHITECTURES)}, got {name!r}")
    return ARCHITECTURES[name]


def architecture_of(representation: object) -> Architecture | None:
    """The architecture whose representation class ``representation`` is (by class name)."""
    name = type(representation).__name__
    for arch in ARCHITECTURES.values():
        if arch.representation == name:
            return arch
    return None


def build_representation(
    name: str,
    n_features: int,
    n_interactions: int,
    radial_basis: Any,
    cutoff_fn: Any,
    **options: Any,
) -> Any:
    """A new SchNetPack representation of architecture ``name``.

    Args:
        name: architecture name (``painn``, ``so3net``, ``schnet``).
        n_features: feature channels (``n_atom_basis``).
        n_interactions: interaction blocks.
        radial_basis, cutoff_fn: SchNetPack radial basis and cutoff function.
        **options: further constructor keywords (``lmax``, ``activation``,
            ``n_filters``); those the architecture does not take (listed in
            :attr:`Architecture.options`) are ignored, e.g. ``lmax`` for PaiNN.
    """
    arch = get_architecture(name)
    chosen = {key: value for key, value in options.items() if key in arch.options}
    return arch.representation_class()(
        n_atom_basis=n_features,
        n_interactions=n_interactions,
        radial_basis=radial_basis,
        cutoff_fn=cutoff_fn,
        **chosen,
    )
