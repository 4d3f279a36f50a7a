"""Physical prior of a Cα chain: harmonic bonds and angles, dihedral Fourier series,
and a short-range repulsion, fitted by Boltzmann inversion.

The prior carries the parts of the CG free energy a network learns poorly from limited
data (chain connectivity, excluded volume); the network learns the rest (delta learning,
as in CGSchNet: Husic et al., J. Chem. Phys. 153, 194101, 2020; and in the study:
Bonneau et al., Nat. Commun. 2025). Terms, with r in Å, angles in radians, energies in
kcal/mol:

- bonds (i, i+1):           U = k_b / 2 (r - r_0)^2
- angles (i, i+1, i+2):     U = k_a / 2 (θ - θ_0)^2
- dihedrals (i, ..., i+3):  U = Σ_n [a_n cos(nφ) + b_n sin(nφ)],  n = 1..n_terms
- pairs |i - j| >= 3:       U = k_r ReLU(σ - r)^3, σ per pair of bead types

Boltzmann inversion: U(x) = -kT ln[P(x) / J(x)] with the Jacobian J = r² (bonds),
sin θ (angles), 1 (dihedrals), fitted by least squares on populated histogram bins
weighted by their counts. Parameters are per chain position (one protein sequence).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from torch import nn

from cgexplain import columns as col
from cgexplain.units import KB_KCAL_PER_MOL_K

# ----------------------------------------------------------------- internal coordinates


def bond_lengths(positions: torch.Tensor) -> torch.Tensor:
    """(..., N, 3) Å -> (..., N-1) distances of consecutive beads, Å."""
    return (positions[..., 1:, :] - positions[..., :-1, :]).norm(dim=-1)


def bond_angles(positions: torch.Tensor) -> torch.Tensor:
    """(..., N, 3) -> (..., N-2) angles at bead i+1 of (i, i+1, i+2), radians."""
    a = positions[..., :-2, :] - positions[..., 1:-1, :]
    b = positions[..., 2:, :] - positions[..., 1:-1, :]
    cos = (a * b).sum(-1) / (a.norm(dim=-1) * b.norm(dim=-1))
    return torch.arccos(cos.clamp(-1.0 + 1e-7, 1.0 - 1e-7))


def dihedral_angles(positions: torch.Tensor) -> torch.Tensor:
    """(..., N, 3) -> (..., N-3) dihedrals of (i, i+1, i+2, i+3) in (-π, π] (IUPAC sign)."""
    b0 = positions[..., 1:-2, :] - positions[..., :-3, :]
    b1 = positions[..., 2:-1, :] - positions[..., 1:-2, :]
    b2 = positions[..., 3:, :] - positions[..., 2:-1, :]
    n1 = torch.linalg.cross(b0, b1)
    n2 = torch.linalg.cross(b1, b2)
    x = (n1 * n2).sum(-1)
    y = b1.norm(dim=-1) * (b0 * n2).sum(-1)
    return torch.atan2(y, x)


def nonbonded_pairs(n_beads: int, min_separation: int = 3) -> np.ndarray:
    """(n_pairs, 2) bead pairs with ``j - i >= min_separation``."""
    i, j = np.triu_indices(n_beads, k=min_separation)
    return np.stack([i, j], axis=1)


# ------------------------------------------------------------------ Boltzmann inversion


def boltzmann_inversion(
    samples: np.ndarray, edges: np.ndarray, temperature: float, jacobian: str = "none"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Potential of mean force of one coordinate from its samples.

    Args:
        samples: (n,) values of the coordinate.
        edges: histogram bin edges.
        temperature: K.
        jacobian: ``"r2"`` (distances), ``"sin"`` (angles) or ``"none"`` (dihedrals).

    Returns:
        ``(centres, U, counts)`` over populated bins, U in kcal/mol (minimum 0).
    """
    counts, edges = np.histogram(samples, bins=edges)
    centres = 0.5 * (edges[1:] + edges[:-1])
    keep = counts > 0
    density = counts[keep] / (counts.sum() * np.diff(edges)[keep])
    x = centres[keep]
    if jacobian == "r2":
        density = density / x**2
    elif jacobian == "sin":
        density = density / np.clip(np.sin(x), 1e-6, None)
    elif jacobian != "none":
        raise ValueError(f"unknown jacobian {jacobian!r}")
    pmf = -KB_KCAL_PER_MOL_K * temperature * np.log(density)
    return x, pmf - pmf.min(), counts[keep]


