"""One clear line for every bad input: the command line, a Snakemake dry run, the library.

"One line" on the command line: a non-zero exit status, no traceback, and the last
non-empty line of stderr is the message. In a dry run: the WorkflowError's message is
one line, with no schema or config dump.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from cgexplain.config import ConfigError

from ..conftest import REPO

SNAKEMAKE = Path(sys.executable).with_name("snakemake")


def cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m cgexplain ARGS`` in a fresh interpreter."""
    command = [sys.executable, "-m", "cgexplain", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=180)


def last_line(proc: subprocess.CompletedProcess) -> str:
    """The last non-empty line of stderr, after checking the one-line contract."""
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output[-2000:]
    assert "Traceback" not in output, output[-3000:]
    return [line for line in proc.stderr.splitlines() if line.strip()][-1]


def dry_run(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """``snakemake -n`` of this repository's Snakefile in ``workdir``."""
    command = [str(SNAKEMAKE), "-n", "-s", str(REPO / "Snakefile"), "-d", str(workdir), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def workdir_with_config(tmp_path: Path, change) -> Path:
    """A run directory whose config/config.yaml is the default one, changed by ``change``."""
    workdir = tmp_path / "run"
    (workdir / "config").mkdir(parents=True)
    text = (REPO / "config" / "config.yaml").read_text()
    (workdir / "config" / "config.yaml").write_text(change(text))
    return workdir


# a. a mistyped key: one line with the key, its file and the closest known key


def test_dry_run_names_a_mistyped_top_level_key(tmp_path):
    workdir = workdir_with_config(
        tmp_path, lambda text: re.sub("^systems:", "sytems:", text, flags=re.M)
    )
    proc = dry_run(workdir)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    wanted = "config key 'sytems' was unexpected (in config/config.yaml; did you mean 'systems'?)"
    assert wanted in output.splitlines(), output[-3000:]
    assert "Failed validating" not in output and "OrderedDict" not in output
    assert len(output.splitlines()) < 8, output[-3000:]


def test_dry_run_names_a_nested_key_of_a_configfile(tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text("methane:\n  reference:\n    lenght: 20.0\n")
    workdir = workdir_with_config(tmp_path, lambda text: text)
    proc = dry_run(workdir, "--configfile", "config/config.yaml", str(mine))
    wanted = (
        f"config key 'methane.reference.lenght' was unexpected (in {mine}; did you mean 'length'?)"
    )
    assert wanted in (proc.stdout + proc.stderr).splitlines(), proc.stdout[-3000:]


# b. a syntax error: file, line and column


def test_dry_run_names_the_line_of_a_syntax_error_in_config_yaml(tmp_path):
    workdir = workdir_with_config(tmp_path, lambda text: text + "methane:\n\treference: 1\n")
    line = len((REPO / "config" / "config.yaml").read_text().splitlines()) + 2
    proc = dry_run(workdir)
    assert proc.returncode != 0
    assert re.search(
        rf"^config/config\.yaml:{line}:1: found character '\\t' that cannot start any token",
        proc.stdout + proc.stderr,
        flags=re.M,
    ), proc.stdout[-3000:]


def test_check_config_names_file_line_and_column(tmp_path):
    bad = tmp_path / "mine.yaml"
    bad.write_text("methane:\n  reference:\n    length: [1\n  kind: liquid\n")
    line = last_line(cli("check-config", bad))
    assert line == (
        f"cgexplain: error: {bad}:4:7: expected ',' or ']', but got ':' "
        "(while parsing a flow sequence from line 3, column 13)"
    )


def test_check_config_accepts_the_shipped_overlays():
    proc = cli("check-config", "config/tiny.yaml", cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "config ok: config/config.yaml, config/tiny.yaml"


def test_check_config_names_a_key_and_its_file(tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text("water:\n  structure:\n    rdf_maxx: 8.0\n")
    line = last_line(cli("check-config", mine, cwd=REPO))
    assert line == (
        f"cgexplain: error: config key 'water.structure.rdf_maxx' was unexpected (in {mine}; "
        "did you mean 'rdf_max'?)"
    )


# c. a missing config file


def test_check_config_names_a_missing_file(tmp_path):
    line = last_line(cli("check-config", tmp_path / "nowhere.yaml"))
    assert line == f"cgexplain: error: config file not found: {tmp_path / 'nowhere.yaml'}"


# d. --help: quick, no torch, no stray INFO lines


def test_help_imports_no_torch_and_prints_no_info():
    code = (
        "import sys\n"
        "from cgexplain.__main__ import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('heavy:', sorted(m for m in ('torch', 'schnetpack', 'pandas') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "heavy: []" in proc.stdout
    for args in (["--help"], ["explain", "--help"]):
        proc = cli(*args)
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0 and "usage: cgexplain" in proc.stdout
        assert "INFO" not in output and "numexpr" not in output.lower(), output


def test_rule_names_of_the_command_line_are_the_library_s():
    from cgexplain.__main__ import DEFAULT_GAMMA, RULE_NAMES
    from cgexplain.lrp.rules import DEFAULT_GAMMA as LIBRARY_GAMMA
    from cgexplain.lrp.rules import RULES

    assert RULE_NAMES == tuple(RULES) and DEFAULT_GAMMA == LIBRARY_GAMMA


# e. a device this machine lacks, f. bad rule parameters


@pytest.fixture
def dummy_files(tmp_path) -> tuple[Path, Path]:
    """A model and a trajectory file that exist (never read: the check comes first)."""
    model, trajectory = tmp_path / "model.pt", tmp_path / "traj.extxyz"
    model.write_bytes(b"never read")
    trajectory.write_text("never read")
    return model, trajectory


def explain_args(model: Path, trajectory: Path, *extra: str) -> list[str | Path]:
    """Arguments of ``cgexplain explain`` writing into the model's directory."""
    out = model.parent
    return ["explain", "--model", model, "--trajectory", trajectory,
            "--out-pairs", out / "p.parquet", "--out-triplets", out / "t.parquet", *extra]  # fmt: skip


def test_cli_names_a_missing_cuda_device(dummy_files):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    line = last_line(cli(*explain_args(*dummy_files, "--device", "cuda")))
    assert (
        line
        == "cgexplain: error: device 'cuda' is not available (no CUDA device): use --device cpu"
    )


def test_check_device_names_the_device():
    import torch

    from cgexplain.io import InputError
    from cgexplain.potentials.loading import check_device

    check_device("cpu")
    with pytest.raises(InputError, match="^unknown device 'gpu': use cpu, cuda or cuda:N$"):
        check_device("gpu")
    with pytest.raises(InputError, match=r"^device 'cuda:7' is not available \(.*\): use"):
        if torch.cuda.device_count() > 7:
            pytest.skip("this machine has 8 CUDA devices")
        check_device("cuda:7")


@pytest.mark.parametrize(
    "extra, message",
    [
        (("--gamma", "-1"), "argument --gamma: must be a finite number >= 0, got -1"),
        (("--gamma", "nan"), "argument --gamma: must be a finite number >= 0, got nan"),
        (("--stride", "0"), "argument --stride: must be >= 1, got 0"),
        (("--chunk-size", "0"), "argument --chunk-size: must be >= 1, got 0"),
        (("--threads", "-2"), "argument --threads: must be >= 0, got -2"),
    ],
)
def test_cli_rejects_bad_rule_parameters_when_parsing(dummy_files, extra, message):
    proc = cli(*explain_args(*dummy_files, *extra))
    assert proc.returncode == 2
    assert last_line(proc) == f"cgexplain explain: error: {message}"


@pytest.mark.parametrize("gamma", [-1.0, -1e-9, float("inf")])
def test_gamma_rule_refuses_a_negative_gamma(gamma):
    from cgexplain.lrp.rules import Gamma, parse_rule

    with pytest.raises(ValueError, match="gamma of the gamma rule must be a finite number >= 0"):
        Gamma(gamma=gamma)
    with pytest.raises(ValueError, match=">= 0"):
        parse_rule("gamma", gamma=gamma)
    assert Gamma(gamma=0).gamma == 0.0


# g. an atomic number the model has no embedding for


def small_model():
    """A one-block SchNet potential with random weights (embedding of Z = 0-99)."""
    import schnetpack as spk  # after cgexplain (imported above: its torch shim)

    from cgexplain.potentials.architectures import build_representation

    rep = build_representation(
        "schnet", 4, 1, spk.nn.GaussianRBF(n_rbf=4, cutoff=3.0), spk.nn.CosineCutoff(3.0),
        n_filters=4,
    )  # fmt: skip
    return spk.model.NeuralNetworkPotential(
        representation=rep,
        input_modules=[spk.atomistic.PairwiseDistances()],
        output_modules=[spk.atomistic.Atomwise(n_in=4, output_key="energy")],
    ).eval()


def frame_with(numbers: list[int]):
    """An isolated frame of beads 1.5 Å apart on a line."""
    import ase
    import numpy as np

    positions = np.zeros((len(numbers), 3))
    positions[:, 0] = 1.5 * np.arange(len(numbers))
    return ase.Atoms(numbers=numbers, positions=positions)


def test_unknown_element_is_named_by_the_library():
    from cgexplain.lrp.model_io import atoms_to_inputs

    model = small_model()
    atoms_to_inputs(model, frame_with([1, 6, 99]))
    with pytest.raises(
        ValueError, match=r"^unknown element: Z=118 \(bead 2; the model knows Z = 0-99\)$"
    ):
        atoms_to_inputs(model, frame_with([1, 6, 118]))


def test_unknown_element_is_one_line_on_the_command_line(tmp_path):
    import ase.io
    import torch

    torch.save(small_model(), tmp_path / "model.pt")
    ase.io.write(tmp_path / "traj.extxyz", [frame_with([1, 118, 6])])
    line = last_line(cli(*explain_args(tmp_path / "model.pt", tmp_path / "traj.extxyz")))
    assert line == "cgexplain: error: unknown element: Z=118 (bead 1; the model knows Z = 0-99)"
    assert not (tmp_path / "p.parquet").exists()


def test_config_error_is_a_value_error():
    """The command line reports a ConfigError as one line, as every ValueError."""
    assert issubclass(ConfigError, ValueError)
