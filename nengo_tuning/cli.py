"""The ``nengo-tuning`` command: run the workbench's studies and write a report.

With no arguments it runs the default report (every study with its embedded
defaults), writes PNG figures and a Markdown summary into
``nengo-tuning-report/`` and prints the tables. Each study is also a subcommand
with its own options; ``nengo-tuning <study> --help`` lists them.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

#: Folder the report is written to unless ``--output`` says otherwise.
DEFAULT_OUTPUT = "nengo-tuning-report"
#: Rates (Hz) at which the spike-rate table reports the relative error.
RATE_BANDS = (50.0, 200.0, 400.0)

STUDIES = ("tuning", "decode", "spikes", "spike-decoding", "smooth")


# --- argument types: turn bad values into clear messages ------------------------


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
    return value


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive whole number")
    return value


def _neuron_type(text):
    from nengo_tuning.analysis import resolve_neuron_type

    try:
        return resolve_neuron_type(text)
    except ValueError as error:  # nengo's ValidationError is a ValueError too
        raise argparse.ArgumentTypeError(str(error)) from None


def _function(text):
    from nengo_tuning.analysis import parse_function

    try:
        return parse_function(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _milliseconds(seconds):
    return f"{seconds * 1000:g}"


# --- tables and the report folder ----------------------------------------------------


def markdown_table(headers, rows):
    """Format a Markdown table (also readable as plain text).

    Parameters
    ----------
    headers : sequence of str
        Column titles.
    rows : sequence of sequence
        Cell values (formatted with ``str``).

    Returns
    -------
    table : str
        The table, one line per row.
    """
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [
        max(len(str(header)), *(len(row[i]) for row in cells))
        for i, header in enumerate(headers)
    ]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    for row in cells:
        lines.append("| " + " | ".join(c.rjust(w) for c, w in zip(row, widths)) + " |")
    return "\n".join(lines)


class Report:
    """Collects sections (text, tables, figures) and writes ``summary.md``."""

    def __init__(self, folder, quiet=False):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.quiet = quiet
        self.sections = []
        self.figures = []

    def section(self, title, text=""):
        self.sections.append(f"## {title}\n\n{text}".rstrip() + "\n")
        self._print(f"\n== {title} ==\n{text}".rstrip())

    def table(self, title, headers, rows):
        table = markdown_table(headers, rows)
        self.sections.append(f"**{title}**\n\n{table}\n")
        self._print(f"\n{title}\n{table}")

    def figure(self, fig, name, caption):
        import matplotlib.pyplot as plt

        fig.savefig(self.folder / name, dpi=100)
        plt.close(fig)
        self.figures.append(name)
        self.sections.append(f"![{caption}]({name})\n\n*{name}*: {caption}\n")

    def write(self, header):
        path = self.folder / "summary.md"
        path.write_text(header + "\n" + "\n".join(self.sections), encoding="utf-8")
        return path

    def _print(self, text):
        if not self.quiet:
            print(text)


# --- the studies ------------------------------------------------------------------


def study_tuning(report, args):
    """Tuning curves of one neuron type, 1-D and 2-D."""
    from nengo_tuning import analysis, plotting

    neuron_type = args.neuron_type
    label = analysis.neuron_type_label(neuron_type)
    curves = analysis.neuron_tuning_curves(
        neuron_type, n_neurons=args.n_neurons, seed=args.seed
    )
    curves_2d = analysis.neuron_tuning_curves(
        neuron_type,
        n_neurons=args.n_neurons,
        dimensions=2,
        n_points=400,
        seed=args.seed,
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
        f"Neurons of the 1-D ensemble ({label}, seed {args.seed})",
        ["neuron", "encoder", "gain", "bias", "max rate (Hz)", "intercept"],
        rows,
    )
    fig, axes = _new_figure(2)
    plotting.plot_tuning_curves(curves, ax=axes[0])
    plotting.plot_tuning_curves(curves_2d, ax=axes[1])
    fig.tight_layout()
    report.figure(fig, "tuning_curves.png", f"Tuning curves of {label}, 1-D and 2-D")


def study_decode(report, args):
    """Decoding x, x**2 (or any function) as the ensemble grows."""
    from nengo_tuning import analysis, plotting

    neuron_type = args.neuron_type
    label = analysis.neuron_type_label(neuron_type)
    sweep = analysis.decoding_sweep(
        args.function,
        n_neurons=args.n_neurons,
        neuron_type=neuron_type,
        n_trials=args.trials,
        seed=args.seed,
        progress=args.progress,
    )
    report.section(
        "Decoding",
        "The same neurons decode every function: only the decoders d_i change. "
        "RMSE on 201 test points over [-1, 1], mean of "
        f"{args.trials} ensembles per size ({label}).",
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
    fig, axes = _new_figure(len(args.function))
    for ax, function in zip(np.atleast_1d(axes), args.function):
        decoding = analysis.decode_function(
            function, n_neurons=example_size, neuron_type=neuron_type, seed=args.seed
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


def study_spikes(report, args):
    """Measured spike rates against the rate curve, per dt and neuron type."""
    from nengo_tuning import analysis, plotting

    comparisons = []
    for neuron_type in _progress_list(args.neuron_type, args.progress, "neuron types"):
        comparisons.append(
            analysis.compare_spikes_to_rates(
                neuron_type,
                dts=args.dt,
                rates=args.rates,
                sim_time=args.sim_time,
                seed=args.seed,
            )
        )
    bands = [rate for rate in RATE_BANDS if np.any(np.isclose(args.rates, rate))]
    if not bands:
        bands = list(np.asarray(args.rates)[[0, len(args.rates) // 2, -1]])
    band_index = [int(np.argmin(np.abs(np.asarray(args.rates) - b))) for b in bands]
    report.section(
        "Spike rate against the rate curve",
        "Each neuron gets a constant current; its spike count over "
        f"{args.sim_time:g} s (after 0.1 s settling) is compared with the rate "
        "curve. Relative error in %; 'max' is the largest |error| in Hz over all "
        f"{len(args.rates)} rates ({min(args.rates):g} to {max(args.rates):g} Hz).",
    )
    headers = ["neuron type", "dt (ms)"]
    headers += [f"{b:g} Hz" for b in bands] + ["largest error (Hz)"]
    rows = []
    for comparison in comparisons:
        label = analysis.neuron_type_label(comparison.neuron_type)
        for i, dt in enumerate(args.dt):
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


def study_spike_decoding(report, args):
    """Decoded-output error of spiking ensembles against the rate model, per dt."""
    from nengo_tuning import analysis, plotting

    results = []
    for neuron_type in _progress_list(args.neuron_type, args.progress, "neuron types"):
        results.append(
            analysis.spiking_decoding_error(
                neuron_type,
                dts=args.dt,
                function=args.function,
                n_neurons=args.n_neurons,
                synapse=args.synapse,
                sim_time=args.sim_time,
                seed=args.seed,
            )
        )
    function_name = results[0].function_name
    report.section(
        "Decoded output of spiking ensembles against the rate model",
        f"{args.n_neurons} neurons represent x(t) = sin(2 pi t) and decode "
        f"{function_name}; outputs lowpass filtered ({args.synapse * 1000:g} ms). "
        "RMSE of the spiking output against the rate model's (same ensemble, "
        "same decoders, same filter): the error that spiking adds.",
    )
    headers = ["dt (ms)"] + [
        f"{analysis.neuron_type_label(r.neuron_type)} RMSE" for r in results
    ]
    rows = [
        [_milliseconds(dt)] + [f"{r.rmse_vs_rate[i]:.4f}" for r in results]
        for i, dt in enumerate(args.dt)
    ]
    report.table(f"Spiking vs rate decoded {function_name}", headers, rows)
    fig = plotting.plot_spiking_decoding_error(results, fig=_new_figure(0, 2))
    report.figure(
        fig, "spiking_decoding.png", "Error added by spiking against dt, and traces"
    )


def study_smooth(report, args):
    """LIF and SoftLIF curves and derivatives near threshold."""
    from nengo_tuning import analysis, plotting

    result = analysis.smooth_vs_sharp(
        sigmas=args.sigma, tau_rc=args.tau_rc, tau_ref=args.tau_ref
    )
    report.section(
        "Smooth against sharp: LIF and SoftLIF near threshold",
        "The LIF slope dG/dJ is infinite at the threshold J = 1, so gradients "
        "cannot pass there; SoftLIF's is bounded. Peak slope: largest dRate/dJ "
        "(searched on a grid of step sigma/50 around threshold); gap: largest "
        "|SoftLIF - LIF| over J in [0, 3].",
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
        f"Rate at threshold and peak slope (tau_rc={args.tau_rc:g}, "
        f"tau_ref={args.tau_ref:g})",
        ["curve", "rate at J=1 (Hz)", "peak dRate/dJ (Hz)", "gap to LIF (Hz)"],
        rows,
    )
    fig = plotting.plot_smooth_vs_sharp(result, fig=_new_figure(0, 2))
    report.figure(
        fig,
        "smooth_vs_sharp.png",
        "LIF and SoftLIF rates and derivatives near threshold",
    )


STUDY_FUNCTIONS = {
    "tuning": study_tuning,
    "decode": study_decode,
    "spikes": study_spikes,
    "spike-decoding": study_spike_decoding,
    "smooth": study_smooth,
}


def _new_figure(n_axes, width_axes=None):
    """A figure with ``n_axes`` axes in a row (or an empty figure when 0)."""
    import matplotlib.pyplot as plt

    if n_axes == 0:
        return plt.figure(figsize=(5.5 * width_axes, 4.2))
    fig, axes = plt.subplots(1, n_axes, figsize=(5.5 * n_axes, 4.2))
    return fig, axes


def _progress_list(items, enabled, description):
    if not enabled:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=description, leave=False)


# --- argument parsing ----------------------------------------------------------------


def _add_common(parser, top_level):
    """Options every command takes; subcommands do not override the top level's."""
    default = (lambda value: value) if top_level else (lambda value: argparse.SUPPRESS)
    parser.add_argument(
        "-o",
        "--output",
        default=default(DEFAULT_OUTPUT),
        help=f"report folder (created if needed; default: {DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=default(0),
        help="seed of every random choice; the same seed gives the same report "
        "(default: 0)",
    )
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=default(None),
        help="show progress bars (default: only on a terminal)",
    )
    progress.add_argument(
        "--no-progress",
        dest="progress",
        action="store_false",
        default=default(None),
        help="never show progress bars",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help="do not print the tables (the report is still written)",
    )


