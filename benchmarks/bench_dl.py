"""NengoDL speed of the nengo_tuning builders, as ratios (one interleaved run).

* ``sim.predict`` of 1e4 neurons, minibatch 32: ExactLIF vs NengoDL's native
  nengo.LIF (target <= 1.25), and the speed-up of ExactLIF's builder over
  NengoDL's generic Python fallback (target >= 5).
* ``sim.fit`` step (one time step per example): SoftLIF and SoftLIFRate vs
  ``nengo_dl.SoftLIFRate`` (target <= 1.1).

Every simulator is built once; then the timed calls run round-robin, so that
machine noise hits all of them alike, and the medians are compared.
Run: ``python benchmarks/bench_dl.py [--repeats N]``.
"""

import argparse
import time
import warnings

import nengo
import nengo_dl
import numpy as np
import tensorflow as tf

import nengo_tuning
from nengo_tuning import ExactLIF, SoftLIF, SoftLIFRate

warnings.filterwarnings("ignore", message="No GPU support detected")
warnings.filterwarnings("ignore", message=".*native TensorFlow implementation")

N_NEURONS = 10_000
MINIBATCH = 32
D_IN, D_OUT = 64, 10


def make_net(neuron_type, seed=0):
    with nengo.Network(seed=seed) as net:
        nengo_dl.configure_settings(stateful=False)
        inp = nengo.Node(np.zeros(D_IN))
        ens = nengo.Ensemble(N_NEURONS, 1, neuron_type=neuron_type)
        out = nengo.Node(size_in=D_OUT)
        nengo.Connection(
            inp, ens.neurons, transform=nengo_dl.dists.Glorot(), synapse=None
        )
        nengo.Connection(
            ens.neurons, out, transform=nengo_dl.dists.Glorot(), synapse=None
        )
        probe = nengo.Probe(out)
    return net, probe


def predict_case(neuron_type, n_steps, fallback=False):
    """A zero-argument callable running one sim.predict (built eagerly)."""
    net, _ = make_net(neuron_type)
    impl = nengo_dl.neuron_builders.SimNeuronsBuilder.TF_NEURON_IMPL
    removed = impl.pop(type(neuron_type)) if fallback else None
    try:
        sim = nengo_dl.Simulator(net, minibatch_size=MINIBATCH, progress_bar=False)
    finally:
        if removed is not None:
            impl[type(neuron_type)] = removed
    x = np.random.RandomState(0).uniform(-1, 1, (MINIBATCH, n_steps, D_IN))
    run = lambda: sim.predict(x, verbose=0)
    run()  # warm up (graph tracing)
    return run, sim


def fit_case(neuron_type, n_batches=8):
    net, _probe = make_net(neuron_type)
    sim = nengo_dl.Simulator(net, minibatch_size=MINIBATCH, progress_bar=False)
    sim.compile(optimizer=tf.optimizers.SGD(1e-3), loss=tf.losses.mse)
    rng = np.random.RandomState(0)
    x = rng.uniform(-1, 1, (MINIBATCH * n_batches, 1, D_IN))
    y = rng.uniform(-1, 1, (MINIBATCH * n_batches, 1, D_OUT))
    run = lambda: sim.fit(x, y, epochs=1, verbose=0)
    run()
    return run, sim


def main(repeats=7, n_steps=50):
    nengo_tuning.install_dl_builders()
    cases = {
        # the cost of everything but the neurons: a native one-op neuron type
        "predict RectifiedLinear": predict_case(nengo.RectifiedLinear(), n_steps),
        "predict nengo.LIF": predict_case(nengo.LIF(), n_steps),
        "predict ExactLIF": predict_case(ExactLIF(), n_steps),
        "predict ExactLIF fallback": predict_case(ExactLIF(), n_steps, fallback=True),
        "fit nengo_dl.SoftLIFRate": fit_case(nengo_dl.SoftLIFRate(sigma=0.02)),
        "fit SoftLIFRate": fit_case(SoftLIFRate()),
        "fit SoftLIF": fit_case(SoftLIF()),
    }
    times = {name: [] for name in cases}
    for _ in range(repeats):
        for name, (run, _) in cases.items():
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
    for _, sim in cases.values():
        sim.close()

    times = {name: np.array(t) for name, t in times.items()}
    med = {name: float(np.median(t)) for name, t in times.items()}
    print(f"{N_NEURONS} neurons, minibatch {MINIBATCH}, {repeats} interleaved repeats")
    for name, t in med.items():
        print(f"  {name:28s} median {t * 1000:9.1f} ms")
    ratios = [
        ("ExactLIF / nengo.LIF (predict)", "predict ExactLIF", "predict nengo.LIF",
         "<= 1.25"),
        ("fallback / ExactLIF (predict)", "predict ExactLIF fallback",
         "predict ExactLIF", ">= 5"),
        ("SoftLIFRate / nengo_dl.SoftLIFRate (fit)", "fit SoftLIFRate",
         "fit nengo_dl.SoftLIFRate", "<= 1.1"),
        ("SoftLIF / nengo_dl.SoftLIFRate (fit)", "fit SoftLIF",
         "fit nengo_dl.SoftLIFRate", "<= 1.1"),
    ]  # fmt: skip
    print("Ratios (median over repeats of the ratio within each repeat):")
    for label, a, b, target in ratios:
        ratio = np.median(times[a] / times[b])
        print(f"  {label:42s} {ratio:6.2f}  (target {target})")
    # The network's matmuls, probes and loop cost the same whatever the neurons;
    # subtracting that floor leaves the neuron op's own cost.
    floor = times["predict RectifiedLinear"]
    op_speedup = np.median(
        (times["predict ExactLIF fallback"] - floor)
        / np.maximum(times["predict ExactLIF"] - floor, 1e-9)
    )
    print(
        f"  {'fallback / ExactLIF, neuron op only':42s} {op_speedup:6.2f}  "
        f"(predict time above the RectifiedLinear floor)"
    )
    return med


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=50)
    args = parser.parse_args()
    main(args.repeats, args.steps)
