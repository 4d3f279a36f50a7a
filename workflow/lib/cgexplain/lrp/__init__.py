"""GNN-LRP: exact 2-body and 3-body relevances of SchNetPack potentials.

Public API: :func:`nbody_relevance` and :class:`NBodyRelevance` (:mod:`.nbody`), the
rules :class:`Gamma` and :class:`LRP0` and :func:`parse_rule` (:mod:`.rules`), the
classic many-body decomposition :func:`classic_nbody` (:mod:`.classic`). Modules:
:mod:`.rules` (how a dense layer is modified), :mod:`.adapters` (where relevance flows in
PaiNN, SO3net, SchNet; the architectures are listed in :mod:`cgexplain.potentials.architectures`),
:mod:`.model_io` (frames to SchNetPack inputs and graphs, model energies),
:mod:`.engine` (walk algebra), :mod:`.exact_sets` and :mod:`.nbody` (exact-set sums),
:mod:`.trajectory` (tables of many frames, written by :func:`~.trajectory.explain_trajectory`).

References: Schnake et al. (2022) IEEE TPAMI 44, 7581 (GNN-LRP, relevant walks);
Bonneau et al. (2025) Nat. Commun. (many-body relevance of neural network potentials);
Montavon et al. (2019) LNCS 11700 (LRP rules).
"""

from cgexplain.lrp.classic import classic_nbody
from cgexplain.lrp.nbody import NBodyRelevance, nbody_relevance
from cgexplain.lrp.rules import LRP0, Gamma, Rule, parse_rule

__all__ = [
    "LRP0",
    "Gamma",
    "NBodyRelevance",
    "Rule",
    "classic_nbody",
    "nbody_relevance",
    "parse_rule",
]
