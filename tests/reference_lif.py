"""An event-by-event LIF neuron, written independently of nengo_tuning.

It walks through each step event by event in plain Python floats: refractory
time is consumed, the time to the next threshold crossing is found from the
membrane solution, a spike is recorded and the membrane reset, and so on until
the step is used up. It is slow and obviously correct, which is what a reference
should be.
"""

import decimal
import math


class EventLIF:
    """One LIF neuron simulated event by event.

    ``refractory`` is the refractory time still to run (>= 0), unlike nengo's
    stored convention; tests convert between the two.
    """

    def __init__(self, tau_rc, tau_ref, min_voltage=0.0, voltage=0.0, refractory=0.0):
        self.tau_rc = tau_rc
        self.tau_ref = tau_ref
        self.min_voltage = min_voltage
        self.voltage = voltage
        self.refractory = refractory

    def crossing_time(self, J):
        """Time until V reaches 1 under constant J, or inf if it never does."""
        if self.voltage > 1:  # started above threshold (an initial state): at once
            return 0.0
        if J <= 1:
            return math.inf
        return self.tau_rc * math.log((J - self.voltage) / (J - 1))

    def step(self, dt, J):
        """Advance by ``dt`` under constant ``J``; return the number of spikes."""
        t = 0.0
        spikes = 0
        if self.refractory > 0:
            used = min(self.refractory, dt)
            self.refractory -= used
            t += used
        while t < dt:
            remaining = dt - t
            t_cross = self.crossing_time(J)
            if t_cross > remaining:
                decay = math.exp(-remaining / self.tau_rc)
                self.voltage = J + (self.voltage - J) * decay
                break
            t += t_cross
            spikes += 1
            self.voltage = 0.0
            used = min(self.tau_ref, dt - t)
            self.refractory = self.tau_ref - used
            t += used
        self.voltage = max(self.voltage, self.min_voltage)
        return spikes


def continuous_spike_count(J, duration, tau_rc, tau_ref):
    """Spikes of a continuous-time LIF started at reset, in [0, duration]."""
    if J <= 1:
        return 0
    climb = tau_rc * math.log1p(1 / (J - 1))
    if climb > duration:
        return 0
    return 1 + math.floor((duration - climb) / (tau_ref + climb))


# --- rate curves and their slopes, in 60-digit decimal arithmetic -----------------
# Written from the textbook formulas, independently of lif_math's stable forms:
# dG/dJ = tau_rc G^2 / (a j (j + 1)) and, for SoftLIF, the chain rule through
# rho = sigma log(1 + e^y), d rho / dJ = 1 / (1 + e^-y).

DECIMAL_CONTEXT = decimal.Context(prec=60, Emax=10**8, Emin=-(10**8))


def _log1p(z):
    """``log(1 + z)`` for ``z >= 0``, accurate also when ``1 + z`` rounds to 1."""
    if z < decimal.Decimal("1e-25"):
        return z - z * z / 2 + z * z * z / 3
    return (1 + z).ln()


def lif_slope(J, tau_rc, tau_ref, amplitude=1.0):
    """Exact LIF slope at the float ``J > 1`` (a Python float, possibly 0)."""
    with decimal.localcontext(DECIMAL_CONTEXT):
        j = decimal.Decimal(J) - 1
        tau_rc, tau_ref, a = map(decimal.Decimal, (tau_rc, tau_ref, amplitude))
        rate = a / (tau_ref + tau_rc * _log1p(1 / j))
        return float(tau_rc * rate * rate / (a * j * (j + 1)))


def softlif_slope(J, sigma, tau_rc, tau_ref, amplitude=1.0):
    """Exact SoftLIF slope at the float ``J``, for ``|J - 1| / sigma <= 1e6``."""
    with decimal.localcontext(DECIMAL_CONTEXT):
        y = (decimal.Decimal(J) - 1) / decimal.Decimal(sigma)
        tau_rc, tau_ref, a = map(decimal.Decimal, (tau_rc, tau_ref, amplitude))
        rho = decimal.Decimal(sigma) * _log1p(y.exp())
        drho = 1 / (1 + (-y).exp())
        rate = a / (tau_ref + tau_rc * _log1p(1 / rho))
        return float(tau_rc * rate * rate * drho / (a * rho * (rho + 1)))
