"""Exact-set sums of walk relevance without listing walks (T <= 3 blocks).

For a model of T <= 3 blocks every walk splits at its middle block k = (T - 1) // 2 into
a prefix ``P = (w_0..w_k)`` ending at bead ``a`` and a suffix ``S = (w_{k+1}..w_T)``
starting at bead ``b``, each visiting at most two beads (``a`` and one "other" bead,
which is ``a`` itself for a one-bead prefix). With the vectors of
:mod:`cgexplain.lrp.engine` (``f_hat = C f``, ``g_tilde = A^T g``, ``g_self = S^T g``)
and the edge maps ``E`` of the middle pair ``(b <- a)``,

    R(P, S) = f_hat_P . (sum_e E_e^T g_tilde_S) + [a = b] f_P . g_self_S,

bilinear in the prefix and suffix vectors (Schnake et al. 2022, IEEE TPAMI 44, 7581,
Sec. 4). The set of beads of the walk is ``{p_0, a, b, s_1}``; sums over walks with the
same set can therefore be taken *before* the dot products. Every walk with at most three
beads is assigned to a **centre** bead ``x`` and an ordered pair of slots ``(u, v)`` of
the centre's neighbourhood ``N(x) + {x}``, its set being ``{x, u, v}``:

(i)   ``a != b``, ``p_0 in {a, b}``: centre ``b``, ``u = a``, ``v = s_1``; the (one or
      two) prefixes are summed per middle pair, then one matrix product per centre.
(ii)  ``a != b``, ``s_1 in {a, b}``, ``p_0 not in {a, b}``: centre ``a``, ``u = p_0``,
      ``v = b``; suffixes summed per middle pair, one matrix product per centre.
(iii) ``a != b``, ``p_0 = s_1 = c not in {a, b}`` (triangles ``a, b, c``): centre ``a``,
      ``u = c``, ``v = b``; one dot product per (middle pair, third bead).
(iv)  ``a = b``: centre ``a``, ``u = p_0``, ``v = s_1``; one matrix product per centre.

The walks not covered visit four beads. Reading the dense ``(n, D + 1, D + 1)``
centre-slot matrix gives the 1-body (``u = v = x``), 2-body and 3-body sums; a triangle
collected at several centres is merged at its smallest bead. Numbers of walks per set
are counted the same way (the same products on indicator vectors). Nothing here is an
approximation: the sums equal those over the listed walks (tested against
:func:`cgexplain.lrp.engine.walk_relevance` and an independent per-walk reference).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from cgexplain.lrp.adapters.base import Adapter, ForwardPass
from cgexplain.lrp.engine import BeadPairs, WalkKernels, prefix_vectors, suffix_vectors

#: the largest number of blocks the centre-slot algorithm handles
MAX_BLOCKS = 3


@dataclass(frozen=True)
class Neighbourhoods:
    """Slots of every bead's neighbourhood ``N(x) + {x}`` (symmetric walk graph).

    Attributes:
        row_ptr: (n + 1,) CSR pointer: the pairs with ``dst = x`` are
            ``row_ptr[x]:row_ptr[x + 1]`` in :class:`BeadPairs` order (sorted by source).
        slot: (n_pairs,) slot of pair ``(x <- y)`` in the neighbourhood of ``x``
            (slot order = bead order; the centre itself has a slot too).
        reverse: (n_pairs,) index of pair ``(y <- x)`` for pair ``(x <- y)``.
        self_pair: (n,) index of pair ``(x <- x)``; self_slot: (n,) its slot.
        width: ``D + 1``, the largest neighbourhood size (padding width).
    """

    row_ptr: np.ndarray
    slot: np.ndarray
    reverse: np.ndarray
    self_pair: np.ndarray
    self_slot: np.ndarray
    width: int

    @classmethod
    def from_pairs(cls, pairs: BeadPairs) -> Neighbourhoods:
        n = pairs.n_beads
        counts = np.bincount(pairs.dst, minlength=n)
        row_ptr = np.concatenate([[0], np.cumsum(counts)])
        slot = np.arange(pairs.n_pairs) - row_ptr[pairs.dst]
        keys = pairs.dst * n + pairs.src
        reverse = np.searchsorted(keys, pairs.src * n + pairs.dst)
        reverse = np.minimum(reverse, keys.size - 1)
        if not np.array_equal(keys[reverse], pairs.src * n + pairs.dst):
            raise ValueError("the neighbour list is not symmetric (an edge i <- j without j <- i)")
        self_pair = np.searchsorted(keys, np.arange(n) * (n + 1))
        width = int(counts.max()) if n else 1
        return cls(row_ptr, slot, reverse, self_pair, slot[self_pair], width)


@dataclass
class CentreSums:
    """Relevance (and walk counts) of every set ``{x, u, v}``: (n, D + 1, D + 1) each."""

    relevance: torch.Tensor
    counts: torch.Tensor


def _padded(
    values: torch.Tensor, centre: np.ndarray, slot: np.ndarray, n: int, width: int, as_index
):
    """Scatter rows ``values`` (k, d) into a zero (n, width, d) tensor at (centre, slot)."""
    out = values.new_zeros(n, width, values.shape[1])
    out[as_index(centre), as_index(slot)] = values
    return out


def centre_sums(
    adapter: Adapter, fwd: ForwardPass, pairs: BeadPairs, readout_grad: torch.Tensor, chunk: int
) -> tuple[CentreSums, Neighbourhoods]:
    """Sum every walk with at most three beads into its centre-slot entry (module docstring).

    Args:
        adapter, fwd: the adapter and its detached modified forward pass.
        pairs: bead pairs of the walk graph (symmetric).
        readout_grad: (n_beads, F) gradient of the summed modified readout w.r.t. ``h_T``.
        chunk: items per batched kernel call.

    Returns:
        The centre-slot sums and the neighbourhoods that index them.
    """
    n_blocks = adapter.n_blocks
    if not 1 <= n_blocks <= MAX_BLOCKS:
        raise ValueError(f"centre sums need 1-{MAX_BLOCKS} blocks, the model has {n_blocks}")
    k = (n_blocks - 1) // 2
    nb = Neighbourhoods.from_pairs(pairs)
    ker = WalkKernels(adapter, fwd, pairs)
    idx = ker.as_index
    n, width = pairs.n_beads, nb.width
    beads = np.arange(n)

    # prefixes: pairs (a <- p0) when k = 1, single beads (p0 = a) when k = 0
    if k == 1:
        pre_end, pre_slot = pairs.dst, nb.slot
        f, _, order = prefix_vectors(ker, np.stack([pairs.src, pairs.dst], axis=1), 1, chunk)
        f = f[idx(order)]  # one prefix per pair, in pair order
    else:
        pre_end, pre_slot = beads, nb.self_slot
        f = ker.h[0]
    # suffixes: pairs (s1 <- b) when T - k = 2, single beads when T - k = 1
    if n_blocks - k == 2:
        suf_start = pairs.src
        suf_slot = nb.slot[nb.reverse]  # slot of s1 in the neighbourhood of b
        dummy = np.zeros((pairs.n_pairs, k + 1), dtype=np.int64)
        walks = np.concatenate([dummy, pairs.src[:, None], pairs.dst[:, None]], axis=1)
        g, _, order = suffix_vectors(ker, walks, k, readout_grad, chunk)
        g = g[idx(order)]  # one suffix per pair, in pair order
    else:
        suf_start, suf_slot = beads, nb.self_slot
        g = readout_grad
    f_hat = torch.cat(
        [
            ker.jvp_source(k, pre_end[s : s + chunk], f[s : s + chunk])
            for s in range(0, len(f), chunk)
        ]
    )
    pulled = [
        ker.vjp_update(k, suf_start[s : s + chunk], g[s : s + chunk])
        for s in range(0, len(g), chunk)
    ]
    g_self = torch.cat([p[0] for p in pulled])
    g_tilde = torch.cat([p[1] for p in pulled])
    del pulled
    dtype = f.dtype

    def pad(values, centre, slot):
        return _padded(values, centre, slot, n, width, idx)

    ones_pre = torch.ones(len(pre_end), 1, dtype=dtype, device=f.device)
    ones_suf = torch.ones(len(suf_start), 1, dtype=dtype, device=f.device)
    # suffix-side matrices at centre b: rows = slots of s1
    g_tilde_pad = pad(g_tilde, suf_start, suf_slot)
    suf_count_pad = pad(ones_suf, suf_start, suf_slot)
    # prefix-side matrices at centre a: rows = slots of p0
    f_hat_pad = pad(f_hat, pre_end, pre_slot)
    pre_count_pad = pad(ones_pre, pre_end, pre_slot)

    relevance = f.new_zeros(n, width, width)
    counts = f.new_zeros(n, width, width)
    middle = np.flatnonzero(pairs.dst != pairs.src)  # middle pairs (b <- a), a != b
    mid_b, mid_a = pairs.dst[middle], pairs.src[middle]

    # (iv) a = b: R = f_hat . E_aa^T g_tilde + f . g_self, centre a, slots (p0, s1)
    g_self_side = pad(g_self, suf_start, suf_slot)
    f_side = pad(f, pre_end, pre_slot)
    relevance += torch.bmm(f_side, g_self_side.transpose(1, 2))
    self_edges = ker.edge_sum_transpose(k, nb.self_pair[suf_start], g_tilde)
    relevance += torch.bmm(f_hat_pad, pad(self_edges, suf_start, suf_slot).transpose(1, 2))
    counts += torch.bmm(pre_count_pad, suf_count_pad.transpose(1, 2))

    # (i) p0 in {a, b}: U_r = sum of those prefixes at a; X_r = E_r U_r; centre b, (a, s1)
    if k == 1:  # prefixes (a <- a) and (a <- b) = reverse pair of the middle pair
        pre_ids = [nb.self_pair[mid_a], nb.reverse[middle]]
    else:  # the single-bead prefix a
        pre_ids = [mid_a]
    u_sum = sum(f_hat[idx(p)] for p in pre_ids)
    u_count = torch.full((middle.size, 1), float(len(pre_ids)), dtype=dtype, device=f.device)
    x_mid = ker.edge_sum(k, middle, u_sum)
    rows_b = nb.slot[middle]  # slot of a in the neighbourhood of b
    relevance += torch.bmm(pad(x_mid, mid_b, rows_b), g_tilde_pad.transpose(1, 2))
    counts += torch.bmm(pad(u_count, mid_b, rows_b), suf_count_pad.transpose(1, 2))

    # (ii) s1 in {a, b}, p0 not in {a, b}: V_r = sum of those suffixes at b; Y_r = E_r^T V_r
    if k == 1:  # suffixes (a <- b) = reverse of the middle pair, and (b <- b)
        suf_ids = [nb.reverse[middle], nb.self_pair[mid_b]]
        y_mid = ker.edge_sum_transpose(k, middle, sum(g_tilde[idx(s)] for s in suf_ids))
        cols_a = nb.slot[nb.reverse[middle]]  # slot of b in the neighbourhood of a
        y_pad = pad(y_mid, mid_a, cols_a)
        y_count = pad(
            torch.full((middle.size, 1), float(len(suf_ids)), dtype=dtype, device=f.device),
            mid_a,
            cols_a,
        )
        # prefixes with p0 = a are excluded by zeroing the self slot; p0 = b is u = v
        keep = torch.ones(n, width, 1, dtype=dtype, device=f.device)
        keep[idx(beads), idx(nb.self_slot)] = 0.0
        off_diagonal = 1.0 - torch.eye(width, dtype=dtype, device=f.device)
        relevance += torch.bmm(f_hat_pad * keep, y_pad.transpose(1, 2)) * off_diagonal
        counts += torch.bmm(pre_count_pad * keep, y_count.transpose(1, 2)) * off_diagonal

    # (iii) p0 = s1 = c not in {a, b}, c ~ a and c ~ b: centre a, slots (c, b)
    if k == 1 and n_blocks == 3:
        tri_mid, tri_pre, tri_suf = _triangles(pairs, nb, middle)
        flat = (pairs.dst[tri_pre] * width + nb.slot[tri_pre]) * width + nb.slot[
            nb.reverse[tri_mid]
        ]
        flat_t = idx(flat)
        for s in range(0, tri_mid.size, chunk):
            part = slice(s, s + chunk)
            back = ker.edge_sum_transpose(k, tri_mid[part], g_tilde[idx(tri_suf[part])])
            values = (f_hat[idx(tri_pre[part])] * back).sum(-1)
            relevance.view(-1).index_add_(0, flat_t[part], values)
        counts.view(-1).index_add_(0, flat_t, torch.ones(flat.size, dtype=dtype, device=f.device))
    return CentreSums(relevance, counts), nb


def _triangles(
    pairs: BeadPairs, nb: Neighbourhoods, middle: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Items (middle pair (b <- a), prefix pair (a <- c), suffix pair (c <- b)), c not in {a, b}.

    Returns three (n_items,) arrays of pair indices.
    """
    n = pairs.n_beads
    a, b = pairs.src[middle], pairs.dst[middle]
    counts = nb.row_ptr[a + 1] - nb.row_ptr[a]
    item = np.repeat(np.arange(middle.size), counts)
    start = np.repeat(nb.row_ptr[a], counts)
    pre = start + np.arange(item.size) - np.repeat(np.cumsum(counts) - counts, counts)
    c = pairs.src[pre]
    keys = pairs.dst * n + pairs.src
    wanted = c * n + b[item]
    suf = np.minimum(np.searchsorted(keys, wanted), keys.size - 1)
    ok = (keys[suf] == wanted) & (c != a[item]) & (c != b[item])
    return middle[item[ok]], pre[ok], suf[ok]


