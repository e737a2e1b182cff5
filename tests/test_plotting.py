"""Tests of the plotting functions: each draws the data of its record."""

import matplotlib
import numpy as np
import pytest

from nengo_tuning.workbench import (
    adaptation,
    plotting,
    rate_curves,
    spikes_vs_rates,
    tuning_and_decoding,
)

# pytest-plt's `plt` fixture is a do-nothing stand-in unless --plots is given,
# and these tests read back what was drawn: use real (non-interactive) figures.
matplotlib.use("Agg")


@pytest.fixture
def plt():
    from matplotlib import pyplot

    yield pyplot
    pyplot.close("all")


def _line_data(ax):
    return [line.get_ydata() for line in ax.get_lines()]


def test_plot_tuning_curves_1d(plt):
    curves = tuning_and_decoding.neuron_tuning_curves(
        "nengo.LIF", n_neurons=5, n_points=21
    )
    ax = plotting.plot_tuning_curves(curves, ax=plt.gca())
    drawn = _line_data(ax)
    assert len(drawn) == 5
    for i, ydata in enumerate(drawn):
        assert np.array_equal(ydata, curves.rates[:, i])
    assert "nengo.LIF" in ax.get_title()


def test_plot_tuning_curves_2d_projection(plt):
    curves = tuning_and_decoding.neuron_tuning_curves(
        "nengo_tuning.ExactLIF", n_neurons=4, dimensions=2, n_points=50
    )
    ax = plotting.plot_tuning_curves(curves, ax=plt.gca())
    for i, line in enumerate(ax.get_lines()):
        order = np.argsort(curves.projections[:, i])
        assert np.array_equal(line.get_xdata(), curves.projections[order, i])
        assert np.array_equal(line.get_ydata(), curves.rates[order, i])
    assert "2-D" in ax.get_title()


def test_plot_decoding(plt):
    decoding = tuning_and_decoding.decode_function("x**2", n_neurons=10)
    ax = plotting.plot_decoding(decoding, ax=plt.gca())
    drawn = _line_data(ax)
    # 10 weighted curves, the target and the decoded output
    assert len(drawn) == 12
    assert np.array_equal(drawn[-2], decoding.target[:, 0])
    assert np.array_equal(drawn[-1], decoding.decoded[:, 0])
    ax2 = plotting.plot_decoding(decoding, show_weighted_curves=False)
    assert len(ax2.get_lines()) == 2
    plt.close(ax2.figure)


def test_plot_decoding_sweep(plt):
    sweep = tuning_and_decoding.decoding_sweep(
        ("x", "x**2"), n_neurons=(5, 10), n_trials=1
    )
    ax = plotting.plot_decoding_sweep(sweep, ax=plt.gca())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x", "x**2"]
    for ydata, rmse in zip(_line_data(ax), sweep.rmse):
        assert np.array_equal(ydata, rmse)
    assert ax.get_xscale() == ax.get_yscale() == "log"


def test_plot_rate_vs_spike(plt):
    comparisons = [
        spikes_vs_rates.compare_spikes_to_rates(
            name, dts=(0.001, 0.005), rates=(100.0, 400.0), sim_time=0.2
        )
        for name in ("nengo.LIF", "nengo_tuning.ExactLIF")
    ]
    fig = plotting.plot_rate_vs_spike(comparisons, fig=plt.figure())
    assert len(fig.axes) == 2
    for ax, comparison in zip(fig.axes, comparisons):
        drawn = _line_data(ax)
        assert np.array_equal(drawn[0], comparison.rate_curve)
        assert np.array_equal(drawn[2], comparison.measured[1])
    single = plotting.plot_rate_vs_spike(comparisons[0])
    assert len(single.axes) == 1
    plt.close(single)


def test_plot_spiking_decoding_error(plt):
    results = [
        spikes_vs_rates.spiking_decoding_error(name, dts=(0.001, 0.005), sim_time=0.2)
        for name in ("nengo.LIF", "nengo_tuning.ExactLIF")
    ]
    fig = plotting.plot_spiking_decoding_error(results, fig=plt.figure())
    error_ax, trace_ax = fig.axes
    for ydata, result in zip(_line_data(error_ax), results):
        assert np.array_equal(ydata, result.rmse_vs_rate)
    assert np.array_equal(_line_data(trace_ax)[-1], results[0].traces[-1]["rate"][:, 0])


def test_plot_smooth_vs_sharp(plt):
    result = rate_curves.smooth_vs_sharp(sigmas=(0.01, 0.5))
    fig = plotting.plot_smooth_vs_sharp(result, fig=plt.figure())
    rate_ax, slope_ax = fig.axes
    assert np.array_equal(_line_data(rate_ax)[0], result.lif_rates)
    assert np.array_equal(_line_data(rate_ax)[2], result.softlif_rates[1])
    assert np.array_equal(_line_data(slope_ax)[1], result.softlif_derivatives[0])
    assert slope_ax.get_yscale() == "log"
    # LIF's zero slope below threshold is masked, not drawn at log(0)
    lif_slope = _line_data(slope_ax)[0]
    assert np.all(np.isnan(lif_slope[result.currents <= 1]))


