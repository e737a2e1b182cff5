"""Tests of the LIF/SoftLIF formulas against independent references."""

import math
import warnings

import nengo
import numpy as np
import pytest
import reference_lif
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import DTYPES, current_arrays, lif_parameters

from nengo_tuning.math import lif, softlif

TAU_RC = 0.02
TAU_REF = 0.002


def reference_lif_rate(J, tau_rc=TAU_RC, tau_ref=TAU_REF):
    """The LIF rate written from the textbook form, one scalar at a time."""
    out = []
    for current in np.ravel(J):
        if current > 1:
            out.append(1.0 / (tau_ref - tau_rc * math.log(1 - 1 / current)))
        else:
            out.append(0.0)
    return np.reshape(out, np.shape(J))


def reference_softlif_rate(J, sigma, tau_rc=TAU_RC, tau_ref=TAU_REF):
    """SoftLIF at high precision (mpmath-free: math.log1p on Python floats)."""
    out = []
    for current in np.ravel(J):
        y = (current - 1) / sigma if current - 1 < 1e30 * sigma else math.inf
        # softplus without overflow; log of it handles rho underflow
        if y > 40:  # softplus(y) == y to double precision
            log_softplus = math.log(current - 1) - math.log(sigma)
        elif y > 0:
            log_softplus = math.log(y + math.log1p(math.exp(-y)))
        elif y > -700:
            log_softplus = math.log(math.log1p(math.exp(y)))
        else:
            log_softplus = y  # log(log1p(e^y)) = y - e^y/2 + ..., e^y < 1e-300
        log_rho = math.log(sigma) + log_softplus
        # log1p(1/rho) = logaddexp(0, -log_rho)
        log_term = max(0.0, -log_rho) + math.log1p(math.exp(-abs(log_rho)))
        out.append(1.0 / (tau_ref + tau_rc * log_term))
    return np.reshape(out, np.shape(J))


def test_lif_rate_matches_textbook_and_nengo(allclose):
    J = np.concatenate([np.linspace(-2, 1, 31), 1 + np.logspace(-12, 4, 200)])
    rate = lif.lif_rate(J, TAU_RC, TAU_REF)
    # relative tolerance: the textbook form loses digits near threshold (1 - 1/J)
    assert allclose(rate, reference_lif_rate(J), rtol=1e-9, atol=0)
    nengo_rate = nengo.LIFRate(tau_rc=TAU_RC, tau_ref=TAU_REF).rates(J, 1.0, 0.0)
    assert allclose(rate, nengo_rate[:, 0], rtol=1e-12, atol=0)


def test_lif_rate_nonfinite_and_dtype():
    J = np.array([-np.inf, np.nan, np.inf], dtype=np.float32)
    rate = lif.lif_rate(J, TAU_RC, TAU_REF)
    assert rate.dtype == np.float32
    assert rate[0] == 0 and np.isnan(rate[1])
    assert rate[2] == pytest.approx(500, rel=1e-6)  # float32 rounding of tau_ref
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert lif.lif_rate(np.inf, TAU_RC, 0.0) == np.inf


