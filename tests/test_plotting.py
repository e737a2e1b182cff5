"""Tests of the plotting functions: each draws the data of its record."""

import matplotlib
import numpy as np
import pytest

from nengo_tuning.workbench import (
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


@pytest.mark.parametrize("module", ["matplotlib", "matplotlib.pyplot"])
def test_importing_the_package_does_not_import_matplotlib(module):
    import subprocess
    import sys

    code = f"import nengo_tuning, sys; sys.exit({module!r} in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
