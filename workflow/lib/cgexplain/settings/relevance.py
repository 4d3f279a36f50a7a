"""Settings of the relevance jobs (see :mod:`cgexplain.settings`).

Every relevance table of a system shares one grid (:class:`Grids`): the 2-body profile
spans ``[0, r_max]`` and the 3-body maps ``[0, edge_max]`` with ``edge_max`` twice the
largest cutoff of the system's models, so that the architectures' maps can be compared
bin by bin. Seeds derive from the master seed with the stage strings
``bootstrap/<model>/<source>``, ``spectrum/<model>/<source>``,
``state_contacts/<model>/<source>``, ``claims/<model>`` (a liquid's claims) and
``claims/<model>/<source>`` (a protein's).

The claims' settings (:class:`ClaimsSettings`, :class:`ProteinClaimRun`) are frozen
dataclasses that also read as mappings: :mod:`cgexplain.analysis.claims` and
:mod:`cgexplain.analysis.protein_claims` take the ``claims`` config block and a run's
settings as a :class:`~collections.abc.Mapping` (``settings.get("structure", {})``), and
these typed objects are such mappings, immutable, with a repr that spells every field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from cgexplain.config import systems_of_kind
from cgexplain.settings import job, seed_of
from cgexplain.settings.training import SeriesRun, cutoff_series_runs

# ---------------------------------------------------------------- shared parts


class Grids(NamedTuple):
    """Bins of a system's relevance tables (common to its models and sources).

    Attributes:
        r_max: end of the 2-body distance axis, Å (a liquid's ``structure.rdf_max``; a
            protein, without one, the largest cutoff of its models).
        pair_bins: distance bins of the 2-body profile over ``[0, r_max]``.
        edge_max: end of the 3-body edge axes, Å: two cutoffs of the system's model with
            the largest one (a connected triple spans at most two cutoffs).
        angle_bins: bins of the triple's largest angle over [60°, 180°].
        edge_bins: bins of the opposite edge over ``[0, edge_max]``.
    """

    r_max: float
    pair_bins: int
    edge_max: float
    angle_bins: int
    edge_bins: int


class BlockBootstrap(NamedTuple):
    """Block bootstrap over frames (``<system>.relevance.bootstrap``).

    Attributes:
        n_resamples: bootstrap resamples.
        confidence: level of the percentile intervals (0-1).
        block_length: explained frames per block; None: five integrated
            autocorrelation times of the per-frame total relevance.
    """

    n_resamples: int
    confidence: float
    block_length: int | None


class LrpRule(NamedTuple):
    """The LRP rule of the dense layers.

    Attributes:
        name: ``gamma`` (generalized gamma rule) or ``lrp0``.
        gamma: gamma of the generalized gamma rule.
    """

    name: str
    gamma: float


def largest_cutoff(config: Mapping[str, Any], system: str) -> float:
    """The largest neighbour cutoff (Å) of the models ``<system>.training.models``."""
    training = config[system]["training"]
    return max(training[m]["cutoff"] for m in training["models"])


def grids(config: Mapping[str, Any], system: str) -> Grids:
    """The bins of ``system``'s relevance tables (see :class:`Grids`)."""
    relevance = config[system]["relevance"]
    edge_max = 2.0 * largest_cutoff(config, system)
    structure = config[system].get("structure")  # a protein has none
    return Grids(
        r_max=structure["rdf_max"] if structure else edge_max / 2.0,
        pair_bins=relevance["pair_bins"],
        edge_max=edge_max,
        angle_bins=relevance["angle_bins"],
        edge_bins=relevance["edge_bins"],
    )


def block_bootstrap(config: Mapping[str, Any], system: str) -> BlockBootstrap:
    """``<system>.relevance.bootstrap`` as a :class:`BlockBootstrap`."""
    block = config[system]["relevance"]["bootstrap"]
    return BlockBootstrap(
        n_resamples=block["n_resamples"],
        confidence=block["confidence"],
        block_length=block["block_length"],
    )


def lrp_rule(config: Mapping[str, Any], system: str) -> LrpRule:
    """The LRP rule of ``<system>.relevance``."""
    block = config[system]["relevance"]
    return LrpRule(name=block["rule"], gamma=block["gamma"])


