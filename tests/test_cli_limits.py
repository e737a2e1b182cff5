"""The command under hostile input: one-line errors, bounded runs, no mixed report.

Every case of the table must end with exit status 2, one line on stderr that
names the argument at fault, no traceback, and nothing written; and it must be
refused before any study runs (the time bound).
"""

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from child_processes import INTERRUPTIBLE

from nengo_tuning.workbench import study_table
from nengo_tuning.workbench.command import main
from nengo_tuning.workbench.report_folder import MANIFEST_NAME
from nengo_tuning.workbench.report_writer import REPORT_TITLE

# The refusals below happen while parsing and checking, before any study runs;
# on a loaded 2-core CI machine that takes well under this (most under 0.1 s).
REFUSAL_SECONDS = 5.0

EXPRESSIONS = [
    "9**9**9**9",
    "9**9**9",
    "10**10**6",
    "(" * 10**6 + "x" + ")" * 10**6,
    "-" * 100_000 + "x",
    "+".join(["x"] * 30_000),
    "'a'*10**10",
    "[x]*10**9",
    "x[5]",
    "x[1]",  # the command's x is 1-D
    "clip(x)",
    "1/0",
    "1/x",
    "x*1j",
    "sqrt(x)",  # NaN for x < 0, in the studied range [-1, 1]
    "[x, [x]]",
]

HOSTILE = [
    # (arguments, the argument the message must name)
    (["smooth", "--tau-ref", "-1"], "--tau-ref"),
    (["smooth", "--tau-ref", "nan"], "--tau-ref"),
    (["smooth", "--tau-ref", "inf"], "--tau-ref"),
    (["smooth", "--tau-ref", "2"], "--tau-ref"),
    (["smooth", "--tau-rc", "0"], "--tau-rc"),
    (["smooth", "--tau-rc", "-inf"], "--tau-rc: '-inf' must be a positive number"),
    (["smooth", "--tau-ref", "-1e-3"], "--tau-ref: '-1e-3' must be a number from 0"),
    (["smooth", "--sigma", "0.1", "-NaN"], "--sigma: '-NaN' must be a positive"),
    (["decode", "--function", "-sqrt(x)"], "--function: function '-sqrt(x)' is"),
    (["smooth", "--sigma", "0"], "--sigma"),
    (["smooth", "--sigma", "nan"], "--sigma"),
    (["smooth", "--sigma", "1e-12"], "--sigma"),
    (["smooth", "--sigma", *["0.1"] * 11], "--sigma"),
    (["tuning", "--n-neurons", "1000000000"], "--n-neurons"),
    (["tuning", "--n-neurons", "0"], "--n-neurons"),
    (["tuning", "--n-neurons", "2.5"], "--n-neurons"),
    (["decode", "--n-neurons", "1000000000"], "--n-neurons"),
    (["decode", "--n-neurons", *["2000"] * 20, "--trials", "20"], "--n-neurons"),
    (["decode", "--trials", "0"], "--trials"),
    (["decode", "--trials", "1e9"], "--trials"),
    (["decode", "--function", *["x"] * 9], "--function"),
    (["spike-decoding", "--n-neurons", "1000000000"], "--n-neurons"),
    (["spike-decoding", "--sim-time", "51", "--dt", "1e-4"], "--sim-time"),
    (["spike-decoding", "--sim-time", "100", "--dt", "1e-5"], "--sim-time"),
    (
        ["spike-decoding", "--sim-time", "30", "--dt", "1e-3", "--n-neurons", "2000"],
        "--n-neurons",
    ),
    (["spike-decoding", "--synapse", "0"], "--synapse"),
    (["spike-decoding", "--neuron-type", "nengo.Direct"], "--neuron-type"),
    (["spikes", "--neuron-type", "nengo.Direct"], "--neuron-type"),
    (["tuning", "--neuron-type", "nengo.Direct"], "--neuron-type"),
    (["spikes", "--neuron-type", "nengo.Foo"], "--neuron-type"),
    (["spikes", "--neuron-type", "nengo.LIF(tau_rc=1e999)"], "--neuron-type"),
    (["spikes", "--neuron-type", "nengo.LIF(tau_rc=-1)"], "--neuron-type"),
    (["spikes", "--neuron-type", "nengo.LIF(" + "1" * 600 + ")"], "--neuron-type"),
    (["spikes", "--neuron-type", "numpy.ndarray"], "--neuron-type"),
    (["spikes", "--sim-time", "1e300"], "--sim-time"),
    (["spikes", "--sim-time", "0"], "--sim-time"),
    (["spikes", "--dt", "1e-12", "--sim-time", "1e6"], "--dt"),
    (["spikes", "--dt", "1e-5", "--sim-time", "100"], "--sim-time"),
    (
        ["spikes", "--dt", "1e-4", "--sim-time", "100", "--neuron-type", "LIF", "LIF"],
        "--sim-time",
    ),
    (["spikes", "--dt", "0"], "--dt"),
    (["spikes", "--dt", "-0.001"], "--dt"),
    (["spikes", "--dt", "abc"], "--dt"),
    (["spikes", "--dt", *["0.001"] * 21], "--dt"),
    (["spikes", "--rates", "600", "--neuron-type", "nengo.LIF"], "--rates"),
    (["spikes", "--rates", "-5"], "--rates"),
    (["spikes", "--rates", "1e300"], "--rates"),
    (["adaptation", "--dt"], "--dt"),  # an empty list
    (["adaptation", "--dt", "0"], "--dt"),
    (["adaptation", "--dt", "nan"], "--dt"),
    (["adaptation", "--dt", *["0.001"] * 21], "--dt"),
    (["adaptation", "--current"], "--current"),
    (["adaptation", "--current", "nan"], "--current"),
    (["adaptation", "--current", "inf"], "--current"),
    (["adaptation", "--current", "-1"], "--current"),
    (["adaptation", "--current", "101"], "--current"),
    (["adaptation", "--steady-currents"], "--steady-currents"),
    (["adaptation", "--steady-currents", "-inf"], "--steady-currents"),
    (["adaptation", "--steady-currents", *["2"] * 51], "--steady-currents"),
    (["adaptation", "--tau-n", "0"], "--tau-n"),
    (["adaptation", "--tau-n", "nan"], "--tau-n"),
    (["adaptation", "--tau-n", "11"], "--tau-n"),
    (["adaptation", "--inc-n", "-0.1"], "--inc-n"),
    (["adaptation", "--inc-n", "inf"], "--inc-n"),
    (["adaptation", "--sim-time", "0.5"], "--sim-time, --tau-n"),  # < 10 tau_n
    (["adaptation", "--bin-width", "0.001"], "--bin-width"),  # < the largest dt
    (["adaptation", "--bin-width", "2"], "--bin-width"),  # > --sim-time
    (["adaptation", "--neuron-type", "nengo.LIF"], "--neuron-type"),
    (["adaptation", "--neuron-type", "nengo.AdaptiveLIFRate"], "--neuron-type"),
    (["adaptation", "--neuron-type", "nengo.AdaptiveLIF(tau_n=0.5)"], "--tau-n"),
    (
        ["adaptation", "--neuron-type", "nengo_tuning.ExactAdaptiveLIF(inc_n=0.5)"],
        "--inc-n",
    ),
    (["adaptation", "--dt", "1e-5", "--sim-time", "30"], "--sim-time"),
    (  # about 200 spikes a step for 10 000 steps: estimated 13 minutes
        ["adaptation", "--dt", "0.01", "--sim-time", "100", "--current", "100"]
        + ["--neuron-type", "nengo_tuning.ExactAdaptiveLIF(tau_ref=0, tau_rc=0.005)"],
        "--dt",
    ),
    (  # about 10 000 spikes in one step, beyond what the kernel resolves
        ["adaptation", "--dt", "0.1", "--sim-time", "10", "--current", "100"]
        + ["--bin-width", "0.1"]
        + ["--neuron-type", "nengo_tuning.ExactAdaptiveLIF(tau_ref=0, tau_rc=0.001)"],
        "--current",
    ),
    (["--seed", "-1"], "--seed"),
    (["--seed", str(2**32)], "--seed"),
    (["--seed", "abc"], "--seed"),
    (["smooth", "--seed", "1e3"], "--seed"),
    (["bogus"], "invalid choice"),
    (["--no-such-option"], "unrecognized arguments"),
    (["smooth", "--tau-ref"], "--tau-ref"),
] + [(["decode", "--function", text], "--function") for text in EXPRESSIONS]


