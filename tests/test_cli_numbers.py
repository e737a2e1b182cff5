"""Every number the command prints is right, or marked; what it prints pastes back.

The smooth table's gap is compared with the analytic value: both curves are
``F(p) = 1 / (tau_ref + tau_rc log(1 + 1/p))`` of a drive ``p``; at ``J = 1``
LIF's drive is 0 (rate 0) and SoftLIF's is ``sigma log 2``.
"""

import dataclasses
import functools
import math
import shlex

import numpy as np
import pytest

from nengo_tuning.workbench import rate_curves, spikes_vs_rates
from nengo_tuning.workbench.command import main


def softlif_rate_at_threshold(sigma, tau_rc, tau_ref):
    """SoftLIF at J = 1, written out here (independent of the package)."""
    return 1.0 / (tau_ref + tau_rc * math.log1p(1.0 / (sigma * math.log(2.0))))


def _rows(text, title):
    lines = text[text.index(title) :].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    headers = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return headers, rows


@pytest.mark.parametrize(
    "sigmas, tau_rc, tau_ref",
    [(("0.001", "0.1", "1"), "0.02", "0.002"), (("1e-09",), "1e-06", "0")],
)
def test_smooth_gap_is_the_analytic_largest_gap(
    sigmas, tau_rc, tau_ref, tmp_path, capsys
):
    args = ["smooth", "--sigma", *sigmas, "--tau-rc", tau_rc, "--tau-ref", tau_ref]
    assert main([*args, "-o", str(tmp_path / "r")]) == 0
    headers, rows = _rows(capsys.readouterr().out, "Rate at threshold")
    gap = headers.index("gap to LIF (Hz)")
    for sigma, row in zip(sigmas, rows[1:]):
        expected = softlif_rate_at_threshold(
            float(sigma), float(tau_rc), float(tau_ref)
        )
        assert float(row[gap]) == pytest.approx(expected, abs=0.006)  # 2 decimals
        assert float(row[gap]) >= float(row[headers.index("rate at J=1 (Hz)")])


@pytest.mark.parametrize("sigma", [1e-9, 1e-3, 0.02, 0.3, 1.0, 5.0])
@pytest.mark.parametrize("tau_rc, tau_ref", [(0.02, 0.002), (1e-6, 0.0), (1.0, 0.5)])
def test_max_rate_gap_is_exact_and_no_grid_beats_it(sigma, tau_rc, tau_ref):
    result = rate_curves.smooth_vs_sharp(
        sigmas=(sigma,), tau_rc=tau_rc, tau_ref=tau_ref
    )
    expected = softlif_rate_at_threshold(sigma, tau_rc, tau_ref)
    assert result.max_rate_gap[0] == pytest.approx(expected, rel=1e-12)
    # a dense grid, threshold included, never finds a larger gap
    dense = np.concatenate(
        [np.linspace(0, 3, 200_001), [1.0], 1 + np.logspace(-15, -1, 500)]
    )
    fine = rate_curves.smooth_vs_sharp(
        sigmas=(sigma,), currents=dense, tau_rc=tau_rc, tau_ref=tau_ref
    )
    grid_gap = np.max(fine.softlif_rates[0] - fine.lif_rates)
    assert grid_gap <= expected * (1 + 1e-12)
    assert grid_gap == pytest.approx(expected, rel=1e-9)  # J = 1 is on the grid


def test_max_rate_gap_of_a_span_without_threshold():
    result = rate_curves.smooth_vs_sharp(
        sigmas=(0.1,), currents=np.linspace(1.5, 3, 301)
    )
    gaps = result.softlif_rates[0] - result.lif_rates
    assert result.max_rate_gap[0] == pytest.approx(gaps[0], rel=1e-12)
    assert np.all(np.diff(gaps) < 0)


def _refused(args, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "-q", "-o", str(tmp_path / "r")])
    assert exit_info.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    return line