def shell_cutoff(config: Mapping[str, Any], system: str) -> float | None:
    """The configured first-shell edge (Å) of ``system``; None: the reference RDF's first
    minimum (a liquid) or no first shell (a protein, which has no ``structure`` block)."""
    return (config[system].get("structure") or {}).get("shell_cutoff")


def model_pairs(config: Mapping[str, Any], kind: str = "liquid") -> tuple[tuple[str, str], ...]:
    """(system, model) of every trained potential of the systems of ``kind``, in the
    order of ``systems`` and of each system's ``training.models``."""
    return tuple(
        (s, m) for s in systems_of_kind(config, kind) for m in config[s]["training"]["models"]
    )


def primary_source(config: Mapping[str, Any], system: str) -> str:
    """The source the figures, the agreement table and the claims read (first configured)."""
    return config[system]["relevance"]["sources"][0]


# ---------------------------------------------------------------- liquids and proteins


class ExplainFrames(NamedTuple):
    """Settings of ``explain_frames``: GNN-LRP of one shard of a run's frames.

    Attributes:
        rule: the LRP rule.
        n_frames: frames explained over the whole trajectory (evenly spaced; the shard
            takes its share).
        chunk_size: walks per batched kernel call.
    """

    rule: LrpRule
    n_frames: int
    chunk_size: int


@job("explain_frames")
def explain_frames(
    config: Mapping[str, Any], *, system: str, model: str, source: str, scatteritem: str
) -> ExplainFrames:
    """``<system>.relevance``: rule, frames and chunk size (same for every shard)."""
    block = config[system]["relevance"]
    return ExplainFrames(
        rule=lrp_rule(config, system), n_frames=block["n_frames"], chunk_size=block["chunk_size"]
    )


class SummarizeRelevance(NamedTuple):
    """Settings of ``summarize_relevance``: binned tables and summary of one run.

    Attributes:
        grids: the system's bins.
        min_count: bins with fewer entries are left out of the well position.
        shell_cutoff: configured first-shell edge, Å; None: the reference RDF's first
            minimum (a liquid) or no vertex-angle tables (a protein).
    """

    grids: Grids
    min_count: int
    shell_cutoff: float | None


@job("summarize_relevance")
def summarize_relevance(
    config: Mapping[str, Any], *, system: str, model: str, source: str
) -> SummarizeRelevance:
    """The system's grids, ``relevance.min_count`` and ``structure.shell_cutoff``."""
    return SummarizeRelevance(
        grids=grids(config, system),
        min_count=config[system]["relevance"]["min_count"],
        shell_cutoff=shell_cutoff(config, system),
    )


class ClassicDecomposition(NamedTuple):
    """Settings of ``classic_decomposition``: E2/E3 of isolated dimers and trimers.

    Attributes:
        grids: the system's bins (the tables are binned as the relevance tables).
        classic_frames: the first this many explained frames are decomposed.
    """

    grids: Grids
    classic_frames: int


@job("classic_decomposition")
def classic_decomposition(
    config: Mapping[str, Any], *, system: str, model: str, source: str
) -> ClassicDecomposition:
    """The system's grids and ``relevance.classic_frames``."""
    return ClassicDecomposition(
        grids=grids(config, system),
        classic_frames=config[system]["relevance"]["classic_frames"],
    )


class FindArtifacts(NamedTuple):
    """Settings of ``find_artifacts`` (``<system>.relevance.artifacts``).

    Attributes:
        top_fraction: fraction of the populated map bins that count as strongly
            relevant (largest |mean|).
        density_fraction: a bin is rare below this fraction of the median training
            triplet density over populated bins.
        min_count: fewest 3-body contributions of a populated map bin.
        max_frames: evenly spaced training frames whose triplets give the density.
    """

    top_fraction: float
    density_fraction: float
    min_count: int
    max_frames: int


@job("find_artifacts")
def find_artifacts(
    config: Mapping[str, Any], *, system: str, model: str, source: str
) -> FindArtifacts:
    """``<system>.relevance.artifacts``."""
    block = config[system]["relevance"]["artifacts"]
    return FindArtifacts(
        top_fraction=block["top_fraction"],
        density_fraction=block["density_fraction"],
        min_count=block["min_count"],
        max_frames=block["max_frames"],
    )


