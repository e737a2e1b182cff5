"""The ``nengo-tuning`` command: the parser, the run, and what happens on errors.

The parser is generated from :data:`~nengo_tuning.workbench.study_table.STUDIES`.
With no command, every study runs with its defaults (``report``).

Error policy:

* a bad argument, or a model that nengo refuses because of the arguments, is a
  usage error: one line on stderr naming the argument, exit status 2, no
  traceback, and the report folder untouched;
* Ctrl-C: one line, exit status 130, the report folder untouched;
* anything else is a bug and shows its traceback.
"""

import argparse
import re
import sys
import time

from nengo_tuning.workbench import audit_command
from nengo_tuning.workbench.options import FolderPath, Option, UsageError, WholeNumber

__all__ = ["COMMON_OPTIONS", "DEFAULT_OUTPUT", "build_parser", "main"]

#: Folder the report is written to unless ``--output`` says otherwise.
DEFAULT_OUTPUT = "nengo-tuning-report"
PROG = "nengo-tuning"

#: Options every command takes (besides ``--progress``/``--no-progress``, ``-q``).
COMMON_OPTIONS = (
    Option(
        "--output",
        FolderPath(),
        DEFAULT_OUTPUT,
        "report folder (written completely, then moved into place)",
    ),
    Option(
        "--seed",
        WholeNumber(0, 2**32 - 1),
        0,
        "seed of every random choice; the same seed gives the same report",
    ),
)
_SHORT_FLAGS = {"--output": "-o"}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (and exit status 2).

    Values that start with a minus sign (``-inf``, ``-1e-3``, the function
    ``-x``) are taken as values, then accepted or refused with a message about
    their range, rather than as unknown options: argparse alone only recognises
    ``-1`` and ``-.5``. The command's only one-dash options are ``-h``, ``-o`` and
    ``-q``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-(?![-hoq])")

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _add_common(parser, top_level):
    """Options every command takes; subcommands do not override the top level's."""
    for option in COMMON_OPTIONS:
        flags = [_SHORT_FLAGS[option.flag]] if option.flag in _SHORT_FLAGS else []
        parser.add_argument(
            *flags,
            option.flag,
            dest=option.dest,
            default=option.default if top_level else argparse.SUPPRESS,
            metavar=option.dest.upper(),
            help=option.help_text(),
        )
    keep = (lambda value: value) if top_level else (lambda value: argparse.SUPPRESS)
    progress = parser.add_mutually_exclusive_group()
    for flag, action, text in [
        (
            "--progress",
            "store_true",
            "show progress bars (default: only on a terminal)",
        ),
        ("--no-progress", "store_false", "never show progress bars"),
    ]:
        progress.add_argument(
            flag, dest="progress", action=action, default=keep(None), help=text
        )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=keep(False),
        help="do not print the tables (the report is still written)",
    )


def _epilog(limits):
    lines = ["limits (see the reference page, 'Input limits'):"]
    lines += [f"  {limit}" for limit in limits]
    return "\n".join(lines)


def build_parser():
    """The argument parser of ``nengo-tuning``, generated from the study table.

    Returns
    -------
    parser : argparse.ArgumentParser
    """
    from nengo_tuning.workbench.study_table import STUDIES

    parser = _Parser(
        prog=PROG,
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
            "  nengo-tuning <command> --help     # a command's options and limits"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_common(parser, top_level=True)
    subparsers = parser.add_subparsers(
        dest="command", metavar="command", parser_class=_Parser
    )
    report_help = "every study with its defaults (what no command runs)"
    sub = subparsers.add_parser("report", help=report_help, description=report_help)
    _add_common(sub, top_level=False)
    for study in STUDIES:
        sub = subparsers.add_parser(
            study.name,
            help=study.help,
            description=study.help,
            epilog=_epilog(study.limits) if study.limits else None,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _add_common(sub, top_level=False)
        for option in study.options:
            option.add_to(sub)
    audit_command.add_parser(subparsers, lambda sub: _add_common(sub, top_level=False))
    return parser


def _study_values(study, parsed, common):
    """The parsed and checked option values of one study, as a Namespace."""
    values = study.default_values()
    for option in study.options:
        if hasattr(parsed, option.dest):
            values[option.dest] = option.parse_all(getattr(parsed, option.dest))
    values = argparse.Namespace(**values, **common)
    if study.check is not None:
        study.check(values)
    return values


def _prepare(argv):
    """Parse and check everything before anything runs or is written."""
    from nengo_tuning.workbench.study_table import STUDIES, study_named

    parser = build_parser()
    parsed = parser.parse_args(argv)
    command = parsed.command or "report"
    progress = sys.stderr.isatty() if parsed.progress is None else parsed.progress
    common = {
        "seed": COMMON_OPTIONS[1].parse(parsed.seed),
        "progress": progress,
    }
    output = COMMON_OPTIONS[0].parse(parsed.output)
    studies = STUDIES if command == "report" else (study_named(command),)
    runs = [(study, _study_values(study, parsed, common)) for study in studies]
    return parsed, output, runs


def _run_audit(parsed, argv):
    arguments = sys.argv[1:] if argv is None else list(argv)
    settings = {
        "output": COMMON_OPTIONS[0].parse(parsed.output),
        "seed": COMMON_OPTIONS[1].parse(parsed.seed),
        "progress": sys.stderr.isatty() if parsed.progress is None else parsed.progress,
        "quiet": parsed.quiet,
        "command_line": " ".join([PROG, *arguments]),
    }
    return audit_command.run(parsed, settings)


def _run(argv):
    parsed = build_parser().parse_args(argv)
    if parsed.command == audit_command.NAME:
        return _run_audit(parsed, argv)
    from nengo_tuning.workbench.report_writer import (
        REPORT_TITLE,
        Report,
        ReportFolder,
    )

    parsed, output, runs = _prepare(argv)
    # figures are written to files: never open a window, even with a display
    import matplotlib

    matplotlib.use("Agg")
    from nengo.exceptions import BuildError, ValidationError

    from nengo_tuning.version import version

    start = time.perf_counter()
    with ReportFolder(output) as folder:
        report = Report(folder.path, quiet=parsed.quiet)
        for study, values in runs:
            try:
                study.write(report, values)
            except (BuildError, ValidationError) as error:
                # nengo refused the model these arguments describe (e.g. rates a
                # neuron type cannot reach): a usage error, not a bug
                message = f"{study.name}: nengo refused the model: {error}"
                raise UsageError(message) from None
        elapsed = time.perf_counter() - start
        arguments = sys.argv[1:] if argv is None else list(argv)
        command_line = " ".join([PROG, *arguments])
        seed = runs[0][1].seed
        header = (
            f"{REPORT_TITLE}\n\n"
            f"Command: `{command_line}`; seed {seed}; nengo_tuning {version}; "
            f"{elapsed:.1f} s.\n\nFigures: {', '.join(report.figures)}.\n"
        )
        report.write(header)
        path = folder.commit() / "summary.md"
    report.echo(
        f"\nReport written to {path} ({len(report.figures)} figures, {elapsed:.1f} s)"
    )
    return 0


def main(argv=None):
    """Run ``nengo-tuning`` (see ``nengo-tuning --help``).

    Parameters
    ----------
    argv : list of str, optional
        Arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 on success, 130 when interrupted (Ctrl-C, one line on stderr).

    Raises
    ------
    SystemExit
        With status 2 for a usage error (one line on stderr naming the argument),
        as argparse does, and with 0 after ``--help``. Any other error is a bug
        and propagates with its traceback.
    """
    try:
        return _run(argv)
    except UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; no report written", file=sys.stderr)
        return 130
