"""Spike-count error of ExactLIF and nengo.LIF against the continuous-time LIF.

For each dt, tau_ref and rate band (20 neurons, rates jittered +-4 % around the
band), both types are stepped for 10 s from reset under constant current, and
their spike counts are compared with the exact count of the continuous LIF.
Prints a Markdown table: relative error of the total count (%), and for
ExactLIF the worst single-neuron error in spikes.

    python benchmarks/count_error_table.py [--duration 10]
"""

import argparse
import math

import nengo
import numpy as np

import nengo_tuning
from nengo_tuning.math import lif

TAU_RC = 0.02
DTS = [0.0001, 0.001, 0.002, 0.003, 0.005, 0.01, 0.02]
TAU_REFS = [0.0, 0.0005, 0.002, 0.0025]
BANDS = [50.0, 200.0, 400.0, 1000.0]


def continuous_count(J, duration, tau_ref):
    climb = TAU_RC * math.log1p(1 / (J - 1))
    return (
        0
        if climb > duration
        else 1 + math.floor((duration - climb) / (tau_ref + climb))
    )


def spike_counts(neuron_type, J, dt, n_steps):
    voltage, refractory_time = np.zeros_like(J), np.zeros_like(J)
    output, counts = np.zeros_like(J), np.zeros_like(J)
    for _ in range(n_steps):
        neuron_type.step(dt, J, output, voltage, refractory_time)
        counts += np.round(output * dt)
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--neurons-per-band", type=int, default=20)
    args = parser.parse_args(argv)
    rng = np.random.RandomState(0)

    header = "| tau_ref | dt | " + " | ".join(f"{b:g} Hz" for b in BANDS) + " |"
    print(header)
    print("|" + "---|" * (2 + len(BANDS)))
    worst_exact = 0.0
    for tau_ref in TAU_REFS:
        types = {
            "ExactLIF": nengo_tuning.ExactLIF(tau_rc=TAU_RC, tau_ref=tau_ref),
            "nengo.LIF": nengo.LIF(tau_rc=TAU_RC, tau_ref=tau_ref),
        }
        rates = {}
        for band in BANDS:
            jitter = rng.uniform(0.96, 1.04, size=args.neurons_per_band)
            if tau_ref == 0 or band * 1.04 < 0.99 / tau_ref:
                rates[band] = band * jitter
        for dt in DTS:
            n_steps = round(args.duration / dt)
            cells = []
            for band in BANDS:
                if band not in rates:
                    cells.append("n/a")
                    continue
                J = lif.lif_current_for_rate(rates[band], TAU_RC, tau_ref)
                expected = np.array(
                    [continuous_count(j, n_steps * dt, tau_ref) for j in J]
                )
                errors = {}
                for name, neuron_type in types.items():
                    counts = spike_counts(neuron_type, J, dt, n_steps)
                    errors[name] = counts - expected
                exact_worst = np.max(np.abs(errors["ExactLIF"]))
                worst_exact = max(worst_exact, exact_worst)
                rel = {k: 100 * v.sum() / expected.sum() for k, v in errors.items()}
                cells.append(
                    f"{rel['ExactLIF']:+.2f} % (max {exact_worst:.0f}) / "
                    f"{rel['nengo.LIF']:+.1f} %"
                )
            print(
                f"| {tau_ref * 1e3:g} ms | {dt * 1e3:g} ms | "
                + " | ".join(cells)
                + " |"
            )
    print(
        f"\nCells: ExactLIF total-count error (worst neuron, spikes) / nengo.LIF "
        f"total-count error, over {args.duration:g} s. "
        f"Worst ExactLIF neuron anywhere: {worst_exact:.0f} spike(s)."
    )


if __name__ == "__main__":
    main()
