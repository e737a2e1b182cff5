"""The exact adaptive-LIF step, written once for any array namespace ``xp``.

One step of length ``dt`` under a constant current ``J`` follows the
continuous model of :mod:`nengo_tuning.math.adaptive_lif` event by event: the
refractory time left from the previous step runs out (``n`` decaying), then
the neuron integrates in closed form to its next threshold crossing (floor
included), spikes, jumps ``n``, is held at reset for ``tau_ref``, and so on
until the step is used up. Every spike in the step is emitted, and a
refractory period ends at its exact sub-step time.

The step works on whole arrays with ``where`` masks (no in-place fancy
indexing), so a TensorFlow adapter can run it; its loops are bounded:

* one iteration per spike, at most :data:`MAX_RESOLVED_SPIKES` per neuron and
  step (the ``unresolved`` mask flags a neuron that would fire more: the numpy
  entry point raises a clear error, the NengoDL builder fails the run; only a
  tiny ``tau_ref`` or ``tau_ref = 0`` with a very large current get there);
* the crossing refinement, at most
  :data:`~nengo_tuning.math.adaptive_lif.MAX_CROSSING_ITERATIONS`.

Both stop early once every neuron is done. They run through the loop driver of
:mod:`nengo_tuning.math.adaptive_lif` (`~nengo_tuning.math.adaptive_lif.while_any_xp`):
Python loops for numpy, ``tf.while_loop`` in the NengoDL builder, with the
same bodies.

Conventions are nengo's (`nengo.AdaptiveLIF`, `.ExactLIF`):

* ``refractory_time`` is stored decremented: on entry the refractory time
  still to run is ``refractory_time - dt``; a neuron whose last spike in the
  step is at ``s`` stores ``s + tau_ref``.
* the output is ``k * amplitude / dt`` for ``k`` spikes.
* a voltage below ``min_voltage`` (possible only through an initial state) is
  raised to the floor when the step starts.

Non-finite input keeps the state finite:

* ``J = +inf``: the neuron spikes whenever it is free, every ``tau_ref`` (``n``
  follows in closed form, however many spikes); with ``tau_ref = 0`` the output
  is +inf, the voltage 0, and ``n`` only decays (the model's ``n`` would be
  infinite).
* ``J = -inf``: no spike; the voltage goes to ``min_voltage`` (held where it is
  if ``min_voltage = -inf``); ``n`` decays.
* ``J = NaN``: output NaN, voltage held, ``n`` decays, the refractory clock runs.
"""

import numpy as np

from nengo_tuning.kernels.arrays import check_same_shapes
from nengo_tuning.math.adaptive_lif import (
    CROSSING_RTOL,
    adaptation_at_xp,
    adaptation_jump,
    free_run_xp,
    if_any_xp,
    while_any_xp,
)

#: Most spikes one neuron may fire in one step. Every spike costs an iteration
#: of the step's loop, so the bound is on work, not on precision: a neuron needs
#: ``tau_ref < dt / (MAX_RESOLVED_SPIKES - 1)``, or ``tau_ref = 0`` and a current
#: that drives it far beyond 1 / dt, to exceed it.
MAX_RESOLVED_SPIKES = 1024


