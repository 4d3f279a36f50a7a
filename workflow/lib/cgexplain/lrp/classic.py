"""Classic many-body (cluster) decomposition of a potential, for comparison with GNN-LRP.

``E2(ij) = E({i, j}) - E({i}) - E({j})`` and
``E3(ijk) = E({i, j, k}) - E2(ij) - E2(ik) - E2(jk) - E({i}) - E({j}) - E({k})``, each
cluster evaluated by the model in isolation: no other beads and no periodic images
(the cluster is made whole with minimum-image vectors from its first bead). See
Bonneau et al. (2025), Nat. Commun., for the comparison with relevance.
"""

from __future__ import annotations

import ase
import numpy as np
import pandas as pd
import torch
from torch import nn

from cgexplain.analysis.geometry import mic_vectors
from cgexplain.lrp.model_io import atoms_to_inputs


def _cluster(atoms: ase.Atoms, beads: np.ndarray) -> ase.Atoms:
    """Isolated cluster of ``beads`` with minimum-image positions (Å) around the first."""
    pos = atoms.get_positions()
    vec = mic_vectors(pos[beads] - pos[beads[0]], atoms.cell.array, atoms.pbc)
    return ase.Atoms(numbers=atoms.numbers[beads], positions=pos[beads[0]] + vec)


def cluster_energies(
    model: nn.Module, atoms: ase.Atoms, clusters: np.ndarray, batch_size: int = 256
) -> np.ndarray:
    """Model energies (kcal/mol) of isolated clusters.

    Args:
        model: SchNetPack ``NeuralNetworkPotential``.
        atoms: the frame.
        clusters: (n_clusters, size) bead indices.
        batch_size: clusters per model call.

    Returns:
        (n_clusters,) energies.
    """
    from schnetpack import properties as prop

    energies = []
    for start in range(0, len(clusters), batch_size):
        batch = [_cluster(atoms, c) for c in clusters[start : start + batch_size]]
        inputs = atoms_to_inputs(model, batch)
        energies.append(model(inputs)[prop.energy].detach().double().cpu().numpy())
    return np.concatenate(energies) if energies else np.zeros(0)


def classic_nbody(
    model: nn.Module,
    atoms: ase.Atoms,
    pairs: np.ndarray,
    triplets: np.ndarray | None = None,
    batch_size: int = 256,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Classic 2-body and 3-body energies of the given pairs and triplets.

    Args:
        model: SchNetPack ``NeuralNetworkPotential``.
        atoms: the frame (Å).
        pairs: (n_pairs, 2) bead indices.
        triplets: (n_triplets, 3) bead indices, or None.
        batch_size: clusters per model call.

    Returns:
        ``(pair table [i, j, e2], triplet table [i, j, k, e3])``, kcal/mol.
    """
    pairs = np.sort(np.asarray(pairs, dtype=np.int64).reshape(-1, 2), axis=1)
    triplets = np.sort(
        np.asarray(triplets if triplets is not None else [], dtype=np.int64).reshape(-1, 3), axis=1
    )
    with torch.enable_grad():
        e1 = cluster_energies(model, atoms, np.arange(len(atoms))[:, None], batch_size)
        sub_pairs = np.concatenate(
            [pairs, triplets[:, [0, 1]], triplets[:, [0, 2]], triplets[:, [1, 2]]]
        )
        uniq, inverse = np.unique(sub_pairs, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        e_pair = cluster_energies(model, atoms, uniq, batch_size)
        e2_all = e_pair - e1[uniq[:, 0]] - e1[uniq[:, 1]]
        e3_cluster = cluster_energies(model, atoms, triplets, batch_size)
    n_p, n_t = len(pairs), len(triplets)
    e2 = e2_all[inverse[:n_p]]
    e2_ij, e2_ik, e2_jk = (e2_all[inverse[n_p + s * n_t : n_p + (s + 1) * n_t]] for s in range(3))
    e3 = e3_cluster - e2_ij - e2_ik - e2_jk - e1[triplets].sum(axis=1)
    pair_table = pd.DataFrame({"i": pairs[:, 0], "j": pairs[:, 1], "e2": e2})
    triplet_table = pd.DataFrame(
        {"i": triplets[:, 0], "j": triplets[:, 1], "k": triplets[:, 2], "e3": e3}
    )
    return pair_table, triplet_table
