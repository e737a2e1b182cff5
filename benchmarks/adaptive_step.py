"""Step time of ExactAdaptiveLIF against nengo.AdaptiveLIF, as median ratios.

For each size in {50, 300, 1 000, 100 000} neurons, dt in {1, 5} ms and
adaptation (nengo's default tau_n 1 s, inc_n 0.01, and fast: tau_n 0.1 s,
inc_n 0.05), the types step the same currents (unadapted rates uniform in
0-400 Hz, tau_ref = 2 ms) in blocks of steps, alternating round by round:

* ExactAdaptiveLIF as it runs by default (the compiled kernel, with numba);
* ExactAdaptiveLIF with the numpy kernel alone (what runs without numba);
* a second nengo.AdaptiveLIF: the noise floor (its ratio would be 1.00 on a
  quiet machine).

The table gives the median over rounds of each one's time / nengo.AdaptiveLIF's
in the same round, and nengo's time per step.

    python benchmarks/adaptive_step.py [--rounds 7] [--sizes 50 300 1000 100000]
"""

import argparse

import nengo
import numpy as np
from common import interleaved, markdown_table, with_numpy_kernel

import nengo_tuning
from nengo_tuning.math.lif import lif_current_for_rate

ADAPTATION = {"default": (1.0, 0.01), "fast": (0.1, 0.05)}
SIZES = [50, 300, 1000, 100_000]
COLUMNS = {
    "exact": "ExactAdaptiveLIF",
    "exact-numpy": "numpy kernel",
    "noise": "noise: nengo / nengo",
}


def cases(n_neurons, dt, tau_n, inc_n, steps, seed=0):
    rng = np.random.RandomState(seed)
    rates = rng.uniform(0, 400, size=n_neurons)
    J = np.where(rates > 1, lif_current_for_rate(np.maximum(rates, 1)), 0.5)
    voltage0 = rng.uniform(0, 1, size=n_neurons)
    types = {
        "nengo": nengo.AdaptiveLIF(tau_n=tau_n, inc_n=inc_n),
        "noise": nengo.AdaptiveLIF(tau_n=tau_n, inc_n=inc_n),
        "exact": nengo_tuning.ExactAdaptiveLIF(tau_n=tau_n, inc_n=inc_n),
        "exact-numpy": nengo_tuning.ExactAdaptiveLIF(tau_n=tau_n, inc_n=inc_n),
    }
    blocks = {}
    for name, neuron_type in types.items():
        state = [np.zeros(n_neurons), voltage0.copy()] + [
            np.zeros(n_neurons) for _ in range(2)
        ]

        def block(neuron_type=neuron_type, state=state):
            for _ in range(steps):
                neuron_type.step(dt, J, *state)

        if name == "exact-numpy":
            block = with_numpy_kernel(block)
        block()  # warm up (and compile), and let the neurons settle into firing
        blocks[name] = block
    return blocks


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    args = parser.parse_args(argv)
    rows = []
    for adaptation, (tau_n, inc_n) in ADAPTATION.items():
        for n in args.sizes:
            steps = max(4, 40_000 // n)  # (about the same work per block)
            for dt in (0.001, 0.005):
                times = interleaved(cases(n, dt, tau_n, inc_n, steps), args.rounds)
                ratios = [np.median(times[key] / times["nengo"]) for key in COLUMNS]
                nengo_us = np.median(times["nengo"]) / steps * 1e6
                rows.append(
                    [adaptation, f"{n:,}", f"{dt * 1e3:g} ms"]
                    + [f"{ratio:.2f}" for ratio in ratios]
                    + [f"{nengo_us:.0f}"]
                )
    header = ["adaptation", "neurons", "dt", *COLUMNS.values(), "nengo us/step"]
    print(f"ratios to nengo.AdaptiveLIF, {args.rounds} interleaved rounds, medians")
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
