"""The LIF and SoftLIF mathematics, in one place.

Every formula the package uses for leaky integrate-and-fire neurons lives here:
the rate curves and their derivatives with respect to the input current, their
inverses (current for a given rate), the exact membrane solution, and the exact
multi-spike step kernel. The numpy neuron types, the NengoDL (TensorFlow)
builders and the analysis tools all call these functions, so the three cannot
drift apart. The numerics behind them (stable forms, named constants, what
happens at the edges of the float range) are described in the documentation
page "Numerics and conventions" (``docs/neuron-math.rst``).

Conventions
-----------
The membrane voltage is normalized: threshold 1, reset 0, and the input current
``J`` is in the same units, so the LIF fires only when ``J > 1``. We write
``j = J - 1`` for the current above threshold.

Functions whose name ends in ``_xp`` are written once for any array namespace
``xp`` offering ``log``, ``log1p``, ``exp``, ``expm1``, ``abs``, ``floor``,
``maximum``, ``minimum`` and ``where`` with numpy semantics (numpy itself, or the
small TensorFlow adapter :data:`nengo_tuning.tf_math.tf_xp`). They never
evaluate a formula outside its domain, not even in the branch of a ``where``
that is thrown away, so they make no NaN (and no NaN gradients in TensorFlow).
The only floating-point events they may raise are intended ones: a rate that
exceeds the float range becomes +inf, and in the slopes a term that overflows to
+inf where the slope is below the smallest float, which then comes out as 0. The
numpy entry points without the suffix call them, silence exactly those events,
and add dtype handling and NaN propagation.
"""

import math
import weakref

import numpy as np

#: Default SoftLIF smoothing ``sigma``, in units of input current, shared by the
#: neuron types and the functions here (see `.SoftLIFRate` for why this value).
DEFAULT_SIGMA = 0.02

#: Floor on the current above threshold ``j`` wherever a formula divides by it.
#: It only guards the branch that a ``where`` throws away (``j <= 0``): a float
#: ``J > 1`` has ``j >= eps``, far above it, and ``1 / TINY_J`` is finite in float32.
TINY_J = 1e-30
#: Above this ``j`` (or ``rho``), ``j * log1p(1 / j)`` is evaluated by its series
#: ``1 - 1 / (2 j)`` (error below ``1 / (3 j^2)``, under float64's eps), so that
#: ``1 / j`` is never subnormal: TensorFlow flushes subnormals to zero.
SERIES_J = 1e8
#: Above this value of ``y = j / sigma``, ``softplus(y) == y`` in float64.
SOFTPLUS_LINEAR_Y = 40.0
#: Below this value of ``y``, SoftLIF uses the asymptotic form of ``log1p(1/rho)``.
SOFTPLUS_TAIL_Y = -20.0
#: ``j / sigma`` is clamped to this magnitude so that it never overflows (float32).
SOFTPLUS_MAX_ABS_Y = 1e30


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

    A smooth, strictly positive approximation of :func:`lif_rate` that converges
    to it as ``sigma -> 0``.

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

    Finite also where the rate overflows (``tau_ref = 0`` and ``J`` near the
    float maximum). ``J = +inf`` gives 0 (or ``amplitude / tau_rc`` when
    ``tau_ref = 0``, where the curve becomes linear); ``J = -inf`` gives 0; NaN
    gives NaN.
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


# --- gain and bias --------------------------------------------------------------


def gain_bias_from_threshold_current(J_max, intercepts):
    """Gain and bias putting ``J = 1`` at ``x = intercept``, ``J_max`` at ``x = 1``."""
    gain = (J_max - 1.0) / (1.0 - intercepts)
    bias = 1.0 - gain * intercepts
    return gain, bias


# --- exact spiking dynamics -----------------------------------------------------

#: Beyond this many spikes of one neuron in one step the kernels end the step at
#: the last spike (at reset). The time from the last spike to the end of the step
#: is then a remainder below ``dt * 2**-24``, smaller than float32 can resolve
#: next to ``dt`` (its value would be rounding noise); one rule for every
#: precision keeps the numpy and TensorFlow kernels in the same state.
EXACT_STEP_MAX_RESOLVED_SPIKES = 2.0**24

#: Inputs beyond this magnitude take the general kernel (see exact_lif_step_numpy).
_LARGE_J = 1e154

