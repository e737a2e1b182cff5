"""Peak memory of stepping 1e6 neurons: ExactLIF against nengo.LIF.

Each type allocates an ensemble's state (current, output, voltage, refractory
time) and takes 100 steps under tracemalloc (numpy reports its allocations to
it). Printed: the peak traced memory, its ratio to nengo.LIF's (target
<= 1.1), and the growth of the traced memory between step 10 and step 100
(target 0: nothing accumulates per step). ExactLIF's peak includes the work
arrays it keeps per state array (numpy kernel) or per step (compiled kernel).

    python benchmarks/bench_memory.py [--neurons 1000000] [--steps 100]
"""

import argparse
import gc
import tracemalloc

import nengo
import numpy as np
from bench_step import make_currents
from common import compiled_kernel_status

import nengo_tuning


def traced_run(neuron_type, n_neurons, steps, dt):
    """(peak bytes, bytes gained from step 10 to the last) for one fresh state."""
    gc.collect()
    tracemalloc.start()
    try:
        rng = np.random.RandomState(0)
        J = make_currents(n_neurons, rng)
        output, refractory_time = np.zeros(n_neurons), np.zeros(n_neurons)
        voltage = rng.uniform(0, 1, size=n_neurons)
        after_10 = None
        for i in range(steps):
            neuron_type.step(dt, J, output, voltage, refractory_time)
            if i == 9:
                after_10 = tracemalloc.get_traced_memory()[0]
        current, peak = tracemalloc.get_traced_memory()
        return peak, current - after_10
    finally:
        tracemalloc.stop()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurons", type=int, default=1_000_000)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument(
        "--numpy-kernel", action="store_true", help="switch the compiled kernel off"
    )
    args = parser.parse_args(argv)
    with nengo_tuning.kernels.use("numpy" if args.numpy_kernel else "compiled"):
        measure(args)


def measure(args):
    types = {"nengo.LIF": nengo.LIF(), "ExactLIF": nengo_tuning.ExactLIF()}
    for n_neurons in (10, 1000):
        # untraced: the first step of a process compiles the optional kernel
        traced_run(types["ExactLIF"], n_neurons, 10, 0.001)
    print(f"{args.neurons:,} neurons, {args.steps} steps, tracemalloc")
    print(
        "numpy kernel (switched off by --numpy-kernel)"
        if args.numpy_kernel
        else compiled_kernel_status()
    )
    for dt in (0.001, 0.005):
        res = {
            name: traced_run(t, args.neurons, args.steps, dt)
            for name, t in types.items()
        }
        for name, (peak, growth) in res.items():
            print(
                f"  dt = {dt * 1e3:g} ms  {name:10s} peak {peak / 2**20:7.1f} MiB"
                f"  growth after step 10: {growth} bytes"
            )
        ratio = res["ExactLIF"][0] / res["nengo.LIF"][0]
        print(f"  dt = {dt * 1e3:g} ms  peak ratio ExactLIF / nengo.LIF: {ratio:.3f}")


if __name__ == "__main__":
    main()
