"""Tests of the analysis API against independent computations."""

import nengo
import numpy as np
import pytest
from nengo.utils.ensemble import tuning_curves as nengo_tuning_curves

from nengo_tuning import ExactLIF, SoftLIFRate
from nengo_tuning.math.lif import lif_rate
from nengo_tuning.math.softlif import softlif_rate
from nengo_tuning.workbench import (
    expressions,
    neuron_specs,
    rate_curves,
    spikes_vs_rates,
    tuning_and_decoding,
)


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("nengo.LIF", nengo.LIF()),
        ("LIF", nengo.LIF()),
        ("nengo_tuning.ExactLIF", ExactLIF()),
        ("ExactLIF", ExactLIF()),
        ("nengo.LIF(tau_ref=0.001)", nengo.LIF(tau_ref=0.001)),
        (" nengo_tuning.SoftLIFRate(sigma=0.1) ", SoftLIFRate(sigma=0.1)),
        (nengo.LIFRate, nengo.LIFRate()),
        (nengo.Sigmoid(tau_ref=0.004), nengo.Sigmoid(tau_ref=0.004)),
    ],
)
def test_resolve_neuron_type(spec, expected):
    assert neuron_specs.resolve_neuron_type(spec) == expected


def test_resolve_neuron_type_keyword_overrides():
    resolved = neuron_specs.resolve_neuron_type("nengo.LIF(tau_ref=0.001)", tau_rc=0.05)
    assert resolved == nengo.LIF(tau_rc=0.05, tau_ref=0.001)


def test_resolve_neuron_type_keywords_keep_an_instances_other_parameters():
    from nengo_tuning import ExactAdaptiveLIF

    given = ExactAdaptiveLIF(tau_ref=0.0, amplitude=0.5, tau_n=2.0)
    resolved = neuron_specs.resolve_neuron_type(given, tau_n=0.1, inc_n=0.05)
    expected = ExactAdaptiveLIF(tau_ref=0.0, amplitude=0.5, tau_n=0.1, inc_n=0.05)
    assert resolved == expected
    assert given.tau_n == 2.0  # (a new instance: the given one is unchanged)


@pytest.mark.parametrize(
    "spec",
    [
        "nengo.Foo",
        "Foo",
        "numpy.ndarray",
        "nengo.Ensemble",
        "nengo.LIF(0.02)",
        "nengo.LIF(tau_ref=x)",
        "nengo.LIF(bogus=1)",
        "nengo.LIF(",
        "1 + 2",
    ],
)
def test_resolve_neuron_type_rejects(spec):
    with pytest.raises(ValueError):
        neuron_specs.resolve_neuron_type(spec)


def test_neuron_type_label():
    assert neuron_specs.neuron_type_label(nengo.LIF()) == "nengo.LIF"
    assert neuron_specs.neuron_type_label(ExactLIF()) == "nengo_tuning.ExactLIF"
    assert neuron_specs.neuron_type_label(nengo.LIF(tau_ref=0.001)) == (
        "nengo.LIF(tau_ref=0.001)"
    )


def test_parse_function():
    square = expressions.parse_function("x**2")
    assert square.__name__ == "x**2"
    assert np.allclose(square(np.array([-0.5])), 0.25)
    product = expressions.parse_function("x[0] * sin(pi * x[1])")
    assert np.allclose(product(np.array([2.0, 0.5])), 2.0)
    assert expressions.parse_function(np.cos) is np.cos


@pytest.mark.parametrize(
    "expression",
    ["__import__('os')", "x.__class__", "y + 1", "lambda: 1", "x +", "np.sin(x)"],
)
def test_parse_function_rejects(expression):
    with pytest.raises(ValueError):
        expressions.parse_function(expression)


