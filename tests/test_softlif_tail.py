"""SoftLIF for any sigma > 0: the rate and slope against a 50-digit reference.

``j / sigma`` is beyond the float range for tiny sigma (even at ``J = 0`` for a
subnormal sigma), and ``rho = sigma softplus(j / sigma)`` underflows at
``J = 1``: these tests hold the rate, its slope, the two together, and what
``gain_bias`` / ``max_rates_intercepts`` compute from them to a decimal
evaluation of the textbook formulas, for sigma from the smallest subnormal to
10, in float64 and float32 (numpy, and TensorFlow where it is installed).
"""

import decimal
import warnings

import numpy as np
import pytest

import nengo_tuning as nt
from nengo_tuning.math import softlif

TAU_RC, TAU_REF = 0.02, 0.002
# (tau_rc, tau_ref, amplitude): the defaults, Keras' small amplitude, no tau_ref
PARAMETERS = [(TAU_RC, TAU_REF, 1.0), (0.05, 0.001, 0.01), (0.02, 0.0, 2.0)]
SIGMAS = [
    5e-324,  # the smallest subnormal float64
    1e-320,
    1e-310,
    2.2250738585072014e-308,  # the smallest normal float64
    1e-300,
    1e-200,
    1e-100,
    1e-45,
    1e-40,
    1e-38,
    1e-30,
    1e-20,
    1e-9,
    1e-3,
    0.02,
    1.0,
    10.0,
]
SIGMAS32 = [s for s in SIGMAS if s >= 1e-30] + [1e-45, 1.2e-38, 1e-60]

CONTEXT = decimal.Context(prec=50, Emax=10**9, Emin=-(10**9))


def _log1p(z):
    """``log(1 + z)`` for ``z >= 0`` in decimal, also where ``1 + z`` rounds."""
    if z < decimal.Decimal("1e-40"):
        return z - z * z / 2
    return (1 + z).ln()


def reference(J, sigma, tau_rc, tau_ref, amplitude):
    """(rate, slope) at the float ``J``, from the textbook formulas in decimal.

    ``rho = sigma log(1 + e^y)``, ``r = a / (tau_ref + tau_rc log(1 + 1/rho))``
    and ``dr/dJ = tau_rc r^2 sigmoid(y) / (a rho (rho + 1))``, with ``log(rho)``
    taken as ``log(sigma) + y`` and ``sigmoid(y) / rho`` as ``1 / sigma`` where
    ``e^y < 1e-400000`` (their next terms are below that).
    """
    with decimal.localcontext(CONTEXT):
        D = decimal.Decimal
        a, tau_rc, tau_ref, sigma = D(amplitude), D(tau_rc), D(tau_ref), D(sigma)
        y = (D(J) - 1) / sigma
        if y < -(10**6):
            rho = D(0)  # below 1e-400000: only its log matters
            log_rho = sigma.ln() + y
            sigmoid_over_rho = 1 / sigma
        elif y > 10**6:
            rho = D(J) - 1  # softplus(y) = y + e^-y
            log_rho = rho.ln()
            sigmoid_over_rho = 1 / rho
        else:
            rho = sigma * _log1p(y.exp())
            log_rho = rho.ln()
            sigmoid_over_rho = 1 / ((1 + (-y).exp()) * rho)
        log_term = _log1p(rho) - log_rho  # log(1 + 1/rho)
        rate = a / (tau_ref + tau_rc * log_term)
        slope = tau_rc * rate * rate * sigmoid_over_rho / (a * (rho + 1))
        return float(rate), float(slope)


def currents(dtype):
    """Currents across the threshold, from the most negative float up."""
    eps = float(np.finfo(dtype).eps)
    big = float(np.finfo(dtype).max)
    J = [-big, -1e30, -1e6, -3.0, 0.0, 0.5, 0.9, 0.999, 1 - 4 * eps, 1 - eps / 2]
    J += [1.0, 1 + eps, 1 + 4 * eps, 1.001, 1.1, 2.0, 10.0, 1e6, 1e30]
    J += list(1 - np.logspace(-15 if dtype == np.float64 else -7, 0, 12))
    J += list(1 + np.logspace(-15 if dtype == np.float64 else -7, 2, 12))
    return np.unique(np.array(J, dtype=dtype))


