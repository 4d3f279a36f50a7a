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


def test_library_has_no_snakemake_import():
    pattern = re.compile(r"^\s*(import|from)\s+snakemake", re.MULTILINE)
    offenders = [
        str(p.relative_to(REPO))
        for p in (REPO / "workflow" / "lib" / "cgexplain").rglob("*.py")
        if pattern.search(p.read_text())
    ]
    assert offenders == []
