"""Settings of the training jobs (see :mod:`cgexplain.settings`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from cgexplain.config import from_block
from cgexplain.settings import job, seed_of

#: the architectures a model can have, in the order of the settings' list; the registry
#: of their implementations (:data:`cgexplain.potentials.architectures.ARCHITECTURES`) has the same
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


# ------------------------------------------------------------------- cutoff series


class SeriesRun(NamedTuple):
    """One point of a liquid's cutoff series: a model name and its cutoff, Å."""

    model: str
    cutoff: float


def series_models(config: Mapping[str, Any], system: str) -> dict[str, tuple[str, float]]:
    """Cutoff-series copies of a liquid's model: ``{name: (architecture, cutoff Å)}``.

    A copy is named ``<model>_rc<cutoff>`` with the cutoff as ``:g`` and ``.`` as ``p``
    (``painn_rc4``, ``painn_rc4p5``); a protein (or a system not built) has none.
    """
    if system not in config["systems"] or config[system]["kind"] != "liquid":
        return {}
    series = config[system]["training"]["cutoff_series"]
    return {
        f"{series['model']}_rc{cutoff:g}".replace(".", "p"): (series["model"], cutoff)
        for cutoff in series["cutoffs"]
    }


def cutoff_series_runs(config: Mapping[str, Any], system: str) -> tuple[SeriesRun, ...]:
    """(model name, cutoff Å) of a liquid's cutoff series sorted by cutoff, the model's
    own cutoff included when the system trains it (no series: empty)."""
    series = series_models(config, system)
    if not series:
        return ()
    training = config[system]["training"]
    base = training["cutoff_series"]["model"]
    runs = [SeriesRun(name, cutoff) for name, (_, cutoff) in series.items()]
    if base in training["models"]:
        runs.append(SeriesRun(base, training[base]["cutoff"]))
    return tuple(sorted(runs, key=lambda run: run.cutoff))


def model_spec(config: Mapping[str, Any], system: str, model: str) -> ModelSpec:
    """The architecture of ``model`` of ``system``: its own block, or, for a
    cutoff-series copy, its architecture's block with the copy's cutoff."""
    training = config[system]["training"]
    series = series_models(config, system)
    if model in series:
        architecture, cutoff = series[model]
        return ModelSpec.from_config(architecture, {**training[architecture], "cutoff": cutoff})
    return ModelSpec.from_config(model, training[model])


# ------------------------------------------------------------------------- jobs


class SplitFrames(NamedTuple):
    """Settings of ``split_frames``: one system's training/validation split.

    Attributes:
        val_fraction: share of frames validated on, in (0, 1).
        val_split: ``blocks``, ``runs`` or ``frames``
            (:func:`cgexplain.cg.splits.validation_split`).
        val_block: frames per validation block.
        seed: seed of the split (stage ``training/split``).
    """

    val_fraction: float
    val_split: str
    val_block: int
    seed: int


@job("split_frames")
def split_frames(config: Mapping[str, Any], *, system: str) -> SplitFrames:
    """The split keys of ``config[system].training.optimizer`` with the seed of
    ``training/split`` (shared by all the system's models and its prior)."""
    optimizer = config[system]["training"]["optimizer"]
    return SplitFrames(
        val_fraction=optimizer["val_fraction"],
        val_split=optimizer["val_split"],
        val_block=optimizer["val_block"],
        seed=seed_of(config, system, "training/split"),
    )


class TrainModel(NamedTuple):
    """Settings of ``train_model``: the architecture and the optimisation of one model.

    Attributes:
        model: architecture hyperparameters (a cutoff-series copy: its architecture
            with the copy's cutoff).
        optimizer: optimisation settings with the seed of ``training/<model>``.
    """

    model: ModelSpec
    optimizer: TrainSpec


@job("train_model")
def train_model(config: Mapping[str, Any], *, system: str, model: str) -> TrainModel:
    """:func:`model_spec` and ``config[system].training.optimizer`` with its seed."""
    optimizer = config[system]["training"]["optimizer"]
    return TrainModel(
        model=model_spec(config, system, model),
        optimizer=TrainSpec.from_config(
            optimizer, seed=seed_of(config, system, f"training/{model}")
        ),
    )


@dataclass(frozen=True)
class PriorSpec:
    """How a protein's Cα prior is fitted (:func:`cgexplain.cg.priors.fit_prior`).

    Attributes:
        n_fourier: terms of the dihedral Fourier series.
        repulsion_k: k of the repulsion k ReLU(σ - r)³, kcal/mol/Å³.
        min_separation: pairs with ``|i - j|`` at least this (residues) are repelled.
        max_sigma: cap on the repulsion σ, Å.
    """

    n_fourier: int
    repulsion_k: float
    min_separation: int
    max_sigma: float

    @classmethod
    def from_config(cls, block: Mapping[str, Any]) -> PriorSpec:
        """From a validated ``<protein>.prior`` block."""
        return from_block(cls, block)


class FitPrior(NamedTuple):
    """Settings of ``fit_prior``.

    Attributes:
        prior: the fit's settings.
        temperature: K, the reference's (the Boltzmann inversion's kT).
    """

    prior: PriorSpec
    temperature: float


@job("fit_prior")
def fit_prior(config: Mapping[str, Any], *, system: str) -> FitPrior:
    """``config[system].prior`` and the reference temperature."""
    return FitPrior(
        prior=PriorSpec.from_config(config[system]["prior"]),
        temperature=config[system]["reference"]["temperature"],
    )
