"""What a study will compute, known before it runs: its cost, and its functions' points.

``cost_<study>(values)`` estimates the time and memory a study needs from all
its options together (sizes, functions and their outputs and operations, time
steps, neuron types), as a `.Cost` that
:func:`~nengo_tuning.workbench.study_limits.check_cost` holds to the bounds.
The constants are per-unit costs on one laptop core, rounded up: the estimates
are meant to be within a factor of a few, enough to refuse a run of hours or
tens of gigabytes before it starts, not to predict its time.

:func:`check_functions_at_study_points` evaluates the functions to decode at
exactly the points the study will use (the decoders' evaluation points and test
points, or the input at every time step), so that a function that is not
finite there is refused before anything runs.
"""

import numpy as np

from nengo_tuning.workbench import (
    adaptation,
    simulation,
    spikes_vs_rates,
    tuning_and_decoding,
)
from nengo_tuning.workbench.options import UsageError, default_of

__all__ = [
    "check_functions_at_study_points",
    "cost_adaptation",
    "cost_decode",
    "cost_spike_decoding",
    "cost_spikes",
]

_FLOAT = 8  # bytes
#: Seconds to evaluate an expression at one point: a fixed part, and one per
#: operation or value (`.parse_function`'s ``operations``).
_CALL_SECONDS = 25e-6
_OPERATION_SECONDS = 2e-6
#: Seconds to build and solve one decoding: fixed, per neuron and point (the
#: activities), per neuron squared and point (the least-squares solve).
_BUILD_SECONDS = 0.05
_ACTIVITY_SECONDS = 1e-8
_SOLVE_SECONDS = 2e-10
#: Seconds per `nengo.Simulator` step: fixed, per neuron, per decoded output.
_SIMULATOR_STEP_SECONDS = 100e-6
_SIMULATOR_NEURON_SECONDS = 0.2e-6
_SIMULATOR_OUTPUT_SECONDS = 0.5e-6
#: Bytes a probe keeps per step besides its values (a list of small arrays).
_PROBE_STEP_BYTES = 112
#: Seconds per call of a neuron type's own ``step``: fixed, and per neuron.
_NEURON_STEP_SECONDS = 30e-6
_NEURON_SECONDS = 0.2e-6
#: Seconds per call of the exact adaptive types' ``step`` (their numpy kernel):
#: fixed, and per iteration of its loop, one per spike of the neuron that fires
#: most in the step (a shared 2-core machine: 0.2 to 1.5 ms a call).
_ADAPTIVE_STEP_SECONDS = 400e-6
_ADAPTIVE_SPIKE_SECONDS = 400e-6
#: Memory every study needs besides its arrays (the interpreter, Nengo, numpy).
_BASE_BYTES = 300 * 2**20


def _operations(function):
    return getattr(function, "operations", 1)


def _output_size(function):
    return np.atleast_1d(function(np.zeros(1))).size


def _evaluation_seconds(function, n_points):
    return n_points * (_CALL_SECONDS + _OPERATION_SECONDS * _operations(function))


def _decode_points(values):
    """Every point ``decode`` evaluates its functions at, by (size, trial)."""
    test = simulation.default_test_points(
        1, default_of(tuning_and_decoding.decode_function, "n_test_points"), 1.0, None
    )
    sets = {("test",): test}
    for trial in range(values.trials):
        for size in values.n_neurons:
            seed = simulation.offset_seed(values.seed, trial)
            n_points = _n_eval_points(size)
            if (n_points, seed) not in sets:
                sets[n_points, seed] = simulation.decoder_eval_points(size, 1, seed)
    return sets


def _n_eval_points(n_neurons):
    from nengo.utils.builder import default_n_eval_points

    return default_n_eval_points(n_neurons, 1)


def _spike_decoding_points(values):
    """Every point ``spike-decoding`` evaluates its function at."""
    frequency = default_of(spikes_vs_rates.spiking_decoding_error, "input_frequency")
    sets = {"eval": simulation.decoder_eval_points(values.n_neurons, 1, values.seed)}
    for dt in values.dt:
        sets[dt] = simulation.sine_values(frequency, dt, values.sim_time)
    return sets


def check_functions_at_study_points(values, study_name):
    """Refuse a function that fails at a point the study will evaluate it at.

    Parameters
    ----------
    values : argparse.Namespace
        The parsed options of ``decode`` or ``spike-decoding``.
    study_name : str
        Which of the two.
    """
    from nengo_tuning.workbench.expressions import ExpressionError, apply_function

    if study_name == "decode":
        sets, functions = _decode_points(values), values.function
    else:
        sets, functions = _spike_decoding_points(values), [values.function]
    for function in functions:
        for points in sets.values():
            try:
                apply_function(function, points)
            except ExpressionError as error:
                raise UsageError(
                    f"argument --function: {error} (a point {study_name} evaluates it "
                    "at)"
                ) from None


