"""Half pair lists against a brute-force matching of directed pairs, on small periodic boxes
with pairs through several images and periodic self-images."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from cgexplain.potentials.pairs import half_pairs


def directed_list(n: int, cell: np.ndarray, cutoff: float, seed: int):
    """All directed pairs (i, j, image) with |x_j - x_i + image @ cell| < cutoff, i.e.
    every image, self-images included; returned in a random order."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, 3)) @ cell
    reach = int(np.ceil(cutoff / np.linalg.svd(cell, compute_uv=False).min())) + 1
    rows = []
    for i, j in itertools.product(range(n), range(n)):
        for image in itertools.product(range(-reach, reach + 1), repeat=3):
            if i == j and not any(image):
                continue
            offset = np.asarray(image, dtype=float) @ cell
            if np.linalg.norm(x[j] - x[i] + offset) < cutoff:
                rows.append((i, j, *offset))
    rows = np.asarray(rows)[rng.permutation(len(rows))]
    idx_i = torch.as_tensor(rows[:, 0].astype(np.int64))
    idx_j = torch.as_tensor(rows[:, 1].astype(np.int64))
    return torch.as_tensor(x), idx_i, idx_j, torch.as_tensor(rows[:, 2:])


def reverse_by_brute_force(idx_i, idx_j, vectors) -> list[int]:
    """For each directed pair, the one pair j -> i at the negated vector."""
    rev = []
    for e in range(len(idx_i)):
        hits = [
            f
            for f in range(len(idx_i))
            if idx_i[f] == idx_j[e]
            and idx_j[f] == idx_i[e]
            and torch.allclose(vectors[f], -vectors[e], rtol=0, atol=1e-9)
        ]
        assert len(hits) == 1
        rev.append(hits[0])
    return rev


BOXES = {
    # name: (beads, cell, cutoff)
    "cubic, no self-images": (7, np.eye(3) * 7.0, 3.0),
    "small cubic, self-images and multiple images": (5, np.eye(3) * 4.0, 5.0),
    "triclinic, smaller than twice the cutoff": (
        4,
        np.array([[4.0, 0.0, 0.0], [1.3, 3.5, 0.0], [-0.7, 0.9, 3.8]]),
        4.5,
    ),
}