def test_the_issues_nan_case_is_refused_before_running(tmp_path, capsys):
    # its curve is 0 Hz at every current float64 can give it
    args = ["spikes", "--neuron-type", "nengo_tuning.ExactLIF(tau_rc=1e-9)"]
    line = _refused([*args, "--rates", "10", "100", "400"], tmp_path, capsys)
    assert "--neuron-type" in line and "0 Hz" in line
    assert not (tmp_path / "r").exists()


def test_rates_a_curve_cannot_give_are_refused_before_running(tmp_path, capsys):
    # below about 1.4 Hz the current for nengo.LIF rounds to its threshold, 0 Hz
    args = ["spikes", "--neuron-type", "nengo.LIF", "--rates", "1", "100"]
    line = _refused(args, tmp_path, capsys)
    assert "--rates" in line and "1 Hz" in line
    assert not (tmp_path / "r").exists()


def test_unmeasurable_cells_say_so_and_largest_never_skips_nan(
    tmp_path, capsys, monkeypatch
):
    original = spikes_vs_rates.compare_spikes_to_rates

    @functools.wraps(original)
    def with_a_nan(*args, **kwargs):
        comparison = original(*args, **kwargs)
        measured = comparison.measured.copy()
        measured[0, 0] = np.nan  # a neuron whose output is not finite
        return dataclasses.replace(comparison, measured=measured)

    monkeypatch.setattr(spikes_vs_rates, "compare_spikes_to_rates", with_a_nan)
    args = ["spikes", "--neuron-type", "nengo.LIF", "--rates", "50", "200", "400"]
    assert (
        main(
            [*args, "--dt", "0.001", "0.002", "--sim-time", "0.1"]
            + ["-o", str(tmp_path / "r")]
        )
        == 0
    )
    headers, rows = _rows(capsys.readouterr().out, "Measured spike rate vs")
    first, second = rows
    assert first[headers.index("50 Hz")] == "n/a"
    assert first[headers.index("largest error (Hz)")] == "n/a"
    assert "nan" not in " ".join(first + second).lower()
    assert second[headers.index("largest error (Hz)")] != "n/a"


def _captions_and_headers(summary):
    """(caption text, headers) of each table in summary.md."""
    sections = summary.split("\n## ")[1:]
    pairs = []
    for section in sections:
        caption = section.split("\n\n")[1]
        for block in section.split("**")[2::2]:
            headers = block.strip().splitlines()[0].strip("|").split("|")
            pairs.append((caption, [h.strip() for h in headers]))
    return pairs


def test_captions_name_the_columns_as_printed(tmp_path):
    import re

    assert (
        main(
            ["spikes", "--neuron-type", "nengo.LIF", "--rates", "50", "200"]
            + ["--dt", "0.001", "--sim-time", "0.1", "-q", "-o", str(tmp_path / "a")]
        )
        == 0
    )
    assert main(["smooth", "-q", "-o", str(tmp_path / "b")]) == 0
    for folder in ("a", "b"):
        summary = (tmp_path / folder / "summary.md").read_text()
        for caption, headers in _captions_and_headers(summary):
            quoted = re.findall(r"(?<![A-Za-z])'([^']+)'", caption)
            assert quoted, caption
            for name in quoted:
                assert name in headers or name == "n/a", (name, headers)


def test_one_figure_is_one_figure(tmp_path, capsys):
    assert main(["smooth", "-o", str(tmp_path / "r")]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert "(1 figure," in last


def test_the_summary_command_line_pastes_back_into_a_shell(tmp_path):
    target = tmp_path / "my report"
    args = ["decode", "--function", "sin(pi*x)", "x**2", "--n-neurons", "10"]
    args += ["--trials", "1", "-q", "-o", str(target)]
    assert main(args) == 0
    summary = (target / "summary.md").read_text()
    line = next(line for line in summary.splitlines() if line.startswith("Command:"))
    command = line.split("`")[1]
    assert shlex.split(command) == ["nengo-tuning", *args]
    assert "'sin(pi*x)'" in command