#: Relative margin under which the numpy kernel takes its one-spike-per-step path:
#: far above the rounding of an ISI in float32 (~1e-7), so that ``(dt - t) / isi``
#: is certainly below 1 there and the path gives what the general one would.
_ONE_SPIKE_MARGIN = 1e-5


def at_most_one_spike_per_step(dt, tau_ref):
    """Whether no neuron can spike twice in a step of ``dt`` (``tau_ref`` scalar).

    Every inter-spike interval is longer than ``tau_ref``; with ``tau_ref``
    above ``dt`` by a margin far beyond rounding (a relative 1e-5), a
    second spike cannot fall in the step, not even by a rounded interval. Pass
    the smallest ``tau_ref`` of the neurons concerned, or any other lower bound
    on their inter-spike intervals.
    """
    return tau_ref > dt * (1.0 + _ONE_SPIKE_MARGIN)


def _clip_ufunc():
    """numpy's ``clip`` ufunc: ``np.clip`` adds ~10 us of checks per call (1.24)."""
    for name in ("_core", "core"):  # numpy >= 2, then numpy 1.x
        umath = getattr(getattr(np, name, None), "umath", None)
        if isinstance(getattr(umath, "clip", None), np.ufunc):
            return umath.clip
    return np.clip  # pragma: no cover


_clip = _clip_ufunc()


_compiled_lookup = []
_compiled_enabled = [True]


def _compiled_step():
    """The optional compiled kernel's entry point; None without numba."""
    if not _compiled_enabled[0]:
        return None
    if not _compiled_lookup:  # importing numba takes a second: only when stepping
        from nengo_tuning import compiled_kernel

        _compiled_lookup.append(
            compiled_kernel.exact_lif_step_compiled
            if compiled_kernel.AVAILABLE
            else None
        )
    return _compiled_lookup[0]


def use_compiled_kernel(enabled):
    """Let :func:`exact_lif_step` use the compiled kernel (default), or not.

    With ``enabled=False`` every step runs the numpy kernel, as on a machine
    without numba (to compare the two, or to rule the compiled kernel out).
    The setting is process-wide; returns the previous one.
    """
    previous = _compiled_enabled[0]
    _compiled_enabled[0] = bool(enabled)
    return previous


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


def exact_lif_step(
    dt,
    J,
    output,
    voltage,
    refractory_time,
    tau_rc,
    tau_ref,
    min_voltage=0.0,
    amplitude=1.0,
):
    """Advance LIF neurons by one step of constant current, exactly (numpy, in place).

    Within the step the membrane follows its exact solution, refractory periods
    end at their exact sub-step time, and every spike that falls inside the step
    is counted; ``output`` is set to ``k * amplitude / dt`` for ``k`` spikes.
    The arrays are 1-d (as nengo passes them).

    ``refractory_time`` follows nengo.LIF's convention: on entry, the remaining
    refractory time at the start of the step is ``refractory_time - dt``; on exit
    it holds that quantity for the next step plus ``dt`` (``s_last + tau_ref`` for
    a neuron that spiked at ``s_last``, counting from the step's start, and the
    entry value minus ``dt`` for one that did not).

    Non-finite currents (the state always stays finite):

    * ``+inf``: the neuron spikes as soon as it is free and then every
      ``tau_ref``; with ``tau_ref = 0`` the count is infinite and so is the output.
    * ``-inf``: no spike, output 0, the voltage goes to ``min_voltage`` (and is
      held where it was when ``min_voltage = -inf``).
    * NaN: output NaN, the voltage is held; the refractory clock keeps running.

    This is the in-place form of :func:`exact_lif_step_xp`, element for element
    the same floating-point operations (tests hold the two equal). Only the
    neurons whose membrane passed threshold need logarithms: every neuron is
    integrated over its free time first (nengo.LIF's passes), then the crossing
    time, spike count and end state are computed for those. Work arrays are kept
    per state array, so a simulator's step allocates nothing of full size.
    Anything uncommon (non-finite input, a neuron started above threshold, a
    crossing decided by rounding, more than one spike with an unresolvable
    remainder) runs :func:`exact_lif_step_xp` itself on the neurons concerned.

    With numba installed, 1-d float64 arrays with finite input are stepped by
    compiled loops instead (:mod:`nengo_tuning.compiled_kernel`), which have
    almost no fixed cost per call and make one pass over memory per stage;
    :func:`exact_lif_step_numpy` is the numpy kernel alone.
    """
    compiled = _compiled_step()
    if (
        compiled is not None
        and J.ndim == voltage.ndim == output.ndim == refractory_time.ndim == 1
        and J.dtype == voltage.dtype == output.dtype == refractory_time.dtype
        and J.dtype == np.float64
    ):
        limits = EXACT_STEP_MAX_RESOLVED_SPIKES, TINY_J
        params = tau_rc, tau_ref, min_voltage, amplitude, *limits
        if compiled(dt, J, output, voltage, refractory_time, *params):
            return
    exact_lif_step_numpy(
        dt, J, output, voltage, refractory_time, tau_rc, tau_ref, min_voltage,
        amplitude,
    )  # fmt: skip


