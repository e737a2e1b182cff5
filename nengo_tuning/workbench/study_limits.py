"""The command's input limits that involve several options, and their checks.

Each bound below is checked before any study runs (``check_<study>``), so that
one study fits in memory and finishes in minutes on a laptop; the reference
page (``docs/cli.rst``, "Input limits") and ``--help`` list them from the
studies' declarations in :mod:`nengo_tuning.workbench.study_table`.
"""

from dataclasses import dataclass

import numpy as np

from nengo_tuning.kernels.adaptive_lif_xp import MAX_RESOLVED_SPIKES
from nengo_tuning.workbench import adaptation, spikes_vs_rates
from nengo_tuning.workbench.expressions import MAX_VALUE
from nengo_tuning.workbench.options import UsageError, default_of

__all__ = [
    "MAX_ACTIVITY_VALUES",
    "MAX_DECODED_NEURONS",
    "MAX_ESTIMATED_BYTES",
    "MAX_ESTIMATED_SECONDS",
    "MAX_NEURON_STEPS",
    "MAX_SIMULATOR_STEPS",
    "MAX_SPIKES_PER_STEP",
    "MIN_SIM_TIME_IN_TAU_N",
    "ONE_STEP_LIMIT",
    "Cost",
    "check_adaptation",
    "check_cost",
    "check_decode",
    "check_spike_decoding",
    "check_spikes",
]

#: Most time steps ``spikes`` may run, summed over its dts and neuron types (the
#: neuron types' own ``step``: about 10 us a step, half a minute in all).
MAX_NEURON_STEPS = 2_000_000
#: Most time steps ``spike-decoding`` may simulate, summed over its dts and neuron
#: types (`nengo.Simulator`: about 50 us a step, a minute in all).
MAX_SIMULATOR_STEPS = 1_000_000
#: Most rate-model activities (time steps x neurons) held in memory at one dt in
#: ``spike-decoding`` (400 MB as float64).
MAX_ACTIVITY_VALUES = 50_000_000
#: Most neurons ``decode`` may build in all (sizes x functions x trials).
MAX_DECODED_NEURONS = 100_000
#: Shortest ``adaptation`` run, in units of ``--tau-n``: the steady rate is
#: measured over the last `.STEADY_FRACTION` of the run, which then starts five
#: ``tau_n`` after the step (the adaptation has settled to within 1 %).
MIN_SIM_TIME_IN_TAU_N = 10
#: Most spikes ``adaptation`` lets an exact type fire in one step, unadapted
#: (its rate curve x dt): a step can hold one spike more than that, and the
#: kernel resolves at most `.MAX_RESOLVED_SPIKES` (a bound on its work).
MAX_SPIKES_PER_STEP = MAX_RESOLVED_SPIKES - 2


#: Largest relative difference between a requested rate and the rate curve at
#: the current computed for it (else the rate cannot be measured).
RATE_TOLERANCE = 1e-3
#: Longest run any study may be expected to take, in seconds, estimated from all
#: its options together (on a laptop core; see `Cost`).
MAX_ESTIMATED_SECONDS = 600.0
#: Most memory any study may be expected to hold at once, in bytes.
MAX_ESTIMATED_BYTES = 4 * 2**30


#: The time and memory bounds in words (``--help`` and the reference page).
COST_LIMIT = (
    f"estimated run time at most {MAX_ESTIMATED_SECONDS / 60:g} minutes and memory "
    f"at most {MAX_ESTIMATED_BYTES / 2**30:g} GiB, from all options together "
    "(function outputs and operations included)"
)
#: The check of the functions at the study's own points, in words.
POINTS_LIMIT = (
    f"--function finite (and at most {MAX_VALUE:g} in magnitude) at every point "
    "the study evaluates it at"
)


@dataclass(frozen=True)
class Cost:
    """The time and memory a study is expected to need, estimated before it runs.

    Attributes
    ----------
    seconds : float
        Estimated run time on one laptop core.
    bytes : float
        Estimated peak memory of the arrays the study holds.
    options : str
        The options the estimate depends on, for the message that refuses it
        (e.g. ``"--function, --n-neurons, --trials"``).
    """

    seconds: float
    bytes: float
    options: str


