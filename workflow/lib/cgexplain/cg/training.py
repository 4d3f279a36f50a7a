"""Force-matching training of CG neural network potentials with SchNetPack 2.

A CG potential U(R) is fitted so that -∇U matches the mapped all-atom forces in the
mean-square sense (force matching / multiscale coarse-graining: Noid et al.,
J. Chem. Phys. 128, 244114, 2008). The network is a SchNetPack
``NeuralNetworkPotential``: pairwise distances, a PaiNN (Schütt et al., ICML 2021),
SO3net or SchNet (Schütt et al., J. Chem. Phys. 148, 241722, 2018) representation with
Gaussian radial basis and cosine cutoff, an ``Atomwise`` energy summed over beads and
forces as its negative gradient. Units: kcal/mol and Å.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytorch_lightning as pl  # noqa: E402
import schnetpack as spk  # noqa: E402
import schnetpack.transform as trn  # noqa: E402
import torch  # noqa: E402

import cgexplain  # noqa: F401 - SchNetPack import shim
from cgexplain.cg.splits import load_split, save_split, validation_split  # noqa: E402
from cgexplain.io import InputError, atomic_output, write_json  # noqa: E402
from cgexplain.potentials.architectures import build_representation  # noqa: E402
from cgexplain.potentials.fast_painn import accelerate_painn, restore_painn  # noqa: E402
from cgexplain.potentials.fast_schnet import accelerate_schnet, restore_schnet  # noqa: E402
from cgexplain.potentials.fast_so3 import accelerate_so3net, restore_so3net  # noqa: E402
from cgexplain.runlog import eta  # noqa: E402
from cgexplain.settings.training import ARCHITECTURES, ModelSpec, TrainSpec  # noqa: E402,F401
from cgexplain.workdir import WorkDir  # noqa: E402

log = logging.getLogger(__name__)


def build_model(spec: ModelSpec) -> spk.model.NeuralNetworkPotential:
    """A SchNetPack ``NeuralNetworkPotential`` predicting ``energy`` and ``forces``.

    SO3net convolutions are switched to :class:`~cgexplain.potentials.fast_so3.FastSO3Convolution`
    (same parameters and results, about 7x faster on CPU). PaiNN and SchNet stay
    SchNetPack's own class; :func:`train_force_matching` switches them to
    :class:`~cgexplain.potentials.fast_painn.FastPaiNNPotential` and
    :class:`~cgexplain.potentials.fast_schnet.FastSchNetPotential` for training.
    """
    radial = spk.nn.GaussianRBF(n_rbf=spec.n_rbf, cutoff=spec.cutoff)
    cutoff_fn = spk.nn.CosineCutoff(spec.cutoff)
    representation = build_representation(
        spec.architecture,
        n_features=spec.n_features,
        n_interactions=spec.n_interactions,
        radial_basis=radial,
        cutoff_fn=cutoff_fn,
        lmax=spec.lmax,
    )
    accelerate_so3net(representation)  # switches SO3net convolutions, leaves others alone
    return spk.model.NeuralNetworkPotential(
        representation=representation,
        input_modules=[spk.atomistic.PairwiseDistances()],
        output_modules=[
            spk.atomistic.Atomwise(
                n_in=spec.n_features, output_key=spk.properties.energy, aggregation_mode="sum"
            ),
            spk.atomistic.Forces(
                energy_key=spk.properties.energy, force_key=spk.properties.forces
            ),
        ],
        postprocessors=[trn.CastTo64()],
    )


class _EpochMetrics(pl.Callback):
    """Write train/validation force RMSE per epoch to a CSV and to the log."""

    def __init__(self, path: Path, max_epochs: int | None = None) -> None:
        self.path = path
        self.max_epochs = max_epochs
        self._losses: list[float] = []
        self._t0 = time.perf_counter()
        self._start: float | None = None  # first epoch's start: the ETA's clock
        self._first_epoch = 0

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        self._losses, self._t0 = [], time.perf_counter()
        if self._start is None:  # a resumed run counts from its first new epoch
            self._start, self._first_epoch = self._t0, trainer.current_epoch

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        loss = outputs["loss"] if isinstance(outputs, dict) else outputs
        self._losses.append(float(loss))

    def on_validation_epoch_end(self, trainer, pl_module) -> None:
        if trainer.sanity_checking or not self._losses:
            return
        metrics = trainer.callback_metrics
        row = {
            "epoch": trainer.current_epoch,
            "train_force_rmse": math.sqrt(sum(self._losses) / len(self._losses)),
            "val_force_rmse": float(metrics["val_forces_RMSE"]),
            "lr": trainer.optimizers[0].param_groups[0]["lr"],
            "seconds": time.perf_counter() - self._t0,
        }
        new = not self.path.exists()
        with open(self.path, "a") as handle:
            if new:
                handle.write(",".join(row) + "\n")
            handle.write(
                ",".join(f"{v:.6g}" if isinstance(v, float) else str(v) for v in row.values())
                + "\n"
            )
        total = self.max_epochs or trainer.max_epochs
        done = row["epoch"] + 1 - self._first_epoch
        elapsed = time.perf_counter() - (self._start or self._t0)
        log.info(
            "epoch %d/%d: train force RMSE %.4f, validation %.4f kcal/mol/Å, lr %.2e, "
            "%.1f s, ETA %s (at most; early stopping may end sooner)",
            row["epoch"] + 1,
            total,
            row["train_force_rmse"],
            row["val_force_rmse"],
            row["lr"],
            row["seconds"],
            eta(done, total - self._first_epoch, elapsed),
        )


def _split_digest(path: str | os.PathLike) -> str:
    """SHA-256 of a split file: a changed split invalidates resumable checkpoints."""
    if not Path(path).is_file():
        raise InputError(f"split file not found: {path}")
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def train_force_matching(
    dataset: str | os.PathLike,
    model_spec: ModelSpec,
    train_spec: TrainSpec,
    model_out: str | os.PathLike,
    metrics_out: str | os.PathLike,
    work_dir: str | os.PathLike,
    runs: Sequence[int] | None = None,
    split_out: str | os.PathLike | None = None,
    split: str | os.PathLike | None = None,
) -> dict[str, Any]:
    """Train a CG potential on a SchNetPack dataset by force matching.

    Interrupted runs resume from ``work_dir/checkpoints/last.ckpt``. The best model
    (lowest validation loss, EMA weights) is saved whole to ``model_out`` (load with
    :func:`cgexplain.potentials.loading.load_model`), its hyperparameters beside it as
    ``<model_out>.json`` (:func:`cgexplain.potentials.loading.load_spec`).

    Args:
        dataset: ASE database written by :func:`cgexplain.cg.datasets.write_schnetpack_dataset`.
        model_spec, train_spec: hyperparameters.
        model_out: final model file; metrics_out: per-epoch CSV.
        work_dir: checkpoints, split and neighbour-list cache.
        runs: frames of each run, in dataset order (:func:`cgexplain.cg.splits.run_lengths`);
            validation blocks never straddle two runs. Default: one run.
        split_out: where to copy the split (``split.npz``: ``train_idx``, ``val_idx``,
            ``test_idx`` frame indices of the dataset, SchNetPack's format).
        split: a split file made beforehand (:func:`cgexplain.cg.splits.save_split`),
            used instead of drawing one from ``train_spec`` and ``runs``; the workflow
            draws one per system, so that every model and the protein prior keep off the
            same validation frames.

    Returns:
        Summary (epochs, best validation force RMSE, frames/s, device).
    """
    dataset = Path(dataset)
    if not dataset.is_file():
        raise InputError(f"training dataset not found: {dataset}")
    fingerprint = {
        "dataset": str(dataset),
        "model": asdict(model_spec),
        "training": asdict(train_spec),
        "runs": None if runs is None else [int(r) for r in runs],
        "split": None if split is None else _split_digest(split),
    }
    # Lightning writes the checkpoints; the stamp spec.json binds them to these settings
    workdir = WorkDir(work_dir, fingerprint, stamp="spec.json")
    workdir.open()
    work = workdir.path
    ckpt_dir = work / "checkpoints"
    metrics_tmp = work / "metrics.csv"
    pl.seed_everything(train_spec.seed, workers=True)

    n_frames = len(spk.data.ASEAtomsData(str(dataset), load_properties=[spk.properties.forces]))
    if split is not None:
        train_idx, val_idx = load_split(split, n_frames)
        log.info("validation split from %s", split)
    else:
        train_idx, val_idx = validation_split(
            n_frames,
            train_spec.val_fraction,
            train_spec.val_split,
            train_spec.val_block,
            train_spec.seed,
            runs,
        )
        log.info(
            "validation split (%s, blocks of %d frames, runs %s)",
            train_spec.val_split,
            train_spec.val_block,
            runs or [n_frames],
        )
    n_train, n_val = len(train_idx), len(val_idx)
    split_file = work / "split.npz"
    save_split(split_file, train_idx, val_idx)
    log.info("%d training, %d validation frames", n_train, n_val)
    datamodule = spk.data.AtomsDataModule(
        str(dataset),
        batch_size=min(train_spec.batch_size, n_train),
        num_train=n_train,
        num_val=n_val,
        split_file=str(split_file),
        load_properties=[spk.properties.forces],
        transforms=[
            trn.CachedNeighborList(
                str(work / "neighbor_cache"),
                trn.MatScipyNeighborList(cutoff=model_spec.cutoff),
                keep_cache=True,
            ),
            trn.CastTo32(),
        ],
        property_units={spk.properties.forces: "kcal/mol/Ang"},
        distance_unit="Ang",
        num_workers=0,
        pin_memory=torch.cuda.is_available(),
    )
    model = build_model(model_spec).to(torch.float32)  # inputs are cast to float32
    if accelerate_painn(model):  # same weights; forces and weight gradients fused
        log.info("PaiNN trains with FastPaiNNPotential (hand-written double backward)")
    elif accelerate_schnet(model):
        log.info("SchNet trains with FastSchNetPotential (hand-written double backward)")
    task = spk.task.AtomisticTask(
        model=model,
        outputs=[
            spk.task.ModelOutput(
                name=spk.properties.forces,
                loss_fn=torch.nn.MSELoss(),
                loss_weight=1.0,
                metrics={"RMSE": _rmse_metric()},
            )
        ],
        optimizer_cls=torch.optim.AdamW,
        optimizer_args={"lr": train_spec.lr, "weight_decay": train_spec.weight_decay},
        scheduler_cls=torch.optim.lr_scheduler.ReduceLROnPlateau,  # spk 2.0.4 wrapper passes `verbose`, gone in torch 2.13
        scheduler_args={
            "factor": train_spec.lr_factor,
            "patience": train_spec.lr_patience,
            "cooldown": train_spec.lr_cooldown,
        },
        scheduler_monitor="val_loss",
    )
    best_model = work / "best_model"
    callbacks = [
        spk.train.ModelCheckpoint(
            model_path=str(best_model),
            dirpath=str(ckpt_dir),
            filename="best",
            monitor="val_loss",
            save_top_k=1,
            save_last=True,
        ),
        pl.callbacks.EarlyStopping(
            monitor="val_loss", patience=train_spec.early_stopping_patience
        ),
        spk.train.ExponentialMovingAverage(decay=train_spec.ema_decay),
        _EpochMetrics(metrics_tmp, train_spec.max_epochs),
    ]
    trainer = pl.Trainer(
        max_epochs=train_spec.max_epochs,
        accelerator="auto",
        devices=1,
        accumulate_grad_batches=train_spec.accumulate_grad_batches,
        callbacks=callbacks,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        inference_mode=False,  # forces need gradients in validation too
        default_root_dir=str(work),
        num_sanity_val_steps=0,
    )
    last = ckpt_dir / "last.ckpt"
    resume = str(last) if last.exists() else None
    if resume:
        log.info("resuming training from %s", resume)
    elif metrics_tmp.exists():
        metrics_tmp.unlink()
    start = time.perf_counter()
    # the checkpoint holds the pickled model (hyperparameters): it is this run's own file
    trainer.fit(task, datamodule=datamodule, ckpt_path=resume, weights_only=False)
    elapsed = time.perf_counter() - start
    if not best_model.exists():
        raise RuntimeError("training finished without a best model (no validation epoch?)")

    final = torch.load(best_model, weights_only=False, map_location="cpu")
    restore_so3net(final)  # the saved model loads with plain SchNetPack too
    restore_painn(final)
    restore_schnet(final)
    with atomic_output(model_out) as tmp:
        torch.save(final, tmp)
    write_json(
        str(model_out) + ".json", {"model": asdict(model_spec), "training": asdict(train_spec)}
    )
    with atomic_output(metrics_out) as tmp:
        shutil.copyfile(metrics_tmp, tmp)
    if split_out is not None:
        with atomic_output(split_out) as tmp:
            shutil.copyfile(split_file, tmp)
    epochs = trainer.current_epoch
    summary = {
        "epochs": epochs,
        "best_val_loss": float(trainer.checkpoint_callback.best_model_score),
        "best_val_force_rmse": math.sqrt(float(trainer.checkpoint_callback.best_model_score)),
        "train_frames": n_train,
        "val_frames": n_val,
        "frames_per_second": n_train * max(epochs, 1) / elapsed,
        "device": str(trainer.strategy.root_device),
    }
    log.info("training done: %s", summary)
    workdir.finish()
    return summary


def _rmse_metric():
    import torchmetrics

    return torchmetrics.MeanSquaredError(squared=False)
