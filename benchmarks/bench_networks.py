"""Whole networks in nengo.Simulator: ExactLIF's run time against nengo.LIF's.

Three kinds of model, each built once per neuron type and run at the same dt:

* ``chain``: an input and 4 ensembles of 300 neurons computing x -> x -> x -> x**2;
* ``product``: ``nengo.networks.Product`` of two sine waves (200 neurons per
  pair), read out through a filtered probe-free connection;
* ``oscillator``: a 2-D ensemble of 500 neurons with a recurrent rotation,
  plus a 1-D integrator of 300 neurons with a recurrent connection.

The simulators run blocks of steps in interleaved rounds; the table shows the
median over rounds of the ratio ExactLIF / nengo.LIF (target <= 1.05). With
numba installed, a second ExactLIF simulator runs the numpy kernel alone (what a
machine without numba runs), in the same rounds, for a second table.

    python benchmarks/bench_networks.py           # dt = 1, 2, 5 ms (~2 minutes)
    python benchmarks/bench_networks.py --quick   # dt = 1, 5 ms, fewer rounds
"""

import argparse
import itertools
import warnings

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


def chain(neuron_type, n_neurons=300):
    with nengo.Network(seed=0) as net:
        stim = nengo.Node(lambda t: np.sin(2 * np.pi * t))
        ensembles = [
            nengo.Ensemble(n_neurons, 1, neuron_type=neuron_type) for _ in range(4)
        ]
        nengo.Connection(stim, ensembles[0])
        for pre, post in itertools.pairwise(ensembles[:-1]):
            nengo.Connection(pre, post)
        nengo.Connection(ensembles[-2], ensembles[-1], function=np.square)
    return net


def product(neuron_type, n_neurons=200):
    with nengo.Network(seed=0) as net:
        a = nengo.Node(lambda t: np.sin(2 * np.pi * t))
        b = nengo.Node(lambda t: np.cos(3 * t))
        prod = nengo.networks.Product(n_neurons, 1)
        for ens in prod.all_ensembles:
            ens.neuron_type = neuron_type
        nengo.Connection(a, prod.input_a)
        nengo.Connection(b, prod.input_b)
        out = nengo.Node(size_in=1)
        nengo.Connection(prod.output, out, synapse=0.01)
    return net


def oscillator(neuron_type, n_neurons=500, tau=0.1, freq=1.0):
    with nengo.Network(seed=0) as net:
        kick = nengo.Node(lambda t: [1, 0] if t < 0.1 else [0, 0])
        osc = nengo.Ensemble(n_neurons, 2, neuron_type=neuron_type)
        nengo.Connection(kick, osc)
        w = 2 * np.pi * freq
        nengo.Connection(osc, osc, transform=[[1, -w * tau], [w * tau, 1]], synapse=tau)
        integ = nengo.Ensemble(300, 1, neuron_type=neuron_type)
        nengo.Connection(osc[0], integ, transform=tau, synapse=tau)
        nengo.Connection(integ, integ, synapse=tau)
    return net


NETWORKS = {"chain": chain, "product": product, "oscillator": oscillator}


def network_cases(make_net, types, dt, steps):
    cases, sims = {}, []
    for name, neuron_type in types.items():
        if name == NUMPY_KERNEL:
            neuron_type = types["ExactLIF"]
        sim = nengo.Simulator(make_net(neuron_type), dt=dt, progress_bar=False)
        cases[name] = lambda sim=sim: sim.run_steps(steps)
        if name == NUMPY_KERNEL:
            cases[name] = with_numpy_kernel(cases[name])
        cases[name]()  # warm up
        sims.append(sim)
    return cases, sims


def network_table(types, anchor, dts, rounds, sim_time):
    results = {}
    for net_name, make_net in NETWORKS.items():
        for dt in dts:
            steps = max(1, round(sim_time / dt))
            cases, sims = network_cases(make_net, types, dt, steps)
            times = interleaved(cases, rounds)
            for sim in sims:
                sim.close()
            results[net_name, dt] = {
                name: float(np.median(times[name] / times[anchor]))
                for name in types
                if name != anchor
            }
            results[net_name, dt]["anchor s"] = float(np.median(times[anchor]))
    return results


def print_table(results, name, dts, sim_time):
    header = ["network"] + [f"dt = {dt * 1e3:g} ms" for dt in dts]
    rows = [
        [net_name]
        + [
            f"{results[net_name, dt][name]:.2f}x "
            f"({results[net_name, dt]['anchor s'] * 1e3:.0f} ms)"
            for dt in dts
        ]
        for net_name in NETWORKS
    ]
    print(
        f"Run time {name} / nengo.LIF for {sim_time:g} s of simulated time "
        "(nengo.LIF's median wall time)"
    )
    print(markdown_table(header, rows))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sim-time", type=float, default=1.0)
    args = parser.parse_args(argv)
    dts = [0.001, 0.005] if args.quick else [0.001, 0.002, 0.005]
    rounds = 3 if args.quick else args.rounds
    sim_time = 0.5 if args.quick else args.sim_time
    types = {"nengo.LIF": nengo.LIF(), "ExactLIF": nengo_tuning.ExactLIF()}
    if compiled_kernel.AVAILABLE:
        types[NUMPY_KERNEL] = None  # an ExactLIF simulator, the numpy kernel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # decoder cache notices
        results = network_table(types, "nengo.LIF", dts, rounds, sim_time)
    print(f"{rounds} interleaved rounds, medians of the per-round ratios")
    print(compiled_kernel_status())
    for name in types:
        if name != "nengo.LIF":
            print_table(results, name, dts, sim_time)
    return results


if __name__ == "__main__":
    main()