def test_ensemble_tuning_curves_match_nengo():
    with nengo.Network(seed=3) as network:
        ensemble = nengo.Ensemble(12, 1, neuron_type=ExactLIF())
    with nengo.Simulator(network, progress_bar=False) as sim:
        curves = tuning_and_decoding.ensemble_tuning_curves(ensemble, sim, n_points=51)
        inputs, rates = nengo_tuning_curves(ensemble, sim, inputs=curves.inputs)
    assert np.array_equal(curves.rates, rates)
    assert curves.rates.shape == (51, 12)
    # and the analytic LIF curve, computed here from the built parameters
    J = sim.data[ensemble].gain * (inputs @ sim.data[ensemble].encoders.T) + (
        sim.data[ensemble].bias
    )
    assert np.allclose(curves.currents, J)
    assert np.allclose(curves.rates, lif_rate(J, 0.02, 0.002), rtol=1e-12, atol=0)


def test_neuron_tuning_curves_from_max_rates_intercepts():
    max_rates = np.array([100.0, 200.0, 300.0])
    intercepts = np.array([-0.5, 0.0, 0.5])
    encoders = np.array([[1.0], [1.0], [-1.0]])
    curves = tuning_and_decoding.neuron_tuning_curves(
        "nengo.LIF",
        max_rates=max_rates,
        intercepts=intercepts,
        encoders=encoders,
        n_points=201,
    )
    x = curves.inputs[:, 0]
    assert curves.n_neurons == 3
    # each curve peaks at its max rate at its preferred end and is 0 past its
    # intercept (checked point by point on the grid, not through nengo)
    assert np.allclose(curves.rates[-1, :2], max_rates[:2])
    assert np.allclose(curves.rates[0, 2], max_rates[2])
    for i in range(3):
        projection = encoders[i, 0] * x
        assert np.all(curves.rates[projection <= intercepts[i], i] == 0)
        assert np.all(curves.rates[projection > intercepts[i] + 1e-9, i] > 0)


def test_neuron_tuning_curves_gain_bias_2d():
    gain = np.array([2.0, 10.0])
    bias = np.array([1.5, -3.0])
    encoders = np.array([[1.0, 0.0], [0.6, 0.8]])
    curves = tuning_and_decoding.neuron_tuning_curves(
        "nengo_tuning.SoftLIFRate",
        dimensions=2,
        gain=gain,
        bias=bias,
        encoders=encoders,
        n_points=300,
        seed=1,
    )
    assert curves.inputs.shape == (300, 2)
    assert np.all(np.linalg.norm(curves.inputs, axis=1) <= 1 + 1e-12)
    J = gain * (curves.inputs @ encoders.T) + bias
    assert np.allclose(curves.rates, softlif_rate(J, 0.02, 0.02, 0.002))


def test_neuron_tuning_curves_rejects_mixed_parameters():
    with pytest.raises(ValueError, match="either gain and bias"):
        tuning_and_decoding.neuron_tuning_curves(
            gain=[1.0], bias=[0.0], max_rates=[100.0]
        )
    with pytest.raises(ValueError, match="both gain and bias"):
        tuning_and_decoding.neuron_tuning_curves(gain=[1.0])


def test_decode_function_uses_same_neurons_for_every_function():
    identity = tuning_and_decoding.decode_function("x", n_neurons=100, seed=2)
    square = tuning_and_decoding.decode_function("x**2", n_neurons=100, seed=2)
    assert np.array_equal(identity.activities, square.activities)
    assert not np.allclose(identity.decoders, square.decoders)
    x = identity.inputs[:, 0]
    assert np.allclose(square.target[:, 0], x**2)
    assert np.allclose(square.decoded, square.activities @ square.decoders)
    assert np.allclose(square.weighted_curves.sum(axis=1), square.decoded[:, 0])
    rmse = np.sqrt(np.mean((square.decoded[:, 0] - x**2) ** 2))
    assert square.rmse == pytest.approx(rmse)
    assert identity.rmse < 0.02 and square.rmse < 0.04


