"""Tests of the nengo-tuning command."""

import functools
import subprocess
import sys
from pathlib import Path

import pytest

from nengo_tuning.workbench import study_table
from nengo_tuning.workbench.cli_reference import render_reference
from nengo_tuning.workbench.command import main
from nengo_tuning.workbench.report_folder import MANIFEST_NAME

REPORT_FIGURES = [
    "tuning_curves.png",
    "decoding.png",
    "decoding_rmse.png",
    "rate_vs_spike.png",
    "spiking_decoding.png",
    "adaptation.png",
    "smooth_vs_sharp.png",
]
REPORT_TABLES = [
    "Neurons of the 1-D ensemble",
    "Decoding RMSE against the number of neurons",
    "Measured spike rate vs rate curve",
    "Spiking vs rate decoded x",
    "Adaptive neurons after a step",
    "Rate at threshold and peak slope",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _table_rows(text, title):
    """The data rows of the Markdown table that follows ``title``."""
    lines = text[text.index(title) :].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def _table_block(lines):
    """The consecutive table lines after the title line."""
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    block = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        block.append(line)
    return block


def test_default_report(tmp_path, capsys):
    output = tmp_path / "report"
    assert main(["--output", str(output), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    summary = (output / "summary.md").read_text()
    for name in REPORT_FIGURES:
        assert (output / name).read_bytes().startswith(PNG_SIGNATURE)
        assert f"]({name})" in summary
    assert sorted(p.name for p in output.iterdir()) == sorted(
        REPORT_FIGURES + ["summary.md", MANIFEST_NAME]
    )
    # the declarations (which the reference page lists) name what was written
    declared = [name for study in study_table.STUDIES for name in study.figures]
    assert declared == REPORT_FIGURES
    for title in REPORT_TABLES:
        assert title in summary and title in printed
        # a well-formed Markdown table: every line has as many cells as its header
        lines = summary[summary.index(title) :].splitlines()
        assert len({line.count("|") for line in _table_block(lines)}) == 1
        assert _table_rows(summary, title) == _table_rows(printed, title)

    decoding = _table_rows(summary, REPORT_TABLES[1])
    assert [int(row[0]) for row in decoding] == [5, 10, 20, 50, 100, 200, 400]
    for column in (1, 2):
        rmse = [float(row[column]) for row in decoding]
        assert rmse[-1] < rmse[0] / 10

    spikes = {
        (row[0], row[1]): row[2:] for row in _table_rows(summary, REPORT_TABLES[2])
    }
    assert len(spikes) == 12
    for dt in ("0.1", "1", "2", "3", "5", "10"):
        # the largest error, and the count's resolution (one spike in 1 s)
        error, resolution = spikes["nengo_tuning.ExactLIF", dt][-1].split()
        assert float(error) <= 1.0 and resolution == "(+-1.0)"
    assert spikes["nengo.LIF", "5"][2] == "-50.0 % (+-0.25)"
    assert spikes["nengo.LIF", "10"][1:3] == ["-50.0 % (+-0.50)", "-75.0 % (+-0.25)"]

    spike_decoding = _table_rows(summary, REPORT_TABLES[3])
    lif_10ms, exact_10ms = map(float, spike_decoding[-1][1:])
    assert lif_10ms > 5 * exact_10ms

    adaptation = {
        (row[0].partition("(")[0], row[1]): row[2:]
        for row in _table_rows(summary, REPORT_TABLES[4])
    }
    assert sorted(adaptation) == [
        (name, dt)
        for name in ("nengo.AdaptiveLIF", "nengo_tuning.ExactAdaptiveLIF")
        for dt in ("1", "2", "5")
    ]
    for (name, dt), cells in adaptation.items():
        *_, steady, exact, largest_error = map(float, cells)
        # one spike over the 0.5 s window is 2 Hz: the exact type's steady
        # counts are within one spike of the continuous model's at every dt
        if name == "nengo_tuning.ExactAdaptiveLIF":
            assert abs(steady - exact) <= 2.0 and largest_error <= 2.0
    # nengo.AdaptiveLIF at 5 ms (one spike a step, n frozen over the step)
    # settles far from the exact rate: measured 26.5 Hz at J = 20
    assert float(adaptation["nengo.AdaptiveLIF", "5"][-1]) > 10.0


def test_subcommand_is_deterministic_with_seed(tmp_path, capsys):
    def run(folder, seed):
        args = ["spikes", "--dt", "0.005", "--rates", "50", "200", "--sim-time", "0.3"]
        args += ["--neuron-type", "nengo.LIF", "-o", str(folder), "--seed", seed]
        args += ["--no-progress"]
        assert main(args) == 0
        return _table_rows(capsys.readouterr().out, "Measured spike rate")

    first = run(tmp_path / "a", "1")
    assert first == run(tmp_path / "b", "1")
    assert [row[:2] for row in first] == [["nengo.LIF", "5"]]
    assert (tmp_path / "a" / "rate_vs_spike.png").exists()
    assert not (tmp_path / "a" / "decoding.png").exists()


def test_decode_subcommand_options(tmp_path, capsys):
    args = ["decode", "--function", "sin(pi*x)", "--n-neurons", "10", "40"]
    args += ["--trials", "1", "--neuron-type", "nengo.LIFRate", "-o", str(tmp_path)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    rows = _table_rows(printed, "Decoding RMSE")
    assert [row[0] for row in rows] == ["10", "40"]
    assert "RMSE sin(pi*x)" in printed and "nengo.LIFRate" in printed


def test_values_may_start_with_a_minus_sign(tmp_path, capsys):
    args = ["decode", "--function", "-x", "--n-neurons", "20", "--trials", "1"]
    assert main(args + ["-o", str(tmp_path), "-q"]) == 0
    assert "RMSE -x" in (tmp_path / "summary.md").read_text()


def test_quiet_prints_nothing(tmp_path, capsys):
    assert main(["smooth", "--sigma", "0.05", "-q", "-o", str(tmp_path)]) == 0
    assert capsys.readouterr().out == ""
    assert "sigma=0.05" in (tmp_path / "summary.md").read_text()


@pytest.mark.parametrize(
    "args, message",
    [
        (["bogus"], "invalid choice"),
        (["spikes", "--dt", "0"], "must be a positive number"),
        (["spikes", "--dt", "abc"], "is not a number"),
        (["spikes", "--neuron-type", "nengo.Foo"], "unknown neuron type"),
        (["decode", "--function", "__import__('os')"], "unknown name"),
        (["decode", "--n-neurons", "-3"], "positive whole number"),
        (["spikes", "--rates", "600", "--neuron-type", "nengo.LIF"], "Max rates"),
        (["--no-such-option"], "unrecognized arguments"),
    ],
)
def test_bad_arguments_exit_nonzero(args, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args + ["-o", str(tmp_path), "-q"])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for command in ("report", *(study.name for study in study_table.STUDIES)):
        assert command in text


def test_help_shows_each_option_with_its_bounds_and_default(capsys):
    for study in study_table.STUDIES:
        with pytest.raises(SystemExit) as exit_info:
            main([study.name, "--help"])
        assert exit_info.value.code == 0
        # argparse wraps lines: compare with whitespace collapsed
        text = " ".join(capsys.readouterr().out.split())
        for option in study.options:
            assert option.flag in text
            assert " ".join(option.help_text().replace("%%", "%").split()) in text
        for limit in study.limits:
            assert limit in text


def test_reference_page_is_generated_from_the_study_table():
    page = Path(__file__).resolve().parent.parent / "docs" / "cli.rst"
    assert page.read_text(encoding="utf-8") == render_reference(), (
        "docs/cli.rst is out of date: run "
        "'python -m nengo_tuning.workbench.cli_reference docs/cli.rst'"
    )


def test_captions_follow_the_analysis_defaults(tmp_path, monkeypatch):
    # a caption number comes from the analysis' result record, not a literal:
    # change the default and the caption follows
    from nengo_tuning.workbench import spikes_vs_rates

    original = spikes_vs_rates.compare_spikes_to_rates

    @functools.wraps(original)
    def settle_longer(*args, **kwargs):
        return original(*args, settle_time=0.05, **kwargs)

    monkeypatch.setattr(spikes_vs_rates, "compare_spikes_to_rates", settle_longer)
    args = ["spikes", "--neuron-type", "nengo.LIF", "--dt", "0.001", "--rates", "50"]
    assert main(args + ["--sim-time", "0.2", "-q", "-o", str(tmp_path)]) == 0
    summary = (tmp_path / "summary.md").read_text()
    assert "over 0.2 s (after 0.05 s settling)" in summary
    assert "over all 1 rates (50 to 50 Hz)" in summary


def test_python_dash_m_runs_the_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "nengo_tuning", "smooth", "-o", str(tmp_path), "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "smooth_vs_sharp.png").exists()
    bad = subprocess.run(
        [sys.executable, "-m", "nengo_tuning", "smooth", "--sigma", "-1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "positive" in bad.stderr
