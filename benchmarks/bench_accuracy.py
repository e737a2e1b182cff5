"""Time to accuracy: decoded-output error against wall time, per neuron type and dt.

The network is ``chain`` of ``bench_networks``: a 1 Hz sine through 4 ensembles
of 300 neurons computing x -> x -> x -> x**2. For each type of a family and each
dt we record the wall time of ``sim.run`` and the RMSE of the decoded x**2
(filtered, tau = 20 ms, sampled every 10 ms after 0.2 s) against a reference:
the same network (same seeds, so the same encoders and decoders) with the
family's reference type at a small dt (`FAMILIES`).

* ``--family lif`` (the default): nengo.LIF, ExactLIF and nengo.LIFRate at
  dt in {0.5, 1, 2, 5, 10} ms, against nengo.LIFRate at dt = 0.1 ms. The
  spiking types lose accuracy with dt in different ways: nengo.LIF emits at most
  one spike per step, ExactLIF every spike.
* ``--family adaptive``: nengo.AdaptiveLIF, ExactAdaptiveLIF and
  nengo.AdaptiveLIFRate, also at 0.1 and 0.2 ms, against nengo.AdaptiveLIF at
  dt = 0.01 ms, where its spikes are those of the continuous model (the rate
  model is no reference here: its adaptation follows the rate, not the spikes'
  sawtooth, so its steady rates differ). ``--adaptation`` chooses nengo's
  default (tau_n = 1 s, inc_n = 0.01) or fast adaptation (0.1 s, 0.05).

    python benchmarks/bench_accuracy.py            # table (~2 minutes)
    python benchmarks/bench_accuracy.py --plot docs/_static/time_to_accuracy.png
    python benchmarks/bench_accuracy.py --family adaptive --adaptation fast
    python benchmarks/bench_accuracy.py --quick    # 1 s of simulated time
"""

import argparse
import time
import warnings
from typing import NamedTuple

import nengo
import numpy as np
from bench_networks import chain
from common import markdown_table

import nengo_tuning

#: tau_n, inc_n of the adaptive family (as in adaptive_step.py)
ADAPTATION = {"default": (1.0, 0.01), "fast": (0.1, 0.05)}


class Family(NamedTuple):
    """The types compared, the dts they run at, and the reference they are held to."""

    types: dict  # label: neuron type
    dts: list
    reference: object  # a neuron type
    reference_dt: float


def family(name, adaptation="default"):
    if name == "lif":
        types = {
            "nengo.LIF": nengo.LIF(),
            "ExactLIF": nengo_tuning.ExactLIF(),
            "nengo.LIFRate": nengo.LIFRate(),
        }
        return Family(types, [0.0005, 0.001, 0.002, 0.005, 0.01], nengo.LIFRate(), 1e-4)
    tau_n, inc_n = ADAPTATION[adaptation]
    types = {
        "nengo.AdaptiveLIF": nengo.AdaptiveLIF(tau_n=tau_n, inc_n=inc_n),
        "ExactAdaptiveLIF": nengo_tuning.ExactAdaptiveLIF(tau_n=tau_n, inc_n=inc_n),
        "nengo.AdaptiveLIFRate": nengo.AdaptiveLIFRate(tau_n=tau_n, inc_n=inc_n),
    }
    dts = [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01]
    reference = nengo.AdaptiveLIF(tau_n=tau_n, inc_n=inc_n)
    return Family(types, dts, reference, 1e-5)


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


def accuracy_table(types, dts, sim_time, repeats=1, reference=None, reference_dt=1e-4):
    reference_type = nengo.LIFRate() if reference is None else reference
    reference, t, _ = decoded_run(reference_type, reference_dt, sim_time)
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


def plot(results, types, dts, path, reference="rate model"):
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
    ax.set_ylabel(f"RMSE of decoded x**2 vs {reference}")
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
    parser.add_argument("--family", choices=["lif", "adaptive"], default="lif")
    parser.add_argument("--adaptation", choices=list(ADAPTATION), default="default")
    args = parser.parse_args(argv)
    sim_time = 1.0 if args.quick else args.sim_time
    types, dts, reference, reference_dt = family(args.family, args.adaptation)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # decoder cache notices
        results = accuracy_table(
            types, dts, sim_time, args.repeats, reference, reference_dt
        )
    label = f"{reference} at dt = {reference_dt * 1e3:g} ms"
    print(
        f"RMSE of decoded x**2 against {label} ({sim_time:g} s), "
        "and wall time of sim.run"
    )
    header = ["dt"] + list(types)
    rows = [
        [f"{dt * 1e3:g} ms"]
        + [f"{results[n, dt][0]:.3f} ({results[n, dt][1]:.2f} s)" for n in types]
        for dt in dts
    ]
    print(markdown_table(header, rows))
    if args.plot:
        plot(results, types, dts, args.plot, label)
    return results


if __name__ == "__main__":
    main()
