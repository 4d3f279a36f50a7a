"""CG datasets in the format SchNetPack 2 trains from (an ASE SQLite database).

Each row holds one CG frame: bead positions (Å), bead types as ``numbers``, the
periodic cell (Å) with ``pbc``, and the property ``forces`` (kcal/mol/Å). The database
metadata records the units as :class:`schnetpack.data.ASEAtomsData` expects them, so
``schnetpack.data.ASEAtomsData(path)`` and ``AtomsDataModule`` read it directly.
Force matching needs no energies; none are stored.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from tqdm import tqdm

from cgexplain.io import Trajectory, atomic_output


def write_schnetpack_dataset(
    path: str | os.PathLike, traj: Trajectory, progress: bool = True
) -> Path:
    """Write a CG trajectory as a SchNetPack 2 ``ASEAtomsData`` database, atomically.

    Args:
        path: output ``.db`` file.
        traj: CG trajectory: positions (n_frames, n_beads, 3) Å, forces kcal/mol/Å,
            box (n_frames, 3, 3) Å, atomic_numbers (n_beads,) bead types.

    Returns:
        The path written.
    """
    from ase import Atoms
    from schnetpack.data import ASEAtomsData

    import cgexplain  # noqa: F401 - installs the SchNetPack import shim

    traj.validate()
    path = Path(path)
    with atomic_output(path) as tmp:
        dataset = ASEAtomsData.create(
            str(tmp),
            distance_unit="Ang",
            property_unit_dict={"forces": "kcal/mol/Ang"},
        )
        atoms_list, properties = [], []
        for f in tqdm(range(traj.n_frames), desc="dataset", disable=not progress, mininterval=5):
            atoms_list.append(
                Atoms(
                    numbers=traj.atomic_numbers,
                    positions=traj.positions[f],
                    cell=traj.box[f],
                    pbc=True,
                )
            )
            properties.append({"forces": np.asarray(traj.forces[f], dtype=np.float64)})
        dataset.add_systems(properties, atoms_list)
    return path
