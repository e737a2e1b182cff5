"""The SoftLIF formulas (Hunsberger & Eliasmith 2015): rate curve, slope, inverse.

The conventions are those of :mod:`nengo_tuning.math`; the parts SoftLIF shares
with the LIF curve (the rate from its logarithm, the slope's bounded factors)
are in :mod:`nengo_tuning.math.lif`.
"""

import math

import numpy as np

from nengo_tuning.math.lif import (
    _float_array,
    _rate_from_log_term_xp,
    _slope_factors_xp,
)

#: Default SoftLIF smoothing ``sigma``, in units of input current, shared by the
#: neuron types and the functions here (see `.SoftLIFRate` for why this value).
DEFAULT_SIGMA = 0.02
#: Above this value of ``y = j / sigma``, ``softplus(y) == y`` in float64.
SOFTPLUS_LINEAR_Y = 40.0
#: Below this value of ``y``, SoftLIF uses the asymptotic form of ``log1p(1/rho)``.
SOFTPLUS_TAIL_Y = -20.0
#: ``j / sigma`` is clamped to this magnitude so that it never overflows (float32).
SOFTPLUS_MAX_ABS_Y = 1e30


# --- SoftLIF rate curve ---------------------------------------------------------


def _softlif_y_xp(j, sigma, xp=np):
    """``j / sigma``, clamped so that it cannot overflow."""
    bound = SOFTPLUS_MAX_ABS_Y * sigma
    return xp.minimum(xp.maximum(j, -bound), bound) / sigma


def _softlif_terms_xp(J, sigma, xp=np):
    """The terms that the SoftLIF rate and its derivative share.

    Returns ``(y, e, rho, log_term)``: ``y = j / sigma`` (clamped), ``e =
    exp(-|y|)``, the smoothed current ``rho = sigma * softplus(y)`` and
    ``log_term = log1p(1 / rho)``, accurate for every ``J``. They cost one
    exponential and two logarithms per neuron: ``e`` is ``exp(-y)`` in the
    softplus and the logistic function, and ``exp(y)`` in the tail, and one
    ``log1p`` serves both forms of ``log_term``.

    The softplus ``max(y, 0) + log1p(exp(-|y|))`` cannot overflow; above
    :data:`SOFTPLUS_LINEAR_Y` it equals ``y``, and ``rho`` is ``max(j, 0)``
    itself (also for ``j = +inf``). Deep below threshold (``y <=``
    :data:`SOFTPLUS_TAIL_Y`) ``rho`` underflows, so there ``log1p(1/rho) =
    log1p(rho) - log(rho)`` with ``log(rho) = log(sigma) + y - exp(y)/2 +
    O(exp(2y))``.
    """
    j = J - 1.0
    y = _softlif_y_xp(j, sigma, xp=xp)
    e = xp.exp(-xp.abs(y))
    softplus = xp.maximum(y, 0.0) + xp.log1p(e)
    rho = xp.where(y >= SOFTPLUS_LINEAR_Y, xp.maximum(j, 0.0), sigma * softplus)
    in_tail = y <= SOFTPLUS_TAIL_Y
    # one log1p: of rho in the tail (rho <= 1 there; the minimum guards the
    # unused branch), of 1 / rho above it (where rho > 0)
    log1p_arg = xp.where(
        in_tail, xp.minimum(rho, 1.0), 1.0 / xp.where(in_tail, 1.0, rho)
    )
    log1p_value = xp.log1p(log1p_arg)
    # (a Python sigma stays a Python number: TensorFlow would make it float32)
    log_sigma = math.log(sigma) if isinstance(sigma, (int, float)) else xp.log(sigma)
    # e = exp(y) in the tail; above it this value is unused (and finite)
    log_rho_tail = log_sigma + xp.minimum(y, SOFTPLUS_TAIL_Y) - 0.5 * e
    log_term = xp.where(in_tail, log1p_value - log_rho_tail, log1p_value)
    return y, e, rho, log_term


def _softlif_rate_from_terms_xp(J, terms, tau_rc, tau_ref, amplitude, xp=np):
    """The SoftLIF rate from ``_softlif_terms_xp(J, ...)``."""
    _, _, rho, log_term = terms
    rate = _rate_from_log_term_xp(rho, log_term, tau_rc, tau_ref, amplitude, xp=xp)
    # the clamp on j / sigma leaves a rate below 1e-28 Hz at J = -inf: make it 0
    return xp.where(J == -np.inf, 0.0, rate)


