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

from cgexplain.io import Trajectory, atomic_output, is_periodic


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
    from schnetpack import properties as props
    from schnetpack.data import ASEAtomsData

    import cgexplain  # noqa: F401 - installs the SchNetPack import shim

    traj.validate()
    path = Path(path)
    with atomic_output(path) as tmp:
        dataset = ASEAtomsData.create(
            str(tmp),
            distance_unit="Ang",
            property_unit_dict={props.forces: "kcal/mol/Ang"},
        )
        atoms_list, properties = [], []
        for f in tqdm(range(traj.n_frames), desc="dataset", disable=not progress, mininterval=5):
            atoms_list.append(
                Atoms(
                    numbers=traj.atomic_numbers,
                    positions=traj.positions[f],
                    cell=traj.box[f],
                    pbc=is_periodic(traj.box[f]),
                )
            )
            properties.append({props.forces: np.asarray(traj.forces[f], dtype=np.float64)})
        dataset.add_systems(properties, atoms_list)
    return path


#: arrays of an external Cα data set (NPZ); see :func:`load_external_calpha`
EXTERNAL_KEYS = ("positions", "forces", "residue_names")


def load_external_calpha(path: str | os.PathLike) -> Trajectory:
    """Cα coordinates and mapped forces produced elsewhere, as a non-periodic CG trajectory.

    The NPZ file holds ``positions`` (n_frames, N, 3) Å, ``forces`` (n_frames, N, 3)
    kcal/mol/Å (already mapped: the sum over each bead's atoms), ``residue_names`` (N,)
    three-letter codes, and optionally ``run_lengths`` (n_runs,) frames of each
    independent trajectory in order, ``time`` (n_frames,) ps and ``residue_numbers`` (N,).

    Raises:
        InputError: missing file, missing array, wrong shapes, NaNs, unknown residues.
    """
    from cgexplain.io import InputError
    from cgexplain.residues import AMINO_ACID_TYPES

    path = Path(path)
    if not path.is_file():
        raise InputError(f"external Cα data not found: {path}")
    with np.load(path, allow_pickle=False) as data:
        missing = [key for key in EXTERNAL_KEYS if key not in data]
        if missing:
            raise InputError(f"{path}: arrays {missing} missing (need {list(EXTERNAL_KEYS)})")
        arrays = {key: np.asarray(data[key]) for key in data.files}
    positions = arrays["positions"].astype(np.float64)
    forces = arrays["forces"].astype(np.float64)
    names = [str(r) for r in arrays["residue_names"]]
    if positions.ndim != 3 or positions.shape[-1] != 3 or forces.shape != positions.shape:
        raise InputError(
            f"{path}: positions {positions.shape} and forces {forces.shape} must both be "
            "(n_frames, N, 3)"
        )
    n_frames, n = positions.shape[:2]
    if len(names) != n:
        raise InputError(f"{path}: {len(names)} residue_names for {n} beads")
    unknown = sorted(set(names) - set(AMINO_ACID_TYPES))
    if unknown:
        raise InputError(f"{path}: unknown residue names {unknown}")
    run_lengths = [int(x) for x in arrays.get("run_lengths", [n_frames])]
    if sum(run_lengths) != n_frames:
        raise InputError(f"{path}: run_lengths sum to {sum(run_lengths)}, not {n_frames} frames")
    numbers = arrays.get("residue_numbers", np.arange(1, n + 1))
    traj = Trajectory(
        positions=positions,
        forces=forces,
        box=np.zeros((n_frames, 3, 3)),
        time=np.asarray(arrays.get("time", np.arange(n_frames, dtype=float)), dtype=float),
        potential_energy=np.full(n_frames, np.nan),
        atomic_numbers=np.array([AMINO_ACID_TYPES[r] for r in names], dtype=np.int64),
        masses=np.ones(n),
        molecule_index=np.arange(n),
        names=[f"{r}{k}" for r, k in zip(names, numbers, strict=True)],
        metadata={"source": {"external": str(path), "run_lengths": run_lengths}},
    )
    traj.validate()
    return traj