class BootstrapRelevance(NamedTuple):
    """Settings of ``bootstrap_relevance``: intervals of one run's tables and numbers.

    Attributes:
        grids: the system's bins.
        min_count: bins with fewer entries are left out.
        bootstrap: resamples, confidence, block length.
        seed: seed of the resampling (stage ``bootstrap/<model>/<source>``), recorded
            in ``numbers_ci.csv``.
        shell_cutoff: as :attr:`SummarizeRelevance.shell_cutoff`.
    """

    grids: Grids
    min_count: int
    bootstrap: BlockBootstrap
    seed: int
    shell_cutoff: float | None


@job("bootstrap_relevance")
def bootstrap_relevance(
    config: Mapping[str, Any], *, system: str, model: str, source: str
) -> BootstrapRelevance:
    """The system's grids and bootstrap block with the run's seed."""
    return BootstrapRelevance(
        grids=grids(config, system),
        min_count=config[system]["relevance"]["min_count"],
        bootstrap=block_bootstrap(config, system),
        seed=seed_of(config, system, f"bootstrap/{model}/{source}"),
        shell_cutoff=shell_cutoff(config, system),
    )


class NbodySpectrum(NamedTuple):
    """Settings of ``nbody_spectrum``: shares of 1-, 2-, 3- and >=4-bead walks.

    Attributes:
        bootstrap: resamples, confidence, block length of the shares' intervals.
        seed: seed of the resampling (stage ``spectrum/<model>/<source>``), recorded in
            ``nbody_summary.csv``.
    """

    bootstrap: BlockBootstrap
    seed: int


@job("nbody_spectrum")
def nbody_spectrum(
    config: Mapping[str, Any], *, system: str, model: str, source: str
) -> NbodySpectrum:
    """The system's bootstrap block with the run's seed."""
    return NbodySpectrum(
        bootstrap=block_bootstrap(config, system),
        seed=seed_of(config, system, f"spectrum/{model}/{source}"),
    )


class ComputeAgreement(NamedTuple):
    """Settings of ``compute_agreement``: the architectures' agreement over the liquids.

    Attributes:
        runs: (liquid, model) of every liquid potential, in the order of the rule's
            per-run inputs (``profiles``, ``maps``, ``summaries``, ``spectra``,
            ``replicates``).
        systems: the liquids, in the order of the ``rdfs`` input.
        imc_systems: the liquids with an IMC pair potential, in the order of the
            ``potentials`` input.
        min_count: the smallest ``relevance.min_count`` of the liquids.
        confidence: the smallest bootstrap confidence of the liquids.
    """

    runs: tuple[tuple[str, str], ...]
    systems: tuple[str, ...]
    imc_systems: tuple[str, ...]
    min_count: int
    confidence: float


@job("compute_agreement")
def compute_agreement(
    config: Mapping[str, Any], *, imc_systems: Sequence[str]
) -> ComputeAgreement:
    """The liquids' runs and minima; ``imc_systems`` is a workflow fact (the IMC
    liquids whose tools are installed)."""
    liquids = systems_of_kind(config, "liquid")
    return ComputeAgreement(
        runs=model_pairs(config),
        systems=tuple(liquids),
        imc_systems=tuple(imc_systems),
        min_count=min(config[s]["relevance"]["min_count"] for s in liquids),
        confidence=min(config[s]["relevance"]["bootstrap"]["confidence"] for s in liquids),
    )


# ---------------------------------------------------------------- claims


class _ReadOnlyMapping(Mapping[str, Any]):
    """A frozen dataclass read as a mapping of its field names to their values."""

    def __getitem__(self, key: str) -> Any:
        if key not in self._names():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    def _names(self) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(self))  # type: ignore[arg-type]


@dataclasses.dataclass(frozen=True)
class StructureClaims(_ReadOnlyMapping):
    """``claims.structure``: the liquid whose angular structure IMC misses (its IMC
    divergence is the control), the liquids it reproduces, and the invariant and
    equivariant models compared (Suppl. Fig. S3)."""

    failing: str
    reproduced: tuple[str, ...]
    invariant: str
    equivariant: str