def exact_set_sums_from_centres(
    sums: CentreSums, nb: Neighbourhoods, pairs: BeadPairs
) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Read the 1-, 2- and 3-body sums off the centre-slot matrices.

    Returns:
        ``{order: (beads (n_sets, order) ascending, relevance sums, walk counts)}`` for
        orders 1, 2, 3, the sets with at least one walk, in lexicographic order (the format
        of :func:`cgexplain.lrp.nbody.exact_set_sums`).
    """
    n, width = pairs.n_beads, nb.width
    rel = sums.relevance.detach().double().cpu().numpy()
    cnt = np.rint(sums.counts.detach().double().cpu().numpy()).astype(np.int64)
    beads = np.arange(n)
    xs, ss = beads, nb.self_slot
    out = {1: (beads[:, None], rel[xs, ss, ss], cnt[xs, ss, ss])}

    # members of every (centre, slot): -1 on padding
    member = np.full((n, width), -1, dtype=np.int64)
    member[pairs.dst, nb.slot] = pairs.src

    # pairs {x, y}: entries (y, y), (x, y), (y, x) at centre x, merged at min(x, y)
    nbr = np.flatnonzero(pairs.dst != pairs.src)
    x, y, sy = pairs.dst[nbr], pairs.src[nbr], nb.slot[nbr]
    sx = nb.self_slot[x]
    pair_rel = rel[x, sy, sy] + rel[x, sx, sy] + rel[x, sy, sx]
    pair_cnt = cnt[x, sy, sy] + cnt[x, sx, sy] + cnt[x, sy, sx]
    lower = x < y
    pair_rel = pair_rel[lower] + pair_rel[~lower][_order_of_reverse(nbr, lower, nb)]
    pair_cnt = pair_cnt[lower] + pair_cnt[~lower][_order_of_reverse(nbr, lower, nb)]
    keep = pair_cnt > 0
    out[2] = (np.stack([x[lower], y[lower]], axis=1)[keep], pair_rel[keep], pair_cnt[keep])

    # triples {x, u, v}: (u, v) + (v, u) at centre x for slots u < v, neither the centre
    iu, iv = np.triu_indices(width, k=1)
    tri_rel = rel[:, iu, iv] + rel[:, iv, iu]
    tri_cnt = cnt[:, iu, iv] + cnt[:, iv, iu]
    centre = np.repeat(beads, iu.size)
    bu, bv = member[:, iu].reshape(-1), member[:, iv].reshape(-1)
    tri_rel, tri_cnt = tri_rel.reshape(-1), tri_cnt.reshape(-1)
    valid = (bu >= 0) & (bv >= 0) & (bu != centre) & (bv != centre) & (tri_cnt > 0)
    centre, bu, bv, tri_rel, tri_cnt = (a[valid] for a in (centre, bu, bv, tri_rel, tri_cnt))
    members = np.sort(np.stack([centre, bu, bv], axis=1), axis=1)
    key = (members[:, 0] * n + members[:, 1]) * n + members[:, 2]
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    out[3] = (
        members[first],
        np.bincount(inverse, weights=tri_rel, minlength=uniq.size),
        np.bincount(inverse, weights=tri_cnt, minlength=uniq.size).astype(np.int64),
    )
    return out


def _order_of_reverse(nbr: np.ndarray, lower: np.ndarray, nb: Neighbourhoods) -> np.ndarray:
    """Positions in the upper (x > y) entries of the reverse of each lower (x < y) entry."""
    upper_ids = nbr[~lower]
    position = np.empty(nb.reverse.size, dtype=np.int64)
    position[upper_ids] = np.arange(upper_ids.size)
    return position[nb.reverse[nbr[lower]]]
