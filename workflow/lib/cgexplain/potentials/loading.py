"""Reading a trained model file and its hyperparameters: the one loader of the library.

A model file (``model.pt``) is a whole SchNetPack ``NeuralNetworkPotential`` saved with
``torch.save`` by :func:`cgexplain.cg.training.train_force_matching`; beside it,
``model.pt.json`` holds its hyperparameters (``{"model": ModelSpec fields, "training":
TrainSpec fields}``). :func:`load_spec` reads that sidecar with the standard library
alone, so a model's cutoff (:attr:`~cgexplain.settings.training.ModelSpec.cutoff`, Å)
has one source wherever a model file is read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cgexplain.errors import InputError
from cgexplain.settings.training import ModelSpec, TrainSpec

__all__ = ["check_device", "load_model", "load_spec"]


def check_device(device: str, instead: str = "device='cpu'") -> None:
    """Raise :class:`~cgexplain.errors.InputError` unless torch can use ``device`` here.

    Args:
        device: a torch device string (``cpu``, ``cuda``, ``cuda:1``, ``mps``).
        instead: what the message suggests using (``--device cpu`` on the command line).
    """
    import torch

    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise InputError(f"unknown device {device!r}: use cpu, cuda or cuda:N") from None
    if parsed.type == "cuda":
        n_gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if n_gpus == 0:
            raise InputError(f"device {device!r} is not available (no CUDA device): use {instead}")
        if parsed.index is not None and parsed.index >= n_gpus:
            raise InputError(
                f"device {device!r} is not available ({n_gpus} CUDA device(s)): use {instead}"
            )
    elif parsed.type == "mps" and not torch.backends.mps.is_available():
        raise InputError(f"device {device!r} is not available (no MPS device): use {instead}")


def load_model(path: str | os.PathLike, device: str = "cpu"):
    """Load a SchNetPack ``NeuralNetworkPotential`` saved with ``torch.save``.

    The file is unpickled (``weights_only=False``): load only files this workflow wrote or
    that you trust. SO3net convolutions are switched to the faster equivalent of
    :mod:`cgexplain.potentials.fast_so3` (same parameters, same values).

    Args:
        path: the model file (``model.pt``).
        device: torch device to load it on.

    Returns:
        The model in eval mode.

    Raises:
        InputError: naming the file, when it is missing, unreadable, not a PyTorch file,
            or holds something that is not a SchNetPack potential; naming the device
            when torch cannot use it here (:func:`check_device`).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"model file not found: {path}")
    if not path.is_file():
        raise InputError(f"model path is not a file: {path}")
    check_device(device)
    import torch

    import cgexplain  # noqa: F401  (SchNetPack import shim)

    try:
        model = torch.load(path, weights_only=False, map_location=device)
    except Exception as error:  # torch raises many types for a damaged file
        raise InputError(
            f"cannot read model file {path}: not a PyTorch model file or damaged "
            f"({type(error).__name__}: {error})"
        ) from error
    if not (hasattr(model, "representation") and hasattr(model, "output_modules")):
        raise InputError(
            f"model file {path} holds a {type(model).__name__}, not a SchNetPack "
            "NeuralNetworkPotential"
        )
    from cgexplain.potentials.fast_so3 import accelerate_so3net

    accelerate_so3net(model)
    return model.eval()


def load_spec(path: str | os.PathLike) -> tuple[ModelSpec, TrainSpec]:
    """Hyperparameters stored beside a model file (``<path>.json``).

    Args:
        path: the model file (``model.pt``); its sidecar ``model.pt.json`` is read.

    Returns:
        The model's :class:`ModelSpec` (cutoff in Å) and :class:`TrainSpec`.
    """
    data = json.loads(Path(str(path) + ".json").read_text())
    # models written before validation blocks validated on single random frames
    training = {"val_split": "frames", "val_block": 1, **data["training"]}
    return ModelSpec(**data["model"]), TrainSpec(**training)
