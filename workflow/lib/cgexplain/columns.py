"""Column names of the tables the workflow writes and reads between stages.

Each table is listed with its file (relative to ``results/``), its columns in the order
they are written, and units. Bead and residue indices are 0-based; lengths in Å,
angles in degrees, energies and raw relevance in kcal/mol, times in ps; normalised
relevance (``relevance_norm``) and everything derived from it are in arbitrary units
(see :mod:`cgexplain.analysis.relevance`).
"""

from __future__ import annotations

# --- names shared by several tables ---------------------------------------------------

#: frame index in its trajectory
FRAME = "frame"
#: bead indices of a pair (i < j) or a triplet (i < j < k)
BEAD_I, BEAD_J, BEAD_K = "i", "j", "k"
#: the quantity of a long table (a matrix entry, a metric, a prior parameter)
VALUE = "value"
#: number of entries (frames, contributions, triplets per frame) in a bin or state
COUNT = "count"
#: mean of a bin (NaN where empty)
MEAN = "mean"
SYSTEM = "system"
MODEL = "model"
SOURCE = "source"
STATE = "state"
N_FRAMES = "n_frames"

# --- GNN-LRP relevance: <system>/relevance/<model>/<source>/pairs.parquet, triplets.parquet

#: sum of the relevance of the walks over the bead set, kcal/mol
RELEVANCE = "relevance"
#: number of walks over the bead set
N_WALKS = "n_walks"
#: pair distance (minimum image), Å
DISTANCE = "distance"
#: triangle sides of a triplet (minimum image), Å
D_IJ, D_IK, D_JK = "d_ij", "d_ik", "d_jk"
TRIANGLE_SIDES = (D_IJ, D_IK, D_JK)
#: largest angle of a triplet's triangle, degrees (also in the in-memory structure
#: triplet tables of :func:`cgexplain.analysis.triplets.triplet_table`)
MAX_ANGLE = "max_angle"
#: former column names -> current ones; tables written before the rename are read with
#: the current names (:func:`cgexplain.io.read_table`)
RENAMED_COLUMNS = {"largest_angle": MAX_ANGLE}
#: relevance / |total relevance / number of walks| of its frame, arbitrary units
RELEVANCE_NORM = "relevance_norm"
#: ``relevance_norm / n_walks``, arbitrary units
RELEVANCE_PER_WALK = "relevance_per_walk"
PAIR_COLUMNS = (
    BEAD_I,
    BEAD_J,
    RELEVANCE,
    N_WALKS,
    DISTANCE,
    FRAME,
    RELEVANCE_NORM,
    RELEVANCE_PER_WALK,
)
TRIPLET_COLUMNS = (
    BEAD_I, BEAD_J, BEAD_K, RELEVANCE, N_WALKS, D_IJ, D_IK, D_JK, MAX_ANGLE, FRAME,
    RELEVANCE_NORM, RELEVANCE_PER_WALK,
)  # fmt: skip

# --- per-frame relevance summary: .../frames.csv ----------------------------------------

#: model energy and the value of the rule-modified forward pass, kcal/mol (``energy`` is
#: also the pair potential's column in <liquid>/imc/potential.csv, kcal/mol)
ENERGY, MODIFIED_ENERGY = "energy", "modified_energy"
#: sum of all walk relevances of the frame, kcal/mol
TOTAL = "total"
#: sum of the 1-, 2- and 3-body contributions of the frame, kcal/mol
EXPLAINED = "explained"
#: number of all walks of the frame
N_WALKS_TOTAL = "n_walks_total"
N_PAIRS, N_TRIPLETS = "n_pairs", "n_triplets"
#: wall time of the frame, s
SECONDS = "seconds"
RULE, GAMMA = "rule", "gamma"
FRAME_TABLE_COLUMNS = (
    FRAME, ENERGY, MODIFIED_ENERGY, TOTAL, EXPLAINED, N_WALKS_TOTAL, N_PAIRS, N_TRIPLETS,
    SECONDS, SOURCE, RULE, GAMMA,
)  # fmt: skip

# --- triangle edges added to triplet tables (analysis.relevance.triangle_edges), Å -------

ADJACENT_SHORT, ADJACENT_LONG, OPPOSITE_EDGE = "adjacent_short", "adjacent_long", "opposite_edge"

# --- structure: <system>/reference/rdf.csv, .../simulation/<model>/rdf.csv --------------

#: bin centre, Å; g(r); running coordination number up to the bin's upper edge
R, G, COORDINATION = "r", "g", "coordination"
RDF_COLUMNS = (R, G, COORDINATION)

# --- structure: .../triplets.csv (triplet histogram) ------------------------------------

#: bin centres: largest angle, degrees; opposite edge, Å
ANGLE, EDGE = "angle", "edge"
#: probability density, 1/(deg Å)
DENSITY = "density"
TRIPLET_HISTOGRAM_COLUMNS = (ANGLE, EDGE, COUNT, DENSITY)

# --- binned relevance: pair_profile.csv, triplet_map.csv, pair_histogram.csv,
# --- triplet_adjacent.csv ---------------------------------------------------------------