def _add_study_options(parser, study):
    """Options of one study, with the defaults the report uses."""
    many = "+"
    if study == "tuning":
        parser.add_argument(
            "--neuron-type",
            type=_neuron_type,
            default="nengo_tuning.ExactLIF",
            help="neuron type, e.g. nengo.LIF, nengo.LIF(tau_ref=0.001), "
            "nengo_tuning.SoftLIFRate (default: %(default)s)",
        )
        parser.add_argument(
            "--n-neurons", type=_positive_int, default=8, help="(default: 8)"
        )
    elif study == "decode":
        parser.add_argument(
            "--neuron-type",
            type=_neuron_type,
            default="nengo_tuning.ExactLIF",
            help="neuron type (default: %(default)s)",
        )
        parser.add_argument(
            "--function",
            type=_function,
            nargs=many,
            default=["x", "x**2"],
            help="functions of x to decode, e.g. x 'x**2' 'sin(pi*x)' "
            "(default: x x**2)",
        )
        parser.add_argument(
            "--n-neurons",
            type=_positive_int,
            nargs=many,
            default=[5, 10, 20, 50, 100, 200, 400],
            help="ensemble sizes (default: 5 10 20 50 100 200 400)",
        )
        parser.add_argument(
            "--trials",
            type=_positive_int,
            default=3,
            help="ensembles per size, averaged (default: 3)",
        )
    elif study == "spikes":
        parser.add_argument(
            "--neuron-type",
            type=_neuron_type,
            nargs=many,
            default=["nengo.LIF", "nengo_tuning.ExactLIF"],
            help="spiking neuron types (default: nengo.LIF nengo_tuning.ExactLIF)",
        )
        parser.add_argument(
            "--dt",
            type=_positive_float,
            nargs=many,
            default=[0.0001, 0.001, 0.002, 0.003, 0.005, 0.01],
            help="time steps in seconds (default: 0.0001 0.001 0.002 0.003 0.005 0.01)",
        )
        parser.add_argument(
            "--rates",
            type=_positive_float,
            nargs=many,
            default=list(np.arange(10.0, 451.0, 10.0)),
            help="rates of the curve to test at, Hz (default: 10 to 450 in steps "
            "of 10)",
        )
        parser.add_argument(
            "--sim-time",
            type=_positive_float,
            default=1.0,
            help="measuring time in seconds (default: 1)",
        )
    elif study == "spike-decoding":
        parser.add_argument(
            "--neuron-type",
            type=_neuron_type,
            nargs=many,
            default=["nengo.LIF", "nengo_tuning.ExactLIF"],
            help="spiking neuron types (default: nengo.LIF nengo_tuning.ExactLIF)",
        )
        parser.add_argument(
            "--dt",
            type=_positive_float,
            nargs=many,
            default=[0.0005, 0.001, 0.002, 0.005, 0.01],
            help="time steps in seconds (default: 0.0005 0.001 0.002 0.005 0.01)",
        )
        parser.add_argument(
            "--function",
            type=_function,
            default="x",
            help="function of x to decode (default: x)",
        )
        parser.add_argument(
            "--n-neurons", type=_positive_int, default=50, help="(default: 50)"
        )
        parser.add_argument(
            "--synapse",
            type=_positive_float,
            default=0.01,
            help="lowpass time constant on the outputs, s (default: 0.01)",
        )
        parser.add_argument(
            "--sim-time",
            type=_positive_float,
            default=1.0,
            help="simulated time in seconds (default: 1)",
        )
    elif study == "smooth":
        parser.add_argument(
            "--sigma",
            type=_positive_float,
            nargs=many,
            default=[0.001, 0.02, 0.1, 1.0],
            help="SoftLIF smoothing values (default: 0.001 0.02 0.1 1)",
        )
        parser.add_argument(
            "--tau-rc", type=_positive_float, default=0.02, help="(default: 0.02)"
        )
        parser.add_argument(
            "--tau-ref",
            type=float,
            default=0.002,
            help="refractory period, s (default: 0.002)",
        )


