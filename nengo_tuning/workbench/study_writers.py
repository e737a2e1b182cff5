"""The writers of the studies: each runs its analysis and adds its tables and figures.

``write_<study>(report, values)`` takes the parsed option values of one study
(an `argparse.Namespace`, with ``seed`` and ``progress``), runs the study's
analysis and adds its sections, tables and figures to the `.Report`. The
studies that use them are declared in :mod:`nengo_tuning.workbench.study_table`.
Captions take their numbers from the options and from the analysis' result
records, never from literals.
"""

import numpy as np

from nengo_tuning.workbench import (
    adaptation,
    rate_curves,
    spikes_vs_rates,
    tuning_and_decoding,
)

__all__ = [
    "write_adaptation",
    "write_decode",
    "write_smooth",
    "write_spike_decoding",
    "write_spikes",
    "write_tuning",
]

#: Rates (Hz) at which the spike-rate table reports the relative error.
RATE_BANDS = (50.0, 200.0, 400.0)
#: Points of the 2-D tuning-curve panel.
TUNING_POINTS_2D = 400
#: Inter-spike intervals the adaptation table shows.
TABLE_INTERVALS = 4


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


def _cell(value, form):
    """A table cell: the value formatted, or 'n/a' where it is not finite."""
    return form.format(value) if np.isfinite(value) else "n/a"


def _with_resolution(value, form, resolution):
    """A table cell with the resolution beside it: ``+1.2 % (+-2.0)``."""
    cell = _cell(value, form)
    if cell == "n/a" or not np.isfinite(resolution):
        return cell
    return f"{cell} (+-{resolution:.{_resolution_digits(resolution)}f})"


def _resolution_digits(resolution):
    """Decimals that show a resolution to two significant digits (at least 1)."""
    if resolution <= 0:
        return 1
    return int(min(4, max(1, 1 - np.floor(np.log10(resolution)))))


def _sine(frequency):
    return "sin(2 pi t)" if frequency == 1 else f"sin(2 pi {frequency:g} t)"


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


