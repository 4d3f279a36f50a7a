"""Exact-set aggregation: 2-body and 3-body GNN-LRP contributions of a frame.

The n-body contribution of a bead set S is the sum of the relevances of all walks whose
set of visited beads is exactly S (Schnake et al. 2022, IEEE TPAMI, "relevant walks";
Bonneau et al. 2025, Nat. Commun., "Learning the relevance of many-body functions in
neural network potentials"). This module runs the modified pass of a frame (graph and
energies from :mod:`cgexplain.lrp.model_io`), the fast engine
(:mod:`cgexplain.lrp.engine`, :mod:`cgexplain.lrp.exact_sets`) and tabulates the sums.
"""

from __future__ import annotations

from dataclasses import dataclass

import ase
import numpy as np
import pandas as pd
import torch
from torch import nn

from cgexplain.analysis.geometry import largest_angle, mic_distances
from cgexplain.columns import MAX_ANGLE
from cgexplain.lrp.adapters import check_model, make_adapter
from cgexplain.lrp.engine import (
    DEFAULT_CHUNK,
    BeadPairs,
    count_walks,
    enumerate_walks,
    walk_relevance,
)
from cgexplain.lrp.exact_sets import MAX_BLOCKS, centre_sums, exact_set_sums_from_centres
from cgexplain.lrp.model_io import (
    atoms_to_inputs,
    check_frame,
    frozen_parameters,
    inputs_to_graph,
    postprocessed_energy,
)
from cgexplain.lrp.rules import LRP0, PUBLISHED_RULE, Rule, check_rule


@dataclass
class NBodyRelevance:
    """GNN-LRP n-body relevances of one frame (energies in kcal/mol, lengths in Å).

    Attributes:
        pairs: one row per bead pair with at least one walk: columns ``i``, ``j``
            (``i < j``), ``relevance`` (sum of R(w) over walks visiting exactly {i, j}),
            ``n_walks``, ``distance`` (minimum-image distance, Å).
        triplets: one row per connected bead triple (open chains included): ``i < j < k``,
            ``relevance``, ``n_walks``, ``d_ij``, ``d_ik``, ``d_jk`` (minimum-image, Å),
            ``max_angle`` (largest interior angle of the triangle, degrees).
        singles: ``i``, ``relevance``, ``n_walks`` of the walks that never leave bead i.
        total: sum of R(w) over *all* walks (unmasked gradient x input), kcal/mol.
        energy: the SchNetPack model's energy, kcal/mol.
        modified_energy: value of the LRP-modified forward (sum of modified readouts).
        rule: the LRP rule (:mod:`cgexplain.lrp.rules`), with its parameters.
        n_walks_total: number of all walks of the frame (any number of distinct beads).
    """

    pairs: pd.DataFrame
    triplets: pd.DataFrame
    singles: pd.DataFrame
    total: float
    energy: float
    modified_energy: float
    rule: Rule
    n_walks_total: int = 0

    @property
    def mean_walk_relevance(self) -> float:
        """``total / n_walks_total``: the published per-frame normaliser is its magnitude."""
        return self.total / self.n_walks_total if self.n_walks_total else float("nan")

    @property
    def explained(self) -> float:
        """Sum of the 1-, 2- and 3-body contributions (walks with <= 3 distinct beads)."""
        return float(
            self.singles.relevance.sum()
            + self.pairs.relevance.sum()
            + self.triplets.relevance.sum()
        )


