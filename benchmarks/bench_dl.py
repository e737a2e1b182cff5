"""NengoDL speed of the nengo_tuning builders, as ratios (interleaved runs).

For each ensemble size (default 50, 300, 1 000 and 10 000 neurons):

* ``sim.predict`` (``--steps`` time steps, default 50) with ExactLIF against
  NengoDL's native nengo.LIF, at minibatch 1 and 32 (target <= 1.05);
* ``sim.fit`` (one time step per example, minibatch 32, 8 batches) with SoftLIF
  against ``nengo_dl.SoftLIFRate`` (target <= 1.0), and SoftLIFRate for
  comparison (left out with ``--predict-only``);
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

A ratio measured in one process can differ from one measured in another by
more than the rounds inside either show (on a loaded machine, the cost of
launching an XLA computation and of XLA's split loops moves with the load of
the other cores; the benchmarks page has the figures): ``--processes N`` runs the whole
benchmark in N fresh interpreters, one after the other, and reports for every
ratio the median and the range (min-max) of the N per-process medians, and the
per-process times of each case. The benchmark writes no files.

    python benchmarks/bench_dl.py                    # ~8 minutes on 2 cores
    python benchmarks/bench_dl.py --quick            # 1 000 neurons, 3 rounds
    python benchmarks/bench_dl.py --sizes 50 300 1000 10000 100000
    python benchmarks/bench_dl.py --predict-only --steps 300 --sizes 300 1000 \\
        --processes 5                                # ~10 minutes on 2 cores
"""

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

# Keras writes its configuration file under ~/.keras on import unless KERAS_HOME
# says where: a temporary folder, removed on exit (child processes inherit it)
if "KERAS_HOME" not in os.environ:
    os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="bench_dl_keras_")
    atexit.register(shutil.rmtree, os.environ["KERAS_HOME"], ignore_errors=True)

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

#: The line prefix of a child process's result (``--json``).
JSON_PREFIX = "bench_dl result: "


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
    # label, candidate, anchor, target, a fit ratio
    ("predict ExactLIF / nengo.LIF, minibatch 1", "p1 ExactLIF", "p1 LIF",
     "<= 1.05", False),
    ("predict ExactLIF / nengo.LIF, minibatch 32", "p32 ExactLIF", "p32 LIF",
     "<= 1.05", False),
    ("fit SoftLIF / nengo_dl.SoftLIFRate", "fit SoftLIF", "fit dl.SoftLIFRate",
     "<= 1.0", True),
    ("fit SoftLIFRate / nengo_dl.SoftLIFRate", "fit SoftLIFRate",
     "fit dl.SoftLIFRate", "(none)", True),
    # the noise floor: an anchor against a second, identical simulator
    ("noise: predict nengo.LIF / itself, minibatch 1", "p1 LIF again", "p1 LIF",
     "1", False),
    ("noise: predict nengo.LIF / itself, minibatch 32", "p32 LIF again", "p32 LIF",
     "1", False),
    ("noise: fit nengo_dl.SoftLIFRate / itself", "fit dl.SoftLIFRate again",
     "fit dl.SoftLIFRate", "1", True),
]  # fmt: skip


def ratios_run(predict_only):
    """The rows of `RATIOS` that a run measures."""
    return [row for row in RATIOS if not (predict_only and row[4])]


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


def size_ratios(n_neurons, rounds, n_steps, repeat, predict_only=False):
    """``({ratio label: median ratio}, {case: median seconds})`` at one size."""
    builds = {
        "p1 LIF": lambda: predict_case(nengo.LIF(), n_neurons, 1, n_steps),
        "p1 ExactLIF": lambda: predict_case(ExactLIF(), n_neurons, 1, n_steps),
        "p32 LIF": lambda: predict_case(nengo.LIF(), n_neurons, 32, n_steps),
        "p32 ExactLIF": lambda: predict_case(ExactLIF(), n_neurons, 32, n_steps),
        "p1 LIF again": lambda: predict_case(nengo.LIF(), n_neurons, 1, n_steps),
        "p32 LIF again": lambda: predict_case(nengo.LIF(), n_neurons, 32, n_steps),
    }
    if not predict_only:
        builds.update(
            {
                "fit dl.SoftLIFRate": lambda: fit_case(
                    nengo_dl.SoftLIFRate(sigma=0.02), n_neurons
                ),
                "fit SoftLIF": lambda: fit_case(SoftLIF(), n_neurons),
                "fit SoftLIFRate": lambda: fit_case(SoftLIFRate(), n_neurons),
                "fit dl.SoftLIFRate again": lambda: fit_case(
                    nengo_dl.SoftLIFRate(sigma=0.02), n_neurons
                ),
            }
        )
    cases = {name: build() for name, build in builds.items()}
    times = interleaved_best_of(
        {name: run for name, (run, _) in cases.items()}, rounds, repeat
    )
    for _, sim in cases.values():
        sim.close()
    ratios = {
        label: float(np.median(times[a] / times[b]))
        for label, a, b, _, _ in ratios_run(predict_only)
    }
    return ratios, {name: float(np.median(t)) for name, t in times.items()}


