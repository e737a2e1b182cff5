"""Time to accuracy: decoded-output error against wall time, per neuron type and dt.

The network is ``chain`` of ``bench_networks``: a 1 Hz sine through 4 ensembles
of 300 neurons computing x -> x -> x -> x**2. The reference is the same network
(same seeds, so the same encoders and decoders) with nengo.LIFRate at
dt = 0.1 ms. For nengo.LIF, ExactLIF and nengo.LIFRate at dt in
{0.5, 1, 2, 5, 10} ms we record the wall time of ``sim.run`` and the RMSE of the
decoded x**2 (filtered, tau = 20 ms, sampled every 10 ms after 0.2 s) against
the reference. The spiking types lose accuracy with dt in different ways:
nengo.LIF emits at most one spike per step, ExactLIF every spike.

    python benchmarks/bench_accuracy.py            # table (~2 minutes)
    python benchmarks/bench_accuracy.py --plot docs/_static/time_to_accuracy.png
    python benchmarks/bench_accuracy.py --quick    # 1 s of simulated time
"""

import argparse
import time
import warnings

import nengo
import numpy as np
from bench_networks import chain
from common import markdown_table

import nengo_tuning

DTS = [0.0005, 0.001, 0.002, 0.005, 0.01]
REFERENCE_DT = 0.0001
SAMPLE_EVERY = 0.01
SETTLE = 0.2


def decoded_run(neuron_type, dt, sim_time):
    """(decoded x**2 sampled every 10 ms, wall time of sim.run)."""
    net = chain(neuron_type)
    with net:
        probe = nengo.Probe(net.ensembles[-1], synapse=0.02, sample_every=SAMPLE_EVERY)
    with nengo.Simulator(net, dt=dt, progress_bar=False) as sim:
        t0 = time.perf_counter()
        sim.run(sim_time)
        wall = time.perf_counter() - t0
        return sim.data[probe][:, 0], sim.trange(sample_every=SAMPLE_EVERY), wall


def accuracy_table(types, dts, sim_time, repeats=1):
    reference, t, _ = decoded_run(nengo.LIFRate(), REFERENCE_DT, sim_time)
    keep = t > SETTLE
    for neuron_type in types.values():
        # untimed: the first step of a process compiles the optional kernel
        decoded_run(neuron_type, dts[0], 0.05)
    results = {}
    for dt in dts:
        for _ in range(repeats):  # types interleaved, the fastest wall time kept
            for name, neuron_type in types.items():
                decoded, t_dt, wall = decoded_run(neuron_type, dt, sim_time)
                assert np.allclose(t_dt, t)
                rmse = float(np.sqrt(np.mean((decoded[keep] - reference[keep]) ** 2)))
                old = results.get((name, dt))
                if old is None or wall < old[1]:
                    results[name, dt] = (rmse, wall)
    return results


def plot(results, types, dts, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for name, marker in zip(types, "osd"):
        rmse = [results[name, dt][0] for dt in dts]
        wall = [results[name, dt][1] for dt in dts]
        ax.loglog(wall, rmse, marker=marker, label=name)
        for dt, x, y in zip(dts, wall, rmse):
            ax.annotate(f"{dt * 1e3:g}", (x, y), textcoords="offset points",
                        xytext=(4, 4), fontsize=7)  # fmt: skip
    ax.set_xlabel("wall time of sim.run (s)")
    ax.set_ylabel("RMSE of decoded x**2 vs rate model")
    ax.set_title("Time to accuracy (labels: dt in ms)")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"figure written to {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sim-time", type=float, default=2.0)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--plot", help="write the error-vs-time figure here")
    args = parser.parse_args(argv)
    sim_time = 1.0 if args.quick else args.sim_time
    types = {
        "nengo.LIF": nengo.LIF(),
        "ExactLIF": nengo_tuning.ExactLIF(),
        "nengo.LIFRate": nengo.LIFRate(),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # decoder cache notices
        results = accuracy_table(types, DTS, sim_time, args.repeats)
    print(
        f"RMSE of decoded x**2 against LIFRate at dt = 0.1 ms ({sim_time:g} s), "
        "and wall time of sim.run"
    )
    header = ["dt"] + list(types)
    rows = [
        [f"{dt * 1e3:g} ms"]
        + [f"{results[n, dt][0]:.3f} ({results[n, dt][1]:.2f} s)" for n in types]
        for dt in DTS
    ]
    print(markdown_table(header, rows))
    if args.plot:
        plot(results, types, DTS, args.plot)
    return results


if __name__ == "__main__":
    main()
