"""Settings of the imc jobs (see :mod:`cgexplain.settings`): a liquid's pair potential by
Inverse Monte Carlo (:mod:`cgexplain.cg.imc`), its LAMMPS run and its comparison with the
networks' 2-body relevance."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

from cgexplain.config import from_block
from cgexplain.settings import job, seed_of
from cgexplain.units import KB_KJ_PER_MOL_K


@dataclass(frozen=True)
class IMCSettings:
    """Settings of one liquid's IMC (config block ``<liquid>.imc``; units as the schema).

    Attributes:
        temperature: K, of the reference.
        iterations: IMC iterations.
        equilibration_steps: LAMMPS steps before sampling, per iteration.
        steps: LAMMPS steps sampled per iteration.
        dump_interval: steps between sampled frames.
        timestep: fs.
        damping: fs, Langevin relaxation time.
        table_min: Å, first distance of the IMC grid; ``None``: where the target g(r)
            starts (:func:`cgexplain.cg.imc.core_start`). Below it the potential is
            VOTCA's extrapolated wall, down to half this distance in the LAMMPS table.
        table_max: Å, last distance and pair cutoff (below half the shortest box edge).
        table_step: Å, grid spacing of the potential and of g(r).
        regularization: Tikhonov parameter of the IMC equations (0: none).
        smoothing: passes of VOTCA's smoothing applied to each update.
        final_steps: steps of the final run with the converged potential.
        final_equilibration_steps: its equilibration steps.
        final_dump_interval: steps between its frames.
        seed: seeds every LAMMPS run (iteration k uses seed + k).
    """

    temperature: float
    iterations: int
    equilibration_steps: int
    steps: int
    dump_interval: int
    timestep: float
    damping: float
    table_min: float | None
    table_max: float
    table_step: float
    regularization: float
    smoothing: int
    final_steps: int
    final_equilibration_steps: int
    final_dump_interval: int
    seed: int

    from_config = classmethod(from_block)

    @property
    def kbt_kj(self) -> float:
        """k_B T in kJ/mol (VOTCA's energy unit)."""
        return KB_KJ_PER_MOL_K * self.temperature

    def validate(self, box: Sequence[Sequence[float]]) -> None:
        """Check the table against the (3, 3) Å box (an array or nested sequences).

        Raises:
            cgexplain.io.InputError: the table reaches half the shortest box edge, or
                its range is not a positive multiple of its step.
        """
        from cgexplain.errors import InputError  # = cgexplain.io.InputError, no numpy

        half = 0.5 * min(float(box[k][k]) for k in range(3))
        if self.table_max >= half:
            raise InputError(
                f"imc table_max {self.table_max} Å must stay below half the shortest box "
                f"edge ({half:.3f} Å)"
            )
        if self.table_min is None:
            return
        if not 0.0 < self.table_min < self.table_max:
            raise InputError("imc table_min must be > 0 and below table_max")
        n = (self.table_max - self.table_min) / self.table_step
        if abs(n - round(n)) > 1e-6:
            raise InputError("imc table_max - table_min must be a multiple of table_step")


class IMCJob(NamedTuple):
    """Settings of ``fit_imc`` and ``simulate_imc``: one liquid's IMC and its final run.

    Attributes:
        imc: the IMC and final-run settings (seed of stage ``imc``).
        bead_mass: mass of every bead, g/mol.
    """

    imc: IMCSettings
    bead_mass: float

    def provenance(self) -> dict[str, Any]:
        """The settings as one flat dict (the trajectory's ``settings`` metadata)."""
        return {**asdict(self.imc), "bead_mass": self.bead_mass}


class CompareIMCRelevance(NamedTuple):
    """Settings of ``compare_imc_relevance``.

    Attributes:
        models: the liquid's models, in the order of their pair profiles (the rule's
            ``profiles`` input).
        min_count: fewest pairs a distance bin needs to enter the comparison.
    """

    models: tuple[str, ...]
    min_count: int


def table_max(block: Mapping[str, Any]) -> float:
    """Last distance of the IMC table, Å: ``imc.table_max``, or by default the RDF range
    (``structure.rdf_max``) rounded down onto the grid of ``imc.table_step``."""
    imc = block["imc"]
    if imc["table_max"] is not None:
        return imc["table_max"]
    steps = math.floor(block["structure"]["rdf_max"] / imc["table_step"] + 1e-9)
    return round(steps * imc["table_step"], 9)


@job("fit_imc", "simulate_imc")
def imc_job(config: Mapping[str, Any], *, system: str) -> IMCJob:
    """``config[system].imc`` with the reference temperature, the table end
    (:func:`table_max`), the seed of stage ``imc`` and the bead mass."""
    block = config[system]
    imc = {key: value for key, value in block["imc"].items() if key != "enabled"}
    settings = IMCSettings.from_config(
        imc,
        table_max=table_max(block),
        temperature=block["reference"]["temperature"],
        seed=seed_of(config, system, "imc"),
    )
    return IMCJob(imc=settings, bead_mass=block["simulation"]["bead_mass"])


@job("compare_imc_relevance")
def compare_imc_relevance(config: Mapping[str, Any], *, system: str) -> CompareIMCRelevance:
    """The liquid's models and ``relevance.min_count``."""
    block = config[system]
    return CompareIMCRelevance(
        models=tuple(block["training"]["models"]),
        min_count=block["relevance"]["min_count"],
    )
