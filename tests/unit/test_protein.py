"""NTL9 preparation from the unmodified RCSB entry 2HBA, shipped in resources/structures."""

from __future__ import annotations

import numpy as np
import pytest

from cgexplain.io import InputError
from cgexplain.md.protein import ONE_LETTER, prepare_structure

NTL9 = "MKVIFLKDVKGMGKKGEIKNVADGYANNFLFKQGLAIEA"
THREE_LETTER = {one: three for three, one in ONE_LETTER.items()}
#: hydrogens of each amino acid inside a chain at pH 7 (Lys, Arg charged; Asp, Glu not
#: protonated; His as HID); the charged N-terminus has 2 more, the C-terminal COO- none
HYDROGENS = {
    "ALA": 5, "ARG": 13, "ASN": 6, "ASP": 4, "CYS": 5, "GLN": 8, "GLU": 6, "GLY": 3,
    "HIS": 7, "ILE": 11, "LEU": 11, "LYS": 13, "MET": 9, "PHE": 9, "PRO": 7, "SER": 5,
    "THR": 7, "TRP": 10, "TYR": 9, "VAL": 9,
}  # fmt: skip


@pytest.fixture(scope="module")
def pdb_2hba(repo):
    """The RCSB entry as the repository ships it (the same bytes as ../shared/data's)."""
    pdb = repo / "resources" / "structures" / "2HBA.pdb"
    assert pdb.is_file(), f"{pdb} is part of the repository"
    return pdb


def _raw_calphas(pdb, chain="A", last=39):
    """Cα coordinates (Å) of chain ``chain`` residues 1..``last`` read from the PDB's
    ATOM records by column, without OpenMM (first alternate location)."""
    xyz = {}
    for line in pdb.read_text().splitlines():
        if line.startswith("ATOM") and line[12:16] == " CA " and line[21] == chain:
            number = int(line[22:26])
            if 1 <= number <= last and line[16] in " A" and number not in xyz:
                xyz[number] = [float(line[30:38]), float(line[38:46]), float(line[46:54])]
    assert sorted(xyz) == list(range(1, last + 1))
    return np.array([xyz[n] for n in range(1, last + 1)])


@pytest.fixture(scope="module")
def prepared(pdb_2hba, tmp_path_factory):
    out = tmp_path_factory.mktemp("ntl9") / "ntl9.pdb"
    return prepare_structure(pdb_2hba, out), out


def test_the_shipped_file_is_the_rcsb_entry_2hba(pdb_2hba):
    lines = pdb_2hba.read_text().splitlines()
    assert lines[0].startswith("HEADER") and lines[0][62:66] == "2HBA"
    seqres = {"A": [], "B": []}
    for line in lines:
        if line.startswith("SEQRES"):
            seqres[line[11]] += line[19:].split()
    assert seqres["A"] == seqres["B"] and len(seqres["A"]) == 52
    assert "".join(ONE_LETTER[r] for r in seqres["A"][:39]) == NTL9
    # the crystal Cα trace of residues 1-39: bonded neighbours 3.8 Å apart
    bonds = np.linalg.norm(np.diff(_raw_calphas(pdb_2hba), axis=0), axis=1)
    np.testing.assert_allclose(bonds, 3.8, atol=0.05)


def test_chain_a_residues_1_to_39_with_hydrogens(prepared, pdb_2hba):
    from openmm.app import PDBFile

    seq, path = prepared
    assert seq == NTL9
    top = PDBFile(str(path)).topology
    assert top.getNumChains() == 1 and top.getNumResidues() == 39
    residues = list(top.residues())
    assert [int(r.id) for r in residues] == list(range(1, 40))
    assert [r.name for r in residues] == [THREE_LETTER[c] for c in NTL9]
    # fully protonated at pH 7, residue by residue: charged N-terminus (NH3+), Lys (NZ H3)
    hydrogens = [sum(a.element.symbol == "H" for a in r.atoms()) for r in residues]
    expected = [HYDROGENS[r.name] for r in residues]
    expected[0] += 2
    assert hydrogens == expected and sum(hydrogens) == 321
    assert "OXT" in {a.name for a in residues[-1].atoms()}  # C-terminal oxygen added
    # every residue has its CA, no heteroatoms or waters kept
    assert all(any(a.name == "CA" for a in r.atoms()) for r in residues)
    assert not {"HOH", "ZN", "CL", "IMD"} & {r.name for r in residues}
    # the heavy atoms are the crystal's: the Cα trace is unmoved (PDB precision 1e-3 Å)
    pdb = PDBFile(str(path))
    xyz = np.array(pdb.positions.value_in_unit(pdb.positions.unit)) * 10.0  # nm -> Å
    ca = [a.index for a in top.atoms() if a.name == "CA"]
    np.testing.assert_allclose(xyz[ca], _raw_calphas(pdb_2hba), atol=1.5e-3)


