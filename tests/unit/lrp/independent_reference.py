"""An independent per-walk GNN-LRP reference: SchNetPack's own modules, one pass per walk.

This module shares no code with ``cgexplain.lrp`` (no adapter, no rule, no engine, no
graph builder). It is written from the definitions:

- **Walk relevance** (Schnake et al. 2022, IEEE TPAMI 44, 7581, Eq. 6 read as masked
  gradient x input): for a walk ``w = (w_0, ..., w_T)`` run the LRP-modified forward,
  after block t let the gradient pass only through the features of bead ``w_t``
  (detach every other bead), and take ``x0[w_0] . dE/dx0[w_0]``.
- **Rules** (Montavon et al. 2019, LNCS 11700, Sec. 10.2; the generalised gamma rule of
  Bonneau et al. 2025, Nat. Commun., Methods): every SchNetPack ``Dense`` layer with a
  non-identity activation is replaced by ``numerator * stopgrad(y / denominator)``:

  * LRP-0: numerator = denominator = ``z = sum_j a_j w_kj + b_k``.
  * gamma: with contributions ``c_kj = a_j w_kj``, for an output ``y_k > 0``
    numerator ``sum_j (c_kj + gamma max(c_kj, 0)) + b_k + gamma max(b_k, 0)`` and
    denominator ``max(sum_j (c_kj + gamma max(c_kj, 0)), b_k + gamma max(b_k, 0))``;
    for ``y_k < 0`` the same with ``min``; units with ``|y_k| <= 1e-6`` output 0.

  Layers without activation (and plain ``nn.Linear``) are used as they are.
- **Constants** of the published method (Bonneau et al. 2025, Methods and Supplementary
  Section S6): the PaiNN vector features ``mu`` entering the interaction, between the
  interaction and the mixing, and after the mixing; the SO3net ``l > 0`` features
  entering a block. Geometry (filters, cutoffs, directions, spherical harmonics) does not
  depend on the embedding and needs no detaching.

The blocks are SchNetPack's unmodified submodules (``PaiNN.interactions[t]``,
``PaiNN.mixing[t]``, ``SO3net.so3convs[t]`` ... , ``SchNet.interactions[t]``); the
walks of a batch run as disjoint copies of the frame, batched by SchNetPack's own
``AtomsConverter``. Slow on purpose: it is the yardstick, not a tool.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator

import ase
import numpy as np
import torch
from torch import nn

# isort: off
import cgexplain._compat  # noqa: F401  (torch shim only: SchNetPack 2.0.4 needs T_co)

cgexplain._compat.install_torch_shims()
import schnetpack as spk  # noqa: E402
from schnetpack import properties as P  # noqa: E402
from schnetpack.nn import so3  # noqa: E402

# isort: on

SILENT = 1e-6


def _gamma_dense(layer: nn.Module, a: torch.Tensor, gamma: float) -> torch.Tensor:
    """Gamma-rule replacement of ``layer`` (contribution tensor written out)."""
    w = layer.weight
    b = layer.bias if layer.bias is not None else torch.zeros(w.shape[0], dtype=w.dtype)
    c = a.unsqueeze(-2) * w  # (..., out, in) contributions a_j w_kj
    y = layer.activation(c.sum(-1) + b).detach()
    s_up = (c + gamma * torch.relu(c)).sum(-1)
    s_down = (c - gamma * torch.relu(-c)).sum(-1)
    b_up = b + gamma * torch.relu(b)
    b_down = b - gamma * torch.relu(-b)
    out = torch.zeros_like(y)
    pos, neg = y > SILENT, y < -SILENT
    num = torch.where(pos, s_up + b_up, torch.where(neg, s_down + b_down, out))
    den = torch.where(
        pos,
        torch.maximum(s_up, b_up.expand_as(s_up)),
        torch.where(neg, torch.minimum(s_down, b_down.expand_as(s_down)), torch.ones_like(y)),
    ).detach()
    ratio = y / den
    ratio = torch.where(torch.isfinite(ratio) & (pos | neg), ratio, out)
    return num * ratio


def _lrp0_dense(layer: nn.Module, a: torch.Tensor) -> torch.Tensor:
    c = a.unsqueeze(-2) * layer.weight
    z = c.sum(-1) + (0.0 if layer.bias is None else layer.bias)
    ratio = (layer.activation(z) / z).detach()
    return z * torch.where(torch.isfinite(ratio), ratio, torch.zeros_like(ratio))


@contextlib.contextmanager
def rule_forward(model: nn.Module, rule: str, gamma: float) -> Iterator[None]:
    """Give every activated SchNetPack ``Dense`` of ``model`` the rule's forward."""
    patched = []
    for module in model.modules():
        act = getattr(module, "activation", None)
        if (
            isinstance(module, spk.nn.Dense)
            and act is not None
            and not isinstance(act, nn.Identity)
        ):
            if rule == "gamma":
                module.forward = lambda a, m=module: _gamma_dense(m, a, gamma)
            elif rule == "lrp0":
                module.forward = lambda a, m=module: _lrp0_dense(m, a)
            else:
                raise ValueError(rule)
            patched.append(module)
    try:
        yield
    finally:
        for module in patched:
            del module.forward


