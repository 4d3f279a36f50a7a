"""The library imports SchNetPack after `import cgexplain` and knows nothing of Snakemake."""

from __future__ import annotations

import re
import subprocess
import sys

from ..conftest import REPO


def test_import_cgexplain_makes_schnetpack_importable():
    code = "import cgexplain, schnetpack, torch.utils.data.dataloader as d; print(d.T_co)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "T_co" in proc.stdout


def test_the_torch_shim_imports_no_torch_and_works_either_order():
    """``import cgexplain`` stays light; the shim applies when torch loads, or at once."""
    code = (
        "import sys, cgexplain; print('torch' in sys.modules); "
        "import torch.utils.data.dataloader as d; print(d.T_co)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.splitlines()[0] == "False" and "T_co" in proc.stdout
    code = "import torch, cgexplain, schnetpack, torch.utils.data.dataloader as d; print(d.T_co)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_library_has_no_snakemake_import():
    pattern = re.compile(r"^\s*(import|from)\s+snakemake", re.MULTILINE)
    offenders = [
        str(p.relative_to(REPO))
        for p in (REPO / "workflow" / "lib" / "cgexplain").rglob("*.py")
        if pattern.search(p.read_text())
    ]
    assert offenders == []


def _imports(path) -> set[str]:
    pattern = re.compile(r"^\s*(?:from|import)\s+(cgexplain(?:\.\w+)*)", re.MULTILINE)
    return set(pattern.findall(path.read_text()))


def test_layers_import_downwards_only():
    """``analysis`` and the architecture registry know nothing of ``lrp``; ``cg`` neither."""
    lib = REPO / "workflow" / "lib" / "cgexplain"
    lower = [
        lib / "potentials" / "architectures.py",
        *(lib / "analysis").rglob("*.py"),
        *(lib / "cg").rglob("*.py"),
    ]
    offenders = {
        str(p.relative_to(REPO)): sorted(m for m in _imports(p) if m.startswith("cgexplain.lrp"))
        for p in lower
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_architecture_registry_is_light():
    code = (
        "import sys, cgexplain.potentials.architectures as a; "
        "print(sorted(m for m in ('schnetpack', 'cgexplain.lrp') if m in sys.modules), list(a.ARCHITECTURES))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "[] ['painn', 'so3net', 'schnet']"


def test_registry_settings_and_schema_name_the_same_architectures():
    """The implementations' registry, the settings' tuple and the schema's list agree."""
    import yaml

    from cgexplain.potentials.architectures import ARCHITECTURES as REGISTRY
    from cgexplain.settings.training import ARCHITECTURES

    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    models = schema["$defs"]["training"]["properties"]["models"]["items"]["enum"]
    assert list(REGISTRY) == list(ARCHITECTURES) == list(models)
