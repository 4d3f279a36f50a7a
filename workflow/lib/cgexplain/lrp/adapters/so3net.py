"""SO3net adapter: where relevance flows in SchNetPack's ``SO3net``.

Features are ``x`` (n, (lmax+1)^2, F) in real spherical harmonics; only the ``l = 0``
channel (the scalar features ``h``) carries relevance between blocks.

Constants for relevance, as in the published method (Bonneau et al. 2025, Nat. Commun.,
Methods, and Supplementary Section S6; values from the modified forward pass):

1. the ``l > 0`` features entering each block (their convolution with the neighbours'
   directions is a constant message per bead);
2. geometry: radial filters ``W_l(d_ij)``, the cutoff and ``Y_lm(r_hat_ij)``.

Live inside a block: the convolution of the neighbours' scalars ``x_j,0`` with
``Y_l(r_hat_ij)`` (live ``l > 0`` messages within the block), the Clebsch-Gordan tensor
product, the gate and the mixings. The products multiply channels, so relevance is not
conserved exactly.

The gate ``x * sigmoid(scaling(x_0))`` is not a SchNetPack ``Dense`` layer with an
activation: ``scaling`` is a plain ``nn.Linear`` (kept as is, LRP-0 on a linear map) and
the sigmoid is an element-wise gate with its ordinary derivative. Applying the gamma
rule to it would be ill-posed: the sigmoid is positive where ``z < 0``, so the rule's
denominator ``d = max(z_gamma, b_gamma)`` crosses zero and the modified forward diverges
(on the published methane frame it gave -7.9e4 instead of -20 kcal/mol, with relevances
dominated by float32 round-off).

Factorisation: ``source`` = identity (P = F); ``edge``: the SO(3) convolution of the
live scalar ``x_j,0`` (M = (lmax+1)^2 F); ``update``: add the constant message from the
detached ``l > 0`` neighbour features, then mixing, tensor product, gate, mixing and the
residual.
"""

from __future__ import annotations

import torch

from cgexplain.lrp.adapters.base import Adapter, scatter_rows
from cgexplain.lrp.rules import modified_dense

#: edges per chunk when convolving the detached l > 0 features (bounds memory)
EDGE_CHUNK = 4096


