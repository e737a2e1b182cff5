"""Every study of the ``nengo-tuning`` command, declared once.

A `Study` names the analysis it runs, its options (with their bounds and
defaults; a default equal to the analysis function's own is read from its
signature), the figures it writes, a check of the limits that involve several
options, and the function that runs the analysis and writes its tables and
figures. The parser, ``--help``, the ``report`` command and the reference page
(``docs/cli.rst``) are all generated from :data:`STUDIES`; captions take their
numbers from the options and from the analysis' result records.

To add a study: write its analysis function (returning a record), its writer
(``write_<study>(report, values)`` below) and one `Study` entry in
:data:`STUDIES`.
"""

from dataclasses import dataclass, field

import numpy as np

from nengo_tuning.workbench import rate_curves, spikes_vs_rates, tuning_and_decoding
from nengo_tuning.workbench.options import (
    FunctionExpression,
    NeuronTypeName,
    Number,
    Option,
    UsageError,
    WholeNumber,
    default_of,
)

__all__ = [
    "MAX_ACTIVITY_VALUES",
    "MAX_DECODED_NEURONS",
    "MAX_NEURON_STEPS",
    "MAX_SIMULATOR_STEPS",
    "STUDIES",
    "Study",
    "study_named",
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
#: Rates (Hz) at which the spike-rate table reports the relative error.
RATE_BANDS = (50.0, 200.0, 400.0)
#: Points of the 2-D tuning-curve panel.
TUNING_POINTS_2D = 400

_EXACT_DEFAULT = "nengo_tuning.ExactLIF"

#: The neuron types the spiking studies compare by default.
SPIKING_TYPES = Option(
    "--neuron-type",
    NeuronTypeName(),
    ("nengo.LIF", _EXACT_DEFAULT),
    "spiking neuron types",
    many=8,
)


def _time_steps_option(default):
    return Option(
        "--dt", Number(1e-5, 0.1, "s"), default, "time steps in seconds", many=20
    )


def _sim_time_option(default, meaning):
    return Option("--sim-time", Number(0.01, 100.0, "s"), default, meaning)


def _for_each_type(analysis, values, **kwargs):
    """Run ``analysis`` for each of ``values.neuron_type`` (a progress bar)."""
    from nengo_tuning.workbench.simulation import progress_bar

    neuron_types = progress_bar(values.neuron_type, values.progress, "neuron types")
    return [
        analysis(
            neuron_type,
            dts=values.dt,
            sim_time=values.sim_time,
            seed=values.seed,
            **kwargs,
        )
        for neuron_type in neuron_types
    ]


@dataclass(frozen=True)
class Study:
    """One study of the command.

    Parameters
    ----------
    name : str
        The subcommand.
    help : str
        One line: what it shows.
    analysis : callable
        The analysis function it runs (named in the reference page).
    write : callable
        ``write(report, values)``: runs the analysis with the parsed option
        ``values`` (an `argparse.Namespace`, with ``seed`` and ``progress``) and
        adds its sections, tables and figures to the `.Report`.
    figures : tuple of str
        The files it writes.
    options : tuple of Option
        Its options.
    check : callable, optional
        ``check(values)``: raises `.UsageError` for limits that involve several
        options (or the values together with the neuron types).
    limits : tuple of str
        Those limits in words, for ``--help`` and the reference page.
    """

    name: str
    help: str
    analysis: object
    write: object
    figures: tuple
    options: tuple
    check: object = None
    limits: tuple = field(default=())

    def default_values(self):
        """The parsed defaults of the study's options, as a dict."""
        return {option.dest: option.default_value() for option in self.options}


def _new_figure(n_axes, width_axes=None):
    """A figure with ``n_axes`` axes in a row (or an empty figure when 0)."""
    import matplotlib.pyplot as plt

    if n_axes == 0:
        return plt.figure(figsize=(5.5 * width_axes, 4.2))
    fig, axes = plt.subplots(1, n_axes, figsize=(5.5 * n_axes, 4.2))
    return fig, axes


def _milliseconds(seconds):
    return f"{seconds * 1000:g}"


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


# --- tuning ---------------------------------------------------------------------


def write_tuning(report, values):
    """Tuning curves of one neuron type, 1-D and 2-D."""
    from nengo_tuning.workbench import plotting

    neuron_type = values.neuron_type
    label = _label(neuron_type)
    curves = tuning_and_decoding.neuron_tuning_curves(
        neuron_type, n_neurons=values.n_neurons, seed=values.seed
    )
    curves_2d = tuning_and_decoding.neuron_tuning_curves(
        neuron_type,
        n_neurons=values.n_neurons,
        dimensions=2,
        n_points=TUNING_POINTS_2D,
        seed=values.seed,
    )
    max_rates, intercepts = neuron_type.max_rates_intercepts(curves.gain, curves.bias)
    report.section(
        "Tuning curves",
        f"Each neuron's rate a_i(x) = G[gain_i e_i.x + bias_i] for {label}: G is the "
        "neuron type's rate curve, gain and bias set its max rate and intercept.",
    )
    rows = [
        [
            i,
            f"{curves.encoders[i, 0]:+.0f}",
            f"{curves.gain[i]:.3f}",
            f"{curves.bias[i]:.3f}",
            f"{max_rates[i]:.1f}",
            f"{intercepts[i]:.3f}",
        ]
        for i in range(curves.n_neurons)
    ]
    report.table(
        f"Neurons of the 1-D ensemble ({label}, seed {values.seed})",
        ["neuron", "encoder", "gain", "bias", "max rate (Hz)", "intercept"],
        rows,
    )
    fig, axes = _new_figure(2)
    plotting.plot_tuning_curves(curves, ax=axes[0])
    plotting.plot_tuning_curves(curves_2d, ax=axes[1])
    fig.tight_layout()
    report.figure(fig, "tuning_curves.png", f"Tuning curves of {label}, 1-D and 2-D")


TUNING = Study(
    name="tuning",
    help="tuning curves of a neuron type, 1-D and 2-D",
    analysis=tuning_and_decoding.neuron_tuning_curves,
    write=write_tuning,
    figures=("tuning_curves.png",),
    options=(
        Option(
            "--neuron-type",
            NeuronTypeName(),
            _EXACT_DEFAULT,
            "neuron type",
        ),
        Option(
            "--n-neurons",
            WholeNumber(1, 1000),
            default_of(tuning_and_decoding.neuron_tuning_curves, "n_neurons"),
            "number of neurons (one table row each)",
        ),
    ),
)


# --- decode ---------------------------------------------------------------------


def _check_decode(values):
    built = sum(values.n_neurons) * len(values.function) * values.trials
    if built > MAX_DECODED_NEURONS:
        raise UsageError(
            f"arguments --n-neurons, --function, --trials: {built} neurons to build "
            "in all (sum of sizes x functions x trials); at most "
            f"{MAX_DECODED_NEURONS} are allowed"
        )


def write_decode(report, values):
    """Decoding x, x**2 (or any function) as the ensemble grows."""
    from nengo_tuning.workbench import plotting

    neuron_type = values.neuron_type
    label = _label(neuron_type)
    sweep = tuning_and_decoding.decoding_sweep(
        values.function,
        n_neurons=values.n_neurons,
        neuron_type=neuron_type,
        n_trials=values.trials,
        seed=values.seed,
        progress=values.progress,
    )
    radius = f"{sweep.radius:g}"
    report.section(
        "Decoding",
        "The same neurons decode every function: only the decoders d_i change. "
        f"RMSE on {sweep.n_test_points} test points over [-{radius}, {radius}], "
        f"mean of {values.trials} ensembles per size ({label}).",
    )
    rows = [
        [n] + [f"{rmse:.4f}" for rmse in sweep.rmse[:, i]]
        for i, n in enumerate(sweep.n_neurons)
    ]
    report.table(
        f"Decoding RMSE against the number of neurons ({label})",
        ["neurons"] + [f"RMSE {name}" for name in sweep.function_names],
        rows,
    )
    example_size = int(sweep.n_neurons[min(2, sweep.n_neurons.size - 1)])
    fig, axes = _new_figure(len(values.function))
    for ax, function in zip(np.atleast_1d(axes), values.function):
        decoding = tuning_and_decoding.decode_function(
            function, n_neurons=example_size, neuron_type=neuron_type, seed=values.seed
        )
        plotting.plot_decoding(decoding, ax=ax)
    fig.tight_layout()
    report.figure(
        fig, "decoding.png", f"Decoded functions from {example_size} {label} neurons"
    )
    fig, ax = _new_figure(1)
    plotting.plot_decoding_sweep(sweep, ax=ax)
    report.figure(
        fig, "decoding_rmse.png", "Decoding RMSE against the number of neurons"
    )


DECODE = Study(
    name="decode",
    help="decode functions of x; RMSE against the number of neurons",
    analysis=tuning_and_decoding.decoding_sweep,
    write=write_decode,
    figures=("decoding.png", "decoding_rmse.png"),
    options=(
        Option("--neuron-type", NeuronTypeName(), _EXACT_DEFAULT, "neuron type"),
        Option(
            "--function",
            FunctionExpression(),
            default_of(tuning_and_decoding.decoding_sweep, "functions"),
            "functions of x to decode, e.g. x 'x**2' 'sin(pi*x)'",
            many=8,
        ),
        Option(
            "--n-neurons",
            WholeNumber(1, 2000),
            (5, 10, 20, 50, 100, 200, 400),
            "ensemble sizes",
            many=20,
        ),
        Option(
            "--trials",
            WholeNumber(1, 20),
            default_of(tuning_and_decoding.decoding_sweep, "n_trials"),
            "ensembles per size, averaged",
        ),
    ),
    check=_check_decode,
    limits=(
        f"sum of --n-neurons x number of --function x --trials at most "
        f"{MAX_DECODED_NEURONS:,}".replace(",", " "),
    ),
)


# --- spikes ---------------------------------------------------------------------


def _check_spikes(values):
    from nengo.exceptions import ValidationError

    settle_time = default_of(spikes_vs_rates.compare_spikes_to_rates, "settle_time")
    _check_time_steps(values, MAX_NEURON_STEPS, settle_time)
    for neuron_type in values.neuron_type:
        try:
            spikes_vs_rates.currents_for_rates(neuron_type, values.rates)
        except ValidationError as error:
            raise UsageError(
                f"argument --rates: not all reachable by {_label(neuron_type)}: "
                f"{error}"
            ) from None


def write_spikes(report, values):
    """Measured spike rates against the rate curve, per dt and neuron type."""
    from nengo_tuning.workbench import plotting

    comparisons = _for_each_type(
        spikes_vs_rates.compare_spikes_to_rates, values, rates=values.rates
    )
    rates = np.asarray(values.rates)
    bands = [rate for rate in RATE_BANDS if np.any(np.isclose(rates, rate))]
    if not bands:
        bands = list(rates[[0, rates.size // 2, -1]])
    band_index = [int(np.argmin(np.abs(rates - b))) for b in bands]
    first = comparisons[0]
    report.section(
        "Spike rate against the rate curve",
        "Each neuron gets a constant current; its spike count over "
        f"{first.sim_time:g} s (after {first.settle_time:g} s settling) is compared "
        "with the rate curve. Relative error in %; 'max' is the largest |error| in "
        f"Hz over all {rates.size} rates ({rates.min():g} to {rates.max():g} Hz).",
    )
    headers = ["neuron type", "dt (ms)"]
    headers += [f"{b:g} Hz" for b in bands] + ["largest error (Hz)"]
    rows = []
    for comparison in comparisons:
        label = _label(comparison.neuron_type)
        for i, dt in enumerate(comparison.dts):
            error = comparison.relative_error[i]
            rows.append(
                [label, _milliseconds(dt)]
                + [f"{100 * error[j]:+.1f} %" for j in band_index]
                + [f"{comparison.max_abs_error_hz[i]:.1f}"]
            )
    report.table("Measured spike rate vs rate curve", headers, rows)
    fig = plotting.plot_rate_vs_spike(comparisons, fig=_new_figure(0, len(comparisons)))
    report.figure(
        fig, "rate_vs_spike.png", "Measured spike rates (dots) against the rate curve"
    )


SPIKES = Study(
    name="spikes",
    help="measured spike rate against the rate curve, per dt",
    analysis=spikes_vs_rates.compare_spikes_to_rates,
    write=write_spikes,
    figures=("rate_vs_spike.png",),
    options=(
        SPIKING_TYPES,
        _time_steps_option((0.0001, 0.001, 0.002, 0.003, 0.005, 0.01)),
        Option(
            "--rates",
            Number(0.1, 10000.0, "Hz"),
            tuple(np.arange(10.0, 451.0, 10.0)),
            "rates of the curve to test at, Hz (below 1/tau_ref)",
            many=1000,
            shown_default="10 to 450 in steps of 10",
        ),
        _sim_time_option(
            default_of(spikes_vs_rates.compare_spikes_to_rates, "sim_time"),
            "measuring time in seconds",
        ),
    ),
    check=_check_spikes,
    limits=(
        "sum over --neuron-type and --dt of (--sim-time + settling) / dt at most "
        f"{MAX_NEURON_STEPS:,} time steps".replace(",", " "),
        "every rate reachable by every neuron type (below 1 / tau_ref)",
    ),
)


# --- spike-decoding -------------------------------------------------------------


def _check_spike_decoding(values):
    _check_time_steps(values, MAX_SIMULATOR_STEPS)
    activities = values.sim_time / min(values.dt) * values.n_neurons
    if activities > MAX_ACTIVITY_VALUES:
        raise UsageError(
            "arguments --sim-time, --dt, --n-neurons: the rate model needs "
            f"{activities:.3g} activity values (time / smallest dt x neurons); at "
            f"most {MAX_ACTIVITY_VALUES:g} are allowed"
        )


def _sine(frequency):
    return "sin(2 pi t)" if frequency == 1 else f"sin(2 pi {frequency:g} t)"


def write_spike_decoding(report, values):
    """Decoded-output error of spiking ensembles against the rate model, per dt."""
    from nengo_tuning.workbench import plotting

    results = _for_each_type(
        spikes_vs_rates.spiking_decoding_error,
        values,
        function=values.function,
        n_neurons=values.n_neurons,
        synapse=values.synapse,
    )
    first = results[0]
    report.section(
        "Decoded output of spiking ensembles against the rate model",
        f"{values.n_neurons} neurons represent x(t) = {_sine(first.input_frequency)} "
        f"and decode {first.function_name}; outputs lowpass filtered "
        f"({_milliseconds(first.synapse)} ms). RMSE of the spiking output against "
        "the rate model's (same ensemble, same decoders, same filter): the error "
        "that spiking adds.",
    )
    headers = ["dt (ms)"] + [f"{_label(r.neuron_type)} RMSE" for r in results]
    rows = [
        [_milliseconds(dt)] + [f"{r.rmse_vs_rate[i]:.4f}" for r in results]
        for i, dt in enumerate(first.dts)
    ]
    report.table(f"Spiking vs rate decoded {first.function_name}", headers, rows)
    fig = plotting.plot_spiking_decoding_error(results, fig=_new_figure(0, 2))
    report.figure(
        fig, "spiking_decoding.png", "Error added by spiking against dt, and traces"
    )


SPIKE_DECODING = Study(
    name="spike-decoding",
    help="decoded-output error of spiking ensembles, per dt",
    analysis=spikes_vs_rates.spiking_decoding_error,
    write=write_spike_decoding,
    figures=("spiking_decoding.png",),
    options=(
        SPIKING_TYPES,
        _time_steps_option(default_of(spikes_vs_rates.spiking_decoding_error, "dts")),
        Option(
            "--function",
            FunctionExpression(),
            default_of(spikes_vs_rates.spiking_decoding_error, "function"),
            "function of x to decode",
        ),
        Option(
            "--n-neurons",
            WholeNumber(1, 2000),
            default_of(spikes_vs_rates.spiking_decoding_error, "n_neurons"),
            "number of neurons",
        ),
        Option(
            "--synapse",
            Number(1e-4, 10.0, "s"),
            default_of(spikes_vs_rates.spiking_decoding_error, "synapse"),
            "lowpass time constant on the outputs, s",
        ),
        _sim_time_option(
            default_of(spikes_vs_rates.spiking_decoding_error, "sim_time"),
            "simulated time in seconds",
        ),
    ),
    check=_check_spike_decoding,
    limits=(
        "sum over --neuron-type and --dt of --sim-time / dt at most "
        f"{MAX_SIMULATOR_STEPS:,} time steps".replace(",", " "),
        "--sim-time / (smallest --dt) x --n-neurons at most "
        f"{MAX_ACTIVITY_VALUES:,} activity values".replace(",", " "),
    ),
)


# --- smooth ---------------------------------------------------------------------


def write_smooth(report, values):
    """LIF and SoftLIF curves and derivatives near threshold."""
    from nengo_tuning.workbench import plotting

    result = rate_curves.smooth_vs_sharp(
        sigmas=values.sigma, tau_rc=values.tau_rc, tau_ref=values.tau_ref
    )
    step = round(1 / rate_curves.PEAK_SEARCH_STEP)
    report.section(
        "Smooth against sharp: LIF and SoftLIF near threshold",
        "The LIF slope dG/dJ is infinite at the threshold J = 1, so gradients "
        "cannot pass there; SoftLIF's is bounded. Peak slope: largest dRate/dJ "
        f"(searched on a grid of step sigma/{step} around threshold); gap: largest "
        f"|SoftLIF - LIF| over J in [{result.currents.min():g}, "
        f"{result.currents.max():g}].",
    )
    rows = [["LIF", "0.00", "inf", "0.00"]]
    for i, sigma in enumerate(result.sigmas):
        rows.append(
            [
                f"SoftLIF sigma={sigma:g}",
                f"{result.rate_at_threshold[i]:.2f}",
                f"{result.peak_derivative[i]:.1f}",
                f"{result.max_rate_gap[i]:.2f}",
            ]
        )
    report.table(
        f"Rate at threshold and peak slope (tau_rc={result.tau_rc:g}, "
        f"tau_ref={result.tau_ref:g})",
        ["curve", "rate at J=1 (Hz)", "peak dRate/dJ (Hz)", "gap to LIF (Hz)"],
        rows,
    )
    fig = plotting.plot_smooth_vs_sharp(result, fig=_new_figure(0, 2))
    report.figure(
        fig,
        "smooth_vs_sharp.png",
        "LIF and SoftLIF rates and derivatives near threshold",
    )


SMOOTH = Study(
    name="smooth",
    help="LIF and SoftLIF curves and derivatives near threshold",
    analysis=rate_curves.smooth_vs_sharp,
    write=write_smooth,
    figures=("smooth_vs_sharp.png",),
    options=(
        Option(
            "--sigma",
            Number(1e-9, 10.0),
            default_of(rate_curves.smooth_vs_sharp, "sigmas"),
            "SoftLIF smoothing values",
            many=10,
        ),
        Option(
            "--tau-rc",
            Number(1e-6, 10.0, "s"),
            default_of(rate_curves.smooth_vs_sharp, "tau_rc"),
            "membrane time constant, s",
        ),
        Option(
            "--tau-ref",
            Number(0.0, 1.0, "s"),
            default_of(rate_curves.smooth_vs_sharp, "tau_ref"),
            "refractory period, s",
        ),
    ),
)

#: The studies, in the order the report runs them.
STUDIES = (TUNING, DECODE, SPIKES, SPIKE_DECODING, SMOOTH)


def study_named(name):
    """The `Study` called ``name``."""
    return next(study for study in STUDIES if study.name == name)
