"""Compatibility shims applied when :mod:`cgexplain` is imported.

SchNetPack 2.0.4 imports ``T_co`` from ``torch.utils.data.dataloader``; torch 2.5
renamed it to ``_T_co``. Importing :mod:`cgexplain` first restores the old name so
that ``import schnetpack`` works with the pinned torch 2.13.0.

The shim does not import torch (a second and more of start-up): when torch's dataloader
module is not loaded yet, an import hook restores the name as soon as it is.
"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

#: the module SchNetPack takes ``T_co`` from
DATALOADER = "torch.utils.data.dataloader"


def restore_t_co(module: ModuleType) -> None:
    """Set ``module.T_co`` to ``module._T_co`` when only the new name exists."""
    if not hasattr(module, "T_co") and hasattr(module, "_T_co"):
        module.T_co = module._T_co


class _DataloaderHook(importlib.abc.MetaPathFinder):
    """Finds torch's dataloader module with the other finders and patches it once run."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        """The usual spec of :data:`DATALOADER`, its loader patching the module after it runs."""
        if fullname != DATALOADER:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            restore_t_co(module)
            if self in sys.meta_path:
                sys.meta_path.remove(self)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def install_torch_shims() -> None:
    """Restore ``torch.utils.data.dataloader.T_co`` now, or when torch loads it."""
    module = sys.modules.get(DATALOADER)
    if module is not None:
        restore_t_co(module)
    elif not any(isinstance(finder, _DataloaderHook) for finder in sys.meta_path):
        sys.meta_path.insert(0, _DataloaderHook())