def exact_set_sums(
    walks: np.ndarray, relevance: np.ndarray, n_beads: int
) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Group walks by their exact set of visited beads.

    Args:
        walks: (n_walks, T + 1) bead indices, each walk with <= 3 distinct beads.
        relevance: (n_walks,) walk relevances.
        n_beads: number of beads.

    Returns:
        ``{order: (beads (n_sets, order) sorted ascending, relevance sums (n_sets,),
        walk counts (n_sets,))}`` for orders 1, 2, 3.
    """
    srt = np.sort(walks, axis=1)
    new = np.concatenate([np.ones((srt.shape[0], 1), bool), np.diff(srt, axis=1) != 0], axis=1)
    order = new.sum(axis=1)
    slots = np.cumsum(new, axis=1) - 1
    members = np.full((srt.shape[0], 3), -1, dtype=np.int64)
    rows = np.broadcast_to(np.arange(srt.shape[0])[:, None], srt.shape)
    members[rows[new], slots[new]] = srt[new]
    out = {}
    for n_body in (1, 2, 3):
        sel = order == n_body
        key = np.zeros(int(sel.sum()), dtype=np.int64)
        for col in range(n_body):
            key = key * n_beads + members[sel, col]
        uniq, inverse = np.unique(key, return_inverse=True)
        sums = np.bincount(inverse, weights=relevance[sel], minlength=uniq.size)
        counts = np.bincount(inverse, minlength=uniq.size)
        beads = np.zeros((uniq.size, n_body), dtype=np.int64)
        rest = uniq.copy()
        for col in range(n_body - 1, -1, -1):
            beads[:, col] = rest % n_beads
            rest //= n_beads
        out[n_body] = (beads, sums, counts)
    return out


@dataclass
class WalkRelevance:
    """Relevance of every walk with at most ``max_distinct`` distinct beads.

    Attributes:
        walks: (n_walks, T + 1) bead indices.
        relevance: (n_walks,) float64 R(w), kcal/mol.
        total: sum of R(w) over all walks (unmasked gradient x input), kcal/mol.
        energy: SchNetPack model energy; modified_energy: modified-forward value.
        n_walks_total: number of all walks (any number of distinct beads).
    """

    walks: np.ndarray
    relevance: np.ndarray
    total: float
    energy: float
    modified_energy: float
    n_walks_total: int = 0


@dataclass
class ModifiedPass:
    """The modified forward and backward pass of one frame, shared by both engines.

    Attributes:
        adapter: the adapter bound to the frame's graph; pairs: its walk graph.
        fwd: detached values of the modified forward pass.
        readout_grad: (n_beads, F) gradient of the modified energy w.r.t. ``h_T``.
        total: unmasked gradient x input (sum of R over all walks), kcal/mol.
        energy: SchNetPack model energy; modified_energy: modified-forward value.
    """

    adapter: object
    pairs: BeadPairs
    fwd: object
    readout_grad: torch.Tensor
    total: float
    energy: float
    modified_energy: float


def modified_pass(model: nn.Module, atoms: ase.Atoms, rule: Rule) -> ModifiedPass:
    """Run the modified forward and backward pass of ``model`` on one frame."""
    check_rule(rule)
    check_model(model)
    check_frame(atoms)
    inputs = atoms_to_inputs(model, atoms)
    graph = inputs_to_graph(inputs)
    with frozen_parameters(model):
        # LRP-0 keeps every forward value: the adapter's plain energy is the model's
        # (tested against SchNetPack's own forward, model_energy)
        with torch.no_grad():
            plain = make_adapter(model, graph, LRP0()).forward().bead_energies.sum()
        energy = postprocessed_energy(model, inputs, plain)
        adapter = make_adapter(model, graph, rule)
        x0 = adapter.embedding().detach().requires_grad_(True)
        fwd = adapter.forward(x0=x0)
        modified = fwd.bead_energies.sum()
        grad_x0, grad_h = torch.autograd.grad(modified, (x0, fwd.features[-1]))
        total = float((x0 * grad_x0).sum().detach())
        fwd.features = [h.detach() for h in fwd.features]
        fwd.messages = [m.detach() for m in fwd.messages]
    return ModifiedPass(
        adapter=adapter,
        pairs=BeadPairs.from_graph(graph),
        fwd=fwd,
        readout_grad=grad_h.detach(),
        total=total,
        energy=energy,
        modified_energy=float(modified.detach()),
    )


def _listed_walks(
    run: ModifiedPass, max_distinct: int, chunk_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every walk with at most ``max_distinct`` beads and its relevance (walk engine)."""
    walks = enumerate_walks(run.pairs, run.adapter.n_blocks, max_distinct=max_distinct)
    relevance = walk_relevance(
        run.adapter, run.fwd, run.pairs, walks, run.readout_grad, chunk_size
    )
    return walks, relevance.cpu().numpy()


def explain_walks(
    model: nn.Module,
    atoms: ase.Atoms,
    rule: Rule = PUBLISHED_RULE,
    max_distinct: int = 3,
    chunk_size: int = DEFAULT_CHUNK,
) -> WalkRelevance:
    """Exact relevance of every walk visiting at most ``max_distinct`` beads.

    See :func:`nbody_relevance` for the arguments; ``max_distinct`` may exceed 3 (all
    walks of a small frame), at a cost growing with the number of walks.
    """
    run = modified_pass(model, atoms, rule)
    with frozen_parameters(model):
        walks, relevance = _listed_walks(run, max_distinct, chunk_size)
    return WalkRelevance(
        walks=walks,
        relevance=relevance,
        total=run.total,
        energy=run.energy,
        modified_energy=run.modified_energy,
        n_walks_total=count_walks(run.pairs, run.adapter.n_blocks),
    )