class SO3netAdapter(Adapter):
    """Adapter for :class:`schnetpack.representation.SO3net`."""

    @property
    def n_blocks(self) -> int:  # type: ignore[override]
        return len(self.rep.so3convs)

    @property
    def n_features(self) -> int:
        return int(self.rep.n_atom_basis)

    @property
    def n_sh(self) -> int:
        return int((self.rep.lmax + 1) ** 2)

    def prepare_edges(self) -> None:
        rep = self.rep
        d_ij = torch.norm(self.graph.r_ij, dim=1, keepdim=True)
        dir_ij = self.graph.r_ij / d_ij
        self.ylm = rep.sphharm(dir_ij).to(d_ij.dtype)  # (E, n_sh)
        radial = rep.radial_basis(d_ij)
        cutoff = rep.cutoff_fn(d_ij)[..., None]
        #: per block radial filters (E, lmax + 1, F)
        self.radial_filters = []
        for conv in rep.so3convs:
            w = modified_dense(conv.filternet, radial, self.rule) * cutoff
            self.radial_filters.append(w.reshape(-1, rep.lmax + 1, self.n_features))
        self.const_messages: dict[int, torch.Tensor] = {}
        self.x_in: dict[int, torch.Tensor] = {}
        self._scalar_coef: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}
        tp = rep.so3product
        self._tp = (tp.idx_in_1, tp.idx_in_2, self._collect(tp.idx_out, tp.clebsch_gordan))
        scalar_out = tp.idx_out == 0
        self._tp0 = (
            tp.idx_in_1[scalar_out],
            tp.idx_in_2[scalar_out],
            tp.clebsch_gordan[scalar_out].to(self.ylm.dtype),
        )

    def _collect(self, idx_out: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """(K, n_sh) matrix summing K Clebsch-Gordan terms into their outputs."""
        dtype = self.ylm.dtype
        mat = torch.zeros(idx_out.shape[0], self.n_sh, dtype=dtype, device=self.ylm.device)
        mat[torch.arange(idx_out.shape[0], device=mat.device), idx_out] = weights.to(dtype)
        return mat

    def _conv_terms(self, t: int, scalar_only: bool) -> tuple[torch.Tensor, ...]:
        """CG terms of block ``t`` whose input is (``scalar_only``) or is not the l = 0 channel.

        Returns (idx_in_1 (K,), idx_in_2 (K,), collect (K, n_sh) with the CG weights,
        filter index (K,)).
        """
        conv = self.rep.so3convs[t]
        keep = conv.idx_in_2 == 0 if scalar_only else conv.idx_in_2 > 0
        collect = self._collect(conv.idx_out[keep], conv.clebsch_gordan[keep])
        return conv.idx_in_1[keep], conv.idx_in_2[keep], collect, conv.Widx[keep]

    def tensor_product(self, x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
        """SchNetPack's ``SO3TensorProduct`` as one matmul: (n, n_sh, F) x2 -> (n, n_sh, F)."""
        in1, in2, collect = self._tp
        return torch.einsum("nkf,ko->nof", x1[:, in1] * x2[:, in2], collect)

    def embedding(self) -> torch.Tensor:
        return self.rep.embedding(self.graph.atomic_numbers)

    def reset(self) -> None:
        w = self.rep.embedding.weight
        self.prepare_block(
            0,
            torch.zeros(
                self.graph.n_beads, self.n_sh, self.n_features, dtype=w.dtype, device=w.device
            ),
        )

    def _coupling(self, t: int) -> torch.Tensor:
        """(n_sh, (lmax + 1) * n_sh * n_sh) map from ``Y(r_hat)`` to the per-edge coupling
        ``B[l, o, s2] = sum_{s1 in l} Y_s1 CG(s1, s2 -> o)`` of the ``l > 0`` inputs."""
        conv = self.rep.so3convs[t]
        keep = conv.idx_in_2 > 0
        nl, ns = self.rep.lmax + 1, self.n_sh
        mat = torch.zeros(ns, nl * ns * ns, dtype=self.ylm.dtype, device=self.ylm.device)
        column = (conv.Widx[keep] * ns + conv.idx_out[keep]) * ns + conv.idx_in_2[keep]
        mat.index_put_(
            (conv.idx_in_1[keep], column), conv.clebsch_gordan[keep].to(mat.dtype), accumulate=True
        )
        return mat

    def prepare_block(self, t: int, aux: torch.Tensor) -> None:
        """Convolve the detached ``l > 0`` features of block ``t`` once: (n, n_sh, F)."""
        self.x_in[t] = aux
        g = self.graph
        total = torch.zeros_like(aux)
        if t == 0 or not bool(aux[:, 1:].any()):
            self.const_messages[t] = total
            return
        nl, ns = self.rep.lmax + 1, self.n_sh
        coupling = self._coupling(t)
        for start in range(0, g.n_edges, EDGE_CHUNK):
            e = torch.arange(start, min(start + EDGE_CHUNK, g.n_edges), device=aux.device)
            b = (self.ylm[e] @ coupling).reshape(-1, nl * ns, ns)  # (k, l*o, s2)
            z = torch.bmm(b, aux[g.idx_j[e]]).reshape(-1, nl, ns, self.n_features)
            y = (self.radial_filters[t][e][:, :, None, :] * z).sum(dim=1)
            total = total + scatter_rows(y, g.idx_i[e], g.n_beads)
        self.const_messages[t] = total

    def source(self, t: int, h: torch.Tensor) -> torch.Tensor:
        return h

    def _scalar_edge_coefficients(
        self, t: int, edges: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Live scalar convolution ``y_s = W_l(s)(d) Y_s(r_hat) cg_s x_0``: returns
        ``(Y_s cg_s (k, n_sh), l(s) (n_sh,))`` (for an l = 0 input, CG couples Y_s to s only)."""
        if t not in self._scalar_coef:
            in1, _, collect, widx = self._conv_terms(t, scalar_only=True)
            coef = self.ylm[:, in1] @ collect  # (E, n_sh)
            lidx = torch.zeros(self.n_sh, dtype=torch.long, device=coef.device)
            lidx[collect.abs().argmax(dim=1)] = widx
            self._scalar_coef[t] = (coef, lidx)
        coef, lidx = self._scalar_coef[t]
        return coef[edges], lidx

    def edge(self, t: int, p: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
        coef, lidx = self._scalar_edge_coefficients(t, edges)
        wp = self.radial_filters[t][edges] * p[:, None, :]  # (k, lmax + 1, F)
        return (wp[:, lidx] * coef[:, :, None]).reshape(-1, self.n_sh * self.n_features)

    def edge_transpose(self, t: int, g: torch.Tensor, edges: torch.Tensor) -> torch.Tensor:
        """Transpose of :meth:`edge`: g (k, M) -> (k, P)."""
        coef, lidx = self._scalar_edge_coefficients(t, edges)
        per_l = torch.zeros(self.rep.lmax + 1, self.n_sh, dtype=g.dtype, device=g.device)
        per_l[lidx, torch.arange(self.n_sh, device=g.device)] = 1.0
        summed = torch.bmm(
            coef[:, None, :] * per_l[None], g.reshape(-1, self.n_sh, self.n_features)
        )
        return (self.radial_filters[t][edges] * summed).sum(dim=1)

    def update(
        self, t: int, h: torch.Tensor, m: torch.Tensor, nodes: torch.Tensor
    ) -> torch.Tensor:
        """Scalar output only: the same value as ``update_full(...)[0]`` at a third of the cost.

        Mixing, gate and residual act channel-wise on the SH index, so the l = 0 output
        needs every SH component only up to the tensor product, whose l = 0 output is
        ``sum_s cg_s x1_s x2_s``.
        """
        rep, rule, nf = self.rep, self.rule, self.n_features
        dx = m.reshape(-1, self.n_sh, nf) + self.const_messages[t][nodes]
        ddx = modified_dense(rep.mixings1[t], dx, rule)
        in1, in2, cg = self._tp0
        s = dx[:, 0] + torch.einsum("nkf,k->nf", dx[:, in1] * ddx[:, in2], cg)
        s = modified_dense(rep.mixings2[t], s, rule)
        scaling = rep.gatings[t].scaling
        bias = None if scaling.bias is None else scaling.bias[:nf]
        s = s * torch.sigmoid(torch.nn.functional.linear(s, scaling.weight[:nf], bias))
        return h + modified_dense(rep.mixings3[t], s, rule)

    def block(self, t: int, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Whole-graph block ``t``; stores the detached ``l > 0`` features entering ``t + 1``."""
        m = self.aggregate(t, h)
        h_new, x_new = self.update_full(t, h, m, torch.arange(self.graph.n_beads, device=h.device))
        if t + 1 < self.n_blocks:
            self.prepare_block(t + 1, x_new.detach())
        return h_new, m

    def update_full(
        self, t: int, h: torch.Tensor, m: torch.Tensor, nodes: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Scalar and ``l > 0`` output of block ``t``: (k, F), (k, n_sh, F)."""
        rep, rule = self.rep, self.rule
        dx = m.reshape(-1, self.n_sh, self.n_features) + self.const_messages[t][nodes]
        ddx = modified_dense(rep.mixings1[t], dx, rule)
        dx = dx + self.tensor_product(dx, ddx)
        dx = modified_dense(rep.mixings2[t], dx, rule)
        gating = rep.gatings[t]
        gate = torch.sigmoid(gating.scaling(dx[:, 0, :]))
        gate = gate.reshape(-1, rep.lmax + 1, self.n_features)[:, gating.lidx]
        dx = dx * gate
        dx = modified_dense(rep.mixings3[t], dx, rule)
        h_new = h + dx[:, 0]
        x_new = torch.cat([h_new[:, None], self.x_in[t][nodes][:, 1:] + dx[:, 1:]], dim=1)
        return h_new, x_new