@pytest.mark.parametrize("name", list(BOXES))
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("use_vectors", [False, True])
def test_half_pairs_matches_brute_force(name, seed, use_vectors):
    n, cell, cutoff = BOXES[name]
    x, idx_i, idx_j, offsets = directed_list(n, cell, cutoff, seed)
    vectors = x[idx_j] - x[idx_i] + offsets if use_vectors else offsets
    self_images = int((idx_i == idx_j).sum())
    if name.startswith("small") or name.startswith("triclinic"):
        assert self_images > 0  # the case this test is about
        multi = len(set(zip(idx_i.tolist(), idx_j.tolist(), strict=True))) < len(idx_i)
        assert multi  # some pair of beads meets through several images
    half = half_pairs(idx_i, idx_j, vectors)
    rev = reverse_by_brute_force(idx_i, idx_j, vectors)
    e = len(idx_i)
    assert len(half.idx_i) == e // 2 and e % 2 == 0
    assert sorted(half.sign.tolist()) == [-1] * (e // 2) + [1] * (e // 2)
    for d in range(e):
        r = rev[d]
        assert half.index[d] == half.index[r]
        assert half.sign[d] == -half.sign[r]
        # the half entry, turned by the sign, is the directed pair itself
        h = int(half.index[d])
        c = int(half.directed[h])
        assert half.index[c] == h and half.sign[c] == 1
        assert (half.idx_i[h], half.idx_j[h]) == (idx_i[c], idx_j[c])
        assert half.idx_i[h] <= half.idx_j[h]
        torch.testing.assert_close(half.sign[d] * vectors[c], vectors[d], rtol=0, atol=1e-12)
        src, dst = (idx_i[d], idx_j[d]) if half.sign[d] > 0 else (idx_j[d], idx_i[d])
        assert (half.idx_i[h], half.idx_j[h]) == (src, dst)
    # distinct undirected pairs get distinct entries
    assert len({(min(d, rev[d]), int(half.index[d])) for d in range(e)}) == e // 2
    # the distance-dependent part computed on the half list equals the directed one
    r_half = x[half.idx_j] - x[half.idx_i] + offsets[half.directed]
    r_directed = x[idx_j] - x[idx_i] + offsets
    torch.testing.assert_close(
        half.sign[:, None] * r_half[half.index], r_directed, rtol=0, atol=1e-12
    )


def test_half_pairs_do_not_depend_on_the_edge_order():
    n, cell, cutoff = BOXES["small cubic, self-images and multiple images"]
    x, idx_i, idx_j, offsets = directed_list(n, cell, cutoff, 3)
    half = half_pairs(idx_i, idx_j, offsets)
    perm = torch.randperm(len(idx_i), generator=torch.Generator().manual_seed(0))
    other = half_pairs(idx_i[perm], idx_j[perm], offsets[perm])
    # the same undirected pairs, in the same (key) order, and the same signs per pair
    torch.testing.assert_close(other.idx_i, half.idx_i)
    torch.testing.assert_close(other.idx_j, half.idx_j)
    torch.testing.assert_close(offsets[perm][other.directed], offsets[half.directed])
    torch.testing.assert_close(other.index, half.index[perm])
    torch.testing.assert_close(other.sign, half.sign[perm])


def test_half_pairs_refuse_a_list_that_is_not_symmetric():
    n, cell, cutoff = BOXES["small cubic, self-images and multiple images"]
    _, idx_i, idx_j, offsets = directed_list(n, cell, cutoff, 4)
    self_pair = int((idx_i == idx_j).nonzero()[0, 0])
    reverse = (idx_i == idx_j[0]) & (idx_j == idx_i[0]) & (offsets == -offsets[0]).all(1)
    keep = ~reverse
    cases = {
        "a pair without its reverse": (idx_i[1:], idx_j[1:], offsets[1:]),
        "a pair listed twice": (
            torch.cat([idx_i, idx_i[:1]]),
            torch.cat([idx_j, idx_j[:1]]),
            torch.cat([offsets, offsets[:1]]),
        ),
        "a pair twice in place of its reverse": (
            torch.cat([idx_i[keep], idx_i[:1]]),
            torch.cat([idx_j[keep], idx_j[:1]]),
            torch.cat([offsets[keep], offsets[:1]]),
        ),
        "a self-image without its reverse": (
            torch.cat([idx_i[:self_pair], idx_i[self_pair + 1 :]]),
            torch.cat([idx_j[:self_pair], idx_j[self_pair + 1 :]]),
            torch.cat([offsets[:self_pair], offsets[self_pair + 1 :]]),
        ),
    }
    for i, j, v in cases.values():
        with pytest.raises(ValueError, match="not symmetric"):
            half_pairs(i, j, v)
    wrong = offsets.clone()
    distinct = int((idx_i != idx_j).nonzero()[0, 0])
    wrong[distinct] += torch.tensor([4.0, 0.0, 0.0])  # same beads, another image
    with pytest.raises(ValueError, match="not symmetric"):
        half_pairs(idx_i, idx_j, wrong)
    with pytest.raises(ValueError, match="itself at zero offset"):
        half_pairs(torch.tensor([0, 0]), torch.tensor([0, 0]), torch.zeros(2, 3))


def test_half_pairs_of_an_empty_list():
    half = half_pairs(
        torch.zeros(0, dtype=torch.long), torch.zeros(0, dtype=torch.long), torch.zeros(0, 3)
    )
    assert half.idx_i.numel() == half.index.numel() == 0
