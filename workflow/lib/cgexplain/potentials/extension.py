"""The fused PaiNN edge kernels (``csrc/painn_edges.cpp``), compiled on this machine.

:func:`kernels` returns the compiled module, or ``None`` for the pure-PyTorch fallback of
:mod:`cgexplain.potentials.fast_painn`; the choice is made once per process and logged.
The module is built with ``torch.utils.cpp_extension`` (C++17, ``-O3 -march=native``)
by ``envs/setup.sh`` (``python -m cgexplain.potentials.extension``, about a minute) into
``<venv>/cgexplain-extensions/<cpu>/``, one folder per CPU model and instruction set, so
that a copied environment on another CPU builds its own instead of loading one it cannot
run. Later loads only check that the build is current.

The environment variable ``CGEXPLAIN_EDGE_KERNELS`` chooses: ``auto`` (default: load,
building it first if needed; fall back if that fails), ``off`` (always the fallback) or
``require`` (raise if it cannot be built). The kernels run on the CPU; CUDA tensors use
the fallback.
"""

from __future__ import annotations

import hashlib
import logging
import os
import platform
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["ENV", "SOURCE", "build_directory", "kernels"]

log = logging.getLogger(__name__)

#: the C++ source of the kernels
SOURCE = Path(__file__).with_name("csrc") / "painn_edges.cpp"
#: the environment variable that chooses the kernels (``auto``, ``off``, ``require``)
ENV = "CGEXPLAIN_EDGE_KERNELS"
_NAME = "cgexplain_painn_edges"
_FLAGS = ["-O3", "-march=native", "-std=c++17"]
_loaded: dict[str, ModuleType | None] = {}


def _cpu_signature() -> str:
    """A short hash of the CPU model and its instruction-set flags (``-march=native``
    code runs only where those match)."""
    text = platform.machine()
    try:
        info = Path("/proc/cpuinfo").read_text()
        lines = [
            line
            for line in info.splitlines()
            if line.startswith(("model name", "flags", "Features", "CPU part"))
        ]
        text += "\n".join(sorted(set(lines)))
    except OSError:
        pass
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def build_directory() -> Path:
    """Where the kernels are built: inside the Python environment, per CPU."""
    return Path(sys.prefix) / "cgexplain-extensions" / _cpu_signature()


def _build() -> ModuleType:
    from torch.utils.cpp_extension import load

    folder = build_directory()
    folder.mkdir(parents=True, exist_ok=True)
    return load(
        name=_NAME,
        sources=[str(SOURCE)],
        extra_cflags=_FLAGS,
        build_directory=str(folder),
        verbose=False,
    )


def kernels() -> ModuleType | None:
    """The compiled kernels, or ``None`` where they are switched off or cannot be built
    (see the module docstring); decided once per process and logged."""
    mode = os.environ.get(ENV, "auto").strip().lower() or "auto"
    if mode in _loaded:
        return _loaded[mode]
    if mode not in ("auto", "off", "require"):
        raise ValueError(f"{ENV} must be auto, off or require, got {mode!r}")
    module = None
    if mode == "off":
        log.info("PaiNN edge kernels: pure PyTorch (%s=off)", ENV)
    else:
        try:
            module = _build()
            log.info("PaiNN edge kernels: fused C++ (%s)", build_directory())
        except Exception as err:  # no compiler, no headers, a failed build
            if mode == "require":
                raise RuntimeError(f"the fused PaiNN edge kernels did not build: {err}") from err
            log.warning("PaiNN edge kernels: pure PyTorch (the C++ build failed: %s)", err)
    _loaded[mode] = module
    return module


if __name__ == "__main__":  # envs/setup.sh: build once, say where
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    os.environ[ENV] = "require"
    kernels()