def exact_lif_step_numpy(
    dt,
    J,
    output,
    voltage,
    refractory_time,
    tau_rc,
    tau_ref,
    min_voltage=0.0,
    amplitude=1.0,
):
    """The numpy kernel of :func:`exact_lif_step` (same arguments).

    :func:`exact_lif_step` runs it unless the optional compiled kernel
    (:mod:`nengo_tuning.compiled_kernel`, with numba) takes the step.
    """
    # Two reductions tell whether any input is non-finite or beyond
    # LARGE_J (where ``voltage - J`` could round past the float maximum); NaN
    # fails both comparisons. (The voltage is finite, as the state always is.)
    # Unlike a sum or a dot product, min and max never warn on huge input.
    if not (
        # (as Python floats: numpy 2 would cast 1e154 to float32, overflowing)
        -_LARGE_J < float(np.minimum.reduce(J, axis=None, initial=0.0))
        and float(np.maximum.reduce(J, axis=None, initial=0.0)) < _LARGE_J
    ):
        # non-finite (or enormous) input: the general kernel on every neuron
        refractory_time -= dt
        _write_xp_step(
            slice(None), dt, J, output, voltage, refractory_time, voltage,
            refractory_time, tau_rc, tau_ref, min_voltage, amplitude,
        )  # fmt: skip
        return

    decay_m1, v_end = _work_arrays(voltage)
    refractory_time -= dt
    # expm1(-free / tau_rc), free = non-refractory time in this step, in [0, dt]
    np.subtract(dt, refractory_time, out=decay_m1)
    _clip(decay_m1, 0.0, dt, out=decay_m1)
    np.multiply(decay_m1, -1.0 / tau_rc, out=decay_m1)
    np.expm1(decay_m1, out=decay_m1)
    np.subtract(voltage, J, out=v_end)
    np.multiply(v_end, decay_m1, out=v_end)
    # With |J| < _LARGE_J (checked above) and a finite voltage, v_end is finite:
    # voltage - J cannot round beyond the float maximum.
    np.add(voltage, v_end, out=v_end)

    # The membrane is monotone within a step: it reached threshold only if it
    # ends above it, or started above it (possible only via initial_state).
    started_above = np.maximum.reduce(voltage) > 1.0
    candidates = np.greater(v_end, 1.0)
    if started_above:
        candidates |= voltage > 1.0
    spiked = candidates.nonzero()[0]
    output.fill(0.0)
    if 0 < spiked.size <= _SUBSET_CHUNK:
        _spiking_chunk(
            dt, spiked, J, output, voltage, refractory_time, v_end, tau_rc,
            tau_ref, min_voltage, amplitude, started_above,
        )  # fmt: skip
    elif spiked.size:
        _spiking_subset(
            dt, spiked, J, output, voltage, refractory_time, v_end, tau_rc,
            tau_ref, min_voltage, amplitude, started_above,
        )  # fmt: skip
    if min_voltage > -np.inf:
        np.maximum(v_end, min_voltage, out=voltage)
    else:
        np.copyto(voltage, v_end)


_work_arrays_cache = {}
#: Below this size a fresh array is as cheap as a cached one (malloc reuses it).
_WORK_ARRAYS_MIN_SIZE = 4096