@dataclasses.dataclass(frozen=True)
class ThreeBodyContrast(_ReadOnlyMapping):
    """``claims.three_body_contrast``: the nearly pairwise liquid and the one that
    needs 3-body terms."""

    low: str
    high: str


@dataclasses.dataclass(frozen=True)
class TwoBodyAgreement(_ReadOnlyMapping):
    """``claims.two_body_agreement``: the two models compared."""

    models: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class SystemClaim(_ReadOnlyMapping):
    """``claims.three_body_agreement``: the liquid."""

    system: str


@dataclasses.dataclass(frozen=True)
class VertexAngleClaim(_ReadOnlyMapping):
    """``claims.vertex_angle``: the liquid, the study's window (deg, low and high) and
    its widening on each side (deg)."""

    system: str
    window: tuple[float, ...]
    tolerance: float


@dataclasses.dataclass(frozen=True)
class WeakDipClaim(_ReadOnlyMapping):
    """``claims.weak_dip``: the liquid, the model with the weaker 2-body well and the
    model it is compared with."""

    system: str
    model: str
    reference_model: str


@dataclasses.dataclass(frozen=True)
class RareThreeBodyClaim(_ReadOnlyMapping):
    """``claims.rare_three_body``: the liquid, the model, the study's shortest edge (Å)
    and the half width (Å) of the window around it."""

    system: str
    model: str
    edge: float
    half_width: float


@dataclasses.dataclass(frozen=True)
class FoldedContactsClaim(_ReadOnlyMapping):
    """``claims.folded_contacts``: the state indicators whose native contacts should
    stabilise the folded state."""

    indicators: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class TopContactsClaim(_ReadOnlyMapping):
    """``claims.top_contacts``: how many of the strongest folded-state contacts."""

    n_top: int


@dataclasses.dataclass(frozen=True)
class MutationsWeaken(Mapping[str, tuple[str, ...]]):
    """``claims.mutations_weaken``: mutation -> the contact sets it should weaken, in
    the config's order.

    Attributes:
        sets: (mutation, its contact sets) pairs.
    """

    sets: tuple[tuple[str, tuple[str, ...]], ...]

    def __getitem__(self, key: str) -> tuple[str, ...]:
        for mutation, names in self.sets:
            if mutation == key:
                return names
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (mutation for mutation, _ in self.sets)

    def __len__(self) -> int:
        return len(self.sets)


@dataclasses.dataclass(frozen=True)
class ClaimsSettings(_ReadOnlyMapping):
    """The ``claims`` config block, typed; read as the mapping the claims library takes.

    Attributes:
        structure, three_body_contrast, two_body_agreement, three_body_agreement,
        vertex_angle, weak_dip, rare_three_body, folded_contacts, top_contacts,
        mutations_weaken: the claim groups' settings (schema: ``claims``).
        paper_scale_only: claim groups (or ``group.item``) listed as not run.
    """

    structure: StructureClaims
    three_body_contrast: ThreeBodyContrast
    two_body_agreement: TwoBodyAgreement
    three_body_agreement: SystemClaim
    vertex_angle: VertexAngleClaim
    weak_dip: WeakDipClaim
    rare_three_body: RareThreeBodyClaim
    folded_contacts: FoldedContactsClaim
    top_contacts: TopContactsClaim
    mutations_weaken: MutationsWeaken
    paper_scale_only: tuple[str, ...]

    @classmethod
    def from_config(cls, block: Mapping[str, Any]) -> ClaimsSettings:
        """From the validated ``claims`` block (every default filled)."""
        s = block["structure"]
        vertex = block["vertex_angle"]
        dip = block["weak_dip"]
        rare = block["rare_three_body"]
        return cls(
            structure=StructureClaims(
                failing=s["failing"],
                reproduced=tuple(s["reproduced"]),
                invariant=s["invariant"],
                equivariant=s["equivariant"],
            ),
            three_body_contrast=ThreeBodyContrast(
                low=block["three_body_contrast"]["low"],
                high=block["three_body_contrast"]["high"],
            ),
            two_body_agreement=TwoBodyAgreement(
                models=tuple(block["two_body_agreement"]["models"])
            ),
            three_body_agreement=SystemClaim(system=block["three_body_agreement"]["system"]),
            vertex_angle=VertexAngleClaim(
                system=vertex["system"],
                window=tuple(vertex["window"]),
                tolerance=vertex["tolerance"],
            ),
            weak_dip=WeakDipClaim(
                system=dip["system"], model=dip["model"], reference_model=dip["reference_model"]
            ),
            rare_three_body=RareThreeBodyClaim(
                system=rare["system"],
                model=rare["model"],
                edge=rare["edge"],
                half_width=rare["half_width"],
            ),
            folded_contacts=FoldedContactsClaim(
                indicators=tuple(block["folded_contacts"]["indicators"])
            ),
            top_contacts=TopContactsClaim(n_top=block["top_contacts"]["n_top"]),
            mutations_weaken=MutationsWeaken(
                sets=tuple(
                    (mutation, tuple(names))
                    for mutation, names in block["mutations_weaken"].items()
                )
            ),
            paper_scale_only=tuple(block["paper_scale_only"]),
        )