def _softlif_derivative_from_terms_xp(
    J, terms, sigma, tau_rc, tau_ref, amplitude, xp=np
):
    """The SoftLIF rate's derivative from ``_softlif_terms_xp(J, ...)``.

    See `softlif_rate_derivative_xp` for the formula.
    """
    y, e, rho, log_term = terms
    scale = amplitude / tau_rc
    in_tail = y <= SOFTPLUS_TAIL_Y

    # above the tail: (a / tau_rc) q t sigmoid(y), with sigmoid(y) = 1 / (1 + e)
    # for y >= 0 (1 to rounding in the linear part) and e / (1 + e) below
    q, t = _slope_factors_xp(rho, tau_rc, tau_ref, xp=xp, log_term=log_term)
    logistic = xp.where(y >= 0.0, 1.0, e) / (1.0 + e)
    upper = scale * (q * logistic) * t

    # tail: (a / tau_rc) p^2 / (sigma h(y) (rho + 1)) with p = 1 / (tau_ref / tau_rc
    # + log1p(1 / rho)) small and h(y) = 1 + exp(y) / 2 + O(exp(2 y)), exp(y) = e
    # (above the tail log_term may be 0: p is then kept finite, and unused)
    p = 1.0 / (tau_ref / tau_rc + xp.where(in_tail, log_term, 1.0))
    sigma_h = sigma * (1.0 + 0.5 * e)
    tail = scale * (p / sigma_h) * (p / (rho + 1.0))

    deriv = xp.where(in_tail, tail, upper)
    return xp.where(J == -np.inf, 0.0, deriv)


def softlif_rate_xp(J, sigma, tau_rc, tau_ref, amplitude=1.0, xp=np):
    """SoftLIF rate curve for any array namespace (see :func:`softlif_rate`).

    ``J = -inf`` gives exactly 0 and ``J = +inf`` gives ``amplitude / tau_ref``
    (+inf when ``tau_ref = 0``).
    """
    terms = _softlif_terms_xp(J, sigma, xp=xp)
    return _softlif_rate_from_terms_xp(J, terms, tau_rc, tau_ref, amplitude, xp=xp)


def softlif_rate_derivative_xp(J, sigma, tau_rc, tau_ref, amplitude=1.0, xp=np):
    """Derivative of the SoftLIF rate for any array namespace.

    ``dr/dJ = tau_rc r^2 / (amplitude * sigma * h(y) * (rho + 1))`` with
    ``h(y) = softplus(y) (1 + exp(-y))``, which tends to 1 for ``y << 0`` and to
    ``y`` for ``y >> 0``; so ``sigma * h`` is ``j`` above :data:`SOFTPLUS_LINEAR_Y`.
    Since ``rho / (sigma h(y))`` is the logistic function of ``y``, this is the
    LIF slope of ``rho`` (the bounded factors of ``_slope_factors_xp``) times
    ``sigmoid(y)``; deep below threshold (``y <=`` :data:`SOFTPLUS_TAIL_Y`), where
    ``rho`` underflows, it is evaluated from the accurate ``log1p(1/rho)``.
    The result is finite for every ``J`` and ``sigma > 0``, also where the rate
    itself overflows; ``J = +inf`` gives its limit (0, or ``amplitude / tau_rc``
    for ``tau_ref = 0``) and ``J = -inf`` gives 0.
    """
    terms = _softlif_terms_xp(J, sigma, xp=xp)
    return _softlif_derivative_from_terms_xp(
        J, terms, sigma, tau_rc, tau_ref, amplitude, xp=xp
    )


def softlif_rate_and_derivative_xp(J, sigma, tau_rc, tau_ref, amplitude=1.0, xp=np):
    """`softlif_rate_xp` and `softlif_rate_derivative_xp` of ``J``, together.

    The two share their costly terms (one exponential and two logarithms per
    neuron, ``_softlif_terms_xp``): computed together they cost little more
    than the rate alone. Training, where every rate is followed by its
    gradient, uses this.
    """
    terms = _softlif_terms_xp(J, sigma, xp=xp)
    rate = _softlif_rate_from_terms_xp(J, terms, tau_rc, tau_ref, amplitude, xp=xp)
    deriv = _softlif_derivative_from_terms_xp(
        J, terms, sigma, tau_rc, tau_ref, amplitude, xp=xp
    )
    return rate, deriv