def fit_harmonic(
    samples: np.ndarray, temperature: float, jacobian: str, n_bins: int | None = None
) -> tuple[float, float]:
    """Harmonic ``k/2 (x - x0)^2`` fitted to the Boltzmann-inverted histogram.

    Args:
        samples: (n,) values of the coordinate.
        temperature: K.
        jacobian: see :func:`boltzmann_inversion`.
        n_bins: histogram bins (default: sqrt(n) clipped to 10..60).

    Returns:
        ``(k, x0)``, k in kcal/mol per unit of x squared. When the inverted histogram is
        not convex (too few samples), or the fitted minimum lies outside the sampled
        range (a bimodal coordinate, e.g. an angle that is helical in some frames and
        extended in others), the Gaussian moments ``kT / var``, ``mean``.
    """
    samples = np.asarray(samples, dtype=float)
    if n_bins is None:
        n_bins = int(np.clip(np.sqrt(samples.size), 10, 60))
    low, high = np.quantile(samples, [0.001, 0.999])
    pad = 0.1 * (high - low) + 1e-9
    x, pmf, counts = boltzmann_inversion(
        samples, np.linspace(low - pad, high + pad, n_bins + 1), temperature, jacobian
    )
    if x.size < 3:
        raise ValueError("too few populated bins for a harmonic fit")
    centre = samples.mean()
    a, b, _ = np.polyfit(x - centre, pmf, 2, w=np.sqrt(counts))
    x0 = centre - b / (2.0 * a) if a > 0 else np.nan
    if not low <= x0 <= high:  # not convex, or its minimum outside the sampled range
        return float(KB_KCAL_PER_MOL_K * temperature / samples.var()), float(centre)
    return float(2.0 * a), float(x0)


def fourier_design(phi: np.ndarray, n_terms: int) -> np.ndarray:
    """(n, 2 n_terms) columns cos(nφ), sin(nφ), n = 1..n_terms."""
    n = np.arange(1, n_terms + 1)
    return np.concatenate([np.cos(np.outer(phi, n)), np.sin(np.outer(phi, n))], axis=1)


def fit_fourier(
    samples: np.ndarray,
    temperature: float,
    n_terms: int = 3,
    n_bins: int = 72,
    pseudo_count: float = 1.0,
) -> np.ndarray:
    """Dihedral Fourier series fitted to the Boltzmann-inverted histogram.

    Every bin of the full circle enters the fit, with ``pseudo_count`` added to its count,
    so angles never sampled get a finite barrier of about kT ln(n / pseudo_count) instead
    of leaving the fit unconstrained there (a few hundred frames populate only part of
    the circle; a fit to the populated bins alone then diverges between them). On the
    uniform grid the least-squares fit is a discrete Fourier projection: the coefficients
    are bounded by the largest barrier.

    Returns:
        (2 n_terms,) coefficients ``[a_1..a_n, b_1..b_n]`` (kcal/mol); the constant is
        dropped (it does not change forces).
    """
    samples = np.asarray(samples, dtype=float)
    counts, edges = np.histogram(samples, bins=np.linspace(-np.pi, np.pi, n_bins + 1))
    x = 0.5 * (edges[1:] + edges[:-1])
    density = (counts + pseudo_count) / (counts.sum() + pseudo_count * n_bins)
    pmf = -KB_KCAL_PER_MOL_K * temperature * np.log(density)
    design = np.concatenate([fourier_design(x, n_terms), np.ones((x.size, 1))], axis=1)
    coeffs, *_ = np.linalg.lstsq(design, pmf - pmf.min(), rcond=None)
    return coeffs[:-1]