def cost_decode(values):
    """Time and memory of ``decode``: a build and solve per size, function, trial."""
    from nengo_tuning.workbench.study_limits import Cost

    seconds = 0.0
    largest = 0.0
    for size in values.n_neurons:
        n_points = _n_eval_points(size)
        build = (
            _BUILD_SECONDS
            + _ACTIVITY_SECONDS * size * n_points
            + _SOLVE_SECONDS * size**2 * n_points
        )
        evaluate = sum(
            _evaluation_seconds(function, 2 * n_points + 201)  # and the check
            for function in values.function
        )
        seconds += values.trials * (len(values.function) * build + evaluate)
        outputs = max(_output_size(function) for function in values.function)
        largest = max(
            largest, (3 * size * n_points + 2 * size**2 + 4 * n_points * outputs)
        )
    return Cost(
        seconds=seconds,
        bytes=_BASE_BYTES + largest * _FLOAT,
        options="--n-neurons, --function, --trials",
    )


def _steps(values, dt, settle_time=0.0):
    return (values.sim_time + settle_time) / dt


def cost_spikes(values):
    """Time of ``spikes``: each type's ``step`` on one neuron per rate."""
    from nengo_tuning.workbench.study_limits import Cost

    settle_time = default_of(spikes_vs_rates.compare_spikes_to_rates, "settle_time")
    steps = len(values.neuron_type) * sum(
        _steps(values, dt, settle_time) for dt in values.dt
    )
    per_step = _NEURON_STEP_SECONDS + _NEURON_SECONDS * len(values.rates)
    return Cost(
        seconds=steps * per_step,
        bytes=_BASE_BYTES + 16 * len(values.rates) * _FLOAT,
        options="--neuron-type, --dt, --sim-time, --rates",
    )


def cost_spike_decoding(values):
    """Time and memory of ``spike-decoding``: a simulation per type and dt.

    Memory: the traces of every type and dt are kept (spiking, rate model and
    target outputs, each steps x outputs), and one simulation at a time holds
    its probes, the rate model's activities (steps x neurons) and its filtered
    copies.
    """
    from nengo_tuning.workbench.study_limits import Cost

    outputs = _output_size(values.function)
    n_types = len(values.neuron_type)
    per_step = (
        _SIMULATOR_STEP_SECONDS
        + _SIMULATOR_NEURON_SECONDS * values.n_neurons
        + _SIMULATOR_OUTPUT_SECONDS * outputs
    )
    steps = [_steps(values, dt) for dt in values.dt]
    seconds = sum(
        n_types * (s * per_step + _evaluation_seconds(values.function, s))
        + _evaluation_seconds(values.function, s)  # the check, once per dt
        for s in steps
    )
    kept = n_types * sum(steps) * (3 * outputs + 2) * _FLOAT
    one_run = max(steps) * (
        (4 * outputs + 2 * values.n_neurons) * _FLOAT + 2 * _PROBE_STEP_BYTES
    )
    return Cost(
        seconds=seconds,
        bytes=_BASE_BYTES + kept + one_run,
        options="--function, --n-neurons, --dt, --sim-time, --neuron-type",
    )


def cost_adaptation(values):
    """Time and memory of ``adaptation``: each type's ``step``, per dt.

    nengo.AdaptiveLIF costs what nengo.LIF does per call; the other (exact)
    types a fixed part and a part per spike of the step. Memory: every step's
    spike count of every neuron, at one dt at a time, and the counts kept.
    """
    import nengo

    from nengo_tuning.workbench.study_limits import Cost

    n_neurons = 1 + len(values.steady_currents)
    largest_current = max(values.current, *values.steady_currents)
    seconds = 0.0
    for neuron_type in values.neuron_type:
        for dt in values.dt:
            if type(neuron_type) is nengo.AdaptiveLIF:
                per_step = _NEURON_STEP_SECONDS + _NEURON_SECONDS * n_neurons
            else:
                spikes = adaptation.unadapted_spikes_per_step(
                    neuron_type, largest_current, dt
                )
                per_step = _ADAPTIVE_STEP_SECONDS + _ADAPTIVE_SPIKE_SECONDS * (
                    spikes + 1
                )
            seconds += _steps(values, dt) * per_step
    one_run = _steps(values, min(values.dt)) * n_neurons * _FLOAT
    kept = len(values.neuron_type) * sum(_steps(values, dt) for dt in values.dt)
    return Cost(
        seconds=seconds,
        bytes=_BASE_BYTES + one_run + kept * _FLOAT,
        options="--neuron-type, --dt, --sim-time, --current, --steady-currents",
    )
