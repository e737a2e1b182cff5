"""The SoftLIF formulas (Hunsberger & Eliasmith 2015): rate curve, slope, inverse.

The conventions are those of :mod:`nengo_tuning.math`; the parts SoftLIF shares
with the LIF curve (the rate from its logarithm, the slope's bounded factors)
are in :mod:`nengo_tuning.math.lif`.
"""

import math

import numpy as np

from nengo_tuning.math.lif import (
    TINY_J,
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

#: A ``sigma`` below this (the smallest normal float64) is scaled by
#: ``2**SIGMA_PRESCALE_BITS`` inside the formulas, so that no intermediate that
#: matters is subnormal; the scale cancels exactly (see ``_sigma_scaling``).
SIGMA_PRESCALE_BELOW = float(np.finfo(np.float64).tiny)
SIGMA_PRESCALE_BITS = 64
#: From this ``sigma`` up, ``rho < TINY_J`` only in the tail ``y <=``
#: :data:`SOFTPLUS_TAIL_Y` (twice ``TINY_J / softplus(SOFTPLUS_TAIL_Y)``).
SIGMA_TAIL_ONLY = 2 * TINY_J / math.log1p(math.exp(SOFTPLUS_TAIL_Y))


def _is_scalar(x):
    return isinstance(x, (int, float, np.integer, np.floating))


def _sigma_scaling(sigma, xp=np):
    """``(sigma_k, two_k, log_sigma)``: ``sigma_k = sigma * two_k``, ``two_k = 2**K``.

    ``K`` is 0 except for a Python (or numpy) scalar ``sigma`` below the smallest
    normal float64, where ``K`` is :data:`SIGMA_PRESCALE_BITS`: ``sigma_k`` is
    then a normal number, and the formulas scale ``j`` by ``two_k`` as well, so
    that ``j / sigma`` and the tail's ``sigma / (sigma C - j)`` are unchanged.
    ``log_sigma`` is computed in Python for a scalar (exact for a subnormal, and
    not demoted to float32 by TensorFlow).
    """
    if _is_scalar(sigma):
        sigma = float(sigma)
        if sigma < SIGMA_PRESCALE_BELOW:
            two_k = 2.0**SIGMA_PRESCALE_BITS
            return sigma * two_k, two_k, math.log(sigma)
        return sigma, 1.0, math.log(sigma)
    return sigma, 1.0, xp.log(sigma)


def _softlif_y_xp(j, sigma, xp=np):
    """``j / sigma``, clamped so that it cannot overflow.

    The clamp only changes ``y`` where ``|y| > SOFTPLUS_MAX_ABS_Y``: there the
    rate is ``max(j, 0)``'s LIF rate above threshold, and below it the tail of
    ``_softlif_xp``, which uses ``j`` itself and not ``y``.
    """
    bound = SOFTPLUS_MAX_ABS_Y * sigma
    return xp.minimum(xp.maximum(j, -bound), bound) / sigma


def _softlif_xp(J, sigma, tau_rc, tau_ref, amplitude, xp, rate=True, derivative=True):
    """The SoftLIF rate and/or its derivative, sharing their terms.

    With ``j = J - 1``, ``y = j / sigma`` (clamped, ``_softlif_y_xp``) and
    ``e = exp(-|y|)``, the softplus ``max(y, 0) + log1p(e)`` cannot overflow,
    and ``rho = sigma * softplus(y)`` is ``max(j, 0)`` itself above
    :data:`SOFTPLUS_LINEAR_Y` (also for ``j = +inf``). Two forms follow:

    * ``rho >= TINY_J``: ``L = log1p(1 / rho)``, the rate ``a / (tau_ref +
      tau_rc L)`` (``_rate_from_log_term_xp``) and the slope ``(a / tau_rc) q t
      sigmoid(y)`` (``_slope_factors_xp``; ``sigmoid(y) = rho / (sigma h(y))``).
    * ``rho < TINY_J`` (the tail ``y <=`` :data:`SOFTPLUS_TAIL_Y`, where ``rho``
      underflows, or ``J = 1`` with ``sigma < 1.4e-30``): ``L = log1p(rho) -
      log(rho)``, ``log(rho) = log(sigma) + log(softplus(y))``, and everything
      is written with ``D = sigma (tau_ref / tau_rc + L)``: the rate is
      ``(a / tau_rc) sigma / D`` and the slope ``(a / tau_rc) sigma g / D**2``
      with ``g = sigmoid(y) / softplus(y)`` (``1 - e/2`` in the tail); ``log1p(rho)
      < TINY_J`` is negligible against ``L > 69``. In the tail ``log(softplus(y))
      = y - e/2 + O(e**2)``, so ``D = sigma (tau_ref / tau_rc - log(sigma) + e/2)
      - j``: ``y`` is not needed, and neither the rate
      ``~ sigma / (tau_rc |j|)`` nor the slope ``~ sigma / (tau_rc j**2)`` is lost
      where ``|j| / sigma`` is beyond the float range. At ``J = 1``, ``log(softplus)``
      is ``log1p(softplus - 1)``, in the same ``log1p`` as ``L`` elsewhere.

    The costly terms are one exponential and two logarithms per neuron.
    ``J = -inf`` gives 0 (``D = +inf``). The ``a / tau_rc`` of the second form is
    split as ``max(a / tau_rc, 1) * min(a / tau_rc, 1)``, applied before and
    after the division by ``D``, so that a normal result never comes from a
    subnormal intermediate (which TensorFlow flushes to zero). A tiny scalar
    ``sigma`` is prescaled (``_sigma_scaling``).
    """
    sigma_k, two_k, log_sigma = _sigma_scaling(sigma, xp=xp)
    prescaled = not (isinstance(two_k, float) and two_k == 1.0)
    j = J - 1.0
    j_k = j * two_k if prescaled else j
    y = _softlif_y_xp(j_k, sigma_k, xp=xp)
    e = xp.exp(-xp.abs(y))
    softplus = xp.maximum(y, 0.0) + xp.log1p(e)
    smooth = sigma_k * softplus
    if prescaled:
        smooth = smooth * (1.0 / two_k)
    rho = xp.where(y >= SOFTPLUS_LINEAR_Y, xp.maximum(j, 0.0), smooth)
    small = rho < TINY_J
    half_e = 0.5 * e
    ratio = tau_ref / tau_rc
    # the second form: D_k = two_k D = sigma_k (ratio - log(sigma) - R) - j_k with
    # R = log(softplus(y)) - y: -e/2 in the tail; log1p(rho) < TINY_J is dropped
    if _is_scalar(sigma) and sigma >= SIGMA_TAIL_ONLY:
        # rho < TINY_J only in the tail (above it rho > sigma softplus(-20)): the
        # same formulas without their branch at J = 1 (the common case)
        in_tail = True
        log1p_value = xp.log1p(1.0 / xp.maximum(rho, TINY_J))
        D_k = (0.5 * sigma_k) * e + (sigma_k * (ratio - log_sigma)) - j_k
    else:
        in_tail = y <= SOFTPLUS_TAIL_Y
        # one log1p: of 1 / rho where rho >= TINY_J, of softplus - 1 (its log)
        # below (the maximum keeps the tail's unused value finite)
        log1p_value = xp.log1p(
            xp.where(
                small,
                xp.maximum(softplus - 1.0, -0.5),
                1.0 / xp.maximum(rho, TINY_J),
            )
        )
        # (y is clamped, so that the first term is finite: no inf - inf at J = inf)
        log_softplus_minus_y = xp.where(in_tail, -half_e, log1p_value - y)
        D_k = sigma_k * ((ratio - log_sigma) - log_softplus_minus_y) - j_k
    scale = amplitude / tau_rc
    if _is_scalar(scale):
        scale_up, scale_down = max(scale, 1.0), min(scale, 1.0)
    else:
        scale_up, scale_down = xp.maximum(scale, 1.0), xp.minimum(scale, 1.0)
    numerator = scale_up * sigma_k
    down = not (_is_scalar(scale_down) and scale_down == 1.0)
    # (a / tau_rc) sigma / D, before its factor scale_down
    lower_rate = numerator / D_k

    results = []
    if rate:
        upper = _rate_from_log_term_xp(
            rho, log1p_value, tau_rc, tau_ref, amplitude, xp=xp
        )
        lower = lower_rate * scale_down if down else lower_rate
        results.append(xp.where(small, lower, upper))
    if derivative:
        # rho >= TINY_J: (a / tau_rc) q t sigmoid(y), sigmoid(y) = 1 / (1 + e)
        # for y >= 0 (1 to rounding in the linear part) and e / (1 + e) below
        q, t = _slope_factors_xp(rho, tau_rc, tau_ref, xp=xp, log_term=log1p_value)
        logistic = xp.where(y >= 0.0, 1.0, e) / (1.0 + e)
        upper = scale * (q * logistic) * t
        # rho < TINY_J: (a / tau_rc) sigma g / D**2 (rho + 1 is 1 there), with
        # g = sigmoid(y) / softplus(y) = 1 - e/2 + O(e**2) in the tail
        if in_tail is True:
            g = 1.0 - half_e
        else:
            g = xp.where(in_tail, 1.0 - half_e, logistic / xp.maximum(softplus, TINY_J))
        if prescaled:
            # sigma / D**2 = sigma_k (two_k / D_k) / D_k: no subnormal intermediate
            lower = ((numerator * (two_k / D_k)) / D_k) * g
        else:
            lower = (lower_rate / D_k) * g
        if down:
            lower = lower * scale_down
        results.append(xp.where(small, lower, upper))
    return results


def softlif_rate_xp(J, sigma, tau_rc, tau_ref, amplitude=1.0, xp=np):
    """SoftLIF rate curve for any array namespace (see :func:`softlif_rate`).

    ``J = -inf`` gives exactly 0 and ``J = +inf`` gives ``amplitude / tau_ref``
    (+inf when ``tau_ref = 0``). Accurate for every ``sigma > 0`` whose
    subnormal-free form the namespace can hold: in TensorFlow, which flushes
    subnormals to zero, a tensor ``sigma`` must be a normal number of ``J``'s
    dtype; a Python float ``sigma`` may be anything down to the smallest
    subnormal in float64 (see ``_sigma_scaling``).
    """
    return _softlif_xp(J, sigma, tau_rc, tau_ref, amplitude, xp, derivative=False)[0]


def softlif_rate_derivative_xp(J, sigma, tau_rc, tau_ref, amplitude=1.0, xp=np):
    """Derivative of the SoftLIF rate for any array namespace.

    ``dr/dJ = tau_rc r^2 / (amplitude * sigma * h(y) * (rho + 1))`` with
    ``h(y) = softplus(y) (1 + exp(-y))``, which tends to 1 for ``y << 0`` and to
    ``y`` for ``y >> 0``; so ``sigma * h`` is ``j`` above :data:`SOFTPLUS_LINEAR_Y`.
    Since ``rho / (sigma h(y))`` is the logistic function of ``y``, this is the
    LIF slope of ``rho`` (the bounded factors of ``_slope_factors_xp``) times
    ``sigmoid(y)``; where ``rho`` underflows it is evaluated from
    ``D = sigma (tau_ref / tau_rc + log1p(1 / rho))`` (see ``_softlif_xp``).
    The result is finite for every ``J`` and ``sigma > 0``, also where the rate
    itself overflows, except at ``J = 1`` for a ``sigma`` so small that the
    slope there (about ``tau_rc r^2 / (2 ln 2 amplitude sigma)``) is beyond the
    float range: +inf. ``J = +inf`` gives its limit (0, or ``amplitude /
    tau_rc`` for ``tau_ref = 0``) and ``J = -inf`` gives 0.
    """
    return _softlif_xp(J, sigma, tau_rc, tau_ref, amplitude, xp, rate=False)[0]


def softlif_rate_and_derivative_xp(J, sigma, tau_rc, tau_ref, amplitude=1.0, xp=np):
    """`softlif_rate_xp` and `softlif_rate_derivative_xp` of ``J``, together.

    The two share their costly terms (one exponential and two logarithms per
    neuron, ``_softlif_xp``): computed together they cost little more than the
    rate alone. Training, where every rate is followed by its gradient, uses
    this.
    """
    rate, deriv = _softlif_xp(J, sigma, tau_rc, tau_ref, amplitude, xp)
    return rate, deriv


def _working_array(J, sigma):
    """``J``, or ``J`` in float64 where its dtype cannot hold ``sigma`` as a
    normal number (the formulas would meet subnormal or zero ``sigma``)."""
    if (
        J.dtype != np.float64
        and _is_scalar(sigma)
        and float(sigma) < float(np.finfo(J.dtype).tiny)
    ):
        return J.astype(np.float64)
    return J


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
        Accurate for every ``sigma > 0`` down to the smallest subnormal float64
        (in float32 and float16, a ``sigma`` below the dtype's smallest normal
        number is evaluated in float64), and exactly 0 where the rate
        underflows.
    """
    J = _float_array(J)
    # tau_ref == 0 and J = inf (or a rate beyond the float range): +inf; the
    # branches that a where discards may divide by zero or overflow
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        rate = softlif_rate_xp(
            _working_array(J, sigma), sigma, tau_rc, tau_ref, amplitude
        )
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

    Raises
    ------
    ValueError
        Where the slope at a finite ``J`` is beyond the dtype's range: at
        ``J = 1`` it is about ``tau_rc r**2 / (2 ln 2 amplitude sigma)``, which
        exceeds the float64 maximum for ``sigma`` below about 1e-310 (float32:
        1e-41) with the default time constants.
    """
    J = _float_array(J)
    # the branches that a where discards may divide by zero or overflow
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        deriv = softlif_rate_derivative_xp(
            _working_array(J, sigma), sigma, tau_rc, tau_ref, amplitude
        )
        deriv = np.where(np.isnan(J), np.nan, deriv).astype(J.dtype, copy=False)
    overflow = np.isinf(deriv) & np.isfinite(J)
    if np.any(overflow):
        at = np.asarray(J)[overflow].flat[0]
        raise ValueError(
            f"the SoftLIF slope at J = {at!r} is beyond the {J.dtype} range with "
            f"sigma={sigma!r} (tau_rc={tau_rc!r}, tau_ref={tau_ref!r}, "
            f"amplitude={amplitude!r}): at threshold it grows like "
            "1 / (sigma log(1/sigma)**2); use a larger sigma"
        )
    return deriv


def softlif_current_for_rate(
    rate, sigma=DEFAULT_SIGMA, tau_rc=0.02, tau_ref=0.002, amplitude=1.0
):
    """Inverse of :func:`softlif_rate`: the current that gives ``rate``.

    Requires ``0 < rate < amplitude / tau_ref``; callers validate this.

    Raises
    ------
    ValueError
        Naming ``sigma``, where no float current gives ``rate`` to 1e-6: for a
        tiny ``sigma`` the curve rises steeply at ``J = 1`` (its slope there
        grows like ``1 / sigma``), and jumps over the rates between its values
        at neighbouring floats.
    """
    rate = _float_array(rate)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        # log_term = log1p(1/rho)  =>  rho = 1 / expm1(log_term)
        log_term = (amplitude / rate - tau_ref) / tau_rc
        rho = 1.0 / np.expm1(log_term)
        # softplus(y) = s  =>  y = log(expm1(s)); above SOFTPLUS_LINEAR_Y, j = rho
        # (rho / sigma may overflow there)
        s = rho / sigma
        j = np.where(
            s > SOFTPLUS_LINEAR_Y,
            rho,
            sigma * np.log(np.expm1(np.minimum(s, SOFTPLUS_LINEAR_Y))),
        )
        # for tiny rates rho underflows: invert the tail form log_term = log1p(rho)
        # - log(sigma) - y (+ exp(y)/2, negligible there), without forming
        # log_term (which may overflow): sigma log_term = (sigma / rate) a / tau_rc
        # - sigma tau_ref / tau_rc
        log_sigma = np.log(sigma)
        tail = log_term + log_sigma > -SOFTPLUS_TAIL_Y
        j_tail = -(
            (sigma / rate) * (amplitude / tau_rc)
            - sigma * (tau_ref / tau_rc)
            + sigma * log_sigma
        )
        J = 1.0 + np.where(tail, j_tail, j)
        back = softlif_rate(J, sigma, tau_rc, tau_ref, amplitude)
    missed = (rate > 0) & np.isfinite(rate) & ~(np.abs(back - rate) <= 1e-6 * rate)
    if np.any(missed):
        i = np.flatnonzero(missed)[0]
        raise ValueError(
            f"no current gives the rate {rate.flat[i]:.6g} with sigma={sigma!r} "
            f"(tau_rc={tau_rc!r}, tau_ref={tau_ref!r}, amplitude={amplitude!r}): "
            f"the nearest float current, J = {J.flat[i]!r}, gives "
            f"{back.flat[i]:.6g}; with so small a sigma the curve jumps over this "
            "rate between neighbouring float currents near J = 1: choose another "
            "rate or a larger sigma"
        )
    return J