def test_an_amber_force_field_accepts_it(prepared):
    from openmm import NonbondedForce
    from openmm.app import ForceField, NoCutoff, PDBFile
    from openmm.unit import elementary_charge

    pdb = PDBFile(str(prepared[1]))
    ff = ForceField("amber14-all.xml", "implicit/gbn2.xml")
    system = ff.createSystem(pdb.topology, nonbondedMethod=NoCutoff)
    assert system.getNumParticles() == pdb.topology.getNumAtoms() == 622
    # net charge at pH 7: 7 Lys + N-terminus - 2 Asp - 2 Glu - C-terminus = +3
    (nonbonded,) = [f for f in system.getForces() if isinstance(f, NonbondedForce)]
    charge = sum(
        nonbonded.getParticleParameters(i)[0].value_in_unit(elementary_charge)
        for i in range(nonbonded.getNumParticles())
    )
    assert NTL9.count("K") == 7 and NTL9.count("D") == NTL9.count("E") == 2
    assert charge == pytest.approx(3.0, abs=1e-6)


def test_bad_inputs_are_named(pdb_2hba, tmp_path):
    with pytest.raises(InputError, match="not found"):
        prepare_structure(tmp_path / "missing.pdb", tmp_path / "out.pdb")
    pdb = pdb_2hba
    with pytest.raises(InputError, match="no chain 'Q'"):
        prepare_structure(pdb, tmp_path / "out.pdb", chain="Q")
    with pytest.raises(InputError, match="does not cover residues 1-80"):
        prepare_structure(pdb, tmp_path / "out.pdb", last_residue=80)
    assert not (tmp_path / "out.pdb").exists()


def test_calpha_map_of_ntl9(prepared, pdb_2hba):
    from openmm.app import PDBFile

    from cgexplain.cg.mapping import calpha_map
    from cgexplain.residues import AMINO_ACID_TYPES

    pdb = PDBFile(str(prepared[1]))
    top = pdb.topology
    atoms = list(top.atoms())
    index = {a: n for n, a in enumerate(atoms)}
    cg = calpha_map(
        [a.name for a in atoms],
        np.array([a.residue.index for a in atoms]),
        [r.name for r in top.residues()],
        np.array([(index[a], index[b]) for a, b in top.bonds()]),
        np.array([a.element.atomic_number for a in atoms]),
    )
    assert cg.n_beads == 39 and cg.n_atoms == len(atoms)
    assert all(atoms[i].name == "CA" for i in cg.position_map.argmax(axis=1))
    # force of CA + its hydrogens: HA (2 atoms), glycine HA2 + HA3 (3 atoms)
    per_bead = cg.force_map.sum(axis=1)
    glycines = [n for n, r in enumerate(top.residues()) if r.name == "GLY"]
    assert glycines and (per_bead[glycines] == 3).all()
    assert (np.delete(per_bead, glycines) == 2).all()
    # ... and exactly those atoms: the bead's own Cα and the hydrogens bonded to it
    for bead, residue in enumerate(top.residues()):
        mine = {a.name for a in atoms if cg.force_map[bead, a.index]}
        assert all(atoms[i].residue is residue for i in np.flatnonzero(cg.force_map[bead]))
        assert mine == ({"CA", "HA2", "HA3"} if residue.name == "GLY" else {"CA", "HA"})
    assert set(np.unique(cg.force_map)) == {0.0, 1.0}
    # one bead per residue, typed by its amino acid and named residue + number
    assert cg.bead_types.tolist() == [AMINO_ACID_TYPES[THREE_LETTER[c]] for c in NTL9]
    assert cg.bead_names == [f"{THREE_LETTER[c]}{n}" for n, c in enumerate(NTL9, start=1)]
    assert cg.bead_types[3] == AMINO_ACID_TYPES["ILE"] and cg.bead_names[3] == "ILE4"
    assert cg.bead_types[29] == AMINO_ACID_TYPES["LEU"] and cg.bead_names[29] == "LEU30"
    # mapped positions: the crystal Cα trace, neighbours 3.8 Å apart
    xyz = np.array(pdb.positions.value_in_unit(pdb.positions.unit)) * 10.0  # nm -> Å
    beads = cg.position_map @ xyz
    np.testing.assert_allclose(beads, _raw_calphas(pdb_2hba), atol=1.5e-3)
    bonds = np.linalg.norm(np.diff(beads, axis=0), axis=1)
    np.testing.assert_allclose(bonds, 3.8, atol=0.05)


