"""One architecture registry serves training, the adapters, the schema and the tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import yaml
from lrp_testkit import ARCHS, build_model

from cgexplain.lrp.adapters import ADAPTERS, Adapter, check_model
from cgexplain.potentials.architectures import (
    ARCHITECTURES,
    architecture_of,
    build_representation,
    get_architecture,
)

SCHEMA = Path(__file__).resolve().parents[3] / "workflow" / "schemas" / "config.schema.yaml"


def test_schema_lists_the_registered_architectures() -> None:
    schema = yaml.safe_load(SCHEMA.read_text())
    enum = schema["$defs"]["training"]["properties"]["models"]["items"]["enum"]
    assert list(enum) == list(ARCHITECTURES)


def test_every_architecture_has_a_representation_and_an_adapter() -> None:
    assert ARCHS == tuple(ARCHITECTURES)
    assert sorted(ADAPTERS) == sorted(a.representation for a in ARCHITECTURES.values())
    for name, arch in ARCHITECTURES.items():
        assert arch.name == name
        assert arch.representation_class().__name__ == arch.representation
        adapter = arch.adapter_class()
        assert issubclass(adapter, Adapter) and ADAPTERS[arch.representation] is adapter


@pytest.mark.parametrize("arch", ARCHS)
def test_built_representations_are_recognised(arch: str) -> None:
    model = build_model(arch, 1)
    assert architecture_of(model.representation) is ARCHITECTURES[arch]
    check_model(model)
    assert architecture_of(torch.nn.Linear(2, 2)) is None


def test_options_an_architecture_does_not_take_are_ignored() -> None:
    import schnetpack as spk

    def build(name: str, **options):
        return build_representation(
            name,
            4,
            1,
            spk.nn.GaussianRBF(n_rbf=3, cutoff=3.0),
            spk.nn.CosineCutoff(3.0),
            **options,
        )

    assert build("painn", lmax=3, n_filters=7).n_atom_basis == 4
    assert build("so3net", lmax=1, activation=torch.tanh).lmax == 1
    assert build("schnet", n_filters=7, lmax=3).interactions[0].filter_network[0].out_features == 7
    with pytest.raises(ValueError, match=r"architecture must be one of .*'nequip'"):
        get_architecture("nequip")