def _work_arrays(state):
    """Two work arrays like ``state``, kept while ``state`` lives.

    A simulator passes the same state array every step, so its steps reuse the
    arrays (with 1e5 neurons a fresh array costs fresh pages every step). The
    cache lives here, not on the neuron type, so the types stay plain values
    (picklable, comparable, mergeable by nengo's op merger).
    """
    if state.size < _WORK_ARRAYS_MIN_SIZE:
        return np.empty_like(state), np.empty_like(state)
    key = id(state)
    entry = _work_arrays_cache.get(key)
    if (
        entry is not None
        and entry[0]() is state
        and entry[1].shape == state.shape
        and entry[1].dtype == state.dtype
    ):
        return entry[1], entry[2]

    def forget(ref, key=key):
        if _work_arrays_cache.get(key, (None,))[0] is ref:
            del _work_arrays_cache[key]

    arrays = np.empty_like(state), np.empty_like(state)
    try:
        ref = weakref.ref(state, forget)
    except TypeError:  # pragma: no cover (ndarrays accept weak references)
        return arrays
    _work_arrays_cache[key] = (ref, *arrays)
    return arrays


def _write_xp_step(
    index, dt, J, output, voltage, refractory_time, voltage_out, refractory_out,
    tau_rc, tau_ref, min_voltage, amplitude,
):  # fmt: skip
    """Run :func:`exact_lif_step_xp` on ``[index]`` of the (decremented) state.

    Writes the results to ``output[index]``, ``voltage_out[index]`` and
    ``refractory_out[index]``. ``refractory_time`` has already had ``dt``
    subtracted, as in the kernel's first line.
    """
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        out, v, r = _exact_lif_step_decremented_xp(
            dt, J[index], voltage[index], refractory_time[index], tau_rc,
            tau_ref, min_voltage, amplitude, np,
        )  # fmt: skip
    output[index] = out
    voltage_out[index] = v
    refractory_out[index] = r


def _spiking_subset(
    dt, spiked, J, output, voltage, refractory_time, v_end, tau_rc, tau_ref,
    min_voltage, amplitude, started_above,
):  # fmt: skip
    """Spike counts and end state for the neurons that passed threshold.

    ``refractory_time`` is already decremented by ``dt``. Writes ``output``,
    ``v_end`` and ``refractory_time`` at ``spiked``, in chunks, so that the
    temporaries stay small (and in cache) however many neurons spike.
    """
    for start in range(0, spiked.size, _SUBSET_CHUNK):
        _spiking_chunk(
            dt, spiked[start : start + _SUBSET_CHUNK], J, output, voltage,
            refractory_time, v_end, tau_rc, tau_ref, min_voltage, amplitude,
            started_above,
        )  # fmt: skip


#: Neurons per chunk of the spiking subset (5 temporaries of 0.5 MiB).
_SUBSET_CHUNK = 2**16


