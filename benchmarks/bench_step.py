"""Speed of ExactLIF.step against nengo.LIF.step (prints ratios, not a test).

1e5 neurons with currents giving rates of 0-400 Hz, dt = 1 ms, stepped in
interleaved blocks so that both see the same machine load. The machine is
shared and noisy: read the median ratio, not the absolute times.

    python benchmarks/bench_step.py [--neurons 100000] [--repeats 15]
"""

import argparse
import timeit

import nengo
import numpy as np

import nengo_tuning
from nengo_tuning import lif_math


def make_state(n_neurons, rng):
    rates = rng.uniform(0, 400, size=n_neurons)
    J = np.where(rates > 1, lif_math.lif_current_for_rate(np.maximum(rates, 1)), 0.5)
    return {
        "J": J,
        "output": np.zeros(n_neurons),
        "voltage": rng.uniform(0, 1, size=n_neurons),
        "refractory_time": np.zeros(n_neurons),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--steps", type=int, default=20, help="steps per block")
    parser.add_argument("--dt", type=float, default=0.001)
    args = parser.parse_args(argv)

    rng = np.random.RandomState(0)
    types = {"nengo.LIF": nengo.LIF(), "ExactLIF": nengo_tuning.ExactLIF()}
    states = {name: make_state(args.neurons, rng) for name in types}
    for name in types:  # same inputs and initial voltages for both
        states[name]["J"] = states["nengo.LIF"]["J"]
    states["ExactLIF"]["voltage"][:] = states["nengo.LIF"]["voltage"]

    def block(name):
        neuron_type, state = types[name], states[name]
        for _ in range(args.steps):
            neuron_type.step(
                args.dt,
                state["J"],
                state["output"],
                state["voltage"],
                state["refractory_time"],
            )

    for name in types:  # warm up, and let the neurons settle into firing
        for _ in range(10):
            block(name)

    times = {name: [] for name in types}
    for _ in range(args.repeats):
        for name in types:
            times[name].append(timeit.timeit(lambda n=name: block(n), number=1))
    per_step = {name: np.median(t) / args.steps for name, t in times.items()}
    ratios = np.array(times["ExactLIF"]) / np.array(times["nengo.LIF"])
    print(f"{args.neurons} neurons, rates 0-400 Hz, dt = {args.dt * 1e3:g} ms")
    for name, t in per_step.items():
        print(f"  {name:10s} median {t * 1e3:8.3f} ms/step")
    print(
        f"  ratio ExactLIF / nengo.LIF: median {np.median(ratios):.3f} "
        f"(range {ratios.min():.3f}-{ratios.max():.3f}; target <= 1.0)"
    )
    return float(np.median(ratios))


if __name__ == "__main__":
    main()