# ----------------------------------------------------------------------- the prior


@dataclass
class PriorParameters:
    """Fitted prior of one chain (see the module docstring for the functional forms).

    Attributes:
        bond_k (N-1,) kcal/mol/Å², bond_r0 (N-1,) Å; angle_k (N-2,) kcal/mol/rad²,
        angle_theta0 (N-2,) rad; dihedral (N-3, 2 n_terms) kcal/mol;
        repulsion_sigma (n_pairs,) Å for ``pairs`` (n_pairs, 2); repulsion_k kcal/mol/Å³.
    """

    bond_k: np.ndarray
    bond_r0: np.ndarray
    angle_k: np.ndarray
    angle_theta0: np.ndarray
    dihedral: np.ndarray
    pairs: np.ndarray
    repulsion_sigma: np.ndarray
    repulsion_k: float = 20.0
    temperature: float = 350.0
    extra: dict = field(default_factory=dict)

    def table(self, bead_types: np.ndarray | None = None) -> pd.DataFrame:
        """Readable long table: ``term, beads, types, parameter, value, unit``."""
        rows = []

        def name(beads):
            return "-".join(str(b) for b in beads)

        def types(beads):
            return "-".join(str(bead_types[b]) for b in beads) if bead_types is not None else ""

        for i, (k, r0) in enumerate(zip(self.bond_k, self.bond_r0, strict=True)):
            beads = (i, i + 1)
            rows += [
                ("bond", name(beads), types(beads), "k", k, "kcal/mol/Å²"),
                ("bond", name(beads), types(beads), "r0", r0, "Å"),
            ]
        for i, (k, t0) in enumerate(zip(self.angle_k, self.angle_theta0, strict=True)):
            beads = (i, i + 1, i + 2)
            rows += [
                ("angle", name(beads), types(beads), "k", k, "kcal/mol/rad²"),
                ("angle", name(beads), types(beads), "theta0", np.degrees(t0), "deg"),
            ]
        n_terms = self.dihedral.shape[1] // 2
        for i, coeffs in enumerate(self.dihedral):
            beads = (i, i + 1, i + 2, i + 3)
            for n in range(n_terms):
                rows += [
                    ("dihedral", name(beads), types(beads), f"a{n + 1}", coeffs[n], "kcal/mol"),
                    (
                        "dihedral",
                        name(beads),
                        types(beads),
                        f"b{n + 1}",
                        coeffs[n_terms + n],
                        "kcal/mol",
                    ),
                ]
        for (i, j), sigma in zip(self.pairs, self.repulsion_sigma, strict=True):
            rows.append(("repulsion", name((i, j)), types((i, j)), "sigma", sigma, "Å"))
        rows.append(("repulsion", "all", "", "k", self.repulsion_k, "kcal/mol/Å³"))
        return pd.DataFrame(rows, columns=list(col.PRIOR_COLUMNS))