class LiquidClaimRun(NamedTuple):
    """One liquid potential the claims read (its primary source).

    Attributes:
        system, model: the run.
        cutoff: the model's neighbour cutoff, Å.
        n_resamples, block_length: the system's bootstrap (None: automatic blocks).
        classic_frames: frames of its classic E2/E3 decomposition.
        seed: seed of its rare-edge and classic-noise intervals (stage
            ``claims/<model>``).
    """

    system: str
    model: str
    cutoff: float
    n_resamples: int
    block_length: int | None
    classic_frames: int
    seed: int


@dataclasses.dataclass(frozen=True)
class ProteinClaimRun(_ReadOnlyMapping):
    """One protein potential the claims read (its primary source); read as the ``run``
    mapping of :func:`cgexplain.analysis.protein_claims.measure_protein_claims`.

    Attributes:
        system, model, source: the run.
        mutations: the protein's mutations, in the order of the rule's ``mutations``
            input.
        native_cutoff: Å, Cα pairs closer in the native structure are native contacts.
        tica_bins: bins per axis of the free-energy surfaces compared.
        n_resamples, confidence, block_length: the protein's bootstrap.
        seed: seed of its intervals (stage ``claims/<model>/<source>``).
    """

    system: str
    model: str
    source: str
    mutations: tuple[str, ...]
    native_cutoff: float
    tica_bins: int
    n_resamples: int
    confidence: float
    block_length: int | None
    seed: int


class CheckClaims(NamedTuple):
    """Settings of ``check_claims``: the study's claims tested on this run.

    Attributes:
        claims: thresholds and subjects (the ``claims`` block).
        imc_skipped: why the IMC stage did not run (None: it ran).
        liquids: the liquids, in the order of the ``rdfs`` input.
        liquid_runs: every liquid potential, in the order of the per-run inputs
            (``replicates``, ``liquid_pairs``, ``liquid_triplets``, ``classic``).
        cutoff_series: (liquid, its cutoff series' (model, cutoff Å) sorted by cutoff)
            per liquid (:func:`cgexplain.settings.training.cutoff_series_runs`).
        min_count: the smallest ``relevance.min_count`` of the liquids (5 without any).
        confidence: the smallest bootstrap confidence of all systems (0.95 without any).
        protein_runs: every protein potential, in the order of the per-protein inputs.
    """

    claims: ClaimsSettings
    imc_skipped: str | None
    liquids: tuple[str, ...]
    liquid_runs: tuple[LiquidClaimRun, ...]
    cutoff_series: tuple[tuple[str, tuple[SeriesRun, ...]], ...]
    min_count: int
    confidence: float
    protein_runs: tuple[ProteinClaimRun, ...]


