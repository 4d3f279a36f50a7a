"""Settings of the figures jobs (see :mod:`cgexplain.settings`).

A figure reads small tables; its settings are the few config values that decide what it
draws (which models, which bins are blank, which residue pairs are shown). Every job's
settings are a :class:`typing.NamedTuple` of builtins and tuples.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from cgexplain.settings import job


class ModelFigure(NamedTuple):
    """Settings of a figure with one line or panel per model of one system.

    Attributes:
        models: the models drawn, in the order of the rule's per-model inputs
            (``rdfs``, ``triplets``, ... or the n-body summaries).
    """

    models: tuple[str, ...]


class BinnedFigure(NamedTuple):
    """Settings of a relevance figure over binned tables.

    Attributes:
        min_count: bins with fewer entries (pairs, triplets or 3-body contributions)
            are blank.
    """

    min_count: int


class IntervalFigure(NamedTuple):
    """Settings of a relevance figure that also draws bootstrap intervals.

    Attributes:
        min_count: bins with fewer triplets are blank.
        confidence: confidence level of the percentile intervals (0-1), named on the
            figure.
    """

    min_count: int
    confidence: float


class Fig4(NamedTuple):
    """Settings of ``plot_fig4``: free-energy surfaces of a protein over TIC 1 and 2.

    Attributes:
        labels: panel titles, one per surface in the order of the rule's ``surfaces``
            input: ``"reference"`` then ``"CG <model>"`` per model.
        method: how the states were labelled (``"tica"`` or ``"contacts"``), named in
            the caption.
    """

    labels: tuple[str, ...]
    method: str


class Fig5(NamedTuple):
    """Settings of ``plot_fig5``: residue-pair 2-body relevance per folding state.

    Attributes:
        min_separation: pairs with |i - j| below this (residues) are blank.
    """

    min_separation: int


class FigS11(NamedTuple):
    """Settings of ``plot_figS11``: contact maps of the states beside their relevance maps.

    Attributes:
        min_separation: relevance of pairs with |i - j| below this (residues) is blank.
        min_frames: a state with fewer reference frames gets no contact map, and its
            panel is marked.
        cutoff: Cα pairs closer than this (Å) are in contact.
    """

    min_separation: int
    min_frames: int
    cutoff: float


class Fig6(NamedTuple):
    """Settings of ``plot_fig6``: the folded state's strongest interactions.

    Attributes:
        chain: chain of the prepared PDB the PyMOL script draws on.
    """

    chain: str


class Fig7(NamedTuple):
    """Settings of ``plot_fig7``: 2-body relevance changes of point mutations.

    Attributes:
        mutations: the mutations (``"ILE4ASN"``: wild type, PDB residue number,
            mutant), in the order of the rule's ``differences`` input.
        first_residue: PDB number of the first kept residue (bead 0).
        n_top: contacts of each mutated residue drawn and written to the PyMOL script.
        min_separation: pairs with |i - j| below this (residues) are blank and unranked.
        chain: chain of the prepared PDB the PyMOL script draws on.
    """

    mutations: tuple[str, ...]
    first_residue: int
    n_top: int
    min_separation: int
    chain: str


def _models(config: Mapping[str, Any], system: str) -> tuple[str, ...]:
    return tuple(config[system]["training"]["models"])


@job("plot_structure_comparison", "plot_nbody_spectrum")
def model_figure(config: Mapping[str, Any], *, system: str) -> ModelFigure:
    """The trained models of ``system`` (``<system>.training.models``)."""
    return ModelFigure(models=_models(config, system))


@job("plot_figS1")
def figS1(config: Mapping[str, Any], *, system: str) -> ModelFigure:
    """The IMC pair potential, then the trained models of ``system``."""
    return ModelFigure(models=("imc", *_models(config, system)))


@job("plot_fig2", "plot_relevance_supplement")
def binned_figure(config: Mapping[str, Any], *, system: str, model: str) -> BinnedFigure:
    """``<system>.relevance.min_count`` (the same for every model)."""
    return BinnedFigure(min_count=int(config[system]["relevance"]["min_count"]))


@job("plot_figS10")
def figS10(config: Mapping[str, Any], *, system: str, model: str) -> BinnedFigure:
    """``<system>.relevance.artifacts.min_count``: the populated bins of Fig. S10."""
    return BinnedFigure(min_count=int(config[system]["relevance"]["artifacts"]["min_count"]))


@job("plot_fig3", "plot_ci_map")
def interval_figure(config: Mapping[str, Any], *, system: str, model: str) -> IntervalFigure:
    """``<system>.relevance.min_count`` and ``.bootstrap.confidence``."""
    relevance = config[system]["relevance"]
    return IntervalFigure(
        min_count=int(relevance["min_count"]),
        confidence=float(relevance["bootstrap"]["confidence"]),
    )


@job("plot_fig4")
def fig4(config: Mapping[str, Any], *, system: str) -> Fig4:
    """Labels of the reference and each model's surface; ``<system>.states.method``."""
    return Fig4(
        labels=("reference", *(f"CG {model}" for model in _models(config, system))),
        method=str(config[system]["states"]["method"]),
    )


@job("plot_fig5")
def fig5(config: Mapping[str, Any], *, system: str, model: str) -> Fig5:
    """``<system>.figure_min_separation``."""
    return Fig5(min_separation=int(config[system]["figure_min_separation"]))


@job("plot_figS11")
def figS11(config: Mapping[str, Any], *, system: str, model: str) -> FigS11:
    """``<system>.figure_min_separation``, ``.states.min_frames``, ``.states.native_cutoff``."""
    block = config[system]
    return FigS11(
        min_separation=int(block["figure_min_separation"]),
        min_frames=int(block["states"]["min_frames"]),
        cutoff=float(block["states"]["native_cutoff"]),
    )


@job("plot_fig6")
def fig6(config: Mapping[str, Any], *, system: str, model: str) -> Fig6:
    """``<system>.structure_source.chain``."""
    return Fig6(chain=str(config[system]["structure_source"]["chain"]))


@job("plot_fig7")
def fig7(config: Mapping[str, Any], *, system: str, model: str) -> Fig7:
    """``<system>.mutations``, ``.structure_source.first_residue`` and ``.chain``,
    ``.n_top``, ``.figure_min_separation``."""
    block = config[system]
    source = block["structure_source"]
    return Fig7(
        mutations=tuple(block["mutations"]),
        first_residue=int(source["first_residue"]),
        n_top=int(block["n_top"]),
        min_separation=int(block["figure_min_separation"]),
        chain=str(source["chain"]),
    )