def _case_id(case):
    text = " ".join(case[0])
    return text if len(text) < 50 else text[:47] + "..."


def _refusal(args, tmp_path, capsys):
    """Run the command on ``args``; return (status, stderr lines, seconds)."""
    output = tmp_path / "report"
    start = time.perf_counter()
    with pytest.raises(SystemExit) as exit_info:
        main(args + ["-o", str(output)])
    elapsed = time.perf_counter() - start
    assert not output.exists()
    assert list(tmp_path.iterdir()) == []  # no partial folder either
    return exit_info.value.code, capsys.readouterr().err.splitlines(), elapsed


@pytest.fixture
def studies_must_not_run(monkeypatch):
    """Make every study fail the test if it runs (refusals come before)."""

    def must_not_run(report, values):
        raise AssertionError("the study ran: the arguments were not refused")

    studies = tuple(
        dataclasses.replace(study, write=must_not_run) for study in study_table.STUDIES
    )
    monkeypatch.setattr(study_table, "STUDIES", studies)


@pytest.mark.parametrize("args, named", HOSTILE, ids=[_case_id(c) for c in HOSTILE])
@pytest.mark.usefixtures("studies_must_not_run")
def test_hostile_arguments_are_refused_in_one_line(args, named, tmp_path, capsys):
    status, lines, elapsed = _refusal(args, tmp_path, capsys)
    assert status == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith("nengo-tuning")
    assert named in lines[0]
    assert "Traceback" not in lines[0]
    assert elapsed < REFUSAL_SECONDS


