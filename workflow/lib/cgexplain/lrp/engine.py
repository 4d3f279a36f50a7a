"""Walk algebra: exact relevance of every walk with at most three distinct beads.

GNN-LRP (Schnake et al. 2022, IEEE TPAMI 44, 7581) assigns to a walk
``w = (w_0, ..., w_T)`` the relevance

    R(w) = x0[w_0] . J_1[w_1, w_0]^T ... J_T[w_T, w_{T-1}]^T r[w_T],

where ``J_t[i, j]`` (F x F) is the LRP-modified Jacobian of block t between the scalar
features of beads i and j, ``x0`` the embedding and ``r`` the gradient of the modified
readout (the masked-backward definition unrolled; the forward values never depend on
the mask). With the adapter factorisation ``J_t[i, j] = A_i (sum_e E_e) C_j + delta_ij S_i``
(:mod:`cgexplain.lrp.adapters.base`) the engine

1. propagates prefix vectors ``f = J ... J x0`` (F,) forward over the first
   ``k = (T - 1) // 2`` blocks, one vector per distinct walk prefix (batched JVPs);
2. propagates suffix vectors ``g = J^T ... J^T r`` (F,) backward over the last blocks
   (batched VJPs);
3. meets them at the middle block: ``R(w) = (C f) . (sum_e E_e^T A^T g) + delta (S^T g) . f``,
   with ``C f`` one JVP per prefix, ``A^T g``, ``S^T g`` one VJP per suffix and
   ``E^T A^T g`` one cheap edge-local VJP per (middle bead pair, suffix).

No dense Jacobian block is ever formed and walks visiting four or more distinct beads
are never listed. Every relevance is exact (no sampling, no approximation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.func import jvp, vjp, vmap

from cgexplain.lrp.adapters.base import Adapter, ForwardPass, Graph, scatter_rows

#: default number of walks (or walk prefixes) per batched kernel call
DEFAULT_CHUNK = 65536

#: node-local maps are linearised once per bead when items outnumber beads this much
GROUPING_FACTOR = 3


@dataclass(frozen=True)
class BeadPairs:
    """Ordered bead pairs of the walk graph A + I and their periodic image edges.

    Attributes:
        n_beads: number of beads.
        dst: (n_pairs,) receiving bead; src: (n_pairs,) sending bead. Sorted by
            ``dst * n_beads + src``; all self pairs ``(i, i)`` are included.
        edge_ptr: (n_pairs + 1,) CSR pointer into ``edge_ids``.
        edge_ids: (n_edges,) directed edge ids grouped by pair (self pairs usually
            have none; a bead seeing its own periodic image has some).
    """

    n_beads: int
    dst: np.ndarray
    src: np.ndarray
    edge_ptr: np.ndarray
    edge_ids: np.ndarray

    @classmethod
    def from_graph(cls, graph: Graph) -> BeadPairs:
        n = graph.n_beads
        idx_i = graph.idx_i.cpu().numpy().astype(np.int64)
        idx_j = graph.idx_j.cpu().numpy().astype(np.int64)
        edge_keys = idx_i * n + idx_j
        self_keys = np.arange(n, dtype=np.int64) * (n + 1)
        keys = np.unique(np.concatenate([edge_keys, self_keys]))
        pair_of_edge = np.searchsorted(keys, edge_keys)
        order = np.argsort(pair_of_edge, kind="stable")
        counts = np.bincount(pair_of_edge, minlength=keys.size)
        edge_ptr = np.concatenate([[0], np.cumsum(counts)])
        return cls(n, keys // n, keys % n, edge_ptr, order.astype(np.int64))

    @property
    def n_pairs(self) -> int:
        return int(self.dst.size)

    def lookup(self, dst: np.ndarray, src: np.ndarray) -> np.ndarray:
        """Pair index of each (dst, src); every queried pair must exist."""
        keys = self.dst * self.n_beads + self.src
        return np.searchsorted(keys, dst * self.n_beads + src)

    def successors(self) -> tuple[np.ndarray, np.ndarray]:
        """CSR (ptr (n_beads + 1,), beads) of the beads a walk may step to from each bead."""
        order = np.argsort(self.src, kind="stable")
        counts = np.bincount(self.src, minlength=self.n_beads)
        return np.concatenate([[0], np.cumsum(counts)]), self.dst[order]

    def expand_edges(self, pair_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For items with pair ids (k,): (item index, edge id) of every image edge."""
        counts = self.edge_ptr[pair_ids + 1] - self.edge_ptr[pair_ids]
        item = np.repeat(np.arange(pair_ids.size), counts)
        starts = np.repeat(self.edge_ptr[pair_ids], counts)
        offsets = np.arange(item.size) - np.repeat(np.cumsum(counts) - counts, counts)
        return item, self.edge_ids[starts + offsets]


