"""Speed of ExactLIF.step against nengo.LIF.step, as a table of ratios.

For every size in {50, 300, 1 000, 10 000, 100 000} neurons and dt in
{1, 2, 5, 10} ms, both types step the same currents (rates uniform in
0-400 Hz, tau_ref = 2 ms) in blocks of steps; the blocks alternate between the
types round by round, and the table shows the median over rounds of the ratio
ExactLIF / nengo.LIF (targets: <= 1.0 everywhere, <= 0.75 from 1 000 neurons
at dt <= 2 ms). Small sizes are dominated by the fixed cost per call, large
ones by passes over memory. With numba installed, ExactLIF runs the compiled
kernel, and a second table times the numpy kernel alone (what a machine
without numba runs), interleaved in the same rounds.

    python benchmarks/bench_step.py            # the table (~2 minutes)
    python benchmarks/bench_step.py --quick    # fewer rounds and steps
"""

import argparse

import nengo
import numpy as np
from common import (
    NUMPY_KERNEL,
    compiled_kernel_status,
    interleaved,
    markdown_table,
    with_numpy_kernel,
)

import nengo_tuning
from nengo_tuning.kernels import lif_compiled as compiled_kernel
from nengo_tuning.math import lif

SIZES = [50, 300, 1000, 10_000, 100_000]
DTS = [0.001, 0.002, 0.005, 0.01]


def make_currents(n_neurons, rng, max_rate=400.0):
    """Currents giving rates uniform in 0-``max_rate`` Hz (0 Hz: J = 0.5)."""
    rates = rng.uniform(0, max_rate, size=n_neurons)
    return np.where(rates > 1, lif.lif_current_for_rate(np.maximum(rates, 1)), 0.5)


def step_cases(types, n_neurons, dt, steps, seed=0):
    """One zero-argument callable per type, each running ``steps`` steps."""
    rng = np.random.RandomState(seed)
    J = make_currents(n_neurons, rng)
    voltage0 = rng.uniform(0, 1, size=n_neurons)
    cases = {}
    for name, neuron_type in types.items():
        if neuron_type is None:
            continue
        state = [np.zeros(n_neurons), voltage0.copy(), np.zeros(n_neurons)]

        def block(neuron_type=neuron_type, state=state):
            output, voltage, refractory_time = state
            for _ in range(steps):
                neuron_type.step(dt, J, output, voltage, refractory_time)

        for _ in range(3):  # warm up, and let the neurons settle into firing
            block()
        cases[name] = block
    if NUMPY_KERNEL in types:
        cases[NUMPY_KERNEL] = with_numpy_kernel(cases["ExactLIF"])
    return cases


def step_table(types, anchor, sizes=SIZES, dts=DTS, rounds=9, min_steps=5):
    """``{(n, dt): {name: median ratio to anchor}}`` for every size and dt."""
    results = {}
    for n in sizes:
        # about the same work per block at every size
        steps = max(min_steps, 200_000 // n)
        for dt in dts:
            times = interleaved(step_cases(types, n, dt, steps), rounds)
            results[n, dt] = {
                name: float(np.median(times[name] / times[anchor]))
                for name in types
                if name != anchor
            }
            results[n, dt]["anchor us/step"] = np.median(times[anchor]) / steps * 1e6
    return results


def print_table(results, name, dts=DTS):
    sizes = sorted({n for n, _ in results})
    header = ["neurons"] + [f"dt = {dt * 1e3:g} ms" for dt in dts]
    rows = [
        [f"{n:,}"]
        + [
            f"{results[n, dt][name]:.2f}x ({results[n, dt]['anchor us/step']:.0f} us)"
            for dt in dts
        ]
        for n in sizes
    ]
    print(f"Ratio {name} / nengo.LIF per step (nengo.LIF's median time per step)")
    print(markdown_table(header, rows))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 rounds, short blocks")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    rounds = 5 if args.quick else args.rounds
    types = {"nengo.LIF": nengo.LIF(), "ExactLIF": nengo_tuning.ExactLIF()}
    if compiled_kernel.AVAILABLE:
        types[NUMPY_KERNEL] = None  # ExactLIF's state, the numpy kernel
    results = step_table(
        types, "nengo.LIF", rounds=rounds, min_steps=3 if args.quick else 5
    )
    print(f"rates 0-400 Hz, tau_ref = 2 ms, {rounds} interleaved rounds, medians")
    print(compiled_kernel_status())
    for name in types:
        if name != "nengo.LIF":
            print_table(results, name)
    return results


if __name__ == "__main__":
    main()
