"""A faster, numerically equivalent SO3net convolution for CPU training and simulation.

SchNetPack's ``SO3Convolution`` evaluates the Clebsch-Gordan tensor product

.. math::

    y_{i,s,f} = \\sum_j \\sum_{s_1, s_2} C^{s}_{s_1 s_2}\\, Y_{s_1}(\\hat r_{ij})\\,
                W_{l(s_1), f}(r_{ij})\\, x_{j, s_2, f}

(Schütt et al., "SchNetPack 2.0", J. Chem. Phys. 158, 144801, 2023) by materialising one
``(n_edges, n_cg, n_features)`` tensor over all non-zero coefficients (``n_cg`` = 139
for lmax 2). Regrouping the sum per edge gives a small dense coupling matrix

.. math::

    M_{s,(l_1,s_2)}(\\hat r_{ij}) = \\sum_{s_1:\\,l(s_1)=l_1} C^{s}_{s_1 s_2} Y_{s_1}(\\hat r_{ij})

of shape ``(n_sh, (lmax+1) * n_sh)`` (9 x 27 for lmax 2), so that
``y_ij = M_ij @ z_ij`` with ``z_ij[(l_1, s_2), f] = W_{l_1, f} x_{j, s_2, f}``: one batched
matrix product per edge instead of an elementwise product over all coefficients and a
scatter over the output channel. The parameters and buffers are unchanged, so a model can
be switched in place and back, and saved weights are interchangeable.
"""

from __future__ import annotations

import torch
from schnetpack.nn.scatter import scatter_add
from schnetpack.nn.so3 import SO3Convolution

__all__ = ["FastSO3Convolution", "accelerate_so3net", "coupling_tensor"]


def coupling_tensor(conv: SO3Convolution) -> torch.Tensor:
    """Dense Clebsch-Gordan coupling of a SchNetPack ``SO3Convolution``.

    Returns:
        (n_sh, n_sh * (lmax + 1) * n_sh) tensor ``T`` with
        ``T[s1, (s, l1, s2)] = C^s_{s1 s2}`` if ``l(s1) == l1`` else 0, so that
        ``Y (n_edges, n_sh) @ T`` is the per-edge coupling matrix ``M`` flattened.
    """
    n_sh = (conv.lmax + 1) ** 2
    n_l = conv.lmax + 1
    dense = torch.zeros(n_sh, n_sh, n_l, n_sh, dtype=conv.clebsch_gordan.dtype)
    dense = dense.to(conv.clebsch_gordan.device)
    dense.index_put_(
        (conv.idx_in_1, conv.idx_out, conv.Widx, conv.idx_in_2),
        conv.clebsch_gordan,
        accumulate=True,
    )
    return dense.reshape(n_sh, n_sh * n_l * n_sh)


class FastSO3Convolution(SO3Convolution):
    """``SO3Convolution`` evaluated as one batched 9 x 27 matrix product per edge (lmax 2).

    Same signature and result as the parent (to float rounding); see the module docstring.
    Instances are made by :func:`accelerate_so3net`, which switches existing modules.
    """

    def forward(
        self,
        x: torch.Tensor,
        radial_ij: torch.Tensor,
        dir_ij: torch.Tensor,
        cutoff_ij: torch.Tensor,
        idx_i: torch.Tensor,
        idx_j: torch.Tensor,
    ) -> torch.Tensor:
        """
        Args:
            x: (n_atoms, n_sh, n_features) SO3 features.
            radial_ij: (n_edges, 1, n_radial) radial basis (SO3net keeps a singleton axis).
            dir_ij: (n_edges, n_sh) real spherical harmonics of the edge directions.
            cutoff_ij: (n_edges, 1, 1) cutoff function values.
            idx_i, idx_j: (n_edges,) centre and neighbour indices.

        Returns:
            (n_atoms, n_sh, n_features) convolved features.
        """
        n_sh = (self.lmax + 1) ** 2
        n_l = self.lmax + 1
        coupling = self.coupling
        if coupling.dtype != dir_ij.dtype:
            coupling = coupling.to(dir_ij.dtype)
        m_ij = (dir_ij @ coupling).reshape(-1, n_sh, n_l * n_sh)
        w_ij = self.filternet(radial_ij) * cutoff_ij
        w_ij = w_ij.reshape(-1, n_l, 1, self.n_atom_basis)
        z_ij = (w_ij * x[idx_j][:, None]).reshape(-1, n_l * n_sh, self.n_atom_basis)
        y_ij = torch.bmm(m_ij, z_ij)
        return scatter_add(y_ij, idx_i, dim_size=x.shape[0])


def accelerate_so3net(model: torch.nn.Module) -> int:
    """Switch every ``SO3Convolution`` in ``model`` to :class:`FastSO3Convolution` in place.

    Idempotent; parameters and state dict keys are untouched (the coupling is a
    non-persistent buffer). Returns the number of convolutions switched.
    """
    switched = 0
    for module in model.modules():
        if type(module) is SO3Convolution:
            module.__class__ = FastSO3Convolution
            module.register_buffer("coupling", coupling_tensor(module), persistent=False)
            switched += 1
    return switched


def restore_so3net(model: torch.nn.Module) -> int:
    """Undo :func:`accelerate_so3net` (for saving a model that loads without cgexplain)."""
    restored = 0
    for module in model.modules():
        if type(module) is FastSO3Convolution:
            module.__class__ = SO3Convolution
            del module._buffers["coupling"]
            restored += 1
    return restored
