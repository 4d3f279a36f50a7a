"""Trained CG potentials: the layer below simulation, training and GNN-LRP.

- :mod:`cgexplain.potentials.architectures`: the registry of supported architectures;
- :mod:`cgexplain.potentials.loading`: the one loader of a model file and its
  ``model.pt.json`` hyperparameters (:func:`~cgexplain.potentials.loading.load_model`,
  :func:`~cgexplain.potentials.loading.load_spec`);
- :mod:`cgexplain.potentials.fast_painn`, :mod:`cgexplain.potentials.fast_schnet`,
  :mod:`cgexplain.potentials.fast_so3`: faster, numerically equivalent evaluations of
  PaiNN and SchNet (simulation and training) and SO3net;
- :mod:`cgexplain.potentials.forward_forces`: what the fast PaiNN and SchNet share (forces
  from a written-out energy function, the potential class that trains with it);
- :mod:`cgexplain.potentials.extension`: the compiled PaiNN edge kernels
  (``csrc/painn_edges.cpp``) or the pure-PyTorch fallback;
- :mod:`cgexplain.potentials.neighbors`: Verlet neighbour lists of batched replicas;
- :mod:`cgexplain.potentials.pairs`: half pair lists (one entry per undirected pair);
- :mod:`cgexplain.potentials.batched`: a model (plus prior) as a batched force function.

The package imports only :mod:`cgexplain.settings`, :mod:`cgexplain.config`,
:mod:`cgexplain.units`, :mod:`cgexplain.columns`, :mod:`cgexplain.runlog`,
:mod:`cgexplain.errors` and :mod:`cgexplain._compat` of the library (and torch,
SchNetPack); ``md``, ``lrp``, ``cg``, ``io`` and ``analysis`` sit above it
(``tests/unit/test_layers.py`` checks this). This module imports nothing, so the
registry stays light.
"""