def device_name():
    gpus = tf.config.list_physical_devices("GPU")
    return "GPU " + gpus[0].name if gpus else "CPU only"


def print_table(header_line, sizes, cells, predict_only):
    """Print ``header_line`` and the table of ratios (``cells[n][label]``)."""
    print(header_line)
    header = ["ratio (target)"] + [f"{n:,} neurons" for n in sizes]
    rows = [
        [f"{label} ({target})"] + [cells[n][label] for n in sizes]
        for label, _, _, target, _ in ratios_run(predict_only)
    ]
    print(markdown_table(header, rows))


def run_processes(args, argv):
    """Run the benchmark in ``args.processes`` fresh interpreters; the summary."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # the same arguments; argparse takes the last --processes, so the child runs
    # the benchmark itself
    child_argv = [*argv, "--processes", "0", "--json"]
    results = []
    for i in range(args.processes):
        out = subprocess.run(
            [sys.executable, os.path.abspath(__file__), *child_argv],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        line = next(x for x in out.splitlines() if x.startswith(JSON_PREFIX))
        results.append(json.loads(line[len(JSON_PREFIX) :]))
        print(f"process {i + 1} of {args.processes} done", file=sys.stderr)
    sizes = [int(n) for n in results[0]["ratios"]]
    ratios = {
        n: {
            label: np.array([r["ratios"][str(n)][label] for r in results])
            for label, *_ in ratios_run(args.predict_only)
        }
        for n in sizes
    }
    cells = {
        n: {
            label: f"{np.median(v):.2f} ({v.min():.2f}-{v.max():.2f})"
            for label, v in ratios[n].items()
        }
        for n in sizes
    }
    r0 = results[0]
    print_table(
        f"{args.processes} processes, each {r0['rounds']} interleaved rounds (best "
        f"of {args.repeat} calls), {args.steps} steps; median (min-max) over "
        f"processes of the per-process medians of per-round ratios; TensorFlow "
        f"{tf.__version__}, device: {r0['device']}",
        sizes,
        cells,
        args.predict_only,
    )
    print("\nper-process median time of each case (ms), in run order")
    names = list(results[0]["times"][str(sizes[0])])
    header = ["case"] + [f"{n:,}: process 1..{args.processes}" for n in sizes]
    rows = [
        [name]
        + [
            " ".join(f"{1e3 * r['times'][str(n)][name]:.1f}" for r in results)
            for n in sizes
        ]
        for name in names
    ]
    print(markdown_table(header, rows))
    return {"ratios": ratios, "results": results}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 300, 1000, 10_000])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--predict-only", action="store_true", help="leave out the sim.fit cases"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=0,
        help="run the benchmark in this many fresh interpreters and summarise",
    )
    parser.add_argument(
        "--json", action="store_true", help="print the result as one JSON line"
    )
    args = parser.parse_args(argv)
    if args.processes < 0:
        parser.error(f"--processes must be 0 or more, not {args.processes}")
    if args.processes:
        return run_processes(args, argv)
    sizes, rounds = ([1000], 3) if args.quick else (args.sizes, args.rounds)
    nengo_tuning.install_dl_builders()
    results, times = {}, {}
    for n in sizes:
        results[n], times[n] = size_ratios(
            n, rounds, args.steps, args.repeat, args.predict_only
        )
    if args.json:
        result = {
            "rounds": rounds,
            "device": device_name(),
            "ratios": results,
            "times": times,
        }
        print(JSON_PREFIX + json.dumps(result), flush=True)
        return result
    cells = {n: {k: f"{v:.2f}" for k, v in results[n].items()} for n in sizes}
    print_table(
        f"{rounds} interleaved rounds (best of {args.repeat} calls), {args.steps} "
        f"steps, medians of per-round ratios; device: {device_name()}",
        sizes,
        cells,
        args.predict_only,
    )
    return results


if __name__ == "__main__":
    main()