def write_spikes(report, values):
    """Measured spike rates against the rate curve, per dt and neuron type."""
    from nengo_tuning.workbench import plotting

    comparisons = _for_each_type(
        spikes_vs_rates.compare_spikes_to_rates, values, rates=values.rates
    )
    rates = np.asarray(values.rates)
    bands = [rate for rate in RATE_BANDS if np.any(np.isclose(rates, rate))]
    if not bands:
        bands = list(dict.fromkeys(rates[[0, rates.size // 2, -1]]))
    band_index = [int(np.argmin(np.abs(rates - b))) for b in bands]
    first = comparisons[0]
    report.section(
        "Spike rate against the rate curve",
        "Each neuron gets a constant current; its spike count over "
        f"{first.sim_time:g} s (after {first.settle_time:g} s settling) is compared "
        "with the rate curve. Relative error in %; 'largest error (Hz)' is the "
        "largest |measured - curve| in Hz over all "
        f"{rates.size} rates ({rates.min():g} to {rates.max():g} Hz). In "
        "parentheses, +-: the resolution of the count, one spike over the "
        "measured time (in % of the rate, or in Hz), which a neuron that loses "
        "no spikes may still show as error; a longer --sim-time makes it "
        "smaller. 'n/a' marks a cell that cannot be measured (a curve of 0 Hz, "
        "or a value that is not finite).",
    )
    headers = ["neuron type", "dt (ms)"]
    headers += [f"{b:g} Hz" for b in bands] + ["largest error (Hz)"]
    rows = []
    for comparison in comparisons:
        label = _label(comparison.neuron_type)
        resolution = comparison.count_resolution_hz
        for i, dt in enumerate(comparison.dts):
            error = comparison.relative_error[i]
            curve = comparison.rate_curve
            relative = np.divide(
                100 * resolution[i],
                curve,
                out=np.full(curve.shape, np.inf),
                where=curve > 0,
            )
            rows.append(
                [label, _milliseconds(dt)]
                + [
                    _with_resolution(100 * error[j], "{:+.1f} %", relative[j])
                    for j in band_index
                ]
                + [
                    _with_resolution(
                        comparison.max_abs_error_hz[i], "{:.1f}", resolution[i]
                    )
                ]
            )
    report.table("Measured spike rate vs rate curve", headers, rows)
    fig = plotting.plot_rate_vs_spike(comparisons, fig=_new_figure(0, len(comparisons)))
    report.figure(
        fig, "rate_vs_spike.png", "Measured spike rates (dots) against the rate curve"
    )


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


def write_adaptation(report, values):
    """Adaptive neurons after a current step, per dt and neuron type."""
    from nengo_tuning.workbench import plotting
    from nengo_tuning.workbench.simulation import progress_bar

    neuron_types = progress_bar(values.neuron_type, values.progress, "neuron types")
    responses = [
        adaptation.adaptation_after_step(
            neuron_type,
            dts=values.dt,
            step_current=values.current,
            currents=values.steady_currents,
            tau_n=values.tau_n,
            inc_n=values.inc_n,
            sim_time=values.sim_time,
            bin_width=values.bin_width,
            progress=values.progress,
        )
        for neuron_type in neuron_types
    ]
    first = responses[0]
    currents = first.currents
    window = first.sim_time * adaptation.STEADY_FRACTION
    report.section(
        "Adaptation after a current step",
        f"Neurons at rest get the current J = {first.step_current:g} from t = 0 "
        f"(tau_n = {first.neuron_type.tau_n:g} s, inc_n = "
        f"{first.neuron_type.inc_n:g}). They start at the unadapted rate (the LIF "
        f"curve, {first.onset_rate:.1f} Hz for {_label(first.neuron_type)}); the "
        "adaptation slows them to a steady rate that the continuous model gives "
        "exactly ('exact', its periodic orbit; its interval is 1 / rate). 'ISI k "
        "(ms)': the k-th inter-spike interval, from the ends of the steps the "
        "spikes fell in (so to within dt). 'steady (Hz)': the spike count over the "
        f"last {window:g} s of {first.sim_time:g} s, over that time. 'largest "
        "error (Hz)': the largest |steady - exact| over "
        f"{currents.size} currents J ({_current_range(currents)}).",
    )
    headers = ["neuron type", "dt (ms)"]
    headers += [f"ISI {k} (ms)" for k in range(1, TABLE_INTERVALS + 1)]
    headers += ["steady (Hz)", "exact (Hz)", "largest error (Hz)"]
    rows = []
    for response in responses:
        intervals = response.first_intervals(TABLE_INTERVALS) * 1000
        for i, dt in enumerate(response.dts):
            rows.append(
                [_label(response.neuron_type), _milliseconds(dt)]
                + [_cell(interval, "{:.2f}") for interval in intervals[i]]
                + [
                    f"{response.steady_rates[i, 0]:.1f}",
                    f"{response.adapted_rate_at_step:.1f}",
                    _cell(response.max_steady_error_hz[i], "{:.1f}"),
                ]
            )
    report.table(
        f"Adaptive neurons after a step to J = {first.step_current:g}", headers, rows
    )
    fig = plotting.plot_adaptation(responses, fig=_new_figure(0, 3))
    report.figure(
        fig,
        "adaptation.png",
        "Rate over time, first intervals and steady rates after a current step",
    )


def _current_range(currents):
    if currents.size == 0:
        return "none"
    return f"{currents.min():g} to {currents.max():g}"


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
        "cannot pass there; SoftLIF's is bounded. 'peak dRate/dJ (Hz)': the "
        f"largest slope, searched on a grid of step sigma/{step} around threshold; "
        "'gap to LIF (Hz)': the largest |SoftLIF - LIF| over J in "
        f"[{result.currents.min():g}, {result.currents.max():g}], computed exactly "
        "(it is where J comes closest to 1, since LIF is 0 there and the gap "
        "shrinks on either side).",
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
