"""Shared timing helpers for the benchmarks: interleaved rounds, median ratios.

The machines these run on are often shared and noisy, so every benchmark times
its candidates and their anchor (nengo.LIF, or NengoDL's native type) in the
same run, alternating between them round by round, and reports the median over
rounds of the ratio within each round, never absolute times alone.
"""

import time

import numpy as np


def interleaved(cases, rounds):
    """Time each zero-argument callable in ``cases`` once per round, alternating.

    Returns ``{name: array of seconds}``. The order within a round rotates, so
    that no case always runs right after the same neighbour.
    """
    names = list(cases)
    times = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            t0 = time.perf_counter()
            cases[name]()
            times[name].append(time.perf_counter() - t0)
    return {name: np.array(t) for name, t in times.items()}


def median_ratio(times, name, anchor):
    """Median over rounds of ``times[name] / times[anchor]``."""
    return float(np.median(times[name] / times[anchor]))


def markdown_table(header, rows):
    """A Markdown table as a string (``rows`` of already formatted cells)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def compiled_kernel_status():
    """Which kernel ExactLIF's step uses here, in words (for the printed header)."""
    from nengo_tuning.kernels import compiled

    if compiled.AVAILABLE:
        return f"compiled kernel available (numba {compiled.numba.__version__})"
    return "numba not installed: the numpy kernel only"


def with_numpy_kernel(block):
    """``block`` run with the compiled kernel switched off (the numpy kernel)."""
    from nengo_tuning import kernels

    def numpy_block():
        with kernels.use("numpy"):
            block()

    return numpy_block


#: Name of the numpy-kernel variant of ExactLIF in the benchmark tables.
NUMPY_KERNEL = "ExactLIF, numpy kernel"