@pytest.mark.slow
def test_implicit_solvent_system_and_short_run_with_hot_start(prepared, tmp_path):
    """GBn2 NTL9: no box, residues as molecules, Cα beads; a hot start then a short run
    stores non-periodic frames (zero box) whose Cα+HA force sums map to the beads."""
    from cgexplain.cg.mapping import load_calpha_map, map_trajectory
    from cgexplain.io import load_trajectory
    from cgexplain.md.protein import build_protein_system, topology_arrays
    from cgexplain.md.reference import RunSettings, run_reference

    ref = build_protein_system(prepared[1], cutoff=12.0)
    assert not ref.periodic and np.isnan(ref.density())
    assert len(ref.bead_atoms) == 39 and ref.molecule_index.max() == 38
    settings = RunSettings(
        temperature=350.0,
        friction=1.0,
        timestep=4.0,
        equilibration=0.2,
        length=0.4,
        save_interval=0.2,
        checkpoint_interval=0.2,
        seed=3,
        minimize_tolerance=10.0,
        platform="CPU",
        threads=1,
        heat_temperature=600.0,
        heat_length=0.2,
    )
    run_reference(ref, settings, tmp_path / "t.h5", tmp_path / "work")
    traj = load_trajectory(tmp_path / "t.h5")
    assert traj.positions.shape == (2, ref.n_atoms, 3)
    assert np.all(traj.box == 0.0)
    assert traj.metadata["settings"]["heat_length"] == 0.2
    top = topology_arrays(prepared[1])
    assert top["residue_numbers"].tolist() == list(range(1, 40))
    cg = map_trajectory(traj, load_calpha_map(prepared[1]))
    # not wrapped: the Cα positions are those of the atoms, bonded Cα 3.8 Å apart
    ca = traj.positions[:, ref.bead_atoms].astype(np.float64)
    np.testing.assert_allclose(cg.positions, ca, atol=1e-5)
    bonds = np.linalg.norm(np.diff(cg.positions, axis=1), axis=-1)
    assert 3.5 < bonds.min() and bonds.max() < 4.2
    # bead force = Cα + its hydrogens, summed here atom by atom from the atomistic forces
    # (by name and residue, not through the map or ref.bead_atoms)
    kept = ("CA", "HA", "HA2", "HA3")
    expected = np.zeros((traj.n_frames, 39, 3))
    for atom, (name, residue) in enumerate(
        zip(top["atom_names"], top["atom_residues"], strict=True)
    ):
        if name in kept:
            expected[:, residue] += traj.forces[:, atom].astype(np.float64)
    np.testing.assert_allclose(cg.forces, expected, rtol=1e-5, atol=1e-4)
    # the hydrogens matter: the Cα forces alone are not the bead forces
    ca_forces = traj.forces[:, ref.bead_atoms].astype(np.float64)
    assert not np.allclose(cg.forces, ca_forces, rtol=1e-5, atol=1e-4)