def n_distinct(walks: np.ndarray) -> np.ndarray:
    """Number of distinct beads in each walk: (n_walks, L) -> (n_walks,)."""
    srt = np.sort(walks, axis=1)
    return 1 + np.count_nonzero(np.diff(srt, axis=1), axis=1)


def count_walks(pairs: BeadPairs, n_steps: int) -> int:
    """Number of *all* walks of ``n_steps`` steps on A + I (any number of distinct beads).

    ``1^T (A + I)^T 1`` by repeated sparse products: the denominator of the published
    per-frame normalisation (mean relevance per walk), without listing any walk.
    Exact in integer arithmetic (Python ints never overflow).
    """
    paths = [1] * pairs.n_beads  # walks of length 0 ending at each bead
    dst, src = pairs.dst.tolist(), pairs.src.tolist()
    for _ in range(n_steps):
        grown = [0] * pairs.n_beads
        for d, s in zip(dst, src, strict=True):
            grown[d] += paths[s]
        paths = grown
    return int(sum(paths))


def enumerate_walks(pairs: BeadPairs, n_steps: int, max_distinct: int = 3) -> np.ndarray:
    """All walks of ``n_steps`` steps on A + I visiting at most ``max_distinct`` beads.

    Args:
        pairs: the walk graph.
        n_steps: T, the number of interaction blocks.
        max_distinct: largest number of distinct beads kept.

    Returns:
        (n_walks, T + 1) int64 bead indices, lexicographically sorted.
    """
    ptr, succ = pairs.successors()
    walks = np.arange(pairs.n_beads, dtype=np.int64)[:, None]
    for _ in range(n_steps):
        full = n_distinct(walks) >= max_distinct
        # walks that may still add beads: extend by every successor of the last bead
        free = walks[~full]
        last = free[:, -1]
        counts = ptr[last + 1] - ptr[last]
        parent = np.repeat(np.arange(free.shape[0]), counts)
        starts = np.repeat(ptr[last], counts)
        offsets = np.arange(parent.size) - np.repeat(np.cumsum(counts) - counts, counts)
        grown = np.concatenate([free[parent], succ[starts + offsets][:, None]], axis=1)
        # walks with max_distinct beads: only steps back onto their own beads (if edges)
        closed = walks[full]
        members = distinct_members(closed, max_distinct)
        step = np.concatenate(
            [np.repeat(closed, max_distinct, axis=0), members.reshape(-1, 1)], axis=1
        )
        keys = pairs.dst * pairs.n_beads + pairs.src
        wanted = step[:, -1] * pairs.n_beads + step[:, -2]
        found = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
        walks = np.concatenate(
            [grown[n_distinct(grown) <= max_distinct], step[keys[found] == wanted]]
        )
        walks = walks[_lexicographic_order(walks, pairs.n_beads)]
    return walks


def distinct_members(walks: np.ndarray, n_members: int) -> np.ndarray:
    """Sorted distinct beads of walks that visit exactly ``n_members`` beads: (n, n_members)."""
    srt = np.sort(walks, axis=1)
    new = np.concatenate([np.ones((srt.shape[0], 1), bool), np.diff(srt, axis=1) != 0], axis=1)
    return srt[new].reshape(-1, n_members)


def _fits_int64(n_columns: int, base: int) -> bool:
    return n_columns * np.log2(max(base, 2)) < 62


