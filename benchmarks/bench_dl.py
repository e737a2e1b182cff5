"""NengoDL speed of the nengo_tuning builders, as ratios (one interleaved run).

For each ensemble size (default 50, 300, 1 000 and 10 000 neurons):

* ``sim.predict`` (50 time steps) with ExactLIF against NengoDL's native
  nengo.LIF, at minibatch 1 and 32 (target <= 1.1);
* ``sim.fit`` (one time step per example, minibatch 32, 8 batches) with SoftLIF
  against ``nengo_dl.SoftLIFRate`` (target <= 1.0), and SoftLIFRate for
  comparison;
* the noise floor: each anchor against a second simulator identical to it. A
  ratio is told apart from 1 only where it lies further from 1 than these do:
  at a few hundred neurons a fit is mostly Keras' and NengoDL's fixed cost, and
  even nengo.RectifiedLinear's fit measured 0.98 of nengo_dl.SoftLIFRate's.

All simulators of one size are built first; then the timed calls run
round-robin, so that machine noise hits all of them alike, and the medians of
the per-round ratios are reported. In each round a case's time is the best of
``--repeat`` calls in a row, which filters out bursts of load from other
processes (a call takes some 50 ms, shorter than such bursts often are). CPU
only unless TensorFlow sees a GPU.

    python benchmarks/bench_dl.py                    # ~8 minutes on 2 cores
    python benchmarks/bench_dl.py --quick            # 1 000 neurons, 3 rounds
    python benchmarks/bench_dl.py --sizes 50 300 1000 10000 100000
"""

import argparse
import time
import warnings

# nengo_tuning before nengo_dl: on TensorFlow >= 2.13 it prepares NengoDL's import
import nengo_tuning

# isort: split
import nengo
import nengo_dl
import numpy as np
import tensorflow as tf
from common import interleaved, markdown_table

from nengo_tuning import ExactLIF, SoftLIF, SoftLIFRate

warnings.filterwarnings("ignore", message="No GPU support detected")
warnings.filterwarnings("ignore", message=".*native TensorFlow implementation")
warnings.filterwarnings("ignore", message="This version of NengoDL")

D_IN, D_OUT = 64, 10


def make_net(neuron_type, n_neurons, seed=0):
    with nengo.Network(seed=seed) as net:
        nengo_dl.configure_settings(stateful=False)
        inp = nengo.Node(np.zeros(D_IN))
        ens = nengo.Ensemble(n_neurons, 1, neuron_type=neuron_type)
        out = nengo.Node(size_in=D_OUT)
        nengo.Connection(
            inp, ens.neurons, transform=nengo_dl.dists.Glorot(), synapse=None
        )
        nengo.Connection(
            ens.neurons, out, transform=nengo_dl.dists.Glorot(), synapse=None
        )
        nengo.Probe(out)
    return net


def predict_case(neuron_type, n_neurons, minibatch, n_steps):
    """A zero-argument callable running one sim.predict, and its simulator."""
    net = make_net(neuron_type, n_neurons)
    sim = nengo_dl.Simulator(net, minibatch_size=minibatch, progress_bar=False)
    x = np.random.RandomState(0).uniform(-1, 1, (minibatch, n_steps, D_IN))

    def run():
        sim.predict(x, verbose=0)

    run()  # warm up (graph tracing)
    return run, sim


def fit_case(neuron_type, n_neurons, minibatch=32, n_batches=8):
    net = make_net(neuron_type, n_neurons)
    sim = nengo_dl.Simulator(net, minibatch_size=minibatch, progress_bar=False)
    sim.compile(optimizer=tf.optimizers.SGD(1e-3), loss=tf.losses.mse)
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, (minibatch * n_batches, 1, D_IN))
    y = rng.uniform(-1, 1, (minibatch * n_batches, 1, D_OUT))

    def run():
        sim.fit(x, y, epochs=1, verbose=0)

    run()
    return run, sim


RATIOS = [
    # label, candidate, anchor, target
    ("predict ExactLIF / nengo.LIF, minibatch 1", "p1 ExactLIF", "p1 LIF", "<= 1.1"),
    ("predict ExactLIF / nengo.LIF, minibatch 32", "p32 ExactLIF", "p32 LIF", "<= 1.1"),
    ("fit SoftLIF / nengo_dl.SoftLIFRate", "fit SoftLIF", "fit dl.SoftLIFRate",
     "<= 1.0"),
    ("fit SoftLIFRate / nengo_dl.SoftLIFRate", "fit SoftLIFRate",
     "fit dl.SoftLIFRate", "(none)"),
    # the noise floor: an anchor against a second, identical simulator
    ("noise: predict nengo.LIF / itself, minibatch 32", "p32 LIF again", "p32 LIF",
     "1"),
    ("noise: fit nengo_dl.SoftLIFRate / itself", "fit dl.SoftLIFRate again",
     "fit dl.SoftLIFRate", "1"),
]  # fmt: skip


def interleaved_best_of(cases, rounds, repeat):
    """`common.interleaved`, each time the best of ``repeat`` calls in a row."""
    best = {name: [] for name in cases}

    def best_of(name, run):
        def timed():
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                run()
                times.append(time.perf_counter() - t0)
            best[name].append(min(times))

        return timed

    interleaved({name: best_of(name, run) for name, run in cases.items()}, rounds)
    return {name: np.array(times) for name, times in best.items()}


def size_ratios(n_neurons, rounds, n_steps, repeat):
    cases = {
        "p1 LIF": predict_case(nengo.LIF(), n_neurons, 1, n_steps),
        "p1 ExactLIF": predict_case(ExactLIF(), n_neurons, 1, n_steps),
        "p32 LIF": predict_case(nengo.LIF(), n_neurons, 32, n_steps),
        "p32 ExactLIF": predict_case(ExactLIF(), n_neurons, 32, n_steps),
        "fit dl.SoftLIFRate": fit_case(nengo_dl.SoftLIFRate(sigma=0.02), n_neurons),
        "fit SoftLIF": fit_case(SoftLIF(), n_neurons),
        "fit SoftLIFRate": fit_case(SoftLIFRate(), n_neurons),
        "p32 LIF again": predict_case(nengo.LIF(), n_neurons, 32, n_steps),
        "fit dl.SoftLIFRate again": fit_case(
            nengo_dl.SoftLIFRate(sigma=0.02), n_neurons
        ),
    }
    times = interleaved_best_of(
        {name: run for name, (run, _) in cases.items()}, rounds, repeat
    )
    for _, sim in cases.values():
        sim.close()
    return {label: float(np.median(times[a] / times[b])) for label, a, b, _ in RATIOS}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 300, 1000, 10_000])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    sizes, rounds = ([1000], 3) if args.quick else (args.sizes, args.rounds)
    nengo_tuning.install_dl_builders()
    gpus = tf.config.list_physical_devices("GPU")
    results = {n: size_ratios(n, rounds, args.steps, args.repeat) for n in sizes}
    print(
        f"{rounds} interleaved rounds (best of {args.repeat} calls), medians of "
        "per-round ratios; "
        f"device: {'GPU ' + gpus[0].name if gpus else 'CPU only'}"
    )
    header = ["ratio (target)"] + [f"{n:,} neurons" for n in sizes]
    rows = [
        [f"{label} ({target})"] + [f"{results[n][label]:.2f}" for n in sizes]
        for label, _, _, target in RATIOS
    ]
    print(markdown_table(header, rows))
    return results


if __name__ == "__main__":
    main()
