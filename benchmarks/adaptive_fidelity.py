"""Spike-count fidelity of ExactAdaptiveLIF and nengo.AdaptiveLIF (issue 17's table).

For each (tau_n, inc_n) case and dt, 12 neurons with J evenly spaced in 1.2-40,
tau_ref = 2 ms, random initial voltages (the same for every type), run for 2 s
under constant J. The table gives the largest |spike-count error| at any step
against the continuous-time model, computed by the event-driven reference of
the test suite (tests/reference_adaptive_lif.py, closed forms between events,
crossings by bisection), which is independent of nengo_tuning's kernel.

    python benchmarks/adaptive_fidelity.py [--duration 2] [--tau-ref 0.002]
"""

import argparse
import sys
from pathlib import Path

import nengo
import numpy as np
from common import markdown_table

import nengo_tuning

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from reference_adaptive_lif import EventAdaptiveLIF

TAU_RC = 0.02
CASES = [(0.1, 0.05), (0.02, 0.2), (0.005, 0.5), (1.0, 0.01)]
BASE_DT = 0.0005
DT_MULTIPLES = [1, 2, 4, 10, 20]  # 0.5, 1, 2, 5, 10 ms


def reference_counts(J, voltage0, tau_ref, tau_n, inc_n, n_steps):
    """Cumulative reference counts at every multiple of BASE_DT, (steps, neurons)."""
    refs = [
        EventAdaptiveLIF(TAU_RC, tau_ref, tau_n, inc_n, voltage=v) for v in voltage0
    ]
    counts = np.zeros((n_steps, len(J)))
    total = np.zeros(len(J))
    for step in range(n_steps):
        total += [ref.step(BASE_DT, j) for ref, j in zip(refs, J.tolist())]
        counts[step] = total
    return counts


def type_counts(neuron_type, J, voltage0, dt, n_steps):
    """Cumulative counts of ``neuron_type`` stepped ``n_steps`` times by ``dt``."""
    voltage = voltage0.copy()
    refractory_time, adaptation = np.zeros_like(J), np.zeros_like(J)
    output = np.zeros_like(J)
    counts = np.zeros((n_steps, len(J)))
    total = np.zeros(len(J))
    for step in range(n_steps):
        neuron_type.step(dt, J, output, voltage, refractory_time, adaptation)
        total += np.round(output * dt / neuron_type.amplitude)
        counts[step] = total
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=2.0)
    parser.add_argument("--tau-ref", type=float, default=0.002)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.RandomState(args.seed)
    J = np.linspace(1.2, 40, 12)
    n_base = round(args.duration / BASE_DT)

    errors = {}
    for tau_n, inc_n in CASES:
        voltage0 = rng.uniform(0, 1, size=J.size)
        ref = reference_counts(J, voltage0, args.tau_ref, tau_n, inc_n, n_base)
        types = {
            "nengo.AdaptiveLIF": nengo.AdaptiveLIF(
                tau_n=tau_n, inc_n=inc_n, tau_ref=args.tau_ref
            ),
            "ExactAdaptiveLIF": nengo_tuning.ExactAdaptiveLIF(
                tau_n=tau_n, inc_n=inc_n, tau_ref=args.tau_ref
            ),
        }
        for multiple in DT_MULTIPLES:
            dt = BASE_DT * multiple
            n_steps = n_base // multiple
            expected = ref[multiple - 1 :: multiple][:n_steps]
            for name, neuron_type in types.items():
                got = type_counts(neuron_type, J, voltage0, dt, n_steps)
                errors[name, dt, tau_n, inc_n] = int(np.max(np.abs(got - expected)))
            print(f"done tau_n={tau_n} inc_n={inc_n} dt={dt}", file=sys.stderr)

    header = ["dt"] + [f"tau_n {t:g}, inc_n {i:g}" for t, i in CASES]
    rows = []
    for multiple in DT_MULTIPLES:
        dt = BASE_DT * multiple
        cells = [
            f"{errors['nengo.AdaptiveLIF', dt, t, i]} / "
            f"{errors['ExactAdaptiveLIF', dt, t, i]}"
            for t, i in CASES
        ]
        rows.append([f"{dt * 1e3:g} ms"] + cells)
    print(
        f"Largest |spike-count error| at any step, nengo.AdaptiveLIF / "
        f"ExactAdaptiveLIF (12 neurons, J 1.2-40, {args.duration:g} s, "
        f"tau_ref {args.tau_ref * 1e3:g} ms, seed {args.seed})"
    )
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