def batch_inputs(model: nn.Module, atoms: ase.Atoms, n_copies: int) -> dict[str, torch.Tensor]:
    """SchNetPack inputs of ``n_copies`` copies of ``atoms`` with ``Rij`` computed."""
    converter = spk.interfaces.AtomsConverter(
        neighbor_list=spk.transform.MatScipyNeighborList(
            cutoff=float(model.representation.cutoff)
        ),
        dtype=torch.float64,
    )
    inputs = converter([atoms] * n_copies)
    for module in model.input_modules:
        inputs = module(inputs)
    return inputs


def adjacency(model: nn.Module, atoms: ase.Atoms) -> np.ndarray:
    """(n, n) bool: a walk may step from bead j to bead i (edge i <- j or i == j)."""
    inputs = batch_inputs(model, atoms, 1)
    adj = np.eye(len(atoms), dtype=bool)
    adj[inputs[P.idx_i].numpy(), inputs[P.idx_j].numpy()] = True
    return adj


def brute_force_walks(adj: np.ndarray, n_steps: int, max_distinct: int) -> list[tuple]:
    """Every walk of ``n_steps`` steps on ``adj`` with at most ``max_distinct`` beads."""
    n = adj.shape[0]
    return [
        w
        for w in itertools.product(range(n), repeat=n_steps + 1)
        if len(set(w)) <= max_distinct and all(adj[w[t + 1], w[t]] for t in range(n_steps))
    ]


