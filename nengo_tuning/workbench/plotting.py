"""Matplotlib figures for the records of the workbench's studies.

Each function draws one analysis record. Functions taking ``ax`` draw into that
axes (a new figure when None) and return it; functions drawing several panels
take ``fig`` and return the figure. matplotlib is imported inside the
functions, so importing this module is cheap and never picks a backend: the
command line selects the non-interactive Agg backend itself, notebooks keep
their inline one.
"""

import numpy as np

from nengo_tuning.workbench.neuron_specs import neuron_type_label

__all__ = [
    "plot_adaptation",
    "plot_decoding",
    "plot_decoding_sweep",
    "plot_rate_vs_spike",
    "plot_smooth_vs_sharp",
    "plot_spiking_decoding_error",
    "plot_tuning_curves",
]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def _as_list(records):
    """One record or a sequence of records, as a list."""
    return list(records) if isinstance(records, (list, tuple)) else [records]


def _figure(fig, ncols, width=5.0, height=4.0):
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(width * ncols, height))
    return fig, fig.subplots(1, ncols)


def plot_tuning_curves(curves, ax=None):
    """Plot tuning curves (a :class:`.TuningCurves`).

    1-D ensembles: rate against ``x``. N-D ensembles: rate against each neuron's
    projection ``e_i . x / radius`` (the preferred-direction view), which
    collapses each neuron's curve onto one line.

    Parameters
    ----------
    curves : TuningCurves
        The tuning curves.
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    ax : matplotlib.axes.Axes
    """
    ax = _axes(ax)
    if curves.dimensions == 1:
        order = np.argsort(curves.inputs[:, 0])
        ax.plot(curves.inputs[order, 0], curves.rates[order])
        ax.set_xlabel("represented value x")
    else:
        projections = curves.projections
        for i in range(curves.n_neurons):
            order = np.argsort(projections[:, i])
            ax.plot(projections[order, i], curves.rates[order, i])
        ax.set_xlabel(r"projection $e_i \cdot x$ / radius")
    ax.set_ylabel("firing rate a_i(x) [Hz]")
    ax.set_title(
        f"Tuning curves: {curves.n_neurons} {neuron_type_label(curves.neuron_type)}"
        f" neurons, {curves.dimensions}-D"
    )
    return ax


def plot_decoding(decoding, ax=None, show_weighted_curves=True):
    """Plot a decoded function (a :class:`.Decoding`).

    Shows the target ``f(x)``, the decoded ``sum_i a_i(x) d_i`` and, for
    1-D inputs, the weighted tuning curves ``a_i(x) d_i`` whose sum it is.

    Parameters
    ----------
    decoding : Decoding
        The decoding (1-D input).
    ax : matplotlib.axes.Axes, optional
        Where to draw.
    show_weighted_curves : bool
        Also draw each ``a_i(x) d_i`` (thin grey lines).

    Returns
    -------
    ax : matplotlib.axes.Axes
    """
    ax = _axes(ax)
    x = decoding.inputs[:, 0]
    if show_weighted_curves:
        ax.plot(x, decoding.weighted_curves, color="0.8", linewidth=0.7)
    ax.plot(x, decoding.target[:, 0], "k--", label=f"target {decoding.function_name}")
    ax.plot(
        x,
        decoding.decoded[:, 0],
        label=f"decoded, {decoding.n_neurons} neurons (RMSE {decoding.rmse:.3g})",
    )
    ax.set_xlabel("represented value x")
    ax.set_ylabel("output")
    ax.set_title(f"Decoding {decoding.function_name}: a weighted sum of tuning curves")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_decoding_sweep(sweep, ax=None):
    """Plot RMSE against ensemble size (:class:`.DecodingSweep`).

    Parameters
    ----------
    sweep : DecodingSweep
        The sweep.
    ax : matplotlib.axes.Axes, optional
        Where to draw.

    Returns
    -------
    ax : matplotlib.axes.Axes
    """
    ax = _axes(ax)
    for name, rmse in zip(sweep.function_names, sweep.rmse):
        ax.loglog(sweep.n_neurons, rmse, "o-", label=name)
    ax.set_xlabel("number of neurons")
    ax.set_ylabel("RMSE of the decoded function")
    ax.set_title(f"Decoding error, {neuron_type_label(sweep.neuron_type)}")
    ax.legend(loc="best")
    return ax