def _format_bytes(count):
    return f"{count / 2**30:.3g} GiB" if count >= 2**30 else f"{count / 2**20:.3g} MiB"


def check_cost(study_name, cost):
    """Raise `.UsageError` if ``cost`` exceeds the time or memory bound."""
    if cost.seconds > MAX_ESTIMATED_SECONDS:
        raise UsageError(
            f"arguments {cost.options}: {study_name} would take about "
            f"{cost.seconds / 60:.3g} minutes (estimated from these options "
            f"together); at most {MAX_ESTIMATED_SECONDS / 60:g} minutes are allowed"
        )
    if cost.bytes > MAX_ESTIMATED_BYTES:
        raise UsageError(
            f"arguments {cost.options}: {study_name} would need about "
            f"{_format_bytes(cost.bytes)} of memory (estimated from these options "
            f"together); at most {_format_bytes(MAX_ESTIMATED_BYTES)} are allowed"
        )


def _label(neuron_type):
    from nengo_tuning.workbench.neuron_specs import neuron_type_label

    return neuron_type_label(neuron_type)


def _count_steps(values, settle_time=0.0):
    """Time steps the study simulates in all, per neuron type and dt summed."""
    per_type = sum((values.sim_time + settle_time) / dt for dt in values.dt)
    return len(values.neuron_type) * per_type


def _check_time_steps(values, most, settle_time=0.0):
    steps = _count_steps(values, settle_time)
    if steps > most:
        raise UsageError(
            f"arguments --sim-time, --dt, --neuron-type: {steps:.3g} time steps in "
            f"all (sum over types and dts of time / dt); at most {most:g} are "
            "allowed (use a shorter --sim-time, larger or fewer --dt)"
        )


#: The run length against the time steps, in words (``--help``, reference page).
ONE_STEP_LIMIT = "--sim-time at least the largest --dt (one time step or more)"


def _check_one_step_at_least(values, what):
    """Refuse a ``--sim-time`` shorter than a ``--dt``: no step would be run."""
    largest = max(values.dt)
    if not values.sim_time >= largest:
        raise UsageError(
            f"arguments --sim-time, --dt: --sim-time {values.sim_time:g} s is "
            f"shorter than the largest --dt ({largest:g} s), so not one time step "
            f"would be {what} (use a longer --sim-time or smaller --dt)"
        )


def check_decode(values):
    """The neurons ``decode`` builds in all."""
    built = sum(values.n_neurons) * len(values.function) * values.trials
    if built > MAX_DECODED_NEURONS:
        raise UsageError(
            f"arguments --n-neurons, --function, --trials: {built} neurons to build "
            "in all (sum of sizes x functions x trials); at most "
            f"{MAX_DECODED_NEURONS} are allowed"
        )


def check_spikes(values):
    """The steps ``spikes`` runs, and rates every neuron type can reach."""
    from nengo.exceptions import ValidationError

    settle_time = default_of(spikes_vs_rates.compare_spikes_to_rates, "settle_time")
    _check_one_step_at_least(values, "measured")
    _check_time_steps(values, MAX_NEURON_STEPS, settle_time)
    for neuron_type in values.neuron_type:
        try:
            currents = spikes_vs_rates.currents_for_rates(neuron_type, values.rates)
        except ValidationError as error:
            raise UsageError(
                f"argument --rates: not all reachable by {_label(neuron_type)}: "
                f"{error}"
            ) from None
        _check_rates_are_measurable(neuron_type, values.rates, currents)