@pytest.mark.parametrize("sigma", [1e-9, 1e-3, 0.02, 1.0, 10.0])
def test_softlif_rate_matches_reference(sigma, allclose):
    J = np.concatenate([-np.logspace(-3, 6, 50), 1 + np.linspace(-1, 1, 101)])
    J = np.concatenate([J, 1 + np.logspace(-9, 300, 50)])
    rate = softlif.softlif_rate(J, sigma, TAU_RC, TAU_REF)
    assert allclose(rate, reference_softlif_rate(J, sigma), rtol=1e-9, atol=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sigma", [1e-9, 1e-6, 1e-3, 0.02, 1.0, 10.0])
def test_softlif_no_warnings_or_nonfinite(sigma, dtype):
    """The issue's numerical contract: J in [-1e6, 1e300], sigma in [1e-9, 10]."""
    finfo = np.finfo(dtype)
    J = np.concatenate(
        [-np.logspace(6, -12, 100), [0.0], 1 + np.linspace(-1e-3, 1e-3, 101)]
    )
    J = np.concatenate([J, np.logspace(-12, 300, 200)])
    J = np.clip(J, -finfo.max, finfo.max).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rate = softlif.softlif_rate(J, sigma, TAU_RC, TAU_REF)
        deriv = softlif.softlif_rate_derivative(J, sigma, TAU_RC, TAU_REF)
    assert rate.dtype == dtype and deriv.dtype == dtype
    assert np.all(np.isfinite(rate)) and np.all(np.isfinite(deriv))
    assert np.all(rate > 0) or dtype == np.float32  # float32 underflows deep below
    assert np.all(rate >= 0) and np.all(deriv >= 0)
    assert np.all(rate <= 1 / TAU_REF * (1 + 1e-6))
    # monotone in J (J is sorted only within blocks: sort it)
    order = np.argsort(J, kind="stable")
    assert np.all(np.diff(rate[order]) >= -1e-6 * rate[order][1:])


@pytest.mark.parametrize("sigma", [1e-3, 0.02, 0.3, 1.0])
def test_softlif_derivative_vs_finite_differences(sigma, allclose):
    J = np.linspace(-1, 4, 2001)
    step = 1e-6 * max(sigma, 1e-2)
    numeric = (
        softlif.softlif_rate(J + step, sigma) - softlif.softlif_rate(J - step, sigma)
    ) / (2 * step)
    analytic = softlif.softlif_rate_derivative(J, sigma)
    # central differences: truncation ~ step^2 f''' and rounding ~ eps f / step
    assert allclose(analytic, numeric, rtol=1e-5, atol=1e-4)


def test_softlif_derivative_bounded_lif_unbounded():
    J = 1 + np.logspace(-15, -1, 200)
    for sigma in [1e-3, 0.02, 1.0]:
        deriv = softlif.softlif_rate_derivative(J, sigma)
        assert np.max(deriv) < 1e6
    assert np.max(lif.lif_rate_derivative(J)) > 1e9


def test_lif_derivative_vs_finite_differences(allclose):
    J = 1 + np.logspace(-2, 2, 500)
    step = 1e-7 * (J - 1)
    numeric = (lif.lif_rate(J + step) - lif.lif_rate(J - step)) / (2 * step)
    assert allclose(lif.lif_rate_derivative(J), numeric, rtol=1e-5, atol=0)
    assert np.all(lif.lif_rate_derivative(np.array([-1.0, 0.5, 1.0])) == 0)


@pytest.mark.parametrize("tau_ref", [0.0, 0.002])
def test_derivatives_at_infinity(tau_ref):
    inf = np.array([np.inf])
    expected = 1 / TAU_RC if tau_ref == 0 else 0.0
    assert lif.lif_rate_derivative(inf, TAU_RC, tau_ref)[0] == expected
    assert softlif.softlif_rate_derivative(inf, 0.02, TAU_RC, tau_ref)[0] == expected
    # the limit is approached continuously
    far = softlif.softlif_rate_derivative(np.array([1e12]), 0.02, TAU_RC, tau_ref)
    assert far[0] == pytest.approx(expected, abs=1e-6)


def test_softlif_converges_to_lif():
    J = np.linspace(1.05, 5, 200)
    lif_rates = lif.lif_rate(J)
    errors = [
        np.max(np.abs(softlif.softlif_rate(J, sigma) - lif_rates))
        for sigma in (0.1, 0.01, 0.001)
    ]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 1e-6 * np.max(lif_rates)
    # at threshold the convergence is only logarithmic (docs/neuron-math.rst,
    # "SoftLIF rate")
    sigma = 1e-3
    at_threshold = 1 / (TAU_REF + TAU_RC * math.log1p(1 / (sigma * math.log(2))))
    assert softlif.softlif_rate(1.0, sigma) == pytest.approx(at_threshold, rel=1e-12)
    assert at_threshold == pytest.approx(6.8, abs=0.05)


@pytest.mark.parametrize("sigma", [1e-9, 1e-3, 0.02, 1.0, 10.0])
def test_softlif_current_for_rate_inverts(sigma, allclose):
    rates = np.concatenate([np.logspace(-20, 0, 21), np.linspace(1, 499, 200)])
    rates = rates[rates > softlif.softlif_rate(-1e6, sigma)]
    J = softlif.softlif_current_for_rate(rates, sigma)
    assert allclose(softlif.softlif_rate(J, sigma), rates, rtol=1e-8, atol=0)


def test_lif_current_for_rate_inverts(allclose):
    # below ~5 Hz the current above threshold is under 1e-10: float64 resolution
    rates = np.linspace(5, 499, 300)
    J = lif.lif_current_for_rate(rates)
    assert allclose(lif.lif_rate(J), rates, rtol=1e-6, atol=0)


def test_isi_and_threshold_time_match_rate(rng, allclose):
    J = 1 + rng.uniform(0.01, 100, size=100)
    assert allclose(1 / lif.lif_isi_xp(J, TAU_RC, TAU_REF), lif.lif_rate(J), rtol=1e-12)
    # from reset the climb to threshold takes ISI - tau_ref
    assert allclose(
        lif.time_to_threshold_xp(np.zeros_like(J), J, TAU_RC),
        lif.lif_isi_xp(J, TAU_RC, TAU_REF) - TAU_REF,
        rtol=1e-12,
    )
    # and the membrane solution lands exactly on threshold then
    t_star = lif.time_to_threshold_xp(0.3, J, TAU_RC)
    assert allclose(lif.relax_voltage_xp(0.3, J, t_star, TAU_RC), 1.0, rtol=1e-12)


# --- the slopes over the whole float range (property-based) -------------------------


def slope_at_infinity(tau_rc, tau_ref, amplitude):
    """The limit of both slopes as J -> +inf: the curves tend to a / tau_ref."""
    return amplitude / tau_rc if tau_ref == 0 else 0.0


def assert_close_to_reference(got, ref, dtype):
    """Tolerance: the stable forms take about ten roundings and one log1p each;
    ``1e2 eps`` relative covers them with room (float32 1.2e-5, float64 2.2e-14).
    Results below ``tiny / eps`` may be computed through subnormal intermediates
    and are compared absolutely there."""
    finfo = np.finfo(dtype)
    atol = float(finfo.tiny / finfo.eps)
    assert abs(got - ref) <= 100 * float(finfo.eps) * abs(ref) + atol, (got, ref)


@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_lif_slope_finite_and_exact_property(dtype, data):
    """lif_rate_derivative: finite for every J, the exact slope, the limits at inf.

    Before the slope was written as bounded factors, tau_ref = 0 gave inf from
    J ~ 1e154 (float64) or J ~ 1e19 (float32), where the rate overflows first.
    """
    J = data.draw(current_arrays(dtype))
    tau_rc, tau_ref, amplitude = data.draw(lif_parameters(dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = lif.lif_rate_derivative(J, tau_rc, tau_ref, amplitude)
    assert got.dtype == dtype and got.shape == J.shape
    for current, slope in zip(J.tolist(), got.tolist()):
        if math.isnan(current):
            assert math.isnan(slope)
        elif current <= 1:
            assert slope == 0
        elif current == math.inf:
            expected = slope_at_infinity(tau_rc, tau_ref, amplitude)
            assert slope == pytest.approx(expected, rel=1e2 * np.finfo(dtype).eps)
        else:
            ref = reference_lif.lif_slope(current, tau_rc, tau_ref, amplitude)
            assert math.isfinite(slope)
            assert_close_to_reference(slope, ref, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_softlif_slope_finite_and_exact_property(dtype, data):
    """softlif_rate_derivative: finite for every J, exact, 0 at -inf, limit at +inf.

    Before, it was inf where the rate overflows (tau_ref = 0 and J near the
    float maximum), against its documented "finite for any J".
    """
    J = data.draw(current_arrays(dtype))
    tau_rc, tau_ref, amplitude = data.draw(lif_parameters(dtype))
    sigma = float(dtype(data.draw(st.floats(1e-6, 10.0))))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = softlif.softlif_rate_derivative(J, sigma, tau_rc, tau_ref, amplitude)
        rate = softlif.softlif_rate(J, sigma, tau_rc, tau_ref, amplitude)
    assert got.dtype == dtype and got.shape == J.shape
    for current, slope, r in zip(J.tolist(), got.tolist(), rate.tolist()):
        if math.isnan(current):
            assert math.isnan(slope) and math.isnan(r)
            continue
        assert math.isfinite(slope) and slope >= 0
        assert r >= 0 and (math.isfinite(r) or tau_ref == 0)
        if current == -math.inf:
            assert slope == 0 and r == 0
        elif current == math.inf:
            expected = slope_at_infinity(tau_rc, tau_ref, amplitude)
            assert slope == pytest.approx(expected, rel=1e2 * np.finfo(dtype).eps)
        elif abs(current - 1) <= 1e6 * sigma:
            ref = reference_lif.softlif_slope(
                current, sigma, tau_rc, tau_ref, amplitude
            )
            assert_close_to_reference(slope, ref, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_softlif_rate_and_derivative_together_equal_apart_property(dtype, data):
    """The form that training uses (shared terms) is bitwise the two functions."""
    J = data.draw(current_arrays(dtype))
    tau_rc, tau_ref, amplitude = data.draw(lif_parameters(dtype))
    sigma = float(dtype(data.draw(st.floats(1e-6, 10.0))))
    params = (sigma, tau_rc, tau_ref, amplitude)
    with np.errstate(over="ignore", divide="ignore"):  # as the public functions
        together = softlif.softlif_rate_and_derivative_xp(J, *params)
        apart = (
            softlif.softlif_rate_xp(J, *params),
            softlif.softlif_rate_derivative_xp(J, *params),
        )
    for got, expected in zip(together, apart):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("dtype", DTYPES)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_lif_rate_and_derivative_together_equal_apart_property(dtype, data):
    """The same for LIF, with and without the training cap on the slope.

    With the cap, the slope below it uses ``log1p(1 / min_j)`` computed once in
    float64 (rounded to the dtype) instead of in the dtype: 1 ulp apart at most,
    and ``_slope_factors_xp`` rounds a dozen more times.
    """
    J = data.draw(current_arrays(dtype))
    params = data.draw(lif_parameters(dtype))
    for min_j in (0.0, lif.LIF_GRAD_MIN_J):
        with np.errstate(over="ignore", divide="ignore"):
            rate, slope = lif.lif_rate_and_derivative_xp(J, *params, min_j=min_j)
            expected_slope = lif.lif_rate_derivative_xp(J, *params, min_j=min_j)
            np.testing.assert_array_equal(rate, lif.lif_rate_xp(J, *params))
        if min_j == 0:
            np.testing.assert_array_equal(slope, expected_slope)
        else:
            np.testing.assert_allclose(
                slope, expected_slope, rtol=16 * np.finfo(dtype).eps, atol=0
            )