def nbody_relevance(
    model: nn.Module,
    atoms: ase.Atoms,
    rule: Rule = PUBLISHED_RULE,
    max_order: int = 3,
    chunk_size: int = DEFAULT_CHUNK,
) -> NBodyRelevance:
    """Exact GNN-LRP 2-body and 3-body relevances of one frame.

    Args:
        model: a loaded SchNetPack ``NeuralNetworkPotential`` (PaiNN, SO3net or SchNet
            representation, summed ``Atomwise`` energy). Runs on the model's device and in
            its dtype; the model is not modified.
        atoms: the frame; cell and pbc are honoured, the neighbour list is built at the
            model's cutoff (periodic images included). Positions in Å.
        rule: the LRP rule, ``Gamma(gamma=0.1)`` (published default) or ``LRP0()``
            (:mod:`cgexplain.lrp.rules`; :func:`~cgexplain.lrp.rules.parse_rule` builds
            one from a name).
        max_order: 2 or 3: largest number of distinct beads of the listed walks.
        chunk_size: items per batched kernel call (bounds peak memory).

    Returns:
        :class:`NBodyRelevance`; ``triplets`` is empty when ``max_order < 3``.
    """
    if max_order not in (1, 2, 3):
        raise ValueError(f"max_order must be 1, 2 or 3, got {max_order!r}")
    run = modified_pass(model, atoms, rule)
    n_blocks = run.adapter.n_blocks
    with frozen_parameters(model):
        if n_blocks <= MAX_BLOCKS:  # sums without listing walks (exact_sets)
            centres, nb = centre_sums(
                run.adapter, run.fwd, run.pairs, run.readout_grad, chunk_size
            )
            sets = exact_set_sums_from_centres(centres, nb, run.pairs)
        else:
            walks, relevance = _listed_walks(run, max_order, chunk_size)
            sets = exact_set_sums(walks, relevance, len(atoms))
    for order in range(max_order + 1, 4):
        beads, sums, counts = sets[order]
        sets[order] = (beads[:0], sums[:0], counts[:0])
    return NBodyRelevance(
        pairs=_pair_table(atoms, *sets[2]),
        triplets=_triplet_table(atoms, *sets[3]),
        singles=pd.DataFrame(
            {"i": sets[1][0][:, 0], "relevance": sets[1][1], "n_walks": sets[1][2]}
        ),
        total=run.total,
        energy=run.energy,
        modified_energy=run.modified_energy,
        rule=rule,
        n_walks_total=count_walks(run.pairs, n_blocks),
    )


def _pair_table(
    atoms: ase.Atoms, beads: np.ndarray, sums: np.ndarray, counts: np.ndarray
) -> pd.DataFrame:
    i, j = beads[:, 0], beads[:, 1]
    positions, cell, pbc = atoms.get_positions(), atoms.cell.array, atoms.pbc
    return pd.DataFrame(
        {
            "i": i,
            "j": j,
            "relevance": sums,
            "n_walks": counts,
            "distance": mic_distances(positions, cell, pbc, i, j),
        }
    )


def _triplet_table(
    atoms: ase.Atoms, beads: np.ndarray, sums: np.ndarray, counts: np.ndarray
) -> pd.DataFrame:
    i, j, k = beads[:, 0], beads[:, 1], beads[:, 2]
    positions, cell, pbc = atoms.get_positions(), atoms.cell.array, atoms.pbc
    d_ij = mic_distances(positions, cell, pbc, i, j)
    d_ik = mic_distances(positions, cell, pbc, i, k)
    d_jk = mic_distances(positions, cell, pbc, j, k)
    return pd.DataFrame(
        {
            "i": i,
            "j": j,
            "k": k,
            "relevance": sums,
            "n_walks": counts,
            "d_ij": d_ij,
            "d_ik": d_ik,
            "d_jk": d_jk,
            MAX_ANGLE: largest_angle(d_ij, d_ik, d_jk),
        }
    )