def plot_rate_vs_spike(comparisons, fig=None):
    """Plot measured spike rates against rate curves, one panel per neuron type.

    Parameters
    ----------
    comparisons : RateSpikeComparison or sequence of RateSpikeComparison
        One record per neuron type (see
        :func:`.compare_spikes_to_rates`).
    fig : matplotlib.figure.Figure, optional
        Where to draw.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    comparisons = _as_list(comparisons)
    fig, axes = _figure(fig, len(comparisons))
    axes = np.atleast_1d(axes)
    for ax, comparison in zip(axes, comparisons):
        ax.plot(comparison.currents, comparison.rate_curve, "k-", label="rate curve")
        for dt, measured in zip(comparison.dts, comparison.measured):
            ax.plot(
                comparison.currents,
                measured,
                ".",
                markersize=4,
                label=f"spikes, dt = {dt * 1000:g} ms",
            )
        ax.set_xlabel("input current J")
        ax.set_ylabel("firing rate [Hz]")
        ax.set_title(neuron_type_label(comparison.neuron_type))
    # every panel has the same dts: one legend, below the panels, where it hides
    # no data (inside, it would cover the knee of the curve or nengo.LIF's steps)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.suptitle("Measured spike rate against the rate curve")
    fig.tight_layout()
    _legend_below(fig, handles, labels)
    return fig


def _legend_below(fig, handles, labels):
    """One legend for the figure, in a strip below its axes."""
    columns = min(len(labels), 4)
    rows = -(-len(labels) // columns)
    strip = min(0.02 + 0.06 * rows, 0.4)  # fraction of the height, for the legend
    fig.set_figheight(fig.get_figheight() / (1 - strip))
    fig.tight_layout(rect=(0, strip, 1, 1))
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncol=columns,
        fontsize="small",
        frameon=False,
    )


def plot_spiking_decoding_error(results, fig=None):
    """Plot decoded-output error against dt, and traces at the largest dt.

    Parameters
    ----------
    results : SpikingDecodingError or sequence of SpikingDecodingError
        One record per neuron type (see
        :func:`.spiking_decoding_error`).
    fig : matplotlib.figure.Figure, optional
        Where to draw.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    results = _as_list(results)
    fig, (error_ax, trace_ax) = _figure(fig, 2)
    for result in results:
        label = neuron_type_label(result.neuron_type)
        error_ax.loglog(result.dts * 1000, result.rmse_vs_rate, "o-", label=label)
        trace = result.traces[-1]
        trace_ax.plot(trace["t"], trace["spiking"][:, 0], label=f"{label}, spikes")
    trace = results[0].traces[-1]
    trace_ax.plot(trace["t"], trace["rate"][:, 0], "k--", label="rate model")
    _label_ticks(error_ax, results[0].dts * 1000)
    error_ax.set_xlabel("dt [ms]")
    error_ax.set_ylabel("RMSE, spiking vs rate model")
    error_ax.set_title(f"Decoded {results[0].function_name}, error added by spiking")
    error_ax.legend(loc="best", fontsize="small")
    trace_ax.set_xlabel("time [s]")
    trace_ax.set_ylabel(f"decoded output (lowpass {results[0].synapse * 1000:g} ms)")
    trace_ax.set_title(f"Traces at dt = {results[0].dts[-1] * 1000:g} ms")
    trace_ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return fig


def _label_ticks(ax, values):
    """Ticks at exactly ``values`` on a log x axis, labelled with them."""
    from matplotlib.ticker import FixedFormatter, FixedLocator, NullLocator

    values = np.unique(values)
    ax.xaxis.set_major_locator(FixedLocator(values))
    ax.xaxis.set_major_formatter(FixedFormatter([f"{value:g}" for value in values]))
    ax.xaxis.set_minor_locator(NullLocator())


