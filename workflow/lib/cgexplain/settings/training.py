"""Settings of the training jobs (see :mod:`cgexplain.settings`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from cgexplain.config import from_block
from cgexplain.settings import job, seed_of

#: the architectures a model can have, in the order of the settings' list; the registry
#: of their implementations (:data:`cgexplain.architectures.ARCHITECTURES`) has the same
#: names (a unit test checks it)
ARCHITECTURES = ("painn", "so3net", "schnet")


@dataclass(frozen=True)
class ModelSpec:
    """Architecture hyperparameters.

    Attributes:
        architecture: ``painn`` (lmax 1), ``so3net`` or ``schnet``.
        n_features: feature channels (``n_atom_basis``).
        n_interactions: interaction blocks.
        n_rbf: Gaussian radial basis functions.
        cutoff: neighbour cutoff, Å.
        lmax: SO3net's largest angular momentum (ignored by the others).
    """

    architecture: str
    n_features: int
    n_interactions: int
    n_rbf: int
    cutoff: float
    lmax: int = 2  # read back from model.pt.json files written before lmax was stored

    @classmethod
    def from_config(cls, architecture: str, block: Mapping[str, Any]) -> ModelSpec:
        """From a validated ``<system>.training.<architecture>`` block."""
        return from_block(cls, block, architecture=architecture)

    def __post_init__(self) -> None:
        if self.architecture not in ARCHITECTURES:
            raise ValueError(
                f"architecture must be one of {ARCHITECTURES}, got {self.architecture!r}"
            )


@dataclass(frozen=True)
class TrainSpec:
    """Optimisation settings (AdamW, ReduceLROnPlateau, EMA, early stopping).

    Attributes:
        batch_size: frames per batch; accumulate_grad_batches: batches per step.
        lr: learning rate; weight_decay: AdamW weight decay.
        max_epochs; early_stopping_patience, lr_patience (epochs); lr_factor; lr_cooldown.
        ema_decay: decay of the exponential moving average of the weights.
        val_fraction: fraction of frames held out for validation.
        val_split: how (:func:`cgexplain.cg.splits.validation_split`): ``blocks``,
            ``runs`` or ``frames``; val_block: frames per validation block.
        seed: seed of the split, initialisation and shuffling.
    """

    batch_size: int
    accumulate_grad_batches: int
    lr: float
    weight_decay: float
    max_epochs: int
    early_stopping_patience: int
    lr_patience: int
    lr_factor: float
    lr_cooldown: int
    ema_decay: float
    val_fraction: float
    val_split: str
    val_block: int
    seed: int

    @classmethod
    def from_config(cls, block: Mapping[str, Any], **extra: Any) -> TrainSpec:
        """From a validated ``<system>.training.optimizer`` block plus its derived ``seed``."""
        return from_block(cls, block, **extra)


