"""The LIF formulas: rate curve, its slope (also capped for training), its
inverse, the inter-spike interval and the exact membrane solution.

The conventions (normalized voltage, ``j = J - 1``, the ``_xp`` functions over
any array namespace) are those of :mod:`nengo_tuning.math`. The exact step that
advances neurons through time is in :mod:`nengo_tuning.kernels`.
"""

import math

import numpy as np

#: Floor on the current above threshold ``j`` wherever a formula divides by it.
#: It only guards the branch that a ``where`` throws away (``j <= 0``): a float
#: ``J > 1`` has ``j >= eps``, far above it, and ``1 / TINY_J`` is finite in float32.
TINY_J = 1e-30
#: Above this ``j`` (or ``rho``), ``j * log1p(1 / j)`` is evaluated by its series
#: ``1 - 1 / (2 j)`` (error below ``1 / (3 j^2)``, under float64's eps), so that
#: ``1 / j`` is never subnormal: TensorFlow flushes subnormals to zero.
SERIES_J = 1e8


def _float_array(x):
    """Return ``x`` as a floating-point array (integers become float64)."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


# --- LIF rate curve -----------------------------------------------------------


def lif_log_term_xp(j, xp=np):
    """``log1p(1 / j)`` for ``j > 0``; its value elsewhere is meaningless but finite.

    ``tau_rc * log1p(1 / j)`` is the time the membrane takes to climb from reset
    to threshold under a constant current ``J = 1 + j``.
    """
    return xp.log1p(1.0 / xp.maximum(j, TINY_J))


# log1p(1 / TINY_J), the largest log term that the slope factors meet
_LOG_TERM_AT_TINY_J = math.log1p(1.0 / TINY_J)


def _slope_factors_xp(rho, tau_rc, tau_ref, xp=np, log_term=None):
    """The two bounded factors of the rate curves' slope, for ``rho > 0``.

    With ``L = log1p(1 / rho)`` and ``u = rho * L`` (which tends to 1 for large
    ``rho``), the slope of ``a / (tau_ref + tau_rc L)`` with respect to ``rho``
    is ``(a / tau_rc) * q * t`` with ``q = 1 / (tau_ref / tau_rc * rho + u)`` and
    ``t = q * rho / (rho + 1) = 1 / ((tau_ref / tau_rc + L) (rho + 1))``. Both
    factors stay finite for every ``rho`` from ``TINY_J`` to ``+inf`` (``q``
    tends to 1 for ``tau_ref = 0``, to 0 otherwise), where the textbook form
    ``tau_rc G^2 / (a rho (rho + 1))`` overflows once the rate does.

    ``log_term``, if given, is ``log1p(1 / rho)`` wherever ``TINY_J <= rho <
    SERIES_J`` (its value elsewhere is unused), which saves a logarithm.
    """
    ratio = tau_ref / tau_rc
    rho_mid = xp.minimum(xp.maximum(rho, TINY_J), SERIES_J)
    if log_term is None:
        log_term_mid = xp.log1p(1.0 / rho_mid)
    else:
        # (below TINY_J, where log_term may be +inf, rho_mid is TINY_J)
        log_term_mid = xp.where(rho >= TINY_J, log_term, _LOG_TERM_AT_TINY_J)
    u_mid = rho_mid * log_term_mid
    # rho >= SERIES_J, so 0.5 / rho is tiny (and 0 for rho = +inf)
    u_large = 1.0 - 0.5 / xp.maximum(rho, SERIES_J)
    u = xp.where(rho >= SERIES_J, u_large, u_mid)
    # tau_ref = 0: the term is 0, also for rho = +inf (0 * inf would be NaN);
    # where it overflows to +inf, q = 0 is the slope's value to float precision
    refractory_term = ratio * xp.where(ratio > 0, rho, 0.0)
    q = 1.0 / (refractory_term + u)
    t = q / (1.0 + 1.0 / xp.maximum(rho, TINY_J))
    return q, t


def lif_rate_xp(J, tau_rc, tau_ref, amplitude=1.0, xp=np):
    """LIF rate curve ``G(J)`` for any array namespace (see module docstring).

    Returns ``amplitude / (tau_ref + tau_rc * log1p(1 / (J - 1)))`` where ``J > 1``
    and 0 elsewhere. With ``tau_ref == 0`` and ``J == +inf`` the result is +inf.
    """
    j = J - 1.0
    if _plain_rate_is_exact(tau_ref):
        # written inline so that numpy reuses its temporaries (see _spiking_subset)
        rate = amplitude / (tau_ref + tau_rc * lif_log_term_xp(j, xp=xp))
    else:
        log_term = lif_log_term_xp(j, xp=xp)
        rate = _rate_from_log_term_xp(j, log_term, tau_rc, tau_ref, amplitude, xp=xp)
    return xp.where(j > 0, rate, 0.0)


def _plain_rate_is_exact(tau_ref):
    """Whether ``amplitude / (tau_ref + tau_rc log1p(1/rho))`` is exact to rounding.

    It is wherever ``tau_ref`` is a positive scalar, which bounds the rate. With
    ``tau_ref = 0`` (or per-neuron values) the rate near the top of the float
    range is ``1 / tau_rc log1p(1/rho)`` with ``1/rho`` subnormal: TensorFlow
    flushes it to zero (a rate of +inf), and numpy, which keeps it, loses enough
    bits that a rate just below the float maximum rounds to +inf.
    """
    return isinstance(tau_ref, (int, float, np.number)) and tau_ref > 0


def _rate_from_log_term_xp(rho, log_term, tau_rc, tau_ref, amplitude, xp=np):
    """``amplitude / (tau_ref + tau_rc * log_term)``, ``log_term = log1p(1 / rho)``.

    Where the plain form is not exact (see ``_plain_rate_is_exact``), ``log_term``
    is replaced for ``rho >= SERIES_J`` by ``u / rho`` with ``u``'s series, and
    the rate is computed as ``(amplitude / tau_rc) rho / u`` where ``tau_ref = 0``:
    near the top of the float range ``1 / rho`` is subnormal, which TensorFlow
    flushes to zero, and the rate would be +inf although it is finite.
    """
    if _plain_rate_is_exact(tau_ref):
        return amplitude / (tau_ref + tau_rc * log_term)
    ratio = tau_ref / tau_rc
    has_ref = ratio > 0
    large = rho >= SERIES_J
    rate = amplitude / (tau_ref + tau_rc * xp.where(large, 1.0, log_term))
    rho_large = xp.maximum(rho, SERIES_J)
    u = 1.0 - 0.5 / rho_large
    # 1 / (ratio + u / rho): rho / u without a refractory period (+inf at
    # rho = +inf), else 1 / ratio at most (where 1 / rho may flush to zero)
    if isinstance(has_ref, bool):  # a scalar tau_ref, so 0 here
        periods = rho_large / u
    else:
        ratio_safe = xp.where(has_ref, ratio, 1.0)
        periods = xp.where(has_ref, 1.0 / (ratio_safe + u / rho_large), rho_large / u)
    return xp.where(large, (amplitude / tau_rc) * periods, rate)


def lif_rate(J, tau_rc=0.02, tau_ref=0.002, amplitude=1.0):
    r"""Steady-state firing rate of the LIF neuron for a constant current.

    .. math:: G(J) = \frac{a}{\tau_{ref} + \tau_{RC} \log(1 + 1/(J - 1))}
              \quad (J > 1), \qquad G(J) = 0 \quad (J \le 1)

    Parameters
    ----------
    J : array_like
        Input current (threshold 1).
    tau_rc, tau_ref : float
        Membrane time constant and refractory period, in seconds.
    amplitude : float
        Scale ``a`` of the output.

    Returns
    -------
    rate : ndarray
        Rates in Hz (times ``amplitude``), same shape and float dtype as ``J``.
        ``J = +inf`` gives ``amplitude / tau_ref`` (+inf when ``tau_ref = 0``,
        as for any rate beyond the float range); ``J = -inf`` gives 0; NaN
        gives NaN.
    """
    J = _float_array(J)
    # tau_ref == 0 and J = inf (or beyond the float range): the rate is +inf
    with np.errstate(divide="ignore", over="ignore"):
        rate = lif_rate_xp(J, tau_rc, tau_ref, amplitude)
        # (a float64 parameter can make the result float64, and the cast inf)
        return np.where(np.isnan(J), np.nan, rate).astype(J.dtype, copy=False)


def lif_rate_derivative(J, tau_rc=0.02, tau_ref=0.002, amplitude=1.0):
    r"""Derivative of :func:`lif_rate` with respect to ``J``.

    .. math:: \frac{dG}{dJ} = \frac{\tau_{RC} G^2}{a\, j (j + 1)}, \quad j = J - 1 > 0

    and 0 for ``j <= 0``. It grows without bound as ``J -> 1+`` (roughly
    ``1 / (tau_rc j log(1/j)^2)``): this is the singularity that stops gradient
    descent through LIF neurons, and the reason SoftLIF exists.

    Parameters
    ----------
    J : array_like
        Input current (threshold 1).
    tau_rc, tau_ref : float
        Membrane time constant and refractory period, in seconds.
    amplitude : float
        Scale ``a`` of the output.

    Returns
    -------
    deriv : ndarray
        Same shape and float dtype as ``J``; finite for every finite ``J`` (also
        where the rate itself overflows, ``tau_ref = 0`` and ``J`` near the float
        maximum). ``J = +inf`` gives the limit, 0 (or ``amplitude / tau_rc``
        when ``tau_ref = 0``, where the curve becomes linear); NaN gives NaN.
    """
    J = _float_array(J)
    with np.errstate(over="ignore"):  # see the module docstring
        deriv = lif_rate_derivative_xp(J, tau_rc, tau_ref, amplitude)
        return np.where(np.isnan(J), np.nan, deriv).astype(J.dtype, copy=False)


def lif_current_for_rate(rate, tau_rc=0.02, tau_ref=0.002, amplitude=1.0):
    """Inverse of :func:`lif_rate`: the current that gives ``rate`` (``rate > 0``).

    ``J = 1 + 1 / expm1((amplitude / rate - tau_ref) / tau_rc)``. Requires
    ``0 < rate < amplitude / tau_ref``; callers validate this.
    """
    rate = _float_array(rate)
    with np.errstate(over="ignore"):  # tiny rates: expm1 -> inf, J -> 1
        return 1.0 + 1.0 / np.expm1((amplitude / rate - tau_ref) / tau_rc)


# --- the LIF slope, capped for training ------------------------------------------
#: Default floor on ``j = J - 1`` in :func:`lif_rate_derivative_xp` (see there).
LIF_GRAD_MIN_J = 1e-3


def lif_rate_derivative_xp(J, tau_rc, tau_ref, amplitude=1.0, min_j=0.0, xp=np):
    """Derivative of the LIF rate for any array namespace, optionally capped.

    ``tau_rc G^2 / (amplitude j (j + 1))`` for ``j = J - 1 > 0`` and 0 elsewhere,
    evaluated at ``max(j, min_j)``. With ``min_j > 0`` the slope is bounded: for
    ``0 < j < min_j`` it is the slope at ``j = min_j`` instead of the true one,
    which grows without bound as ``J -> 1+``. Gradient descent then sees a
    large but finite slope at threshold (``min_j = 1e-3``, the default of the
    NengoDL builders, caps it at about 25 times the slope at ``J = 2``).

    It is evaluated as ``(amplitude / tau_rc) q t`` (``_slope_factors_xp``), finite
    for every ``J``, also where the rate overflows; ``J = +inf`` gives the limit
    (0, or ``amplitude / tau_rc`` for ``tau_ref = 0``).
    """
    return _lif_slope_xp(J - 1.0, tau_rc, tau_ref, amplitude, min_j, xp)


def _lif_slope_xp(j, tau_rc, tau_ref, amplitude, min_j, xp, log_term=None):
    """`lif_rate_derivative_xp` of ``j = J - 1``; ``log_term``, if given, is
    ``lif_log_term_xp(j)``, which saves a logarithm."""
    j_eval = xp.maximum(j, min_j) if min_j > 0 else j
    if log_term is not None and min_j > 0:
        # log1p(1 / j_eval): the floor's value where j is below it
        log_term = xp.where(j >= min_j, log_term, math.log1p(1.0 / min_j))
    q, t = _slope_factors_xp(j_eval, tau_rc, tau_ref, xp=xp, log_term=log_term)
    return xp.where(j > 0, (amplitude / tau_rc) * q * t, 0.0)


def lif_rate_and_derivative_xp(J, tau_rc, tau_ref, amplitude=1.0, min_j=0.0, xp=np):
    """`lif_rate_xp` and `lif_rate_derivative_xp` of ``J``, together.

    They share their logarithm, ``log1p(1 / j)``: one per neuron for both.
    Training, where every rate is followed by its gradient, uses this.
    """
    j = J - 1.0
    log_term = lif_log_term_xp(j, xp=xp)
    rate = _rate_from_log_term_xp(j, log_term, tau_rc, tau_ref, amplitude, xp=xp)
    rate = xp.where(j > 0, rate, 0.0)
    return rate, _lif_slope_xp(j, tau_rc, tau_ref, amplitude, min_j, xp, log_term)


# --- the exact membrane solution ------------------------------------------------


def relax_voltage_xp(v0, J, t, tau_rc, xp=np):
    """Exact membrane voltage after time ``t`` of constant input ``J`` from ``v0``.

    ``V(t) = v0 + (v0 - J) expm1(-t / tau_rc)`` (nengo.LIF's form, the fewest
    operations). Where ``v0 - J`` overflows (both near the float maximum) the
    convex combination ``v0 exp(-t/tau) + J (1 - exp(-t/tau))`` is used, which
    cannot overflow.
    """
    decay_m1 = xp.expm1(t * (-1.0 / tau_rc))
    v = v0 + (v0 - J) * decay_m1
    return xp.where(xp.isfinite(v), v, v0 + v0 * decay_m1 - J * decay_m1)


def time_to_threshold_xp(v0, J, tau_rc, xp=np):
    """Time for the membrane to climb from ``v0`` to 1 under constant ``J``.

    ``tau_rc log1p((1 - v0) / (J - 1))`` for ``J > 1``; 0 for ``v0 >= 1``; +inf
    where the threshold is out of reach (``J <= 1`` and ``v0 < 1``). Deciding
    "out of reach" from ``J`` itself, and not from a rounded end voltage, is what
    makes a step's threshold decision and its spike count agree.
    """
    gap = xp.maximum(1.0 - v0, 0.0)
    j = J - 1.0
    climb = tau_rc * xp.log1p(gap / xp.maximum(j, TINY_J))
    # (climb is 0 for gap == 0 whatever j is)
    return xp.where((j > 0) | (gap == 0.0), climb, float("inf"))


def lif_isi_xp(J, tau_rc, tau_ref, xp=np):
    """Inter-spike interval ``tau_ref + tau_rc log1p(1/(J-1)) = 1/G(J)`` (J > 1)."""
    return tau_ref + tau_rc * lif_log_term_xp(J - 1.0, xp=xp)


# --- gain and bias --------------------------------------------------------------


def gain_bias_from_threshold_current(J_max, intercepts):
    """Gain and bias putting ``J = 1`` at ``x = intercept``, ``J_max`` at ``x = 1``."""
    gain = (J_max - 1.0) / (1.0 - intercepts)
    bias = 1.0 - gain * intercepts
    return gain, bias
