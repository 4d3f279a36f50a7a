"""Physical constants and unit conversions used by the workflow.

The workflow works in Å, ps, amu, kcal/mol and K (see :mod:`cgexplain.io`); OpenMM works
in nm, ps, amu (dalton), kJ/mol and K. Every conversion between the two, and every
physical constant, is named here once.

Sources: the SI (2019) defining constants, exact (Boltzmann constant, Avogadro
constant); CODATA 2018 recommended values (Tiesinga et al., Rev. Mod. Phys. 93,
025010, 2021) for the rest; the thermochemical calorie, exactly 4.184 J.

The Boltzmann constant is defined here only: :data:`KB_KJ_PER_MOL_K` (CODATA 2018) and
:data:`KB_KCAL_PER_MOL_K`, derived from it. Every module imports them from here.
"""

from __future__ import annotations

# --- exact constants (SI 2019) ------------------------------------------------------

#: Boltzmann constant, J/K (exact).
BOLTZMANN_J_PER_K = 1.380649e-23
#: Avogadro constant, 1/mol (exact).
AVOGADRO = 6.02214076e23

# --- energy ---------------------------------------------------------------------------

#: kJ in one thermochemical kcal (exact).
KJ_PER_KCAL = 4.184
#: Molar gas constant R = k_B N_A, kJ/mol/K (CODATA 2018, 8.314462618 J/mol/K).
KB_KJ_PER_MOL_K = 0.008314462618
#: Boltzmann constant per mole, kcal/mol/K: R / 4.184 (CODATA 2018; 0.00198720425860).
#: Used by the CG Langevin integrator, the prior fits and the TICA free-energy surfaces.
KB_KCAL_PER_MOL_K = KB_KJ_PER_MOL_K / KJ_PER_KCAL

# --- length, volume, time -------------------------------------------------------------

#: Å in one nm.
ANGSTROM_PER_NM = 10.0
#: nm in one Å.
NM_PER_ANGSTROM = 0.1
#: cm³ in one Å³.
CM3_PER_ANGSTROM3 = 1e-24
#: ps in one fs.
PS_PER_FS = 1e-3
#: ns in one ps.
NS_PER_PS = 1e-3
#: seconds in one day.
SECONDS_PER_DAY = 86400.0
#: minutes per day (scheduler runtimes are minutes)
MINUTES_PER_DAY = 1440.0

# --- mass -----------------------------------------------------------------------------

#: Atomic mass constant (1 amu = 1 dalton = 1 g/mol per particle), kg (CODATA 2018).
AMU_KG = 1.66053906660e-27

# --- derived conversions --------------------------------------------------------------

#: One kcal/mol in amu Å²/ps² (1 amu Å²/ps² = 10 J/mol, so 4184 J/mol / 10).
AMU_A2_PS2_PER_KCAL_MOL = 418.4
#: OpenMM force unit kJ/mol/nm -> kcal/mol/Å (multiply).
KJ_MOL_NM_TO_KCAL_MOL_A = 1.0 / (KJ_PER_KCAL * ANGSTROM_PER_NM)