def fit_prior(
    positions: np.ndarray,
    bead_types: np.ndarray,
    temperature: float,
    n_fourier: int = 3,
    repulsion_k: float = 20.0,
    min_separation: int = 3,
    max_sigma: float | None = None,
) -> PriorParameters:
    """Fit the chain prior to CG frames by Boltzmann inversion.

    Args:
        positions: (n_frames, N, 3) Å, a non-periodic chain.
        bead_types: (N,) bead types (e.g. residue identity); σ of the repulsion is set
            per unordered pair of types to the smallest distance seen for that pair.
        temperature: K.
        n_fourier: terms of the dihedral series.
        repulsion_k: kcal/mol/Å³.
        min_separation: pairs with ``j - i`` at least this feel the repulsion.
        max_sigma: optional cap on σ, Å. With limited data a pair of types seen only
            far apart (e.g. two residues that face each other only in unfolded
            conformations) would otherwise repel at tens of Å.

    Returns:
        :class:`PriorParameters`.
    """
    pos = torch.as_tensor(np.asarray(positions, dtype=np.float64))
    if pos.ndim != 3 or pos.shape[-1] != 3 or pos.shape[1] < 4:
        raise ValueError(f"positions must be (n_frames, N >= 4, 3), got {tuple(pos.shape)}")
    if not torch.isfinite(pos).all():
        raise ValueError("positions contain NaN or inf")
    bonds = bond_lengths(pos).numpy()
    angles = bond_angles(pos).numpy()
    dihedrals = dihedral_angles(pos).numpy()
    bond_fit = np.array(
        [fit_harmonic(bonds[:, b], temperature, "r2") for b in range(bonds.shape[1])]
    )
    angle_fit = np.array(
        [fit_harmonic(angles[:, a], temperature, "sin") for a in range(angles.shape[1])]
    )
    dihedral_fit = np.array(
        [fit_fourier(dihedrals[:, d], temperature, n_fourier) for d in range(dihedrals.shape[1])]
    )
    pairs = nonbonded_pairs(pos.shape[1], min_separation)
    distances = (pos[:, pairs[:, 0]] - pos[:, pairs[:, 1]]).norm(dim=-1).min(dim=0).values.numpy()
    types = np.asarray(bead_types)
    keys = [tuple(sorted((types[i], types[j]))) for i, j in pairs]
    smallest: dict[tuple, float] = {}
    for key, d in zip(keys, distances, strict=True):
        smallest[key] = min(d, smallest.get(key, np.inf))
    sigma = np.array([smallest[key] for key in keys])
    if max_sigma is not None:
        sigma = np.minimum(sigma, max_sigma)
    return PriorParameters(
        bond_k=bond_fit[:, 0],
        bond_r0=bond_fit[:, 1],
        angle_k=angle_fit[:, 0],
        angle_theta0=angle_fit[:, 1],
        dihedral=dihedral_fit,
        pairs=pairs,
        repulsion_sigma=sigma,
        repulsion_k=repulsion_k,
        temperature=temperature,
    )