def test_decode_function_2d_product():
    product = tuning_and_decoding.decode_function(
        lambda x: x[0] * x[1], n_neurons=200, dimensions=2, n_test_points=300
    )
    assert product.inputs.shape == (300, 2)
    assert np.allclose(product.target[:, 0], np.prod(product.inputs, axis=1))
    assert product.rmse < 0.1


@pytest.mark.parametrize("neuron_type", ["nengo.LIF", "nengo_tuning.SoftLIFRate"])
def test_decoding_rmse_falls_as_neurons_grow(neuron_type):
    sweep = tuning_and_decoding.decoding_sweep(
        ("x", "x**2"), n_neurons=(5, 20, 80, 320), neuron_type=neuron_type
    )
    assert sweep.rmse.shape == (2, 4)
    assert sweep.function_names == ["x", "x**2"]
    assert np.all(np.diff(sweep.rmse, axis=1) < 0)
    assert np.all(sweep.rmse[:, -1] < sweep.rmse[:, 0] / 5)


def test_currents_for_rates_round_trip():
    rates = np.array([5.0, 50.0, 200.0, 499.0])
    currents = spikes_vs_rates.currents_for_rates("nengo.LIF", rates)
    assert np.allclose(lif_rate(currents, 0.02, 0.002), rates)


SPIKE_DTS = (0.0001, 0.001, 0.002, 0.003, 0.005, 0.01)


def test_exactlif_rate_matches_curve_at_every_dt():
    rates = np.arange(10.0, 481.0, 10.0)
    comparison = spikes_vs_rates.compare_spikes_to_rates(
        "nengo_tuning.ExactLIF", dts=SPIKE_DTS, rates=rates
    )
    curve = lif_rate(comparison.currents, 0.02, 0.002)
    assert np.allclose(comparison.rate_curve, rates)
    assert np.allclose(curve, rates)
    # within one spike over the 1 s measurement, at every dt
    assert np.all(np.abs(comparison.measured - curve) <= 1.0 + 1e-9)


def test_nengo_lif_departs_from_curve_once_dt_exceeds_tau_ref():
    rates = np.array([50.0, 200.0, 400.0])
    comparison = spikes_vs_rates.compare_spikes_to_rates(
        "nengo.LIF", dts=SPIKE_DTS, rates=rates
    )
    exact = comparison.dts <= 0.002
    assert np.all(np.abs(comparison.measured[exact] - rates) <= 1.0)
    # dt > tau_ref: at 400 Hz the inter-spike interval (2.5 ms) is shorter than
    # dt, and nengo.LIF emits at most one spike per step: the rate is 1 / dt
    for i in np.flatnonzero(comparison.dts > 0.002):
        assert comparison.measured[i, 2] == pytest.approx(1 / comparison.dts[i], abs=1)
        assert comparison.relative_error[i, 2] < -0.15
    # at dt = 10 ms a 200 Hz neuron should fire twice per step; nengo.LIF keeps
    # at most one spike per step, so it fires 1 / dt = 100 Hz
    assert comparison.measured[-1, 1] == pytest.approx(100.0, abs=1)


def test_nengo_lif_without_refractory_period_is_capped_at_one_over_dt():
    comparison = spikes_vs_rates.compare_spikes_to_rates(
        "nengo.LIF(tau_ref=0)", dts=(0.005,), rates=(100.0, 400.0, 1000.0)
    )
    assert np.all(comparison.measured <= 1 / 0.005 + 1e-9)
    exact = spikes_vs_rates.compare_spikes_to_rates(
        "nengo_tuning.ExactLIF(tau_ref=0)", dts=(0.005,), rates=(100.0, 400.0, 1000.0)
    )
    assert np.all(np.abs(exact.measured - (100, 400, 1000)) <= 1.0)