def plot_smooth_vs_sharp(result, fig=None):
    """Plot LIF and SoftLIF rates and derivatives near threshold.

    Parameters
    ----------
    result : SmoothVsSharp
        See :func:`.smooth_vs_sharp`.
    fig : matplotlib.figure.Figure, optional
        Where to draw.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    fig, (rate_ax, slope_ax) = _figure(fig, 2)
    J = result.currents
    rate_ax.plot(J, result.lif_rates, "k-", linewidth=2, label="LIF")
    # the LIF slope is 0 below threshold: a log axis cannot show it, so mask it
    slope_ax.semilogy(
        J,
        np.where(result.lif_derivatives > 0, result.lif_derivatives, np.nan),
        "k-",
        linewidth=2,
        label="LIF (infinite at J = 1)",
    )
    for sigma, rates, slopes in zip(
        result.sigmas, result.softlif_rates, result.softlif_derivatives
    ):
        rate_ax.plot(J, rates, label=f"SoftLIF sigma = {sigma:g}")
        slope_ax.semilogy(J, slopes, label=f"SoftLIF sigma = {sigma:g}")
    for ax in (rate_ax, slope_ax):
        ax.axvline(1.0, color="0.6", linestyle=":")
        ax.set_xlabel("input current J (threshold 1)")
        ax.legend(loc="best", fontsize="small")
    rate_ax.set_ylabel("rate [Hz]")
    rate_ax.set_title("Rate curves")
    slope_ax.set_ylabel("dRate/dJ [Hz per unit current]")
    slope_ax.set_title("Derivatives: what backpropagation sees")
    fig.tight_layout()
    return fig


#: Intervals shown in `plot_adaptation`'s middle panel.
ADAPTATION_INTERVALS = 20
_LINE_STYLES = ("-", "--", ":", "-.")
_MARKERS = ("o", "x", "s", "^", "v", "+", "D", "*")


def plot_adaptation(responses, fig=None):
    """Plot adaptive neurons after a current step, one line per neuron type and dt.

    Three panels: the firing rate over time after the step (spike counts in
    bins), the first inter-spike intervals, and the steady rate against the
    current, each with the exact steady rate of the continuous model.

    Parameters
    ----------
    responses : AdaptationResponse or sequence of AdaptationResponse
        One record per neuron type, with the same dts and currents (see
        :func:`.adaptation_after_step`).
    fig : matplotlib.figure.Figure, optional
        Where to draw.

    Returns
    -------
    fig : matplotlib.figure.Figure
    """
    responses = _as_list(responses)
    fig, (rate_ax, interval_ax, steady_ax) = _figure(fig, 3)
    first = responses[0]
    for t, response in enumerate(responses):
        label = neuron_type_label(response.neuron_type)
        style = _LINE_STYLES[t % len(_LINE_STYLES)]
        marker = _MARKERS[t % len(_MARKERS)]  # (a type's lines and markers)
        intervals = response.first_intervals(ADAPTATION_INTERVALS) * 1000
        for i, dt in enumerate(response.dts):
            color = f"C{i % 10}"
            name = f"{label}, dt = {dt * 1000:g} ms"
            starts, rates = response.rate_over_time(i)
            rate_ax.step(starts, rates, where="post", color=color, linestyle=style)
            # markers only: at a large dt the intervals jump between
            # multiples of dt, and lines between them would hide the others
            interval_ax.plot(
                np.arange(1, ADAPTATION_INTERVALS + 1),
                intervals[i],
                marker,
                color=color,
                label=name,
            )
            steady_ax.plot(
                response.currents,
                response.steady_rates[i, 1:],
                marker,
                color=color,
                label=name,
            )
    exact_style = {"color": "k", "linewidth": 1.5}
    rate_ax.axhline(first.onset_rate, color="0.6", linestyle=":")
    rate_ax.axhline(first.adapted_rate_at_step, **exact_style)
    if first.adapted_rate_at_step > 0:  # (below threshold: no spikes, no interval)
        interval_ax.axhline(1000 / first.adapted_rate_at_step, **exact_style)
    steady_ax.plot(first.currents, first.adapted_rates, "-", **exact_style)
    rate_ax.set_xlabel("time after the step [s]")
    rate_ax.set_ylabel(f"firing rate [Hz] ({first.bin_width * 1000:g} ms bins)")
    rate_ax.set_title(
        f"Rate after a step to J = {first.step_current:g} (grey: unadapted)"
    )
    interval_ax.set_xlabel("interval number")
    interval_ax.set_ylabel("inter-spike interval [ms] (to within dt)")
    interval_ax.set_title("First inter-spike intervals")
    steady_ax.set_xlabel("input current J")
    steady_ax.set_ylabel("steady rate [Hz]")
    steady_ax.set_title("Steady rate against the exact adapted rate")
    handles, labels = interval_ax.get_legend_handles_labels()
    from matplotlib.lines import Line2D

    handles.append(Line2D([], [], **exact_style))
    labels.append("exact adapted rate (continuous model)")
    fig.suptitle("Adaptive LIF neurons after a current step")
    fig.tight_layout()
    _legend_below(fig, handles, labels)
    return fig
