"""cgexplain: explain coarse-grained neural network potentials with GNN-LRP.

The library behind the cgexplain Snakemake workflow. It has no Snakemake import and
knows nothing of the workflow's file layout. Subpackages, one job each:

- :mod:`cgexplain.md`: all-atom reference systems and OpenMM runs;
- :mod:`cgexplain.cg`: coarse-grained mapping and datasets;
- :mod:`cgexplain.potentials`: trained potentials (architecture registry, model
  loading, fast PaiNN/SchNet/SO3net kernels, batched evaluation), below md, cg and lrp;
- :mod:`cgexplain.analysis`: structure (RDF, triplet angles);
- :mod:`cgexplain.lrp`: layer-wise relevance propagation kernels;
- :mod:`cgexplain.plots`: figures from small tables.

Importing :mod:`cgexplain` installs the torch import shim SchNetPack 2.0.4 needs
(see :mod:`cgexplain._compat`; it does not import torch itself), so ``import cgexplain``
before ``import schnetpack``.
It also keeps freed memory in the process (:func:`cgexplain.runtime.tune_allocator`;
``CGEXPLAIN_MALLOC_TUNING=0`` turns that off), which makes torch on CPU about 1.5-2x
faster on a virtual machine.

Units throughout: Å, kcal/mol, kcal/mol/Å, ps, K.
"""

from cgexplain._compat import install_torch_shims
from cgexplain.runtime import tune_allocator

install_torch_shims()
tune_allocator()

__version__ = "0.1.0"

_LAZY = {
    name: "cgexplain.lrp"
    for name in ("nbody_relevance", "NBodyRelevance", "Gamma", "LRP0", "parse_rule")
}


def __getattr__(name: str):
    """Import the public LRP API on first use (keeps ``import cgexplain`` light)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'cgexplain' has no attribute {name!r}")
