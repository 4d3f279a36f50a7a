"""GNN-LRP: exact 2-body and 3-body relevances of SchNetPack potentials.

Public API: :func:`nbody_relevance` and :class:`NBodyRelevance` (:mod:`.nbody`), the
classic many-body decomposition :func:`classic_nbody` (:mod:`.classic`). Modules:
:mod:`.rules` (how a dense layer is modified), :mod:`.adapters` (where relevance flows in
PaiNN, SO3net, SchNet), :mod:`.engine` (walk algebra), :mod:`.nbody` (exact-set sums).

References: Schnake et al. (2022) IEEE TPAMI 44, 7581 (GNN-LRP, relevant walks);
Bonneau et al. (2025) Nat. Commun. (many-body relevance of neural network potentials);
Montavon et al. (2019) LNCS 11700 (LRP rules).
"""

from cgexplain.lrp.classic import classic_nbody
from cgexplain.lrp.nbody import NBodyRelevance, nbody_relevance

__all__ = ["NBodyRelevance", "classic_nbody", "nbody_relevance"]
