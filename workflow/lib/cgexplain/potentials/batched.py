"""A trained SchNetPack model (plus an optional prior) as a batched force function.

:class:`BatchedPotential` evaluates R replicas of the same N beads in one SchNetPack batch
(or in calls of about ``batch_edges`` pairs on CPU), with a Verlet list per group of
replicas (:class:`cgexplain.potentials.neighbors.VerletList`); PaiNN models run through
:class:`cgexplain.potentials.fast_painn.FastPaiNN` and SchNet models through
:class:`cgexplain.potentials.fast_schnet.FastSchNet`. Positions Å, energies kcal/mol,
forces kcal/mol/Å. Used by the CG Langevin runs (:mod:`cgexplain.md.cg_simulation`) and
the training diagnostics (:mod:`cgexplain.cg.diagnostics`).
"""

from __future__ import annotations

import logging

import numpy as np
import torch

from cgexplain.potentials import fast_painn, fast_schnet
from cgexplain.potentials.neighbors import VerletList

__all__ = ["BatchedPotential"]

log = logging.getLogger(__name__)


class BatchedPotential:
    """A SchNetPack model (plus an optional prior) as a batched force function.

    With a prior (delta learning, as for the NTL9 Cα model) the energy is prior +
    network: the network was trained on the forces minus the prior forces.

    Args:
        model: ``NeuralNetworkPotential`` with ``energy`` and ``forces`` outputs
            (kcal/mol, kcal/mol/Å).
        atomic_numbers: (N,) bead types.
        box: (3, 3) periodic cell, Å; all zero for an isolated molecule.
        cutoff: the model's neighbour cutoff, Å.
        device: torch device of the model.
        prior: optional module with ``energy_and_forces(positions (R, N, 3) Å)`` ->
            ``(R,)`` kcal/mol, ``(R, N, 3)`` kcal/mol/Å (e.g.
            :class:`cgexplain.cg.priors.ChainPrior`).
        skin: Verlet skin, Å (:class:`cgexplain.potentials.neighbors.VerletList`): the pair list
            is rebuilt only when a bead moved more than half of it; 0 rebuilds it at
            every step.
        batch_edges: on CPU, replicas are evaluated in model calls of about this many
            pairs (one replica at least); ``None`` (and any GPU) evaluates all replicas
            in one call. Measured on 2 cores (PaiNN 64x3, 258 beads, ~6,200 pairs per
            replica, stock SchNetPack): 14.0, 15.2, 15.3, 8.1 and 2.8 replica-evaluations
            per second in calls of 1, 2, 4, 8 and 32 replicas; large calls allocate
            tensors of hundreds of MB, which the allocator cannot keep.
        fast: evaluate PaiNN potentials with :class:`cgexplain.potentials.fast_painn.FastPaiNN`
            and SchNet potentials with :class:`cgexplain.potentials.fast_schnet.FastSchNet`
            (same parameters, same results; other architectures run as they are).
        half_pairs: with ``fast``, the Verlet list hands each undirected pair once
            (``i < j``) and the fast potential sends its messages both ways
            (:class:`cgexplain.potentials.fast_painn.HalfEdgeMessage`): distances, radial
            basis, cutoff and filter once per pair. Same results up to float rounding.
    """

    def __init__(
        self,
        model,
        atomic_numbers: np.ndarray,
        box: np.ndarray,
        cutoff: float,
        device: str = "cpu",
        prior=None,
        skin: float = 1.0,
        batch_edges: int | None = 25_000,
        fast: bool = True,
        half_pairs: bool = True,
    ):
        import cgexplain  # noqa: F401 - SchNetPack import shim

        self.model = model.to(device).eval()
        self.numbers = np.asarray(atomic_numbers)
        self.box = np.asarray(box, dtype=float)
        # an all-zero cell is an isolated molecule (the convention of cgexplain.io.is_periodic)
        self.periodic = bool(np.any(self.box != 0))
        self.prior = prior.to(device) if prior is not None else None
        self.dtype = next(model.parameters()).dtype
        self.device = device
        self.cutoff = cutoff
        self.skin = skin
        self.batch_edges = batch_edges if str(device).startswith("cpu") else None
        self.groups: list[tuple[slice, VerletList]] = []
        self._grouped_for = 0
        self.fast = None
        if fast and fast_painn.supports(self.model):
            self.fast = fast_painn.FastPaiNN(self.model)
        elif fast and fast_schnet.supports(self.model):
            self.fast = fast_schnet.FastSchNet(self.model)
        self.half_pairs = half_pairs and self.fast is not None
        self.calls = 0

    @property
    def neighbor_list_builds(self) -> int:
        """Verlet list builds so far, counted per replica."""
        return sum(verlet.builds for _, verlet in self.groups)

    def _group(self, positions: torch.Tensor) -> None:
        """Split the replicas into model calls of about ``batch_edges`` pairs each."""
        replicas = positions.shape[0]
        box = self.box if self.periodic else None
        size = replicas
        if self.batch_edges is not None:
            edges = len(VerletList(self.cutoff, 0.0, box)(positions[:1]).idx_i)
            size = max(1, min(replicas, self.batch_edges // max(edges, 1)))
            log.info("%d pairs per replica: %d replica(s) per model call", edges, size)
        self.groups = [
            (slice(start, start + size), VerletList(self.cutoff, self.skin, box))
            for start in range(0, replicas, size)
        ]
        self._grouped_for = replicas

    def inputs(
        self, positions: torch.Tensor, neighbors: VerletList, half: bool = False
    ) -> dict[str, torch.Tensor]:
        """SchNetPack's input dictionary of a batch, positions (R, N, 3) Å (``half``:
        with a half pair list, for the fast PaiNN only)."""
        import schnetpack.properties as props

        replicas, n = positions.shape[:2]
        pairs = neighbors(positions, half=half)
        kw = {"dtype": self.dtype, "device": self.device}
        numbers = torch.as_tensor(self.numbers, dtype=torch.long, device=self.device)
        return {
            props.Z: numbers.repeat(replicas),
            props.R: positions.reshape(replicas * n, 3).to(**kw),
            props.idx_i: pairs.idx_i.to(self.device),
            props.idx_j: pairs.idx_j.to(self.device),
            props.offsets: pairs.offsets.to(**kw),
            props.idx_m: torch.arange(replicas, device=self.device).repeat_interleave(n),
            props.n_atoms: torch.full((replicas,), n, dtype=torch.long, device=self.device),
            props.cell: torch.as_tensor(self.box, **kw).expand(replicas, 3, 3).clone(),
            props.pbc: torch.full((replicas, 3), self.periodic, device=self.device),
        }

    def __call__(self, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """positions (R, N, 3) Å -> energies (R,) kcal/mol, forces (R, N, 3) kcal/mol/Å."""
        import schnetpack.properties as props

        replicas, n = positions.shape[:2]
        positions = positions.detach()
        if self._grouped_for != replicas:
            self._group(positions)
        energies, forces = [], []
        for part, neighbors in self.groups:
            x = positions[part]
            inputs = self.inputs(x, neighbors, half=self.half_pairs)
            if self.fast is not None:
                out = self.fast(inputs, given_half=self.half_pairs)
            else:
                out = self.model(inputs)
            energies.append(out[props.energy].detach().reshape(len(x)).to(positions))
            forces.append(out[props.forces].detach().reshape(len(x), n, 3).to(positions))
        self.calls += 1
        energy, forces = torch.cat(energies), torch.cat(forces)
        if self.prior is not None:
            prior_energy, prior_forces = self.prior.energy_and_forces(positions)
            energy = energy + prior_energy.to(positions)
            forces = forces + prior_forces.to(positions)
        return energy, forces
