"""Finding VOTCA and LAMMPS: PATH, the environment variables, and .imc-tools/bin."""

from __future__ import annotations

import os

from cgexplain.md import lammps


def _fake_tools(folder, names):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = folder / name
        path.write_text("#!/bin/sh\nexit 0\n")
        path.chmod(0o755)


def test_missing_programs_are_named_and_a_prefix_supplies_them(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    for var in ("CGEXPLAIN_CSG_INVERSE", "CGEXPLAIN_CSG_DUMP", "CGEXPLAIN_LMP"):
        monkeypatch.delenv(var, raising=False)
    assert lammps.missing_imc_programs() == ["csg_inverse", "csg_dump", "csg_stat", "lmp"]
    prefix = tmp_path / ".imc-tools" / "bin"
    assert not lammps.add_tool_prefix(prefix)  # not there yet: PATH unchanged
    assert os.environ["PATH"] == str(tmp_path / "empty")
    _fake_tools(prefix, ["csg_inverse", "csg_dump", "csg_stat"])
    assert lammps.add_tool_prefix(prefix) and lammps.add_tool_prefix(prefix)
    assert os.environ["PATH"].split(os.pathsep) == [str(prefix), str(tmp_path / "empty")]
    assert lammps.missing_imc_programs() == ["lmp"]
    monkeypatch.setenv("CGEXPLAIN_LMP", str(prefix / "csg_stat"))  # any executable
    assert lammps.missing_imc_programs() == []
    monkeypatch.setenv("CGEXPLAIN_LMP", "/nonexistent/lmp")
    assert lammps.missing_imc_programs() == ["/nonexistent/lmp"]
    assert "bash envs/install_imc_tools.sh" in lammps.imc_install_hint()