def _spiking_chunk(
    dt, spiked, J, output, voltage, refractory_time, v_end, tau_rc, tau_ref,
    min_voltage, amplitude, started_above,
):  # fmt: skip
    """:func:`_spiking_subset` for one chunk of indices.

    The common case (every neuron started below threshold with ``J > 1`` and
    crosses within the step) is done here with the formulas of
    :func:`exact_lif_step_xp` in the same order; anything else is handed to
    that function.
    """
    J_s = J[spiked]
    if started_above or np.minimum.reduce(J_s) <= 1.0:
        _write_xp_step(
            spiked, dt, J, output, voltage, refractory_time, v_end,
            refractory_time, tau_rc, tau_ref, min_voltage, amplitude,
        )  # fmt: skip
        return
    # first spike: the refractory time still to run, then the climb to
    # threshold, tau_rc log1p((1 - v0) / (J - 1))  (v0 <= 1 here)
    first = refractory_time[spiked]
    np.maximum(first, 0.0, out=first)
    climb = voltage[spiked]
    np.subtract(1.0, climb, out=climb)
    j = np.subtract(J_s, 1.0)
    climb /= j
    np.log1p(climb, out=climb)
    climb *= tau_rc
    first += climb
    if np.maximum.reduce(first) > dt:
        # rounding put an end voltage above 1 but the crossing is later
        _write_xp_step(
            spiked, dt, J, output, voltage, refractory_time, v_end,
            refractory_time, tau_rc, tau_ref, min_voltage, amplitude,
        )  # fmt: skip
        return
    after = np.subtract(dt, first, out=first)  # time after the first spike, >= 0

    # the shortest ISI, in float64 arithmetic (differs from the arrays' by
    # rounding only, far inside the margins); tau_ref bounds it from below
    if at_most_one_spike_per_step(dt, tau_ref):
        min_isi = tau_ref
    else:
        j_max = float(np.maximum.reduce(J_s)) - 1.0
        min_isi = tau_ref + tau_rc * math.log1p(1.0 / j_max)
    if at_most_one_spike_per_step(dt, min_isi):
        # every ISI is longer than the step: one spike each
        output[spiked] = amplitude / dt
    else:
        # inter-spike interval tau_ref + tau_rc log1p(1 / (J - 1))
        isi = np.divide(1.0, j, out=j)
        np.log1p(isi, out=isi)
        isi *= tau_rc
        isi += tau_ref
        more = np.divide(after, isi, out=climb)  # whole ISIs after the first spike
        # (the scalar bound spares the reduction in every practical case)
        max_more = dt / min_isi if min_isi > 0 else np.inf
        if (
            max_more * (1.0 + _ONE_SPIKE_MARGIN) >= EXACT_STEP_MAX_RESOLVED_SPIKES
            and np.maximum.reduce(more) >= EXACT_STEP_MAX_RESOLVED_SPIKES
        ):
            _write_xp_step(
                spiked, dt, J, output, voltage, refractory_time, v_end,
                refractory_time, tau_rc, tau_ref, min_voltage, amplitude,
            )  # fmt: skip
            return
        np.floor(more, out=more)
        # time from the last spike to the end of the step, kept in [0, isi] so
        # that rounding cannot leave the membrane above threshold
        leftover = np.multiply(more, isi)
        np.subtract(after, leftover, out=leftover)
        _clip(leftover, 0.0, isi, out=after)
        more += 1.0
        more *= amplitude / dt
        output[spiked] = more
    # time left after the last spike's refractory period; positive: free again
    after -= tau_ref
    refractory_time[spiked] = np.subtract(dt, after, out=j)
    if tau_ref >= dt:  # never free again within the step
        v_end[spiked] = 0.0
    else:
        # relaxation from reset: V = (0 - J) expm1(-t / tau_rc), 0 where t <= 0
        np.maximum(after, 0.0, out=after)
        after *= -1.0 / tau_rc
        np.expm1(after, out=after)
        after *= np.negative(J_s, out=J_s)
        v_end[spiked] = after


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


def exact_lif_step_xp(
    dt,
    J,
    voltage,
    refractory_time,
    tau_rc,
    tau_ref,
    min_voltage=0.0,
    amplitude=1.0,
    xp=np,
    at_most_one_spike=False,
):
    """:func:`exact_lif_step` on whole arrays, for any array namespace.

    Same algorithm, conventions and non-finite-input behaviour as
    :func:`exact_lif_step`, but it returns new arrays
    ``(output, voltage, refractory_time)`` instead of writing in place, and it
    computes the spiking branch for every neuron, masked with ``where``, because
    namespaces such as TensorFlow have no cheap in-place fancy indexing. Neurons
    outside the spiking branch get safe stand-in values there (a current above
    threshold, a voltage of 0), so no formula leaves its domain for them.

    Besides the ``xp`` functions listed in the module docstring, this needs
    ``xp.isnan`` and ``xp.isfinite``, and boolean arrays supporting ``&``, ``|``
    and ``~``.

    A neuron spikes in the step if and only if its first threshold crossing,
    computed from its start state and ``J`` (:func:`time_to_threshold_xp`), falls
    within the step; the end voltage only preselects the neurons to look at. A
    neuron preselected by a rounded end voltage above 1 that does not cross ends
    at 1 at most. More than :data:`EXACT_STEP_MAX_RESOLVED_SPIKES` spikes in a
    step end the step at reset.

    ``at_most_one_spike=True`` is the caller's statement that
    :func:`at_most_one_spike_per_step` holds for ``dt`` and every neuron's
    ``tau_ref`` (checked by the caller, where ``dt`` is known). The inter-spike
    interval, its logarithm and the spike-count arithmetic are then skipped;
    the results are the same, since every count is 1 there.
    """
    return _exact_lif_step_decremented_xp(
        dt, J, voltage, refractory_time - dt, tau_rc, tau_ref, min_voltage,
        amplitude, xp, at_most_one_spike,
    )  # fmt: skip