def _check_rates_are_measurable(neuron_type, rates, currents):
    """Refuse rates at which the type's curve does not give the rate asked for.

    With extreme parameters (``tau_rc=1e-9``) the current for a rate rounds to
    the threshold in float64, where the curve gives 0 Hz: the relative error
    there could only be printed as NaN.
    """
    with np.errstate(all="ignore"):
        curve = np.asarray(
            neuron_type.rates(
                np.zeros((1, currents.size)), np.ones_like(currents), currents
            )
        ).ravel()
        wrong = ~(np.abs(curve - rates) <= RATE_TOLERANCE * np.asarray(rates))
    if np.any(wrong):
        i = int(np.argmax(wrong))
        raise UsageError(
            f"argument --rates: {_label(neuron_type)} cannot be set to "
            f"{rates[i]:g} Hz: at the current computed for it (J = {currents[i]:.6g}) "
            f"its rate curve gives {curve[i]:.6g} Hz (float64 precision); choose "
            "other rates or parameters"
        )


def check_spike_decoding(values):
    """The steps ``spike-decoding`` simulates, and the rate model's activities."""
    _check_one_step_at_least(values, "simulated")
    _check_time_steps(values, MAX_SIMULATOR_STEPS)
    activities = values.sim_time / min(values.dt) * values.n_neurons
    if activities > MAX_ACTIVITY_VALUES:
        raise UsageError(
            "arguments --sim-time, --dt, --n-neurons: the rate model needs "
            f"{activities:.3g} activity values (time / smallest dt x neurons); at "
            f"most {MAX_ACTIVITY_VALUES:g} are allowed"
        )


def _adaptation_parameters_set_by_type(neuron_type):
    """The adaptation parameters a type sets itself, away from its class defaults."""
    try:
        defaults = type(neuron_type)()
    except (TypeError, ValueError):  # a class without defaults: nothing to compare
        return []
    return [
        name
        for name in ("tau_n", "inc_n")
        if getattr(neuron_type, name) != getattr(defaults, name)
    ]


def check_adaptation(values):
    """The types, steps, run length and bins of ``adaptation``."""
    import nengo

    for neuron_type in values.neuron_type:
        label = _label(neuron_type)
        if not adaptation.is_adaptive_lif(neuron_type):
            raise UsageError(
                f"argument --neuron-type: {label} is not a spiking adaptive LIF "
                "type; name nengo.AdaptiveLIF, nengo_tuning.ExactAdaptiveLIF or "
                "another subclass of nengo.AdaptiveLIF"
            )
        for name in _adaptation_parameters_set_by_type(neuron_type):
            flag = "--" + name.replace("_", "-")
            raise UsageError(
                f"argument --neuron-type: {label} sets {name}; give it with {flag} "
                "instead (it applies to every type, so that they are compared "
                "alike)"
            )
    _check_time_steps(values, MAX_NEURON_STEPS)
    shortest = MIN_SIM_TIME_IN_TAU_N * values.tau_n
    if values.sim_time < shortest:
        raise UsageError(
            f"arguments --sim-time, --tau-n: --sim-time {values.sim_time:g} s is "
            f"shorter than {MIN_SIM_TIME_IN_TAU_N} x --tau-n = {shortest:g} s, so "
            "the steady rate would be measured before the adaptation settles"
        )
    if not max(values.dt) <= values.bin_width <= values.sim_time:
        raise UsageError(
            f"arguments --bin-width, --dt, --sim-time: --bin-width "
            f"{values.bin_width:g} s must be at least the largest --dt "
            f"({max(values.dt):g} s) and at most --sim-time ({values.sim_time:g} s)"
        )
    largest_current = max(values.current, *values.steady_currents)
    for neuron_type in values.neuron_type:
        if type(neuron_type) is nengo.AdaptiveLIF:
            continue  # (it keeps at most one spike a step)
        spikes = adaptation.unadapted_spikes_per_step(
            neuron_type, largest_current, max(values.dt)
        )
        if not spikes <= MAX_SPIKES_PER_STEP:
            raise UsageError(
                f"arguments --dt, --current, --steady-currents: {_label(neuron_type)} "
                f"would fire up to {spikes:.3g} spikes in one step at J = "
                f"{largest_current:g} and dt = {max(values.dt):g} s; at most "
                f"{MAX_SPIKES_PER_STEP} are allowed (use smaller --dt or "
                "currents)"
            )
