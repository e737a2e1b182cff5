"""``nengo-tuning audit FILE --dt DT [DT ...]``: the spikes a user's model loses.

Runs the model file (:mod:`~nengo_tuning.workbench.audit_model_file`), audits
its network at each ``dt`` with `~.model_audit.audit_many`, prints a table
per ``dt``, writes the report folder (``summary.md`` and a figure of the loss
per ensemble against ``dt``) and, with ``--json``, the documented JSON file
(:mod:`~nengo_tuning.workbench.audit_report`).

Errors: a missing file, a syntax error, no network, a named network that is not
there, a network without ensembles (nothing to audit), a ``dt`` out of bounds, a
``--json`` file that is not an earlier audit, a model nengo refuses to build:
one line, exit status 2. An exception raised by the file's own code: its
traceback (from the file's first frame), a line saying it came from the file,
exit status 1.
"""

import argparse
import sys
import time
import traceback

from nengo_tuning.workbench.options import Number, Option, UsageError

__all__ = ["DT_OPTION", "NAME", "add_parser", "run", "show_user_traceback"]

NAME = "audit"
HELP = "how many spikes each ensemble of your model loses at each dt"
DESCRIPTION = (
    "Audit the ensembles of the nengo.Network in a Python file: the fraction of "
    "their rate curves' spikes that their neuron types lose at each dt, the "
    "error this adds to their decoded values, and what to change (an exact "
    "neuron type, or the largest dt that loses at most 1 percent). "
    "WARNING: FILE is executed (its code runs with your permissions, as "
    "nengo_gui runs a model; __name__ is not '__main__'): audit only files you "
    "trust."
)
#: The time steps to audit (the bounds of the other studies' ``--dt``).
DT_OPTION = Option(
    "--dt", Number(1e-5, 0.1, "s"), (), "time steps to audit, in seconds", many=20
)
JSON_HELP = (
    "also write the audit as JSON: {'dt': ..., 'ensembles': [...]} for one dt, "
    "a list of those for several (see the reference page); an existing OUT "
    "must be an earlier audit, unchanged (anything else is refused)"
)


def add_parser(subparsers, add_common):
    """Add the ``audit`` subcommand to ``subparsers`` (``add_common(sub)`` adds
    the options every command takes)."""
    sub = subparsers.add_parser(NAME, help=HELP, description=DESCRIPTION)
    add_common(sub)
    for action in sub._actions:  # argparse has no public way to hide one
        if action.dest == "neuron_module":
            # the file imports what it needs itself: the option means nothing
            action.help = argparse.SUPPRESS
    sub.add_argument("file", metavar="FILE", help="Python file defining the model")
    sub.add_argument(
        "--network",
        metavar="NAME",
        default=None,
        help="the variable holding the nengo.Network (default: model)",
    )
    sub.add_argument(
        "--dt",
        nargs="+",
        required=True,
        metavar="DT",
        help=f"{DT_OPTION.help}; {DT_OPTION.limits_text()}",
    )
    sub.add_argument("--json", metavar="OUT", default=None, help=JSON_HELP)
    return sub


def show_user_traceback(cause, filename, whose):
    """Print the traceback of ``cause`` from its first frame in ``filename``,
    then one line saying that it came from ``whose`` code, not nengo-tuning's."""
    tb = cause.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != str(filename):
        tb = tb.tb_next
    try:
        traceback.print_exception(type(cause), cause, tb or cause.__traceback__)
        print(
            f"nengo-tuning: error: the exception above was raised by {whose}, not "
            "by nengo-tuning",
            file=sys.stderr,
            flush=True,
        )
    except (AttributeError, OSError, ValueError):
        pass  # no stderr to show it on: the exit status still says it


def _show_user_error(error):
    show_user_traceback(error.error, error.path, f"the code in {error.path}")


def _write_report(report, audits, dts, description):
    from nengo_tuning.workbench.audit_report import (
        FIGURE,
        TABLE_HEADERS,
        plot_losses,
        table_rows,
    )

    report.section("Spike audit", description)
    for dt, records in zip(dts, audits):
        report.table(f"Spike loss at dt = {dt:g} s", TABLE_HEADERS, table_rows(records))
    caption = (
        "spike loss of each ensemble against dt: the fraction of its rate curve's "
        "spikes that its neuron type does not emit (dashed: 1 %)"
    )
    report.figure(plot_losses(audits, dts), FIGURE, caption)


def run(parsed, settings, outcome):
    """Run the subcommand; returns the exit status.

    ``settings``: ``output``, ``seed``, ``progress``, ``command_line``;
    ``outcome["folder"]`` is set to the `.ReportFolder` (for the command's
    messages if it is interrupted).
    """
    from nengo_tuning.workbench.audit_model_file import UserCodeError, load_network
    from nengo_tuning.workbench.audit_report import (
        audit_json,
        check_json_target,
        write_json,
    )
    from nengo_tuning.workbench.report_folder import ReportFolder
    from nengo_tuning.workbench.report_writer import REPORT_TITLE, Report

    if getattr(parsed, "neuron_module", None):
        raise UsageError(
            "argument --neuron-module: not used by audit (FILE imports its own "
            "neuron types)"
        )
    dts = DT_OPTION.parse_all(parsed.dt)
    json_path = None
    if parsed.json is not None:
        json_path = check_json_target(parsed.json, output=settings["output"])
    start = time.perf_counter()
    with ReportFolder(settings["output"]) as folder:
        outcome["folder"] = folder
        try:
            network, name = load_network(parsed.file, parsed.network)
        except UserCodeError as error:
            _show_user_error(error)
            return 1
        if not network.all_ensembles:
            flag = "FILE" if parsed.network is None else "--network"
            raise UsageError(
                f"argument {flag}: {name!r} in {parsed.file} holds no ensembles: "
                "nothing to audit (no report written)"
            )
        audits = _audit(network, name, parsed.file, dts, settings)
        report = Report(folder.path, quiet=parsed.quiet, output=settings["output"])
        description = (
            f"Network {name!r} of {parsed.file}; T = 2 s per eval point, seed "
            f"{settings['seed']}."
        )
        _write_report(report, audits, dts, description)
        elapsed = time.perf_counter() - start
        report.write(
            f"{REPORT_TITLE}\n\nCommand: `{settings['command_line']}`; "
            f"{elapsed:.1f} s.\n\nFigures: {', '.join(report.figures)}.\n"
        )
        path = folder.commit() / "summary.md"
    if json_path is not None:
        write_json(json_path, audit_json(audits, dts))
    report.echo(f"\nReport written to {path} ({elapsed:.1f} s)")
    return 0


def _audit(network, name, file, dts, settings):
    from nengo.exceptions import BuildError, ValidationError

    from nengo_tuning.spike_audit import audit_many

    try:
        return audit_many(
            network, dts, seed=settings["seed"], progress=settings["progress"]
        )
    except (BuildError, ValidationError) as error:
        raise UsageError(f"nengo cannot build {name!r} of {file}: {error}") from None