#: bin edges and centre of a 1-D profile (distance, Å)
LOWER, UPPER, CENTER = "lower", "upper", "center"
#: population standard deviation in a bin
STD = "std"
PAIR_PROFILE_COLUMNS = (LOWER, UPPER, CENTER, MEAN, STD, COUNT)
#: bin centres of a 2-D map
X, Y = "x", "y"
TRIPLET_MAP_COLUMNS = (X, Y, MEAN, COUNT)
PAIR_HISTOGRAM_COLUMNS = (X, Y, COUNT)
#: largest-angle window of an adjacent-edge map, degrees
ANGLE_LOW, ANGLE_HIGH = "angle_low", "angle_high"
TRIPLET_ADJACENT_COLUMNS = (X, Y, MEAN, COUNT, ANGLE_LOW, ANGLE_HIGH)

# --- first-shell vertex angles (analysis.vertex_angles): triplet_vertex_map.csv (map
# --- columns as triplet_map.csv), vertex_angle_profile.csv,
# --- bootstrap/vertex_angle_profile_ci.csv -----------------------------------------------

#: vertex of a triplet (0, 1, 2 = bead i, j, k)
VERTEX = "vertex"
#: angle at a vertex whose two adjacent edges lie in the first shell, degrees
VERTEX_ANGLE = "angle_deg"
VERTEX_ENTRY_COLUMNS = (
    FRAME, VERTEX, VERTEX_ANGLE, OPPOSITE_EDGE, ADJACENT_SHORT, ADJACENT_LONG,
    RELEVANCE_NORM, N_WALKS,
)  # fmt: skip
VERTEX_PROFILE_COLUMNS = (LOWER, UPPER, CENTER, MEAN, COUNT, N_WALKS)
CI_LOW, CI_HIGH = "ci_low", "ci_high"
VERTEX_PROFILE_CI_COLUMNS = (CENTER, MEAN, COUNT, CI_LOW, CI_HIGH)

# --- relevance agreement: relevance/agreement.csv ---------------------------------------

QUANTITY = "quantity"
AGREEMENT_COLUMNS = (SYSTEM, QUANTITY, MODEL, VALUE)

# --- CG structure against the reference: validation/structure_metrics.csv ---------------

#: max |g_CG(r) - g_ref(r)|; Jensen-Shannon divergence of the largest-angle distributions
MAX_ABS_DG, ANGLE_JS = "max_abs_dg", "angle_js"
#: first RDF peak of the model and of the reference, Å
RDF_PEAK_R, RDF_PEAK_R_REFERENCE = "rdf_peak_r", "rdf_peak_r_reference"
STRUCTURE_METRICS_COLUMNS = (SYSTEM, MODEL, MAX_ABS_DG, ANGLE_JS, RDF_PEAK_R, RDF_PEAK_R_REFERENCE)

# --- folding states: ntl9/states/frames_<source>.csv ------------------------------------

#: fractions of native contacts of the state indicators (β1-β2, β1-β3, helix), 0..1
B1B2, B1B3, HELIX = "b1b2", "b1b3", "helix"
#: independent run of the frame; TICA coordinates (dimensionless)
RUN, TIC1, TIC2 = "run", "tic1", "tic2"
STATE_FRAME_COLUMNS = (FRAME, B1B2, B1B3, HELIX, STATE, RUN, TIC1, TIC2)
#: TICA basin of a frame (-1: none); its contact-fraction label; frame from a walled run
BASIN, CONTACT_STATE, BIASED = "basin", "contact_state", "biased"
#: states/agreement.csv: TICA basins against contact-fraction states (counts per
#: contact state F, U, P1, P2, none) and the fraction of frames whose labels agree
AGREEMENT_FRACTION = "agreement"
STATE_AGREEMENT_COLUMNS = (
    SOURCE, BASIN, STATE, N_FRAMES, B1B2, B1B3, HELIX, "F", "U", "P1", "P2", "none",
    AGREEMENT_FRACTION,
)  # fmt: skip

# --- frames per state: ntl9/states.csv --------------------------------------------------

#: whether the state has enough frames to be mapped
USED = "used"
STATE_COUNT_COLUMNS = (SOURCE, MODEL, STATE, N_FRAMES, USED)

# --- free-energy surfaces: ntl9/states/fes_<source>.csv ---------------------------------

#: kcal/mol, minimum 0 (NaN where no frame fell)
FREE_ENERGY = "free_energy"
FES_COLUMNS = (TIC1, TIC2, COUNT, FREE_ENERGY)

# --- residue-pair maps: ntl9/relevance/<model>/<source>/state_maps.csv, mutations/*.csv --

#: wild type, mutant or difference (mutation tables)
KIND = "kind"
STATE_MAP_COLUMNS = (STATE, BEAD_I, BEAD_J, VALUE)
MUTATION_COLUMNS = (KIND, BEAD_I, BEAD_J, VALUE, N_FRAMES)

# --- strongest interactions: .../top_interactions.csv -----------------------------------

#: body order (2 or 3); bead set as "i-j" or "i-j-k"; rank within the order (1 = strongest)
ORDER, BEADS, RANK = "order", "beads", "rank"
TOP_INTERACTION_COLUMNS = (ORDER, BEADS, VALUE, RANK)

# --- CG prior parameters: ntl9/prior/prior.csv ------------------------------------------

#: bond, angle, dihedral or repulsion; bead types as "a-b..."; parameter name; its unit
TERM, TYPES, PARAMETER, UNIT = "term", "types", "parameter", "unit"
PRIOR_COLUMNS = (TERM, BEADS, TYPES, PARAMETER, VALUE, UNIT)