def _overlaps(box, other):
    return box.overlaps(other) and box.intersection(box, other).width > 0


def test_rate_vs_spike_legend_hides_no_data(plt):
    # the legend used to sit in the upper left, over the knee of nengo.LIF's curve
    comparisons = [
        spikes_vs_rates.compare_spikes_to_rates(
            name, dts=(0.0001, 0.001, 0.002, 0.005, 0.01), sim_time=0.1
        )
        for name in ("nengo.LIF", "nengo_tuning.ExactLIF")
    ]
    fig = plotting.plot_rate_vs_spike(comparisons, fig=plt.figure(figsize=(11, 4.2)))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legends = fig.legends + [ax.get_legend() for ax in fig.axes if ax.get_legend()]
    assert legends, "the figure has no legend"
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            assert not _overlaps(box, ax.get_window_extent(renderer))
    # every series is in the legend: the curve and one entry per dt
    texts = [text.get_text() for legend in legends for text in legend.get_texts()]
    assert texts == ["rate curve"] + [
        f"spikes, dt = {dt * 1000:g} ms" for dt in comparisons[0].dts
    ]


def test_plot_adaptation(plt):
    responses = [
        adaptation.adaptation_after_step(
            name, dts=(0.001, 0.005), currents=(2.0, 8.0), sim_time=0.2, tau_n=0.02
        )
        for name in ("nengo.AdaptiveLIF", "nengo_tuning.ExactAdaptiveLIF")
    ]
    fig = plotting.plot_adaptation(responses, fig=plt.figure(figsize=(15, 4.2)))
    rate_ax, interval_ax, steady_ax = fig.axes[:3]
    n = plotting.ADAPTATION_INTERVALS
    series = [(r, i) for r in responses for i in range(len(r.dts))]
    # one line per type and dt in each panel, then the exact rate (and, in the
    # rate panel, the unadapted one first)
    rate_lines, interval_lines, steady_lines = (
        ax.get_lines() for ax in (rate_ax, interval_ax, steady_ax)
    )
    for line, (response, i) in zip(rate_lines, series):
        starts, rates = response.rate_over_time(i)
        assert np.array_equal(line.get_ydata(), rates)
        assert np.array_equal(line.get_xdata(), starts)
    for line, (response, i) in zip(interval_lines, series):
        expected = response.first_intervals(n)[i] * 1000
        assert np.array_equal(line.get_ydata(), expected, equal_nan=True)
    for line, (response, i) in zip(steady_lines, series):
        assert np.array_equal(line.get_ydata(), response.steady_rates[i, 1:])
    first = responses[0]
    assert list(rate_lines[-2].get_ydata()) == [first.onset_rate] * 2
    assert list(rate_lines[-1].get_ydata()) == [first.adapted_rate_at_step] * 2
    assert (
        list(interval_lines[-1].get_ydata()) == [1000 / first.adapted_rate_at_step] * 2
    )
    assert np.array_equal(steady_lines[-1].get_ydata(), first.adapted_rates)
    assert len(steady_lines) == len(series) + 1
    texts = [text.get_text() for text in fig.legends[0].get_texts()]
    assert texts[-1] == "exact adapted rate (continuous model)"
    assert len(texts) == len(series) + 1


def test_spiking_decoding_dt_axis_labels_the_dts_used(plt):
    dts = (0.0005, 0.001, 0.002, 0.005, 0.01)
    results = [
        spikes_vs_rates.spiking_decoding_error("nengo.LIF", dts=dts, sim_time=0.05)
    ]
    fig = plotting.plot_spiking_decoding_error(results, fig=plt.figure())
    fig.canvas.draw()
    error_ax = fig.axes[0]
    shown = [
        (tick.get_loc(), tick.label1.get_text())
        for tick in error_ax.xaxis.get_major_ticks()
        if tick.label1.get_visible() and tick.label1.get_text()
    ]
    assert [label for _, label in shown] == ["0.5", "1", "2", "5", "10"]
    assert np.allclose([loc for loc, _ in shown], np.array(dts) * 1000)
    assert not [t for t in error_ax.xaxis.get_minor_ticks() if t.label1.get_text()]


@pytest.mark.parametrize("module", ["matplotlib", "matplotlib.pyplot"])
def test_importing_the_package_does_not_import_matplotlib(module):
    import subprocess
    import sys

    code = f"import nengo_tuning, sys; sys.exit({module!r} in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