def exact_adaptive_lif_step_xp(
    dt,
    J,
    voltage,
    refractory_time,
    adaptation,
    tau_rc,
    tau_ref,
    tau_n,
    inc_n,
    min_voltage=0.0,
    amplitude=1.0,
    xp=np,
    rtol=CROSSING_RTOL,
):
    """One exact step; returns new arrays.

    Returns ``(output, voltage, refractory_time, adaptation, unresolved)``;
    ``unresolved`` marks neurons that would fire more than
    :data:`MAX_RESOLVED_SPIKES` spikes in the step (their results are not
    meaningful). ``rtol`` is the crossing time's relative tolerance (use a
    larger one, ``4 * eps``, for float32).
    """
    check_same_shapes(
        J=J, voltage=voltage, refractory_time=refractory_time, adaptation=adaptation
    )
    inf = float("inf")
    refractory = refractory_time - dt
    finite = xp.isfinite(J)
    J_s = xp.where(finite, J, 2.0)  # stand-in, so no formula leaves its domain
    busy = xp.minimum(xp.maximum(refractory, 0.0), dt)
    n = adaptation_at_xp(adaptation, busy, tau_n, xp)
    v = xp.maximum(voltage, min_voltage) if min_voltage > -inf else voltage
    jump = adaptation_jump(inc_n, amplitude, tau_n)
    zero = 0.0 * busy  # (+0, busy >= 0; an array, so that any xp knows its dtype)

    def next_spike(v, n, free_at, count, last_end, active):
        horizon = xp.where(active, dt - free_at, 0.0)
        t_spike, v_run, n_run = free_run_xp(
            v, n, J_s, horizon, tau_rc, tau_n, min_voltage, xp, rtol
        )
        spiked = active & (t_spike <= horizon)
        ended = active & ~spiked
        v = xp.where(ended, v_run, v)
        n = xp.where(ended, n_run, n)
        spike_at = xp.where(spiked, free_at + t_spike, 0.0)
        count = count + xp.where(spiked, 1.0, zero)
        # n jumps, then decays through the part of the refractory period in the step
        held = xp.minimum(xp.maximum(dt - spike_at, 0.0), tau_ref)
        n = xp.where(spiked, adaptation_at_xp(n_run + jump, held, tau_n, xp), n)
        v = xp.where(spiked, 0.0, v)
        last_end = xp.where(spiked, spike_at + tau_ref, last_end)
        free_at = xp.where(spiked, spike_at + tau_ref, free_at)
        active = spiked & (free_at < dt)
        return v, n, free_at, count, last_end, active

    # free_at: when the neuron is next free to integrate; last_end: the stored
    # refractory_time of a neuron that spiked. One iteration more than the spikes
    # resolved: a neuron whose count passes the bound fired too many
    v, n, _, count, last_end, _ = while_any_xp(
        lambda *loop_vars: loop_vars[-1],
        next_spike,
        (v, n, busy, 0.0 * J_s, refractory, finite & (busy < dt)),
        MAX_RESOLVED_SPIKES + 1,
        xp,
    )
    unresolved = count > MAX_RESOLVED_SPIKES

    refractory = xp.where(count > 0, last_end, refractory)
    output = count * (amplitude / dt)
    finite_results = (output, v, refractory, n)

    def non_finite():
        return _non_finite_input_xp(
            dt, J, *finite_results, voltage, adaptation, busy,
            tau_ref, tau_n, jump, min_voltage, amplitude, xp,
        )  # fmt: skip

    output, v, refractory, n = if_any_xp(
        ~finite, non_finite, lambda: finite_results, xp
    )
    return output, v, refractory, n, unresolved


def _non_finite_input_xp(
    dt, J, output, v, refractory, n, voltage, adaptation, busy,
    tau_ref, tau_n, jump, min_voltage, amplitude, xp,
):  # fmt: skip
    """Overwrite the results of neurons with +-inf or NaN input (module docstring)."""
    inf = float("inf")
    pos_inf = J == inf
    no_spike = (J == -inf) | xp.isnan(J)
    n_decayed = adaptation_at_xp(adaptation, dt, tau_n, xp)
    n = xp.where(no_spike, n_decayed, n)
    refractory_free = refractory  # (refractory_time - dt, where nothing fired)
    v_neg = min_voltage + 0.0 * v if min_voltage > -inf else voltage
    v = xp.where(J == -inf, v_neg, xp.where(xp.isnan(J), voltage, v))
    output = xp.where(xp.isnan(J), J, xp.where(J == -inf, 0.0, output))

    # +inf: spikes at busy, busy + tau_ref, ... while before the end of the step
    fires = pos_inf & (busy < dt)
    n_first = adaptation_at_xp(adaptation, busy, tau_n, xp)
    if tau_ref > 0:
        k = xp.maximum(xp.ceil(xp.where(fires, (dt - busy) / tau_ref, 1.0)), 1.0)
        last = busy + (k - 1.0) * tau_ref
        r = tau_ref / tau_n
        # n after the k-th spike: n_first q^(k-1) + jump (1 - q^k) / (1 - q)
        # (1 - q from the scalar parameters, as a Python number: any xp takes it)
        n_last = n_first * xp.exp(-(k - 1.0) * r) + jump * (
            xp.expm1(-k * r) / float(np.expm1(-r))
        )
        n_inf = adaptation_at_xp(n_last, xp.maximum(dt - last, 0.0), tau_n, xp)
        out_inf = k * (amplitude / dt)
        stored = last + tau_ref
    else:
        n_inf = adaptation_at_xp(adaptation, dt, tau_n, xp)
        out_inf = inf + 0.0 * v
        stored = dt + 0.0 * v
    n = xp.where(fires, n_inf, xp.where(pos_inf, n_decayed, n))
    output = xp.where(fires, out_inf, xp.where(pos_inf, 0.0, output))
    v = xp.where(fires, 0.0, xp.where(pos_inf, voltage, v))
    refractory = xp.where(fires, stored, refractory_free)
    return output, v, refractory, n
