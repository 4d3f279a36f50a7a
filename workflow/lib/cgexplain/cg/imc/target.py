"""The IMC's target and start: the reference g(r) on VOTCA's grid, where the grid starts,
and the initial potential by Boltzmann inversion."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cgexplain import columns as col
from cgexplain.io import InputError
from cgexplain.units import ANGSTROM_PER_NM, NM_PER_ANGSTROM


def core_start(
    rdf: pd.DataFrame, table_max: float, table_step: float, g_min: float = 1e-3
) -> float:
    """First distance of the IMC grid: the grid point (spaced ``table_step`` back from
    ``table_max``) just below the first bin where the target g(r) exceeds ``g_min``.

    Inside the excluded core no pair is ever sampled, the IMC equations have empty rows
    there, and an unregularised update diverges; VOTCA's own examples start the grid
    where g(r) starts (e.g. 0.24 nm for SPC/E water).

    Args:
        rdf: target RDF (``r`` Å bin centres, ``g``).
        table_max, table_step: Å.

    Returns:
        Å, > 0.
    """
    r = rdf[col.R].to_numpy(dtype=np.float64)
    g = rdf[col.G].to_numpy(dtype=np.float64)
    above = np.flatnonzero(g > g_min)
    if len(above) == 0:
        raise InputError("the target RDF never exceeds g_min: no liquid structure to fit")
    n_back = int(np.floor((table_max - r[above[0]]) / table_step)) + 1
    return round(max(table_max - n_back * table_step, table_step), 9)


def target_on_grid(rdf: pd.DataFrame, grid_nm: np.ndarray) -> np.ndarray:
    """The reference g(r) (bin centres ``r`` Å, ``g``) at VOTCA's grid points (nm).

    Linear interpolation between bin centres; zero below the first centre (excluded
    core), and beyond the last centre the last value.
    """
    r = rdf[col.R].to_numpy(dtype=np.float64) * NM_PER_ANGSTROM
    g = rdf[col.G].to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(g)):
        raise InputError("the target RDF contains NaN or infinite values")
    if grid_nm[-1] > r[-1] + (r[1] - r[0]):
        raise InputError(
            f"the target RDF ends at {r[-1] * ANGSTROM_PER_NM:.3f} Å, before the IMC table "
            f"({grid_nm[-1] * ANGSTROM_PER_NM:.3f} Å): raise structure.rdf_max or lower "
            "imc.table_max"
        )
    return np.interp(grid_nm, r, g, left=0.0, right=g[-1])


def boltzmann_inversion(
    r: np.ndarray, g: np.ndarray, kbt: float, g_min: float = 1e-3
) -> np.ndarray:
    """Potential of mean force U(r) = -k_B T ln g(r), the IMC initial guess.

    Where g < ``g_min`` (the excluded core) the inversion is undefined; there U
    continues the repulsive wall linearly with the slope of the first two defined
    points (at least k_B T per grid step), so the guess is finite and repulsive. U is
    shifted to zero at the last point.

    Args:
        r: (m,) grid.
        g: (m,) RDF on the grid.
        kbt: k_B T in the energy unit of the result.
        g_min: smallest g inverted.

    Returns:
        (m,) U(r).
    """
    r, g = np.asarray(r, dtype=np.float64), np.asarray(g, dtype=np.float64)
    valid = np.flatnonzero(g >= g_min)
    if len(valid) < 2:
        raise InputError("the target RDF has fewer than two points above g_min")
    u = np.empty_like(r)
    u[valid[0] :] = -kbt * np.log(np.maximum(g[valid[0] :], g_min))
    first = valid[0]
    step = r[first + 1] - r[first]
    slope = min((u[first + 1] - u[first]) / step, -kbt / step)  # dU/dr < 0 on the wall
    u[:first] = u[first] + slope * (r[:first] - r[first])
    return u - u[-1]