class ChainPrior(nn.Module):
    """Prior energy of a chain as a torch module: positions (..., N, 3) Å -> (...) kcal/mol.

    Differentiable (forces by autograd); parameters are buffers, not trained.
    """

    def __init__(self, params: PriorParameters) -> None:
        super().__init__()
        as_t = lambda a: torch.as_tensor(np.asarray(a, dtype=np.float64))  # noqa: E731
        self.register_buffer("bond_k", as_t(params.bond_k))
        self.register_buffer("bond_r0", as_t(params.bond_r0))
        self.register_buffer("angle_k", as_t(params.angle_k))
        self.register_buffer("angle_theta0", as_t(params.angle_theta0))
        self.register_buffer("dihedral", as_t(params.dihedral))
        self.register_buffer("pairs", torch.as_tensor(params.pairs, dtype=torch.long))
        self.register_buffer("sigma", as_t(params.repulsion_sigma))
        self.repulsion_k = float(params.repulsion_k)

    def terms(self, positions: torch.Tensor) -> dict[str, torch.Tensor]:
        """Energy of each term, (...) kcal/mol each."""
        dtype = self.bond_k.dtype
        pos = positions.to(dtype)
        r = bond_lengths(pos)
        theta = bond_angles(pos)
        phi = dihedral_angles(pos)
        n_terms = self.dihedral.shape[1] // 2
        n = torch.arange(1, n_terms + 1, dtype=dtype, device=pos.device)
        nphi = phi[..., None] * n
        dihedral = (
            self.dihedral[:, :n_terms] * torch.cos(nphi)
            + self.dihedral[:, n_terms:] * torch.sin(nphi)
        ).sum((-1, -2))
        d = (pos[..., self.pairs[:, 0], :] - pos[..., self.pairs[:, 1], :]).norm(dim=-1)
        repulsion = self.repulsion_k * torch.relu(self.sigma - d).pow(3)
        return {
            "bonds": (0.5 * self.bond_k * (r - self.bond_r0) ** 2).sum(-1),
            "angles": (0.5 * self.angle_k * (theta - self.angle_theta0) ** 2).sum(-1),
            "dihedrals": dihedral,
            "repulsion": repulsion.sum(-1),
        }

    def forward(self, positions: torch.Tensor) -> torch.Tensor:
        return sum(self.terms(positions).values())

    def energy_and_forces(self, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(..., N, 3) Å -> energy (...) kcal/mol, forces (..., N, 3) kcal/mol/Å."""
        pos = positions.detach().to(self.bond_k.dtype).requires_grad_(True)
        energy = self(pos)
        (grad,) = torch.autograd.grad(energy.sum(), pos)
        return energy.detach(), -grad


# ------------------------------------------------------------------------ files, delta


def save_prior(path, params: PriorParameters) -> None:
    """Write prior parameters as JSON (arrays as lists), atomically."""
    from cgexplain.io import write_json

    write_json(
        path,
        {
            "bond_k": params.bond_k,
            "bond_r0": params.bond_r0,
            "angle_k": params.angle_k,
            "angle_theta0": params.angle_theta0,
            "dihedral": params.dihedral,
            "pairs": params.pairs,
            "repulsion_sigma": params.repulsion_sigma,
            "repulsion_k": params.repulsion_k,
            "temperature": params.temperature,
            "extra": params.extra,
        },
    )


def load_prior(path) -> PriorParameters:
    """Read prior parameters written by :func:`save_prior`.

    Raises:
        InputError: missing file or a field of the wrong shape.
    """
    import json
    from pathlib import Path

    from cgexplain.io import InputError

    path = Path(path)
    if not path.is_file():
        raise InputError(f"prior parameter file not found: {path}")
    data = json.loads(path.read_text())
    try:
        params = PriorParameters(
            bond_k=np.asarray(data["bond_k"], dtype=float),
            bond_r0=np.asarray(data["bond_r0"], dtype=float),
            angle_k=np.asarray(data["angle_k"], dtype=float),
            angle_theta0=np.asarray(data["angle_theta0"], dtype=float),
            dihedral=np.asarray(data["dihedral"], dtype=float).reshape(len(data["dihedral"]), -1),
            pairs=np.asarray(data["pairs"], dtype=np.int64).reshape(-1, 2),
            repulsion_sigma=np.asarray(data["repulsion_sigma"], dtype=float),
            repulsion_k=float(data["repulsion_k"]),
            temperature=float(data["temperature"]),
            extra=data.get("extra", {}),
        )
    except KeyError as err:
        raise InputError(f"{path}: prior field {err} missing") from err
    n_bonds = len(params.bond_k)
    if not (
        len(params.bond_r0) == n_bonds
        and len(params.angle_k) == len(params.angle_theta0) == n_bonds - 1
        and len(params.dihedral) == n_bonds - 2
        and len(params.pairs) == len(params.repulsion_sigma)
    ):
        raise InputError(f"{path}: prior fields have inconsistent lengths")
    return params


def prior_forces(prior: ChainPrior, positions: np.ndarray, batch: int = 256) -> np.ndarray:
    """Prior forces of many frames: (n_frames, N, 3) Å -> (n_frames, N, 3) kcal/mol/Å."""
    out = np.empty(np.shape(positions), dtype=np.float64)
    for start in range(0, len(positions), batch):
        pos = torch.as_tensor(np.asarray(positions[start : start + batch], dtype=np.float64))
        out[start : start + batch] = prior.energy_and_forces(pos)[1].numpy()
    return out
