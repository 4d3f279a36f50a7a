"""NTL9 preparation from the unmodified RCSB entry 2HBA (../shared/data)."""

from __future__ import annotations

import pytest

from cgexplain.io import InputError
from cgexplain.md.protein import prepare_structure

NTL9 = "MKVIFLKDVKGMGKKGEIKNVADGYANNFLFKQGLAIEA"


@pytest.fixture(scope="module")
def prepared(shared_data, tmp_path_factory):
    pdb = shared_data / "2HBA.pdb"
    if not pdb.exists():
        pytest.skip("../shared/data/2HBA.pdb is absent (a user's clone)")
    out = tmp_path_factory.mktemp("ntl9") / "ntl9.pdb"
    return prepare_structure(pdb, out), out


def test_chain_a_residues_1_to_39_with_hydrogens(prepared):
    from openmm.app import PDBFile

    seq, path = prepared
    assert seq == NTL9
    top = PDBFile(str(path)).topology
    assert top.getNumChains() == 1 and top.getNumResidues() == 39
    residues = list(top.residues())
    assert [int(r.id) for r in residues] == list(range(1, 40))
    elements = [a.element.symbol for a in top.atoms()]
    assert elements.count("H") > 250  # fully protonated
    assert "OXT" in {a.name for a in residues[-1].atoms()}  # C-terminal oxygen added
    # every residue has its CA, no heteroatoms or waters kept
    assert all(any(a.name == "CA" for a in r.atoms()) for r in residues)
    assert not {"HOH", "ZN", "CL", "IMD"} & {r.name for r in residues}


def test_an_amber_force_field_accepts_it(prepared):
    from openmm.app import ForceField, NoCutoff, PDBFile

    pdb = PDBFile(str(prepared[1]))
    ff = ForceField("amber14-all.xml", "implicit/gbn2.xml")
    system = ff.createSystem(pdb.topology, nonbondedMethod=NoCutoff)
    assert system.getNumParticles() == pdb.topology.getNumAtoms()


def test_bad_inputs_are_named(shared_data, tmp_path):
    with pytest.raises(InputError, match="not found"):
        prepare_structure(tmp_path / "missing.pdb", tmp_path / "out.pdb")
    pdb = shared_data / "2HBA.pdb"
    if not pdb.exists():
        pytest.skip("../shared/data/2HBA.pdb is absent")
    with pytest.raises(InputError, match="no chain 'Q'"):
        prepare_structure(pdb, tmp_path / "out.pdb", chain="Q")
    with pytest.raises(InputError, match="does not cover residues 1-80"):
        prepare_structure(pdb, tmp_path / "out.pdb", last_residue=80)
    assert not (tmp_path / "out.pdb").exists()


def test_calpha_map_of_ntl9(prepared):
    import numpy as np
    from openmm.app import PDBFile

    from cgexplain.cg.mapping import AMINO_ACID_TYPES, calpha_map

    top = PDBFile(str(prepared[1])).topology
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
    assert cg.bead_types[3] == AMINO_ACID_TYPES["ILE"] and cg.bead_names[3] == "ILE4"
    assert cg.bead_types[29] == AMINO_ACID_TYPES["LEU"] and cg.bead_names[29] == "LEU30"
