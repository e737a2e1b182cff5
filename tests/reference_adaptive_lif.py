"""An event-driven adaptive LIF neuron, written independently of nengo_tuning.

The model is nengo.AdaptiveLIF's in continuous time: ``tau_rc V' = J - n - V``,
``tau_n n' = -n``; at ``V = 1`` a spike, ``V`` held at 0 for ``tau_ref``, ``n``
jumps by ``inc_n * amplitude / tau_n``; ``V`` sticks at ``min_voltage`` while
``J - n`` is below it. Plain Python floats, one neuron, event by event:

* ``V(t)`` from the textbook two-exponential solution (in 40-digit decimal
  arithmetic when the time constants are within 0.1 % of each other, where the
  float form cancels), and ``t e^{-t/tau}`` for equal ones;
* the extremum of ``V`` (there is at most one) by bisection on the sign of
  ``V'``, and every crossing by plain bisection on ``V``, down to adjacent
  floats. Slow and simple, unlike the kernel's closed forms and Halley steps.
"""

import decimal
import math

NEAR_EQUAL = 1e-3
_CONTEXT = decimal.Context(prec=40)


def _bisect(predicate, lo, hi):
    """Smallest float ``t`` in ``(lo, hi]`` with ``predicate(t)`` (it holds at hi)."""
    while True:
        mid = 0.5 * (lo + hi)
        if mid <= lo or mid >= hi:
            return hi
        if predicate(mid):
            hi = mid
        else:
            lo = mid


class EventAdaptiveLIF:
    """One adaptive LIF neuron; ``refractory`` is the time still to run (>= 0)."""

    def __init__(
        self, tau_rc, tau_ref, tau_n, inc_n, min_voltage=0.0, amplitude=1.0,
        voltage=0.0, refractory=0.0, adaptation=0.0,
    ):  # fmt: skip
        self.tau_rc, self.tau_ref, self.tau_n = tau_rc, tau_ref, tau_n
        self.jump = inc_n * amplitude / tau_n
        self.min_voltage = min_voltage
        self.voltage = max(voltage, min_voltage)
        self.refractory = refractory
        self.adaptation = adaptation

    # --- the solution between events ---------------------------------------
    def n_at(self, n0, t):
        return n0 * math.exp(-t / self.tau_n)

    def v_at(self, v0, n0, J, t):
        tau_rc, tau_n = self.tau_rc, self.tau_n
        a = math.exp(-t / tau_rc)
        if tau_n == tau_rc:
            response = (t / tau_rc) * a
        elif abs(tau_n - tau_rc) < NEAR_EQUAL * tau_rc:
            with decimal.localcontext(_CONTEXT):
                D = decimal.Decimal
                tn, tr, tt = D(tau_n), D(tau_rc), D(t)
                response = float(tn / (tn - tr) * ((-tt / tn).exp() - (-tt / tr).exp()))
        else:
            b = math.exp(-t / tau_n)
            response = tau_n / (tau_n - tau_rc) * (b - a)
        return J + (v0 - J) * a - n0 * response

    def slope_at(self, v0, n0, J, t):
        return J - self.n_at(n0, t) - self.v_at(v0, n0, J, t)

    def first_reach(self, level, upward, v0, n0, J, horizon):
        """First t in [0, horizon] with V on the far side of ``level``, or None."""
        sign = 1.0 if upward else -1.0

        def g(t):
            return sign * (self.v_at(v0, n0, J, t) - level)

        if g(0.0) >= 0 if upward else g(0.0) > 0:
            return 0.0
        if horizon <= 0:
            return None
        s0 = sign * self.slope_at(v0, n0, J, 0.0)
        s1 = sign * self.slope_at(v0, n0, J, horizon)
        lo, hi = 0.0, horizon
        if s0 * s1 < 0:  # one extremum inside: find it from V's slope
            rising = s0 > 0

            def past_extremum(t):
                s = sign * self.slope_at(v0, n0, J, t)
                return s <= 0 if rising else s >= 0

            t_e = _bisect(past_extremum, 0.0, horizon)
            if rising:
                hi = t_e
            else:
                lo = t_e
        if g(hi) < 0:
            return None
        return _bisect(lambda t: g(t) >= 0, lo, hi)

    def release_time(self, n0, J):
        """Time for ``J - n`` to rise to the floor (None: never)."""
        m = self.min_voltage
        if J - n0 > m:
            return 0.0
        if n0 <= 0 or J <= m:
            return None
        return self.tau_n * math.log(n0 / (J - m))

    # --- one step --------------------------------------------------------------
    def step(self, dt, J):
        """Advance by ``dt`` under constant ``J``; return the number of spikes."""
        t, spikes = 0.0, 0
        used = min(self.refractory, dt)
        self.refractory -= used
        self.adaptation = self.n_at(self.adaptation, used)
        t += used
        while t < dt:
            if not self._free_until_spike(dt - t, J):
                return spikes
            t += self._spike_time
            spikes += 1
            self.voltage = 0.0
            self.adaptation += self.jump
            used = min(self.tau_ref, dt - t)
            self.refractory = self.tau_ref - used
            self.adaptation = self.n_at(self.adaptation, used)
            t += used
        return spikes

    def _free_until_spike(self, horizon, J):
        """Integrate up to ``horizon``; True (and ``_spike_time``) at a spike."""
        m = self.min_voltage
        elapsed = 0.0
        v, n = self.voltage, self.adaptation
        floor_events = 0  # once off the floor the drive only rises: at most 2
        while True:
            left = horizon - elapsed
            floor_events += 1
            assert floor_events <= 3
            stuck = v <= m and J - n <= m and floor_events < 3
            if m > -math.inf and stuck:  # stuck at the floor
                wait = self.release_time(n, J)
                if wait is None or wait >= left:
                    self.voltage, self.adaptation = m, self.n_at(n, left)
                    return False
                elapsed += wait
                n = self.n_at(n, wait)
                v = m
                continue
            t_cross = self.first_reach(1.0, True, v, n, J, left)
            t_floor = None
            if m > -math.inf and left > 0 and floor_events < 3:
                t_floor = self.first_reach(m, False, v, n, J, left)
            if t_floor is not None and (t_cross is None or t_floor < t_cross):
                elapsed += t_floor
                n = self.n_at(n, t_floor)
                v = m
                continue
            if t_cross is None:
                self.voltage = max(self.v_at(v, n, J, left), m)
                self.adaptation = self.n_at(n, left)
                return False
            self._spike_time = elapsed + t_cross
            self.adaptation = self.n_at(n, t_cross)
            return True


def spike_counts(reference_neurons, dt, currents):
    """Step each reference neuron by ``dt`` under each row of ``currents``.

    Returns the cumulative counts, shape ``(steps, neurons)``.
    """
    total = [0] * len(reference_neurons)
    rows = []
    for row in currents:
        for i, (neuron, J) in enumerate(zip(reference_neurons, row)):
            total[i] += neuron.step(dt, float(J))
        rows.append(list(total))
    return rows
