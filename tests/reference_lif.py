"""An event-by-event LIF neuron, written independently of nengo_tuning.

It walks through each step event by event in plain Python floats: refractory
time is consumed, the time to the next threshold crossing is found from the
membrane solution, a spike is recorded and the membrane reset, and so on until
the step is used up. It is slow and obviously correct, which is what a reference
should be.
"""

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
