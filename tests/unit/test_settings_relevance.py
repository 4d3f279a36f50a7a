"""Settings of the relevance jobs (cgexplain.settings.relevance), built from the shipped
configs and checked against independently written expectations: the grids' edge range
from the models' cutoffs, the seeds from ``system_seed`` with each stage string, and the
runs the agreement table and the claims read."""

from __future__ import annotations

import copy
from collections.abc import Mapping

import pytest

from cgexplain.analysis import claims as cl
from cgexplain.config import load_config_files, system_seed
from cgexplain.settings import for_job, jobs
from cgexplain.settings.relevance import (
    BootstrapRelevance,
    CheckClaims,
    ClaimsSettings,
    ComputeAgreement,
    ExplainFrames,
    ExplainMutation,
    FindArtifacts,
    MapStateRelevance,
    NbodySpectrum,
    ProteinClaimRun,
    SummarizeRelevance,
)

from ..conftest import REPO

SCALES = {
    "default": ["config/config.yaml"],
    "tiny": ["config/config.yaml", "config/tiny.yaml"],
}

#: jobs of workflow/rules/relevance.smk with settings
RELEVANCE_JOBS = {
    "explain_frames",
    "summarize_relevance",
    "classic_decomposition",
    "find_artifacts",
    "bootstrap_relevance",
    "nbody_spectrum",
    "compute_agreement",
    "check_claims",
    "map_state_relevance",
    "explain_mutation",
}

#: (r_max, edge_max) in Å of each system, written out by hand from the shipped configs:
#: a liquid's r_max is its structure.rdf_max, a protein's its (largest) model cutoff;
#: edge_max is twice the largest cutoff of the system's models
GRID_RANGES = {
    "default": {"methane": (8.9, 10.0), "water": (9.9, 12.0), "ntl9": (10.0, 20.0)},
    "tiny": {"methane": (8.9, 8.0), "water": (9.9, 9.0), "ntl9": (8.0, 16.0)},
}

#: the cutoff series of each liquid in the shipped configs (copies, then PaiNN's own)
SERIES = {
    "default": {"methane": (), "water": (("painn_rc4", 4.0), ("painn_rc5", 5.0), ("painn", 6.0))},
    "tiny": {"methane": (), "water": (("painn_rc3p5", 3.5), ("painn", 4.5))},
}

LIQUID_MODELS = ("painn", "so3net", "schnet")  # both shipped configs train all three


def load(scale: str) -> dict:
    return load_config_files([REPO / path for path in SCALES[scale]])


@pytest.fixture(scope="module", params=list(SCALES))
def scaled(request) -> tuple[str, dict]:
    return request.param, load(request.param)


def runs_of(config: dict):
    """(system, model, source) of every relevance run of the config."""
    for system in config["systems"]:
        for model in config[system]["training"]["models"]:
            for source in config[system]["relevance"]["sources"]:
                yield system, model, source


