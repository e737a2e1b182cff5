"""The rate model of the adaptation (what the NengoDL builder trains with)."""

import nengo
import numpy as np

from nengo_tuning import ExactAdaptiveLIF
from nengo_tuning.math.adaptive_lif import rate_driven_adaptation_xp


def test_euler_limit_is_nengo_adaptive_lif_rate():
    """As dt -> 0 the exact update is nengo.AdaptiveLIFRate's Euler step.

    nengo's step computes ``r = amplitude G(J - n)`` and then
    ``n += (dt / tau_n)(inc_n r - n)``; the exact solution differs from it by
    ``(n - inc_n r)(exp(-h) - 1 + h)`` with ``h = dt / tau_n``, i.e. by
    ``(n - inc_n r) h**2 / 2`` to leading order: checked to 1% of that term.
    """
    tau_n, inc_n, amplitude = 0.1, 0.05, 0.7
    neuron = nengo.AdaptiveLIFRate(tau_n=tau_n, inc_n=inc_n, amplitude=amplitude)
    J = np.array([0.5, 1.5, 3.0, 8.0])
    n0 = np.array([0.0, 0.3, 2.0, 0.1])
    for dt in (1e-3, 1e-4, 1e-5):
        output, adaptation = np.zeros(4), n0.copy()
        neuron.step(dt, J, output, adaptation)
        ours = rate_driven_adaptation_xp(n0, output, dt, tau_n, inc_n)
        h = dt / tau_n
        leading = (n0 - inc_n * output) * h**2 / 2
        np.testing.assert_allclose(ours - adaptation, leading, rtol=1e-2, atol=1e-18)


def test_fixed_point_is_the_spikes_mean_adaptation():
    """Held rate: n settles at inc_n * rate, which is the spiking neuron's mean.

    The exact spiking neuron under a constant current jumps ``n`` by ``inc_n *
    amplitude / tau_n`` per spike; averaged over a long run its mean ``n`` is
    ``inc_n`` times its mean output (``tau_n dn/dt = inc_n * output - n`` on
    average). The rate model's fixed point is the same relation, for any dt.
    Spiking: 4 s after a 1 s transient, sampled every 1 ms, over whole periods
    (from a spike to a later one: a partial period would bias the mean by up to
    a period's share, 1.3% at 18 Hz); the sawtooth's samples then average to
    its mean to ~1e-4 (seen: 1.3e-4 at 18 Hz; the period is not a multiple of
    dt), hence 2e-3.
    """
    tau_n, inc_n, amplitude, dt = 0.1, 0.05, 0.5, 0.001
    rate = np.array([0.0, 40.0, 300.0])
    for step in (1e-4, 0.005, 0.1):
        fixed = rate_driven_adaptation_xp(inc_n * rate, rate, step, tau_n, inc_n)
        np.testing.assert_allclose(fixed, inc_n * rate, rtol=1e-15)

    neuron = ExactAdaptiveLIF(tau_n=tau_n, inc_n=inc_n, amplitude=amplitude)
    J = np.array([1.5, 3.0, 10.0])
    state = {k: np.zeros(3) for k in ("voltage", "refractory_time", "adaptation")}
    output = np.zeros(3)
    outputs, adaptations = [], []
    for k in range(5000):
        neuron.step(dt, J, output, **state)
        if k >= 1000:
            outputs.append(output.copy())
            adaptations.append(state["adaptation"].copy())
    outputs, adaptations = np.array(outputs), np.array(adaptations)
    for i in range(3):
        # whole periods: from just after a spike to the step of a later one
        spikes = np.flatnonzero(outputs[:, i])
        assert spikes.size > 50
        window = slice(spikes[0] + 1, spikes[-1] + 1)
        np.testing.assert_allclose(
            adaptations[window, i].mean(),
            inc_n * outputs[window, i].mean(),
            rtol=2e-3,
        )
