"""Step time of ExactAdaptiveLIF against nengo.AdaptiveLIF, as median ratios.

For each size in {50, 300, 1 000} neurons, dt in {1, 5} ms and adaptation
(nengo's default tau_n 1 s, inc_n 0.01, and fast: tau_n 0.1 s, inc_n 0.05),
both types step the same currents (unadapted rates uniform in 0-400 Hz,
tau_ref = 2 ms) in blocks of steps, alternating round by round; the table
shows the median over rounds of the ratio ExactAdaptiveLIF / nengo.AdaptiveLIF
and nengo's time per step.

    python benchmarks/adaptive_step.py [--rounds 7] [--sizes 50 300 1000]
"""

import argparse

import nengo
import numpy as np
from common import interleaved, markdown_table

import nengo_tuning
from nengo_tuning.math.lif import lif_current_for_rate

ADAPTATION = {"default": (1.0, 0.01), "fast": (0.1, 0.05)}


def cases(n_neurons, dt, tau_n, inc_n, steps, seed=0):
    rng = np.random.RandomState(seed)
    rates = rng.uniform(0, 400, size=n_neurons)
    J = np.where(rates > 1, lif_current_for_rate(np.maximum(rates, 1)), 0.5)
    voltage0 = rng.uniform(0, 1, size=n_neurons)
    types = {
        "nengo": nengo.AdaptiveLIF(tau_n=tau_n, inc_n=inc_n),
        "exact": nengo_tuning.ExactAdaptiveLIF(tau_n=tau_n, inc_n=inc_n),
    }
    blocks = {}
    for name, neuron_type in types.items():
        state = [np.zeros(n_neurons), voltage0.copy()] + [
            np.zeros(n_neurons) for _ in range(2)
        ]

        def block(neuron_type=neuron_type, state=state):
            for _ in range(steps):
                neuron_type.step(dt, J, *state)

        block()  # warm up, and let the neurons settle into firing
        blocks[name] = block
    return blocks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 300, 1000])
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args(argv)
    rows = []
    for adaptation, (tau_n, inc_n) in ADAPTATION.items():
        for n in args.sizes:
            for dt in (0.001, 0.005):
                times = interleaved(cases(n, dt, tau_n, inc_n, args.steps), args.rounds)
                ratio = np.median(times["exact"] / times["nengo"])
                nengo_us = np.median(times["nengo"]) / args.steps * 1e6
                exact_us = np.median(times["exact"]) / args.steps * 1e6
                rows.append(
                    [adaptation, n, f"{dt * 1e3:g} ms", f"{ratio:.1f}",
                     f"{nengo_us:.0f}", f"{exact_us:.0f}"]
                )  # fmt: skip
    header = ["adaptation", "neurons", "dt", "exact / nengo", "nengo us", "exact us"]
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