@job("check_claims")
def check_claims(config: Mapping[str, Any], *, imc_skipped: str | None) -> CheckClaims:
    """The claims block, the runs with their seeds, and the minima over the systems;
    ``imc_skipped`` is a workflow fact (whether VOTCA/LAMMPS are installed)."""
    liquids = systems_of_kind(config, "liquid")
    liquid_runs = []
    for system, model in model_pairs(config):
        relevance = config[system]["relevance"]
        liquid_runs.append(
            LiquidClaimRun(
                system=system,
                model=model,
                cutoff=config[system]["training"][model]["cutoff"],
                n_resamples=relevance["bootstrap"]["n_resamples"],
                block_length=relevance["bootstrap"]["block_length"],
                classic_frames=relevance["classic_frames"],
                seed=seed_of(config, system, f"claims/{model}"),
            )
        )
    protein_runs = []
    for system, model in model_pairs(config, "protein"):
        source = primary_source(config, system)
        bootstrap = block_bootstrap(config, system)
        protein_runs.append(
            ProteinClaimRun(
                system=system,
                model=model,
                source=source,
                mutations=tuple(config[system]["mutations"]),
                native_cutoff=config[system]["states"]["native_cutoff"],
                tica_bins=config[system]["states"]["tica_bins"],
                n_resamples=bootstrap.n_resamples,
                confidence=bootstrap.confidence,
                block_length=bootstrap.block_length,
                seed=seed_of(config, system, f"claims/{model}/{source}"),
            )
        )
    return CheckClaims(
        claims=ClaimsSettings.from_config(config["claims"]),
        imc_skipped=imc_skipped,
        liquids=tuple(liquids),
        liquid_runs=tuple(liquid_runs),
        cutoff_series=tuple((s, cutoff_series_runs(config, s)) for s in liquids),
        min_count=min([config[s]["relevance"]["min_count"] for s in liquids] or [5]),
        confidence=min(
            [config[s]["relevance"]["bootstrap"]["confidence"] for s in config["systems"]]
            or [0.95]
        ),
        protein_runs=tuple(protein_runs),
    )


# ---------------------------------------------------------------- proteins


class MapStateRelevance(NamedTuple):
    """Settings of ``map_state_relevance``: per-state residue-pair relevance of a protein run.

    Attributes:
        n_top: strongest folded-state interactions listed.
        min_separation: interactions spanning fewer residues are not ranked.
        n_beads: beads (kept residues) of the protein.
        native_cutoff: Å, Cα pairs closer in the native structure are native contacts.
        bootstrap: resamples, confidence, block length of the contact intervals.
        seed: seed of their resampling (stage ``state_contacts/<model>/<source>``).
    """

    n_top: int
    min_separation: int
    n_beads: int
    native_cutoff: float
    bootstrap: BlockBootstrap
    seed: int


@job("map_state_relevance")
def map_state_relevance(
    config: Mapping[str, Any], *, system: str, model: str, source: str
) -> MapStateRelevance:
    """The protein's figure settings, bead count, native cutoff and bootstrap with the
    run's seed."""
    block = config[system]
    structure = block["structure_source"]
    return MapStateRelevance(
        n_top=block["n_top"],
        min_separation=block["figure_min_separation"],
        n_beads=structure["last_residue"] - structure["first_residue"] + 1,
        native_cutoff=block["states"]["native_cutoff"],
        bootstrap=block_bootstrap(config, system),
        seed=seed_of(config, system, f"state_contacts/{model}/{source}"),
    )


class ExplainMutation(NamedTuple):
    """Settings of ``explain_mutation``: 2-body relevance of one point mutation.

    Attributes:
        rule: the LRP rule.
        n_frames: folded frames explained (evenly spaced).
        first_residue: PDB number of the first kept residue (bead 0).
        native_cutoff: Å, Cα pairs closer in the native structure are native contacts.
    """

    rule: LrpRule
    n_frames: int
    first_residue: int
    native_cutoff: float


@job("explain_mutation")
def explain_mutation(
    config: Mapping[str, Any], *, system: str, model: str, source: str, mutation: str
) -> ExplainMutation:
    """The protein's LRP rule, ``mutation_frames``, first residue and native cutoff."""
    block = config[system]
    return ExplainMutation(
        rule=lrp_rule(config, system),
        n_frames=block["mutation_frames"],
        first_residue=block["structure_source"]["first_residue"],
        native_cutoff=block["states"]["native_cutoff"],
    )
