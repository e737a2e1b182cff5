"""The exact adaptive-LIF step with numpy, in place.

`.ExactAdaptiveLIF` runs it where the compiled kernel does not apply
(:mod:`nengo_tuning.kernels.adaptive_lif`: no numba, other dtypes,
non-finite input, a tiny ``tau_ref``), and everywhere under
``kernels.use("numpy")``.

Most neurons, in most steps, neither spike nor touch the ``min_voltage``
floor; for them the step is the closed-form solution over their free time.
This entry point finds them with a few whole-array operations and runs the
event-by-event kernel (:func:`.exact_adaptive_lif_step_xp`) only on the
others, gathered into small arrays. Both give the same results: the quiet
neurons' arithmetic is the kernel's own (the same functions, in the same
order).
"""

import numpy as np

from nengo_tuning.kernels.adaptive_lif_xp import (
    MAX_RESOLVED_SPIKES,
    exact_adaptive_lif_step_xp,
)
from nengo_tuning.kernels.arrays import checked_dt, require_in_place_arrays
from nengo_tuning.math.adaptive_lif import (
    CROSSING_RTOL,
    adaptation_at_xp,
    slope_term_xp,
    voltage_at_xp,
)


class TooManySpikesError(RuntimeError):
    """A neuron would fire more than `.MAX_RESOLVED_SPIKES` spikes in one step."""


def _quiet(voltage, n_free, J, v_end, n_end, min_voltage):
    """Neurons certainly without a spike or a floor event in their free time.

    Returns ``(quiet, stuck)``: ``stuck`` (None without a floor) are the quiet
    neurons held at the floor throughout the step.

    With ``n >= 0`` the membrane has at most a minimum (module docstring of
    :mod:`nengo_tuning.math.adaptive_lif`), so it crosses 1 only if it ends
    above 1; and it stays above the floor if it rises from the start (slope
    ``>= 0``), or falls throughout and ends above the floor.
    """
    quiet = (voltage < 1.0) & (v_end < 1.0) & (n_free >= 0.0)
    stuck = None
    if min_voltage > -np.inf:
        rising = slope_term_xp(voltage, n_free, J) >= 0.0
        falling = slope_term_xp(v_end, n_end, J) <= 0.0
        # at the floor with a drive below it until the end: stuck all along
        stuck = quiet & (voltage <= min_voltage) & (J - n_end <= min_voltage)
        quiet &= rising | (falling & (v_end >= min_voltage)) | stuck
    return quiet, stuck


def exact_adaptive_lif_step_numpy(
    dt,
    J,
    output,
    voltage,
    refractory_time,
    adaptation,
    tau_rc,
    tau_ref,
    tau_n,
    inc_n,
    min_voltage=0.0,
    amplitude=1.0,
):
    """Advance adaptive LIF neurons by one exact step, writing the arrays in place.

    Same conventions and results as :func:`.exact_adaptive_lif_step_xp`.

    Raises
    ------
    ValueError
        If the arrays are not 1-d of one length and one floating dtype, with
        the written ones writeable (nothing is written then).
    TooManySpikesError
        If a neuron would fire more than :data:`.MAX_RESOLVED_SPIKES` spikes in
        the step; nothing is written then.
    """
    dt = checked_dt(dt)
    # as Python floats, as the compiled kernel takes them: numpy 2 would compute
    # in the parameter's type (a longdouble, say), not the arrays' dtype
    tau_rc, tau_ref, tau_n, inc_n, min_voltage, amplitude = map(
        float, (tau_rc, tau_ref, tau_n, inc_n, min_voltage, amplitude)
    )
    require_in_place_arrays(
        ("J", "output", "voltage", "refractory_time", "adaptation"),
        J, output, voltage, refractory_time, adaptation,
    )  # fmt: skip
    eps = float(np.finfo(J.dtype).eps)
    rtol = max(CROSSING_RTOL, 4 * eps)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if np.isfinite(J).all():
            refractory = refractory_time - dt
            busy = np.clip(refractory, 0.0, dt)
            n_free = adaptation_at_xp(adaptation, busy, tau_n)
            v = np.maximum(voltage, min_voltage) if min_voltage > -np.inf else voltage
            free = dt - busy
            v_end = voltage_at_xp(v, n_free, J, free, tau_rc, tau_n)
            n_end = adaptation_at_xp(n_free, free, tau_n)
            quiet, stuck = _quiet(v, n_free, J, v_end, n_end, min_voltage)
            if stuck is not None:
                v_end[stuck] = min_voltage
            others = np.flatnonzero(~quiet)
        else:
            others = np.arange(J.size)
            quiet = None
        if others.size:
            out, v_o, r_o, n_o, unresolved = exact_adaptive_lif_step_xp(
                dt, J[others], voltage[others], refractory_time[others],
                adaptation[others], tau_rc, tau_ref, tau_n, inc_n, min_voltage,
                amplitude, np, rtol,
            )  # fmt: skip
            if np.any(unresolved):
                _raise_unresolved(others[np.flatnonzero(unresolved)[0]], J, dt, tau_ref)
    if quiet is not None:
        output.fill(0.0)
        voltage[...] = v_end
        refractory_time[...] = refractory
        adaptation[...] = n_end
    if others.size:
        output[others] = out
        voltage[others] = v_o
        refractory_time[others] = r_o
        adaptation[others] = n_o


def _raise_unresolved(index, J, dt, tau_ref):
    raise TooManySpikesError(
        f"ExactAdaptiveLIF: neuron {index} would fire more than "
        f"{MAX_RESOLVED_SPIKES} spikes in one step (J = {J[index]:g}, dt = {dt:g}, "
        f"tau_ref = {tau_ref:g}); use a smaller dt or a larger tau_ref"
    )
