"""Snakemake entry point: one all-atom implicit-solvent production run of the protein from
the seed of a folding state (OpenMM); runs from states in ``sampling.hold`` keep the
state's Cα-only walls, which the stored forces leave out."""

from dataclasses import replace

from cgexplain.md.protein import build_protein_system
from cgexplain.md.reference import run_reference
from cgexplain.md.sampling import Walls, contact_bias, native_state_contacts, read_seed
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    settings = snakemake.params.settings  # cgexplain.settings.protein.SimulateProtein
    log.info("protein run %s: %s", snakemake.wildcards.scatteritem, settings)
    ref = build_protein_system(snakemake.input.structure, **settings.system._asdict())
    seed = read_seed(snakemake.input.seed, ref.n_atoms)
    state, origin = str(seed["state"]), str(seed["origin"])
    log.info(
        "seed: state %s from the %s (in the state: %s)", state, origin, bool(seed["in_state"])
    )
    ref = replace(ref, positions=seed["positions"])
    bias = None
    if state in settings.hold:
        states, held = settings.states, settings.walls
        contacts, _ = native_state_contacts(snakemake.input.structure, states.native_cutoff)
        walls = Walls.for_state(state, states.formed, states.broken, held.margin, held.k)
        bias = contact_bias(ref.bead_atoms, contacts, walls, held.tolerance, held.sharpness)
        log.info("holding %s with walls %s (left out of the stored forces)", state, walls)
    run = replace(settings.run, threads=snakemake.threads)
    provenance = {
        "seed_state": state,
        "seed_origin": origin,
        "seed_in_state": bool(seed["in_state"]),
    }
    run_reference(
        ref,
        run,
        snakemake.output.trajectory,
        snakemake.params.work_dir,
        bias=bias,
        metadata=provenance,
    )
