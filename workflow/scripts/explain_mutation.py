"""Snakemake entry point: 2-body relevance change of a point mutation on folded frames."""

import numpy as np
import pandas as pd
import torch

from cgexplain.analysis.claims import contact_relevance_per_frame
from cgexplain.analysis.protein_claims import mutation_pair_sets
from cgexplain.analysis.protein_maps import matrix_table, pair_matrix
from cgexplain.analysis.relevance import normalize_contributions
from cgexplain.analysis.states import StateElements, element_contacts
from cgexplain.io import atomic_output, load_trajectory
from cgexplain.lrp.rules import parse_rule
from cgexplain.lrp.trajectory import explain_frames, frame_atoms, select_frames
from cgexplain.potentials.loading import load_model
from cgexplain.residues import parse_mutation
from cgexplain.runlog import run_logging

with run_logging(snakemake.log[0]) as log:
    torch.set_num_threads(snakemake.threads)
    settings = snakemake.params.settings  # cgexplain.settings.relevance.ExplainMutation
    rule = parse_rule(settings.rule.name, gamma=settings.rule.gamma)
    structure = StateElements.read(snakemake.input.elements)
    names = structure.residue_names
    contacts = element_contacts(
        structure.native_positions, structure.elements, settings.native_cutoff
    )
    index, new_type = parse_mutation(snakemake.wildcards.mutation, names, settings.first_residue)
    # the state indicators' native contacts, then the pair sets this mutation is expected
    # to change (res<n>_hydrophobic, helix_all, b1b3_not<n>)
    indicators = {name: pair_list for name, (pair_list, _) in contacts.items()}
    indicators.update(
        mutation_pair_sets(
            structure,
            snakemake.wildcards.mutation,
            settings.first_residue,
            settings.native_cutoff,
        )
    )
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = load_model(snakemake.input.model, device=device)
    traj = load_trajectory(snakemake.input.trajectory)
    states = pd.read_csv(snakemake.input.states, keep_default_na=False)
    folded = states.loc[states["state"] == "F", "frame"].to_numpy()
    chosen = folded[select_frames(len(folded), settings.n_frames)] if folded.size else []
    log.info(
        "%s: bead %d -> type %d on %d folded frames",
        snakemake.wildcards.mutation,
        index,
        new_type,
        len(chosen),
    )
    matrices, per_frame = {}, {}
    if len(chosen):
        mutant_types = traj.atomic_numbers.copy()
        mutant_types[index] = new_type
        for label, types in (("wild_type", traj.atomic_numbers), ("mutant", mutant_types)):
            frames = ((int(f), frame_atoms(traj.positions[f], traj.box[f], types)) for f in chosen)
            pairs, _, table = explain_frames(model, frames, rule, max_order=2)
            pairs = normalize_contributions(pairs, table)
            matrices[label] = pair_matrix(pairs, traj.n_sites, np.asarray(chosen))
            per_frame[label] = {
                name: contact_relevance_per_frame(pairs, pair_list, np.asarray(chosen))
                for name, pair_list in indicators.items()
            }
        matrices["difference"] = matrices["mutant"] - matrices["wild_type"]
        row = matrices["difference"][index]
        log.info("largest changes of bead %d: %s", index, np.argsort(-np.abs(row))[:5].tolist())
    else:
        log.warning("no folded frames: the mutation map stays empty")
    with atomic_output(snakemake.output.difference) as tmp:
        matrix_table(matrices, name="kind").assign(n_frames=len(chosen)).to_csv(tmp, index=False)
    # per folded frame and indicator: summed relevance of its pairs
    rows = [
        pd.DataFrame(
            {
                "frame": np.asarray(chosen, dtype=int),
                "indicator": name,
                "wild_type": per_frame["wild_type"][name],
                "mutant": per_frame["mutant"][name],
            }
        )
        for name in (indicators if per_frame else ())
    ]
    columns = ["frame", "indicator", "wild_type", "mutant"]
    table = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)
    with atomic_output(snakemake.output.contacts) as tmp:
        table.assign(difference=table["mutant"] - table["wild_type"]).to_csv(tmp, index=False)