def build_parser():
    """The argument parser of ``nengo-tuning``.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="nengo-tuning",
        description=(
            "Tuning curves, decoders and spikes-versus-rates studies for Nengo "
            "neuron types. With no command, runs every study with its defaults "
            "and writes the report (PNG figures and summary.md) to the output "
            "folder."
        ),
        epilog=(
            "examples:\n"
            "  nengo-tuning                       # the default report\n"
            "  nengo-tuning spikes --neuron-type nengo.LIF 'nengo.LIF(tau_ref=0)' "
            "--dt 0.001 0.005\n"
            "  nengo-tuning decode --function 'sin(pi*x)' --n-neurons 10 100\n"
            "  nengo-tuning <command> --help     # a command's options"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_common(parser, top_level=True)
    subparsers = parser.add_subparsers(dest="command", metavar="command")
    helps = {
        "report": "every study with its defaults (what no command runs)",
        "tuning": "tuning curves of a neuron type, 1-D and 2-D",
        "decode": "decode functions of x; RMSE against the number of neurons",
        "spikes": "measured spike rate against the rate curve, per dt",
        "spike-decoding": "decoded-output error of spiking ensembles, per dt",
        "smooth": "LIF and SoftLIF curves and derivatives near threshold",
    }
    for name, text in helps.items():
        sub = subparsers.add_parser(name, help=text, description=text)
        _add_common(sub, top_level=False)
        if name != "report":
            _add_study_options(sub, name)
    return parser


def _study_defaults(study):
    """The parsed defaults of one study's options."""
    parser = argparse.ArgumentParser()
    _add_study_options(parser, study)
    return parser.parse_args([])