def test_rate_type_measured_rate_is_its_curve():
    comparison = spikes_vs_rates.compare_spikes_to_rates(
        "nengo.LIFRate", dts=(0.001, 0.01), rates=(20.0, 300.0)
    )
    assert np.allclose(comparison.measured, comparison.rate_curve)
    assert np.all(comparison.max_abs_error_hz < 1e-9)


def test_compare_spikes_to_rates_rejects_bad_input():
    with pytest.raises(ValueError, match="positive"):
        spikes_vs_rates.compare_spikes_to_rates(dts=(0.001, 0.0))
    with pytest.raises(nengo.exceptions.ValidationError):
        spikes_vs_rates.compare_spikes_to_rates("nengo.LIF", rates=(600.0,))


def test_spiking_decoding_error():
    dts = (0.001, 0.005, 0.01)
    kwargs = {"dts": dts, "n_neurons": 30, "sim_time": 0.5}
    rate = spikes_vs_rates.spiking_decoding_error("nengo.LIFRate", **kwargs)
    # a rate type through the same ensemble, decoders and filter: no error at all,
    # which also checks that the offline reference is aligned step by step
    assert np.all(rate.rmse_vs_rate < 1e-12)
    assert np.all(rate.rmse_vs_target < 0.05)
    exact = spikes_vs_rates.spiking_decoding_error("nengo_tuning.ExactLIF", **kwargs)
    lif = spikes_vs_rates.spiking_decoding_error("nengo.LIF", **kwargs)
    assert np.all(exact.rmse_vs_rate < 0.06)
    # identical while dt <= tau_ref; nengo.LIF loses spikes beyond it
    assert lif.rmse_vs_rate[0] == pytest.approx(exact.rmse_vs_rate[0])
    assert np.all(lif.rmse_vs_rate[1:] > 3 * exact.rmse_vs_rate[1:])
    trace = exact.traces[-1]
    assert trace["t"].shape[0] == trace["spiking"].shape[0] == 50
    assert np.allclose(trace["x"][:, 0], np.sin(2 * np.pi * trace["t"]))


def test_smooth_vs_sharp():
    sigmas = np.array([0.001, 0.02, 0.1, 1.0])
    result = rate_curves.smooth_vs_sharp(sigmas)
    tau_rc, tau_ref = 0.02, 0.002
    # closed form of the SoftLIF rate at threshold, J = 1 (docs/neuron-math.rst):
    # G = 1 / (tau_ref + tau_rc log(1 + 1 / (sigma log 2)))
    expected = 1 / (tau_ref + tau_rc * np.log1p(1 / (sigmas * np.log(2))))
    assert np.allclose(result.rate_at_threshold, expected)
    # derivatives agree with finite differences of the plotted rates
    J = result.currents
    for rates, derivatives in zip(result.softlif_rates, result.softlif_derivatives):
        numeric = np.gradient(rates, J)
        inner = slice(5, -5)
        smooth = np.abs(J[inner] - 1) > 0.01
        assert np.allclose(
            numeric[inner][smooth], derivatives[inner][smooth], rtol=0.02
        )
    # LIF's slope is unbounded at threshold, SoftLIF's is bounded and lower for
    # larger sigma, while the curve moves further from LIF
    assert np.all(np.isfinite(result.peak_derivative))
    assert np.all(np.diff(result.peak_derivative) < 0)
    assert np.all(np.diff(result.max_rate_gap) > 0)
    lif_slopes = rate_curves.smooth_vs_sharp(
        sigmas, currents=1 + np.logspace(-3, -9, 4)
    )
    assert np.all(np.diff(lif_slopes.lif_derivatives) > 0)
    assert lif_slopes.lif_derivatives[-1] > 10 * result.peak_derivative[0]
    assert np.all(result.lif_rates[J <= 1] == 0)


def test_smooth_vs_sharp_rejects_bad_sigma():
    with pytest.raises(ValueError, match="sigma"):
        rate_curves.smooth_vs_sharp(sigmas=(0.1, 0.0))