def _exact_lif_step_decremented_xp(
    dt, J, voltage, refractory, tau_rc, tau_ref, min_voltage, amplitude, xp,
    at_most_one_spike=False,
):  # fmt: skip
    """:func:`exact_lif_step_xp` given ``refractory = refractory_time - dt``."""
    # free (non-refractory) time available in this step, in [0, dt]
    free_time = xp.minimum(xp.maximum(dt - refractory, 0.0), dt)
    v_end = relax_voltage_xp(voltage, J, free_time, tau_rc, xp=xp)
    v_nan = xp.isnan(v_end)

    # monotone membrane: only a neuron ending (or starting) above 1 can cross
    candidate = ((v_end > 1.0) | (voltage > 1.0)) & ~v_nan
    J_s = xp.where(candidate, J, 2.0)
    v0 = xp.where(candidate, voltage, 0.0)
    # first crossing: refractory time still to run, then the climb (+inf if the
    # threshold is out of reach); the neuron spikes iff it falls in the step
    start = xp.maximum(refractory, 0.0)
    first = start + time_to_threshold_xp(v0, J_s, tau_rc, xp=xp)
    in_step = candidate & (first <= dt)
    after_first = xp.maximum(dt - first, 0.0)
    if at_most_one_spike:
        # what the general branch gives where after_first / isi < 1 - 1e-5
        # (the count as an array of the state's dtype)
        count, leftover = 1.0 + 0.0 * after_first, after_first
    else:
        count, leftover = _spikes_after_first_xp(J_s, after_first, tau_rc, tau_ref, xp)

    # time left after the last spike's refractory period; positive: free again
    after = leftover - tau_ref
    free_again = after > 0
    v_free = relax_voltage_xp(0.0, J_s, xp.maximum(after, 0.0), tau_rc, xp=xp)
    v_new = xp.where(free_again, v_free, 0.0)

    # preselected by rounding but no crossing: the true end voltage is below 1
    v_kept = xp.where(candidate & (voltage <= 1.0), xp.minimum(v_end, 1.0), v_end)
    v_end = xp.where(in_step, v_new, v_kept)
    # nengo's stored refractory convention: the last spike's time plus tau_ref
    refractory = xp.where(in_step, dt - after, refractory)
    output = xp.where(in_step, count * (amplitude / dt), 0.0)

    # NaN input, an infinite input during a fully refractory step (inf * 0), or
    # -inf with min_voltage = -inf: hold the voltage, output NaN for NaN input
    v_clamped = xp.maximum(xp.where(v_nan, 0.0, v_end), min_voltage)
    bad = v_nan | ~xp.isfinite(v_clamped)
    output = xp.where(bad, xp.where(xp.isnan(J), J, 0.0), output)
    voltage = xp.where(bad, voltage, v_clamped)
    return output, voltage, refractory


def _spikes_after_first_xp(J_s, after_first, tau_rc, tau_ref, xp):
    """``(count, leftover)`` of neurons whose first spike leaves ``after_first``.

    ``leftover`` is the time from the last spike to the end of the step.
    """
    inf = float("inf")
    # no repeat spikes for J <= 1 (possible only when it started above threshold)
    repeats = J_s > 1.0
    isi = lif_isi_xp(xp.where(repeats, J_s, 2.0), tau_rc, tau_ref, xp=xp)
    ratio = xp.where(repeats, after_first / isi, 0.0)
    # ratio is +inf or NaN (0 / 0) only when isi == 0 (tau_ref == 0 and J huge):
    # an infinite count
    saturated = xp.isnan(ratio) | (ratio == inf)
    more = xp.floor(xp.where(saturated, 0.0, ratio))
    count = xp.where(saturated, inf, 1.0 + more)
    # time from the last spike to the end of the step, kept in [0, isi] so that
    # rounding cannot leave the membrane above threshold; 0 (reset) when the
    # count is infinite or too large for that remainder to mean anything
    leftover = xp.where(
        repeats, xp.minimum(xp.maximum(after_first - more * isi, 0.0), isi), after_first
    )
    unresolved = saturated | (ratio >= EXACT_STEP_MAX_RESOLVED_SPIKES)
    leftover = xp.where(unresolved, 0.0, leftover)
    return count, leftover