def _row_keys(rows: np.ndarray, base: int) -> np.ndarray:
    """One int64 per row, ordered like the rows lexicographically (needs base^L < 2^62)."""
    key = np.zeros(rows.shape[0], dtype=np.int64)
    for col in range(rows.shape[1]):
        key = key * base + rows[:, col]
    return key


def _lexicographic_order(rows: np.ndarray, base: int) -> np.ndarray:
    if _fits_int64(rows.shape[1], base):
        return np.argsort(_row_keys(rows, base), kind="stable")
    return np.lexsort(rows.T[::-1])


class WalkKernels:
    """Batched JVP/VJP products of the modified block Jacobians of one forward pass.

    Args:
        adapter: the adapter whose :meth:`~Adapter.forward` produced ``fwd``.
        fwd: detached values of the modified forward pass.
        pairs: bead pairs of the walk graph.
    """

    def __init__(self, adapter: Adapter, fwd: ForwardPass, pairs: BeadPairs) -> None:
        self.ad = adapter
        self.h = fwd.features
        self.m = fwd.messages
        self.pairs = pairs
        self.device = fwd.features[0].device
        self._pair_weights: dict[int, torch.Tensor | None] = {}

    def as_index(self, a: np.ndarray) -> torch.Tensor:
        """Index array on the kernels' device."""
        return torch.as_tensor(a, dtype=torch.long, device=self.device)

    def _grouped(self, beads: np.ndarray) -> tuple[torch.Tensor, torch.Tensor, int] | None:
        """Items grouped by bead, or None when beads hardly repeat.

        Returns ``(bead index (k,), slot index (k,), width)``: item i is the ``slot[i]``-th
        item of its bead; ``width`` is the most items of one bead.
        """
        n = self.pairs.n_beads
        if beads.size < GROUPING_FACTOR * n:
            return None
        counts = np.bincount(beads, minlength=n)
        order = np.argsort(beads, kind="stable")
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        slot = np.empty(beads.size, dtype=np.int64)
        slot[order] = np.arange(beads.size) - first[beads[order]]
        return self.as_index(beads), self.as_index(slot), int(counts.max())

    def _jvp(self, fn, primals: tuple, beads: np.ndarray, tangents: tuple) -> torch.Tensor:
        """Tangent of the node-local ``fn`` at the items' beads.

        ``fn`` maps whole-graph primals (n, ...) to (n, ...). Items of the same bead share
        its primal: they are stacked (n, width, ...) and pushed through one linearisation
        (``vmap`` over the stack), so the primal is computed once per bead, not per item.
        """
        group = self._grouped(beads)
        if group is None:
            idx = self.as_index(beads)
            return jvp(lambda *x: fn(idx, *x), tuple(p[idx] for p in primals), tangents)[1]
        bead, slot, width = group
        stacks = []
        for u in tangents:
            stack = u.new_zeros(self.pairs.n_beads, width, *u.shape[1:])
            stack[bead, slot] = u
            stacks.append(stack)
        every = torch.arange(self.pairs.n_beads, device=self.device)

        def push(*vs):
            return jvp(lambda *x: fn(every, *x), primals, vs)[1]

        return vmap(push, in_dims=1, out_dims=1)(*stacks)[bead, slot]

    def _vjp(self, fn, primals: tuple, beads: np.ndarray, g: torch.Tensor) -> tuple:
        """Cotangents of the node-local ``fn``'s inputs at the items' beads (see :meth:`_jvp`)."""
        group = self._grouped(beads)
        if group is None:
            idx = self.as_index(beads)
            _, pullback = vjp(lambda *x: fn(idx, *x), *(p[idx] for p in primals))
            return pullback(g)
        bead, slot, width = group
        every = torch.arange(self.pairs.n_beads, device=self.device)
        _, pullback = vjp(lambda *x: fn(every, *x), *primals)
        stack = g.new_zeros(self.pairs.n_beads, width, *g.shape[1:])
        stack[bead, slot] = g
        pulled = vmap(pullback, in_dims=1, out_dims=1)(stack)
        return tuple(p[bead, slot] for p in pulled)

    def _source(self, t: int):
        return lambda nodes, h: self.ad.source(t, h)

    def _update(self, t: int):
        return lambda nodes, h, m: self.ad.update(t, h, m, nodes)

    def jvp_source(self, t: int, beads: np.ndarray, u: torch.Tensor) -> torch.Tensor:
        """``C_t[b] u`` for beads b (k,), u (k, F) -> (k, P)."""
        return self._jvp(self._source(t), (self.h[t],), beads, (u,))

    def vjp_source(self, t: int, beads: np.ndarray, g: torch.Tensor) -> torch.Tensor:
        """``C_t[b]^T g`` for g (k, P) -> (k, F)."""
        return self._vjp(self._source(t), (self.h[t],), beads, g)[0]

    def vjp_update(
        self, t: int, beads: np.ndarray, g: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(S_t[c]^T g, A_t[c]^T g)`` for beads c (k,), g (k, F) -> (k, F), (k, M)."""
        return self._vjp(self._update(t), (self.h[t], self.m[t]), beads, g)

    def jvp_update(
        self, t: int, beads: np.ndarray, u_h: torch.Tensor, u_m: torch.Tensor
    ) -> torch.Tensor:
        """``S_t[c] u_h + A_t[c] u_m`` -> (k, F)."""
        return self._jvp(self._update(t), (self.h[t], self.m[t]), beads, (u_h, u_m))

    def pair_weights(self, t: int) -> torch.Tensor | None:
        """(n_pairs, M) summed diagonal edge weights of each pair, or None (not diagonal).

        For an architecture whose edge map is ``E_e p = w_e * p`` (P = M), the sum over a
        pair's image edges is ``(sum_e w_e) * p``: computed once per block.
        """
        if t not in self._pair_weights:
            weights = self.ad.diagonal_edge_weights(t)
            if weights is not None:
                pair_of_edge = np.repeat(
                    np.arange(self.pairs.n_pairs), np.diff(self.pairs.edge_ptr)
                )
                weights = scatter_rows(
                    weights[self.as_index(self.pairs.edge_ids)],
                    self.as_index(pair_of_edge),
                    self.pairs.n_pairs,
                )
            self._pair_weights[t] = weights
        return self._pair_weights[t]

    def edge_sum(self, t: int, pair_ids: np.ndarray, p: torch.Tensor) -> torch.Tensor:
        """``sum_e E_e p`` over the image edges of each pair: p (k, P) -> (k, M)."""
        weights = self.pair_weights(t)
        if weights is not None:
            return weights[self.as_index(pair_ids)] * p
        item, edges = self.pairs.expand_edges(pair_ids)
        item_t = self.as_index(item)
        msg = self.ad.edge(t, p[item_t], self.as_index(edges))
        return scatter_rows(msg, item_t, p.shape[0])

    def edge_sum_transpose(self, t: int, pair_ids: np.ndarray, g: torch.Tensor) -> torch.Tensor:
        """``sum_e E_e^T g`` over the image edges of each pair: g (k, M) -> (k, P)."""
        weights = self.pair_weights(t)
        if weights is not None:
            return weights[self.as_index(pair_ids)] * g
        item, edges = self.pairs.expand_edges(pair_ids)
        item_t, edges_t = self.as_index(item), self.as_index(edges)
        return scatter_rows(self.ad.edge_transpose(t, g[item_t], edges_t), item_t, g.shape[0])

    def forward_step(
        self, t: int, dst: np.ndarray, src: np.ndarray, u: torch.Tensor, per_bead: bool = False
    ) -> torch.Tensor:
        """``J_t[dst, src] u`` for k items -> (k, F).

        Args:
            u: (k, F) vectors at the source beads, or with ``per_bead`` (n_beads, F) one
                vector per bead (the item's vector is ``u[src]``; node-local work is then
                done once per bead).
        """
        if per_bead:
            beads = np.arange(self.pairs.n_beads)
            cu = self.jvp_source(t, beads, u)[self.as_index(src)]
            u = u[self.as_index(src)]
        else:
            cu = self.jvp_source(t, src, u)
        msg = self.edge_sum(t, self.pairs.lookup(dst, src), cu)
        self_loop = torch.as_tensor(dst == src, device=self.device)[:, None]
        return self.jvp_update(t, dst, u * self_loop, msg)

    def backward_step(
        self, t: int, dst: np.ndarray, src: np.ndarray, g: torch.Tensor, per_bead: bool = False
    ) -> torch.Tensor:
        """``J_t[dst, src]^T g`` for k items -> (k, F).

        Args:
            g: (k, F) cotangents at the receiving beads, or with ``per_bead``
                (n_beads, F) one per bead (the item's cotangent is ``g[dst]``).
        """
        if per_bead:
            g_h, g_m = self.vjp_update(t, np.arange(self.pairs.n_beads), g)
            g_h, g_m = g_h[self.as_index(dst)], g_m[self.as_index(dst)]
        else:
            g_h, g_m = self.vjp_update(t, dst, g)
        back = self.edge_sum_transpose(t, self.pairs.lookup(dst, src), g_m)
        self_loop = torch.as_tensor(dst == src, device=self.device)[:, None]
        return self.vjp_source(t, src, back) + g_h * self_loop


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique rows (u, L) of non-negative ints, a first occurrence of each (u,), inverse (n,)."""
    base = int(rows.max()) + 1 if rows.size else 1
    if _fits_int64(rows.shape[1], base):  # encode each row as one int64 key
        _, first, inverse = np.unique(
            _row_keys(rows, base), return_index=True, return_inverse=True
        )
        return rows[first], first, inverse.reshape(-1)
    uniq, first, inverse = np.unique(rows, axis=0, return_index=True, return_inverse=True)
    return uniq, first, inverse.reshape(-1)


def _in_chunks(fn, n: int, chunk: int) -> torch.Tensor:
    """Concatenate ``fn(slice)`` over consecutive slices of ``range(n)`` of length ``chunk``."""
    return torch.cat([fn(slice(s, min(s + chunk, n))) for s in range(0, max(n, 1), chunk)])


def prefix_vectors(
    ker: WalkKernels, walks: np.ndarray, k: int, chunk: int
) -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
    """Forward vectors ``f = J_k ... J_1 x0`` (F,) of every distinct prefix ``w_0..w_k``.

    Returns:
        f (n_prefixes, F); the last bead of each prefix (n_prefixes,); the prefix of
        each walk (n_walks,).
    """
    f = ker.h[0]  # level 0: the embedding, one prefix per bead
    prefixes, prefix_of_walk = np.arange(ker.pairs.n_beads)[:, None], walks[:, 0]
    for level in range(1, k + 1):
        longer, first, longer_of_walk = _unique_rows(walks[:, : level + 1])
        parent = prefix_of_walk[first]
        dst, src = longer[:, level], longer[:, level - 1]
        if level == 1:  # the vector at the source depends on the source bead only

            def step(s: slice, f=f, dst=dst, src=src) -> torch.Tensor:
                return ker.forward_step(0, dst[s], src[s], f, per_bead=True)

        else:

            def step(s: slice, f=f, dst=dst, src=src, parent=parent, t=level - 1) -> torch.Tensor:
                return ker.forward_step(t, dst[s], src[s], f[ker.as_index(parent[s])])

        f = _in_chunks(step, dst.size, chunk)
        prefixes, prefix_of_walk = longer, longer_of_walk
    return f, prefixes[:, -1], prefix_of_walk


def suffix_vectors(
    ker: WalkKernels, walks: np.ndarray, k: int, readout_grad: torch.Tensor, chunk: int
) -> tuple[torch.Tensor, np.ndarray, np.ndarray]:
    """Backward vectors ``g = J_{k+2}^T ... J_T^T r`` (F,) of every distinct suffix
    ``w_{k+1}..w_T`` (the gradient at ``h_{k+1}[w_{k+1}]`` restricted to the suffix).

    Returns:
        g (n_suffixes, F); the first bead of each suffix; the suffix of each walk.
    """
    n_blocks = walks.shape[1] - 1
    g = readout_grad  # level T: one suffix per bead
    suffixes, suffix_of_walk = np.arange(ker.pairs.n_beads)[:, None], walks[:, n_blocks]
    for level in range(n_blocks - 1, k, -1):
        longer, first, longer_of_walk = _unique_rows(walks[:, level:])
        child = suffix_of_walk[first]
        dst, src = longer[:, 1], longer[:, 0]
        if level == n_blocks - 1:  # the cotangent depends on the receiving bead only

            def step(s: slice, g=g, dst=dst, src=src, t=level) -> torch.Tensor:
                return ker.backward_step(t, dst[s], src[s], g, per_bead=True)

        else:

            def step(s: slice, g=g, dst=dst, src=src, child=child, t=level) -> torch.Tensor:
                return ker.backward_step(t, dst[s], src[s], g[ker.as_index(child[s])])

        g = _in_chunks(step, dst.size, chunk)
        suffixes, suffix_of_walk = longer, longer_of_walk
    return g, suffixes[:, 0], suffix_of_walk


def walk_relevance(
    adapter: Adapter,
    fwd: ForwardPass,
    pairs: BeadPairs,
    walks: np.ndarray,
    readout_grad: torch.Tensor,
    chunk: int = DEFAULT_CHUNK,
) -> torch.Tensor:
    """Exact GNN-LRP relevance of each listed walk.

    Args:
        adapter: adapter bound to the frame's graph.
        fwd: detached modified forward pass of ``adapter``.
        pairs: bead pairs of the graph.
        walks: (n_walks, T + 1) bead indices; every step must be an edge or self-loop.
        readout_grad: (n_beads, F) gradient of the summed modified readout w.r.t. h_T.
        chunk: items per batched kernel call (bounds memory).

    Returns:
        (n_walks,) float64 relevances, kcal/mol.
    """
    n_blocks = walks.shape[1] - 1
    k = (n_blocks - 1) // 2  # prefix = w_0..w_k, middle block k, suffix = w_{k+1}..w_T
    ker = WalkKernels(adapter, fwd, pairs)
    dev = ker.device
    f, prefix_beads, prefix_of_walk = prefix_vectors(ker, walks, k, chunk)
    g, suffix_beads, suffix_of_walk = suffix_vectors(ker, walks, k, readout_grad, chunk)

    # meet at the middle block k: R = (C f) . (sum_e E_e^T A^T g) + [w_k = w_{k+1}] f . S^T g
    f_hat = _in_chunks(lambda s: ker.jvp_source(k, prefix_beads[s], f[s]), f.shape[0], chunk)
    pulled = [
        ker.vjp_update(k, suffix_beads[s : s + chunk], g[s : s + chunk])
        for s in range(0, g.shape[0], chunk)
    ]
    g_self = torch.cat([p[0] for p in pulled])
    g_hat = torch.cat([p[1] for p in pulled])
    del pulled
    mid_pair = pairs.lookup(walks[:, k + 1], walks[:, k])
    combos, _, combo_of_walk = _unique_rows(np.stack([mid_pair, suffix_of_walk], axis=1))
    # stream over (middle pair, suffix) combos; their walks are contiguous once sorted
    walk_order = np.argsort(combo_of_walk, kind="stable")
    bounds = np.searchsorted(
        combo_of_walk[walk_order], np.arange(0, combos.shape[0] + chunk, chunk)
    )
    is_self = walks[:, k] == walks[:, k + 1]
    relevance = torch.zeros(walks.shape[0], dtype=torch.float64, device=dev)
    for number, start in enumerate(range(0, combos.shape[0], chunk)):
        part = combos[start : start + chunk]
        g_check = ker.edge_sum_transpose(k, part[:, 0], g_hat[ker.as_index(part[:, 1])])
        selected = walk_order[bounds[number] : bounds[number + 1]]
        for sub in range(0, selected.size, chunk):
            rows = selected[sub : sub + chunk]
            pre, suf = ker.as_index(prefix_of_walk[rows]), ker.as_index(suffix_of_walk[rows])
            through_edges = (f_hat[pre] * g_check[ker.as_index(combo_of_walk[rows] - start)]).sum(
                -1
            )
            self_loop = torch.as_tensor(is_self[rows], device=dev)
            through_self = (f[pre] * g_self[suf]).sum(-1) * self_loop
            relevance[ker.as_index(rows)] = (through_edges + through_self).double()
    return relevance
