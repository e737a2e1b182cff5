"""SoftLIFRate's gains and biases: a max rate it cannot reach names max_rates.

The SoftLIF curve never reaches 0: at its intercept (J = 1) it already fires at
1 / (tau_ref + tau_rc log(1 + 1 / (sigma ln 2))) (the analytic value, written
out here). A max rate at or below that rate would need a negative gain.
"""

import math

import nengo
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nengo.exceptions import ValidationError

from nengo_tuning import SoftLIFRate


def rate_at_intercept(sigma, tau_rc, tau_ref):
    return 1.0 / (tau_ref + tau_rc * math.log1p(1.0 / (sigma * math.log(2.0))))


@pytest.mark.parametrize("sigma", [0.02, 1.0, 10.0])
@pytest.mark.parametrize("tau_ref", [0.0, 0.002])
def test_max_rate_below_the_rate_at_the_intercept_names_max_rates(sigma, tau_ref):
    neuron_type = SoftLIFRate(sigma=sigma, tau_ref=tau_ref)
    lowest = rate_at_intercept(sigma, 0.02, tau_ref)
    for max_rate in (lowest * 0.5, lowest):
        with pytest.raises(ValidationError, match="max_rates must be above") as info:
            neuron_type.gain_bias(
                np.array([2 * lowest, max_rate]), np.array([0.1, -0.3])
            )
        message = str(info.value)
        assert f"{lowest:.4g} Hz" in message
        assert f"got {max_rate:g} Hz with the intercept at -0.3" in message
        assert info.value.attr == "max_rates"
    gain, _ = neuron_type.gain_bias(np.array([lowest * 1.001]), np.array([-0.3]))
    assert gain[0] > 0


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    sigma=st.floats(1e-6, 10),
    excess=st.floats(1e-6, 1e3),
    intercept=st.floats(-0.99, 0.99),
)
def test_reachable_max_rates_give_positive_gains_and_invert(sigma, excess, intercept):
    neuron_type = SoftLIFRate(sigma=sigma)
    lowest = rate_at_intercept(sigma, 0.02, 0.002)
    max_rate = min(lowest * (1 + excess), 490.0)
    if max_rate <= lowest * (1 + 1e-6):
        return  # (sigma so large that the curve at J = 1 is near 1/tau_ref)
    gain, bias = neuron_type.gain_bias(np.array([max_rate]), np.array([intercept]))
    assert gain[0] > 0
    rates, intercepts = neuron_type.max_rates_intercepts(gain, bias)
    np.testing.assert_allclose(rates, max_rate, rtol=1e-9)
    # intercept = (1 - bias) / gain: bias = 1 - gain * intercept is stored to an
    # ulp, so the intercept comes back to about eps / gain (large near the lowest
    # max rate, where the gain is small)
    eps = np.finfo(float).eps
    np.testing.assert_allclose(intercepts, intercept, rtol=1e-9, atol=4 * eps / gain[0])


def test_ensemble_with_unreachable_max_rates_names_max_rates_at_build():
    with nengo.Network() as net:
        nengo.Ensemble(
            10,
            1,
            neuron_type=SoftLIFRate(sigma=1),
            max_rates=nengo.dists.Uniform(20, 40),
        )
    with (
        pytest.raises(ValidationError, match=r"max_rates must be above 50.35 Hz"),
        nengo.Simulator(net, progress_bar=False),
    ):
        pass  # pragma: no cover


def test_max_rate_is_reached_unlike_nengo_dl_softlifrate():
    """The documented difference: nengo_dl.SoftLIFRate reuses LIF's gain and
    bias, so at sigma = 1 it fires at about 104 Hz where 100 Hz was asked."""
    ours = SoftLIFRate(sigma=1.0)
    gain, bias = ours.gain_bias(np.array([100.0]), np.array([0.0]))
    np.testing.assert_allclose(ours.rates(np.array([1.0]), gain, bias), 100.0)
    nengo_dl = pytest.importorskip("nengo_dl")
    theirs = nengo_dl.SoftLIFRate(sigma=1.0)
    gain, bias = theirs.gain_bias(np.array([100.0]), np.array([0.0]))
    assert theirs.rates(np.array([1.0]), gain, bias)[0] == pytest.approx(
        103.95, abs=0.01
    )
