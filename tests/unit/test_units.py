"""Physical constants: the values the code used before, and their relations."""

from __future__ import annotations

import pytest

from cgexplain import units
from cgexplain.analysis import tica
from cgexplain.cg import priors
from cgexplain.md import langevin


def test_values_are_those_the_modules_used_before():
    assert units.KB_KCAL_PER_MOL_K == 0.0019872043 == tica.KB_KCAL
    assert units.KB_KCAL_PER_MOL_K_CODATA2010 == 0.0019872041 == langevin.KB_KCAL == priors.KB
    assert units.AVOGADRO == 6.02214076e23
    assert units.KJ_PER_KCAL == 4.184
    assert units.AMU_A2_PS2_PER_KCAL_MOL == 418.4 == langevin.KCAL_TO_AMU_A2_PS2
    assert units.KJ_MOL_NM_TO_KCAL_MOL_A == 1.0 / (4.184 * 10.0)
    assert (units.ANGSTROM_PER_NM, units.NM_PER_ANGSTROM) == (10.0, 0.1)
    assert (units.PS_PER_FS, units.NS_PER_PS, units.SECONDS_PER_DAY) == (1e-3, 1e-3, 86400.0)
    assert units.CM3_PER_ANGSTROM3 == 1e-24


def test_constants_agree_with_each_other():
    r_kj = units.BOLTZMANN_J_PER_K * units.AVOGADRO / 1000.0  # kJ/mol/K
    assert units.KB_KJ_PER_MOL_K == pytest.approx(r_kj, rel=1e-10)
    assert units.KB_KCAL_PER_MOL_K == pytest.approx(r_kj / units.KJ_PER_KCAL, rel=5e-8)
    # the CODATA 2010 value differs by 1 part in 10^7
    assert units.KB_KCAL_PER_MOL_K_CODATA2010 == pytest.approx(units.KB_KCAL_PER_MOL_K, rel=2e-7)
    # 1 amu = 1 g/mol per particle
    assert units.AMU_KG * units.AVOGADRO == pytest.approx(1e-3, rel=1e-9)
    # 1 kcal/mol = 4184 J/mol = 4184 kg m²/s²/mol, 1 amu Å²/ps² = 1e-3 kg/mol * 1e4 m²/s²
    assert units.AMU_A2_PS2_PER_KCAL_MOL == pytest.approx(units.KJ_PER_KCAL * 1e3 / 10.0)
    assert units.NM_PER_ANGSTROM * units.ANGSTROM_PER_NM == 1.0
    assert units.CM3_PER_ANGSTROM3 == pytest.approx((1e-8) ** 3)
