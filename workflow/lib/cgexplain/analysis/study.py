"""The study's claims that the workflow checks: figure, words and our statement.

Bonneau, Lederer, Templeton, Rosenberger, Giambagli, Müller & Clementi, "Peering inside
the black box by learning the relevance of many-body functions in neural network
potentials", Nat. Commun. 16, 9898 (2025).

``words`` holds the study's own words where we have them verbatim (marked by quotes);
the full text was not at hand when this table was written (the stored copies reach the
abstract only), so the other entries are paraphrases of the figure's message, marked
``paraphrase:``, and should be replaced by the printed sentence. ``statement`` is what
the workflow tests, in our words; the claims table adds the system and model.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["STUDY", "StudyClaim"]


@dataclass(frozen=True)
class StudyClaim:
    """One claim of the study: ``figure`` (e.g. ``"Fig. 3"``), ``words`` (quoted or a
    marked paraphrase) and the tested ``statement``."""

    figure: str
    words: str
    statement: str


_P = "paraphrase: "

STUDY: dict[str, StudyClaim] = {
    "structure_reproduced": StudyClaim(
        "Figs. 2, S7",
        _P + "every CG model reproduces the reference RDF and the local (first-shell) "
        "angle distribution",
        "the CG network reproduces the reference structure",
    ),
    "imc_structure.reproduced": StudyClaim(
        "Suppl. Fig. S1",
        "\"IMC reproduces methane's angles but misses water's\" (as summarised in the "
        "issue tracker; the study shows it in Suppl. Fig. S1)",
        "the IMC pair potential reproduces the liquid's angular structure",
    ),
    "imc_structure.missed": StudyClaim(
        "Suppl. Fig. S1",
        "\"IMC reproduces methane's angles but misses water's\" (as summarised in the "
        "issue tracker; the study shows it in Suppl. Fig. S1)",
        "the IMC pair potential misses the liquid's angular structure that a network gets",
    ),
    "invariant_structure.missed": StudyClaim(
        "Suppl. Fig. S3",
        _P + "the invariant SchNet does not reproduce water's angular structure, which "
        "the equivariant PaiNN does",
        "the invariant SchNet misses water's angular structure that PaiNN gets",
    ),
    "invariant_structure.fine": StudyClaim(
        "Suppl. Fig. S3",
        _P + "the SchNet baseline was tested on water only",
        "the invariant SchNet reproduces the angular structure of a nearly pairwise liquid",
    ),
    "cutoff_structure": StudyClaim(
        "Suppl. Fig. S2",
        _P + "PaiNN needs a larger cutoff for water",
        "PaiNN with a smaller cutoff reproduces water's angular structure worse",
    ),
    "three_body_contrast": StudyClaim(
        "Fig. 3",
        _P + "methane is nearly pairwise: its 3-body relevance is small next to its "
        "2-body relevance, unlike water's",
        "methane's 3-body relevance, relative to 2-body, is below water's",
    ),
    "two_body_agreement.positive": StudyClaim(
        "Fig. 2",
        _P + "PaiNN and SO3Net learn the same 2-body relevance curve",
        "the two architectures' 2-body curves agree beyond the repulsive wall "
        "(reading 1: positive correlation)",
    ),
    "two_body_agreement.beyond_imc": StudyClaim(
        "Fig. 2",
        _P + "PaiNN and SO3Net learn the same 2-body relevance curve",
        "the two architectures' 2-body curves agree beyond the wall better than either "
        "agrees with the IMC pair potential (reading 2)",
    ),
    "three_body_agreement.positive": StudyClaim(
        "Fig. 3",
        _P + "water's 3-body relevance maps agree across architectures",
        "two architectures' 3-body maps agree (reading 1: positive correlation)",
    ),
    "three_body_agreement.as_two_body": StudyClaim(
        "Fig. 3",
        _P + "water's 3-body relevance maps agree across architectures",
        "two architectures' 3-body maps agree as well as their 2-body curves (reading 2)",
    ),
    "well_at_rdf_peak": StudyClaim(
        "Fig. 2",
        _P + "the stabilising 2-body well sits at the first peak of the RDF",
        "the 2-body stabilising well lies within the first RDF peak",
    ),
    "weak_dip": StudyClaim(
        "Fig. 2",
        'methane SO3Net\'s weak dip is explained by its "relatively short cutoff"',
        "methane SO3Net's 2-body well is shallower than PaiNN's",
    ),
    "two_body_shape.divergence": StudyClaim(
        "Fig. 2",
        _P + "2-body relevance is strongly destabilising as r -> 0",
        "the 2-body curve rises above the well's scale at the shortest distances",
    ),
    "two_body_shape.vanishes": StudyClaim(
        "Fig. 2",
        _P + "2-body relevance vanishes at the cutoff",
        "the 2-body curve vanishes at the model's cutoff",
    ),
    "vertex_angle.minimum": StudyClaim(
        "Fig. 3",
        'water\'s strongest stabilising 3-body terms sit "around 50-60 degrees" (Fig. 3 '
        'is described by "the largest angle and opposed edge length"; the 50-60° '
        "statement needs the first-shell vertex angle)",
        "the most stabilising first-shell vertex angle lies around 50-60°",
    ),
    "vertex_angle.stabilising": StudyClaim(
        "Fig. 3",
        'water\'s strongest stabilising 3-body terms sit "around 50-60 degrees"',
        "some first-shell 3-body terms are stabilising (a negative vertex-angle bin)",
    ),
    "vertex_angle.window": StudyClaim(
        "Fig. 3",
        'water\'s strongest stabilising 3-body terms sit "around 50-60 degrees"',
        "3-body terms at first-shell vertex angles of 50-60° are more stabilising than at "
        "100-120°",
    ),
    "three_body_short_edges": StudyClaim(
        "Fig. 3",
        _P + "water's 3-body terms are destabilising at the shortest edges",
        "3-body terms of triplets with the shortest edges are destabilising",
    ),
    "rare_three_body.stabilising": StudyClaim(
        "Suppl. Figs. S9, S10",
        _P + "methane PaiNN learns a rare stabilising 3-body term at a shortest edge of "
        "about 3.15 Å, a distance rare in the training data, where its 2-body terms are "
        "about ten times stronger",
        "3-body terms at the rare shortest edge are stabilising",
    ),
    "rare_three_body.two_body_stronger": StudyClaim(
        "Suppl. Figs. S9, S10",
        _P + "methane PaiNN learns a rare stabilising 3-body term at a shortest edge of "
        "about 3.15 Å, a distance rare in the training data, where its 2-body terms are "
        "about ten times stronger",
        "2-body terms at that distance are stronger than the 3-body terms",
    ),
    "classic_noise.iqr": StudyClaim(
        "Suppl. Fig. S4",
        _P + "the classic many-body decomposition (energies of isolated clusters) is "
        "noisier than GNN-LRP",
        "the classic 3-body decomposition (E3) is rougher than the GNN-LRP 3-body map "
        "(reading: bin-to-bin differences over the map's interquartile range)",
    ),
    "classic_noise.range": StudyClaim(
        "Suppl. Fig. S4",
        _P + "the classic many-body decomposition (energies of isolated clusters) is "
        "noisier than GNN-LRP",
        "the classic 3-body decomposition (E3) is rougher than the GNN-LRP 3-body map "
        "(reading: bin-to-bin differences over the map's range)",
    ),
    "folded_contacts": StudyClaim(
        "Figs. 5-6",
        _P + "NTL9's folded state is stabilised by the native contacts of its secondary structure",
        "the element's native contacts stabilise the folded state",
    ),
    "top_contacts.b1b3": StudyClaim(
        "Figs. 5-6",
        _P + "NTL9's strongest 2-body contacts lie in the β1-β3 sheet and are mostly stabilising",
        "the strongest 2-body contacts of the folded state lie in β1-β3 more often than "
        "random pairs do",
    ),
    "top_contacts.stabilising": StudyClaim(
        "Figs. 5-6",
        _P + "NTL9's strongest 2-body contacts lie in the β1-β3 sheet and are mostly stabilising",
        "most of the strongest 2-body contacts of the folded state stabilise",
    ),
    "unfolded_mixed": StudyClaim(
        "Fig. 5",
        _P + "the unfolded state has stabilising and destabilising contacts outside the "
        "secondary structure",
        "outside the native secondary-structure contacts, U has both stabilising and "
        "destabilising relevance",
    ),
    "intermediates.kept": StudyClaim(
        "Fig. 5",
        _P + "the intermediates P1 and P2 keep the relevance of the elements they have formed",
        "a formed element keeps stabilising in the intermediate",
    ),
    "intermediates.lost": StudyClaim(
        "Fig. 5",
        _P + "the elements an intermediate has formed are worth less to it than to the "
        "folded state (folding is cooperative)",
        "a formed element stabilises the intermediate less than the folded state",
    ),
    "mutation": StudyClaim(
        "Fig. 7",
        _P + "ILE4ASN weakens residue 4's contacts with hydrophobic residues in the "
        "neighbouring strands; LEU30PHE weakens the whole helix and also β1-β3 contacts "
        "that do not involve residue 30",
        "the mutation weakens these contacts",
    ),
    "fes_agreement": StudyClaim(
        "Fig. 4",
        _P + "the CG free-energy surface matches the all-atom one on the first two TICA "
        "components",
        "the CG model's TICA free-energy surface matches the reference's",
    ),
}