def _keep(h: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    if mask is None:
        return h
    shape = (-1,) + (1,) * (h.dim() - 1)
    return torch.where(mask.reshape(shape), h, h.detach())


def _painn(rep, inputs, x0, masks):
    r_ij = inputs[P.Rij]
    d_ij = torch.norm(r_ij, dim=1, keepdim=True)
    filters = rep.filter_net(rep.radial_basis(d_ij)) * rep.cutoff_fn(d_ij)[..., None]
    n_f = rep.n_atom_basis
    blocks = [filters] * rep.n_interactions if rep.share_filters else filters.split(3 * n_f, -1)
    q = x0[:, None]
    mu = torch.zeros(q.shape[0], 3, n_f, dtype=q.dtype)
    for t in range(rep.n_interactions):
        q, mu = rep.interactions[t](
            q, mu, blocks[t], r_ij / d_ij, inputs[P.idx_i], inputs[P.idx_j], q.shape[0]
        )
        q, mu = rep.mixing[t](q, mu.detach())  # mu constant between interaction and mixing
        mu = mu.detach()  # ... and after the mixing (entering the next interaction)
        q = _keep(q, None if masks is None else masks[t + 1])
    return q[:, 0]


def _so3net(rep, inputs, x0, masks):
    r_ij = inputs[P.Rij]
    d_ij = torch.norm(r_ij, dim=1, keepdim=True)
    y_ij = rep.sphharm(r_ij / d_ij)
    radial = rep.radial_basis(d_ij)
    cut = rep.cutoff_fn(d_ij)[..., None]
    x = so3.scalar2rsh(x0[:, None], int(rep.lmax))
    for t in range(rep.n_interactions):
        x = torch.cat([x[:, :1], x[:, 1:].detach()], dim=1)  # l > 0 entering: constants
        dx = rep.so3convs[t](x, radial, y_ij, cut, inputs[P.idx_i], inputs[P.idx_j])
        dx = dx + rep.so3product(dx, rep.mixings1[t](dx))
        dx = rep.mixings3[t](rep.gatings[t](rep.mixings2[t](dx)))
        x = _keep(x + dx, None if masks is None else masks[t + 1])
    return x[:, 0]


def _schnet(rep, inputs, x0, masks):
    d_ij = torch.norm(inputs[P.Rij], dim=1)
    f_ij = rep.radial_basis(d_ij)
    rcut = rep.cutoff_fn(d_ij)
    x = x0
    for t in range(len(rep.interactions)):
        x = x + rep.interactions[t](x, f_ij, inputs[P.idx_i], inputs[P.idx_j], rcut)
        x = _keep(x, None if masks is None else masks[t + 1])
    return x


BLOCKS = {"PaiNN": _painn, "SO3net": _so3net, "SchNet": _schnet}


def _energy_readout(model: nn.Module) -> nn.Module:
    (out,) = [m for m in model.output_modules if getattr(m, "output_key", None) == "energy"]
    return out.outnet


def masked_energy(model, inputs, masks) -> tuple[torch.Tensor, torch.Tensor]:
    """(modified energy summed over all copies, the embedding leaf it depends on)."""
    rep = model.representation
    x0 = rep.embedding(inputs[P.Z]).detach().requires_grad_(True)
    h = BLOCKS[type(rep).__name__](rep, inputs, x0, masks)
    return _energy_readout(model)(h).sum(), x0


def reference_walk_relevance(
    model: nn.Module,
    atoms: ase.Atoms,
    walks: list[tuple],
    rule: str,
    gamma: float = 0.1,
    batch: int = 256,
) -> np.ndarray:
    """R(w) of each walk, one masked pass per walk (walks batched as disjoint copies)."""
    n = len(atoms)
    batch = min(batch, len(walks))
    inputs = batch_inputs(model, atoms, batch)  # one neighbour list, reused by every batch
    out = []
    with rule_forward(model, rule, gamma):
        for start in range(0, len(walks), batch):
            chunk = walks[start : start + batch]
            padded = chunk + [chunk[-1]] * (batch - len(chunk))  # extra copies are dropped
            masks = torch.zeros(len(chunk[0]), batch * n, dtype=torch.bool)
            for copy, walk in enumerate(padded):
                for t, bead in enumerate(walk):
                    masks[t, copy * n + bead] = True
            energy, x0 = masked_energy(model, dict(inputs), masks)
            (grad,) = torch.autograd.grad(energy, x0)
            per_bead = (x0 * grad).sum(-1).detach().numpy()
            out.extend(per_bead[copy * n + walk[0]] for copy, walk in enumerate(chunk))
    return np.array(out)


def reference_total(model: nn.Module, atoms: ase.Atoms, rule: str, gamma: float = 0.1):
    """(sum of R over all walks = unmasked gradient x input, modified energy)."""
    with rule_forward(model, rule, gamma):
        energy, x0 = masked_energy(model, batch_inputs(model, atoms, 1), None)
        (grad,) = torch.autograd.grad(energy, x0)
    return float((x0 * grad).sum().detach()), float(energy.detach())


def exact_set_sums(walks: list[tuple], relevance: np.ndarray) -> dict[tuple, float]:
    """{sorted tuple of the distinct beads: sum of R over the walks visiting exactly them}."""
    sums: dict[tuple, float] = {}
    for walk, r in zip(walks, relevance, strict=True):
        key = tuple(sorted(set(walk)))
        sums[key] = sums.get(key, 0.0) + float(r)
    return sums
