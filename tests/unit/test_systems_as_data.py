"""Systems are data: builders, kind-based estimates and the generated config tables."""

from __future__ import annotations

import numpy as np
import openmm
import pytest
from openmm import app, unit

from cgexplain import estimates
from cgexplain.config_docs import README, generated_text, updated_readme
from cgexplain.io import InputError
from cgexplain.md.builders import LIQUID_BUILDERS, liquid_builder

from ..conftest import REPO


def test_config_readme_is_generated_from_the_schema():
    """config/README.md holds the tables the schema and the scale files give today."""
    current = README.read_text(encoding="utf-8")
    assert updated_readme(current, generated_text()) == current, (
        "config/README.md is out of date: run python -m cgexplain.config_docs"
    )


def test_generated_tables_carry_the_schema_defaults_and_scale_values():
    text = generated_text()
    assert "| `reference.checkpoint_interval` | 25 | ps |" in text  # the protein's default
    assert "| `relevance.gamma` | 0.1 | – | gamma of the generalized gamma rule |" in text
    assert "| `reference.length` | 100 | 10 | 50000 |" in text  # methane at three scales


def test_schema_builders_are_the_registered_builders():
    import yaml

    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    assert schema["$defs"]["liquid"]["properties"]["builder"]["enum"] == list(LIQUID_BUILDERS)


def test_unknown_builder_is_named():
    with pytest.raises(ValueError, match="unknown liquid builder 'argon'.*methane_oplsaa"):
        liquid_builder("argon")


def _argon_box(tmp_path, n_side: int = 3, edge: float = 12.0):
    """A periodic LJ argon box as a user would bring it: System XML + PDB with CRYST1."""
    topology = app.Topology()
    chain = topology.addChain()
    argon = app.Element.getBySymbol("Ar")
    system = openmm.System()
    lj = openmm.NonbondedForce()
    lj.setNonbondedMethod(openmm.NonbondedForce.CutoffPeriodic)
    lj.setCutoffDistance(0.5)
    positions = []
    for i in range(n_side**3):
        residue = topology.addResidue("AR", chain)
        topology.addAtom("AR", argon, residue)
        system.addParticle(39.948)
        lj.addParticle(0.0, 0.34, 0.996)
        positions.append((np.array(np.unravel_index(i, (n_side,) * 3)) + 0.5) * edge / n_side)
    system.addForce(lj)
    box = [
        openmm.Vec3(edge / 10, 0, 0),
        openmm.Vec3(0, edge / 10, 0),
        openmm.Vec3(0, 0, edge / 10),
    ]
    system.setDefaultPeriodicBoxVectors(*box)
    topology.setPeriodicBoxVectors(box)
    xml, pdb = tmp_path / "argon.xml", tmp_path / "argon.pdb"
    xml.write_text(openmm.XmlSerializer.serialize(system))
    with open(pdb, "w") as handle:
        app.PDBFile.writeFile(topology, np.array(positions) * unit.angstrom, handle)
    return xml, pdb


def test_a_liquid_from_an_openmm_system(tmp_path):
    xml, pdb = _argon_box(tmp_path)
    builder = liquid_builder("openmm_xml")
    ref = {"system_xml": str(xml), "structure": str(pdb)}
    assert builder.inputs(ref) == {"system_xml": str(xml), "structure": str(pdb)}
    np.testing.assert_allclose(builder.box_edges(ref), [12.0, 12.0, 12.0], atol=1e-3)
    system = builder.build("argon", ref, builder.inputs(ref), 1)
    assert system.name == "argon" and system.n_atoms == 27
    assert system.bead_atomic_number == 18
    np.testing.assert_array_equal(system.bead_atoms, np.arange(27))
    np.testing.assert_allclose(np.diag(system.box_angstrom()), 12.0, atol=1e-3)
    assert system.positions.shape == (27, 3) and abs(system.positions.max() - 1.0) < 1e-3  # nm


def test_a_mismatched_openmm_liquid_is_named(tmp_path):
    xml, pdb = _argon_box(tmp_path)
    other_xml, _ = _argon_box(tmp_path / "..", n_side=2)
    builder = liquid_builder("openmm_xml")
    with pytest.raises(InputError, match="8 particles but .* has 27 atoms"):
        builder.build("argon", {}, {"system_xml": str(other_xml), "structure": str(pdb)}, 1)
    with pytest.raises(InputError, match="file not found"):
        builder.build(
            "argon", {}, {"system_xml": str(tmp_path / "no.xml"), "structure": str(pdb)}, 1
        )


def _liquid(builder: str, **reference) -> dict:
    return {
        "kind": "liquid",
        "builder": builder,
        "reference": {"length": 1000.0, "save_interval": 2.0, "equilibration": 50.0, **reference},
        "structure": {"max_frames": 500},
        "training": {"optimizer": {"max_epochs": 10, "val_fraction": 0.1}},
        "simulation": {"n_replicas": 4, "n_steps": 1000},
        "relevance": {"n_frames": 40},
    }


def test_estimates_follow_the_settings_not_the_name():
    methane = _liquid("methane_oplsaa", n_molecules=125)
    water = _liquid("tip3p_waterbox", box_edge=20.0)
    # the faster builder gets the shorter reference estimate, from its measured speed
    assert estimates.reference_runtime(methane) < estimates.reference_runtime(water)
    assert estimates.liquid_atoms(methane) == 625
    assert abs(estimates.liquid_atoms(water) - 3 * 258) < 60  # 258 waters in 20 Å
    doubled = _liquid("methane_oplsaa", n_molecules=125)
    doubled["reference"]["length"] = 2000.0
    assert estimates.training_runtime(doubled) > estimates.training_runtime(methane)
    once, retry = (estimates.relevance_runtime(methane, 2, attempt=a) for a in (1, 2))
    assert abs(retry - 2 * once) <= 1  # a retry asks for twice the time (whole minutes)
    minutes = 4 * 1000 / estimates.CG_REPLICA_STEPS_PER_S / 60
    assert estimates.simulation_runtime(methane) == int(10 + minutes)


def test_costlier_architectures_start_training_first():
    """Scheduling priority follows the measured cost per frame; every registered
    architecture has one, and an unknown one keeps the base priority."""
    from cgexplain.potentials.architectures import ARCHITECTURES

    assert set(estimates.TRAINING_COST) == set(ARCHITECTURES)
    ranks = {a: estimates.training_priority(a) for a in ("schnet", "painn", "so3net")}
    assert ranks["so3net"] > ranks["painn"] > ranks["schnet"] > estimates.training_priority("x")
    assert estimates.training_priority("x", base=20) == 20