def assert_close(got, expected, dtype, ulps, what):
    """``got`` within ``ulps`` ulps of ``expected`` (absolute ulps of the
    smallest normal number below it, where it is subnormal)."""
    expected = np.asarray(expected, dtype=np.float64)
    finfo = np.finfo(dtype)
    got = np.asarray(got, dtype=np.float64)
    assert np.all(np.isfinite(got)), f"{what}: not finite: {got[~np.isfinite(got)]}"
    # the ulp of expected in dtype (of the smallest normal, below it)
    exponent = np.floor(np.log2(np.maximum(np.abs(expected), float(finfo.tiny))))
    ulp = np.exp2(exponent) * float(finfo.eps)
    err = np.abs(got - expected) / ulp
    worst = int(np.argmax(err))
    assert err[worst] <= ulps, (
        f"{what}: {err[worst]:.3g} ulps at index {worst}: got {got[worst]!r}, "
        f"expected {expected[worst]!r}"
    )


def _expected(J, sigma, params):
    pairs = [reference(float(current), sigma, *params) for current in J]
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def _slope_in_range(slopes, dtype):
    return np.abs(slopes) <= float(np.finfo(dtype).max)


def check_against_reference(J, sigma, params, dtype):
    """Rate and slope of ``J`` (of ``dtype``) within 8 ulps of the reference;
    returns them."""
    rate_ref, slope_ref = _expected(J, sigma, params)
    in_range = _slope_in_range(slope_ref, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rate = softlif.softlif_rate(J, sigma, *params)
        slope = softlif.softlif_rate_derivative(J[in_range], sigma, *params)
    assert rate.dtype == slope.dtype == dtype
    assert_close(rate, rate_ref, dtype, 8, f"rate, sigma={sigma}")
    assert_close(slope, slope_ref[in_range], dtype, 8, f"slope, sigma={sigma}")
    return rate, slope, in_range


@pytest.mark.parametrize("params", PARAMETERS)
@pytest.mark.parametrize("sigma", SIGMAS)
def test_rate_and_slope_match_reference_float64(sigma, params):
    """Every function to a few ulps, for sigma down to the smallest subnormal;
    the rate and slope computed together are those computed apart."""
    J = currents(np.float64)
    rate, slope, in_range = check_against_reference(J, sigma, params, np.float64)
    with np.errstate(all="ignore"):
        together = softlif.softlif_rate_and_derivative_xp(J, sigma, *params)
    np.testing.assert_array_equal(together[0], rate)
    np.testing.assert_array_equal(together[1][in_range], slope)


@pytest.mark.parametrize("params", PARAMETERS[:2])
@pytest.mark.parametrize("sigma", SIGMAS32)
def test_rate_and_slope_match_reference_float32(sigma, params):
    check_against_reference(currents(np.float32), sigma, params, np.float32)


def test_issue_examples():
    """The reported values: the deep tail, and gain_bias for a subnormal sigma."""
    slope = nt.SoftLIFRate(sigma=1e-100).rate_derivative(
        np.array([0.0]), np.array([1.0]), np.array([0.0])
    )
    assert slope[0, 0] == pytest.approx(1e-100 / TAU_RC, rel=1e-12)  # J - 1 = -1
    neuron = nt.SoftLIFRate(sigma=1e-320)
    gain, bias = neuron.gain_bias(np.array([100.0]), np.array([0.0]))
    J_max = 1 + 1 / np.expm1((1 / 100 - TAU_REF) / TAU_RC)  # the LIF current
    assert gain[0] == pytest.approx(J_max - 1, rel=1e-14) and bias[0] == 1.0
    max_rates, intercepts = neuron.max_rates_intercepts(gain, bias)
    assert max_rates[0] == pytest.approx(100, rel=1e-12) and intercepts[0] == 0


@pytest.mark.parametrize("sigma", [5e-324, 1e-310, 1e-300, 1e-100, 1e-40, 1e-20])
def test_gain_bias_round_trip_for_tiny_sigma(sigma):
    neuron = nt.SoftLIFRate(sigma=sigma)
    max_rates = np.array([20.0, 100.0, 300.0, 499.0])
    intercepts = np.array([-0.9, 0.0, 0.5, 0.99])
    gain, bias = neuron.gain_bias(max_rates, intercepts)
    assert np.all(np.isfinite(gain)) and np.all(np.isfinite(bias))
    got_rates, got_intercepts = neuron.max_rates_intercepts(gain, bias)
    np.testing.assert_allclose(got_rates, max_rates, rtol=1e-10)
    np.testing.assert_allclose(got_intercepts, intercepts, rtol=0, atol=1e-12)


def test_unreachable_max_rate_names_sigma():
    """With sigma = 1e-20 the curve jumps from 1.07 to 1.80 Hz between J = 1
    and the next float: no current gives 1.5 Hz."""
    neuron = nt.SoftLIFRate(sigma=1e-20)
    with pytest.raises(ValueError, match="sigma=1e-20"):
        neuron.gain_bias(np.array([1.5]), np.array([0.0]))


def test_slope_beyond_float_range_names_sigma():
    """At J = 1 the slope is about 1e319 for the smallest subnormal sigma."""
    with pytest.raises(ValueError, match="sigma=5e-324"):
        softlif.softlif_rate_derivative(np.array([1.0]), 5e-324)
    # elsewhere it is finite (and exact)
    J = np.array([0.0, 1 - 2.0**-53, 1 + 2.0**-52])
    assert np.all(np.isfinite(softlif.softlif_rate_derivative(J, 5e-324)))


@pytest.mark.parametrize("sigma", [1e-300, 5e-324])
def test_nonfinite_currents(sigma):
    J = np.array([-np.inf, np.inf, np.nan])
    rate = softlif.softlif_rate(J, sigma)
    slope = softlif.softlif_rate_derivative(J, sigma)
    assert rate[0] == 0 and rate[1] == 1 / TAU_REF and np.isnan(rate[2])
    assert slope[0] == 0 and slope[1] == 0 and np.isnan(slope[2])


# --- TensorFlow: the same formulas through tf_xp (eager, no XLA compile) -------


@pytest.fixture(scope="module")
def tf_xp():
    pytest.importorskip("tensorflow")
    from nengo_tuning.dl.tf_namespace import tf_xp

    return tf_xp


TF_CASES = [(np.float64, s) for s in SIGMAS] + [
    (np.float32, s) for s in SIGMAS if 1.2e-38 <= s
]


@pytest.mark.parametrize("dtype, sigma", TF_CASES)
def test_tensorflow_matches_reference(tf_xp, dtype, sigma):
    """TensorFlow flushes subnormals to zero: a reference below the smallest
    normal number may come out as 0 (or as itself); all else to a few ulps."""
    import tensorflow as tf

    params = PARAMETERS[1]
    J = currents(dtype)
    rate_ref, slope_ref = _expected(J, sigma, params)
    in_range = _slope_in_range(slope_ref, dtype)
    # a tensor sigma (as the NengoDL builders pass it) where it is normal,
    # else a Python float (as the Keras layer passes it)
    tiny = float(np.finfo(dtype).tiny)
    sigma_arg = tf.constant(sigma, dtype) if sigma >= tiny else sigma
    tensors = [tf.constant(p, dtype) for p in params]
    rate, slope = (
        x.numpy()
        for x in softlif.softlif_rate_and_derivative_xp(
            tf.constant(J), sigma_arg, *tensors, xp=tf_xp
        )
    )
    for got, ref, what in [(rate, rate_ref, "rate"), (slope, slope_ref, "slope")]:
        keep = in_range & (np.abs(ref) >= tiny)
        assert_close(got[keep], ref[keep], dtype, 8, f"TF {what}, sigma={sigma}")
        flushed = in_range & ~keep
        assert np.all(np.abs(got[flushed]) <= 2 * tiny), what


def test_tensorflow_refuses_a_subnormal_sigma_tensor(tf_xp):
    """A constant sigma tensor that TensorFlow would flush to zero (the NengoDL
    builders pass one) is refused by name, not evaluated as sigma = 0 (NaN)."""
    import tensorflow as tf

    from nengo_tuning.dl.tf_namespace import softlif_rate_tf

    for sigma, dtype in [
        (1e-40, tf.float32),
        (1e-50, tf.float32),
        (1e-310, tf.float64),
    ]:
        with pytest.raises(ValueError, match="sigma="):
            softlif_rate_tf(tf.constant(sigma, dtype), 0.02, 0.002)
    softlif_rate_tf(tf.constant(1e-30, tf.float32), 0.02, 0.002)  # normal: accepted