def has_no_mutable(value) -> bool:
    """Whether ``value`` holds no dict or list anywhere (Snakemake's params record the
    repr of a tuple, so a job's settings must be immutable all the way down)."""
    if isinstance(value, dict | list | set):
        return False
    if isinstance(value, tuple):
        return all(has_no_mutable(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return all(has_no_mutable(getattr(value, f)) for f in value.__dataclass_fields__)
    return True


def test_the_relevance_jobs_have_builders():
    assert RELEVANCE_JOBS <= set(jobs())


def test_every_job_builds_immutable_settings(scaled):
    _, config = scaled
    built = []
    for system, model, source in runs_of(config):
        w = {"system": system, "model": model, "source": source}
        built += [
            for_job(config, "explain_frames", scatteritem="1-of-2", **w),
            for_job(config, "summarize_relevance", **w),
            for_job(config, "classic_decomposition", **w),
            for_job(config, "find_artifacts", **w),
            for_job(config, "bootstrap_relevance", **w),
            for_job(config, "nbody_spectrum", **w),
        ]
        if config[system]["kind"] == "protein":
            built.append(for_job(config, "map_state_relevance", **w))
            built += [
                for_job(config, "explain_mutation", mutation=m, **w)
                for m in config[system]["mutations"]
            ]
    built.append(for_job(config, "compute_agreement", imc_systems=["methane", "water"]))
    built.append(for_job(config, "check_claims", imc_skipped=None))
    assert {type(s).__name__ for s in built} >= {
        "ExplainFrames", "SummarizeRelevance", "ClassicDecomposition", "FindArtifacts",
        "BootstrapRelevance", "NbodySpectrum", "MapStateRelevance", "ExplainMutation",
        "ComputeAgreement", "CheckClaims",
    }  # fmt: skip
    for settings in built:
        assert isinstance(settings, tuple)  # a NamedTuple: Snakemake records its repr
        assert has_no_mutable(settings), settings
        hash(settings)  # immutable all the way down


def test_grids_span_twice_the_largest_cutoff(scaled):
    scale, config = scaled
    for system, model, source in runs_of(config):
        w = {"system": system, "model": model, "source": source}
        grid = for_job(config, "summarize_relevance", **w).grids
        r_max, edge_max = GRID_RANGES[scale][system]
        assert grid.r_max == pytest.approx(r_max)
        assert grid.edge_max == pytest.approx(edge_max)
        # the same from the config's cutoffs, whatever the model of the job
        cutoffs = [
            config[system]["training"][m]["cutoff"] for m in config[system]["training"]["models"]
        ]
        assert grid.edge_max == 2 * max(cutoffs) >= 2 * config[system]["training"][model]["cutoff"]
        relevance = config[system]["relevance"]
        assert (grid.pair_bins, grid.angle_bins, grid.edge_bins) == (
            relevance["pair_bins"], relevance["angle_bins"], relevance["edge_bins"],
        )  # fmt: skip
        # one grid per system: the classic tables and the intervals are binned alike
        assert for_job(config, "classic_decomposition", **w).grids == grid
        assert for_job(config, "bootstrap_relevance", **w).grids == grid


def test_per_run_settings_are_the_configs(scaled):
    _, config = scaled
    for system, model, source in runs_of(config):
        w = {"system": system, "model": model, "source": source}
        relevance = config[system]["relevance"]
        structure = config[system].get("structure") or {}
        frames = for_job(config, "explain_frames", scatteritem="2-of-2", **w)
        assert isinstance(frames, ExplainFrames)
        assert frames.rule == (relevance["rule"], relevance["gamma"])
        assert (frames.n_frames, frames.chunk_size) == (
            relevance["n_frames"], relevance["chunk_size"],
        )  # fmt: skip
        summary = for_job(config, "summarize_relevance", **w)
        assert isinstance(summary, SummarizeRelevance)
        assert summary.min_count == relevance["min_count"]
        assert summary.shell_cutoff == structure.get("shell_cutoff")
        classic = for_job(config, "classic_decomposition", **w)
        assert classic.classic_frames == relevance["classic_frames"]
        artifacts = for_job(config, "find_artifacts", **w)
        assert isinstance(artifacts, FindArtifacts)
        assert artifacts._asdict() == relevance["artifacts"]


def test_bootstrap_seeds_use_the_stage_strings(scaled):
    _, config = scaled
    seeds = set()
    for system, model, source in runs_of(config):
        w = {"system": system, "model": model, "source": source}
        boot = config[system]["relevance"]["bootstrap"]
        b = for_job(config, "bootstrap_relevance", **w)
        assert isinstance(b, BootstrapRelevance)
        assert b.seed == system_seed(config["seed"], system, f"bootstrap/{model}/{source}")
        assert b.bootstrap._asdict() == boot
        assert b.min_count == config[system]["relevance"]["min_count"]
        n = for_job(config, "nbody_spectrum", **w)
        assert isinstance(n, NbodySpectrum)
        assert n.seed == system_seed(config["seed"], system, f"spectrum/{model}/{source}")
        assert n.bootstrap == b.bootstrap
        seeds |= {b.seed, n.seed}
    assert len(seeds) == 2 * len(list(runs_of(config)))  # every run and stage its own


def test_protein_jobs(scaled):
    scale, config = scaled
    for system, model, source in runs_of(config):
        if config[system]["kind"] != "protein":
            continue
        w = {"system": system, "model": model, "source": source}
        state = for_job(config, "map_state_relevance", **w)
        assert isinstance(state, MapStateRelevance)
        assert state.n_beads == 39  # NTL9 residues 1-39 in both shipped configs
        assert state.seed == system_seed(
            config["seed"], system, f"state_contacts/{model}/{source}"
        )
        assert (state.n_top, state.min_separation, state.native_cutoff) == (
            config[system]["n_top"],
            config[system]["figure_min_separation"],
            config[system]["states"]["native_cutoff"],
        )
        assert state.bootstrap._asdict() == config[system]["relevance"]["bootstrap"]
        assert config[system]["mutations"]
        for mutation in config[system]["mutations"]:
            m = for_job(config, "explain_mutation", mutation=mutation, **w)
            assert isinstance(m, ExplainMutation)
            assert m.n_frames == {"default": 50, "tiny": 2}[scale]
            assert (m.first_residue, m.native_cutoff) == (1, 8.0)
            assert m.rule.name == config[system]["relevance"]["rule"]


def test_agreement_reads_every_liquid_run(scaled):
    _, config = scaled
    settings = for_job(config, "compute_agreement", imc_systems=["water"])
    assert isinstance(settings, ComputeAgreement)
    assert settings.runs == tuple((s, m) for s in ("methane", "water") for m in LIQUID_MODELS)
    assert settings.systems == ("methane", "water")
    assert settings.imc_systems == ("water",)
    edited = copy.deepcopy(config)
    edited["water"]["relevance"]["min_count"] = 1
    edited["methane"]["relevance"]["min_count"] = 7
    edited["water"]["relevance"]["bootstrap"]["confidence"] = 0.9
    edited["ntl9"]["relevance"]["min_count"] = 0  # a protein is no part of the agreement
    edited["ntl9"]["relevance"]["bootstrap"]["confidence"] = 0.5
    settings = for_job(edited, "compute_agreement", imc_systems=[])
    assert (settings.min_count, settings.confidence) == (1, 0.9)


def test_claims_runs_seeds_and_minima(scaled):
    scale, config = scaled
    settings = for_job(config, "check_claims", imc_skipped="not run: VOTCA/LAMMPS missing")
    assert isinstance(settings, CheckClaims)
    assert settings.imc_skipped == "not run: VOTCA/LAMMPS missing"
    assert settings.liquids == ("methane", "water")
    runs = [(r.system, r.model) for r in settings.liquid_runs]
    assert runs == [(s, m) for s in ("methane", "water") for m in LIQUID_MODELS]
    for run in settings.liquid_runs:
        block = config[run.system]
        assert run.cutoff == block["training"][run.model]["cutoff"]
        assert run.seed == system_seed(config["seed"], run.system, f"claims/{run.model}")
        assert (run.n_resamples, run.block_length) == (
            block["relevance"]["bootstrap"]["n_resamples"],
            block["relevance"]["bootstrap"]["block_length"],
        )
        assert run.classic_frames == block["relevance"]["classic_frames"]
    assert dict(settings.cutoff_series) == SERIES[scale]
    assert settings.min_count == {"default": 5, "tiny": 1}[scale]
    assert settings.confidence == 0.95
    # proteins: the primary (first) source, its own seed stage
    (run,) = settings.protein_runs
    assert isinstance(run, ProteinClaimRun)
    assert (run.system, run.model, run.source) == ("ntl9", "painn", "reference")
    assert run.seed == system_seed(config["seed"], "ntl9", "claims/painn/reference")
    assert run.mutations == ("ILE4ASN", "LEU30PHE")
    assert run.tica_bins == {"default": 40, "tiny": 10}[scale]
    assert run.native_cutoff == 8.0


def test_claims_confidence_is_the_smallest_of_all_systems(scaled):
    """The claims' confidence is the minimum over every system (proteins included), their
    min_count the minimum over the liquids; 5 and 0.95 without any."""
    _, config = scaled
    edited = copy.deepcopy(config)
    edited["ntl9"]["relevance"]["bootstrap"]["confidence"] = 0.8
    edited["ntl9"]["relevance"]["min_count"] = 1
    edited["methane"]["relevance"]["min_count"] = 3
    edited["water"]["relevance"]["min_count"] = 4
    settings = for_job(edited, "check_claims", imc_skipped=None)
    assert (settings.confidence, settings.min_count) == (0.8, 3)
    proteins_only = copy.deepcopy(config)
    proteins_only["systems"] = ["ntl9"]
    settings = for_job(proteins_only, "check_claims", imc_skipped=None)
    assert (settings.liquids, settings.liquid_runs, settings.cutoff_series) == ((), (), ())
    assert (settings.min_count, settings.confidence) == (5, 0.95)


def test_claims_block_reads_as_the_config_block(scaled):
    """The typed claims block is the mapping the claims library reads: the same keys
    and values as the config's block (lists as tuples)."""
    _, config = scaled
    claims = for_job(config, "check_claims", imc_skipped=None).claims
    assert isinstance(claims, ClaimsSettings) and isinstance(claims, Mapping)

    def plain(value):
        if isinstance(value, Mapping):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    assert plain(claims) == plain(config["claims"])
    assert list(claims["mutations_weaken"]) == list(config["claims"]["mutations_weaken"])
    assert claims.get("vertex_angle", {}).get("factor", 1.0) == 1.0  # not in the schema
    with pytest.raises(KeyError):
        claims["no_such_group"]
    skipped = copy.deepcopy(config)
    skipped["claims"]["paper_scale_only"] = ["mutation.ILE4ASN", "weak_dip"]
    typed = for_job(skipped, "check_claims", imc_skipped=None).claims
    assert not cl.runs(typed, "mutation", "ILE4ASN") and cl.runs(typed, "mutation", "LEU30PHE")
    assert not cl.runs(typed, "weak_dip") and cl.runs(typed, "vertex_angle")


def test_protein_claim_run_reads_as_a_run_mapping(scaled):
    _, config = scaled
    (run,) = for_job(config, "check_claims", imc_skipped=None).protein_runs
    assert run["seed"] == run.seed and run["n_resamples"] == run.n_resamples
    assert run.get("block_length") is None  # automatic blocks in the shipped configs
    assert run.get("exclude_runs", ()) == ()  # optional keys keep the library's default
    assert set(run) == {
        "system", "model", "source", "mutations", "native_cutoff", "tica_bins",
        "n_resamples", "confidence", "block_length", "seed",
    }  # fmt: skip