def test_native_structure_and_dssp(prepared, pdb_2hba):
    from cgexplain.analysis.states import secondary_structure_elements
    from cgexplain.md.protein import load_native

    native = load_native(prepared[1])
    # the crystal's Cα atoms, in Å, of residues MET1..ALA39
    np.testing.assert_allclose(native["positions"], _raw_calphas(pdb_2hba), atol=1.5e-3)
    assert "".join(ONE_LETTER[r] for r in native["residue_names"]) == NTL9
    assert native["residue_numbers"].tolist() == list(range(1, 40))
    dssp = native["dssp"]
    assert len(dssp) == 39 and set(dssp) <= {"H", "E", "C"}
    elements = secondary_structure_elements(dssp)
    # 2HBA: β1 at the N-terminus, the helix in the middle, β3 at the C-terminus
    assert elements["β1"][0] <= 2 and elements["β3"][1] >= 36
    assert elements["β2"][1] < elements["helix"][0] < elements["helix"][1] < elements["β3"][0]
    # the entry's own records (chain A): SHEET 2-5, 18-20, 36-38 and HELIX 22-29
    strands = [(2, 5), (18, 20), (36, 38)]
    assert [elements[k] for k in ("β1", "β2", "β3")] == [(a - 1, b - 1) for a, b in strands]
    for a, b in strands:
        assert dssp[a - 1 : b] == "E" * (b - a + 1)
    first, last = elements["helix"]
    assert dssp[first : last + 1] == "H" * (last - first + 1) and "H" not in dssp[:first]
    assert len(set(range(first, last + 1)) & set(range(21, 29))) >= 7  # of the 8 recorded


def test_mutations_are_bead_type_changes():
    from cgexplain.residues import AMINO_ACID_TYPES, parse_mutation

    names = ["MET", "LYS", "VAL", "ILE", "PHE"] + ["GLY"] * 24 + ["LEU"] + ["ALA"] * 9
    assert parse_mutation("ILE4ASN", names) == (3, AMINO_ACID_TYPES["ASN"])
    assert parse_mutation("LEU30PHE", names) == (29, AMINO_ACID_TYPES["PHE"])
    assert parse_mutation("ILE14ASN", names, first_residue=11) == (3, AMINO_ACID_TYPES["ASN"])
    for bad, message in (
        ("I4N", "not like ILE4ASN"),
        ("VAL4ASN", "residue 4 is ILE, not VAL"),
        ("ILE99ASN", "outside the chain"),
        ("ILE4XYZ", "unknown amino acid XYZ"),
    ):
        with pytest.raises(InputError, match=message):
            parse_mutation(bad, names)


def test_external_calpha_data(tmp_path):
    from cgexplain.analysis.tica import trajectory_runs
    from cgexplain.cg.datasets import load_external_calpha

    rng = np.random.default_rng(0)
    pos, forces = rng.normal(size=(5, 4, 3)), rng.normal(size=(5, 4, 3))
    names = np.array(["MET", "LYS", "VAL", "ILE"])
    np.savez(tmp_path / "ok.npz", positions=pos, forces=forces, residue_names=names,
             run_lengths=[2, 3])  # fmt: skip
    traj = load_external_calpha(tmp_path / "ok.npz")
    np.testing.assert_allclose(traj.positions, pos)
    np.testing.assert_allclose(traj.forces, forces)
    assert np.all(traj.box == 0) and traj.names == ["MET1", "LYS2", "VAL3", "ILE4"]
    assert trajectory_runs(traj).tolist() == [0, 0, 1, 1, 1]
    cases = {
        "missing.npz": None,
        "no_forces.npz": {"positions": pos, "residue_names": names},
        "shape.npz": {"positions": pos, "forces": forces[:, :3], "residue_names": names},
        "names.npz": {"positions": pos, "forces": forces, "residue_names": names[:3]},
        "unknown.npz": {"positions": pos, "forces": forces, "residue_names": ["XXX"] * 4},
        "nan.npz": {"positions": pos * np.nan, "forces": forces, "residue_names": names},
        "runs.npz": {"positions": pos, "forces": forces, "residue_names": names,
                     "run_lengths": [2, 2]},
    }  # fmt: skip
    messages = {
        "missing.npz": "not found",
        "no_forces.npz": "'forces'",
        "shape.npz": "must both be",
        "names.npz": "3 residue_names for 4 beads",
        "unknown.npz": "unknown residue names",
        "nan.npz": "NaN",
        "runs.npz": "run_lengths sum to 4",
    }
    for name, arrays in cases.items():
        if arrays is not None:
            np.savez(tmp_path / name, **arrays)
        with pytest.raises(InputError, match=messages[name]):
            load_external_calpha(tmp_path / name)