def softlif_rate(J, sigma=DEFAULT_SIGMA, tau_rc=0.02, tau_ref=0.002, amplitude=1.0):
    r"""SoftLIF rate curve (Hunsberger & Eliasmith 2015).

    .. math:: r(J) = \frac{a}{\tau_{ref} + \tau_{RC} \log(1 + 1/\rho)}, \qquad
              \rho = \sigma \log(1 + e^{(J - 1)/\sigma})

    A smooth, strictly positive approximation of :func:`.lif_rate` that converges
    to it as ``sigma -> 0``.

    Parameters
    ----------
    J : array_like
        Input current (threshold 1).
    sigma : float
        Smoothing of the rectification, in units of input current (> 0); the
        curve tends to :func:`~nengo_tuning.math.lif.lif_rate` as it tends to 0.
    tau_rc, tau_ref : float
        Membrane time constant and refractory period, in seconds.
    amplitude : float
        Scale ``a`` of the output.

    Returns
    -------
    rate : ndarray
        Same shape and float dtype as ``J``; ``J = -inf`` gives 0, ``J = +inf``
        gives ``amplitude / tau_ref`` (+inf for ``tau_ref = 0``), NaN gives NaN.
    """
    J = _float_array(J)
    # tau_ref == 0 and J = inf (or a rate beyond the float range): +inf
    with np.errstate(divide="ignore", over="ignore"):
        rate = softlif_rate_xp(J, sigma, tau_rc, tau_ref, amplitude)
        # (log(sigma) is a float64 scalar, which numpy >= 2 does not demote)
        return rate.astype(J.dtype, copy=False)


def softlif_rate_derivative(
    J, sigma=DEFAULT_SIGMA, tau_rc=0.02, tau_ref=0.002, amplitude=1.0
):
    """Derivative of :func:`softlif_rate` with respect to ``J``; finite for any J.

    Parameters
    ----------
    J : array_like
        Input current (threshold 1).
    sigma : float
        Smoothing of the rectification, in units of input current (> 0); the
        curve tends to :func:`~nengo_tuning.math.lif.lif_rate` as it tends to 0.
    tau_rc, tau_ref : float
        Membrane time constant and refractory period, in seconds.
    amplitude : float
        Scale ``a`` of the output.

    Returns
    -------
    deriv : ndarray
        Same shape and float dtype as ``J``; finite also where the rate
        overflows (``tau_ref = 0`` and ``J`` near the float maximum).
        ``J = +inf`` gives 0 (or ``amplitude / tau_rc`` when ``tau_ref = 0``,
        where the curve becomes linear); ``J = -inf`` gives 0; NaN gives NaN.
    """
    J = _float_array(J)
    with np.errstate(over="ignore"):  # see the module docstring
        deriv = softlif_rate_derivative_xp(J, sigma, tau_rc, tau_ref, amplitude)
        return np.where(np.isnan(J), np.nan, deriv).astype(J.dtype, copy=False)


def softlif_current_for_rate(
    rate, sigma=DEFAULT_SIGMA, tau_rc=0.02, tau_ref=0.002, amplitude=1.0
):
    """Inverse of :func:`softlif_rate`: the current that gives ``rate``.

    Requires ``0 < rate < amplitude / tau_ref``; callers validate this.
    """
    rate = _float_array(rate)
    with np.errstate(over="ignore", divide="ignore"):
        # log_term = log1p(1/rho)  =>  rho = 1 / expm1(log_term)
        log_term = (amplitude / rate - tau_ref) / tau_rc
        rho = 1.0 / np.expm1(log_term)
        # softplus(y) = s  =>  y = log(expm1(s)) = s + log(-expm1(-s))
        s = rho / sigma
        y = np.where(
            s > SOFTPLUS_LINEAR_Y,
            s,
            np.log(np.expm1(np.minimum(s, SOFTPLUS_LINEAR_Y))),
        )
        # for tiny rates rho underflows: invert the tail form log_term = log1p(rho)
        # - log(sigma) - y (+ exp(y)/2, negligible there)
        tail = log_term + np.log(sigma) > -SOFTPLUS_TAIL_Y
        y = np.where(tail, -log_term - np.log(sigma), y)
    return 1.0 + sigma * y
