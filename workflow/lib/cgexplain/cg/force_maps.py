"""Force maps of lower noise with the same mean force (statistically optimal aggregation).

A linear CG map sends atom positions r to bead positions R = C r and atom forces f to
bead forces F = D f (:class:`cgexplain.cg.mapping.LinearMap`). Force matching learns the
mean force, the conditional expectation E[F | R] (Noid et al., J. Chem. Phys. 128,
244114 (2008)). Every D that moves each bead by itself and no other bead, and that is
tangent to the holonomic constraints, gives the same mean force (Ciccotti, Kapral &
Vanden-Eijnden, ChemPhysChem 6, 1809 (2005); Krämer et al., J. Chem. Theory Comput. 19,
3496 (2023)):

* Σ_a D_Ia C_Ja = δ_IJ (a bead's own position atoms carry weight 1, other beads' 0);
* D_Ia is equal for all atoms a of a constrained group (atoms joined by rigid bonds
  move as one, so the constraint forces, equal and opposite within a group, cancel).

The weights of every other group are free. They change the fluctuation of F about its
mean, and so the noise force matching must average out. The statistically optimal map
chooses them to minimise E|F_I|² over the reference frames, for each bead I
independently (Krämer et al. 2023). With group forces φ_g = Σ_{a∈g} f_a, the own group
o(I) fixed at weight 1 and candidate groups G_I free, F_I = φ_o + Σ_{g∈G_I} w_g φ_g, and
the minimiser solves the normal equations

    (K_GG + λ s 1) w = -K_Go,  K_gh = Σ_frames Σ_xyz φ_g · φ_h,  s = tr(K_GG) / |G_I|,

a ridge-regularised least-squares problem (λ = ``ridge``) on one Gram matrix K of all
group forces, accumulated over frames in chunks (memory independent of the number of
frames). The basic aggregated map is the member with w = 0, so the optimum cannot be
noisier on the frames it was fitted to.

Maps here are (n_beads, n_groups) weight matrices W; ``W[:, group_of_atom]`` is D.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cgexplain.cg.mapping import LinearMap
from cgexplain.io import InputError

__all__ = [
    "ForceMapFit",
    "GroupGram",
    "bead_groups",
    "check_force_map",
    "compare_force_maps",
    "constraint_groups",
    "fit_frames",
    "fit_optimal_weights",
    "force_map_choice",
    "group_weights",
    "hydrogen_constraints",
    "neighbor_candidates",
    "residue_groups",
]


def constraint_groups(n_atoms: int, constrained: np.ndarray) -> np.ndarray:
    """Constrained groups: connected components of the graph of constrained atom pairs.

    Args:
        n_atoms: number of atoms.
        constrained: (n_pairs, 2) atom pairs held at fixed distance.

    Returns:
        (n_atoms,) group id of each atom, 0..n_groups-1 in order of each group's first
        atom; an unconstrained atom is a group of its own.
    """
    parent = np.arange(n_atoms)

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in np.asarray(constrained, dtype=np.int64).reshape(-1, 2):
        if not (0 <= a < n_atoms and 0 <= b < n_atoms):
            raise InputError(f"constrained pair ({a}, {b}) is outside the {n_atoms} atoms")
        ra, rb = root(int(a)), root(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([root(a) for a in range(n_atoms)])
    _, groups = np.unique(roots, return_inverse=True)
    return groups.astype(np.int64)


def hydrogen_constraints(bonds: np.ndarray, atomic_numbers: np.ndarray) -> np.ndarray:
    """The bonds OpenMM's ``constraints=HBonds`` makes rigid: those with a hydrogen.

    Args:
        bonds: (n_bonds, 2) bonded atom pairs; atomic_numbers: (n_atoms,).

    Returns:
        (n_constrained, 2) atom pairs.
    """
    bonds = np.asarray(bonds, dtype=np.int64).reshape(-1, 2)
    z = np.asarray(atomic_numbers)
    return bonds[(z[bonds[:, 0]] == 1) | (z[bonds[:, 1]] == 1)]


def bead_groups(position_map: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """(n_beads,) the constrained group that holds each bead's position atoms.

    Raises:
        InputError: a bead's position atoms span several groups, or a group holds the
            position atoms of two beads (no force map can then move one bead alone
            within the constraints, with group weights).
    """
    own = np.empty(position_map.shape[0], dtype=np.int64)
    for i, row in enumerate(position_map):
        found = np.unique(groups[np.flatnonzero(row)])
        if found.size != 1:
            raise InputError(
                f"bead {i}: its position atoms lie in {found.size} constrained groups"
            )
        own[i] = found[0]
    taken, counts = np.unique(own, return_counts=True)
    if (counts > 1).any():
        raise InputError(f"constrained groups {taken[counts > 1].tolist()} hold several beads")
    return own


def group_weights(force_map: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """(n_beads, n_groups) weights of a force map that is constant within each group.

    Raises:
        InputError: the map gives two atoms of one group different weights.
    """
    n_groups = int(groups.max()) + 1
    weights = np.zeros((force_map.shape[0], n_groups))
    weights[:, groups] = force_map
    if not np.allclose(weights[:, groups], force_map, rtol=0, atol=1e-12):
        raise InputError("the force map weighs atoms of one constrained group differently")
    return weights


def check_force_map(position_map: np.ndarray, force_map: np.ndarray, groups: np.ndarray) -> None:
    """Raise unless ``force_map`` gives the mean force of ``position_map`` (module docstring).

    Checks Σ_a D_Ia C_Ja = δ_IJ and equal weights within every constrained group.

    Raises:
        InputError: naming the first violated condition.
    """
    group_weights(force_map, groups)
    product = force_map @ position_map.T
    if not np.allclose(product, np.eye(product.shape[0]), rtol=0, atol=1e-9):
        i, j = np.argwhere(~np.isclose(product, np.eye(product.shape[0]), rtol=0, atol=1e-9))[0]
        raise InputError(f"force map: bead {i} weighs bead {j}'s position atoms {product[i, j]:g}")


class GroupGram:
    """Gram matrix K_gh = Σ_frames Σ_xyz φ_g·φ_h of the group forces, built in chunks.

    Args:
        groups: (n_atoms,) group of each atom (:func:`constraint_groups`).
    """

    def __init__(self, groups: np.ndarray) -> None:
        self.groups = np.asarray(groups, dtype=np.int64)
        self.n_groups = int(self.groups.max()) + 1
        self.gram = np.zeros((self.n_groups, self.n_groups))
        self.n_frames = 0

    def group_forces(self, forces: np.ndarray) -> np.ndarray:
        """(n_frames, n_atoms, 3) kcal/mol/Å -> (n_frames, n_groups, 3) summed per group."""
        forces = np.asarray(forces, dtype=np.float64)
        out = np.zeros((forces.shape[0], self.n_groups, 3))
        np.add.at(out, (slice(None), self.groups), forces)
        return out

    def add(self, forces: np.ndarray) -> None:
        """Accumulate the frames of (n_frames, n_atoms, 3) forces, kcal/mol/Å."""
        if forces.ndim != 3 or forces.shape[1:] != (self.groups.size, 3):
            raise InputError(
                f"forces have shape {forces.shape}, expected (frames, {self.groups.size}, 3)"
            )
        if not np.isfinite(forces).all():
            raise InputError("forces hold NaN or infinite values")
        phi = self.group_forces(forces)
        self.gram += np.einsum("fgx,fhx->gh", phi, phi, optimize=True)
        self.n_frames += forces.shape[0]

    def mean_sq_force(self, weights: np.ndarray) -> float:
        """Mean of F² over beads, frames and components of the map ``weights`` (n_beads, n_groups).

        Returns:
            kcal²/mol²/Å².
        """
        if self.n_frames == 0:
            raise ValueError("no frames accumulated")
        total = np.einsum("bg,gh,bh->", weights, self.gram, weights, optimize=True)
        return float(total / (weights.shape[0] * self.n_frames * 3))


def neighbor_candidates(
    own: np.ndarray, group_residue: np.ndarray, bead_residue: np.ndarray, neighbors: int
) -> list[np.ndarray]:
    """Free groups of each bead: those of residues within ``neighbors`` of the bead's.

    Args:
        own: (n_beads,) each bead's own group (:func:`bead_groups`); never free.
        group_residue: (n_groups,) residue (or molecule) of each group; a group whose
            atoms span residues (e.g. a disulfide constraint) takes its first atom's.
        bead_residue: (n_beads,) residue of each bead.
        neighbors: residues on either side (0: the bead's own residue only).

    Returns:
        n_beads arrays of group ids.
    """
    fixed = np.zeros(group_residue.size, dtype=bool)
    fixed[own] = True
    return [
        np.flatnonzero((np.abs(group_residue - r) <= neighbors) & ~fixed) for r in bead_residue
    ]


@dataclass(frozen=True)
class ForceMapFit:
    """An optimised force map.

    Attributes:
        weights: (n_beads, n_groups) group weights (own group 1, free groups fitted).
        force_map: (n_beads, n_atoms) the same map per atom, D = weights[:, groups].
    """

    weights: np.ndarray
    force_map: np.ndarray


def fit_optimal_weights(
    gram: GroupGram,
    own: np.ndarray,
    candidates: Sequence[np.ndarray],
    ridge: float = 1e-6,
) -> ForceMapFit:
    """Minimum-variance force map from a Gram matrix of group forces (module docstring).

    Args:
        gram: accumulated over the frames the map is fitted to.
        own: (n_beads,) own group of each bead, weight fixed to 1.
        candidates: free groups of each bead (no bead's own group among them).
        ridge: λ, relative to the mean diagonal of the bead's block.

    Returns:
        :class:`ForceMapFit`.
    """
    if gram.n_frames == 0:
        raise ValueError("no frames accumulated")
    if ridge < 0:
        raise ValueError("ridge must be >= 0")
    own = np.asarray(own, dtype=np.int64)
    weights = np.zeros((own.size, gram.n_groups))
    weights[np.arange(own.size), own] = 1.0
    own_set = set(own.tolist())
    for i, free in enumerate(candidates):
        free = np.asarray(free, dtype=np.int64)
        if own_set.intersection(free.tolist()):
            raise InputError(f"bead {i}: a bead's own group cannot be a free group")
        if free.size == 0:
            continue
        block = gram.gram[np.ix_(free, free)]
        scale = np.trace(block) / free.size
        if scale <= 0:
            continue  # these groups never feel a force: any weight is as good as 0
        rhs = -gram.gram[free, own[i]]
        weights[i, free] = np.linalg.solve(block + ridge * scale * np.eye(free.size), rhs)
    return ForceMapFit(weights, weights[:, gram.groups])


def fit_frames(n_frames: int, block: int) -> np.ndarray:
    """(n_frames,) True on the frames a map is fitted to: alternate blocks of ``block`` frames.

    The other blocks are held out, so that a map's noise is also measured on frames it
    was not fitted to; consecutive frames are correlated, hence blocks, not single frames.
    """
    if block < 1:
        raise ValueError("block must be >= 1")
    return (np.arange(n_frames) // block) % 2 == 0


def compare_force_maps(
    position_map: np.ndarray,
    basic_force_map: np.ndarray,
    groups: np.ndarray,
    candidates: Sequence[np.ndarray],
    forces: np.ndarray,
    ridge: float = 1e-6,
    block: int = 10,
    chunk: int = 256,
) -> tuple[ForceMapFit, list[dict]]:
    """Fit the optimised map on alternate blocks of frames and compare it with the basic map.

    Args:
        position_map: (n_beads, n_atoms) C; basic_force_map: (n_beads, n_atoms) D of the
            basic aggregated map (checked like the optimised one).
        groups: (n_atoms,) constrained groups; candidates: free groups of each bead.
        forces: (n_frames, n_atoms, 3) all-atom forces, kcal/mol/Å (an array or an
            h5py dataset: read ``chunk`` frames at a time).
        ridge: :func:`fit_optimal_weights`; block: :func:`fit_frames`.

    Returns:
        The optimised map (fitted on the fit frames) and one row per map (``basic``,
        ``optimized``): ``map``, ``mean_sq_force`` (all frames), ``mean_sq_force_fit``,
        ``mean_sq_force_heldout`` (kcal²/mol²/Å², mean over beads, frames, components),
        ``n_frames``, ``free_weights`` (fitted weights, summed over beads).
    """
    check_force_map(position_map, basic_force_map, groups)
    own = bead_groups(position_map, groups)
    n_frames = forces.shape[0]
    if n_frames < 2:
        raise InputError(f"{n_frames} frame(s): too few to fit a force map")
    on_fit = fit_frames(n_frames, block)
    fit, held = GroupGram(groups), GroupGram(groups)
    for start in range(0, n_frames, chunk):
        part = np.asarray(forces[start : start + chunk], dtype=np.float64)
        mask = on_fit[start : start + chunk]
        fit.add(part[mask])
        if (~mask).any():
            held.add(part[~mask])
    result = fit_optimal_weights(fit, own, candidates, ridge)
    n_free = int(sum(len(c) for c in candidates))
    check_force_map(position_map, result.force_map, groups)
    both = GroupGram(groups)
    both.gram, both.n_frames = fit.gram + held.gram, fit.n_frames + held.n_frames
    rows = []
    for name, weights in (
        ("basic", group_weights(basic_force_map, groups)),
        ("optimized", result.weights),
    ):
        rows.append(
            {
                "map": name,
                "mean_sq_force": both.mean_sq_force(weights),
                "mean_sq_force_fit": fit.mean_sq_force(weights),
                "mean_sq_force_heldout": held.mean_sq_force(weights) if held.n_frames else np.nan,
                "n_frames": n_frames,
                "free_weights": n_free if name == "optimized" else 0,
            }
        )
    return result, rows


def residue_groups(
    n_atoms: int, constrained: np.ndarray, atom_residues: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Constrained groups and the residue (or molecule) each belongs to.

    Args:
        n_atoms: number of atoms; constrained: (n_pairs, 2) rigid atom pairs.
        atom_residues: (n_atoms,) residue or molecule of each atom.

    Returns:
        ``groups`` (n_atoms,) and ``group_residue`` (n_groups,), the residue of each
        group's first atom.
    """
    groups = constraint_groups(n_atoms, constrained)
    atom_residues = np.asarray(atom_residues, dtype=np.int64)
    if atom_residues.shape != (n_atoms,):
        raise InputError(f"atom_residues has shape {atom_residues.shape}, expected ({n_atoms},)")
    group_residue = np.empty(int(groups.max()) + 1, dtype=np.int64)
    group_residue[groups[::-1]] = atom_residues[::-1]  # the first atom of each group wins
    return groups, group_residue


def force_map_choice(
    cg_map: LinearMap,
    groups: np.ndarray,
    group_residue: np.ndarray,
    bead_residue: np.ndarray,
    forces: np.ndarray,
    kind: str = "auto",
    neighbors: int = 1,
    ridge: float = 1e-6,
    block: int = 10,
) -> tuple[LinearMap, list[dict]]:
    """Compare the basic map of ``cg_map`` with its optimised variant and pick one.

    Args:
        cg_map: the basic aggregated map (positions and forces).
        groups, group_residue: :func:`residue_groups`; bead_residue: (n_beads,).
        forces: (n_frames, n_atoms, 3) all-atom forces, kcal/mol/Å.
        kind: ``optimized``, ``basic``, or ``auto``: the optimised map where its mean
            squared force on the held-out frames is below the basic map's (with too few
            frames a fit of many weights can be noisier on frames it has not seen).
        neighbors: free groups of a bead are those within this many residues
            (:func:`neighbor_candidates`); ridge, block: :func:`compare_force_maps`.

    Returns:
        The chosen map (same positions; ``name`` says which force map; bead masses stay
        those of the basic map) and the rows of :func:`compare_force_maps` with
        ``chosen`` (bool), ``neighbors``, ``ridge`` and ``fit_block`` added.
    """
    if kind not in ("auto", "optimized", "basic"):
        raise InputError(f"force map kind {kind!r}: expected 'auto', 'optimized' or 'basic'")
    if neighbors < 0:
        raise InputError(f"neighbors must be >= 0, got {neighbors}")
    own = bead_groups(cg_map.position_map, groups)
    candidates = neighbor_candidates(own, group_residue, np.asarray(bead_residue), neighbors)
    fit, rows = compare_force_maps(
        cg_map.position_map, cg_map.force_map, groups, candidates, forces, ridge, block
    )
    basic, optimized = rows
    if kind == "auto":
        key = (
            "mean_sq_force_heldout"
            if np.isfinite(basic["mean_sq_force_heldout"])
            else "mean_sq_force"
        )
        kind = "optimized" if optimized[key] < basic[key] else "basic"
    for row in rows:
        row["chosen"] = row["map"] == kind
        row["neighbors"], row["ridge"], row["fit_block"] = neighbors, ridge, block
    if kind == "basic" or optimized["free_weights"] == 0:
        return cg_map, rows  # no free group: the optimised map is the basic one
    return cg_map.with_force_map(fit.force_map, "optimized aggregated"), rows