@pytest.mark.parametrize(
    "args",
    [
        ["smooth", "--tau-ref", "0", "--sigma", "1e-9", "10"],
        ["smooth", "--tau-ref", "1", "--tau-rc", "10"],
        # the smallest tau_n with the largest inc_n, current and dt range
        ["adaptation", "--tau-n", "1e-4", "--inc-n", "10", "--sim-time", "0.01"]
        + ["--dt", "1e-5", "--bin-width", "0.01", "--current", "100"]
        + ["--steady-currents", "0", "100"],
        # no adaptation, no spikes (J = 0), the largest tau_n, dt and bin
        ["adaptation", "--tau-n", "10", "--inc-n", "0", "--sim-time", "100"]
        + ["--dt", "0.1", "--bin-width", "100", "--current", "0"]
        + ["--steady-currents", "0"],
    ],
    ids=["smooth at its bounds", "smooth tau_ref 1", "adaptation fast", "silent"],
)
def test_the_bounds_themselves_are_accepted(args, tmp_path):
    assert main(args + ["-q", "-o", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "summary.md").exists()


def test_every_default_is_within_its_bounds():
    # the report runs every study with its defaults: they must pass their checks
    for study in study_table.STUDIES:
        values = study.default_values()
        if study.check is not None:
            import argparse

            study.check(argparse.Namespace(**values, seed=0, progress=False))


def _write_old_report(folder):
    """An earlier report, written by the command (its manifest included)."""
    assert main(["smooth", "-q", "--sigma", "0.7", "-o", str(folder)]) == 0
    assert (folder / "summary.md").read_text().startswith(REPORT_TITLE)
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_output_that_is_a_file(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("keep me")
    with pytest.raises(SystemExit) as exit_info:
        main(["smooth", "-q", "-o", str(target)])
    assert exit_info.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "--output" in line and "not a folder" in line
    assert target.read_text() == "keep me"


def test_output_below_a_file(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    with pytest.raises(SystemExit) as exit_info:
        main(["smooth", "-q", "-o", str(tmp_path / "file" / "report")])
    assert exit_info.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "--output" in line and "below" in line


def _unwritable_folder(tmp_path):
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o555)
        return folder
    if Path("/sys").is_dir():  # not writable even by root
        return Path("/sys")
    pytest.skip("running as root without /sys: no folder is unwritable")


def test_output_in_an_unwritable_folder(tmp_path, capsys):
    folder = _unwritable_folder(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["smooth", "-q", "-o", str(folder / "report")])
    assert exit_info.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "--output" in line and "cannot write" in line


def test_output_folder_with_other_files_is_not_replaced(tmp_path, capsys):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit) as exit_info:
        main(["smooth", "-q", "-o", str(target)])
    assert exit_info.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "--output" in line and "notes.txt" in line
    assert _snapshot(target) == {"notes.txt": b"mine"}


def test_rerun_replaces_the_whole_report(tmp_path):
    target = tmp_path / "report"
    args = ["decode", "--n-neurons", "10", "--trials", "1", "-q", "-o", str(target)]
    assert main(args) == 0
    assert main(["smooth", "-q", "--sigma", "0.5", "-o", str(target)]) == 0
    # only the new run's files: no figure of the old run is left beside them
    assert sorted(_snapshot(target)) == [
        MANIFEST_NAME,
        "smooth_vs_sharp.png",
        "summary.md",
    ]
    assert "sigma=0.5" in (target / "summary.md").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_failed_run_leaves_the_previous_report(tmp_path, capsys):
    target = tmp_path / "report"
    before = _write_old_report(target)
    # arguments that pass parsing but that nengo refuses while the study runs:
    # nengo's default max rates (200-400 Hz) are out of reach with tau_ref = 0.5 s
    with pytest.raises(SystemExit) as exit_info:
        main(["tuning", "--neuron-type", "nengo.LIF(tau_ref=0.5)", "-o", str(target)])
    assert exit_info.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "tuning" in line and "nengo refused" in line
    assert _snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_a_bug_shows_its_traceback_and_leaves_the_previous_report(
    tmp_path, monkeypatch
):
    target = tmp_path / "report"
    before = _write_old_report(target)

    def broken(report, values):
        raise ValueError("a bug, not a usage error")

    smooth = study_table.study_named("smooth")
    monkeypatch.setattr(
        study_table, "STUDIES", (dataclasses.replace(smooth, write=broken),)
    )
    with pytest.raises(ValueError, match="a bug"):
        main(["smooth", "-q", "-o", str(target)])
    assert _snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_ctrl_c_exits_130_in_one_line_and_keeps_the_previous_report(tmp_path):
    target = tmp_path / "report"
    before = _write_old_report(target)
    # a run of about 1e6 steps (many seconds), interrupted once it is writing
    args = ["spikes", "--neuron-type", "nengo.LIF", "--dt", "0.0001"]
    args += ["--sim-time", "99", "--no-progress", "-o", str(target)]
    process = subprocess.Popen(
        [sys.executable, "-m", "nengo_tuning", *args],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **INTERRUPTIBLE,
    )
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".") for p in tmp_path.iterdir()):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never started writing"
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert stderr.splitlines() == ["nengo-tuning: interrupted; no report written"]
    assert _snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]
