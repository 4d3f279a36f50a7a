"""Small random SchNetPack models and frames, and the naive per-walk GNN-LRP reference.

The naive reference is the yardstick of the fast engine: one masked forward/backward
pass per walk, exactly as the definition reads (batched as disjoint copies of the graph).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import ase
import numpy as np
import torch

# isort: off
import cgexplain  # noqa: F401  (installs the torch shim SchNetPack needs: import it first)
import schnetpack as spk

# isort: on
from cgexplain.lrp.adapters import make_adapter
from cgexplain.lrp.model_io import atoms_to_inputs, frozen_parameters, inputs_to_graph
from cgexplain.lrp.rules import Rule
from cgexplain.potentials.architectures import ARCHITECTURES, build_representation

SHARED_DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
METHANE = SHARED_DATA / "so3net_methane"

ARCHS = tuple(ARCHITECTURES)


def build_model(
    arch: str,
    n_interactions: int,
    n_features: int = 6,
    cutoff: float = 3.0,
    seed: int = 0,
    activation=None,
    bias_scale: float = 0.3,
) -> torch.nn.Module:
    """A float64 NeuralNetworkPotential with random weights and random biases."""
    torch.manual_seed(seed)
    rbf = spk.nn.GaussianRBF(n_rbf=5, cutoff=cutoff)
    fcut = spk.nn.CosineCutoff(cutoff)
    kwargs = {} if activation is None else {"activation": activation}
    # options an architecture does not take are ignored (SO3net: no activation)
    rep = build_representation(
        arch, n_features, n_interactions, rbf, fcut, lmax=2, n_filters=n_features, **kwargs
    )
    readout = spk.atomistic.Atomwise(n_in=n_features, output_key="energy", **kwargs)
    model = spk.model.NeuralNetworkPotential(
        representation=rep,
        input_modules=[spk.atomistic.PairwiseDistances()],
        output_modules=[readout],
    )
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.Linear) and module.bias is not None:
                module.bias.normal_(0.0, bias_scale) if bias_scale else module.bias.zero_()
    return model.double().eval()


def random_frame(
    n_beads: int = 6, box: float = 5.0, pbc: bool = False, seed: int = 0, min_dist: float = 1.0
) -> ase.Atoms:
    """Random beads of 3 types in a cubic box (Å), at least ``min_dist`` apart."""
    rng = np.random.default_rng(seed)
    positions: list[np.ndarray] = []
    while len(positions) < n_beads:
        p = rng.uniform(0, box, 3)
        atoms = ase.Atoms(positions=[*positions, p], cell=[box] * 3, pbc=pbc)
        if (
            len(positions) == 0
            or atoms.get_distances(len(positions), range(len(positions)), mic=pbc).min() > min_dist
        ):
            positions.append(p)
    numbers = rng.integers(1, 4, n_beads)
    return ase.Atoms(numbers=numbers, positions=np.array(positions), cell=[box] * 3, pbc=pbc)


def walk_graph_adjacency(model, atoms) -> np.ndarray:
    """(n, n) bool: bead j may step to bead i (an edge i <- j within the cutoff, or i == j)."""
    graph = inputs_to_graph(atoms_to_inputs(model, atoms))
    adj = np.eye(graph.n_beads, dtype=bool)
    adj[graph.idx_i.numpy(), graph.idx_j.numpy()] = True
    return adj


def all_walks(adj: np.ndarray, n_steps: int, max_distinct: int | None = None) -> np.ndarray:
    """Every walk of ``n_steps`` steps on ``adj``, plainly by brute force."""
    n = adj.shape[0]
    walks = []
    for walk in itertools.product(range(n), repeat=n_steps + 1):
        if all(adj[walk[t + 1], walk[t]] for t in range(n_steps)):
            if max_distinct is None or len(set(walk)) <= max_distinct:
                walks.append(walk)
    return np.array(walks, dtype=np.int64)


def naive_walk_relevance(
    model, atoms, walks: np.ndarray, rule: Rule, batch: int = 96
) -> np.ndarray:
    """R(w) for each walk by one masked pass per walk (the definition, batched as copies).

    For walk w: run the modified forward, keep the gradient only through bead w_0 at the
    embedding and bead w_t after block t, backpropagate the energy, and sum
    embedding x gradient over the features of bead w_0.
    """
    graph = inputs_to_graph(atoms_to_inputs(model, atoms))
    n = graph.n_beads
    n_layers = walks.shape[1]
    relevances = []
    with frozen_parameters(model):
        for start in range(0, len(walks), batch):
            chunk = walks[start : start + batch]
            adapter = make_adapter(model, graph.replicate(len(chunk)), rule)
            x0 = adapter.embedding().detach().requires_grad_(True)
            masks = torch.zeros(n_layers, len(chunk) * n, dtype=torch.bool)
            for copy, walk in enumerate(chunk):
                for t, bead in enumerate(walk):
                    masks[t, copy * n + bead] = True
            energy = adapter.forward(masks=masks, x0=x0).bead_energies.sum()
            (grad,) = torch.autograd.grad(energy, x0)
            per_bead = (x0 * grad).sum(dim=1).detach()
            for copy, walk in enumerate(chunk):
                relevances.append(float(per_bead[copy * n + walk[0]]))
    return np.array(relevances)


def sum_by_exact_set(
    walks: np.ndarray, relevance: np.ndarray
) -> dict[tuple[int, ...], tuple[float, int]]:
    """{sorted bead tuple: (sum of relevance, number of walks)}."""
    out: dict[tuple[int, ...], list] = {}
    for walk, rel in zip(walks, relevance, strict=True):
        key = tuple(sorted(set(int(b) for b in walk)))
        entry = out.setdefault(key, [0.0, 0])
        entry[0] += rel
        entry[1] += 1
    return {key: (value[0], value[1]) for key, value in out.items()}


def load_methane():
    """(model, atoms) of the published CG methane SO3net frame."""
    model = torch.load(METHANE / "best_model", weights_only=False, map_location="cpu")
    frame = np.load(METHANE / "frame.npz")
    atoms = ase.Atoms(
        numbers=frame["atomic_numbers"],
        positions=frame["positions"],
        cell=frame["cell"],
        pbc=frame["pbc"],
    )
    return model, atoms