def main(argv=None):
    """Run ``nengo-tuning`` (see ``nengo-tuning --help``).

    Parameters
    ----------
    argv : list of str, optional
        Arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 on success; bad arguments exit with status 2 and a message.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "report"
    if args.progress is None:
        args.progress = sys.stderr.isatty()

    # figures are written to files: never open a window, even with a display
    import matplotlib

    matplotlib.use("Agg")
    from nengo_tuning.version import version

    start = time.perf_counter()
    report = Report(args.output, quiet=args.quiet)
    studies = STUDIES if command == "report" else (command,)
    try:
        for study in studies:
            study_args = _study_defaults(study) if command == "report" else args
            for name in ("seed", "progress"):
                setattr(study_args, name, getattr(args, name))
            STUDY_FUNCTIONS[study](report, study_args)
    except Exception as error:
        # invalid combinations argparse cannot see (e.g. a rate above 1/tau_ref)
        from nengo.exceptions import ValidationError

        if isinstance(error, (ValueError, ValidationError)):
            parser.error(f"{command}: {error}")
        raise
    elapsed = time.perf_counter() - start
    command_line = " ".join(["nengo-tuning", *(sys.argv[1:] if argv is None else argv)])
    header = (
        f"# nengo-tuning report\n\n"
        f"Command: `{command_line}`; seed {args.seed}; nengo_tuning {version}; "
        f"{elapsed:.1f} s.\n\nFigures: {', '.join(report.figures)}.\n"
    )
    path = report.write(header)
    if not args.quiet:
        print(
            f"\nReport written to {path} ({len(report.figures)} figures, "
            f"{elapsed:.1f} s)"
        )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
